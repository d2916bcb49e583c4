package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Log is the audit trail in a Store.
type Log struct {
	Store secrets.Store
	// Key authenticates the chain: RootKey.Derive("audit-chain").
	Key []byte
	// Clock gives the time of an event appended without one; nil means the
	// system clock.
	Clock  secrets.Clock
	Logger *slog.Logger // nil means slog.Default()
}

func (l *Log) now() secrets.Clock {
	if l.Clock == nil {
		return secrets.SystemClock{}
	}
	return l.Clock
}

func (l *Log) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.Default()
	}
	return l.Logger
}

// record encodes e as a record to append: everything but its place in the
// chain. An event without an EventTime gets the Clock's time (in the
// record, not in e).
func (l *Log) record(e *Event) (*secrets.AuditRecord, error) {
	if e.EventTime.IsZero() {
		c := *e
		c.EventTime = l.now().Now().UTC()
		e = &c
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("audit: encode event %s: %w", e.EventName, err)
	}
	return &secrets.AuditRecord{
		Time:      e.EventTime,
		Account:   e.RecipientAccountID,
		Principal: e.UserIdentity.ARN,
		EventName: e.EventName,
		ErrorCode: e.ErrorCode,
		Resources: resources(e),
		Event:     b,
	}, nil
}

func (l *Log) records(events []*Event) ([]*secrets.AuditRecord, error) {
	recs := make([]*secrets.AuditRecord, 0, len(events))
	for _, e := range events {
		if e == nil {
			continue
		}
		r, err := l.record(e)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// resources are what an event is found by as being about a resource: its
// resources' ARNs, and the secret id its request named, as named (an ARN or
// a name), so that a refused or failed call that resolved no resource is
// found too.
func resources(e *Event) []string {
	var out []string
	for _, r := range e.Resources {
		if r.ARN != "" {
			out = append(out, r.ARN)
		}
	}
	if id := secretID(e.RequestParameters); id != "" {
		out = append(out, id)
	}
	return out
}

// secretID returns the string member secretId (in any case) of a JSON
// object, or "".
func secretID(params json.RawMessage) string {
	if len(params) == 0 || !bytes.Contains(bytes.ToLower(params), []byte(`"secretid"`)) {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(params, &m) != nil {
		return ""
	}
	for k, v := range m {
		var s string
		if strings.EqualFold(k, "secretId") && json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return ""
}

// head reads the chain head in tx and checks it.
func (l *Log) head(ctx context.Context, tx secrets.Tx) (*secrets.AuditHead, error) {
	h, err := tx.AuditHead(ctx)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrChain, err)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read the chain head: %w", err)
	}
	if p := checkHead(l.Key, h); p != "" {
		return nil, fmt.Errorf("%w: %s", ErrChain, p)
	}
	return h, nil
}

// AppendTx appends events to the trail in the caller's write transaction:
// they commit, or not, with it. The chain continues from the head read in
// tx. It fails with ErrChain when the head is missing or fails
// authentication: the trail is not continued from a head that may hide
// removed events.
func (l *Log) AppendTx(ctx context.Context, tx secrets.Tx, events ...*Event) error {
	recs, err := l.records(events)
	if err != nil {
		return err
	}
	return l.appendTx(ctx, tx, recs)
}

// appendTx chains recs (setting their Seq, PrevHMAC and HMAC) after the
// head in tx, inserts them and moves the head.
func (l *Log) appendTx(ctx context.Context, tx secrets.Tx, recs []*secrets.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	h, err := l.head(ctx, tx)
	if err != nil {
		return err
	}
	next := &secrets.AuditHead{Seq: h.Seq, HMAC: h.HMAC, AnchorSeq: h.AnchorSeq, AnchorPrev: h.AnchorPrev}
	if emptyHead(h) {
		next.AnchorSeq = 1
	}
	for _, r := range recs {
		next.Seq++
		r.Seq, r.PrevHMAC = next.Seq, next.HMAC
		r.HMAC = eventMAC(l.Key, r.Seq, r.Event, r.PrevHMAC)
		next.HMAC = r.HMAC
	}
	if err := tx.AppendAuditRecords(ctx, recs); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	next.MAC = headMAC(l.Key, next)
	if err := tx.PutAuditHead(ctx, next); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Hook carries a request's events into the first write transaction the
// request commits (see secrets.CommitHook), so that a change and its events
// commit together. A request's transactions must not run concurrently.
type Hook struct {
	log     *Log
	events  func() []*Event
	pending atomic.Bool // BeforeCommit appended events to the open transaction
	written atomic.Bool
}

// Hook returns a hook that appends events, encoded when the transaction is
// about to commit (so changes made to them until then are recorded), in the
// first write transaction that commits with the context it rides
// (secrets.WithCommitHook). Written reports whether that happened.
func (l *Log) Hook(events ...*Event) *Hook {
	return l.HookFunc(func() []*Event { return events })
}

// HookFunc is Hook with the events given by fn, called when a transaction
// is about to commit.
func (l *Log) HookFunc(fn func() []*Event) *Hook {
	return &Hook{log: l, events: fn}
}

// BeforeCommit implements secrets.CommitHook: it appends the events in tx
// unless a transaction has already committed them.
// A function that gives no events (yet) makes the transaction commit
// without them, and the hook stays unwritten.
func (h *Hook) BeforeCommit(ctx context.Context, tx secrets.Tx) error {
	if h.written.Load() {
		return nil
	}
	events := h.events()
	h.pending.Store(len(events) > 0)
	if len(events) == 0 {
		return nil
	}
	return h.log.AppendTx(ctx, tx, events...)
}

// Committed implements secrets.CommitHook.
func (h *Hook) Committed() {
	if h.pending.Load() {
		h.written.Store(true)
	}
}

// Written reports whether the events have been committed.
func (h *Hook) Written() bool { return h.written.Load() }

var _ secrets.CommitHook = (*Hook)(nil)
