package identity_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

var t0 = time.Date(2024, 5, 10, 15, 30, 0, 0, time.UTC)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	accessKeyPattern = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	secretKeyPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

// MustManager returns a Manager on a SQLite store in tb.TempDir, under a
// random root key, on a fake clock set to t0.
func MustManager(tb testing.TB) *identity.Manager {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		tb.Fatal(err)
	}
	root, err := keyring.NewRootKey(material)
	if err != nil {
		tb.Fatal(err)
	}
	return &identity.Manager{Store: st, Root: root, Clock: clock.NewFake(t0)}
}

// MustCreateAccount creates the account id ("" for a random one).
func MustCreateAccount(tb testing.TB, m *identity.Manager, id string) *secrets.Account {
	tb.Helper()
	a, err := m.CreateAccount(tb.Context(), id)
	if err != nil {
		tb.Fatalf("CreateAccount(%q): %v", id, err)
	}
	return a
}

// MustCreateAccessKey creates an access key for account.
func MustCreateAccessKey(tb testing.TB, m *identity.Manager, account string) *identity.AccessKey {
	tb.Helper()
	k, err := m.CreateAccessKey(tb.Context(), account)
	if err != nil {
		tb.Fatalf("CreateAccessKey(%q): %v", account, err)
	}
	return k
}

func storedKey(tb testing.TB, m *identity.Manager, id string) *secrets.AccessKey {
	tb.Helper()
	var k *secrets.AccessKey
	err := m.Store.View(tb.Context(), func(tx secrets.Tx) error {
		var err error
		k, err = tx.AccessKey(tb.Context(), id)
		return err
	})
	if err != nil {
		tb.Fatalf("AccessKey(%q): %v", id, err)
	}
	return k
}

func TestManager_CreateAccount(t *testing.T) {
	t.Parallel()

	t.Run("OKRandom", func(t *testing.T) {
		t.Parallel()
		m := MustManager(t)
		seen := map[string]bool{}
		for range 5 {
			a := MustCreateAccount(t, m, "")
			if !accountIDPattern.MatchString(a.ID) {
				t.Errorf("random id %q is not 12 digits", a.ID)
			}
			if !a.CreatedAt.Equal(t0) {
				t.Errorf("CreatedAt = %v, want %v", a.CreatedAt, t0)
			}
			seen[a.ID] = true
		}
		if len(seen) != 5 {
			t.Errorf("5 random accounts have %d distinct ids", len(seen))
		}
		all, err := m.Accounts(t.Context())
		if err != nil || len(all) != 5 {
			t.Errorf("Accounts = %d, %v; want 5", len(all), err)
		}
	})

	t.Run("OKExplicit", func(t *testing.T) {
		t.Parallel()
		m := MustManager(t)
		for _, id := range []string{"123456789012", "000000000000"} {
			if a := MustCreateAccount(t, m, id); a.ID != id {
				t.Errorf("ID = %q, want %q", a.ID, id)
			}
		}
	})

	for _, id := range []string{"12345678901", "1234567890123", "12345678901a", "abcdefghijkl", " 23456789012", "123456789012\n", "１２３４５６７８９０１２"} {
		t.Run("ErrBadAccountID/"+id, func(t *testing.T) {
			t.Parallel()
			m := MustManager(t)
			if _, err := m.CreateAccount(t.Context(), id); !errors.Is(err, identity.ErrBadAccountID) {
				t.Errorf("err = %v, want ErrBadAccountID", err)
			}
			if all, _ := m.Accounts(t.Context()); len(all) != 0 {
				t.Errorf("accounts created: %v", all)
			}
		})
	}

	t.Run("ErrAccountExists", func(t *testing.T) {
		t.Parallel()
		m := MustManager(t)
		MustCreateAccount(t, m, "123456789012")
		if _, err := m.CreateAccount(t.Context(), "123456789012"); !errors.Is(err, identity.ErrAccountExists) {
			t.Errorf("err = %v, want ErrAccountExists", err)
		}
	})
}

func TestManager_CreateAccessKey(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		m := MustManager(t)
		MustCreateAccount(t, m, "123456789012")
		k := MustCreateAccessKey(t, m, "123456789012")
		if !accessKeyPattern.MatchString(k.AccessKeyID) {
			t.Errorf("AccessKeyID %q does not match %v", k.AccessKeyID, accessKeyPattern)
		}
		if !secretKeyPattern.MatchString(k.SecretAccessKey) {
			t.Errorf("SecretAccessKey %q does not match %v", k.SecretAccessKey, secretKeyPattern)
		}
		if k.Account != "123456789012" || k.Principal != "arn:aws:iam::123456789012:root" {
			t.Errorf("key = %+v", k)
		}
		other := MustCreateAccessKey(t, m, "123456789012")
		if other.AccessKeyID == k.AccessKeyID || other.SecretAccessKey == k.SecretAccessKey {
			t.Error("two access keys are the same")
		}

		stored := storedKey(t, m, k.AccessKeyID)
		if stored.Status != "Active" || stored.Account != k.Account || stored.Principal != k.Principal || !stored.CreatedAt.Equal(t0) {
			t.Errorf("stored = %+v", stored)
		}
		// Sealed, not plaintext: nonce + ciphertext + tag, without the secret in it.
		if bytes.Contains(stored.SealedSecret, []byte(k.SecretAccessKey)) {
			t.Error("the stored record holds the secret access key in plaintext")
		}
		if len(stored.SealedSecret) != 12+40+16 {
			t.Errorf("sealed secret is %d bytes, want %d", len(stored.SealedSecret), 12+40+16)
		}
	})

	t.Run("ErrNoAccount", func(t *testing.T) {
		t.Parallel()
		m := MustManager(t)
		if _, err := m.CreateAccessKey(t.Context(), "123456789012"); !errors.Is(err, identity.ErrNoAccount) {
			t.Errorf("err = %v, want ErrNoAccount", err)
		}
	})
}

func TestManager_Lookup(t *testing.T) {
	t.Parallel()
	m := MustManager(t)
	MustCreateAccount(t, m, "123456789012")
	MustCreateAccount(t, m, "444455556666")
	k := MustCreateAccessKey(t, m, "123456789012")
	bob := MustCreateAccessKey(t, m, "444455556666")
	inactive := MustCreateAccessKey(t, m, "123456789012")
	err := m.Store.Update(t.Context(), func(tx secrets.Tx) error {
		rec, err := tx.AccessKey(t.Context(), inactive.AccessKeyID)
		if err != nil {
			return err
		}
		rec.Status = "Inactive"
		return tx.PutAccessKey(t.Context(), rec)
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, want := range []*identity.AccessKey{k, bob} {
		t.Run("OK/"+want.Account, func(t *testing.T) {
			t.Parallel()
			id, secret, err := m.Lookup(t.Context(), want.AccessKeyID)
			if err != nil {
				t.Fatal(err)
			}
			if string(secret) != want.SecretAccessKey {
				t.Errorf("secret = %q, want %q", secret, want.SecretAccessKey)
			}
			if wantID := (auth.Identity{AccessKeyID: want.AccessKeyID, Account: want.Account, Principal: want.Principal}); id != wantID {
				t.Errorf("identity = %+v, want %+v", id, wantID)
			}
		})
	}

	for _, tt := range []struct{ name, id string }{
		{"ErrUnknown", "AKIAAAAAAAAAAAAAAAAA"},
		{"ErrEmpty", ""},
		{"ErrInactive", inactive.AccessKeyID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, secret, err := m.Lookup(t.Context(), tt.id)
			if !errors.Is(err, auth.ErrUnknownAccessKey) {
				t.Errorf("err = %v, want one wrapping auth.ErrUnknownAccessKey", err)
			}
			if secret != nil || id != (auth.Identity{}) {
				t.Errorf("Lookup returned %+v, %q with the error", id, secret)
			}
		})
	}

	t.Run("ErrDeactivated", func(t *testing.T) {
		t.Parallel()
		// A key made inactive after it was looked up stops working once
		// the cache forgets it.
		m := MustManager(t)
		MustCreateAccount(t, m, "123456789012")
		k := MustCreateAccessKey(t, m, "123456789012")
		if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); err != nil {
			t.Fatal(err)
		}
		err := m.Store.Update(t.Context(), func(tx secrets.Tx) error {
			rec, err := tx.AccessKey(t.Context(), k.AccessKeyID)
			if err != nil {
				return err
			}
			rec.Status = "Inactive"
			return tx.PutAccessKey(t.Context(), rec)
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Forget(k.AccessKeyID)
		if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); !errors.Is(err, auth.ErrUnknownAccessKey) {
			t.Errorf("err = %v, want one wrapping auth.ErrUnknownAccessKey", err)
		}
	})

	t.Run("ErrOtherRootKey", func(t *testing.T) {
		t.Parallel()
		// A Manager under another root key cannot open the stored secret,
		// and says so without treating the key as unknown.
		stranger := &identity.Manager{Store: m.Store, Root: MustManager(t).Root, Clock: m.Clock}
		_, secret, err := stranger.Lookup(t.Context(), k.AccessKeyID)
		if err == nil || errors.Is(err, auth.ErrUnknownAccessKey) || !errors.Is(err, keyring.ErrOpen) {
			t.Errorf("err = %v, want one wrapping keyring.ErrOpen", err)
		}
		if secret != nil {
			t.Errorf("secret = %q", secret)
		}
	})

	t.Run("ErrSealedSecretMovedToOtherKey", func(t *testing.T) {
		t.Parallel()
		// The sealed secret is bound to its access key id: copied onto
		// another key's record it does not open.
		m := MustManager(t)
		MustCreateAccount(t, m, "123456789012")
		a := MustCreateAccessKey(t, m, "123456789012")
		b := MustCreateAccessKey(t, m, "123456789012")
		err := m.Store.Update(t.Context(), func(tx secrets.Tx) error {
			ra, err := tx.AccessKey(t.Context(), a.AccessKeyID)
			if err != nil {
				return err
			}
			rb, err := tx.AccessKey(t.Context(), b.AccessKeyID)
			if err != nil {
				return err
			}
			rb.SealedSecret = ra.SealedSecret
			return tx.PutAccessKey(t.Context(), rb)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, secret, err := m.Lookup(t.Context(), b.AccessKeyID); !errors.Is(err, keyring.ErrOpen) {
			t.Errorf("Lookup = %q, %v; want keyring.ErrOpen", secret, err)
		}
	})
}
