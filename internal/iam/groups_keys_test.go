package iam_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
)

func TestAccessKeys(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice")
	e.user(t, "bob")

	k1 := must[*iam.NewAccessKey](t)(e.svc.CreateAccessKey(e.ctx, root, "ALICE"))
	if !strings.HasPrefix(k1.ID, "AKIA") || len(k1.ID) != 20 || len(k1.SecretAccessKey) != 40 ||
		k1.UserName != "alice" || k1.Status != "Active" || !k1.CreatedAt.Equal(t0) {
		t.Errorf("CreateAccessKey = %+v", k1)
	}
	// The key signs as the user.
	id, secret, err := e.keys.Lookup(e.ctx, k1.ID)
	ok(t, err)
	if id.Principal != alice.ARN || string(secret) != k1.SecretAccessKey {
		t.Errorf("Lookup = %+v", id)
	}
	// The user may make its own second key without naming itself.
	e.clock.Advance(1)
	k2 := must[*iam.NewAccessKey](t)(e.svc.CreateAccessKey(e.ctx, asUser(alice.ARN), ""))
	_, err = e.svc.CreateAccessKey(e.ctx, root, "alice")
	wantErr(t, "third key", err, secrets.LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")
	_, err = e.svc.CreateAccessKey(e.ctx, root, "nobody")
	wantErr(t, "key of nobody", err, secrets.NotFound, "The user with name nobody cannot be found.")
	_, err = e.svc.CreateAccessKey(e.ctx, roleSess, "")
	wantErr(t, "a role session's own key", err, secrets.Validation, "Must specify userName when calling with non-User credentials")

	keys, _, err := e.svc.ListAccessKeys(e.ctx, asUser(alice.ARN), "", iam.PageInput{})
	ok(t, err)
	if len(keys) != 2 || keys[0].ID != k1.ID || keys[1].ID != k2.ID || keys[0].UserName != "alice" {
		t.Errorf("ListAccessKeys = %+v", keys)
	}
	keys, p, err := e.svc.ListAccessKeys(e.ctx, root, "alice", iam.PageInput{MaxItems: 1})
	ok(t, err)
	if len(keys) != 1 || !p.Truncated {
		t.Errorf("ListAccessKeys page 1 = %+v, %+v", keys, p)
	}
	keys, _, err = e.svc.ListAccessKeys(e.ctx, root, "alice", iam.PageInput{MaxItems: 1, Marker: p.Marker})
	ok(t, err)
	if len(keys) != 1 || keys[0].ID != k2.ID {
		t.Errorf("ListAccessKeys page 2 = %+v", keys)
	}
	bobKeys, _, err := e.svc.ListAccessKeys(e.ctx, root, "bob", iam.PageInput{})
	ok(t, err)
	if len(bobKeys) != 0 {
		t.Errorf("bob's keys = %+v", bobKeys)
	}

	// Inactive takes effect at once, cached or not.
	ok(t, e.svc.UpdateAccessKey(e.ctx, root, "alice", k1.ID, "Inactive"))
	if _, _, err := e.keys.Lookup(e.ctx, k1.ID); !errors.Is(err, auth.ErrUnknownAccessKey) {
		t.Errorf("Lookup of an inactive key: err = %v", err)
	}
	keys, _, err = e.svc.ListAccessKeys(e.ctx, root, "alice", iam.PageInput{})
	ok(t, err)
	if keys[0].Status != "Inactive" {
		t.Errorf("status after UpdateAccessKey = %s", keys[0].Status)
	}
	ok(t, e.svc.UpdateAccessKey(e.ctx, root, "alice", k1.ID, "Active"))
	if _, _, err := e.keys.Lookup(e.ctx, k1.ID); err != nil {
		t.Errorf("Lookup of a reactivated key: %v", err)
	}
	wantErr(t, "status Expired", e.svc.UpdateAccessKey(e.ctx, root, "alice", k1.ID, "Expired"), secrets.InvalidParameter, "")
	// Another user's key, or no key, is not found.
	msg := "The Access Key with id " + k1.ID + " cannot be found."
	wantErr(t, "UpdateAccessKey as bob's", e.svc.UpdateAccessKey(e.ctx, root, "bob", k1.ID, "Inactive"), secrets.NotFound, msg)
	wantErr(t, "DeleteAccessKey as bob's", e.svc.DeleteAccessKey(e.ctx, root, "bob", k1.ID), secrets.NotFound, msg)
	wantErr(t, "DeleteAccessKey of root's", e.svc.DeleteAccessKey(e.ctx, root, "", k1.ID), secrets.NotFound, msg)
	wantErr(t, "DeleteAccessKey missing", e.svc.DeleteAccessKey(e.ctx, root, "alice", "AKIAIOSFODNN7EXAMPLE"),
		secrets.NotFound, "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")

	ok(t, e.svc.DeleteAccessKey(e.ctx, asUser(alice.ARN), "", k1.ID))
	if _, _, err := e.keys.Lookup(e.ctx, k1.ID); !errors.Is(err, auth.ErrUnknownAccessKey) {
		t.Errorf("Lookup of a deleted key: err = %v", err)
	}
	if _, err := e.svc.CreateAccessKey(e.ctx, root, "alice"); err != nil {
		t.Errorf("CreateAccessKey after deleting one: %v", err)
	}
}

func TestAccessKeys_Root(t *testing.T) {
	e := newEnv(t)
	existing := must[*identity.AccessKey](t)(e.keys.CreateAccessKey(e.ctx, acct))
	keys, _, err := e.svc.ListAccessKeys(e.ctx, root, "", iam.PageInput{})
	ok(t, err)
	if len(keys) != 1 || keys[0].ID != existing.AccessKeyID || keys[0].UserName != "" {
		t.Errorf("root's keys = %+v", keys)
	}
	k := must[*iam.NewAccessKey](t)(e.svc.CreateAccessKey(e.ctx, root, ""))
	if id, _, err := e.keys.Lookup(e.ctx, k.ID); err != nil || id.Principal != root.Principal {
		t.Errorf("Lookup of root's new key = %+v, %v", id, err)
	}
	_, err = e.svc.CreateAccessKey(e.ctx, root, "")
	wantErr(t, "root's third key", err, secrets.LimitExceeded, "")
}

func TestGroups(t *testing.T) {
	e := newEnv(t)
	g := must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "Admins", "/it/"))
	if !groupIDPattern.MatchString(g.ID) || g.ARN != "arn:aws:iam::"+acct+":group/it/Admins" {
		t.Errorf("CreateGroup = %+v", g)
	}
	_, err := e.svc.CreateGroup(e.ctx, root, "admins", "")
	wantErr(t, "CreateGroup taken", err, secrets.Exists, "Group with name admins already exists.")
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "devs", ""))
	e.user(t, "bob")
	e.user(t, "Alice")

	ok(t, e.svc.AddUserToGroup(e.ctx, root, "ADMINS", "bob"))
	ok(t, e.svc.AddUserToGroup(e.ctx, root, "admins", "alice"))
	ok(t, e.svc.AddUserToGroup(e.ctx, root, "admins", "alice")) // again: no change
	ok(t, e.svc.AddUserToGroup(e.ctx, root, "devs", "alice"))

	got, users, p, err := e.svc.GetGroup(e.ctx, root, "admins", iam.PageInput{})
	ok(t, err)
	if got.ID != g.ID || len(users) != 2 || users[0].Name != "Alice" || users[1].Name != "bob" || p.Truncated {
		t.Errorf("GetGroup = %+v, %d users, %+v", got, len(users), p)
	}
	_, users, p, err = e.svc.GetGroup(e.ctx, root, "admins", iam.PageInput{MaxItems: 1})
	ok(t, err)
	if len(users) != 1 || !p.Truncated {
		t.Errorf("GetGroup page 1 = %d users, %+v", len(users), p)
	}
	groups, _, err := e.svc.ListGroupsForUser(e.ctx, root, "alice", iam.PageInput{})
	ok(t, err)
	if len(groups) != 2 || groups[0].Name != "Admins" || groups[1].Name != "devs" {
		t.Errorf("ListGroupsForUser = %v", groups)
	}
	groups, _, err = e.svc.ListGroups(e.ctx, root, iam.ListInput{PathPrefix: "/it"})
	ok(t, err)
	if len(groups) != 1 || groups[0].Name != "Admins" {
		t.Errorf("ListGroups(/it) = %v", groups)
	}

	for _, c := range []struct {
		name, group, user, msg string
	}{
		{"missing user", "admins", "nobody", "The user with name nobody cannot be found."},
		{"missing group", "nogroup", "bob", "The group with name nogroup cannot be found."},
		{"both missing: the user first", "nogroup", "nobody", "The user with name nobody cannot be found."},
	} {
		wantErr(t, "AddUserToGroup "+c.name, e.svc.AddUserToGroup(e.ctx, root, c.group, c.user), secrets.NotFound, c.msg)
		wantErr(t, "RemoveUserFromGroup "+c.name, e.svc.RemoveUserFromGroup(e.ctx, root, c.group, c.user), secrets.NotFound, c.msg)
	}

	// DeleteGroup refuses while members or policies remain.
	p1 := e.policy(t, "p1", allow("s3:*", "*"))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindGroup, "admins", "inline", allow("s3:*", "*")))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindGroup, "admins", p1.ARN))
	for _, c := range []struct {
		msg  string
		undo func() error
	}{
		{"Cannot delete entity, must remove users from group first.", func() error {
			ok(t, e.svc.RemoveUserFromGroup(e.ctx, root, "admins", "bob"))
			ok(t, e.svc.RemoveUserFromGroup(e.ctx, root, "admins", "bob")) // not a member: no error
			return e.svc.RemoveUserFromGroup(e.ctx, root, "admins", "alice")
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			return e.svc.DeleteInlinePolicy(e.ctx, root, iam.KindGroup, "admins", "inline")
		}},
		{"Cannot delete entity, must detach all policies first.", func() error { return e.svc.DetachPolicy(e.ctx, root, iam.KindGroup, "admins", p1.ARN) }},
	} {
		wantErr(t, "DeleteGroup", e.svc.DeleteGroup(e.ctx, root, "admins"), secrets.Conflict, c.msg)
		ok(t, c.undo())
	}
	ok(t, e.svc.DeleteGroup(e.ctx, root, "admins"))
	groups, _, err = e.svc.ListGroupsForUser(e.ctx, root, "alice", iam.PageInput{})
	ok(t, err)
	if len(groups) != 1 || groups[0].Name != "devs" {
		t.Errorf("ListGroupsForUser after DeleteGroup = %v", groups)
	}
	_, _, _, err = e.svc.GetGroup(e.ctx, root, "admins", iam.PageInput{})
	wantErr(t, "GetGroup deleted", err, secrets.NotFound, "The group with name admins cannot be found.")
}

func TestGroupsPerUserQuota(t *testing.T) {
	e := newEnv(t)
	e.user(t, "bob")
	for i := range iam.MaxGroupsPerUser + 1 {
		name := "g" + string(rune('a'+i))
		must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, name, ""))
		err := e.svc.AddUserToGroup(e.ctx, root, name, "bob")
		if i < iam.MaxGroupsPerUser {
			ok(t, err)
		} else {
			wantErr(t, "eleventh group", err, secrets.LimitExceeded, "Cannot exceed quota for GroupsPerUser: 10")
		}
	}
}
