package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAudit_QueryPlans checks that the audit trail's statements that run
// on their own (pruning, reading on by seq) find rows by the primary key,
// not by scanning a table that grows with every request. Searches by
// resource, principal or name read by seq and filter (migration 8).
func TestAudit_QueryPlans(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "coffer.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"PruneEvents", `DELETE FROM audit_events WHERE seq < ?`, []any{5}},
		{"BySeq", `SELECT ` + auditCols + ` FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?`, []any{0, 10}},
	} {
		rows, err := s.writer.Query("EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN audit_") {
				t.Errorf("%s: plan scans a table:\n%s", c.name, strings.Join(plan, "\n"))
			}
		}
		t.Logf("%s:\n%s", c.name, strings.Join(plan, "\n"))
	}
}
