package keyring_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/keyring"
)

func TestGenerateRootKeyFile(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "keys", "root.key") // the directory is created
		material := bytes.Repeat([]byte{0x42}, 32)
		if err := keyring.GenerateRootKeyFile(path, bytes.NewReader(material)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := "coffer-root-key-v1 " + base64.StdEncoding.EncodeToString(material) + "\n"; string(data) != want {
			t.Errorf("file = %q, want %q", data, want)
		}
		k, err := keyring.LoadRootKey(path)
		if err != nil {
			t.Fatalf("LoadRootKey: %v", err)
		}
		// The loaded key is the generated one: it opens what the same material seals.
		same, _ := keyring.NewRootKey(material)
		ct := same.Seal([]byte("x"), []byte("aad"))
		if pt, err := k.Open(ct, []byte("aad")); err != nil || string(pt) != "x" {
			t.Errorf("Open = %q, %v", pt, err)
		}
	})

	t.Run("OKRandom", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		for _, p := range []string{a, b} {
			if err := keyring.GenerateRootKeyFile(p, nil); err != nil {
				t.Fatal(err)
			}
		}
		ka, errA := keyring.LoadRootKey(a)
		kb, errB := keyring.LoadRootKey(b)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if bytes.Equal(ka.Derive("x"), kb.Derive("x")) {
			t.Error("two generated root keys are equal")
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "root.key")
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := keyring.GenerateRootKeyFile(path, nil)
		if !errors.Is(err, os.ErrExist) {
			t.Errorf("err = %v, want os.ErrExist", err)
		}
		if data, _ := os.ReadFile(path); string(data) != "keep me" {
			t.Errorf("file overwritten: %q", data)
		}
	})

	t.Run("ErrShortRandom", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "root.key")
		if err := keyring.GenerateRootKeyFile(path, bytes.NewReader(make([]byte, 31))); err == nil {
			t.Error("no error from a short random source")
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a key file was left behind: %v", err)
		}
	})
}

func TestLoadRootKey(t *testing.T) {
	t.Parallel()
	good := "coffer-root-key-v1 " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)) + "\n"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr error // nil: loads
	}{
		{"OK", good, 0o600, nil},
		{"OKOwnerReadOnly", good, 0o400, nil},
		{"OKNoNewline", strings.TrimSpace(good), 0o600, nil},
		{"ErrGroupReadable", good, 0o640, keyring.ErrKeyFileMode},
		{"ErrOthersReadable", good, 0o604, keyring.ErrKeyFileMode},
		{"ErrGroupWritable", good, 0o620, keyring.ErrKeyFileMode},
		{"ErrWorldReadable", good, 0o644, keyring.ErrKeyFileMode},
		{"ErrEmpty", "", 0o600, keyring.ErrKeyFileFormat},
		{"ErrNoHeader", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)) + "\n", 0o600, keyring.ErrKeyFileFormat},
		{"ErrWrongHeader", "coffer-root-key-v2 " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)), 0o600, keyring.ErrKeyFileFormat},
		{"ErrNotBase64", "coffer-root-key-v1 not*base64!", 0o600, keyring.ErrKeyFileFormat},
		{"ErrShortKey", "coffer-root-key-v1 " + base64.StdEncoding.EncodeToString(make([]byte, 16)), 0o600, keyring.ErrKeyFileFormat},
		{"ErrLongKey", "coffer-root-key-v1 " + base64.StdEncoding.EncodeToString(make([]byte, 33)), 0o600, keyring.ErrKeyFileFormat},
		{"ErrExtraField", strings.TrimSpace(good) + " extra\n", 0o600, keyring.ErrKeyFileFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "root.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			k, err := keyring.LoadRootKey(path)
			if tt.wantErr == nil {
				if err != nil || k == nil {
					t.Fatalf("LoadRootKey = %v, %v", k, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if k != nil {
				t.Error("a key was returned with the error")
			}
		})
	}

	t.Run("ErrMissing", func(t *testing.T) {
		t.Parallel()
		_, err := keyring.LoadRootKey(filepath.Join(t.TempDir(), "absent"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want os.ErrNotExist", err)
		}
	})
}

func TestNewRootKey(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33, 64} {
		t.Run(fmt.Sprintf("ErrLength%d", n), func(t *testing.T) {
			t.Parallel()
			if _, err := keyring.NewRootKey(make([]byte, n)); err == nil {
				t.Errorf("NewRootKey accepted %d bytes", n)
			}
		})
	}
}

func TestRootKey_SealOpen(t *testing.T) {
	t.Parallel()
	k := MustRootKey(t)
	ct := k.Seal([]byte("plaintext"), []byte("aad"))
	if bytes.Contains(ct, []byte("plaintext")) || len(ct) != 12+len("plaintext")+16 {
		t.Errorf("ciphertext %x", ct)
	}
	if pt, err := k.Open(ct, []byte("aad")); err != nil || string(pt) != "plaintext" {
		t.Errorf("Open = %q, %v", pt, err)
	}
	if _, err := k.Open(ct, []byte("other aad")); !errors.Is(err, keyring.ErrOpen) {
		t.Errorf("Open with other aad: %v, want ErrOpen", err)
	}
	if _, err := MustRootKey(t).Open(ct, []byte("aad")); !errors.Is(err, keyring.ErrOpen) {
		t.Errorf("Open with another key: %v, want ErrOpen", err)
	}
	if bytes.Equal(ct, k.Seal([]byte("plaintext"), []byte("aad"))) {
		t.Error("Seal reused a nonce")
	}
}

func TestRootKey_Derive(t *testing.T) {
	t.Parallel()
	material := bytes.Repeat([]byte{9}, 32)
	k1, _ := keyring.NewRootKey(material)
	k2, _ := keyring.NewRootKey(bytes.Clone(material))
	other := MustRootKey(t)

	a := k1.Derive("list-token")
	if len(a) != 32 {
		t.Fatalf("len = %d, want 32", len(a))
	}
	if !bytes.Equal(a, k1.Derive("list-token")) || !bytes.Equal(a, k2.Derive("list-token")) {
		t.Error("Derive is not deterministic for one purpose")
	}
	if bytes.Equal(a, k1.Derive("other-purpose")) || bytes.Equal(a, k1.Derive("")) {
		t.Error("two purposes derive the same key")
	}
	if bytes.Equal(a, other.Derive("list-token")) {
		t.Error("two root keys derive the same key")
	}
	if bytes.Equal(a, material) {
		t.Error("Derive returned the root key itself")
	}
}

// ExampleRootKey derives a key for one purpose: the same root key and
// purpose always give the same key, another purpose another key.
func ExampleRootKey() {
	root, err := keyring.NewRootKey(bytes.Repeat([]byte{1}, 32)) // use keyring.LoadRootKey in real code
	if err != nil {
		fmt.Println(err)
		return
	}
	tokens := root.Derive("pagination-tokens")
	fmt.Println(len(tokens), bytes.Equal(tokens, root.Derive("pagination-tokens")), bytes.Equal(tokens, root.Derive("audit")))

	sealed := root.Seal([]byte("data key"), []byte("bound to this"))
	pt, err := root.Open(sealed, []byte("bound to this"))
	fmt.Printf("%s %v\n", pt, err)
	_, err = root.Open(sealed, []byte("something else"))
	fmt.Println(err)
	// Output:
	// 32 true false
	// data key <nil>
	// ciphertext failed authentication
}
