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

func testKMSKeys_Scoped(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	k1 := newKMSKey(account1, region1, "1111aaaa-0000-4000-8000-000000000001")
	k2 := newKMSKey(account1, region1, "0000bbbb-0000-4000-8000-000000000002")
	k3 := newKMSKey(account1, region2, "2222cccc-0000-4000-8000-000000000003")
	k4 := newKMSKey(account2, region1, "3333dddd-0000-4000-8000-000000000004")
	MustUpdate(t, s, func(tx secrets.Tx) error {
		for _, k := range []*secrets.KMSKey{k1, k2, k3, k4} {
			if err := tx.PutKMSKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.KMSKeys(ctx, account1, region1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ARN != k2.ARN || got[1].ARN != k1.ARN {
			t.Fatalf("KMSKeys(account1, region1) = %v, want [k2 k1] by ARN", keyARNs(got))
		}
		checkKMSKey(t, got[1], k1)
		all, err := tx.KMSKeys(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Errorf("KMSKeys(all) = %v, want 4 keys", keyARNs(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i-1].ARN >= all[i].ARN {
				t.Errorf("KMSKeys(all) not ordered by ARN: %v", keyARNs(all))
			}
		}
	})
}

func keyARNs(ks []*secrets.KMSKey) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.ARN)
	}
	return out
}

func testDeleteKMSKey(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	k := newKMSKey(account1, region1, "4444eeee-0000-4000-8000-000000000005")
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutKMSKey(ctx, k) })
	MustUpdate(t, s, func(tx secrets.Tx) error {
		if err := tx.DeleteKMSKey(ctx, k.ARN); err != nil {
			return err
		}
		return tx.DeleteKMSKey(ctx, k.ARN) // a missing key is not an error
	})
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.KMSKey(ctx, k.ARN)
		checkNotFound(t, "KMSKey after DeleteKMSKey", err)
	})
}

func testKMSAliases_Scoped(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	a1 := newKMSAlias(account1, region1, "alias/zeta", "arn:aws:kms:us-east-1:111111111111:key/k1")
	a2 := newKMSAlias(account1, region1, "alias/alpha", "arn:aws:kms:us-east-1:111111111111:key/k2")
	a3 := newKMSAlias(account1, region2, "alias/alpha", "arn:aws:kms:eu-west-1:111111111111:key/k3")
	a4 := newKMSAlias(account2, region1, "alias/alpha", "arn:aws:kms:us-east-1:222222222222:key/k4")
	MustUpdate(t, s, func(tx secrets.Tx) error {
		for _, a := range []*secrets.KMSAlias{a1, a2, a3, a4} {
			if err := tx.PutKMSAlias(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.KMSAliases(ctx, account1, region1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Name != "alias/alpha" || got[1].Name != "alias/zeta" {
			t.Fatalf("KMSAliases(account1, region1) = %+v, want alpha then zeta", got)
		}
		checkKMSAlias(t, got[0], a2)
		all, err := tx.KMSAliases(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Errorf("KMSAliases(all) has %d aliases, want 4", len(all))
		}
	})
}

func testDeleteKMSAlias(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	a := newKMSAlias(account1, region1, "alias/gone", "arn:aws:kms:us-east-1:111111111111:key/k1")
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutKMSAlias(ctx, a) })
	MustUpdate(t, s, func(tx secrets.Tx) error {
		if err := tx.DeleteKMSAlias(ctx, a.ARN); err != nil {
			return err
		}
		return tx.DeleteKMSAlias(ctx, a.ARN)
	})
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.KMSAlias(ctx, a.ARN)
		checkNotFound(t, "KMSAlias after DeleteKMSAlias", err)
	})
}

func testMeta(t *testing.T, s secrets.Store) {
	ctx := context.Background()
	inBoth(t, s, func(tx secrets.Tx) {
		_, err := tx.Meta(ctx, "root-check")
		checkNotFound(t, "Meta before PutMeta", err)
	})
	want := []byte{0x00, 0x01, 0xff, 'x'}
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutMeta(ctx, "root-check", want) })
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutMeta(ctx, "other", []byte("o")) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Meta(ctx, "root-check")
		if err != nil || string(got) != string(want) {
			t.Errorf("Meta = %x, %v; want %x", got, err, want)
		}
	})
	MustUpdate(t, s, func(tx secrets.Tx) error { return tx.PutMeta(ctx, "root-check", []byte("new")) })
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Meta(ctx, "root-check")
		if err != nil || string(got) != "new" {
			t.Errorf("Meta after replace = %q, %v; want new", got, err)
		}
	})
}
