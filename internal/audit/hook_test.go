package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// putAccount is a change for a hook to ride along with.
func putAccount(id string) func(secrets.Tx) error {
	return func(tx secrets.Tx) error {
		return tx.PutAccount(context.Background(), &secrets.Account{ID: id, CreatedAt: start})
	}
}

func hasAccount(tb testing.TB, s secrets.Store, id string) bool {
	tb.Helper()
	found := false
	if err := s.View(context.Background(), func(tx secrets.Tx) error {
		_, err := tx.Account(context.Background(), id)
		if errors.Is(err, secrets.ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return found
}

func TestHook_CommitsWithTheChange(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	events := simple(1, 2)
	h := l.Hook(events...)
	ctx := secrets.WithCommitHook(context.Background(), h)
	// Changed after the hook was made, before the commit: recorded as changed.
	events[0].ErrorCode = "changed"
	if h.Written() {
		t.Fatal("Written before any transaction")
	}
	if err := l.Store.Update(ctx, putAccount(acct1)); err != nil {
		t.Fatal(err)
	}
	if !h.Written() {
		t.Error("Written = false after the commit")
	}
	// A second transaction with the same context writes nothing more.
	if err := l.Store.Update(ctx, putAccount(acct2)); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, l, 2)
	if got := eventIDs(t, l, audit.Filter{ErrorCode: "changed"}); len(got) != 1 || got[0] != "ev-1" {
		t.Errorf("events with the changed error code = %v, want [ev-1]", got)
	}
}

func TestHook_FailedTransactions(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	h := l.Hook(simple(1, 1)...)
	ctx := secrets.WithCommitHook(context.Background(), h)
	errFn := errors.New("the change failed")
	if err := l.Store.Update(ctx, func(secrets.Tx) error { return errFn }); !errors.Is(err, errFn) {
		t.Fatal(err)
	}
	if h.Written() {
		t.Error("Written after a transaction that failed")
	}
	mustVerify(t, l, 0)

	// The transaction ends before its commit, after the hook wrote.
	cctx, cancel := context.WithCancel(context.Background())
	h2 := l.HookFunc(func() []*audit.Event {
		cancel()
		return simple(2, 1)
	})
	if err := l.Store.Update(secrets.WithCommitHook(cctx, h2), putAccount(acct2)); err == nil {
		t.Fatal("Update whose context ended in BeforeCommit: err = nil")
	}
	if h2.Written() {
		t.Error("Written after a transaction that did not commit")
	}
	if hasAccount(t, l.Store, acct2) {
		t.Error("the change of a transaction that did not commit is in the store")
	}
	mustVerify(t, l, 0)

	// The first transaction that commits carries the events.
	if err := l.Store.Update(ctx, putAccount(acct1)); err != nil {
		t.Fatal(err)
	}
	if !h.Written() {
		t.Error("Written = false after the commit")
	}
	mustVerify(t, l, 1)
}

// TestHook_NoAuditNoChange: a change whose events cannot be written does
// not happen.
func TestHook_NoAuditNoChange(t *testing.T) {
	t.Parallel()
	l, fs := newFaultLog(t)
	fs.failTx.Store(true)
	h := l.Hook(simple(1, 1)...)
	err := l.Store.Update(secrets.WithCommitHook(context.Background(), h), putAccount(acct1))
	if !errors.Is(err, errInjected) {
		t.Errorf("Update whose events cannot be written: err = %v, want the store's error", err)
	}
	if h.Written() || hasAccount(t, l.Store, acct1) {
		t.Error("the change happened without its events")
	}
}

func TestQuery_Filters(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	alice, bob := "arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:user/bob"
	app, app2, appX := secretARN(acct1, "app"), secretARN(acct1, "app2"), secretARN(acct2, "app-x")
	otherRegion := strings.Replace(app, "us-east-1", "eu-west-1", 1)
	denied := event(3, "GetSecretValue", acct1, bob, "", "AccessDeniedException")
	denied.RequestParameters = json.RawMessage(`{"SecretId":"app"}`) // named, not resolved
	events := []*audit.Event{
		event(1, "CreateSecret", acct1, alice, app, ""),
		event(2, "GetSecretValue", acct1, alice, app, ""),
		denied,
		event(4, "GetSecretValue", acct1, bob, app2, ""),
		event(5, "GetSecretValue", acct2, "arn:aws:iam::222222222222:root", appX, ""),
		event(6, "ListSecrets", acct1, "", "", "InvalidSignatureException"),
		event(7, "DeleteSecret", acct1, alice, otherRegion, ""),
	}
	appendEach(t, l, events...)
	at := func(i int) time.Time { return start.Add(time.Duration(i) * time.Second) }
	for _, c := range []struct {
		name string
		f    audit.Filter
		want string
	}{
		{"All", audit.Filter{}, "ev-1 ev-2 ev-3 ev-4 ev-5 ev-6 ev-7"},
		{"From", audit.Filter{From: at(6)}, "ev-6 ev-7"},
		{"To", audit.Filter{To: at(2)}, "ev-1 ev-2"},
		{"FromTo", audit.Filter{From: at(3), To: at(4)}, "ev-3 ev-4"},
		{"Principal", audit.Filter{Principal: bob}, "ev-3 ev-4"},
		{"SecretARN", audit.Filter{SecretARN: app}, "ev-1 ev-2"},
		{"SecretName", audit.Filter{SecretARN: "app"}, "ev-1 ev-2 ev-3 ev-7"},
		{"SecretNameWithHyphen", audit.Filter{SecretARN: "app-x"}, "ev-5"},
		{"EventName", audit.Filter{EventName: "GetSecretValue"}, "ev-2 ev-3 ev-4 ev-5"},
		{"ErrorCode", audit.Filter{ErrorCode: "AccessDeniedException"}, "ev-3"},
		{"Account", audit.Filter{Account: acct2}, "ev-5"},
		{"Combined", audit.Filter{SecretARN: "app", Principal: alice, From: at(2)}, "ev-2 ev-7"},
		{"None", audit.Filter{SecretARN: "nope"}, ""},
	} {
		if got := strings.Join(eventIDs(t, l, c.f), " "); got != c.want {
			t.Errorf("%s: Query(%+v) = %q, want %q", c.name, c.f, got, c.want)
		}
	}
}

func TestQuery_TheRecordAsAppended(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	e := event(1, "GetSecretValue", acct1, "arn:aws:iam::111111111111:user/u", secretARN(acct1, "app"), "")
	e.RequestParameters = json.RawMessage(`{"secretId":"app","versionStage":"AWSCURRENT"}`)
	e.UserIdentity.SessionContext = &audit.SessionContext{Attributes: audit.SessionAttribute{CreationDate: start, MFAAuthenticated: "false"}}
	appendEach(t, l, e)
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	if err := l.QueryJSON(context.Background(), audit.Filter{}, func(_ int64, ev []byte) error {
		got = ev
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("QueryJSON =\n%s\nwant\n%s", got, want)
	}
	if err := l.Query(context.Background(), audit.Filter{}, func(_ int64, ev *audit.Event) error {
		again, _ := json.Marshal(ev)
		if string(again) != string(want) {
			t.Errorf("Query's event marshals to\n%s\nwant\n%s", again, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestQuery_Pages(t *testing.T) {
	t.Parallel()
	l, _ := newLog(t)
	events := simple(1, 2100)
	for i, e := range events {
		if i%3 == 0 {
			e.EventName = "DescribeSecret"
		}
	}
	if err := l.Store.Update(context.Background(), func(tx secrets.Tx) error {
		return l.AppendTx(context.Background(), tx, events...)
	}); err != nil {
		t.Fatal(err)
	}
	if got := eventIDs(t, l, audit.Filter{}); len(got) != 2100 || got[0] != "ev-1" || got[2099] != "ev-2100" {
		t.Errorf("Query = %d events, want 2100 in order", len(got))
	}
	if got := eventIDs(t, l, audit.Filter{EventName: "DescribeSecret", SecretARN: "app"}); len(got) != 700 {
		t.Errorf("Query by name = %d events, want 700", len(got))
	}
	// fn's error stops the query.
	errStop := errors.New("stop")
	n := 0
	err := l.Query(context.Background(), audit.Filter{}, func(int64, *audit.Event) error {
		if n++; n == 1500 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || n != 1500 {
		t.Errorf("Query = %v after %d events, want fn's error after 1500", err, n)
	}
	mustVerify(t, l, 2100)
}
