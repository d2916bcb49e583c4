package iam_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/secrets"
)

var (
	userIDPattern  = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)
	groupIDPattern = regexp.MustCompile(`^AGPA[A-Z2-7]{17}$`)
	roleIDPattern  = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	polIDPattern   = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)
)

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	bob := e.user(t, "Bob")
	if !userIDPattern.MatchString(bob.ID) || bob.ARN != "arn:aws:iam::"+acct+":user/Bob" || bob.Path != "/" || !bob.CreatedAt.Equal(t0) {
		t.Errorf("CreateUser = %+v", bob)
	}
	withPath := must[*secrets.IAMUser](t)(e.svc.CreateUser(e.ctx, root, iam.CreateUserInput{Name: "carol", Path: "/eng/backend/"}))
	if withPath.ARN != "arn:aws:iam::"+acct+":user/eng/backend/carol" {
		t.Errorf("ARN with a path = %s", withPath.ARN)
	}
	for _, c := range []struct {
		name string
		in   iam.CreateUserInput
		kind secrets.Kind
		msg  string
	}{
		{"same name", iam.CreateUserInput{Name: "Bob"}, secrets.Exists, "User with name Bob already exists."},
		{"name in another case", iam.CreateUserInput{Name: "bob"}, secrets.Exists, "User with name bob already exists."},
		{"name in another case and path", iam.CreateUserInput{Name: "BOB", Path: "/x/"}, secrets.Exists, "User with name BOB already exists."},
		{"bad name", iam.CreateUserInput{Name: "bob smith"}, secrets.Validation,
			`1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"long name", iam.CreateUserInput{Name: strings.Repeat("a", 65)}, secrets.Validation, ""},
		{"bad path", iam.CreateUserInput{Name: "dave", Path: "eng"}, secrets.Validation, ""},
		{"boundary", iam.CreateUserInput{Name: "dave", PermissionsBoundary: "arn:aws:iam::" + acct + ":policy/b"}, secrets.InvalidParameter, ""},
		{"duplicate tag keys", iam.CreateUserInput{Name: "dave", Tags: []secrets.Tag{{Key: "Env", Value: "a"}, {Key: "env", Value: "b"}}},
			secrets.InvalidParameter, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"too many tags", iam.CreateUserInput{Name: "dave", Tags: manyTags(51)}, secrets.Validation,
			"1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"bad tag key", iam.CreateUserInput{Name: "dave", Tags: []secrets.Tag{{Key: "a!b"}}}, secrets.Validation, ""},
	} {
		_, err := e.svc.CreateUser(e.ctx, root, c.in)
		wantErr(t, c.name, err, c.kind, c.msg)
	}
	// The same name in another account is another user.
	if _, err := e.svc.CreateUser(e.ctx, other, iam.CreateUserInput{Name: "bob"}); err != nil {
		t.Errorf("CreateUser in another account: %v", err)
	}
	if _, err := e.svc.GetUser(e.ctx, root, "dave"); err == nil {
		t.Error("a refused CreateUser created the user")
	}
}

func manyTags(n int) []secrets.Tag {
	var tags []secrets.Tag
	for i := range n {
		tags = append(tags, secrets.Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"})
	}
	return tags
}

func TestGetUser(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "Alice", secrets.Tag{Key: "team", Value: "blue"})
	for _, c := range []struct {
		name   string
		caller secrets.Caller
		user   string
		want   string // ARN
		kind   secrets.Kind
		msg    string
	}{
		{"by name", root, "Alice", alice.ARN, 0, ""},
		{"by name in another case", root, "aLiCe", alice.ARN, 0, ""},
		{"missing", root, "nobody", "", secrets.NotFound, "The user with name nobody cannot be found."},
		{"the caller itself", asUser(alice.ARN), "", alice.ARN, 0, ""},
		{"the root itself", root, "", "arn:aws:iam::" + acct + ":root", 0, ""},
		{"a role session must name a user", roleSess, "", "", secrets.Validation, "Must specify userName when calling with non-User credentials"},
		{"another account's user is not found", other, "Alice", "", secrets.NotFound, ""},
		{"GetSessionToken credentials", tempCreds, "Alice", "", secrets.Denied, "The security token included in the request is invalid"},
	} {
		u, err := e.svc.GetUser(e.ctx, c.caller, c.user)
		if c.want == "" {
			wantErr(t, c.name, err, c.kind, c.msg)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if u.ARN != c.want {
			t.Errorf("%s: ARN = %s, want %s", c.name, u.ARN, c.want)
		}
	}
	u := must[*secrets.IAMUser](t)(e.svc.GetUser(e.ctx, root, ""))
	if u.ID != acct || u.Name != "" || !u.CreatedAt.Equal(t0) {
		t.Errorf("GetUser as root = %+v, want the account's id and creation time", u)
	}
	got := must[*secrets.IAMUser](t)(e.svc.GetUser(e.ctx, root, "alice"))
	if got.Name != "Alice" || got.ID != alice.ID || len(got.Tags) != 1 {
		t.Errorf("GetUser = %+v", got)
	}
	_, err := e.svc.GetUser(e.ctx, tempCreds, "Alice")
	if !errors.Is(err, iam.ErrSessionCredentials) {
		t.Errorf("GetSessionToken credentials: err = %v, want one wrapping ErrSessionCredentials", err)
	}
}

func TestListUsers_Pagination(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"erin", "Bob", "alice", "Dave", "carol"} {
		e.user(t, n)
	}
	must[*secrets.IAMUser](t)(e.svc.CreateUser(e.ctx, root, iam.CreateUserInput{Name: "zed", Path: "/ops/"}))
	var names []string
	in := iam.ListInput{PageInput: iam.PageInput{MaxItems: 2}}
	for pages := 0; ; pages++ {
		users, p, err := e.svc.ListUsers(e.ctx, root, in)
		ok(t, err)
		if len(users) > 2 || pages > 5 {
			t.Fatalf("page %d: %d users", pages, len(users))
		}
		for _, u := range users {
			names = append(names, u.Name)
		}
		if !p.Truncated {
			break
		}
		if p.Marker == "" {
			t.Fatal("truncated without a marker")
		}
		in.Marker = p.Marker
		if pages == 0 {
			// A user created between pages after the marker shows up; one
			// before it does not disturb the rest.
			e.user(t, "aaron")
			e.user(t, "frank")
		}
	}
	want := "alice Bob carol Dave erin frank zed"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("paged names = %s, want %s", got, want)
	}
	users, p, err := e.svc.ListUsers(e.ctx, root, iam.ListInput{PathPrefix: "/op"})
	ok(t, err)
	if len(users) != 1 || users[0].Name != "zed" || p.Truncated {
		t.Errorf("ListUsers(/op) = %d users, %+v", len(users), p)
	}
	_, _, err = e.svc.ListUsers(e.ctx, root, iam.ListInput{PageInput: iam.PageInput{Marker: "!!"}})
	wantErr(t, "bad marker", err, secrets.Validation, "")
}

func TestDeleteUser_Conflicts(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "alice")
	g := must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "devs", ""))
	p := e.policy(t, "read", allow("s3:GetObject", "*"))
	key := must[*iam.NewAccessKey](t)(e.svc.CreateAccessKey(e.ctx, root, "alice"))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindUser, "alice", "inline", allow("s3:*", "*")))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", p.ARN))
	ok(t, e.svc.AddUserToGroup(e.ctx, root, g.Name, u.Name))

	for _, c := range []struct {
		msg  string
		undo func() error
	}{
		{"Cannot delete entity, must delete access keys first.", func() error { return e.svc.DeleteAccessKey(e.ctx, root, "alice", key.ID) }},
		{"Cannot delete entity, must delete policies first.", func() error {
			return e.svc.DeleteInlinePolicy(e.ctx, root, iam.KindUser, "alice", "inline")
		}},
		{"Cannot delete entity, must detach all policies first.", func() error { return e.svc.DetachPolicy(e.ctx, root, iam.KindUser, "alice", p.ARN) }},
		{"Cannot delete entity, must remove users from group first.", func() error { return e.svc.RemoveUserFromGroup(e.ctx, root, "devs", "alice") }},
	} {
		wantErr(t, "DeleteUser", e.svc.DeleteUser(e.ctx, root, "ALICE"), secrets.Conflict, c.msg)
		ok(t, c.undo())
	}
	ok(t, e.svc.DeleteUser(e.ctx, root, "ALICE"))
	wantErr(t, "DeleteUser again", e.svc.DeleteUser(e.ctx, root, "alice"), secrets.NotFound, "The user with name alice cannot be found.")
	// The name is free, and the new user another.
	if again := e.user(t, "alice"); again.ID == u.ID {
		t.Error("a new user got the deleted user's id")
	}
}

func TestUserTags(t *testing.T) {
	e := newEnv(t)
	e.user(t, "alice", secrets.Tag{Key: "Team", Value: "blue"}, secrets.Tag{Key: "env", Value: "dev"})
	ok(t, e.svc.TagUser(e.ctx, root, "alice", []secrets.Tag{{Key: "ENV", Value: "prod"}, {Key: "cost", Value: "1"}}))
	tags, _, err := e.svc.ListUserTags(e.ctx, root, "alice", iam.PageInput{})
	ok(t, err)
	if got := fmt.Sprint(tags); got != "[{ENV prod} {Team blue} {cost 1}]" {
		t.Errorf("ListUserTags = %s", got)
	}
	ok(t, e.svc.UntagUser(e.ctx, root, "alice", []string{"team", "missing"}))
	tags, p, err := e.svc.ListUserTags(e.ctx, root, "alice", iam.PageInput{MaxItems: 1})
	ok(t, err)
	if fmt.Sprint(tags) != "[{ENV prod}]" || !p.Truncated {
		t.Errorf("ListUserTags page 1 = %v, %+v", tags, p)
	}
	tags, p, err = e.svc.ListUserTags(e.ctx, root, "alice", iam.PageInput{MaxItems: 1, Marker: p.Marker})
	ok(t, err)
	if fmt.Sprint(tags) != "[{cost 1}]" || p.Truncated {
		t.Errorf("ListUserTags page 2 = %v, %+v", tags, p)
	}
	wantErr(t, "TagUser over the quota", e.svc.TagUser(e.ctx, root, "alice", manyTags(49)), secrets.LimitExceeded, "")
	wantErr(t, "TagUser of nobody", e.svc.TagUser(e.ctx, root, "nobody", manyTags(1)), secrets.NotFound, "The user with name nobody cannot be found.")
	wantErr(t, "UntagUser of nobody", e.svc.UntagUser(e.ctx, root, "nobody", []string{"a"}), secrets.NotFound, "")
	_, _, err = e.svc.ListUserTags(e.ctx, root, "nobody", iam.PageInput{})
	wantErr(t, "ListUserTags of nobody", err, secrets.NotFound, "")
}
