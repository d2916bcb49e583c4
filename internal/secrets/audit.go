package secrets

import (
	"context"
	"time"
)

// AuditRecord is one event of the audit trail as a Store keeps it: the
// event (CloudTrail's record as JSON, redacted before it gets here, so a
// Store never sees secret material in it), the fields the trail is searched
// by, and the event's link in the HMAC chain, which package audit computes
// and checks.
type AuditRecord struct {
	// Seq numbers the events from 1, in the order they were appended,
	// without gaps.
	Seq int64
	// Time is the event's eventTime.
	Time time.Time
	// Account is the event's recipientAccountId: the account whose trail it
	// is in.
	Account string
	// Principal is the caller's ARN (userIdentity.arn); empty when the
	// caller is not known.
	Principal string
	EventName string
	// ErrorCode is the event's errorCode; empty for a call that succeeded.
	ErrorCode string
	// Resources are the strings the event is found by as being about a
	// resource: the ARNs of its resources and the secret id its request
	// named. A store keeps each once, in the order of first appearance.
	Resources []string
	// Event is the event, JSON, byte for byte as it was appended.
	Event []byte
	// PrevHMAC is the HMAC of the event before this one (empty for the
	// first), and HMAC this event's, over Seq, Event and PrevHMAC.
	PrevHMAC []byte
	HMAC     []byte
}

// AuditFilter selects audit records. Zero fields select every record.
type AuditFilter struct {
	// FromSeq selects records with Seq >= FromSeq.
	FromSeq int64
	// From and To select records with From <= Time <= To; a zero time
	// leaves that end open.
	From, To time.Time
	// Account, Principal, EventName and ErrorCode select records with
	// exactly this field.
	Account   string
	Principal string
	EventName string
	ErrorCode string
	// Resource selects records that have exactly this string among their
	// Resources.
	Resource string
	// Limit is the most records to return, those with the lowest Seq; 0
	// means no limit.
	Limit int
}

// AuditHead is the audit trail's chain head, kept apart from the records so
// that removing the newest records is detected, and the trail's anchor, the
// first kept record's link to the records pruned before it. The zero value
// is the head of a trail that never had a record.
type AuditHead struct {
	// Seq and HMAC are the newest record's.
	Seq  int64
	HMAC []byte
	// AnchorSeq is the Seq of the oldest kept record (Seq+1 when every
	// record has been pruned), and AnchorPrev its PrevHMAC.
	AnchorSeq  int64
	AnchorPrev []byte
	// MAC authenticates the fields above.
	MAC []byte
}

// AuditTx holds the audit trail. Records are only ever appended, pruned
// from the oldest, and, when the chain is rekeyed, given new HMACs.
type AuditTx interface {
	// AppendAuditRecords inserts the records. It fails when a record with
	// one of their Seqs exists.
	AppendAuditRecords(ctx context.Context, recs []*AuditRecord) error
	// AuditRecords returns the records f selects, ordered by Seq.
	AuditRecords(ctx context.Context, f AuditFilter) ([]*AuditRecord, error)
	// AuditHead returns the chain head last put; a new store's is the zero
	// AuditHead. It returns an error wrapping ErrNotFound when the store
	// has lost it.
	AuditHead(ctx context.Context) (*AuditHead, error)
	// PutAuditHead replaces the chain head.
	PutAuditHead(ctx context.Context, h *AuditHead) error
	// PruneAudit removes the records with Seq < before and returns how
	// many it removed.
	PruneAudit(ctx context.Context, before int64) (int, error)
	// RechainAuditRecords replaces the PrevHMAC and HMAC of the records with
	// the recs' Seqs by the recs'; the other fields are not changed. It
	// fails with an error wrapping ErrNotFound when a Seq has no record.
	RechainAuditRecords(ctx context.Context, recs []*AuditRecord) error
}
