package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

func testSecretByARN_OK(t *testing.T, s secrets.Store) {
	MustPutSecret(t, s, newSecret(account1, region1, "prod/db/password"), newSecret(account1, region1, "other"))
	want := newSecret(account1, region1, "prod/db/password")
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.SecretByARN(context.Background(), want.ARN)
		if err != nil {
			t.Fatalf("SecretByARN: %v", err)
		}
		checkSecret(t, got, want)
	})
	// Nanoseconds and zone survive, as instants.
	if got := MustSecretByARN(t, s, want.ARN); !got.CreatedAt.Equal(t0) || got.CreatedAt.Nanosecond() != t0.Nanosecond() {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, t0)
	}
}

func testSecretByARN_ZeroFields(t *testing.T, s secrets.Store) {
	want := &secrets.Secret{
		ARN:     secretARN(account1, region1, "bare"),
		Account: account1,
		Region:  region1,
		Name:    "bare",
	}
	MustPutSecret(t, s, want)
	got := MustSecretByARN(t, s, want.ARN)
	checkSecret(t, got, want)
	for name, tm := range map[string]time.Time{
		"CreatedAt":      got.CreatedAt,
		"LastChangedAt":  got.LastChangedAt,
		"LastAccessedAt": got.LastAccessedAt,
		"DeletedAt":      got.DeletedAt,
		"PurgeAt":        got.PurgeAt,
	} {
		if !tm.IsZero() {
			t.Errorf("%s = %v, want the zero time", name, tm)
		}
	}
	if got.Scheduled() {
		t.Error("Scheduled() = true for a secret never deleted")
	}
	if got.Tags != nil {
		t.Errorf("Tags = %#v, want nil for a secret never tagged", got.Tags)
	}
}

// testPutSecret_EmptyTags checks that a secret whose tags were all removed
// (an empty, non-nil Tags) stays apart from one never tagged (nil):
// DescribeSecret shows "Tags": [] for the first and no Tags for the second.
func testPutSecret_EmptyTags(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "untagged")
	sec.Tags = []secrets.Tag{}
	MustPutSecret(t, s, sec)
	got := MustSecretByARN(t, s, sec.ARN)
	if got.Tags == nil || len(got.Tags) != 0 {
		t.Errorf("Tags = %#v, want an empty non-nil slice", got.Tags)
	}
}

func testSecretByARN_ErrNotFound(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.SecretByARN(context.Background(), sec.ARN)
		checkNotFound(t, "SecretByARN in an empty store", err)
	})
	MustPutSecret(t, s, sec)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, arn := range []string{
			sec.ARN[:len(sec.ARN)-7], // without the random suffix
			sec.ARN + "x",
			secretARN(account2, region1, "app"),
			"",
		} {
			_, err := tx.SecretByARN(context.Background(), arn)
			checkNotFound(t, "SecretByARN("+arn+")", err)
		}
	})
}

func testSecretByName_OK(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "app")
	b := newSecret(account1, region1, "app/child")
	MustPutSecret(t, s, a, b)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, want := range []*secrets.Secret{newSecret(account1, region1, "app"), newSecret(account1, region1, "app/child")} {
			got, err := tx.SecretByName(context.Background(), want.Account, want.Region, want.Name)
			if err != nil {
				t.Fatalf("SecretByName(%s): %v", want.Name, err)
			}
			checkSecret(t, got, want)
		}
	})
}

func testSecretByName_ErrNotFound(t *testing.T, s secrets.Store) {
	MustPutSecret(t, s, newSecret(account1, region1, "app"))
	inBoth(t, s, func(tx secrets.Tx) {
		for _, c := range []struct{ account, region, name string }{
			{account2, region1, "app"},
			{account1, region2, "app"},
			{account1, region1, "APP"}, // names are case-sensitive
			{account1, region1, "ap"},
			{account1, region1, "app/"},
			{account1, region1, ""},
		} {
			_, err := tx.SecretByName(context.Background(), c.account, c.region, c.name)
			checkNotFound(t, "SecretByName("+c.account+", "+c.region+", "+c.name+")", err)
		}
	})
}

func testSecrets_OrderedByARN(t *testing.T, s secrets.Store) {
	names := []string{"m", "b/2", "z", "a", "b/10", "B"}
	var want []*secrets.Secret
	for i, name := range names {
		sec := newSecret(account1, region1, name)
		if i%2 == 0 { // mix scheduled and live secrets; both are listed
			sec.DeletedAt, sec.PurgeAt = time.Time{}, time.Time{}
		}
		MustPutSecret(t, s, sec) // one Update each, in this order
		want = append(want, sec)
	}
	slices.SortFunc(want, func(a, b *secrets.Secret) int { return strings.Compare(a.ARN, b.ARN) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Secrets(context.Background(), account1, region1)
		if err != nil {
			t.Fatalf("Secrets: %v", err)
		}
		if !slices.Equal(arns(got), arns(want)) {
			t.Errorf("Secrets ARNs = %q, want %q", arns(got), arns(want))
		}
		checkAll(t, "Secrets", got, want, normSecret)
	})
}

func testSecrets_Scoped(t *testing.T, s secrets.Store) {
	in := []*secrets.Secret{
		newSecret(account1, region1, "a"),
		newSecret(account1, region2, "b"),
		newSecret(account2, region1, "c"),
		newSecret(account1, region1, "d"),
	}
	MustPutSecret(t, s, in...)
	for _, c := range []struct {
		account, region string
		want            []string
	}{
		{account1, region1, []string{in[0].ARN, in[3].ARN}},
		{account1, region2, []string{in[1].ARN}},
		{account2, region1, []string{in[2].ARN}},
		{account2, region2, nil},
	} {
		got := MustSecrets(t, s, c.account, c.region)
		if !slices.Equal(arns(got), c.want) {
			t.Errorf("Secrets(%s, %s) = %q, want %q", c.account, c.region, arns(got), c.want)
		}
	}
}

func testSecrets_Empty(t *testing.T, s secrets.Store) {
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Secrets(context.Background(), account1, region1)
		if err != nil || len(got) != 0 {
			t.Errorf("Secrets in an empty store = %v, %v; want none, nil", arns(got), err)
		}
	})
}

func testSecretsDueForPurge_OK(t *testing.T, s secrets.Store) {
	at := t0.Add(30 * 24 * time.Hour)
	mk := func(account, region, name string, purgeAt time.Time) *secrets.Secret {
		sec := newSecret(account, region, name)
		sec.PurgeAt = purgeAt
		if purgeAt.IsZero() {
			sec.DeletedAt = time.Time{}
		}
		return sec
	}
	due := []*secrets.Secret{
		mk(account1, region1, "long-past", at.Add(-24*time.Hour)),
		mk(account2, region2, "exactly-now", at),
		mk(account1, region2, "a-nanosecond-ago", at.Add(-1)),
	}
	notDue := []*secrets.Secret{
		mk(account1, region1, "a-nanosecond-later", at.Add(1)),
		mk(account2, region1, "next-year", at.AddDate(1, 0, 0)),
		mk(account1, region1, "live", time.Time{}),
	}
	MustPutSecret(t, s, append(slices.Clone(notDue), due...)...)

	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.SecretsDueForPurge(context.Background(), at)
		if err != nil {
			t.Fatalf("SecretsDueForPurge: %v", err)
		}
		want := arns(due)
		slices.Sort(want)
		got = slices.Clone(got)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("SecretsDueForPurge(%v) = %q, want %q (in any order)", at, got, want)
		}
	})
}

func testSecretsDueForPurge_Empty(t *testing.T, s secrets.Store) {
	MustPutSecret(t, s, newLiveSecret(account1, region1, "live"))
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.SecretsDueForPurge(context.Background(), t0.AddDate(100, 0, 0))
		if err != nil || len(got) != 0 {
			t.Errorf("SecretsDueForPurge = %q, %v; want none, nil", got, err)
		}
	})
}

func testPutSecret_ReplaceByARN(t *testing.T, s secrets.Store) {
	MustPutSecret(t, s, newSecret(account1, region1, "app"))
	want := &secrets.Secret{
		ARN:            secretARN(account1, region1, "app"),
		Account:        account1,
		Region:         region1,
		Name:           "app",
		Description:    "changed",
		KMSKeyID:       "",
		Tags:           []secrets.Tag{{Key: "only", Value: "one"}},
		OwningService:  "",
		CreatedAt:      t0,
		LastChangedAt:  t0.Add(48*time.Hour + 99),
		LastAccessedAt: time.Time{},
		DeletedAt:      time.Time{},
		PurgeAt:        time.Time{},
		NextSeq:        4,
	}
	MustPutSecret(t, s, want)
	checkSecret(t, MustSecretByARN(t, s, want.ARN), want)
	if got := MustSecrets(t, s, account1, region1); len(got) != 1 {
		t.Errorf("Secrets = %q after replacing, want one", arns(got))
	}
}

func testPutSecret_Rename(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "old")
	MustPutSecret(t, s, a)
	a.Name = "new"
	MustPutSecret(t, s, a)
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.SecretByName(context.Background(), account1, region1, "old")
		checkNotFound(t, "SecretByName(old name)", err)
		got, err := tx.SecretByName(context.Background(), account1, region1, "new")
		if err != nil {
			t.Fatalf("SecretByName(new name): %v", err)
		}
		checkSecret(t, got, a)
	})
	// The old name is free for another secret.
	b := newSecret(account1, region1, "old")
	b.ARN += "-other"
	MustPutSecret(t, s, b)
	checkSecret(t, MustSecretByARN(t, s, b.ARN), b)
}

func testPutSecret_ErrNameTaken(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "app")
	MustPutSecret(t, s, a)
	b := newSecret(account1, region1, "app")
	b.ARN = secretARN(account1, region1, "app") + "-other"
	b.Description = "the impostor"

	var putErr error
	// Whether Update then commits or fails is the store's business (a
	// failed statement aborts a PostgreSQL transaction); what it must not
	// do is store b or change a.
	_ = s.Update(context.Background(), func(tx secrets.Tx) error {
		putErr = tx.PutSecret(context.Background(), b)
		return nil
	})
	if putErr == nil {
		t.Fatal("PutSecret of another ARN with a taken name: err = nil")
	}
	checkSecret(t, MustSecretByARN(t, s, a.ARN), a)
	MustView(t, s, func(tx secrets.Tx) error {
		_, err := tx.SecretByARN(context.Background(), b.ARN)
		checkNotFound(t, "SecretByARN(rejected secret)", err)
		return nil
	})
}

func testPutSecret_ErrNameTakenOnRename(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "x")
	b := newSecret(account1, region1, "y")
	MustPutSecret(t, s, a, b)
	renamed := newSecret(account1, region1, "y")
	renamed.Name = "x"
	var putErr error
	_ = s.Update(context.Background(), func(tx secrets.Tx) error {
		putErr = tx.PutSecret(context.Background(), renamed)
		return nil
	})
	if putErr == nil {
		t.Fatal("PutSecret renaming onto a taken name: err = nil")
	}
	checkSecret(t, MustSecretByARN(t, s, a.ARN), a)
	checkSecret(t, MustSecretByARN(t, s, b.ARN), b)
}

func testPutSecret_SameNameOtherScope(t *testing.T, s secrets.Store) {
	in := []*secrets.Secret{
		newSecret(account1, region1, "app"),
		newSecret(account1, region2, "app"),
		newSecret(account2, region1, "app"),
		newSecret(account2, region2, "app"),
	}
	for _, sec := range in {
		MustPutSecret(t, s, sec)
	}
	inBoth(t, s, func(tx secrets.Tx) {
		for _, want := range in {
			got, err := tx.SecretByName(context.Background(), want.Account, want.Region, "app")
			if err != nil {
				t.Fatalf("SecretByName(%s, %s, app): %v", want.Account, want.Region, err)
			}
			checkSecret(t, got, want)
		}
	})
}

func testPutSecret_KeepsVersions(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	v1 := newVersion(sec.ARN, "v1", 1, "AWSPREVIOUS")
	v2 := newVersion(sec.ARN, "v2", 2, "AWSCURRENT")
	MustPutVersion(t, s, v1, v2)
	// Replacing the secret (say, to change its description) is not
	// deleting it.
	sec.Description = "new description"
	sec.NextSeq = 9
	MustPutSecret(t, s, sec)
	checkAll(t, "Versions", MustVersions(t, s, sec.ARN), []*secrets.Version{v1, v2}, normVersion)
}

func testDeleteSecret_OK(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "app")
	b := newSecret(account1, region1, "keep")
	MustPutSecret(t, s, a, b)
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.DeleteSecret(context.Background(), a.ARN) })
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.SecretByARN(context.Background(), a.ARN)
		checkNotFound(t, "SecretByARN after DeleteSecret", err)
		_, err = tx.SecretByName(context.Background(), account1, region1, "app")
		checkNotFound(t, "SecretByName after DeleteSecret", err)
	})
	if got := MustSecrets(t, s, account1, region1); !slices.Equal(arns(got), []string{b.ARN}) {
		t.Errorf("Secrets = %q, want %q", arns(got), []string{b.ARN})
	}
	// The name is free again.
	c := newSecret(account1, region1, "app")
	c.ARN += "-again"
	MustPutSecret(t, s, c)
}

func testDeleteSecret_RemovesVersions(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "a")
	b := newSecret(account1, region1, "b")
	MustPutSecret(t, s, a, b)
	MustPutVersion(t, s,
		newVersion(a.ARN, "v1", 1, "AWSPREVIOUS"), newVersion(a.ARN, "v2", 2, "AWSCURRENT"),
		newVersion(b.ARN, "v1", 1, "AWSCURRENT"))

	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.DeleteSecret(context.Background(), a.ARN) })
	inBoth(t, s, func(tx secrets.Tx) {
		vs, err := tx.Versions(context.Background(), a.ARN)
		if err != nil || len(vs) != 0 {
			t.Errorf("Versions of a deleted secret = %d versions, %v; want none", len(vs), err)
		}
		_, err = tx.Version(context.Background(), a.ARN, "v1")
		checkNotFound(t, "Version of a deleted secret", err)
	})
	checkAll(t, "Versions of the other secret", MustVersions(t, s, b.ARN),
		[]*secrets.Version{newVersion(b.ARN, "v1", 1, "AWSCURRENT")}, normVersion)

	// A new secret with the same ARN does not bring them back.
	MustPutSecret(t, s, a)
	if vs := MustVersions(t, s, a.ARN); len(vs) != 0 {
		t.Errorf("Versions of a re-created secret = %d, want none", len(vs))
	}
}

func testDeleteSecret_Missing(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "a")
	MustPutSecret(t, s, a)
	MustUpdate(t, s, func(tx secrets.Tx) error {
		return tx.DeleteSecret(context.Background(), secretARN(account1, region1, "missing"))
	})
	checkSecret(t, MustSecretByARN(t, s, a.ARN), a)
}

// testPutSecret_ResourcePolicy checks a secret's resource policy: kept byte
// for byte (up to AWS's 20,480 characters, multi-byte ones included), kept
// when the secret is put back with other fields changed, as the domain's
// read-modify-write does, and cleared by putting an empty one.
func testPutSecret_ResourcePolicy(t *testing.T, s secrets.Store) {
	sec := newLiveSecret(account1, region1, "with-policy")
	pad := strings.Repeat("é", 20480-len([]rune(sec.ResourcePolicy))-len(`,"Id":""`))
	sec.ResourcePolicy = strings.TrimSuffix(sec.ResourcePolicy, "}") + `,"Id":"` + pad + `"}`
	if n := len([]rune(sec.ResourcePolicy)); n != 20480 {
		t.Fatalf("test policy has %d characters, want 20480", n)
	}
	MustPutSecret(t, s, sec)
	checkSecret(t, MustSecretByARN(t, s, sec.ARN), sec)

	// Another field changed, the policy carried along.
	got := MustSecretByARN(t, s, sec.ARN)
	got.Description, got.LastChangedAt = "changed", t0.Add(time.Hour)
	MustPutSecret(t, s, got)
	inBoth(t, s, func(tx secrets.Tx) {
		back, err := tx.SecretByName(context.Background(), account1, region1, "with-policy")
		if err != nil {
			t.Fatalf("SecretByName: %v", err)
		}
		if back.ResourcePolicy != sec.ResourcePolicy || back.Description != "changed" {
			t.Errorf("after a put of other fields: ResourcePolicy kept = %v, Description = %q",
				back.ResourcePolicy == sec.ResourcePolicy, back.Description)
		}
	})

	// A secret put without one has none.
	got.ResourcePolicy = ""
	MustPutSecret(t, s, got)
	if p := MustSecretByARN(t, s, sec.ARN).ResourcePolicy; p != "" {
		t.Errorf("ResourcePolicy after clearing = %q, want none", p)
	}
}
