package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Problem is the first thing wrong with a trail: the event it concerns and
// what is wrong with it.
type Problem struct {
	Seq    int64
	Reason string
}

// String says "event Seq: Reason", or Reason alone for a problem with no
// event (Seq 0: the chain head is missing).
func (p *Problem) String() string {
	if p.Seq == 0 {
		return p.Reason
	}
	return fmt.Sprintf("event %d: %s", p.Seq, p.Reason)
}

// Verify checks the whole trail: the chain head's authentication, and every
// kept event's link from the anchor (the oldest kept event) to the head. It
// returns how many events it found good and, if the trail has been
// tampered with (an event edited, removed, inserted or moved, the newest
// events removed, the head edited), the first problem; err is for a trail
// that could not be read.
//
// What Verify cannot detect without something kept outside the data dir is
// the whole trail, head included, put back as it was earlier (a restored
// backup, or an empty trail with the head of a new one).
func (l *Log) Verify(ctx context.Context) (checked int64, bad *Problem, err error) {
	// One read transaction: the trail is checked as one snapshot.
	err = l.Store.View(ctx, func(tx secrets.Tx) error {
		h, err := tx.AuditHead(ctx)
		if errors.Is(err, secrets.ErrNotFound) {
			bad = &Problem{Seq: 0, Reason: "the chain head is missing"}
			return nil
		}
		if err != nil {
			return err
		}
		if p := checkHead(l.Key, h); p != "" {
			bad = &Problem{Seq: h.Seq, Reason: p}
			return nil
		}
		c := newChain(l.Key, h)
		f := secrets.AuditFilter{Limit: page}
		for {
			recs, err := tx.AuditRecords(ctx, f)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if bad = c.step(r); bad != nil {
					checked = c.checked
					return nil
				}
			}
			if len(recs) < f.Limit {
				break
			}
			f.FromSeq = recs[len(recs)-1].Seq + 1
		}
		checked, bad = c.checked, c.end(h)
		return nil
	})
	if err != nil {
		return checked, nil, fmt.Errorf("audit: verify: %w", err)
	}
	return checked, bad, nil
}

// pruneChunk is how many events Prune removes per transaction, so that it
// never holds the store's write lock for long.
const pruneChunk = 1000

// Prune removes the oldest events, those before the first kept event whose
// time is not before before (events are kept in the order they were
// appended, which their times follow but for the time a request took), and
// moves the anchor so that the chain stays verifiable from the oldest kept
// event. Before removing events it verifies them, and it removes none past
// a problem: pruning must not erase the evidence of tampering. It returns
// how many events it removed.
func (l *Log) Prune(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n, more, err := l.pruneChunk(ctx, before)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// pruneChunk prunes up to pruneChunk events in one transaction, and reports
// whether there may be more to prune.
func (l *Log) pruneChunk(ctx context.Context, before time.Time) (n int, more bool, err error) {
	err = l.Store.Update(ctx, func(tx secrets.Tx) error {
		n, more = 0, false
		h, err := l.head(ctx, tx)
		if err != nil {
			return fmt.Errorf("not pruning: %w", err)
		}
		if emptyHead(h) || h.AnchorSeq > h.Seq {
			return nil // nothing kept
		}
		// One more than the chunk: the first kept event, whose link to the
		// pruned ones is checked.
		recs, err := tx.AuditRecords(ctx, secrets.AuditFilter{FromSeq: h.AnchorSeq, Limit: pruneChunk + 1})
		if err != nil {
			return err
		}
		c := newChain(l.Key, h)
		for i, r := range recs {
			if i == pruneChunk || !r.Time.Before(before) {
				break
			}
			if p := c.step(r); p != nil {
				return fmt.Errorf("audit: not pruning past %s", p)
			}
		}
		if c.checked == 0 {
			return nil
		}
		// cut is the new anchor: the oldest kept event, or the one the next
		// append makes when every event goes.
		cut := c.next
		if cut > h.Seq {
			if p := c.end(h); p != nil {
				return fmt.Errorf("audit: not pruning past %s", p)
			}
		}
		pruned, err := tx.PruneAudit(ctx, cut)
		if err != nil {
			return err
		}
		next := &secrets.AuditHead{Seq: h.Seq, HMAC: h.HMAC, AnchorSeq: cut, AnchorPrev: c.prev}
		next.MAC = headMAC(l.Key, next)
		if err := tx.PutAuditHead(ctx, next); err != nil {
			return err
		}
		n, more = pruned, c.checked == pruneChunk
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	if n > 0 {
		l.logger().Debug("audit trail: pruned events", "count", n, "before", before)
	}
	return n, more, nil
}

// Rekey moves the chain from oldKey to newKey in tx, the transaction that
// replaces the root key the keys are derived from: it verifies the whole
// trail under oldKey and recomputes every kept event's HMAC, and the head's,
// under newKey. It refuses (and changes nothing the caller commits) when
// the trail fails verification: rekeying would launder the tampering. It
// returns the number of events rekeyed.
func Rekey(ctx context.Context, tx secrets.Tx, oldKey, newKey []byte) (int64, error) {
	h, err := tx.AuditHead(ctx)
	if err != nil {
		return 0, fmt.Errorf("audit: rekey: %w", err)
	}
	if p := checkHead(oldKey, h); p != "" {
		return 0, fmt.Errorf("audit: rekey: %w: %s", ErrChain, p)
	}
	if emptyHead(h) {
		return 0, nil
	}
	old := newChain(oldKey, h)
	// The anchor's prev is the HMAC of an event pruned before, which no
	// key recomputes: it stays, authenticated by the new head.
	prev := h.AnchorPrev
	f := secrets.AuditFilter{Limit: page}
	for {
		recs, err := tx.AuditRecords(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("audit: rekey: %w", err)
		}
		for _, r := range recs {
			if p := old.step(r); p != nil {
				return 0, fmt.Errorf("audit: rekey refused: the trail fails verification: %s", p)
			}
			r.PrevHMAC = prev
			r.HMAC = eventMAC(newKey, r.Seq, r.Event, r.PrevHMAC)
			prev = r.HMAC
		}
		if err := tx.RechainAuditRecords(ctx, recs); err != nil {
			return 0, fmt.Errorf("audit: rekey: %w", err)
		}
		if len(recs) < f.Limit {
			break
		}
		f.FromSeq = recs[len(recs)-1].Seq + 1
	}
	if p := old.end(h); p != nil {
		return 0, fmt.Errorf("audit: rekey refused: the trail fails verification: %s", p)
	}
	next := &secrets.AuditHead{Seq: h.Seq, HMAC: prev, AnchorSeq: h.AnchorSeq, AnchorPrev: h.AnchorPrev}
	next.MAC = headMAC(newKey, next)
	if err := tx.PutAuditHead(ctx, next); err != nil {
		return 0, fmt.Errorf("audit: rekey: %w", err)
	}
	return old.checked, nil
}
