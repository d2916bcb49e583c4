package identity_test

import (
	"errors"
	"testing"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
)

const userARN = "arn:aws:iam::123456789012:user/team/alice"

func issue(tb testing.TB, m *identity.Manager, account, principal string) *identity.AccessKey {
	tb.Helper()
	var k *identity.AccessKey
	err := m.Store.Update(tb.Context(), func(tx secrets.Tx) (err error) {
		k, err = m.IssueAccessKey(tb.Context(), tx, account, principal)
		return err
	})
	if err != nil {
		tb.Fatalf("IssueAccessKey: %v", err)
	}
	return k
}

func TestIssueAccessKey_Principal(t *testing.T) {
	m := MustManager(t)
	MustCreateAccount(t, m, "123456789012")
	k := issue(t, m, "123456789012", userARN)
	if !accessKeyPattern.MatchString(k.AccessKeyID) || !secretKeyPattern.MatchString(k.SecretAccessKey) {
		t.Errorf("key = %s / %s, want AKIA… and a 40-character secret", k.AccessKeyID, k.SecretAccessKey)
	}
	if k.Principal != userARN || k.Account != "123456789012" || !k.CreatedAt.Equal(t0) {
		t.Errorf("key = %+v", k)
	}
	id, secret, err := m.Lookup(t.Context(), k.AccessKeyID)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if id.Principal != userARN || id.Account != "123456789012" || string(secret) != k.SecretAccessKey {
		t.Errorf("Lookup = %+v, %q", id, secret)
	}
	// Sealed as root keys are: not in plaintext.
	if sk := storedKey(t, m, k.AccessKeyID); sk.Status != identity.StatusActive || string(sk.SealedSecret) == k.SecretAccessKey {
		t.Errorf("stored key = %+v", sk)
	}
	var keys []*secrets.AccessKey
	err = m.Store.View(t.Context(), func(tx secrets.Tx) (err error) {
		keys, err = m.AccessKeysOf(t.Context(), tx, userARN)
		return err
	})
	if err != nil || len(keys) != 1 || keys[0].ID != k.AccessKeyID {
		t.Errorf("AccessKeysOf = %v, %v", keys, err)
	}
}

// TestAccessKeyChanges_Forget checks that a key made inactive or deleted
// stops working at once when Forget follows, though Lookup had cached it.
func TestAccessKeyChanges_Forget(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m *identity.Manager, tx secrets.Tx, id string) error
	}{
		{"Inactive", func(m *identity.Manager, tx secrets.Tx, id string) error {
			return m.SetAccessKeyStatus(t.Context(), tx, id, identity.StatusInactive)
		}},
		{"Deleted", func(m *identity.Manager, tx secrets.Tx, id string) error {
			return m.DeleteAccessKey(t.Context(), tx, id)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := MustManager(t)
			MustCreateAccount(t, m, "123456789012")
			k := issue(t, m, "123456789012", userARN)
			if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			err := m.Store.Update(t.Context(), func(tx secrets.Tx) error { return c.change(m, tx, k.AccessKeyID) })
			if err != nil {
				t.Fatal(err)
			}
			// Still cached: within CacheTTL another process's change is
			// not seen either.
			if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); err != nil {
				t.Fatalf("Lookup before Forget: %v", err)
			}
			m.Forget(k.AccessKeyID)
			if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); !errors.Is(err, auth.ErrUnknownAccessKey) {
				t.Errorf("Lookup after Forget: err = %v, want ErrUnknownAccessKey", err)
			}
		})
	}
}

func TestSetAccessKeyStatus(t *testing.T) {
	m := MustManager(t)
	MustCreateAccount(t, m, "123456789012")
	k := issue(t, m, "123456789012", userARN)
	set := func(status string) error {
		return m.Store.Update(t.Context(), func(tx secrets.Tx) error {
			return m.SetAccessKeyStatus(t.Context(), tx, k.AccessKeyID, status)
		})
	}
	if err := set("Expired"); err == nil {
		t.Error("SetAccessKeyStatus(Expired) succeeded")
	}
	if err := set(identity.StatusInactive); err != nil {
		t.Fatal(err)
	}
	if sk := storedKey(t, m, k.AccessKeyID); sk.Status != identity.StatusInactive {
		t.Errorf("status = %s, want Inactive", sk.Status)
	}
	if err := set(identity.StatusActive); err != nil {
		t.Fatal(err)
	}
	m.Forget(k.AccessKeyID)
	if _, _, err := m.Lookup(t.Context(), k.AccessKeyID); err != nil {
		t.Errorf("Lookup of a reactivated key: %v", err)
	}
	err := m.Store.Update(t.Context(), func(tx secrets.Tx) error {
		return m.SetAccessKeyStatus(t.Context(), tx, "AKIAMISSING", identity.StatusActive)
	})
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("SetAccessKeyStatus(missing): err = %v, want ErrNotFound", err)
	}
}
