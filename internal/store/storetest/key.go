package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// MustKMSKey returns the KMS key with the ARN, read in a View.
func MustKMSKey(tb testing.TB, s secrets.Store, arn string) *secrets.KMSKey {
	tb.Helper()
	var k *secrets.KMSKey
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		k, err = tx.KMSKey(context.Background(), arn)
		return err
	})
	return k
}

// MustKMSAlias returns the KMS alias with the ARN, read in a View.
func MustKMSAlias(tb testing.TB, s secrets.Store, arn string) *secrets.KMSAlias {
	tb.Helper()
	var a *secrets.KMSAlias
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		a, err = tx.KMSAlias(context.Background(), arn)
		return err
	})
	return a
}

// MustPutKMSKey puts each KMS key in one Update.
func MustPutKMSKey(tb testing.TB, s secrets.Store, keys ...*secrets.KMSKey) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, k := range keys {
			if err := tx.PutKMSKey(context.Background(), k); err != nil {
				return err
			}
		}
		return nil
	})
}

// MustPutKMSAlias puts each KMS alias in one Update.
func MustPutKMSAlias(tb testing.TB, s secrets.Store, aliases ...*secrets.KMSAlias) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, a := range aliases {
			if err := tx.PutKMSAlias(context.Background(), a); err != nil {
				return err
			}
		}
		return nil
	})
}

func testKMSKey_OK(t *testing.T, s secrets.Store) {
	k1 := newKMSKey(account1, region1, "1234abcd-12ab-34cd-56ef-1234567890ab")
	k2 := newKMSKey(account1, region2, "other")
	k2.Manager, k2.State, k2.Material = "AWS", "PendingDeletion", [][]byte{{0x42}}
	MustPutKMSKey(t, s, k1, k2)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, want := range []*secrets.KMSKey{k1, k2} {
			got, err := tx.KMSKey(context.Background(), want.ARN)
			if err != nil {
				t.Fatalf("KMSKey(%s): %v", want.ARN, err)
			}
			check(t, "KMSKey", got, want, normKMSKey)
		}
	})
	// Empty material versions keep their place.
	if got := MustKMSKey(t, s, k1.ARN); len(got.Material) != 3 || len(got.Material[1]) != 0 {
		t.Errorf("Material = %x, want 3 versions, the second empty", got.Material)
	}
}

func testKMSKey_Replace(t *testing.T, s secrets.Store) {
	k := newKMSKey(account1, region1, "k")
	MustPutKMSKey(t, s, k)
	// Key rotation appends material; disabling changes the state.
	k.Material = append(slices.Clone(k.Material), []byte{0x07, 0x00, 0x07})
	k.State = "Disabled"
	k.Description = ""
	MustPutKMSKey(t, s, k)
	check(t, "KMSKey", MustKMSKey(t, s, k.ARN), k, normKMSKey)

	// And no material at all.
	k.Material = nil
	MustPutKMSKey(t, s, k)
	if got := MustKMSKey(t, s, k.ARN); len(got.Material) != 0 {
		t.Errorf("Material = %x, want none", got.Material)
	}
}

func testKMSKey_ErrNotFound(t *testing.T, s secrets.Store) {
	k := newKMSKey(account1, region1, "k")
	MustPutKMSKey(t, s, k)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, arn := range []string{newKMSKey(account2, region1, "k").ARN, k.ARN + "x", "k", ""} {
			_, err := tx.KMSKey(context.Background(), arn)
			checkNotFound(t, "KMSKey("+arn+")", err)
		}
	})
}

func testKMSAlias_OK(t *testing.T, s secrets.Store) {
	k := newKMSKey(account1, region1, "k")
	a1 := newKMSAlias(account1, region1, "alias/taskhub_kms", k.ARN)
	a2 := newKMSAlias(account1, region1, "alias/aws/secretsmanager", k.ARN)
	MustPutKMSAlias(t, s, a1, a2)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, want := range []*secrets.KMSAlias{a1, a2} {
			got, err := tx.KMSAlias(context.Background(), want.ARN)
			if err != nil {
				t.Fatalf("KMSAlias(%s): %v", want.ARN, err)
			}
			check(t, "KMSAlias", got, want, normKMSAlias)
		}
	})
}

func testKMSAlias_Replace(t *testing.T, s secrets.Store) {
	a := newKMSAlias(account1, region1, "alias/app", newKMSKey(account1, region1, "k1").ARN)
	MustPutKMSAlias(t, s, a)
	a.TargetKey = newKMSKey(account1, region1, "k2").ARN // UpdateAlias
	a.CreatedAt = t0.Add(99)
	MustPutKMSAlias(t, s, a)
	check(t, "KMSAlias", MustKMSAlias(t, s, a.ARN), a, normKMSAlias)
}

func testKMSAlias_ErrNotFound(t *testing.T, s secrets.Store) {
	a := newKMSAlias(account1, region1, "alias/app", "k")
	MustPutKMSAlias(t, s, a)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, arn := range []string{newKMSAlias(account1, region2, "alias/app", "k").ARN, "alias/app", ""} {
			_, err := tx.KMSAlias(context.Background(), arn)
			checkNotFound(t, "KMSAlias("+arn+")", err)
		}
	})
}
