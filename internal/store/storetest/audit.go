package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

func runAudit(t *testing.T, r *runner) {
	t.Run("Audit", func(t *testing.T) {
		r.run(t, "EmptyHead", testAudit_EmptyHead)
		r.run(t, "Head", testAudit_Head)
		r.run(t, "Records", testAudit_Records)
		r.run(t, "ErrSeqTaken", testAudit_ErrSeqTaken)
		r.run(t, "Filter", testAudit_Filter)
		r.run(t, "Prune", testAudit_Prune)
		r.run(t, "Rechain", testAudit_Rechain)
		r.run(t, "RollbackOnError", testAudit_RollbackOnError)
		r.run(t, "ReadOnlyInView", testAudit_ReadOnlyInView)
		r.run(t, "ErrCanceled", testAudit_ErrCanceled)
	})
}

// newAuditRecord returns a record with every field set. Its event is not
// JSON: a store keeps whatever bytes it is given.
func newAuditRecord(seq int64, account, principal, event, code string, resources ...string) *secrets.AuditRecord {
	return &secrets.AuditRecord{
		Seq:       seq,
		Time:      t0.Add(time.Duration(seq) * time.Second),
		Account:   account,
		Principal: principal,
		EventName: event,
		ErrorCode: code,
		Resources: resources,
		Event:     fmt.Appendf(nil, `{"eventName":"%s","n":%d,"s":"ü ✓ \"q\""}`+"\x00\xff", event, seq),
		PrevHMAC:  fmt.Appendf(nil, "prev-%d", seq),
		HMAC:      fmt.Appendf(nil, "hmac-%d", seq),
	}
}

func normAuditRecord(r *secrets.AuditRecord) *secrets.AuditRecord {
	if r == nil {
		return nil
	}
	c := *r
	c.Time = normTime(c.Time)
	if len(c.Resources) == 0 {
		c.Resources = nil
	}
	c.Event = normBytes(c.Event)
	c.PrevHMAC = normBytes(c.PrevHMAC)
	c.HMAC = normBytes(c.HMAC)
	return &c
}

func normAuditHead(h *secrets.AuditHead) *secrets.AuditHead {
	if h == nil {
		return nil
	}
	c := *h
	c.HMAC = normBytes(c.HMAC)
	c.AnchorPrev = normBytes(c.AnchorPrev)
	c.MAC = normBytes(c.MAC)
	return &c
}

// MustAppendAudit appends the records in one Update.
func MustAppendAudit(tb testing.TB, s secrets.Store, recs ...*secrets.AuditRecord) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		return tx.AppendAuditRecords(context.Background(), recs)
	})
}

// MustAuditRecords returns the records f selects, read in a View.
func MustAuditRecords(tb testing.TB, s secrets.Store, f secrets.AuditFilter) []*secrets.AuditRecord {
	tb.Helper()
	var recs []*secrets.AuditRecord
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		recs, err = tx.AuditRecords(context.Background(), f)
		return err
	})
	return recs
}

func seqs(recs []*secrets.AuditRecord) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

func testAudit_EmptyHead(t *testing.T, s secrets.Store) {
	inBoth(t, s, func(tx secrets.Tx) {
		h, err := tx.AuditHead(context.Background())
		if err != nil {
			t.Fatalf("AuditHead of a new store: %v", err)
		}
		check(t, "AuditHead of a new store", h, &secrets.AuditHead{}, normAuditHead)
		recs, err := tx.AuditRecords(context.Background(), secrets.AuditFilter{})
		if err != nil || len(recs) != 0 {
			t.Errorf("AuditRecords of a new store = %d records, %v; want none", len(recs), err)
		}
	})
}

func testAudit_Head(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	h1 := &secrets.AuditHead{Seq: 7, HMAC: []byte("h7"), AnchorSeq: 3, AnchorPrev: []byte("p3"), MAC: []byte("mac1")}
	h2 := &secrets.AuditHead{Seq: 9, HMAC: []byte{0, 0xff, 1}, AnchorSeq: 10, AnchorPrev: []byte{0xff}, MAC: []byte("mac2")}
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutAuditHead(ctx, h1) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.AuditHead(ctx)
		if err != nil {
			t.Fatalf("AuditHead: %v", err)
		}
		check(t, "AuditHead", got, h1, normAuditHead)
	})
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutAuditHead(ctx, h2) })
	MustView(t, s, func(tx secrets.Tx) error {
		got, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		check(t, "AuditHead after a second put", got, h2, normAuditHead)
		return nil
	})
	// A copy: changing it changes nothing.
	MustView(t, s, func(tx secrets.Tx) error {
		got, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		got.HMAC[0], got.Seq = 'x', 1
		got, err = tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		check(t, "AuditHead after changing a copy", got, h2, normAuditHead)
		return nil
	})
}

func testAudit_Records(t *testing.T, s secrets.Store) {
	want := []*secrets.AuditRecord{
		newAuditRecord(1, account1, "arn:aws:iam::111111111111:root", "CreateSecret", "", "arn:s1", "s1"),
		newAuditRecord(2, account1, "", "GetSecretValue", "AccessDeniedException"),
		// A resource named twice is kept once, in the order of first appearance.
		newAuditRecord(3, account2, "arn:p2", "GetSecretValue", "", "arn:b", "arn:a", "arn:b"),
	}
	MustAppendAudit(t, s, want[0])
	MustAppendAudit(t, s, want[1:]...)
	want[2].Resources = []string{"arn:b", "arn:a"}
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.AuditRecords(context.Background(), secrets.AuditFilter{})
		if err != nil {
			t.Fatalf("AuditRecords: %v", err)
		}
		checkAll(t, "AuditRecords", got, want, normAuditRecord)
	})
	// Copies.
	got := MustAuditRecords(t, s, secrets.AuditFilter{})
	got[0].Event[0], got[0].HMAC[0], got[0].Resources[0] = 'x', 'x', "x"
	checkAll(t, "AuditRecords after changing a copy", MustAuditRecords(t, s, secrets.AuditFilter{}), want, normAuditRecord)
}

func testAudit_ErrSeqTaken(t *testing.T, s secrets.Store) {
	first := newAuditRecord(1, account1, "p", "A", "")
	MustAppendAudit(t, s, first)
	err := s.Update(context.Background(), func(tx secrets.Tx) error {
		return tx.AppendAuditRecords(context.Background(), []*secrets.AuditRecord{newAuditRecord(2, account1, "p", "B", ""), newAuditRecord(1, account1, "q", "C", "")})
	})
	if err == nil {
		t.Fatal("AppendAuditRecords of a taken Seq: err = nil")
	}
	checkAll(t, "AuditRecords after a refused append", MustAuditRecords(t, s, secrets.AuditFilter{}), []*secrets.AuditRecord{first}, normAuditRecord)
}

func testAudit_Filter(t *testing.T, s secrets.Store) {
	recs := []*secrets.AuditRecord{
		newAuditRecord(1, account1, "arn:alice", "CreateSecret", "", "arn:s1", "s1"),
		newAuditRecord(2, account1, "arn:bob", "GetSecretValue", "AccessDeniedException", "s1"),
		newAuditRecord(3, account2, "arn:alice", "GetSecretValue", "", "arn:s2"),
		newAuditRecord(4, account1, "", "ListSecrets", "InvalidSignatureException"),
		newAuditRecord(5, account2, "arn:bob", "DeleteSecret", "", "arn:s1", "arn:s2"),
	}
	MustAppendAudit(t, s, recs...)
	at := func(seq int64) time.Time { return recs[seq-1].Time }
	for _, c := range []struct {
		name string
		f    secrets.AuditFilter
		want []int64
	}{
		{"All", secrets.AuditFilter{}, []int64{1, 2, 3, 4, 5}},
		{"FromSeq", secrets.AuditFilter{FromSeq: 3}, []int64{3, 4, 5}},
		{"Limit", secrets.AuditFilter{Limit: 2}, []int64{1, 2}},
		{"FromSeqLimit", secrets.AuditFilter{FromSeq: 2, Limit: 2}, []int64{2, 3}},
		{"From", secrets.AuditFilter{From: at(4)}, []int64{4, 5}},
		{"To", secrets.AuditFilter{To: at(2)}, []int64{1, 2}},
		{"FromTo", secrets.AuditFilter{From: at(2).Add(-1), To: at(3).Add(1)}, []int64{2, 3}},
		{"FromToOtherZone", secrets.AuditFilter{From: at(2).UTC(), To: at(2).In(time.FixedZone("X", -7*3600))}, []int64{2}},
		{"Account", secrets.AuditFilter{Account: account2}, []int64{3, 5}},
		{"Principal", secrets.AuditFilter{Principal: "arn:alice"}, []int64{1, 3}},
		{"EventName", secrets.AuditFilter{EventName: "GetSecretValue"}, []int64{2, 3}},
		{"ErrorCode", secrets.AuditFilter{ErrorCode: "AccessDeniedException"}, []int64{2}},
		{"Resource", secrets.AuditFilter{Resource: "arn:s1"}, []int64{1, 5}},
		{"ResourceAsNamed", secrets.AuditFilter{Resource: "s1"}, []int64{1, 2}},
		{"ResourceNone", secrets.AuditFilter{Resource: "arn:s"}, nil},
		{"Combined", secrets.AuditFilter{Principal: "arn:bob", Resource: "arn:s2", From: at(1)}, []int64{5}},
		{"CombinedLimit", secrets.AuditFilter{Account: account1, FromSeq: 2, Limit: 2}, []int64{2, 4}},
		{"None", secrets.AuditFilter{EventName: "Nope"}, nil},
	} {
		got := seqs(MustAuditRecords(t, s, c.f))
		if !slices.Equal(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
			t.Errorf("%s: AuditRecords(%+v) = seqs %v, want %v", c.name, c.f, got, c.want)
		}
	}
}

func testAudit_Prune(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	var recs []*secrets.AuditRecord
	for i := int64(1); i <= 6; i++ {
		recs = append(recs, newAuditRecord(i, account1, "p", "E", "", "arn:r", fmt.Sprint("r", i)))
	}
	MustAppendAudit(t, s, recs...)
	var n int
	MustUpdate(t, s, func(tx secrets.Tx) (err error) {
		n, err = tx.PruneAudit(ctx, 4)
		return err
	})
	if n != 3 {
		t.Errorf("PruneAudit(4) = %d, want 3", n)
	}
	checkAll(t, "AuditRecords after PruneAudit", MustAuditRecords(t, s, secrets.AuditFilter{}), recs[3:], normAuditRecord)
	// The pruned records' resources went with them.
	if got := seqs(MustAuditRecords(t, s, secrets.AuditFilter{Resource: "arn:r"})); !slices.Equal(got, []int64{4, 5, 6}) {
		t.Errorf("AuditRecords by a resource after PruneAudit = %v, want [4 5 6]", got)
	}
	if got := MustAuditRecords(t, s, secrets.AuditFilter{Resource: "r2"}); len(got) != 0 {
		t.Errorf("AuditRecords by a pruned record's resource = %v, want none", seqs(got))
	}
	MustUpdate(t, s, func(tx secrets.Tx) (err error) {
		n, err = tx.PruneAudit(ctx, 2)
		return err
	})
	if n != 0 {
		t.Errorf("PruneAudit of nothing = %d, want 0", n)
	}
	// A Seq that was pruned is not taken again by the store's own account:
	// appending after the kept records works.
	MustAppendAudit(t, s, newAuditRecord(7, account1, "p", "E", "", "arn:r"))
	MustUpdate(t, s, func(tx secrets.Tx) (err error) {
		n, err = tx.PruneAudit(ctx, 100)
		return err
	})
	if n != 4 {
		t.Errorf("PruneAudit(100) = %d, want 4", n)
	}
	if got := MustAuditRecords(t, s, secrets.AuditFilter{}); len(got) != 0 {
		t.Errorf("AuditRecords after pruning all = %v", seqs(got))
	}
	if got := MustAuditRecords(t, s, secrets.AuditFilter{Resource: "arn:r"}); len(got) != 0 {
		t.Errorf("AuditRecords by resource after pruning all = %v", seqs(got))
	}
}

func testAudit_Rechain(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	recs := []*secrets.AuditRecord{newAuditRecord(1, account1, "p", "E", "", "arn:r"), newAuditRecord(2, account1, "p", "E", "")}
	MustAppendAudit(t, s, recs...)
	changed := *recs[1]
	changed.PrevHMAC, changed.HMAC = []byte("new-prev"), []byte("new-hmac")
	changed.Event, changed.EventName = []byte("ignored"), "Ignored"
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.RechainAuditRecords(ctx, []*secrets.AuditRecord{&changed}) })
	want := *recs[1]
	want.PrevHMAC, want.HMAC = changed.PrevHMAC, changed.HMAC
	checkAll(t, "AuditRecords after RechainAuditRecords", MustAuditRecords(t, s, secrets.AuditFilter{}),
		[]*secrets.AuditRecord{recs[0], &want}, normAuditRecord)

	err := s.Update(ctx, func(tx secrets.Tx) error {
		return tx.RechainAuditRecords(ctx, []*secrets.AuditRecord{newAuditRecord(3, account1, "p", "E", "")})
	})
	checkNotFound(t, "RechainAuditRecords of a missing record", err)
}

func testAudit_RollbackOnError(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	first := newAuditRecord(1, account1, "p", "E", "", "arn:r")
	head := &secrets.AuditHead{Seq: 1, HMAC: first.HMAC, AnchorSeq: 1, MAC: []byte("m")}
	MustUpdate(t, s, func(tx secrets.Tx) error {
		if err := tx.AppendAuditRecords(ctx, []*secrets.AuditRecord{first}); err != nil {
			return err
		}
		return tx.PutAuditHead(ctx, head)
	})
	errFn := errors.New("fn failed")
	err := s.Update(ctx, func(tx secrets.Tx) error {
		if err := tx.AppendAuditRecords(ctx, []*secrets.AuditRecord{newAuditRecord(2, account1, "p", "E", "", "arn:r")}); err != nil {
			return err
		}
		if err := tx.PutAuditHead(ctx, &secrets.AuditHead{Seq: 2, MAC: []byte("n")}); err != nil {
			return err
		}
		if _, err := tx.PruneAudit(ctx, 2); err != nil {
			return err
		}
		return errFn
	})
	if !errors.Is(err, errFn) {
		t.Fatalf("Update: err = %v, want fn's error", err)
	}
	checkAll(t, "AuditRecords after a rollback", MustAuditRecords(t, s, secrets.AuditFilter{Resource: "arn:r"}), []*secrets.AuditRecord{first}, normAuditRecord)
	MustView(t, s, func(tx secrets.Tx) error {
		got, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		check(t, "AuditHead after a rollback", got, head, normAuditHead)
		return nil
	})
}

func testAudit_ReadOnlyInView(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	_ = s.View(ctx, func(tx secrets.Tx) error {
		if err := tx.AppendAuditRecords(ctx, []*secrets.AuditRecord{newAuditRecord(1, account1, "p", "E", "")}); err == nil {
			t.Error("AppendAuditRecords in a View: err = nil")
		}
		if err := tx.PutAuditHead(ctx, &secrets.AuditHead{Seq: 1}); err == nil {
			t.Error("PutAuditHead in a View: err = nil")
		}
		return nil
	})
	if got := MustAuditRecords(t, s, secrets.AuditFilter{}); len(got) != 0 {
		t.Errorf("AuditRecords after appending in a View = %v", seqs(got))
	}
}

func testAudit_ErrCanceled(t *testing.T, s secrets.Store) {
	MustAppendAudit(t, s, newAuditRecord(1, account1, "p", "E", ""))
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	MustView(t, s, func(tx secrets.Tx) error {
		if _, err := tx.AuditRecords(ended, secrets.AuditFilter{}); !errors.Is(err, context.Canceled) {
			t.Errorf("AuditRecords with a canceled context: err = %v, want context.Canceled", err)
		}
		if _, err := tx.AuditHead(ended); !errors.Is(err, context.Canceled) {
			t.Errorf("AuditHead with a canceled context: err = %v, want context.Canceled", err)
		}
		return nil
	})
	_ = s.Update(context.Background(), func(tx secrets.Tx) error {
		if err := tx.AppendAuditRecords(ended, []*secrets.AuditRecord{newAuditRecord(2, account1, "p", "E", "")}); !errors.Is(err, context.Canceled) {
			t.Errorf("AppendAuditRecords with a canceled context: err = %v, want context.Canceled", err)
		}
		return nil
	})
	if got := seqs(MustAuditRecords(t, s, secrets.AuditFilter{})); !slices.Equal(got, []int64{1}) {
		t.Errorf("AuditRecords after a canceled append = %v, want [1]", got)
	}
}
