package storetest

import (
	"context"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// The copies tests change a record after putting it and after getting it,
// in place (an element of a slice) and by appending, and check that the store
// still holds what was put.

func testCopies_Secret(t *testing.T, s secrets.Store) {
	want := newSecret(account1, region1, "app")
	in := newSecret(account1, region1, "app")
	MustPutSecret(t, s, in)
	in.Tags[0].Value = "changed after Put"
	in.Tags = append(in.Tags, secrets.Tag{Key: "added", Value: "after Put"})
	in.Description = "changed after Put"
	checkSecret(t, MustSecretByARN(t, s, want.ARN), want)

	got := MustSecretByARN(t, s, want.ARN)
	got.Tags[0].Value = "changed after get"
	got.Tags[1] = secrets.Tag{Key: "replaced", Value: "after get"}
	_ = append(got.Tags[:1], secrets.Tag{Key: "appended", Value: "into the backing array"})
	checkSecret(t, MustSecretByARN(t, s, want.ARN), want)

	list := MustSecrets(t, s, account1, region1)
	list[0].Tags[0].Key = "changed after Secrets"
	checkSecret(t, MustSecrets(t, s, account1, region1)[0], want)
}

func testCopies_Version(t *testing.T, s secrets.Store) {
	sec := newSecret(account1, region1, "app")
	MustPutSecret(t, s, sec)
	want := newVersion(sec.ARN, "v1", 1, "AWSCURRENT", "AWSPENDING")
	in := newVersion(sec.ARN, "v1", 1, "AWSCURRENT", "AWSPENDING")
	MustPutVersion(t, s, in)
	in.Stages[0] = "changed after Put"
	in.Sealed[0] ^= 0xff
	checkVersion(t, MustVersion(t, s, sec.ARN, "v1"), want)

	got := MustVersion(t, s, sec.ARN, "v1")
	got.Stages[1] = "changed after get"
	got.Sealed[0] ^= 0xff
	_ = append(got.Sealed[:1], 0x00, 0x00)
	checkVersion(t, MustVersion(t, s, sec.ARN, "v1"), want)

	list := MustVersions(t, s, sec.ARN)
	list[0].Stages[0] = "changed after Versions"
	list[0].Sealed[1] ^= 0xff
	checkVersion(t, MustVersions(t, s, sec.ARN)[0], want)
}

func testCopies_KMSKey(t *testing.T, s secrets.Store) {
	want := newKMSKey(account1, region1, "k")
	in := newKMSKey(account1, region1, "k")
	MustPutKMSKey(t, s, in)
	in.Material[0][0] ^= 0xff
	in.Material[2] = nil
	check(t, "KMSKey", MustKMSKey(t, s, want.ARN), want, normKMSKey)

	got := MustKMSKey(t, s, want.ARN)
	got.Material[0][1] ^= 0xff
	got.Material[2][0] ^= 0xff
	got.Material = append(got.Material[:1], []byte("appended"))
	check(t, "KMSKey", MustKMSKey(t, s, want.ARN), want, normKMSKey)
}

func testCopies_AccessKey(t *testing.T, s secrets.Store) {
	want := newAccessKey(account1, "AKIA1")
	in := newAccessKey(account1, "AKIA1")
	MustPutAccessKey(t, s, in)
	in.SealedSecret[0] ^= 0xff
	check(t, "AccessKey", MustAccessKey(t, s, want.ID), want, normAccessKey)

	got := MustAccessKey(t, s, want.ID)
	got.SealedSecret[1] ^= 0xff
	check(t, "AccessKey", MustAccessKey(t, s, want.ID), want, normAccessKey)

	var list []*secrets.AccessKey
	MustView(t, s, func(tx secrets.Tx) (err error) {
		list, err = tx.AccessKeys(context.Background(), account1)
		return err
	})
	list[0].SealedSecret[2] ^= 0xff
	check(t, "AccessKey", MustAccessKey(t, s, want.ID), want, normAccessKey)
}

// testCopies_WithinTx checks the same inside one transaction, where a store
// keeping uncommitted records in memory might hand out its own.
func testCopies_WithinTx(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	wantSecret := newSecret(account1, region1, "app")
	wantVersion := newVersion(wantSecret.ARN, "v1", 1, "AWSCURRENT")
	MustUpdate(t, s, func(tx secrets.Tx) error {
		sec := newSecret(account1, region1, "app")
		if err := tx.PutSecret(ctx, sec); err != nil {
			return err
		}
		sec.Tags[0].Value = "changed after Put"
		got, err := tx.SecretByARN(ctx, sec.ARN)
		if err != nil {
			return err
		}
		checkSecret(t, got, wantSecret)
		got.Tags[1].Value = "changed after get"
		if got, err = tx.SecretByName(ctx, account1, region1, "app"); err != nil {
			return err
		}
		checkSecret(t, got, wantSecret)

		v := newVersion(sec.ARN, "v1", 1, "AWSCURRENT")
		if err := tx.PutVersion(ctx, v); err != nil {
			return err
		}
		v.Sealed[0] ^= 0xff
		v.Stages[0] = "changed after Put"
		gotV, err := tx.Version(ctx, sec.ARN, "v1")
		if err != nil {
			return err
		}
		checkVersion(t, gotV, wantVersion)
		gotV.Sealed[1] ^= 0xff
		if gotV, err = tx.Version(ctx, sec.ARN, "v1"); err != nil {
			return err
		}
		checkVersion(t, gotV, wantVersion)
		return nil
	})
	checkSecret(t, MustSecretByARN(t, s, wantSecret.ARN), wantSecret)
	checkVersion(t, MustVersion(t, s, wantSecret.ARN, "v1"), wantVersion)
}
