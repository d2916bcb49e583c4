package keyring

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Errors of the root key's check value and its wrapped forms.
var (
	// ErrWrongRootKey means a root key is not the one a data dir was
	// sealed with: its check value does not open under it.
	ErrWrongRootKey = errors.New("wrong root key: it does not open this data dir")
	// ErrWrongPassphrase means a passphrase does not unwrap the root key.
	ErrWrongPassphrase = errors.New("wrong passphrase: it does not unwrap this data dir's root key")
)

// checkPlaintext is what a root key check seals; checkAAD binds it to its use.
var (
	checkPlaintext = []byte("coffer root key check v1")
	checkAAD       = []byte("coffer/root-key-check/v1")
)

// GenerateRootKey returns a fresh root key drawn from random (crypto/rand
// when nil).
func GenerateRootKey(random io.Reader) (*RootKey, error) {
	if random == nil {
		random = rand.Reader
	}
	material := make([]byte, 32)
	defer clear(material)
	if _, err := io.ReadFull(random, material); err != nil {
		return nil, fmt.Errorf("generate root key: %w", err)
	}
	return NewRootKey(material)
}

// Check returns a fresh check value: a known plaintext sealed under k with a
// fixed additional data. It reveals nothing of k; VerifyCheck tells whether
// a key is the one that made it.
func (k *RootKey) Check() []byte { return k.Seal(checkPlaintext, checkAAD) }

// VerifyCheck returns nil if check was made by Check of this key, and
// ErrWrongRootKey otherwise.
func (k *RootKey) VerifyCheck(check []byte) error {
	pt, err := k.Open(check, checkAAD)
	if err != nil || subtle.ConstantTimeCompare(pt, checkPlaintext) != 1 {
		return ErrWrongRootKey
	}
	return nil
}

// Equal reports whether k and other are the same key.
func (k *RootKey) Equal(other *RootKey) bool {
	return other != nil && subtle.ConstantTimeCompare(k.raw, other.raw) == 1
}

// KeyWrapper protects the root key's material where it is stored beside
// the data: under a passphrase-derived key, or by an external KMS.
type KeyWrapper interface {
	// WrapKey encrypts 32 bytes of key material.
	WrapKey(ctx context.Context, material []byte) ([]byte, error)
	// UnwrapKey decrypts what WrapKey returned. It fails when the wrapper
	// is not the one that wrapped it.
	UnwrapKey(ctx context.Context, wrapped []byte) ([]byte, error)
}

// Wrap returns k's material wrapped by w. The material itself never leaves
// this package except to w.
func (k *RootKey) Wrap(ctx context.Context, w KeyWrapper) ([]byte, error) {
	return w.WrapKey(ctx, k.raw)
}

// UnwrapRootKey returns the root key that w wrapped as wrapped.
func UnwrapRootKey(ctx context.Context, w KeyWrapper, wrapped []byte) (*RootKey, error) {
	material, err := w.UnwrapKey(ctx, wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(material)
	return NewRootKey(material)
}

// PassphraseParams are the argon2id parameters and salt that derive a key
// from a passphrase. They are stored beside the wrapped root key: none is
// secret.
type PassphraseParams struct {
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// DefaultPassphraseParams returns RFC 9106's second recommended argon2id
// setting (t=3, 64 MiB, 4 lanes) with a fresh 16-byte salt from random
// (crypto/rand when nil).
func DefaultPassphraseParams(random io.Reader) (PassphraseParams, error) {
	if random == nil {
		random = rand.Reader
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(random, salt); err != nil {
		return PassphraseParams{}, fmt.Errorf("generate salt: %w", err)
	}
	return PassphraseParams{Salt: salt, Time: 3, MemoryKiB: 64 << 10, Threads: 4}, nil
}

// Limits on stored parameters, so a damaged or hostile data dir cannot make
// a start take unbounded memory or time.
const (
	maxArgonMemoryKiB = 4 << 20 // 4 GiB
	maxArgonTime      = 100
)

// PassphraseWrapper is a KeyWrapper whose key is derived from a passphrase
// with argon2id.
type PassphraseWrapper struct {
	aead cipher.AEAD
}

var _ KeyWrapper = (*PassphraseWrapper)(nil)

var passphraseAAD = []byte("coffer/root-key-wrap/passphrase/v1")

// NewPassphraseWrapper derives the wrapping key from passphrase and p.
func NewPassphraseWrapper(passphrase []byte, p PassphraseParams) (*PassphraseWrapper, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("empty passphrase")
	}
	if len(p.Salt) < 16 || p.Time == 0 || p.Time > maxArgonTime || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxArgonMemoryKiB || p.Threads == 0 {
		return nil, fmt.Errorf("bad argon2id parameters (time %d, memory %d KiB, threads %d, salt %d bytes)", p.Time, p.MemoryKiB, p.Threads, len(p.Salt))
	}
	kek := argon2.IDKey(passphrase, p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
	defer clear(kek)
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	return &PassphraseWrapper{aead: aead}, nil
}

// WrapKey implements KeyWrapper.
func (w *PassphraseWrapper) WrapKey(_ context.Context, material []byte) ([]byte, error) {
	return w.aead.Seal(nil, nil, material, passphraseAAD), nil
}

// UnwrapKey implements KeyWrapper. It fails with ErrWrongPassphrase.
func (w *PassphraseWrapper) UnwrapKey(_ context.Context, wrapped []byte) ([]byte, error) {
	pt, err := w.aead.Open(nil, nil, wrapped, passphraseAAD)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return pt, nil
}

// RewrapKeyMaterial re-seals every material version of key, sealed under
// from, under to. It changes key in place and stores nothing; it fails,
// changing nothing, if a version does not open under from.
func RewrapKeyMaterial(key *secrets.KMSKey, from, to *RootKey) error {
	out := make([][]byte, len(key.Material))
	for i, sealed := range key.Material {
		aad := materialAAD(key.ARN, uint32(i))
		raw, err := from.Open(sealed, aad)
		if err != nil {
			return fmt.Errorf("key %s material version %d: %w", key.ARN, i, err)
		}
		out[i] = to.Seal(raw, aad)
		clear(raw)
	}
	key.Material = out
	return nil
}
