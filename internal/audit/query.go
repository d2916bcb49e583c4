package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// page is how many records a read takes from the store at a time.
const page = 1000

// Filter selects events. Zero fields select every event.
type Filter struct {
	// From and To select events with From <= eventTime <= To; a zero time
	// leaves that end open.
	From, To time.Time
	// Principal selects the calls of this principal (userIdentity.arn).
	Principal string
	// SecretARN selects the events about a secret: its ARN, which matches
	// the events with it among their resources or as their request's
	// secret id, or its name, which matches the events about a secret of
	// that name in any account and region (by resource ARN, or by secret
	// id as the request gave it).
	SecretARN string
	EventName string
	ErrorCode string
	// Account selects the events in this account's trail
	// (recipientAccountId).
	Account string
}

// Query calls fn with each event f selects, oldest first. It stops at fn's
// first error and returns it. Query does not verify the chain: Verify does.
func (l *Log) Query(ctx context.Context, f Filter, fn func(seq int64, e *Event) error) error {
	return l.QueryJSON(ctx, f, func(seq int64, event []byte) error {
		var e Event
		if err := json.Unmarshal(event, &e); err != nil {
			return fmt.Errorf("audit: event %d: %w", seq, err)
		}
		return fn(seq, &e)
	})
}

// QueryJSON is Query with each event as it is stored: CloudTrail's record,
// JSON, byte for byte as it was appended.
func (l *Log) QueryJSON(ctx context.Context, f Filter, fn func(seq int64, event []byte) error) error {
	sf := secrets.AuditFilter{
		From: f.From, To: f.To, Account: f.Account, Principal: f.Principal,
		EventName: f.EventName, ErrorCode: f.ErrorCode, Limit: page,
	}
	// A secret's name is matched here; its ARN (or an id given as the
	// request gave it) by the store.
	var name string
	if strings.HasPrefix(f.SecretARN, "arn:") {
		sf.Resource = f.SecretARN
	} else {
		name = f.SecretARN
	}
	// One read transaction: the events are one snapshot of the trail.
	return l.Store.View(ctx, func(tx secrets.Tx) error {
		for {
			recs, err := tx.AuditRecords(ctx, sf)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if name != "" && !aboutSecretNamed(r.Resources, name) {
					continue
				}
				if err := fn(r.Seq, r.Event); err != nil {
					return err
				}
			}
			if len(recs) < sf.Limit {
				return nil
			}
			sf.FromSeq = recs[len(recs)-1].Seq + 1
		}
	})
}

// aboutSecretNamed reports whether resources name the secret called name:
// by its ARN (arn:…:secretsmanager:region:account:secret:name-AbCdEf), or
// by the name itself as a request's secret id.
func aboutSecretNamed(resources []string, name string) bool {
	for _, r := range resources {
		if r == name || secretName(r) == name {
			return true
		}
	}
	return false
}

// secretName returns the name of the secret with ARN arn, or "" when arn is
// not a secret's full ARN.
func secretName(arn string) string {
	parts := strings.SplitN(arn, ":", 6) // arn:partition:service:region:account:resource
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "secretsmanager" || !strings.HasPrefix(parts[5], "secret:") {
		return ""
	}
	res := strings.TrimPrefix(parts[5], "secret:")
	// The name is followed by a hyphen and six random characters.
	if len(res) < 8 || res[len(res)-7] != '-' {
		return ""
	}
	return res[:len(res)-7]
}
