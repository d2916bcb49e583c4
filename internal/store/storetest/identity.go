package storetest

import (
	"context"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// MustPutAccount puts each account in one Update.
func MustPutAccount(tb testing.TB, s secrets.Store, accounts ...*secrets.Account) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, a := range accounts {
			if err := tx.PutAccount(context.Background(), a); err != nil {
				return err
			}
		}
		return nil
	})
}

// MustPutAccessKey puts each access key in one Update.
func MustPutAccessKey(tb testing.TB, s secrets.Store, keys ...*secrets.AccessKey) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, k := range keys {
			if err := tx.PutAccessKey(context.Background(), k); err != nil {
				return err
			}
		}
		return nil
	})
}

// MustAccessKey returns the access key with the id, read in a View.
func MustAccessKey(tb testing.TB, s secrets.Store, id string) *secrets.AccessKey {
	tb.Helper()
	var k *secrets.AccessKey
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		k, err = tx.AccessKey(context.Background(), id)
		return err
	})
	return k
}

func testAccount_OK(t *testing.T, s secrets.Store) {
	want := newAccount(account1)
	MustPutAccount(t, s, want, newAccount(account2))
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Account(context.Background(), account1)
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		check(t, "Account", got, want, normAccount)
	})
}

func testAccount_Replace(t *testing.T, s secrets.Store) {
	a := newAccount(account1)
	MustPutAccount(t, s, a)
	a.CreatedAt = t0.Add(12345)
	MustPutAccount(t, s, a)
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Account(context.Background(), account1)
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		check(t, "Account", got, a, normAccount)
		all, err := tx.Accounts(context.Background())
		if err != nil || len(all) != 1 {
			t.Errorf("Accounts = %d accounts, %v; want 1", len(all), err)
		}
	})
}

func testAccount_ErrNotFound(t *testing.T, s secrets.Store) {
	MustPutAccount(t, s, newAccount(account1))
	inBoth(t, s, func(tx secrets.Tx) {
		for _, id := range []string{account2, account1[:11], ""} {
			_, err := tx.Account(context.Background(), id)
			checkNotFound(t, "Account("+id+")", err)
		}
	})
}

func testAccounts_OrderedByID(t *testing.T, s secrets.Store) {
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Accounts(context.Background())
		if err != nil || len(got) != 0 {
			t.Errorf("Accounts in an empty store = %d, %v; want none, nil", len(got), err)
		}
	})
	in := []*secrets.Account{newAccount("333333333333"), newAccount(account1), newAccount("000000000009"), newAccount(account2)}
	for _, a := range in {
		MustPutAccount(t, s, a)
	}
	want := []*secrets.Account{in[2], in[1], in[3], in[0]}
	inBoth(t, s, func(tx secrets.Tx) {
		got, err := tx.Accounts(context.Background())
		if err != nil {
			t.Fatalf("Accounts: %v", err)
		}
		checkAll(t, "Accounts", got, want, normAccount)
	})
}

func testAccessKey_OK(t *testing.T, s secrets.Store) {
	want := newAccessKey(account1, "AKIAIOSFODNN7EXAMPLE")
	other := newAccessKey(account1, "AKIAOTHER")
	other.Status = "Inactive"
	MustPutAccessKey(t, s, want, other)
	inBoth(t, s, func(tx secrets.Tx) {
		for _, w := range []*secrets.AccessKey{want, other} {
			got, err := tx.AccessKey(context.Background(), w.ID)
			if err != nil {
				t.Fatalf("AccessKey(%s): %v", w.ID, err)
			}
			check(t, "AccessKey", got, w, normAccessKey)
		}
	})
}

func testAccessKey_Replace(t *testing.T, s secrets.Store) {
	k := newAccessKey(account1, "AKIA1")
	MustPutAccessKey(t, s, k)
	k.Status = "Inactive"
	k.SealedSecret = []byte{0x09}
	MustPutAccessKey(t, s, k)
	check(t, "AccessKey", MustAccessKey(t, s, k.ID), k, normAccessKey)
}

func testAccessKey_ErrNotFound(t *testing.T, s secrets.Store) {
	MustPutAccessKey(t, s, newAccessKey(account1, "AKIA1"))
	inBoth(t, s, func(tx secrets.Tx) {
		for _, id := range []string{"AKIA2", "akia1", ""} {
			_, err := tx.AccessKey(context.Background(), id)
			checkNotFound(t, "AccessKey("+id+")", err)
		}
	})
}

func testAccessKeys_ScopedAndOrdered(t *testing.T, s secrets.Store) {
	in := []*secrets.AccessKey{
		newAccessKey(account1, "AKIAZ"),
		newAccessKey(account2, "AKIAB"),
		newAccessKey(account1, "AKIAA"),
		newAccessKey(account1, "AKIAM"),
	}
	for _, k := range in {
		MustPutAccessKey(t, s, k)
	}
	for _, c := range []struct {
		account string
		want    []*secrets.AccessKey
	}{
		{account1, []*secrets.AccessKey{in[2], in[3], in[0]}},
		{account2, []*secrets.AccessKey{in[1]}},
		{"333333333333", nil},
	} {
		inBoth(t, s, func(tx secrets.Tx) {
			got, err := tx.AccessKeys(context.Background(), c.account)
			if err != nil {
				t.Fatalf("AccessKeys(%s): %v", c.account, err)
			}
			checkAll(t, "AccessKeys("+c.account+")", got, c.want, normAccessKey)
		})
	}
}
