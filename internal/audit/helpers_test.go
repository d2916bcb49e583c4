package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
	_ "modernc.org/sqlite" // the "sqlite" driver, to tamper with the file past the Store
)

const (
	acct1 = "111111111111"
	acct2 = "222222222222"
)

var (
	start  = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	testKy = []byte("0123456789abcdef0123456789abcdef")
)

// newLog returns a Log on a new store in a temporary directory, with a fake
// clock at start.
func newLog(tb testing.TB) (*audit.Log, *sqlite.Store) {
	tb.Helper()
	s, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return &audit.Log{Store: s, Key: testKy, Clock: clock.NewFake(start), Logger: testLogger(tb)}, s
}

// testLogger logs to tb.
func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tbWriter{tb}, nil))
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// raw opens the store's file with database/sql, past the Store, to tamper
// with it.
func raw(tb testing.TB, s *sqlite.Store) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func exec(tb testing.TB, db *sql.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

func secretARN(account, name string) string {
	return "arn:aws:secretsmanager:us-east-1:" + account + ":secret:" + name + "-AbCdEf"
}

// event returns an event of call i: at start plus i seconds, by principal
// in account, about the secret (an ARN, or "" for none).
func event(i int, name, account, principal, secret, code string) *audit.Event {
	e := &audit.Event{
		EventVersion:       "1.09",
		EventTime:          start.Add(time.Duration(i) * time.Second),
		EventSource:        "secretsmanager.amazonaws.com",
		EventName:          name,
		AWSRegion:          "us-east-1",
		SourceIPAddress:    "127.0.0.1",
		UserAgent:          "test",
		UserIdentity:       audit.UserIdentity{Type: "IAMUser", ARN: principal, AccountID: account},
		ErrorCode:          code,
		RequestParameters:  json.RawMessage("null"),
		ResponseElements:   json.RawMessage("null"),
		RequestID:          fmt.Sprintf("req-%d", i),
		EventID:            fmt.Sprintf("ev-%d", i),
		ReadOnly:           name == "GetSecretValue",
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: account,
		EventCategory:      "Management",
	}
	if secret != "" {
		e.Resources = []audit.Resource{{AccountID: account, Type: "AWS::SecretsManager::Secret", ARN: secret}}
		e.RequestParameters = json.RawMessage(`{"secretId":"` + secret + `"}`)
	}
	return e
}

// simple returns n events numbered from first.
func simple(first, n int) []*audit.Event {
	var out []*audit.Event
	for i := first; i < first+n; i++ {
		out = append(out, event(i, "GetSecretValue", acct1, "arn:aws:iam::111111111111:user/u", secretARN(acct1, "app"), ""))
	}
	return out
}

// appendEach appends each event in its own transaction.
func appendEach(tb testing.TB, l *audit.Log, events ...*audit.Event) {
	tb.Helper()
	for _, e := range events {
		if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
			return l.AppendTx(context.Background(), tx, e)
		}); err != nil {
			tb.Fatalf("AppendTx: %v", err)
		}
	}
}

// mustVerify fails tb unless the trail verifies with want events.
func mustVerify(tb testing.TB, l *audit.Log, want int64) {
	tb.Helper()
	n, bad, err := l.Verify(context.Background())
	if err != nil || bad != nil || n != want {
		tb.Fatalf("Verify = %d, %v, %v; want %d events, no problem", n, bad, err, want)
	}
}

// eventIDs returns the EventIDs Query finds with f, oldest first.
func eventIDs(tb testing.TB, l *audit.Log, f audit.Filter) []string {
	tb.Helper()
	var out []string
	if err := l.Query(context.Background(), f, func(seq int64, e *audit.Event) error {
		out = append(out, e.EventID)
		return nil
	}); err != nil {
		tb.Fatalf("Query: %v", err)
	}
	return out
}

var errInjected = errors.New("injected: disk full")

// faultStore is a Store whose writes can be made to fail, to hang until
// released, or to panic.
type faultStore struct {
	secrets.Store
	fail     atomic.Bool // Update fails before it starts
	failTx   atomic.Bool // appending audit records fails inside the transaction
	panicky  atomic.Bool // the next Update panics
	updates  atomic.Int64
	mu       sync.Mutex
	gate     chan struct{} // when set, Update waits for it to close
	entered  chan struct{} // when set, Update signals here before waiting
	enterOne sync.Once
}

func (s *faultStore) Update(ctx context.Context, fn func(secrets.Tx) error) error {
	s.updates.Add(1)
	s.mu.Lock()
	gate, entered := s.gate, s.entered
	s.mu.Unlock()
	if gate != nil {
		if entered != nil {
			s.enterOne.Do(func() { close(entered) })
		}
		<-gate
	}
	if s.panicky.CompareAndSwap(true, false) {
		panic("injected panic")
	}
	if s.fail.Load() {
		return errInjected
	}
	// The hook the context carries writes through the store's own Tx:
	// give it the faulty one.
	if h := secrets.CommitHookOf(ctx); h != nil {
		ctx = secrets.WithCommitHook(ctx, faultHook{CommitHook: h, s: s})
	}
	return s.Store.Update(ctx, func(tx secrets.Tx) error {
		return fn(faultTx{Tx: tx, s: s})
	})
}

type faultHook struct {
	secrets.CommitHook
	s *faultStore
}

func (h faultHook) BeforeCommit(ctx context.Context, tx secrets.Tx) error {
	return h.CommitHook.BeforeCommit(ctx, faultTx{Tx: tx, s: h.s})
}

type faultTx struct {
	secrets.Tx
	s *faultStore
}

func (t faultTx) AppendAuditRecords(ctx context.Context, recs []*secrets.AuditRecord) error {
	if t.s.failTx.Load() {
		return errInjected
	}
	return t.Tx.AppendAuditRecords(ctx, recs)
}
