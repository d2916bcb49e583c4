package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// BenchmarkAppendAuditRecords measures appending events in batches of 64,
// one transaction each, as the audit writer does under load.
func BenchmarkAppendAuditRecords(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "coffer.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	event := []byte(`{"eventVersion":"1.09","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"}` + strings.Repeat(" ", 700) + `}`)
	seq := int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i += 64 {
		err := s.Update(ctx, func(tx secrets.Tx) error {
			recs := make([]*secrets.AuditRecord, 64)
			for j := range recs {
				seq++
				recs[j] = &secrets.AuditRecord{Seq: seq, Time: time.Now(), Account: "123456789012", Principal: "arn:aws:iam::123456789012:root",
					EventName: "GetSecretValue", Resources: []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"},
					Event: event, PrevHMAC: make([]byte, 32), HMAC: make([]byte, 32)}
			}
			return tx.AppendAuditRecords(ctx, recs)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
