package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// runIAM registers the IAMTx cases and the access key cases that IAM
// needs of IdentityTx.
func runIAM(t *testing.T, r *runner) {
	t.Run("IAMUser", func(t *testing.T) {
		r.run(t, "OK", testIAMUser_OK)
		r.run(t, "ZeroFields", testIAMUser_ZeroFields)
		r.run(t, "ErrNotFound", testIAMUser_ErrNotFound)
		r.run(t, "ReplaceAndRename", testIAMUser_ReplaceAndRename)
		r.run(t, "ErrNameTaken", testIAMUser_ErrNameTaken)
		r.run(t, "ListOrderedAndScoped", testIAMUsers_OrderedAndScoped)
		r.run(t, "Delete", testIAMUser_Delete)
	})
	t.Run("IAMGroup", func(t *testing.T) {
		r.run(t, "OK", testIAMGroup_OK)
	})
	t.Run("IAMRole", func(t *testing.T) {
		r.run(t, "OK", testIAMRole_OK)
	})
	t.Run("IAMPolicy", func(t *testing.T) {
		r.run(t, "OK", testIAMPolicy_OK)
	})
	t.Run("IAM", func(t *testing.T) {
		r.run(t, "KindsApart", testIAM_KindsApart)
		r.run(t, "Copies", testIAM_Copies)
		r.run(t, "RollbackOnError", testIAM_RollbackOnError)
	})
	t.Run("AccessKeysByPrincipal", func(t *testing.T) {
		r.run(t, "OrderedAndScoped", testAccessKeysByPrincipal)
		r.run(t, "Delete", testDeleteAccessKey)
	})
}

func userARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + path + name
}

// newIAMUser returns a user with every field set.
func newIAMUser(account, name string) *secrets.IAMUser {
	return &secrets.IAMUser{
		Account:   account,
		Name:      name,
		ID:        "AIDA" + strings.ToUpper(account[:4]+name) + "X",
		Path:      "/division/",
		ARN:       userARN(account, "/division/", name),
		CreatedAt: t0.Add(6),
		Tags:      []secrets.Tag{{Key: "team", Value: "ü \"q\" \\ \n"}, {Key: "Empty", Value: ""}},
		Groups:    []string{"AGPAZZZ", "AGPAAAA"},
		Inline: []secrets.IAMInlinePolicy{
			{Name: "b", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			{Name: "a", Document: "{\n  \"Statement\": []\n}"},
		},
		Attached: []string{"arn:aws:iam::" + account + ":policy/z", "arn:aws:iam::" + account + ":policy/a"},
	}
}

func newIAMGroup(account, name string) *secrets.IAMGroup {
	return &secrets.IAMGroup{
		Account:   account,
		Name:      name,
		ID:        "AGPA" + strings.ToUpper(account[:4]+name) + "X",
		Path:      "/",
		ARN:       "arn:aws:iam::" + account + ":group/" + name,
		CreatedAt: t0.Add(7),
		Inline:    []secrets.IAMInlinePolicy{{Name: "g", Document: `{"Statement":[]}`}},
		Attached:  []string{"arn:aws:iam::" + account + ":policy/p"},
	}
}

func newIAMRole(account, name string) *secrets.IAMRole {
	return &secrets.IAMRole{
		Account:            account,
		Name:               name,
		ID:                 "AROA" + strings.ToUpper(account[:4]+name) + "X",
		Path:               "/service-role/",
		ARN:                "arn:aws:iam::" + account + ":role/service-role/" + name,
		CreatedAt:          t0.Add(8),
		TrustPolicy:        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`,
		Description:        "the role “" + name + "”",
		MaxSessionDuration: 7200,
		Tags:               []secrets.Tag{{Key: "env", Value: "prod"}},
		Inline:             []secrets.IAMInlinePolicy{{Name: "r", Document: `{}`}},
		Attached:           []string{"arn:aws:iam::" + account + ":policy/p"},
	}
}

func newIAMPolicy(account, name string) *secrets.IAMPolicy {
	return &secrets.IAMPolicy{
		Account:     account,
		Name:        name,
		ID:          "ANPA" + strings.ToUpper(account[:4]+name) + "X",
		Path:        "/team/",
		ARN:         "arn:aws:iam::" + account + ":policy/team/" + name,
		Description: "policy " + name,
		CreatedAt:   t0.Add(9),
		UpdatedAt:   t0.Add(10),
		Tags:        []secrets.Tag{{Key: "a", Value: "1"}, {Key: "A", Value: "2"}},
		// Not in order of id, with a gap: ids are kept as given.
		DefaultVersion: "v3",
		NextVersion:    5,
		Versions: []secrets.IAMPolicyVersion{
			{ID: "v1", Document: `{"Version":"2012-10-17","Statement":[]}`, CreatedAt: t0.Add(11)},
			{ID: "v3", Document: "{\"Statement\": [\"\u00e9\"]}", CreatedAt: t0.Add(12)},
			{ID: "v4", Document: `{}`, CreatedAt: t0.Add(13)},
		},
		AttachmentCount: 3,
	}
}

func normIAMTime(t *time.Time) { *t = normTime(*t) }

func normIAMUser(u *secrets.IAMUser) *secrets.IAMUser {
	if u == nil {
		return nil
	}
	c := *u
	normIAMTime(&c.CreatedAt)
	c.Tags, c.Groups, c.Inline, c.Attached = nilIfEmpty(c.Tags), nilIfEmpty(c.Groups), nilIfEmpty(c.Inline), nilIfEmpty(c.Attached)
	return &c
}

func normIAMGroup(g *secrets.IAMGroup) *secrets.IAMGroup {
	if g == nil {
		return nil
	}
	c := *g
	normIAMTime(&c.CreatedAt)
	c.Inline, c.Attached = nilIfEmpty(c.Inline), nilIfEmpty(c.Attached)
	return &c
}

func normIAMRole(r *secrets.IAMRole) *secrets.IAMRole {
	if r == nil {
		return nil
	}
	c := *r
	normIAMTime(&c.CreatedAt)
	c.Tags, c.Inline, c.Attached = nilIfEmpty(c.Tags), nilIfEmpty(c.Inline), nilIfEmpty(c.Attached)
	return &c
}

func normIAMPolicy(p *secrets.IAMPolicy) *secrets.IAMPolicy {
	if p == nil {
		return nil
	}
	c := *p
	normIAMTime(&c.CreatedAt)
	normIAMTime(&c.UpdatedAt)
	c.Tags = nilIfEmpty(c.Tags)
	c.Versions = nil
	for _, v := range p.Versions {
		v.CreatedAt = normTime(v.CreatedAt)
		c.Versions = append(c.Versions, v)
	}
	return &c
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// mustIAM runs fn in an Update and fails tb if it returns an error.
func mustIAM(tb testing.TB, s secrets.Store, fn func(ctx context.Context, tx secrets.Tx) error) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error { return fn(context.Background(), tx) })
}

func testIAMUser_OK(t *testing.T, s secrets.Store) {
	want := newIAMUser(account1, "Alice")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, want) })
	inBoth(t, s, func(tx secrets.Tx) {
		// Names are found without regard to case and kept as given.
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			got, err := tx.IAMUser(context.Background(), account1, name)
			if err != nil {
				t.Fatalf("IAMUser(%s): %v", name, err)
			}
			check(t, "IAMUser("+name+")", got, want, normIAMUser)
		}
		all, err := tx.IAMUsers(context.Background(), account1)
		if err != nil {
			t.Fatalf("IAMUsers: %v", err)
		}
		checkAll(t, "IAMUsers", all, []*secrets.IAMUser{want}, normIAMUser)
	})
}

func testIAMUser_ZeroFields(t *testing.T, s secrets.Store) {
	want := &secrets.IAMUser{Account: account1, Name: "u", ID: "AIDAZERO", Path: "/", ARN: userARN(account1, "/", "u")}
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, want) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.IAMUser(context.Background(), account1, "u")
		if err != nil {
			t.Fatalf("IAMUser: %v", err)
		}
		check(t, "IAMUser", got, want, normIAMUser)
	})
}

func testIAMUser_ErrNotFound(t *testing.T, s secrets.Store) {
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		return tx.PutIAMUser(ctx, newIAMUser(account1, "alice"))
	})
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		for _, c := range []struct{ account, name string }{{account2, "alice"}, {account1, "alic"}, {account1, "alice "}, {account1, ""}} {
			_, err := tx.IAMUser(ctx, c.account, c.name)
			checkNotFound(t, "IAMUser("+c.account+", "+c.name+")", err)
		}
		// A user is not a group, a role or a policy.
		_, err := tx.IAMGroup(ctx, account1, "alice")
		checkNotFound(t, "IAMGroup(alice)", err)
		_, err = tx.IAMRole(ctx, account1, "alice")
		checkNotFound(t, "IAMRole(alice)", err)
		_, err = tx.IAMPolicy(ctx, account1, "alice")
		checkNotFound(t, "IAMPolicy(alice)", err)
		users, err := tx.IAMUsers(ctx, account2)
		if err != nil || len(users) != 0 {
			t.Errorf("IAMUsers(other account) = %d, %v; want none", len(users), err)
		}
	})
}

func testIAMUser_ReplaceAndRename(t *testing.T, s secrets.Store) {
	u := newIAMUser(account1, "alice")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, u) })
	u.Tags = nil
	u.Groups = []string{"AGPANEW"}
	u.Inline = nil
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, u) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.IAMUser(context.Background(), account1, "alice")
		if err != nil {
			t.Fatalf("IAMUser: %v", err)
		}
		check(t, "IAMUser after replace", got, u, normIAMUser)
	})
	// The same ID under another name (another case too) renames it.
	u.Name, u.ARN = "Alicia", userARN(account1, "/division/", "Alicia")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, u) })
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		_, err := tx.IAMUser(ctx, account1, "alice")
		checkNotFound(t, "IAMUser(old name)", err)
		got, err := tx.IAMUser(ctx, account1, "alicia")
		if err != nil {
			t.Fatalf("IAMUser(new name): %v", err)
		}
		check(t, "IAMUser after rename", got, u, normIAMUser)
		all, err := tx.IAMUsers(ctx, account1)
		if err != nil || len(all) != 1 {
			t.Errorf("IAMUsers = %d, %v; want 1", len(all), err)
		}
	})
	// Changing only the case of the name is a rename too.
	u.Name = "ALICIA"
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, u) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.IAMUser(context.Background(), account1, "Alicia")
		if err != nil || got.Name != "ALICIA" {
			t.Errorf("IAMUser after case change = %+v, %v; want name ALICIA", got, err)
		}
	})
}

func testIAMUser_ErrNameTaken(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	bob := newIAMUser(account1, "bob")
	carol := newIAMUser(account1, "carol")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		if err := tx.PutIAMUser(ctx, bob); err != nil {
			return err
		}
		return tx.PutIAMUser(ctx, carol)
	})
	for _, c := range []struct {
		what string
		u    *secrets.IAMUser
	}{
		{"a new user named Bob", func() *secrets.IAMUser { u := newIAMUser(account1, "Bob"); u.ID = "AIDAOTHER"; return u }()},
		{"carol renamed BOB", func() *secrets.IAMUser { u := newIAMUser(account1, "carol"); u.Name = "BOB"; return u }()},
	} {
		err := s.Update(ctx, func(tx secrets.Tx) error { return tx.PutIAMUser(ctx, c.u) })
		if secrets.KindOf(err) != secrets.Exists {
			t.Errorf("PutIAMUser(%s): err = %v, want an Exists *secrets.Error", c.what, err)
		}
	}
	// The same name in another account is another user.
	other := newIAMUser(account2, "bob")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, other) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.IAMUser(context.Background(), account1, "BOB")
		if err != nil {
			t.Fatalf("IAMUser: %v", err)
		}
		check(t, "IAMUser after refused puts", got, bob, normIAMUser)
	})
}

func testIAMUsers_OrderedAndScoped(t *testing.T, s secrets.Store) {
	names := []string{"zed", "Bob", "alice", "Carol", "bobby"}
	var in []*secrets.IAMUser
	for _, n := range names {
		in = append(in, newIAMUser(account1, n))
	}
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		for _, u := range append(in, newIAMUser(account2, "amy")) {
			if err := tx.PutIAMUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	want := []*secrets.IAMUser{in[2], in[1], in[4], in[3], in[0]} // alice, Bob, bobby, Carol, zed
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.IAMUsers(context.Background(), account1)
		if err != nil {
			t.Fatalf("IAMUsers: %v", err)
		}
		checkAll(t, "IAMUsers", got, want, normIAMUser)
	})
}

func testIAMUser_Delete(t *testing.T, s secrets.Store) {
	u, v := newIAMUser(account1, "alice"), newIAMUser(account1, "bob")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		if err := tx.PutIAMUser(ctx, u); err != nil {
			return err
		}
		return tx.PutIAMUser(ctx, v)
	})
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		if err := tx.DeleteIAMUser(ctx, u.ID); err != nil {
			return err
		}
		// Deleting a missing user, or a user by a group's or another
		// kind's call, is not an error and deletes nothing.
		if err := tx.DeleteIAMUser(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.DeleteIAMGroup(ctx, v.ID); err != nil {
			return err
		}
		return tx.DeleteIAMRole(ctx, v.ID)
	})
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.IAMUser(context.Background(), account1, "alice")
		checkNotFound(t, "IAMUser(deleted)", err)
		if _, err := tx.IAMUser(context.Background(), account1, "bob"); err != nil {
			t.Errorf("IAMUser(bob): %v", err)
		}
	})
	// The name is free again.
	w := newIAMUser(account1, "ALICE")
	w.ID = "AIDANEW"
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, w) })
}

func testIAMGroup_OK(t *testing.T, s secrets.Store) {
	want := newIAMGroup(account1, "Admins")
	second := newIAMGroup(account1, "devs")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		if err := tx.PutIAMGroup(ctx, second); err != nil {
			return err
		}
		return tx.PutIAMGroup(ctx, want)
	})
	taken := newIAMGroup(account1, "ADMINS")
	taken.ID = "AGPAOTHER"
	err := s.Update(context.Background(), func(tx secrets.Tx) error { return tx.PutIAMGroup(context.Background(), taken) })
	if secrets.KindOf(err) != secrets.Exists {
		t.Errorf("PutIAMGroup(taken name): err = %v, want Exists", err)
	}
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		got, err := tx.IAMGroup(ctx, account1, "admins")
		if err != nil {
			t.Fatalf("IAMGroup: %v", err)
		}
		check(t, "IAMGroup", got, want, normIAMGroup)
		all, err := tx.IAMGroups(ctx, account1)
		if err != nil {
			t.Fatalf("IAMGroups: %v", err)
		}
		checkAll(t, "IAMGroups", all, []*secrets.IAMGroup{want, second}, normIAMGroup)
	})
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.DeleteIAMGroup(ctx, want.ID) })
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.IAMGroup(context.Background(), account1, "Admins")
		checkNotFound(t, "IAMGroup(deleted)", err)
	})
}

func testIAMRole_OK(t *testing.T, s secrets.Store) {
	want := newIAMRole(account1, "Deploy")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMRole(ctx, want) })
	taken := newIAMRole(account1, "deploy")
	taken.ID = "AROAOTHER"
	err := s.Update(context.Background(), func(tx secrets.Tx) error { return tx.PutIAMRole(context.Background(), taken) })
	if secrets.KindOf(err) != secrets.Exists {
		t.Errorf("PutIAMRole(taken name): err = %v, want Exists", err)
	}
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		got, err := tx.IAMRole(ctx, account1, "DEPLOY")
		if err != nil {
			t.Fatalf("IAMRole: %v", err)
		}
		check(t, "IAMRole", got, want, normIAMRole)
		all, err := tx.IAMRoles(ctx, account1)
		if err != nil {
			t.Fatalf("IAMRoles: %v", err)
		}
		checkAll(t, "IAMRoles", all, []*secrets.IAMRole{want}, normIAMRole)
	})
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.DeleteIAMRole(ctx, want.ID) })
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.IAMRole(context.Background(), account1, "Deploy")
		checkNotFound(t, "IAMRole(deleted)", err)
	})
}

func testIAMPolicy_OK(t *testing.T, s secrets.Store) {
	want := newIAMPolicy(account1, "ReadSecrets")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMPolicy(ctx, want) })
	// Names are unique whatever the path.
	taken := newIAMPolicy(account1, "readsecrets")
	taken.ID, taken.Path = "ANPAOTHER", "/"
	err := s.Update(context.Background(), func(tx secrets.Tx) error { return tx.PutIAMPolicy(context.Background(), taken) })
	if secrets.KindOf(err) != secrets.Exists {
		t.Errorf("PutIAMPolicy(taken name): err = %v, want Exists", err)
	}
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		got, err := tx.IAMPolicy(ctx, account1, "readSECRETS")
		if err != nil {
			t.Fatalf("IAMPolicy: %v", err)
		}
		check(t, "IAMPolicy", got, want, normIAMPolicy)
		if v := got.Version("v3"); v == nil || v.Document != want.Versions[1].Document {
			t.Errorf("Version(v3) = %+v", v)
		}
		all, err := tx.IAMPolicies(ctx, account1)
		if err != nil {
			t.Fatalf("IAMPolicies: %v", err)
		}
		checkAll(t, "IAMPolicies", all, []*secrets.IAMPolicy{want}, normIAMPolicy)
	})
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.DeleteIAMPolicy(ctx, want.ID) })
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.IAMPolicy(context.Background(), account1, "ReadSecrets")
		checkNotFound(t, "IAMPolicy(deleted)", err)
	})
}

// testIAM_KindsApart checks that a user, a group, a role and a policy may
// share a name.
func testIAM_KindsApart(t *testing.T, s secrets.Store) {
	u, g, r, p := newIAMUser(account1, "x"), newIAMGroup(account1, "x"), newIAMRole(account1, "x"), newIAMPolicy(account1, "x")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error {
		return errors.Join(tx.PutIAMUser(ctx, u), tx.PutIAMGroup(ctx, g), tx.PutIAMRole(ctx, r), tx.PutIAMPolicy(ctx, p))
	})
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		gu, err1 := tx.IAMUser(ctx, account1, "X")
		gg, err2 := tx.IAMGroup(ctx, account1, "X")
		gr, err3 := tx.IAMRole(ctx, account1, "X")
		gp, err4 := tx.IAMPolicy(ctx, account1, "X")
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		check(t, "IAMUser", gu, u, normIAMUser)
		check(t, "IAMGroup", gg, g, normIAMGroup)
		check(t, "IAMRole", gr, r, normIAMRole)
		check(t, "IAMPolicy", gp, p, normIAMPolicy)
	})
}

func testIAM_Copies(t *testing.T, s secrets.Store) {
	want := newIAMUser(account1, "alice")
	in := newIAMUser(account1, "alice")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMUser(ctx, in) })
	in.Tags[0].Value = "changed after Put"
	in.Groups[0] = "changed after Put"
	in.Inline[0].Document = "changed after Put"
	in.Attached[0] = "changed after Put"
	get := func() *secrets.IAMUser {
		var u *secrets.IAMUser
		MustView(t, s, func(tx secrets.Tx) (err error) {
			u, err = tx.IAMUser(context.Background(), account1, "alice")
			return err
		})
		return u
	}
	check(t, "IAMUser after changing what was put", get(), want, normIAMUser)
	got := get()
	got.Tags[0].Key = "changed after get"
	got.Groups[1] = "changed after get"
	got.Inline[1].Name = "changed after get"
	_ = append(got.Attached[:1], "appended into the backing array")
	check(t, "IAMUser after changing what was got", get(), want, normIAMUser)

	p := newIAMPolicy(account1, "p")
	mustIAM(t, s, func(ctx context.Context, tx secrets.Tx) error { return tx.PutIAMPolicy(ctx, p) })
	p.Versions[0].Document = "changed after Put"
	var gp *secrets.IAMPolicy
	MustView(t, s, func(tx secrets.Tx) (err error) {
		gp, err = tx.IAMPolicy(context.Background(), account1, "p")
		return err
	})
	check(t, "IAMPolicy after changing what was put", gp, newIAMPolicy(account1, "p"), normIAMPolicy)
}

func testIAM_RollbackOnError(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	errBoom := errors.New("boom")
	err := s.Update(ctx, func(tx secrets.Tx) error {
		if err := errors.Join(
			tx.PutIAMUser(ctx, newIAMUser(account1, "u")), tx.PutIAMGroup(ctx, newIAMGroup(account1, "g")),
			tx.PutIAMRole(ctx, newIAMRole(account1, "r")), tx.PutIAMPolicy(ctx, newIAMPolicy(account1, "p")),
		); err != nil {
			return err
		}
		if _, err := tx.IAMUser(ctx, account1, "u"); err != nil {
			return err // an Update sees its own writes
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: err = %v, want %v", err, errBoom)
	}
	inBoth(t, s, func(tx secrets.Tx) {
		_, err1 := tx.IAMUser(ctx, account1, "u")
		_, err2 := tx.IAMGroup(ctx, account1, "g")
		_, err3 := tx.IAMRole(ctx, account1, "r")
		_, err4 := tx.IAMPolicy(ctx, account1, "p")
		for i, err := range []error{err1, err2, err3, err4} {
			checkNotFound(t, "record "+string(rune('1'+i))+" of a rolled back Update", err)
		}
	})
}

func testAccessKeysByPrincipal(t *testing.T, s secrets.Store) {
	alice := userARN(account1, "/", "alice")
	k := func(id, principal string, created time.Duration) *secrets.AccessKey {
		key := newAccessKey(account1, id)
		key.Principal, key.CreatedAt = principal, t0.Add(created)
		return key
	}
	in := []*secrets.AccessKey{
		k("AKIAZ", alice, 1),
		k("AKIAB", alice, 3),
		k("AKIAM", userARN(account1, "/", "bob"), 2),
		k("AKIAA", alice, 3), // same time: by id
		k("AKIAR", "arn:aws:iam::"+account1+":root", 0),
	}
	MustPutAccessKey(t, s, in...)
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		got, err := tx.AccessKeysByPrincipal(ctx, alice)
		if err != nil {
			t.Fatalf("AccessKeysByPrincipal: %v", err)
		}
		checkAll(t, "AccessKeysByPrincipal(alice)", got, []*secrets.AccessKey{in[0], in[3], in[1]}, normAccessKey)
		for _, p := range []string{userARN(account1, "/", "Alice"), userARN(account1, "/x/", "alice"), ""} {
			got, err := tx.AccessKeysByPrincipal(ctx, p)
			if err != nil || len(got) != 0 {
				t.Errorf("AccessKeysByPrincipal(%q) = %d keys, %v; want none", p, len(got), err)
			}
		}
	})
}

func testDeleteAccessKey(t *testing.T, s secrets.Store) {
	a, b := newAccessKey(account1, "AKIAA"), newAccessKey(account1, "AKIAB")
	MustPutAccessKey(t, s, a, b)
	MustUpdate(t, s, func(tx secrets.Tx) error {
		ctx := context.Background()
		if err := tx.DeleteAccessKey(ctx, a.ID); err != nil {
			return err
		}
		return tx.DeleteAccessKey(ctx, "AKIAMISSING")
	})
	inBoth(t, s, func(tx secrets.Tx) {
		ctx := context.Background()
		_, err := tx.AccessKey(ctx, a.ID)
		checkNotFound(t, "AccessKey(deleted)", err)
		all, err := tx.AccessKeys(ctx, account1)
		if err != nil {
			t.Fatal(err)
		}
		checkAll(t, "AccessKeys", all, []*secrets.AccessKey{b}, normAccessKey)
	})
}
