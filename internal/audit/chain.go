package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// The chain. Every event's HMAC-SHA256, under a key derived from the root
// key (RootKey.Derive("audit-chain")), covers a canonical encoding of its
// sequence number, its JSON and the previous event's HMAC:
//
//	HMAC(key, "coffer-audit-event-v1" 0x00 || seq (8 bytes, big-endian)
//	          || len(prev) (8 bytes) || prev || len(event) (8 bytes) || event)
//
// The first event's prev is empty. So an event cannot be edited, removed,
// moved or inserted without the key: its own HMAC, or the next event's
// prev, stops matching.
//
// The chain head, stored apart from the events, holds the newest event's
// seq and HMAC, so that removing the newest events is detected, and the
// anchor, the oldest kept event's seq and prev, so that the chain stays
// verifiable from there after retention pruned the events before it. Both
// are authenticated with the same key:
//
//	HMAC(key, "coffer-audit-head-v1" 0x00 || seq || len(hmac) || hmac
//	          || anchor seq || len(anchor prev) || anchor prev)
//
// A head without a MAC, seq 0 and no anchor is the head of a trail that
// never had an event.

const (
	eventDomain = "coffer-audit-event-v1\x00"
	headDomain  = "coffer-audit-head-v1\x00"
)

// ErrChain means the chain head is missing or fails authentication, so
// nothing can be appended to the trail, or pruned from it, without hiding
// that. Verify names what is wrong.
var ErrChain = errors.New("audit: the chain head is missing or fails authentication")

func writeUint(h hash.Hash, n uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	h.Write(b[:])
}

func writeBytes(h hash.Hash, b []byte) {
	writeUint(h, uint64(len(b)))
	h.Write(b)
}

// eventMAC returns the HMAC of the event with this seq, JSON and previous
// HMAC.
func eventMAC(key []byte, seq int64, event, prev []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(eventDomain))
	writeUint(m, uint64(seq))
	writeBytes(m, prev)
	writeBytes(m, event)
	return m.Sum(nil)
}

// headMAC returns the MAC of the head's fields.
func headMAC(key []byte, h *secrets.AuditHead) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(headDomain))
	writeUint(m, uint64(h.Seq))
	writeBytes(m, h.HMAC)
	writeUint(m, uint64(h.AnchorSeq))
	writeBytes(m, h.AnchorPrev)
	return m.Sum(nil)
}

// emptyHead reports whether h is the head of a trail that never had an
// event.
func emptyHead(h *secrets.AuditHead) bool {
	return h.Seq == 0 && h.AnchorSeq == 0 && len(h.HMAC) == 0 && len(h.AnchorPrev) == 0 && len(h.MAC) == 0
}

// checkHead returns a head's problem, or "" when key authenticates it.
func checkHead(key []byte, h *secrets.AuditHead) string {
	if emptyHead(h) {
		return ""
	}
	if !hmac.Equal(h.MAC, headMAC(key, h)) {
		return fmt.Sprintf("the chain head (newest event %d, oldest kept event %d) fails authentication: it was edited", h.Seq, h.AnchorSeq)
	}
	if h.Seq < 0 || h.AnchorSeq < 1 || h.AnchorSeq > h.Seq+1 {
		return fmt.Sprintf("the chain head is inconsistent (newest event %d, oldest kept event %d)", h.Seq, h.AnchorSeq)
	}
	return ""
}

// chain walks the records of a trail in seq order, checking each link.
type chain struct {
	key     []byte
	first   int64  // the oldest kept event's seq: the anchor's
	next    int64  // the seq the next record must have
	prev    []byte // the PrevHMAC the next record must have
	last    int64  // the newest seq the head allows
	checked int64
}

// newChain starts a walk at the head's anchor.
func newChain(key []byte, h *secrets.AuditHead) *chain {
	c := &chain{key: key, first: h.AnchorSeq, next: h.AnchorSeq, prev: h.AnchorPrev, last: h.Seq}
	if emptyHead(h) {
		c.first, c.next = 1, 1
	}
	return c
}

// missing describes the events from c.next to upTo as missing.
func (c *chain) missing(upTo int64) string {
	if upTo == c.next {
		return "is missing"
	}
	return fmt.Sprintf("is missing, as are the events after it up to %d", upTo)
}

// step checks r, the next record read in seq order, and returns its problem
// or nil.
func (c *chain) step(r *secrets.AuditRecord) *Problem {
	switch {
	case r.Seq < c.next:
		return &Problem{Seq: r.Seq, Reason: fmt.Sprintf("is older than the oldest kept event (%d) the chain head records", c.next)}
	case r.Seq > c.last:
		return &Problem{Seq: r.Seq, Reason: fmt.Sprintf("is newer than the newest event (%d) the chain head records", c.last)}
	case r.Seq > c.next && c.next == c.first:
		return &Problem{Seq: c.next, Reason: fmt.Sprintf("%s: it is the oldest kept event the chain head records, but the trail starts at event %d", c.missing(r.Seq-1), r.Seq)}
	case r.Seq > c.next:
		return &Problem{Seq: c.next, Reason: fmt.Sprintf("%s: the trail goes from event %d to event %d", c.missing(r.Seq-1), c.next-1, r.Seq)}
	case !hmac.Equal(r.PrevHMAC, c.prev):
		return &Problem{Seq: r.Seq, Reason: fmt.Sprintf("does not follow event %d: events were removed, reordered or replaced", r.Seq-1)}
	case !hmac.Equal(r.HMAC, eventMAC(c.key, r.Seq, r.Event, r.PrevHMAC)):
		return &Problem{Seq: r.Seq, Reason: "fails authentication: it was edited"}
	}
	c.prev = r.HMAC
	c.next++
	c.checked++
	return nil
}

// end checks that the walk reached the head, and returns the problem or nil.
func (c *chain) end(h *secrets.AuditHead) *Problem {
	switch {
	case c.next <= c.last:
		return &Problem{Seq: c.next, Reason: fmt.Sprintf("%s, the newest the chain head records: the trail was truncated", c.missing(c.last))}
	case !hmac.Equal(c.prev, h.HMAC):
		return &Problem{Seq: c.last, Reason: "is not the event the chain head records as the newest"}
	}
	return nil
}
