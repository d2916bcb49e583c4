package iam_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const acct = "123456789012"

var (
	root     = secrets.Caller{Account: acct, Region: "us-east-1", Principal: "arn:aws:iam::" + acct + ":root", UserID: acct}
	other    = secrets.Caller{Account: "210987654321", Region: "us-east-1", Principal: "arn:aws:iam::210987654321:root"}
	roleSess = secrets.Caller{Account: acct, Region: "us-east-1", Principal: "arn:aws:sts::" + acct + ":assumed-role/deploy/s1",
		Session: &secrets.Session{RoleARN: "arn:aws:iam::" + acct + ":role/deploy", RoleID: "AROAEXAMPLE", Name: "s1"}}
	tempCreds = secrets.Caller{Account: acct, Region: "us-east-1", Principal: "arn:aws:iam::" + acct + ":user/alice",
		Session: &secrets.Session{}}
)

// asUser is a caller signing with a long-term key of the IAM user.
func asUser(arn string) secrets.Caller {
	return secrets.Caller{Account: acct, Region: "us-east-1", Principal: arn}
}

// env is a Service on a SQLite store with a key manager, on a fake clock.
type env struct {
	svc   *iam.Service
	keys  *identity.Manager
	clock *clock.Fake
	ctx   context.Context
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		tb.Fatal(err)
	}
	rk, err := keyring.NewRootKey(material)
	if err != nil {
		tb.Fatal(err)
	}
	clk := clock.NewFake(t0)
	keys := &identity.Manager{Store: st, Root: rk, Clock: clk}
	if _, err := keys.CreateAccount(context.Background(), acct); err != nil {
		tb.Fatal(err)
	}
	return &env{svc: &iam.Service{Store: st, Keys: keys, Clock: clk}, keys: keys, clock: clk, ctx: context.Background()}
}

// wantErr fails tb unless err is a *secrets.Error of the kind whose message
// is msg ("" for any).
func wantErr(tb testing.TB, what string, err error, kind secrets.Kind, msg string) {
	tb.Helper()
	var e *secrets.Error
	if !errors.As(err, &e) {
		tb.Errorf("%s: err = %v, want a %v *secrets.Error", what, err, kind)
		return
	}
	if e.Kind != kind || msg != "" && e.Msg != msg {
		tb.Errorf("%s: err = %v (%q), want %v %q", what, e.Kind, e.Msg, kind, msg)
	}
}

func must[T any](tb testing.TB) func(T, error) T {
	return func(v T, err error) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

func ok(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func (e *env) user(tb testing.TB, name string, tags ...secrets.Tag) *secrets.IAMUser {
	tb.Helper()
	return must[*secrets.IAMUser](tb)(e.svc.CreateUser(e.ctx, root, iam.CreateUserInput{Name: name, Tags: tags}))
}

func (e *env) policy(tb testing.TB, name, doc string) *secrets.IAMPolicy {
	tb.Helper()
	return must[*secrets.IAMPolicy](tb)(e.svc.CreatePolicy(e.ctx, root, iam.CreatePolicyInput{Name: name, Document: doc}))
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`

func (e *env) role(tb testing.TB, name string) *secrets.IAMRole {
	tb.Helper()
	return must[*secrets.IAMRole](tb)(e.svc.CreateRole(e.ctx, root, iam.CreateRoleInput{Name: name, TrustPolicy: trust}))
}

// allow returns an identity policy document allowing action on resource.
func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// recorder is an Authorizer that records the questions and refuses those
// deny says to.
type recorder struct {
	mu   sync.Mutex
	got  []secrets.Access
	deny func(secrets.Access) bool
}

func (r *recorder) Authorize(_ context.Context, _ secrets.Caller, a secrets.Access) error {
	r.mu.Lock()
	r.got = append(r.got, a)
	r.mu.Unlock()
	if r.deny != nil && r.deny(a) {
		return secrets.Errorf(secrets.Denied, "test", "denied %s on %s", a.Action, a.Resource)
	}
	return nil
}

func (r *recorder) last() secrets.Access {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return secrets.Access{}
	}
	return r.got[len(r.got)-1]
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.got = nil
	r.mu.Unlock()
}
