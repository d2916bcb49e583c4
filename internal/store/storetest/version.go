package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

func testVersion_OK(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	// Stages in an order that is neither sorted nor insertion-meaningful.
	v1 := newVersion(sec.ARN, "0b3c9f6a-7d4e-4b8a-9c1d-2e3f4a5b6c7d", 1, "AWSPENDING", "custom-label", "AWSCURRENT")
	v2 := newVersion(sec.ARN, "v2", 2, "AWSPREVIOUS")
	MustPutVersion(t, s, v1, v2)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, want := range []*secrets.Version{v1, v2} {
			got, err := tx.Version(context.Background(), sec.ARN, want.ID)
			if err != nil {
				t.Fatalf("Version(%s): %v", want.ID, err)
			}
			checkVersion(t, got, want)
		}
	})
	if !v1.Binary || v2.Binary {
		t.Fatal("fixture: want one binary version and one string version")
	}
}

func testVersion_ZeroFields(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	want := &secrets.Version{SecretARN: sec.ARN, ID: "bare"}
	MustPutVersion(t, s, want)
	got := MustVersion(t, s, sec.ARN, "bare")
	checkVersion(t, got, want)
	if !got.CreatedAt.IsZero() || !got.LastAccessedAt.IsZero() {
		t.Errorf("times = %v, %v; want zero", got.CreatedAt, got.LastAccessedAt)
	}
	if len(got.Stages) != 0 || len(got.Sealed) != 0 {
		t.Errorf("Stages, Sealed = %q, %x; want empty", got.Stages, got.Sealed)
	}
}

func testVersion_ErrNotFound(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "a")
	b := newSecret(account1, region1, "b")
	MustPutSecret(t, s, a, b)
	MustPutVersion(t, s, newVersion(a.ARN, "v1", 1, "AWSCURRENT"))
	inBoth(t, s, func(tx secrets.Tx) {
		for _, c := range []struct{ arn, id string }{
			{a.ARN, "v2"},
			{a.ARN, "V1"},
			{a.ARN, ""},
			{b.ARN, "v1"}, // another secret's version id
			{secretARN(account1, region1, "missing"), "v1"},
		} {
			_, err := tx.Version(context.Background(), c.arn, c.id)
			checkNotFound(t, "Version("+c.arn+", "+c.id+")", err)
		}
	})
}

func testVersion_ScopedBySecret(t *testing.T, s secrets.Store) {
	a := newSecret(account1, region1, "a")
	b := newSecret(account1, region1, "b")
	MustPutSecret(t, s, a, b)
	va := newVersion(a.ARN, "same-id", 1, "AWSCURRENT")
	vb := newVersion(b.ARN, "same-id", 7, "AWSPENDING")
	vb.Sealed = []byte("other")
	MustPutVersion(t, s, va, vb)
	checkVersion(t, MustVersion(t, s, a.ARN, "same-id"), va)
	checkVersion(t, MustVersion(t, s, b.ARN, "same-id"), vb)
	checkAll(t, "Versions(a)", MustVersions(t, s, a.ARN), []*secrets.Version{va}, normVersion)
	checkAll(t, "Versions(b)", MustVersions(t, s, b.ARN), []*secrets.Version{vb}, normVersion)
}

func testVersions_OrderedBySeq(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	// Put out of order, with ids whose order is not Seq's, and Seq 10 after
	// 2 (a store ordering Seq as text would put it first).
	in := []*secrets.Version{
		newVersion(sec.ARN, "a", 3),
		newVersion(sec.ARN, "c", 1, "AWSPREVIOUS"),
		newVersion(sec.ARN, "d", 10, "AWSCURRENT"),
		newVersion(sec.ARN, "b", 2),
	}
	for _, v := range in {
		MustPutVersion(t, s, v)
	}
	want := []*secrets.Version{in[1], in[3], in[0], in[2]}
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Versions(context.Background(), sec.ARN)
		if err != nil {
			t.Fatalf("Versions: %v", err)
		}
		checkAll(t, "Versions", got, want, normVersion)
	})
}

func testVersions_Empty(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Versions(context.Background(), sec.ARN)
		if err != nil || len(got) != 0 {
			t.Errorf("Versions of a secret without versions = %d versions, %v; want none, nil", len(got), err)
		}
	})
}

func testPutVersion_Replace(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	MustPutVersion(t, s, newVersion(sec.ARN, "v1", 1, "AWSCURRENT", "AWSPENDING"), newVersion(sec.ARN, "v2", 2))
	// A label move: v1 loses its labels, v2 gains one.
	v1 := newVersion(sec.ARN, "v1", 1)
	v1.Sealed = []byte("re-sealed")
	v1.LastAccessedAt = day.AddDate(0, 1, 0)
	v2 := newVersion(sec.ARN, "v2", 2, "AWSCURRENT")
	MustPutVersion(t, s, v1, v2)
	checkAll(t, "Versions", MustVersions(t, s, sec.ARN), []*secrets.Version{v1, v2}, normVersion)
}

func testDeleteVersion_OK(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	v1, v2 := newVersion(sec.ARN, "v1", 1), newVersion(sec.ARN, "v2", 2, "AWSCURRENT")
	MustPutVersion(t, s, v1, v2)
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.DeleteVersion(context.Background(), sec.ARN, "v1") })
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.Version(context.Background(), sec.ARN, "v1")
		checkNotFound(t, "Version after DeleteVersion", err)
	})
	checkAll(t, "Versions", MustVersions(t, s, sec.ARN), []*secrets.Version{v2}, normVersion)
	checkSecret(t, MustSecretByARN(t, s, sec.ARN), sec)
}

func testDeleteVersion_Missing(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	v1 := newVersion(sec.ARN, "v1", 1)
	MustPutVersion(t, s, v1)
	MustUpdate(t, s, func(tx secrets.Tx) error {
		if err := tx.DeleteVersion(context.Background(), sec.ARN, "v2"); err != nil {
			return err
		}
		return tx.DeleteVersion(context.Background(), secretARN(account1, region1, "missing"), "v1")
	})
	checkAll(t, "Versions", MustVersions(t, s, sec.ARN), []*secrets.Version{v1}, normVersion)
}

// testPutVersion_Pruned checks that a pruned version's tombstone (no value,
// no labels, PrunedAt set) round-trips.
func testPutVersion_Pruned(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "pruned")
	MustPutSecret(t, s, sec)
	v := newVersion(sec.ARN, "0aa1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a3b", 1)
	v.Stages, v.Sealed, v.PrunedAt = nil, nil, t0.Add(48*time.Hour+3)
	MustPutVersion(t, s, v)
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Version(context.Background(), sec.ARN, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkVersion(t, got, v)
		if !got.Pruned() {
			t.Error("Pruned() = false for a pruned version")
		}
	})
}

// testSecretWithStage checks the optional secrets.StageReader capability,
// when the store's Tx has it: the same answers as SecretByARN or
// SecretByName followed by VersionByStage.
func testSecretWithStage(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "staged")
	MustPutSecret(t, s, sec)
	// A label that holds the text of another, quotes included, must not
	// match it.
	v1 := newVersion(sec.ARN, "v1", 1, `x"AWSCURRENT`, "AWSPREVIOUS")
	v2 := newVersion(sec.ARN, "v2", 2, "custom", "AWSCURRENT")
	MustPutVersion(t, s, v1, v2)
	ctx := context.Background()
	inBoth(t, s, func(tx secrets.Tx) {
		sr, ok := tx.(secrets.StageReader)
		if !ok {
			t.Skip("the store's Tx is not a secrets.StageReader")
		}
		byARN := secrets.SecretKey{ARN: sec.ARN}
		byName := secrets.SecretKey{Account: account1, Region: region1, Name: "staged"}
		for _, tc := range []struct {
			key   secrets.SecretKey
			stage string
			want  *secrets.Version
		}{
			{byARN, "AWSCURRENT", v2},
			{byName, "AWSCURRENT", v2},
			{byName, "AWSPREVIOUS", v1},
			{byARN, `x"AWSCURRENT`, v1},
			{byName, "AWSPENDING", nil},
			{byName, "AWS", nil},
		} {
			gotSec, gotVer, err := sr.SecretWithStage(ctx, tc.key, tc.stage)
			if err != nil {
				t.Fatalf("SecretWithStage(%+v, %q): %v", tc.key, tc.stage, err)
			}
			checkSecret(t, gotSec, sec)
			if tc.want == nil {
				if gotVer != nil {
					t.Errorf("SecretWithStage(%+v, %q) version = %s, want none", tc.key, tc.stage, gotVer.ID)
				}
				continue
			}
			checkVersion(t, gotVer, tc.want)
		}
		for _, key := range []secrets.SecretKey{
			{ARN: sec.ARN + "x"},
			{Account: account2, Region: region1, Name: "staged"},
			{Account: account1, Region: region1, Name: "other"},
		} {
			_, _, err := sr.SecretWithStage(ctx, key, "AWSCURRENT")
			checkNotFound(t, "SecretWithStage of a missing secret", err)
		}
	})
}
