package keyring

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Primitives for the KMS API. They do the cryptography only: whether a key
// may be used (its state, policies) is the caller's to decide, and so are
// the messages a client sees.

// Errors of the KMS primitives.
var (
	// ErrBadCiphertext means a ciphertext blob is not one this keyring made,
	// was damaged, or names a material version its key does not have.
	ErrBadCiphertext = errors.New("keyring: invalid ciphertext blob")
	// ErrKeyNotFound means the key a ciphertext blob names does not exist.
	ErrKeyNotFound = errors.New("keyring: key not found")
)

// AddMaterial appends a fresh 256-bit material version to key, wrapped by
// the root key. A new key gets its first material this way; rotation adds
// the next. The key record is not stored.
func (k *Keyring) AddMaterial(key *secrets.KMSKey) error {
	material := make([]byte, 32)
	if _, err := io.ReadFull(k.random, material); err != nil {
		return fmt.Errorf("generate key material: %w", err)
	}
	defer clear(material)
	idx := uint32(len(key.Material))
	key.Material = append(key.Material, k.root.Seal(material, materialAAD(key.ARN, idx)))
	return nil
}

// Encrypt encrypts plaintext under key's newest material, bound to encCtx,
// and returns a ciphertext blob that names the key and material version.
func (k *Keyring) Encrypt(key *secrets.KMSKey, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	idx := len(key.Material) - 1
	kek, err := k.material(key, idx)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", key.ARN, err)
	}
	return wrap(kek, key.ARN, uint32(idx), plaintext, encCtx), nil
}

// BlobKey returns the ARN of the key a ciphertext blob names, or
// ErrBadCiphertext.
func BlobKey(blob []byte) (string, error) {
	keyARN, _, _, err := parseBlob(blob)
	if err != nil {
		return "", ErrBadCiphertext
	}
	return keyARN, nil
}

// BlobMaterial returns the material version a ciphertext blob names, or
// ErrBadCiphertext.
func BlobMaterial(blob []byte) (uint32, error) {
	_, idx, _, err := parseBlob(blob)
	if err != nil {
		return 0, ErrBadCiphertext
	}
	return idx, nil
}

// Decrypt decrypts a ciphertext blob made by Encrypt with the same
// encryption context. key must be the key the blob names (see BlobKey).
// Any mismatch is ErrBadCiphertext.
func (k *Keyring) Decrypt(key *secrets.KMSKey, blob []byte, encCtx map[string]string) ([]byte, error) {
	keyARN, idx, body, err := parseBlob(blob)
	if err != nil || keyARN != key.ARN {
		return nil, ErrBadCiphertext
	}
	kek, err := k.material(key, int(idx))
	if err != nil {
		return nil, ErrBadCiphertext
	}
	pt, err := kek.Open(nil, nil, body, blobAAD(keyARN, idx, encCtx))
	if err != nil {
		return nil, ErrBadCiphertext
	}
	return pt, nil
}

// LoadBlobKey reads the key a ciphertext blob names through tx.
func LoadBlobKey(ctx context.Context, tx secrets.Tx, blob []byte) (*secrets.KMSKey, error) {
	keyARN, err := BlobKey(blob)
	if err != nil {
		return nil, err
	}
	key, err := tx.KMSKey(ctx, keyARN)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, ErrKeyNotFound
	}
	return key, err
}
