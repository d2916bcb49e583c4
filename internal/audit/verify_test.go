package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/secrets"
)

func TestAppendTx_ChainsAcrossTransactions(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	mustVerify(t, l, 0) // a new trail
	appendEach(t, l, simple(1, 3)...)
	// Several events in one transaction.
	if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		return l.AppendTx(context.Background(), tx, simple(4, 4)...)
	}); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, l, 7)
	var seqs []int64
	if err := l.Query(context.Background(), audit.Filter{}, func(seq int64, e *audit.Event) error {
		seqs = append(seqs, seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 7 || seqs[0] != 1 || seqs[6] != 7 {
		t.Errorf("seqs = %v, want 1 to 7", seqs)
	}
}

func TestAppendTx_RollsBackWithTheTransaction(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	appendEach(t, l, simple(1, 2)...)
	errFn := errors.New("the change failed")
	err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		if err := l.AppendTx(context.Background(), tx, simple(3, 2)...); err != nil {
			return err
		}
		return errFn
	})
	if !errors.Is(err, errFn) {
		t.Fatalf("Update = %v", err)
	}
	mustVerify(t, l, 2)
	appendEach(t, l, simple(5, 1)...)
	mustVerify(t, l, 3)
	if got := eventIDs(t, l, audit.Filter{}); strings.Join(got, ",") != "ev-1,ev-2,ev-5" {
		t.Errorf("events = %v", got)
	}
}

func TestAppendTx_EventTimeFromClock(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	e := simple(1, 1)[0]
	e.EventTime = time.Time{}
	appendEach(t, l, e)
	if !e.EventTime.IsZero() {
		t.Error("AppendTx changed the caller's event")
	}
	err := l.Query(context.Background(), audit.Filter{}, func(_ int64, got *audit.Event) error {
		if !got.EventTime.Equal(start) {
			t.Errorf("EventTime = %v, want the clock's %v", got.EventTime, start)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVerify_Tampering tampers with a trail of ten events in the database
// file, one way per case, and checks that Verify names the first bad event.
func TestVerify_Tampering(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		tamper  func(t *testing.T, db *sql.DB)
		seq     int64
		reason  string
		checked int64 // events found good before the problem
	}{
		{"EditedEvent", func(t *testing.T, db *sql.DB) {
			var ev []byte
			if err := db.QueryRow(`SELECT event FROM audit_events WHERE seq = 5`).Scan(&ev); err != nil {
				t.Fatal(err)
			}
			ev = []byte(strings.Replace(string(ev), `"errorCode"`, `"x"`, 1))
			ev = []byte(strings.Replace(string(ev), `"userAgent":"test"`, `"userAgent":"edited"`, 1))
			exec(t, db, `UPDATE audit_events SET event = ? WHERE seq = 5`, ev)
		}, 5, "edited", 4},
		{"EditedSearchColumnsOnly", func(t *testing.T, db *sql.DB) {
			// The columns a search uses are not what is verified, and not
			// what is printed: the event is.
			exec(t, db, `UPDATE audit_events SET principal = 'arn:other' WHERE seq = 5`)
		}, 0, "", 10},
		{"EditedHMAC", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit_events SET hmac = zeroblob(32) WHERE seq = 3`)
		}, 3, "edited", 2},
		{"DeletedInTheMiddle", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 5`)
		}, 5, "is missing", 4},
		{"DeletedSeveral", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq BETWEEN 3 AND 6`)
		}, 3, "is missing, as are the events after it up to 6", 2},
		{"DeletedAndRenumbered", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 5`)
			for seq := 6; seq <= 10; seq++ {
				exec(t, db, `UPDATE audit_events SET seq = seq - 1 WHERE seq = ?`, seq)
			}
		}, 5, "does not follow event 4", 4},
		{"SwappedRows", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit_events SET seq = -4 WHERE seq = 4`)
			exec(t, db, `UPDATE audit_events SET seq = 4 WHERE seq = 5`)
			exec(t, db, `UPDATE audit_events SET seq = 5 WHERE seq = -4`)
		}, 4, "does not follow event 3", 3},
		{"SwappedEvents", func(t *testing.T, db *sql.DB) {
			// The JSON swapped, each row keeping its chain columns.
			exec(t, db, `UPDATE audit_events SET event = (SELECT e.event FROM audit_events e WHERE e.seq = 15 - audit_events.seq) WHERE seq IN (7, 8)`)
		}, 7, "edited", 6},
		{"SwappedEventsWithTheirHMACs", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit_events SET (event, hmac, prev_hmac) =
				(SELECT e.event, e.hmac, e.prev_hmac FROM audit_events e WHERE e.seq = 15 - audit_events.seq) WHERE seq IN (7, 8)`)
		}, 7, "does not follow event 6", 6},
		{"TruncatedTail", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq >= 8`)
		}, 8, "truncated", 7},
		{"TruncatedNewest", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 10`)
		}, 10, "truncated", 9},
		{"TruncatedEverything", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events`)
		}, 1, "truncated", 0},
		{"TruncatedAndHeadMovedBack", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq >= 8`)
			exec(t, db, `UPDATE audit_head SET seq = 7, hmac = (SELECT hmac FROM audit_events WHERE seq = 7)`)
		}, 7, "chain head", 0},
		{"EditedHeadMAC", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit_head SET mac = zeroblob(32)`)
		}, 10, "fails authentication", 0},
		{"EditedAnchor", func(t *testing.T, db *sql.DB) {
			// The oldest events removed, and the anchor moved as a prune
			// would, without the key.
			exec(t, db, `DELETE FROM audit_events WHERE seq < 4`)
			exec(t, db, `UPDATE audit_head SET anchor_seq = 4, anchor_prev = (SELECT prev_hmac FROM audit_events WHERE seq = 4)`)
		}, 10, "fails authentication", 0},
		{"DeletedOldest", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq < 3`)
		}, 1, "is missing, as are the events after it up to 2: it is the oldest kept event", 0},
		{"DeletedHead", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM audit_head`)
		}, 0, "chain head is missing", 0},
		{"HeadResetToEmpty", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit_head SET seq = 0, hmac = x'', anchor_seq = 0, anchor_prev = x'', mac = x''`)
		}, 1, "newer than the newest event (0)", 0},
		{"EventAddedAfterHead", func(t *testing.T, db *sql.DB) {
			exec(t, db, `INSERT INTO audit_events SELECT 11, time, account, principal, event_name, error_code, resources, hmac, hmac, event FROM audit_events WHERE seq = 10`)
		}, 11, "newer than the newest event (10)", 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l, s := newLog(t)
			appendEach(t, l, simple(1, 4)...)
			if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
				return l.AppendTx(context.Background(), tx, simple(5, 6)...)
			}); err != nil {
				t.Fatal(err)
			}
			mustVerify(t, l, 10)
			c.tamper(t, raw(t, s))
			n, bad, err := l.Verify(context.Background())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.reason == "" {
				if bad != nil {
					t.Errorf("Verify = %v, want no problem", bad)
				}
				return
			}
			if bad == nil {
				t.Fatalf("Verify = %d events, no problem; want event %d: …%s…", n, c.seq, c.reason)
			}
			if bad.Seq != c.seq || !strings.Contains(bad.Reason, c.reason) {
				t.Errorf("Verify problem = %q, want event %d: …%s…", bad, c.seq, c.reason)
			}
			if n != c.checked {
				t.Errorf("Verify checked %d events before the problem, want %d", n, c.checked)
			}
			t.Logf("%s", bad)
		})
	}
}

func TestAppend_RefusesABadHead(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		tamper string
	}{
		{"Edited", `UPDATE audit_head SET seq = 2, hmac = (SELECT hmac FROM audit_events WHERE seq = 2)`},
		{"Deleted", `DELETE FROM audit_head`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l, s := newLog(t)
			appendEach(t, l, simple(1, 3)...)
			exec(t, raw(t, s), `DELETE FROM audit_events WHERE seq = 3`)
			exec(t, raw(t, s), c.tamper)
			// Continuing the chain would give the edited head a good MAC.
			err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
				return l.AppendTx(context.Background(), tx, simple(4, 1)...)
			})
			if !errors.Is(err, audit.ErrChain) {
				t.Errorf("AppendTx after the head was tampered with: err = %v, want ErrChain", err)
			}
			w := l.NewWriter()
			defer w.Close()
			if err := w.Append(context.Background(), simple(5, 1)...); !errors.Is(err, audit.ErrChain) {
				t.Errorf("Writer.Append after the head was tampered with: err = %v, want ErrChain", err)
			}
			if _, err := l.Prune(context.Background(), start.Add(time.Hour)); !errors.Is(err, audit.ErrChain) {
				t.Errorf("Prune after the head was tampered with: err = %v, want ErrChain", err)
			}
			if _, bad, _ := l.Verify(context.Background()); bad == nil {
				t.Error("Verify: no problem")
			}
		})
	}
}

func TestVerify_WrongKey(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	appendEach(t, l, simple(1, 2)...)
	other := *l
	other.Key = []byte("another key, another key, anothe")
	if _, bad, err := other.Verify(context.Background()); err != nil || bad == nil {
		t.Errorf("Verify under another key = %v, %v; want a problem", bad, err)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	l, s := newLog(t)
	appendEach(t, l, simple(1, 10)...) // event i at start + i s
	n, err := l.Prune(context.Background(), start.Add(4*time.Second))
	if err != nil || n != 3 {
		t.Fatalf("Prune = %d, %v; want 3 events pruned", n, err)
	}
	mustVerify(t, l, 7)
	if got := eventIDs(t, l, audit.Filter{}); got[0] != "ev-4" || len(got) != 7 {
		t.Errorf("events after pruning = %v", got)
	}
	// Again with the same time: nothing more.
	if n, err := l.Prune(context.Background(), start.Add(4*time.Second)); err != nil || n != 0 {
		t.Errorf("Prune again = %d, %v; want 0", n, err)
	}
	// Appending after pruning, then pruning again.
	appendEach(t, l, simple(11, 2)...)
	mustVerify(t, l, 9)
	if n, err := l.Prune(context.Background(), start.Add(10*time.Second)); err != nil || n != 6 {
		t.Fatalf("Prune = %d, %v; want 6", n, err)
	}
	mustVerify(t, l, 3)
	// Every event.
	if n, err := l.Prune(context.Background(), start.Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("Prune of all = %d, %v; want 3", n, err)
	}
	mustVerify(t, l, 0)
	appendEach(t, l, simple(20, 2)...)
	mustVerify(t, l, 2)
	if got := eventIDs(t, l, audit.Filter{}); strings.Join(got, ",") != "ev-20,ev-21" {
		t.Errorf("events = %v", got)
	}

	// After pruning, removing the oldest kept event is still detected.
	exec(t, raw(t, s), `DELETE FROM audit_events WHERE seq = (SELECT MIN(seq) FROM audit_events)`)
	if _, bad, _ := l.Verify(context.Background()); bad == nil || bad.Seq != 13 {
		t.Errorf("Verify after deleting the oldest kept event = %v, want event 13", bad)
	}
}

func TestPrune_OutOfOrderTimes(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	// Event 3 is older than event 2 (a request that took long); pruning
	// stops at the first event it must keep.
	events := simple(1, 5)
	events[1].EventTime = start.Add(time.Minute)
	appendEach(t, l, events...)
	if n, err := l.Prune(context.Background(), start.Add(30*time.Second)); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1", n, err)
	}
	mustVerify(t, l, 4)
}

func TestPrune_ManyChunks(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		return l.AppendTx(context.Background(), tx, simple(1, 2500)...)
	}); err != nil {
		t.Fatal(err)
	}
	n, err := l.Prune(context.Background(), start.Add(2400*time.Second))
	if err != nil || n != 2399 {
		t.Fatalf("Prune = %d, %v; want 2399", n, err)
	}
	mustVerify(t, l, 101)
}

func TestPrune_KeepsTheEvidence(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, tamper string
		refused      bool // pruning every event is refused
		pruned       int  // events pruned up to the tampering
	}{
		{"Edited", `UPDATE audit_events SET event = CAST('{}' AS BLOB) WHERE seq = 3`, true, 2},
		{"Deleted", `DELETE FROM audit_events WHERE seq = 3`, true, 2},
		// The events before a truncation can go: the missing ones stay
		// missing, which Verify reports.
		{"Truncated", `DELETE FROM audit_events WHERE seq >= 4`, false, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l, s := newLog(t)
			appendEach(t, l, simple(1, 5)...)
			exec(t, raw(t, s), c.tamper)
			if c.refused {
				// Pruning every event would erase the tampering.
				n, err := l.Prune(context.Background(), start.Add(time.Hour))
				if err == nil || n != 0 {
					t.Errorf("Prune = %d, %v; want an error and nothing pruned", n, err)
				}
				t.Logf("Prune: %v", err)
			}
			n, err := l.Prune(context.Background(), start.Add(3*time.Second))
			if err != nil || n != c.pruned {
				t.Errorf("Prune up to the tampering = %d, %v; want %d", n, err, c.pruned)
			}
			if _, bad, _ := l.Verify(context.Background()); bad == nil {
				t.Error("Verify after pruning: no problem")
			}
		})
	}
}

func TestRekey(t *testing.T) {
	t.Parallel()
	l, s := newLog(t)
	appendEach(t, l, simple(1, 6)...)
	if _, err := l.Prune(context.Background(), start.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	newKey := []byte("the new key, the new key, the ne")
	var n int64
	if err := l.Store.Update(context.Background(), func(tx secrets.Tx) (err error) {
		n, err = audit.Rekey(context.Background(), tx, l.Key, newKey)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("Rekey = %d events, want 4", n)
	}
	if _, bad, _ := l.Verify(context.Background()); bad == nil {
		t.Error("Verify under the old key after Rekey: no problem")
	}
	rekeyed := *l
	rekeyed.Key = newKey
	mustVerify(t, &rekeyed, 4)
	appendEach(t, &rekeyed, simple(7, 1)...)
	mustVerify(t, &rekeyed, 5)

	// A tampered trail is not rekeyed: that would launder it.
	exec(t, raw(t, s), `DELETE FROM audit_events WHERE seq = 5`)
	err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		_, err := audit.Rekey(context.Background(), tx, newKey, l.Key)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "event 5") {
		t.Errorf("Rekey of a tampered trail: err = %v, want one naming event 5", err)
	}
}

func TestRekey_Empty(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		n, err := audit.Rekey(context.Background(), tx, l.Key, []byte("k"))
		if n != 0 {
			t.Errorf("Rekey of an empty trail = %d", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, l, 0)
}
