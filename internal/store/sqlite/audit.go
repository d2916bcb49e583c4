package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// The audit trail is the tables of migrations 7 and 8: audit_events, one
// row per event (its resources a JSON list in a column); audit_head, one
// row.

// AppendAuditRecords inserts the records. It fails when
// a record with one of their Seqs exists.
func (t *tx) AppendAuditRecords(ctx context.Context, recs []*secrets.AuditRecord) error {
	ins := t.stmt(ctx, t.q.auditInsert)
	for _, r := range recs {
		if r.Seq <= 0 {
			return fmt.Errorf("append audit record %d: Seq must be positive", r.Seq)
		}
		set := uniq(r.Resources)
		resources, err := encodeResources(set)
		if err != nil {
			return fmt.Errorf("append audit record %d: %w", r.Seq, err)
		}
		at, err := encodeTime(r.Time)
		if err != nil {
			return fmt.Errorf("append audit record %d: Time: %w", r.Seq, err)
		}
		if _, err := ins.ExecContext(ctx, r.Seq, at, r.Account, r.Principal, r.EventName, r.ErrorCode,
			resources, blob(r.PrevHMAC), blob(r.HMAC), blob(r.Event)); err != nil {
			return fmt.Errorf("append audit record %d: %w", r.Seq, err)
		}
	}
	return nil
}

// uniq returns ss without repeats, in the order of their first appearance.
func uniq(ss []string) []string {
	for i, s := range ss {
		if slices.Contains(ss[:i], s) {
			out := slices.Clone(ss[:i])
			for _, s := range ss[i+1:] {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return ss
}

// encodeResources returns resources as a JSON array, which json_each reads
// when AuditRecords filters by resource. JSON would replace invalid UTF-8, so that is
// refused instead of changed.
func encodeResources(resources []string) (string, error) {
	for _, s := range resources {
		if !utf8.ValidString(s) {
			return "", errors.New("resource is not valid UTF-8")
		}
	}
	if len(resources) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(resources)
	return string(b), err
}

func scanAuditRecord(r scanner) (*secrets.AuditRecord, error) {
	var (
		rec       secrets.AuditRecord
		at        int64
		resources string
	)
	if err := r.Scan(&rec.Seq, &at, &rec.Account, &rec.Principal, &rec.EventName, &rec.ErrorCode,
		&resources, &rec.PrevHMAC, &rec.HMAC, &rec.Event); err != nil {
		return nil, err
	}
	rec.Time = decodeTime(at)
	if err := json.Unmarshal([]byte(resources), &rec.Resources); err != nil {
		return nil, fmt.Errorf("audit record %d: decode resources: %w", rec.Seq, err)
	}
	if len(rec.Resources) == 0 {
		rec.Resources = nil
	}
	return &rec, nil
}

// AuditRecords returns the records f selects, ordered by seq.
func (t *tx) AuditRecords(ctx context.Context, f secrets.AuditFilter) ([]*secrets.AuditRecord, error) {
	var (
		where = []string{"seq >= ?"}
		args  = []any{f.FromSeq}
	)
	if !f.From.IsZero() {
		where, args = append(where, "time >= ?"), append(args, boundTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "time <= ?"), append(args, boundTime(f.To))
	}
	for _, c := range []struct{ col, val string }{
		{"account", f.Account}, {"principal", f.Principal},
		{"event_name", f.EventName}, {"error_code", f.ErrorCode},
	} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	if f.Resource != "" {
		where = append(where, "EXISTS (SELECT 1 FROM json_each(audit_events.resources) j WHERE j.value = ?)")
		args = append(args, f.Resource)
	}
	q := `SELECT ` + auditCols + ` FROM audit_events WHERE ` + strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit records: %w", err)
	}
	defer rows.Close()
	var out []*secrets.AuditRecord
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("list audit records: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit records: %w", err)
	}
	return out, nil
}

// AuditHead returns the chain head, or an error wrapping
// secrets.ErrNotFound when its row is gone. Migration 7 made the row as the
// head of an empty trail.
func (t *tx) AuditHead(ctx context.Context) (*secrets.AuditHead, error) {
	var h secrets.AuditHead
	err := t.stmt(ctx, t.q.auditHead).QueryRowContext(ctx).Scan(&h.Seq, &h.HMAC, &h.AnchorSeq, &h.AnchorPrev, &h.MAC)
	if err != nil {
		return nil, notFound(err, "audit", "head")
	}
	return &h, nil
}

// PutAuditHead replaces the chain head.
func (t *tx) PutAuditHead(ctx context.Context, h *secrets.AuditHead) error {
	return t.exec(ctx, t.q.putAuditHead, "put audit head",
		1, h.Seq, blob(h.HMAC), h.AnchorSeq, blob(h.AnchorPrev), blob(h.MAC))
}

// PruneAudit removes the records with seq < before.
func (t *tx) PruneAudit(ctx context.Context, before int64) (int, error) {
	res, err := t.stmt(ctx, t.q.auditPrune).ExecContext(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("prune audit records: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune audit records: %w", err)
	}
	return int(n), nil
}

// RechainAuditRecords replaces the prev_hmac and hmac of the records.
func (t *tx) RechainAuditRecords(ctx context.Context, recs []*secrets.AuditRecord) error {
	s := t.stmt(ctx, t.q.auditRechain)
	for _, r := range recs {
		res, err := s.ExecContext(ctx, blob(r.PrevHMAC), blob(r.HMAC), r.Seq)
		if err != nil {
			return fmt.Errorf("rechain audit record %d: %w", r.Seq, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("rechain audit record %d: %w", r.Seq, err)
		} else if n == 0 {
			return fmt.Errorf("audit record %d: %w", r.Seq, secrets.ErrNotFound)
		}
	}
	return nil
}
