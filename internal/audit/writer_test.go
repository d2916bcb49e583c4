package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
)

// newFaultLog returns a Log on a faultStore.
func newFaultLog(tb testing.TB) (*audit.Log, *faultStore) {
	tb.Helper()
	l, s := newLog(tb)
	fs := &faultStore{Store: s}
	l.Store = fs
	return l, fs
}

// waitFor polls cond until it holds, failing tb after a long while.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriter_Concurrent(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	w := l.NewWriter()
	const goroutines, each = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := g*1000 + i*2
				events := simple(n, 1+i%2) // one or two events per Append
				errs <- w.Append(context.Background(), events...)
			}
		})
	}
	wg.Wait()
	w.Close()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	want := 0
	for i := range each {
		want += goroutines * (1 + i%2)
	}
	mustVerify(t, l, int64(want))
	ids := eventIDs(t, l, audit.Filter{})
	if len(ids) != want {
		t.Errorf("%d events in the trail, want %d", len(ids), want)
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != want {
		t.Error("an event is in the trail twice")
	}
	// Group commit: fewer transactions than Appends.
	if u := fs.updates.Load(); u >= goroutines*each {
		t.Errorf("%d transactions for %d Appends: no group commit", u, goroutines*each)
	} else {
		t.Logf("%d transactions for %d Appends (%d events)", u, goroutines*each, want)
	}
}

func TestWriter_GroupCommit(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	gate, entered := make(chan struct{}), make(chan struct{})
	fs.gate, fs.entered = gate, entered
	w := l.NewWriter()
	defer w.Close()

	// The first Append's transaction waits at the gate; the next ones
	// queue behind it.
	const queued = audit.MaxBatch + 44
	errs := make(chan error, queued+1)
	go func() { errs <- w.Append(context.Background(), simple(0, 1)...) }()
	<-entered
	for i := 1; i <= queued; i++ {
		go func() { errs <- w.Append(context.Background(), simple(i, 1)...) }()
	}
	waitFor(t, "the Appends to queue", func() bool { return audit.Queued(w) == queued })
	close(gate)
	for range queued + 1 {
		if err := <-errs; err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	// One transaction for the first; the queued ones in batches of at most
	// MaxBatch.
	if u := fs.updates.Load(); u != 3 {
		t.Errorf("%d transactions, want 3", u)
	}
	mustVerify(t, l, queued+1)
}

func TestWriter_FailsAndRecovers(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	w := l.NewWriter()
	defer w.Close()
	ctx := context.Background()

	if err := w.Append(ctx, simple(1, 1)...); err != nil {
		t.Fatal(err)
	}
	// The store refuses the transaction.
	fs.fail.Store(true)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if err := w.Append(ctx, simple(100+i, 1)...); !errors.Is(err, errInjected) {
				t.Errorf("Append while the store fails: err = %v, want the store's error", err)
			}
		})
	}
	wg.Wait()
	fs.fail.Store(false)
	if err := w.Append(ctx, simple(2, 1)...); err != nil {
		t.Fatalf("Append once the store works again: %v", err)
	}
	// Appending fails inside the transaction.
	fs.failTx.Store(true)
	if err := w.Append(ctx, simple(200, 2)...); !errors.Is(err, errInjected) {
		t.Errorf("Append while inserts fail: err = %v, want the store's error", err)
	}
	fs.failTx.Store(false)
	if err := w.Append(ctx, simple(3, 1)...); err != nil {
		t.Fatalf("Append once inserts work again: %v", err)
	}
	// The store panics.
	fs.panicky.Store(true)
	if err := w.Append(ctx, simple(300, 1)...); err == nil {
		t.Error("Append while the store panics: err = nil")
	}
	if err := w.Append(ctx, simple(4, 1)...); err != nil {
		t.Fatalf("Append after a panic: %v", err)
	}
	mustVerify(t, l, 4)
	if got := eventIDs(t, l, audit.Filter{}); !slices.Equal(got, []string{"ev-1", "ev-2", "ev-3", "ev-4"}) {
		t.Errorf("events = %v, want those whose Append succeeded", got)
	}
}

// TestWriter_FaultUnderLoad makes the store fail on and off while
// requests append: an Append that succeeded has its events in the trail,
// one that failed has none, and the chain verifies.
func TestWriter_FaultUnderLoad(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	w := l.NewWriter()
	var (
		mu       sync.Mutex
		ok, fail []string
		wg       sync.WaitGroup
		stop     = make(chan struct{})
	)
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				e := simple(g*100000+i, 1)
				err := w.Append(context.Background(), e...)
				mu.Lock()
				if err == nil {
					ok = append(ok, e[0].EventID)
				} else if errors.Is(err, errInjected) {
					fail = append(fail, e[0].EventID)
				} else {
					t.Errorf("Append: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	for i := range 20 {
		time.Sleep(5 * time.Millisecond)
		if i%2 == 0 {
			fs.failTx.Store(true)
		} else {
			fs.failTx.Store(false)
		}
	}
	fs.failTx.Store(false)
	time.Sleep(10 * time.Millisecond)
	close(stop)
	wg.Wait()
	w.Close()
	if len(ok) == 0 || len(fail) == 0 {
		t.Fatalf("%d Appends succeeded and %d failed: want both", len(ok), len(fail))
	}
	mustVerify(t, l, int64(len(ok)))
	got := eventIDs(t, l, audit.Filter{})
	slices.Sort(got)
	slices.Sort(ok)
	if !slices.Equal(got, ok) {
		t.Errorf("the trail holds %d events; %d Appends succeeded", len(got), len(ok))
	}
	t.Logf("%d Appends succeeded, %d failed", len(ok), len(fail))
}

func TestWriter_CloseDrains(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	gate, entered := make(chan struct{}), make(chan struct{})
	fs.gate, fs.entered = gate, entered
	w := l.NewWriter()
	errs := make(chan error, 11)
	go func() { errs <- w.Append(context.Background(), simple(0, 1)...) }()
	<-entered
	for i := 1; i <= 10; i++ {
		go func() { errs <- w.Append(context.Background(), simple(i, 1)...) }()
	}
	waitFor(t, "the Appends to queue", func() bool { return audit.Queued(w) == 10 })
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with events queued")
	case <-time.After(20 * time.Millisecond):
	}
	close(gate)
	<-closed
	for range 11 {
		if err := <-errs; err != nil {
			t.Errorf("Append queued at Close: %v", err)
		}
	}
	mustVerify(t, l, 11)
	if err := w.Append(context.Background(), simple(20, 1)...); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Append after Close: err = %v, want ErrClosed", err)
	}
	w.Close() // again
}

func TestWriter_ContextEnds(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	gate, entered := make(chan struct{}), make(chan struct{})
	fs.gate, fs.entered = gate, entered
	w := l.NewWriter()
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { errs <- w.Append(ctx, simple(1, 1)...) }()
	<-entered
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("Append whose context ended: err = %v, want context.Canceled", err)
	}
	close(gate)
	w.Close()
	// The event was written all the same.
	mustVerify(t, l, 1)
}

func TestWriter_BadEvent(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	w := l.NewWriter()
	defer w.Close()
	bad := simple(1, 1)[0]
	bad.RequestParameters = json.RawMessage(`{"not json`)
	if err := w.Append(context.Background(), simple(2, 1)[0], bad); err == nil {
		t.Error("Append of an event that cannot be encoded: err = nil")
	}
	if err := w.Append(context.Background(), simple(3, 1)...); err != nil {
		t.Errorf("Append after a bad event: %v", err)
	}
	if err := w.Append(context.Background()); err != nil {
		t.Errorf("Append of no events: %v", err)
	}
	mustVerify(t, l, 1)
	if got := eventIDs(t, l, audit.Filter{}); fmt.Sprint(got) != "[ev-3]" {
		t.Errorf("events = %v", got)
	}
}

// BenchmarkWriter_Append measures group commit: concurrent Appends of one
// event each, as concurrent reads make them.
func BenchmarkWriter_Append(b *testing.B) {
	l, fs := newFaultLog(b)
	w := l.NewWriter()
	defer w.Close()
	e := simple(1, 1)[0]
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := w.Append(context.Background(), e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(fs.updates.Load()), "events/commit")
}

// BenchmarkAppendTx measures one event per transaction, for comparison.
func BenchmarkAppendTx(b *testing.B) {
	l, _ := newLog(b)
	e := simple(1, 1)[0]
	for b.Loop() {
		appendEach(b, l, e)
	}
}
