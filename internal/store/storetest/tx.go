package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// waitLong bounds the waits of the concurrency tests: long enough never to
// fire on a loaded machine, short enough to fail a hung store.
const waitLong = 30 * time.Second

// putAll puts one record of each kind: everything an Update can write.
func putAll(ctx context.Context, tx secrets.Tx, name string) error {
	sec := newSecret(account1, region1, name)
	k := newKMSKey(account1, region1, name)
	for _, err := range []error{
		tx.PutSecret(ctx, sec),
		tx.PutVersion(ctx, newVersion(sec.ARN, "v1", 1, "AWSCURRENT")),
		tx.PutKMSKey(ctx, k),
		tx.PutKMSAlias(ctx, newKMSAlias(account1, region1, "alias/"+name, k.ARN)),
		tx.PutAccount(ctx, newAccount("999999999999")),
		tx.PutAccessKey(ctx, newAccessKey("999999999999", "AKIA"+name)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkNoneOf fails tb if any record putAll(name) writes is in s.
func checkNoneOf(tb testing.TB, s secrets.Store, name string) {
	tb.Helper()
	ctx := context.Background()
	sec := newSecret(account1, region1, name)
	k := newKMSKey(account1, region1, name)
	MustView(tb, s, func(tx secrets.Tx) error {
		_, err := tx.SecretByARN(ctx, sec.ARN)
		checkNotFound(tb, "SecretByARN of a rolled back secret", err)
		_, err = tx.Version(ctx, sec.ARN, "v1")
		checkNotFound(tb, "Version of a rolled back version", err)
		_, err = tx.KMSKey(ctx, k.ARN)
		checkNotFound(tb, "KMSKey of a rolled back key", err)
		_, err = tx.KMSAlias(ctx, newKMSAlias(account1, region1, "alias/"+name, k.ARN).ARN)
		checkNotFound(tb, "KMSAlias of a rolled back alias", err)
		_, err = tx.Account(ctx, "999999999999")
		checkNotFound(tb, "Account of a rolled back account", err)
		_, err = tx.AccessKey(ctx, "AKIA"+name)
		checkNotFound(tb, "AccessKey of a rolled back access key", err)
		return nil
	})
}

func testUpdate_SeesOwnWrites(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	MustUpdate(t, s, func(tx secrets.Tx) error {
		if err := putAll(ctx, tx, "app"); err != nil {
			return err
		}
		sec := newSecret(account1, region1, "app")
		got, err := tx.SecretByName(ctx, account1, region1, "app")
		if err != nil {
			return fmt.Errorf("SecretByName of a secret put in this Update: %w", err)
		}
		checkSecret(t, got, sec)
		if list, err := tx.Secrets(ctx, account1, region1); err != nil || len(list) != 1 {
			t.Errorf("Secrets = %d, %v; want the one put in this Update", len(list), err)
		}
		if err := tx.DeleteVersion(ctx, sec.ARN, "v1"); err != nil {
			return err
		}
		_, err = tx.Version(ctx, sec.ARN, "v1")
		checkNotFound(t, "Version deleted in this Update", err)
		return nil
	})
}

func testUpdate_RollbackOnError(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	sec := newSecret(account1, region1, "existing")
	v := newVersion(sec.ARN, "v1", 1, "AWSCURRENT")
	MustPutSecret(t, s, sec)
	MustPutVersion(t, s, v)

	errFn := errors.New("fn failed")
	err := s.Update(ctx, func(tx secrets.Tx) error {
		if err := putAll(ctx, tx, "new"); err != nil {
			return err
		}
		changed := newSecret(account1, region1, "existing")
		changed.Description = "changed"
		if err := tx.PutSecret(ctx, changed); err != nil {
			return err
		}
		if err := tx.DeleteVersion(ctx, sec.ARN, "v1"); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errFn)
	})
	if !errors.Is(err, errFn) {
		t.Fatalf("Update: err = %v, want fn's error", err)
	}
	checkNoneOf(t, s, "new")
	checkSecret(t, MustSecretByARN(t, s, sec.ARN), sec)
	checkVersion(t, MustVersion(t, s, sec.ARN, "v1"), v)
}

func testUpdate_RollbackOnPanic(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	sec := newSecret(account1, region1, "existing")
	MustPutSecret(t, s, sec)

	type boom struct{ n int }
	func() {
		defer func() {
			if r := recover(); r != (boom{42}) {
				t.Errorf("recovered %v, want fn's panic value", r)
			}
		}()
		s.Update(ctx, func(tx secrets.Tx) error {
			if err := putAll(ctx, tx, "new"); err != nil {
				return err
			}
			if err := tx.DeleteSecret(ctx, sec.ARN); err != nil {
				return err
			}
			panic(boom{42})
		})
		t.Error("Update returned; want fn's panic to propagate")
	}()
	checkNoneOf(t, s, "new")
	checkSecret(t, MustSecretByARN(t, s, sec.ARN), sec)

	// The store is not wedged: the next Update gets to write.
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx secrets.Tx) error {
			return tx.PutSecret(ctx, newSecret(account1, region1, "after"))
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Update after a panicking Update: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Update after a panicking Update did not return")
	}
	MustSecretByARN(t, s, secretARN(account1, region1, "after"))
}

// testUpdate_Serialized runs read-modify-write Updates from many goroutines
// at once; if two ever overlapped, an increment would be lost.
func testUpdate_Serialized(t *testing.T, s secrets.Store) {
	const n = 50
	ctx := context.Background()
	sec := newLiveSecret(account1, region1, "counter")
	sec.NextSeq = 0
	MustPutSecret(t, s, sec)

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			errs <- s.Update(ctx, func(tx secrets.Tx) error {
				cur, err := tx.SecretByARN(ctx, sec.ARN)
				if err != nil {
					return err
				}
				cur.NextSeq++
				// A version per increment, so the write is not trivial.
				v := newVersion(sec.ARN, fmt.Sprintf("v%d", cur.NextSeq), cur.NextSeq)
				if err := tx.PutVersion(ctx, v); err != nil {
					return err
				}
				return tx.PutSecret(ctx, cur)
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	if got := MustSecretByARN(t, s, sec.ARN).NextSeq; got != n {
		t.Errorf("NextSeq = %d after %d concurrent increments, want %d", got, n, n)
	}
	if got := MustVersions(t, s, sec.ARN); len(got) != n {
		t.Errorf("%d versions, want %d", len(got), n)
	}
}

func testUpdate_ErrCanceled(t *testing.T, s secrets.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Update(ctx, func(tx secrets.Tx) error { return putAll(ctx, tx, "new") })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: err = %v, want context.Canceled", err)
	}
	checkNoneOf(t, s, "new")
}

func testUpdate_ErrCanceledDuringFn(t *testing.T, s secrets.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := s.Update(ctx, func(tx secrets.Tx) error {
		if err := putAll(ctx, tx, "new"); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update whose context ends before commit: err = %v, want context.Canceled", err)
	}
	checkNoneOf(t, s, "new")
}

// testUpdate_ErrDeadlineWhileWaiting checks that an Update waiting for
// another to finish gives up when its context ends.
func testUpdate_ErrDeadlineWhileWaiting(t *testing.T, s secrets.Store) {
	entered, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(context.Background(), func(tx secrets.Tx) error {
			close(entered)
			<-release
			return tx.PutSecret(context.Background(), newSecret(account1, region1, "first"))
		})
	}()
	select {
	case <-entered:
	case err := <-first:
		t.Fatalf("first Update: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	second := make(chan error, 1)
	go func() {
		second <- s.Update(ctx, func(tx secrets.Tx) error {
			return tx.PutSecret(ctx, newSecret(account1, region1, "second"))
		})
	}()
	var secondErr error
	secondDone := false
	select {
	case secondErr = <-second:
		secondDone = true
		if !errors.Is(secondErr, context.DeadlineExceeded) {
			t.Errorf("waiting Update: err = %v, want context.DeadlineExceeded", secondErr)
		}
	case <-time.After(waitLong):
		t.Error("waiting Update did not return when its context ended")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first Update: %v", err)
	}
	if !secondDone {
		<-second
	}
	MustSecretByARN(t, s, secretARN(account1, region1, "first"))
	MustView(t, s, func(tx secrets.Tx) error {
		_, err := tx.SecretByARN(context.Background(), secretARN(account1, region1, "second"))
		checkNotFound(t, "SecretByARN of the timed-out Update's secret", err)
		return nil
	})
}

// testView_Snapshot reads in a View, lets an Update commit, and reads again
// in the same View. A store whose Update waits for open Views is allowed;
// the check then runs against the Update that has not committed yet.
func testView_Snapshot(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	a := newLiveSecret(account1, region1, "a")
	a.NextSeq = 1
	MustPutSecret(t, s, a)

	update := make(chan error, 1)
	MustView(t, s, func(tx secrets.Tx) error {
		before, err := tx.SecretByARN(ctx, a.ARN)
		if err != nil {
			return err
		}
		go func() {
			update <- s.Update(ctx, func(tx secrets.Tx) error {
				b := newLiveSecret(account1, region1, "a")
				b.NextSeq = 2
				if err := tx.PutSecret(ctx, b); err != nil {
					return err
				}
				return tx.PutSecret(ctx, newLiveSecret(account1, region1, "b"))
			})
		}()
		select {
		case err := <-update:
			if err != nil {
				return fmt.Errorf("Update during View: %w", err)
			}
			update <- nil // for after the View
		case <-time.After(2 * time.Second):
			t.Log("Update waits for the open View")
		}
		after, err := tx.SecretByARN(ctx, a.ARN)
		if err != nil {
			return err
		}
		if before.NextSeq != 1 || after.NextSeq != 1 {
			t.Errorf("NextSeq in one View = %d then %d, want 1 both times", before.NextSeq, after.NextSeq)
		}
		list, err := tx.Secrets(ctx, account1, region1)
		if err != nil {
			return err
		}
		if len(list) != 1 {
			t.Errorf("Secrets in the View = %q, want only a", arns(list))
		}
		return nil
	})
	select {
	case err := <-update:
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Update did not finish after the View")
	}
	if got := MustSecretByARN(t, s, a.ARN).NextSeq; got != 2 {
		t.Errorf("NextSeq after the View = %d, want 2", got)
	}
}

// testView_ConsistentDuringUpdates writes two secrets in each Update while
// Views read them; a View must never see one Update's write without the
// other.
func testView_ConsistentDuringUpdates(t *testing.T, s secrets.Store) {
	const updates, readers = 25, 4
	ctx := context.Background()
	a, b := newLiveSecret(account1, region1, "a"), newLiveSecret(account1, region1, "b")
	a.NextSeq, b.NextSeq = 0, 0
	MustPutSecret(t, s, a, b)

	done := make(chan struct{})
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				err := s.View(ctx, func(tx secrets.Tx) error {
					ga, err := tx.SecretByARN(ctx, a.ARN)
					if err != nil {
						return err
					}
					list, err := tx.Secrets(ctx, account1, region1)
					if err != nil {
						return err
					}
					if len(list) != 2 || list[0].NextSeq != ga.NextSeq || list[1].NextSeq != ga.NextSeq {
						return fmt.Errorf("View saw a = %d and then %d secrets %v: a torn write", ga.NextSeq, len(list), list)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := int64(1); i <= updates; i++ {
		MustUpdate(t, s, func(tx secrets.Tx) error {
			a.NextSeq, b.NextSeq = i, i
			if err := tx.PutSecret(ctx, a); err != nil {
				return err
			}
			return tx.PutSecret(ctx, b)
		})
	}
	close(done)
	wg.Wait()
}

func testView_ReadOnly(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	a := newSecret(account1, region1, "a")
	MustPutSecret(t, s, a)
	err := s.View(ctx, func(tx secrets.Tx) error {
		if err := tx.PutSecret(ctx, newSecret(account1, region1, "b")); err == nil {
			t.Error("PutSecret in a View: err = nil")
		}
		if err := tx.DeleteSecret(ctx, a.ARN); err == nil {
			t.Error("DeleteSecret in a View: err = nil")
		}
		return nil
	})
	if err != nil {
		t.Logf("View: %v", err)
	}
	checkSecret(t, MustSecretByARN(t, s, a.ARN), a)
	MustView(t, s, func(tx secrets.Tx) error {
		_, err := tx.SecretByARN(ctx, secretARN(account1, region1, "b"))
		checkNotFound(t, "SecretByARN of a secret put in a View", err)
		return nil
	})
}

func testView_ReturnsFnError(t *testing.T, s secrets.Store) {
	errFn := errors.New("fn failed")
	if err := s.View(context.Background(), func(secrets.Tx) error { return errFn }); !errors.Is(err, errFn) {
		t.Errorf("View: err = %v, want fn's error", err)
	}
	// A failed View leaves the store usable.
	MustPutSecret(t, s, newSecret(account1, region1, "a"))
	MustSecretByARN(t, s, secretARN(account1, region1, "a"))
}

func testView_ErrCanceled(t *testing.T, s secrets.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.View(ctx, func(tx secrets.Tx) error {
		_, err := tx.Secrets(ctx, account1, region1)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("View with a canceled context: err = %v, want context.Canceled", err)
	}
}

// testTx_ErrCanceled calls Tx methods with a context that has ended, inside
// transactions whose own context is live.
func testTx_ErrCanceled(t *testing.T, s secrets.Store) {
	live := context.Background()
	a := newSecret(account1, region1, "a")
	MustPutSecret(t, s, a)
	MustPutVersion(t, s, newVersion(a.ARN, "v1", 1))
	ended, cancel := context.WithCancel(live)
	cancel()

	MustView(t, s, func(tx secrets.Tx) error {
		for name, call := range map[string]func() error{
			"SecretByARN":  func() error { _, err := tx.SecretByARN(ended, a.ARN); return err },
			"SecretByName": func() error { _, err := tx.SecretByName(ended, account1, region1, "a"); return err },
			"Secrets":      func() error { _, err := tx.Secrets(ended, account1, region1); return err },
			"Versions":     func() error { _, err := tx.Versions(ended, a.ARN); return err },
			"Version":      func() error { _, err := tx.Version(ended, a.ARN, "v1"); return err },
		} {
			if err := call(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a canceled context: err = %v, want context.Canceled", name, err)
			}
		}
		return nil
	})

	// Whether the Update commits after its fn saw these errors is the
	// store's business; the writes that failed must not be in it.
	_ = s.Update(live, func(tx secrets.Tx) error {
		if err := tx.PutSecret(ended, newSecret(account1, region1, "b")); !errors.Is(err, context.Canceled) {
			t.Errorf("PutSecret with a canceled context: err = %v, want context.Canceled", err)
		}
		if err := tx.DeleteSecret(ended, a.ARN); !errors.Is(err, context.Canceled) {
			t.Errorf("DeleteSecret with a canceled context: err = %v, want context.Canceled", err)
		}
		return nil
	})
	checkSecret(t, MustSecretByARN(t, s, a.ARN), a)
	MustView(t, s, func(tx secrets.Tx) error {
		_, err := tx.SecretByARN(live, secretARN(account1, region1, "b"))
		checkNotFound(t, "SecretByARN of a secret put with a canceled context", err)
		return nil
	})
}
