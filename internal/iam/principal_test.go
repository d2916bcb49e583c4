package iam_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// actions returns the first action of each policy, sorted: the tests give
// each policy its own.
func actions(ps []*policy.Policy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Statement[0].Action[0])
	}
	sort.Strings(out)
	return out
}

func TestPrincipal_User(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice", secrets.Tag{Key: "team", Value: "blue"})
	mUser := e.policy(t, "m-user", allow("a:User", "*"))
	mShared := e.policy(t, "m-shared", allow("a:Shared", "*"))
	mGroup := e.policy(t, "m-group", allow("a:Group", "*"))
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "g1", ""))
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "g2", ""))
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "other", ""))
	ok(t, e.svc.AddUserToGroup(e.ctx, root, "g1", "alice"))
	ok(t, e.svc.AddUserToGroup(e.ctx, root, "g2", "alice"))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindUser, "alice", "i", allow("a:UserInline", "*")))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindGroup, "g1", "i", allow("a:Group1Inline", "*")))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindGroup, "other", "i", allow("a:NotMine", "*")))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", mUser.ARN))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", mShared.ARN))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindGroup, "g1", mShared.ARN)) // counted once
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindGroup, "g2", mGroup.ARN))
	// A non-default version is not in effect.
	must[*iam.PolicyVersion](t)(e.svc.CreatePolicyVersion(e.ctx, root, mGroup.ARN, allow("a:GroupV2", "*"), false))

	info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
	if !info.Exists || info.UserID != alice.ID || info.UserName != "alice" || info.Tags["team"] != "blue" {
		t.Errorf("Principal = %+v", info)
	}
	want := []string{"a:Group", "a:Group1Inline", "a:Shared", "a:User", "a:UserInline"}
	if got := actions(info.Policies); !slices.Equal(got, want) {
		t.Errorf("policies = %v, want %v", got, want)
	}
	for _, p := range info.Policies {
		if p.Statement[0].Action[0] == "a:Shared" && p.Name != mShared.ARN {
			t.Errorf("managed policy Name = %q, want its ARN", p.Name)
		}
	}
	// The policies evaluate.
	res := policy.Evaluate(&policy.Request{
		Principal: policy.Principal{ARN: alice.ARN, Account: acct}, Action: "a:Group", Resource: "x", ResourceAccount: acct,
	}, &policy.Policies{Identity: info.Policies})
	if !res.Allowed() {
		t.Errorf("Evaluate with the principal's policies = %v", res.Decision)
	}

	// Setting the new version as default changes what is in effect, at once.
	ok(t, e.svc.SetDefaultPolicyVersion(e.ctx, root, mGroup.ARN, "v2"))
	info = must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
	if got := actions(info.Policies); !slices.Contains(got, "a:GroupV2") || slices.Contains(got, "a:Group") {
		t.Errorf("policies after SetDefaultPolicyVersion = %v", got)
	}

	for _, arn := range []string{
		"arn:aws:iam::" + acct + ":user/nobody",
		"arn:aws:iam::" + acct + ":user/other/alice", // another path: another user
		"arn:aws:iam::210987654321:user/alice",
		"arn:aws:iam::" + acct + ":root",
		"arn:aws:sts::" + acct + ":assumed-role/r/s",
		"not an arn",
	} {
		info, err := e.svc.Principal(e.ctx, arn)
		if err != nil || info == nil || info.Exists {
			t.Errorf("Principal(%s) = %+v, %v; want Exists false", arn, info, err)
		}
	}
}

func TestPrincipal_Role(t *testing.T) {
	e := newEnv(t)
	r := must[*secrets.IAMRole](t)(e.svc.CreateRole(e.ctx, root, iam.CreateRoleInput{
		Name: "ci", Path: "/svc/", TrustPolicy: trust, Tags: []secrets.Tag{{Key: "env", Value: "prod"}},
	}))
	m := e.policy(t, "m", allow("a:Managed", "*"))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindRole, "ci", m.ARN))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindRole, "ci", "i", allow("a:Inline", "*")))
	info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, r.ARN))
	if !info.Exists || info.UserID != r.ID || info.UserName != "" || info.Tags["env"] != "prod" {
		t.Errorf("Principal(role) = %+v", info)
	}
	if got := actions(info.Policies); !slices.Equal(got, []string{"a:Inline", "a:Managed"}) {
		t.Errorf("role policies = %v", got)
	}
}

// TestPrincipal_Cache checks that answers are cached on the Service's
// clock, that any write through the Service drops them at once, and that a
// write made elsewhere is seen once the cache's lifetime has passed.
func TestPrincipal_Cache(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice")
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindUser, "alice", "one", allow("a:One", "*")))
	first := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
	if again := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN)); again != first {
		t.Error("a second Principal call did not answer from the cache")
	}

	writes := []struct {
		name  string
		write func() error
		want  []string
	}{
		{"PutUserPolicy", func() error {
			return e.svc.PutInlinePolicy(e.ctx, root, iam.KindUser, "alice", "two", allow("a:Two", "*"))
		}, []string{"a:One", "a:Two"}},
		{"DeleteUserPolicy", func() error { return e.svc.DeleteInlinePolicy(e.ctx, root, iam.KindUser, "alice", "one") }, []string{"a:Two"}},
		{"AddUserToGroup", func() error {
			if _, err := e.svc.CreateGroup(e.ctx, root, "g", ""); err != nil {
				return err
			}
			if err := e.svc.PutInlinePolicy(e.ctx, root, iam.KindGroup, "g", "gi", allow("a:Group", "*")); err != nil {
				return err
			}
			return e.svc.AddUserToGroup(e.ctx, root, "g", "alice")
		}, []string{"a:Group", "a:Two"}},
		{"RemoveUserFromGroup", func() error { return e.svc.RemoveUserFromGroup(e.ctx, root, "g", "alice") }, []string{"a:Two"}},
		{"TagUser", func() error { return e.svc.TagUser(e.ctx, root, "alice", []secrets.Tag{{Key: "k", Value: "v"}}) }, []string{"a:Two"}},
	}
	for _, w := range writes {
		// Warm the cache, then write.
		must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
		ok(t, w.write())
		info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
		if got := actions(info.Policies); !slices.Equal(got, w.want) {
			t.Errorf("after %s: policies = %v, want %v", w.name, got, w.want)
		}
	}
	if info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN)); info.Tags["k"] != "v" {
		t.Errorf("tags after TagUser = %v", info.Tags)
	}

	// A write made around the Service (another process) is not seen until
	// the cache's lifetime has passed.
	cached := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN))
	err := e.svc.Store.Update(e.ctx, func(tx secrets.Tx) error {
		u, err := tx.IAMUser(e.ctx, acct, "alice")
		if err != nil {
			return err
		}
		u.Inline = nil
		return tx.PutIAMUser(e.ctx, u)
	})
	ok(t, err)
	e.clock.Advance(iam.DefaultCacheTTL - time.Millisecond)
	if got := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN)); got != cached {
		t.Error("the cache was not used within its lifetime")
	}
	e.clock.Advance(time.Millisecond)
	if got := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN)); len(got.Policies) != 0 {
		t.Errorf("after the cache's lifetime: %d policies, want 0", len(got.Policies))
	}

	// A deleted user stops existing at once.
	ok(t, e.svc.UntagUser(e.ctx, root, "alice", []string{"k"}))
	ok(t, e.svc.DeleteUser(e.ctx, root, "alice"))
	if info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, alice.ARN)); info.Exists {
		t.Error("a deleted user still exists")
	}

	// CacheTTL < 0 turns the cache off.
	e.svc.CacheTTL = -1
	e.user(t, "bob")
	bob := "arn:aws:iam::" + acct + ":user/bob"
	a := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, bob))
	if b := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, bob)); a == b {
		t.Error("CacheTTL < 0 still cached")
	}
}

// BenchmarkPrincipal_Cached measures the cache on the hot path: a user
// with ten attached policies, read again and again.
func BenchmarkPrincipal_Cached(b *testing.B) {
	e := newEnv(b)
	u := e.user(b, "bench")
	for i := range 10 {
		p := e.policy(b, fmt.Sprintf("p%d", i), allow(fmt.Sprintf("s%d:Get*", i), "*"))
		ok(b, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "bench", p.ARN))
	}
	b.ResetTimer()
	for b.Loop() {
		info, err := e.svc.Principal(e.ctx, u.ARN)
		if err != nil || len(info.Policies) != 10 {
			b.Fatal(info, err)
		}
	}
}

func BenchmarkPrincipal_Uncached(b *testing.B) {
	e := newEnv(b)
	e.svc.CacheTTL = -1
	u := e.user(b, "bench")
	for i := range 10 {
		p := e.policy(b, fmt.Sprintf("p%d", i), allow(fmt.Sprintf("s%d:Get*", i), "*"))
		ok(b, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "bench", p.ARN))
	}
	for b.Loop() {
		if _, err := e.svc.Principal(e.ctx, u.ARN); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAuthorize checks the questions operations ask and that a refusal
// comes before anything else, a missing entity included.
func TestAuthorize(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	e.svc.Authorizer = rec
	alice := e.user(t, "alice", secrets.Tag{Key: "team", Value: "blue"})
	p := e.policy(t, "p", allow("s3:*", "*"))
	r := must[*secrets.IAMRole](t)(e.svc.CreateRole(e.ctx, root, iam.CreateRoleInput{Name: "ci", Path: "/svc/", TrustPolicy: trust}))
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "devs", ""))

	for _, c := range []struct {
		name     string
		call     func() error
		action   string
		resource string
		keys     map[string][]string
	}{
		{"CreateUser", func() error {
			_, err := e.svc.CreateUser(e.ctx, root, iam.CreateUserInput{Name: "bob", Path: "/eng/", Tags: []secrets.Tag{{Key: "k", Value: "v"}}})
			return err
		}, "iam:CreateUser", "arn:aws:iam::" + acct + ":user/eng/bob",
			map[string][]string{"aws:RequestTag/k": {"v"}, "aws:TagKeys": {"k"}}},
		{"GetUser", func() error { _, err := e.svc.GetUser(e.ctx, root, "ALICE"); return err },
			"iam:GetUser", alice.ARN, map[string][]string{"aws:ResourceTag/team": {"blue"}, "iam:ResourceTag/team": {"blue"}}},
		{"GetUser missing", func() error { _, err := e.svc.GetUser(e.ctx, root, "nobody"); return err },
			"iam:GetUser", "arn:aws:iam::" + acct + ":user/nobody", nil},
		{"ListUsers", func() error {
			_, _, err := e.svc.ListUsers(e.ctx, root, iam.ListInput{PathPrefix: "/eng/"})
			return err
		},
			"iam:ListUsers", "arn:aws:iam::" + acct + ":user/eng/", nil},
		{"ListRoles", func() error { _, _, err := e.svc.ListRoles(e.ctx, root, iam.ListInput{}); return err },
			"iam:ListRoles", "arn:aws:iam::" + acct + ":role/", nil},
		{"ListPolicies", func() error { _, _, err := e.svc.ListPolicies(e.ctx, root, iam.ListPoliciesInput{}); return err },
			"iam:ListPolicies", "arn:aws:iam::" + acct + ":policy/", nil},
		{"UntagUser", func() error { return e.svc.UntagUser(e.ctx, root, "alice", []string{"x"}) },
			"iam:UntagUser", alice.ARN, map[string][]string{"aws:TagKeys": {"x"}, "aws:ResourceTag/team": {"blue"}, "iam:ResourceTag/team": {"blue"}}},
		{"AttachRolePolicy", func() error { return e.svc.AttachPolicy(e.ctx, root, iam.KindRole, "ci", p.ARN) },
			"iam:AttachRolePolicy", r.ARN, map[string][]string{"iam:PolicyARN": {p.ARN}}},
		{"PutGroupPolicy", func() error {
			return e.svc.PutInlinePolicy(e.ctx, root, iam.KindGroup, "devs", "x", allow("s3:*", "*"))
		},
			"iam:PutGroupPolicy", "arn:aws:iam::" + acct + ":group/devs", nil},
		{"AddUserToGroup", func() error { return e.svc.AddUserToGroup(e.ctx, root, "devs", "alice") },
			"iam:AddUserToGroup", "arn:aws:iam::" + acct + ":group/devs", nil},
		{"GetPolicyVersion", func() error { _, err := e.svc.GetPolicyVersion(e.ctx, root, p.ARN, "v1"); return err },
			"iam:GetPolicyVersion", p.ARN, nil},
		{"CreateAccessKey", func() error { _, err := e.svc.CreateAccessKey(e.ctx, root, "alice"); return err },
			"iam:CreateAccessKey", alice.ARN, map[string][]string{"aws:ResourceTag/team": {"blue"}, "iam:ResourceTag/team": {"blue"}}},
		{"CreateAccessKey for the root", func() error { _, err := e.svc.CreateAccessKey(e.ctx, root, ""); return err },
			"iam:CreateAccessKey", root.Principal, nil},
	} {
		rec.reset()
		err := c.call()
		if err != nil && secrets.KindOf(err) != secrets.NotFound {
			t.Errorf("%s: %v", c.name, err)
		}
		got := rec.last()
		if got.Action != c.action || got.Resource != c.resource || fmt.Sprint(got.Context) != fmt.Sprint(c.keys) || got.ResourceAccount != acct {
			t.Errorf("%s asked %+v, want %s on %s with %v", c.name, got, c.action, c.resource, c.keys)
		}
	}

	// A refusal comes first and changes nothing.
	rec.deny = func(secrets.Access) bool { return true }
	_, err := e.svc.GetUser(e.ctx, root, "nobody")
	wantErr(t, "GetUser nobody refused", err, secrets.Denied, "")
	wantErr(t, "DeleteUser refused", e.svc.DeleteUser(e.ctx, root, "bob"), secrets.Denied, "")
	rec.deny = nil
	if _, err := e.svc.GetUser(e.ctx, root, "bob"); err != nil {
		t.Errorf("a refused DeleteUser deleted: %v", err)
	}

	// GetSessionToken credentials never reach the Authorizer.
	rec.reset()
	_, _, err = e.svc.ListUsers(e.ctx, tempCreds, iam.ListInput{})
	if !errors.Is(err, iam.ErrSessionCredentials) || len(rec.got) != 0 {
		t.Errorf("ListUsers with GetSessionToken credentials: %v, %d questions", err, len(rec.got))
	}
	// Role sessions may call IAM.
	if _, _, err := e.svc.ListUsers(context.Background(), roleSess, iam.ListInput{}); err != nil {
		t.Errorf("ListUsers as a role session: %v", err)
	}
}

// TestPrincipal_Concurrent reads principals while another goroutine
// writes (run with -race): after the last write returns, every read sees
// it.
func TestPrincipal_Concurrent(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "alice")
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := e.svc.Principal(e.ctx, u.ARN); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 20 {
		ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindUser, "alice", fmt.Sprintf("p%02d", i), allow(fmt.Sprintf("a:P%02d", i), "*")))
	}
	close(done)
	for range 4 {
		ok(t, <-errs)
	}
	info := must[*iam.PrincipalInfo](t)(e.svc.Principal(e.ctx, u.ARN))
	if len(info.Policies) != 20 {
		t.Errorf("after the writes: %d policies, want 20", len(info.Policies))
	}
}
