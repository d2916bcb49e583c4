package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit: writer closed")

const (
	// maxBatch is the most events one transaction of a Writer appends
	// (unless one Append has more).
	maxBatch = 256
	// writeTimeout bounds one transaction of a Writer, so that a store that
	// stops answering fails the waiting requests instead of holding them.
	writeTimeout = 10 * time.Second
)

// Writer appends events in group commits: the events of concurrent Appends
// share one store transaction, so that recording a read costs a share of a
// commit rather than one commit (one fsync) each. One goroutine writes;
// while it commits one batch, the next gathers.
type Writer struct {
	log  *Log
	wake chan struct{} // a buffered signal: the queue changed
	done chan struct{} // closed when the goroutine has drained and ended

	mu     sync.Mutex
	queue  []*waiter
	closed bool

	failing bool // the last batch failed (the writing goroutine's)
}

// waiter is one Append's events and where its result goes.
type waiter struct {
	recs []*secrets.AuditRecord
	done chan error // buffered: the writer never waits for the Append
}

// NewWriter starts a Writer. Close it to stop its goroutine.
func (l *Log) NewWriter() *Writer {
	w := &Writer{log: l, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.run()
	return w
}

// Append appends the events and returns once they are committed (nil), or
// once their transaction failed (its error: the events are not in the
// trail), or when ctx ends (ctx.Err(); the events may still be committed).
// After Close it returns ErrClosed.
func (w *Writer) Append(ctx context.Context, events ...*Event) error {
	// Encoding here, in the callers' goroutines, spreads the work and keeps
	// an event that cannot be encoded from failing its batch.
	recs, err := w.log.records(events)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	wt := &waiter{recs: recs, done: make(chan error, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.queue = append(w.queue, wt)
	w.mu.Unlock()
	w.signal()
	select {
	case err := <-wt.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Close writes what is queued, then stops the writer. Appends after it
// fail with ErrClosed. It is safe to call more than once.
func (w *Writer) Close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.signal()
	<-w.done
}

func (w *Writer) run() {
	defer close(w.done)
	for {
		w.linger()
		batch, closed := w.take()
		if len(batch) == 0 {
			if closed {
				return
			}
			<-w.wake
			continue
		}
		err := w.write(batch)
		for _, wt := range batch {
			wt.done <- err
		}
	}
}

// Lingering: a commit costs the same whether it carries one event or a
// hundred (on the machines measured, an fsync alone took about 0.3 ms, a
// third of it CPU), so under load the writer waits a little for more
// events to share it rather than committing a small batch at once.
const (
	lingerFor    = 500 * time.Microsecond // the longest wait for a fuller batch
	lingerEnough = 32                     // events that make a batch worth committing at once
	lingerStep   = 50 * time.Microsecond  // how long a wait may pass with no new event
)

// linger waits, up to lingerFor, while the queue holds some events but
// fewer than lingerEnough, more keep arriving, and the writer is not
// closing: with few clients, all already waiting, it commits at once.
func (w *Writer) linger() {
	deadline := time.Now().Add(lingerFor)
	last := -1
	for {
		w.mu.Lock()
		n := 0
		for _, wt := range w.queue {
			n += len(wt.recs)
		}
		closed := w.closed
		w.mu.Unlock()
		if n == 0 || n >= lingerEnough || n == last || closed || !time.Now().Before(deadline) {
			return
		}
		last = n
		time.Sleep(lingerStep)
	}
}

// take removes from the queue the Appends of the next batch: whole Appends,
// up to maxBatch events, at least one.
func (w *Writer) take() (batch []*waiter, closed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, i := 0, 0
	for ; i < len(w.queue); i++ {
		if i > 0 && n+len(w.queue[i].recs) > maxBatch {
			break
		}
		n += len(w.queue[i].recs)
	}
	batch = w.queue[:i:i]
	w.queue = w.queue[i:]
	if len(w.queue) == 0 {
		w.queue = nil // let the array go
	}
	return batch, w.closed
}

// write appends a batch in one transaction.
func (w *Writer) write(batch []*waiter) (err error) {
	var recs []*secrets.AuditRecord
	for _, wt := range batch {
		recs = append(recs, wt.recs...)
	}
	defer func() {
		// A panic in the store fails the batch, not the server: requests
		// get an error, and the next batch tries again.
		if p := recover(); p != nil {
			err = fmt.Errorf("audit: writing events panicked: %v", p)
		}
		w.report(err, len(recs))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	err = w.log.Store.Update(ctx, func(tx secrets.Tx) error {
		return w.log.appendTx(ctx, tx, recs)
	})
	if err != nil {
		return fmt.Errorf("audit: write %d events: %w", len(recs), err)
	}
	return nil
}

// report logs when writing starts failing and when it works again, rather
// than once per batch.
func (w *Writer) report(err error, n int) {
	switch {
	case err != nil && !w.failing:
		w.failing = true
		w.log.logger().Error("audit trail: cannot write events; requests fail until it can", "events", n, "err", err)
	case err != nil:
		w.log.logger().Debug("audit trail: cannot write events", "events", n, "err", err)
	case w.failing:
		w.failing = false
		w.log.logger().Info("audit trail: writing events again")
	}
}
