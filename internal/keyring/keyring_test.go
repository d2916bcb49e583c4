package keyring_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

const (
	account = "111122223333"
	region  = "us-east-1"
	// msgDecrypt is what a client sees when a value cannot be opened.
	msgDecrypt = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
)

var t0 = time.Date(2024, 5, 10, 15, 30, 0, 0, time.UTC)

func secretARN(account, region, name string) string {
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-AbCdEf"
}

// MustStore opens a SQLite store in tb.TempDir and closes it when the test ends.
func MustStore(tb testing.TB) *sqlite.Store {
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
	return st
}

// MustRootKey returns a root key of 32 random bytes.
func MustRootKey(tb testing.TB) *keyring.RootKey {
	tb.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	k, err := keyring.NewRootKey(b)
	if err != nil {
		tb.Fatalf("NewRootKey: %v", err)
	}
	return k
}

// MustKeyring returns a Keyring under a random root key on a fake clock, and
// the store it keeps its keys in.
func MustKeyring(tb testing.TB) (*keyring.Keyring, *sqlite.Store) {
	tb.Helper()
	return keyring.New(MustRootKey(tb), clock.NewFake(t0), nil), MustStore(tb)
}

// MustSeal seals plaintext as version id of sec in a write transaction.
func MustSeal(tb testing.TB, kr *keyring.Keyring, st secrets.Store, sec *secrets.Secret, id string, plaintext []byte) *secrets.Version {
	tb.Helper()
	var v *secrets.Version
	err := st.Update(tb.Context(), func(tx secrets.Tx) error {
		sealed, keyARN, err := kr.Seal(tb.Context(), tx, sec, id, plaintext)
		if err != nil {
			return err
		}
		v = &secrets.Version{SecretARN: sec.ARN, ID: id, KMSKeyARN: keyARN, Sealed: sealed}
		return nil
	})
	if err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return v
}

// open opens v as a version of sec in a read transaction.
func open(tb testing.TB, kr *keyring.Keyring, st secrets.Store, sec *secrets.Secret, v *secrets.Version) ([]byte, error) {
	tb.Helper()
	var pt []byte
	err := st.View(tb.Context(), func(tx secrets.Tx) error {
		var err error
		pt, err = kr.Open(tb.Context(), tx, sec, v)
		return err
	})
	return pt, err
}

// assertDecryptFails checks that err is the DecryptionFailed *secrets.Error
// with AWS's message.
func assertDecryptFails(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		tb.Fatal("Open succeeded, want DecryptionFailed")
	}
	if got := secrets.KindOf(err); got != secrets.DecryptionFailed {
		tb.Errorf("KindOf = %v, want DecryptionFailed (err: %v)", got, err)
	}
	if got := secrets.MessageOf(err); got != msgDecrypt {
		tb.Errorf("MessageOf = %q, want %q", got, msgDecrypt)
	}
}

// defaultKey returns the default key of the account and region from the
// store, following its alias.
func defaultKey(tb testing.TB, st secrets.Store, account, region string) (*secrets.KMSAlias, *secrets.KMSKey) {
	tb.Helper()
	var (
		a *secrets.KMSAlias
		k *secrets.KMSKey
	)
	err := st.View(tb.Context(), func(tx secrets.Tx) error {
		var err error
		if a, err = tx.KMSAlias(tb.Context(), keyring.AliasARN(region, account, keyring.DefaultKeyAlias)); err != nil {
			return err
		}
		k, err = tx.KMSKey(tb.Context(), a.TargetKey)
		return err
	})
	if err != nil {
		tb.Fatalf("default key of %s/%s: %v", account, region, err)
	}
	return a, k
}

func TestKeyring_SealOpen(t *testing.T) {
	t.Parallel()
	kr, st := MustKeyring(t)
	sec := &secrets.Secret{ARN: secretARN(account, region, "db"), Account: account, Region: region, Name: "db"}
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"OK", []byte("hunter2")},
		{"OKEmpty", []byte{}},
		{"OKBinary", []byte{0, 0xff, 0, 0x80}},
		{"OKLarge", bytes.Repeat([]byte("x"), 65536)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprintf("version-%d", i)
			v := MustSeal(t, kr, st, sec, id, tt.plaintext)
			if bytes.Contains(v.Sealed, tt.plaintext) && len(tt.plaintext) > 0 {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := open(t, kr, st, sec, v)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
			// A fresh Keyring (no cache) on the same root key and store opens it too.
			fresh := keyring.New(kr.Root(), nil, nil)
			if got, err := open(t, fresh, st, sec, v); err != nil || !bytes.Equal(got, tt.plaintext) {
				t.Errorf("fresh keyring: Open = %q, %v", got, err)
			}
		})
	}

	t.Run("OKFreshNonces", func(t *testing.T) {
		t.Parallel()
		a := MustSeal(t, kr, st, sec, "same", []byte("same"))
		b := MustSeal(t, kr, st, sec, "same", []byte("same"))
		if bytes.Equal(a.Sealed, b.Sealed) {
			t.Error("sealing twice gave the same bytes")
		}
	})
}

func TestKeyring_Open_Binding(t *testing.T) {
	t.Parallel()
	kr, st := MustKeyring(t)
	sec := &secrets.Secret{ARN: secretARN(account, region, "db"), Account: account, Region: region, Name: "db"}
	v := MustSeal(t, kr, st, sec, "v1", []byte("hunter2"))
	// The other secret is in the same account and region: same KMS key.
	other := &secrets.Secret{ARN: secretARN(account, region, "other"), Account: account, Region: region, Name: "other"}
	MustSeal(t, kr, st, other, "v1", []byte("x"))

	tests := []struct {
		name string
		sec  *secrets.Secret
		v    *secrets.Version
	}{
		{"ErrOtherSecret", other, &secrets.Version{SecretARN: other.ARN, ID: "v1", Sealed: v.Sealed}},
		{"ErrOtherVersion", sec, &secrets.Version{SecretARN: sec.ARN, ID: "v2", Sealed: v.Sealed}},
		{"ErrOtherSecretAndVersion", other, &secrets.Version{SecretARN: other.ARN, ID: "v2", Sealed: v.Sealed}},
		{"ErrEmpty", sec, &secrets.Version{SecretARN: sec.ARN, ID: "v1"}},
		{"ErrTruncated", sec, &secrets.Version{SecretARN: sec.ARN, ID: "v1", Sealed: v.Sealed[:len(v.Sealed)-1]}},
		{"ErrExtended", sec, &secrets.Version{SecretARN: sec.ARN, ID: "v1", Sealed: append(bytes.Clone(v.Sealed), 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := open(t, kr, st, tt.sec, tt.v)
			assertDecryptFails(t, err)
		})
	}

	t.Run("ErrAnyFlippedByte", func(t *testing.T) {
		t.Parallel()
		for i := range v.Sealed {
			for _, mask := range []byte{0x01, 0x80} {
				b := bytes.Clone(v.Sealed)
				b[i] ^= mask
				_, err := open(t, kr, st, sec, &secrets.Version{SecretARN: sec.ARN, ID: "v1", Sealed: b})
				if err == nil {
					t.Fatalf("byte %d ^ %#x: Open succeeded", i, mask)
				}
				if secrets.KindOf(err) != secrets.DecryptionFailed || secrets.MessageOf(err) != msgDecrypt {
					t.Fatalf("byte %d ^ %#x: %v, want DecryptionFailed", i, mask, err)
				}
			}
		}
		// The original still opens.
		if got, err := open(t, kr, st, sec, v); err != nil || string(got) != "hunter2" {
			t.Errorf("Open = %q, %v", got, err)
		}
	})

	t.Run("ErrOtherRootKey", func(t *testing.T) {
		t.Parallel()
		stranger := keyring.New(MustRootKey(t), nil, nil)
		_, err := open(t, stranger, st, sec, v)
		assertDecryptFails(t, err)
	})
}

func TestKeyring_DefaultKey(t *testing.T) {
	t.Parallel()
	kr, st := MustKeyring(t)
	seal := func(account, region, name string) *secrets.Version {
		sec := &secrets.Secret{ARN: secretARN(account, region, name), Account: account, Region: region, Name: name}
		return MustSeal(t, kr, st, sec, "v1", []byte("value of "+name))
	}

	// Naming the default key before it exists is fine and creates nothing.
	err := st.View(t.Context(), func(tx secrets.Tx) error {
		for _, id := range []string{"", keyring.DefaultKeyAlias, keyring.AliasARN(region, account, keyring.DefaultKeyAlias)} {
			if _, _, err := kr.ResolveKey(t.Context(), tx, account, region, id); err != nil {
				return fmt.Errorf("ResolveKey(%q): %w", id, err)
			}
		}
		_, err := tx.KMSAlias(t.Context(), keyring.AliasARN(region, account, keyring.DefaultKeyAlias))
		if !errors.Is(err, secrets.ErrNotFound) {
			return fmt.Errorf("default alias before first Seal: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	v1 := seal(account, region, "a")
	alias, key := defaultKey(t, st, account, region)
	if v1.KMSKeyARN != key.ARN || alias.Name != keyring.DefaultKeyAlias || alias.TargetKey != key.ARN {
		t.Errorf("Seal used %s; alias %+v; key %s", v1.KMSKeyARN, alias, key.ARN)
	}
	if key.ARN != keyring.KeyARN(region, account, key.ID) || key.Account != account || key.Region != region ||
		key.Manager != "AWS" || key.State != "Enabled" || !key.CreatedAt.Equal(t0) {
		t.Errorf("default key = %+v", key)
	}
	// Wrapped material: 12-byte nonce, 32 bytes of key, 16-byte tag.
	if len(key.Material) != 1 || len(key.Material[0]) != 12+32+16 {
		t.Errorf("material: %d versions, first %d bytes; want 1 of 60", len(key.Material), len(key.Material[0]))
	}

	// Reused: the same account and region get the same key.
	v2 := seal(account, region, "b")
	if _, again := defaultKey(t, st, account, region); again.ARN != key.ARN || v2.KMSKeyARN != key.ARN {
		t.Errorf("second Seal: key %s, alias → %s; want %s", v2.KMSKeyARN, again.ARN, key.ARN)
	}
	// A Keyring without a cache reuses it too.
	fresh := keyring.New(kr.Root(), nil, nil)
	sec := &secrets.Secret{ARN: secretARN(account, region, "c"), Account: account, Region: region, Name: "c"}
	if v := MustSeal(t, fresh, st, sec, "v1", []byte("c")); v.KMSKeyARN != key.ARN {
		t.Errorf("fresh keyring sealed under %s, want %s", v.KMSKeyARN, key.ARN)
	}

	// Another region and another account each get their own.
	west := seal(account, "us-west-2", "a")
	_, westKey := defaultKey(t, st, account, "us-west-2")
	bob := seal("444455556666", region, "a")
	_, bobKey := defaultKey(t, st, "444455556666", region)
	keys := map[string]bool{key.ARN: true, westKey.ARN: true, bobKey.ARN: true}
	if len(keys) != 3 || west.KMSKeyARN != westKey.ARN || bob.KMSKeyARN != bobKey.ARN {
		t.Errorf("keys: %s %s %s", key.ARN, westKey.ARN, bobKey.ARN)
	}
	if bytes.Equal(key.Material[0], westKey.Material[0]) {
		t.Error("two default keys have the same wrapped material")
	}
}

func TestKeyring_MaterialWrapped(t *testing.T) {
	t.Parallel()
	kr, st := MustKeyring(t)
	sec := &secrets.Secret{ARN: secretARN(account, region, "db"), Account: account, Region: region, Name: "db"}
	v := MustSeal(t, kr, st, sec, "v1", []byte("hunter2"))
	_, key := defaultKey(t, st, account, region)

	// Another root key cannot unwrap the stored material, so cannot open
	// the value, whatever it caches.
	stranger := keyring.New(MustRootKey(t), nil, nil)
	_, err := open(t, stranger, st, sec, v)
	assertDecryptFails(t, err)

	// The stored material differs with the root key: the same key ARN
	// wrapped under two root keys does not match.
	kr2, st2 := MustKeyring(t)
	MustSeal(t, kr2, st2, sec, "v1", []byte("hunter2"))
	_, key2 := defaultKey(t, st2, account, region)
	if bytes.Equal(key.Material[0], key2.Material[0]) {
		t.Error("material wrapped under two root keys is identical")
	}
}

func TestKeyring_ResolveKey(t *testing.T) {
	t.Parallel()
	kr, st := MustKeyring(t)
	sec := &secrets.Secret{ARN: secretARN(account, region, "db"), Account: account, Region: region, Name: "db"}
	MustSeal(t, kr, st, sec, "v1", []byte("x"))
	_, key := defaultKey(t, st, account, region)

	// ResolveKey returns the KmsKeyId as DescribeSecret shows it: nothing
	// for the default key, an alias as its ARN, a key id or ARN as given.
	tests := []struct {
		name    string
		account string
		region  string
		id      string
		want    string
		wantErr bool // InvalidParameter with MsgKeyNotFound
	}{
		{"OKEmpty", account, region, "", "", false},
		{"OKDefaultAlias", account, region, keyring.DefaultKeyAlias, "", false},
		{"OKDefaultAliasARN", account, region, keyring.AliasARN(region, account, keyring.DefaultKeyAlias), "", false},
		{"OKKeyID", account, region, key.ID, key.ID, false},
		{"OKKeyARN", account, region, key.ARN, key.ARN, false},
		{"ErrUnknownKeyID", account, region, "1234abcd-12ab-34cd-56ef-1234567890ab", "", true},
		{"ErrUnknownKeyARN", account, region, keyring.KeyARN(region, account, "1234abcd-12ab-34cd-56ef-1234567890ab"), "", true},
		{"ErrUnknownAlias", account, region, "alias/nope", "", true},
		{"ErrUnknownAliasARN", account, region, keyring.AliasARN(region, account, "alias/nope"), "", true},
		{"ErrKeyOfOtherAccount", "444455556666", region, key.ARN, "", true},
		{"ErrKeyOfOtherRegion", account, "us-west-2", key.ARN, "", true},
		{"ErrKeyIDInOtherRegion", account, "us-west-2", key.ID, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			err := st.View(t.Context(), func(tx secrets.Tx) error {
				var err error
				got, _, err = kr.ResolveKey(t.Context(), tx, tt.account, tt.region, tt.id)
				return err
			})
			if !tt.wantErr {
				if err != nil || got != tt.want {
					t.Errorf("ResolveKey = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if secrets.KindOf(err) != secrets.InvalidParameter || secrets.MessageOf(err) != keyring.MsgKeyNotFound {
				t.Errorf("ResolveKey = %q, %v; want InvalidParameter %q", got, err, keyring.MsgKeyNotFound)
			}
		})
	}

	t.Run("ErrSealUnknownKey", func(t *testing.T) {
		t.Parallel()
		sec := &secrets.Secret{ARN: secretARN(account, region, "cmk"), Account: account, Region: region, Name: "cmk", KMSKeyID: "alias/nope"}
		err := st.Update(t.Context(), func(tx secrets.Tx) error {
			_, _, err := kr.Seal(t.Context(), tx, sec, "v1", []byte("x"))
			return err
		})
		// A secret whose key is gone cannot take a new value.
		if secrets.KindOf(err) != secrets.EncryptionFailed || secrets.MessageOf(err) != keyring.MsgEncryptionFailure {
			t.Errorf("Seal = %v, want EncryptionFailed", err)
		}
	})
}

// ExampleKeyring seals a secret value under the account's default key and
// opens it again.
func ExampleKeyring() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "coffer-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(filepath.Join(dir, "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	root, _ := keyring.NewRootKey(bytes.Repeat([]byte{7}, 32)) // use keyring.LoadRootKey in real code
	kr := keyring.New(root, nil, nil)
	sec := &secrets.Secret{
		ARN:     "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
		Account: "123456789012", Region: "us-east-1", Name: "db",
	}

	var v *secrets.Version
	_ = store.Update(ctx, func(tx secrets.Tx) error {
		sealed, keyARN, err := kr.Seal(ctx, tx, sec, "v1", []byte("hunter2"))
		v = &secrets.Version{SecretARN: sec.ARN, ID: "v1", KMSKeyARN: keyARN, Sealed: sealed}
		return err
	})
	_ = store.View(ctx, func(tx secrets.Tx) error {
		pt, err := kr.Open(ctx, tx, sec, v)
		fmt.Printf("%s %v\n", pt, err)
		// The same bytes presented as another version do not open.
		_, err = kr.Open(ctx, tx, sec, &secrets.Version{SecretARN: sec.ARN, ID: "v2", Sealed: v.Sealed})
		fmt.Println(secrets.KindOf(err))
		return nil
	})
	// Output:
	// hunter2 <nil>
	// DecryptionFailed
}
