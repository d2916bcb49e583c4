package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// fastParams are cheap argon2id parameters for tests; DefaultPassphraseParams
// is exercised once in TestPassphraseWrapper/Defaults.
func fastParams(salt byte) keyring.PassphraseParams {
	return keyring.PassphraseParams{Salt: bytes.Repeat([]byte{salt}, 16), Time: 1, MemoryKiB: 1024, Threads: 1}
}

func mustRootKey(tb testing.TB, b byte) *keyring.RootKey {
	tb.Helper()
	k, err := keyring.NewRootKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestRootKey_Check(t *testing.T) {
	t.Parallel()
	k, other := mustRootKey(t, 1), mustRootKey(t, 2)
	check := k.Check()
	if err := k.VerifyCheck(check); err != nil {
		t.Fatalf("VerifyCheck with the key that made it: %v", err)
	}
	if err := other.VerifyCheck(check); !errors.Is(err, keyring.ErrWrongRootKey) {
		t.Errorf("VerifyCheck with another key = %v, want ErrWrongRootKey", err)
	}
	// A value sealed for another purpose under the same key is no check.
	if err := k.VerifyCheck(k.Seal([]byte("coffer root key check v1"), []byte("other"))); !errors.Is(err, keyring.ErrWrongRootKey) {
		t.Errorf("VerifyCheck of a value with other additional data = %v, want ErrWrongRootKey", err)
	}
	if bytes.Equal(check, k.Check()) {
		t.Errorf("two checks are equal: the nonce is not fresh")
	}
	if !k.Equal(mustRootKey(t, 1)) || k.Equal(other) || k.Equal(nil) {
		t.Errorf("Equal is wrong")
	}
}

func TestPassphraseWrapper(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := mustRootKey(t, 7)

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		w, err := keyring.NewPassphraseWrapper([]byte("correct horse"), fastParams(1))
		if err != nil {
			t.Fatal(err)
		}
		wrapped, err := root.Wrap(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(wrapped, bytes.Repeat([]byte{7}, 32)) {
			t.Fatalf("the wrapped key holds the key in the clear")
		}
		// A wrapper derived again from the same passphrase and parameters unwraps it.
		w2, err := keyring.NewPassphraseWrapper([]byte("correct horse"), fastParams(1))
		if err != nil {
			t.Fatal(err)
		}
		got, err := keyring.UnwrapRootKey(ctx, w2, wrapped)
		if err != nil || !got.Equal(root) {
			t.Fatalf("UnwrapRootKey = %v, equal %v", err, got != nil && got.Equal(root))
		}
	})

	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		t.Parallel()
		w, _ := keyring.NewPassphraseWrapper([]byte("correct horse"), fastParams(2))
		wrapped, _ := root.Wrap(ctx, w)
		for name, wrong := range map[string]func() (*keyring.PassphraseWrapper, error){
			"passphrase": func() (*keyring.PassphraseWrapper, error) {
				return keyring.NewPassphraseWrapper([]byte("correct horsf"), fastParams(2))
			},
			"salt": func() (*keyring.PassphraseWrapper, error) {
				return keyring.NewPassphraseWrapper([]byte("correct horse"), fastParams(3))
			},
			"time": func() (*keyring.PassphraseWrapper, error) {
				p := fastParams(2)
				p.Time = 2
				return keyring.NewPassphraseWrapper([]byte("correct horse"), p)
			},
		} {
			ww, err := wrong()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := keyring.UnwrapRootKey(ctx, ww, wrapped); !errors.Is(err, keyring.ErrWrongPassphrase) {
				t.Errorf("wrong %s: UnwrapRootKey = %v, want ErrWrongPassphrase", name, err)
			}
		}
		damaged := bytes.Clone(wrapped)
		damaged[len(damaged)-1] ^= 1
		if _, err := keyring.UnwrapRootKey(ctx, w, damaged); !errors.Is(err, keyring.ErrWrongPassphrase) {
			t.Errorf("damaged wrapped key: %v, want ErrWrongPassphrase", err)
		}
	})

	t.Run("ErrBadParams", func(t *testing.T) {
		t.Parallel()
		for name, p := range map[string]keyring.PassphraseParams{
			"short salt":  {Salt: []byte("short"), Time: 1, MemoryKiB: 1024, Threads: 1},
			"no time":     {Salt: make([]byte, 16), Time: 0, MemoryKiB: 1024, Threads: 1},
			"huge memory": {Salt: make([]byte, 16), Time: 1, MemoryKiB: 1 << 30, Threads: 1},
			"no threads":  {Salt: make([]byte, 16), Time: 1, MemoryKiB: 1024, Threads: 0},
		} {
			if _, err := keyring.NewPassphraseWrapper([]byte("pass"), p); err == nil {
				t.Errorf("%s: NewPassphraseWrapper accepted %+v", name, p)
			}
		}
		if _, err := keyring.NewPassphraseWrapper(nil, fastParams(1)); err == nil {
			t.Errorf("NewPassphraseWrapper accepted an empty passphrase")
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		p, err := keyring.DefaultPassphraseParams(nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Time != 3 || p.MemoryKiB != 64<<10 || p.Threads != 4 || len(p.Salt) != 16 {
			t.Errorf("DefaultPassphraseParams = %+v, want RFC 9106's t=3, 64 MiB, 4 lanes, 16-byte salt", p)
		}
		q, _ := keyring.DefaultPassphraseParams(nil)
		if bytes.Equal(p.Salt, q.Salt) {
			t.Errorf("two default salts are equal")
		}
		w, err := keyring.NewPassphraseWrapper([]byte("correct horse"), p)
		if err != nil {
			t.Fatal(err)
		}
		wrapped, _ := root.Wrap(ctx, w)
		if got, err := keyring.UnwrapRootKey(ctx, w, wrapped); err != nil || !got.Equal(root) {
			t.Errorf("round trip with default parameters: %v", err)
		}
	})
}

func TestRewrapKeyMaterial(t *testing.T) {
	t.Parallel()
	old, next := mustRootKey(t, 1), mustRootKey(t, 2)
	kr := keyring.New(old, nil, nil)
	key := &secrets.KMSKey{ARN: keyring.KeyARN("us-east-1", "123456789012", "k1"), State: "Enabled"}
	for range 3 { // three material versions, as after two rotations
		if err := kr.AddMaterial(key); err != nil {
			t.Fatal(err)
		}
	}
	blob, err := kr.Encrypt(key, []byte("data"), map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	before := bytes.Clone(key.Material[0])
	if err := keyring.RewrapKeyMaterial(key, old, next); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before, key.Material[0]) {
		t.Fatalf("material unchanged")
	}
	// Under the new root key, the rewrapped material decrypts what the old made.
	got, err := keyring.New(next, nil, nil).Decrypt(key, blob, map[string]string{"a": "b"})
	if err != nil || string(got) != "data" {
		t.Fatalf("Decrypt under the new root key: %q, %v", got, err)
	}
	// Rewrapping with the wrong "from" key changes nothing.
	snapshot := [][]byte{bytes.Clone(key.Material[0]), bytes.Clone(key.Material[1]), bytes.Clone(key.Material[2])}
	if err := keyring.RewrapKeyMaterial(key, old, next); !errors.Is(err, keyring.ErrOpen) {
		t.Fatalf("RewrapKeyMaterial from the wrong key = %v, want ErrOpen", err)
	}
	for i := range snapshot {
		if !bytes.Equal(snapshot[i], key.Material[i]) {
			t.Errorf("a failed rewrap changed material version %d", i)
		}
	}
}
