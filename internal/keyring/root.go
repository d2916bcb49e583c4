package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Errors returned when loading or using the root key.
var (
	// ErrKeyFileMode means the key file can be read or written by group or others.
	ErrKeyFileMode = errors.New("root key file is accessible by group or others; chmod 600 it")
	// ErrKeyFileFormat means the key file is not a Coffer root key.
	ErrKeyFileFormat = errors.New("root key file is not in coffer-root-key-v1 format")
	// ErrOpen means a ciphertext failed authentication: wrong key, wrong
	// additional data, or a damaged or moved ciphertext.
	ErrOpen = errors.New("ciphertext failed authentication")
)

const rootKeyHeader = "coffer-root-key-v1"

// RootKey is the 256-bit key at the top of the hierarchy. It must never be
// stored beside the data it protects, logged or printed.
type RootKey struct {
	aead cipher.AEAD
	raw  []byte
}

// NewRootKey returns a RootKey from 32 bytes of key material.
func NewRootKey(material []byte) (*RootKey, error) {
	if len(material) != 32 {
		return nil, fmt.Errorf("root key must be 32 bytes, got %d", len(material))
	}
	aead, err := newAEAD(material)
	if err != nil {
		return nil, err
	}
	return &RootKey{aead: aead, raw: bytes.Clone(material)}, nil
}

// GenerateRootKeyFile writes a fresh root key drawn from random (crypto/rand
// when nil) to path, created with mode 0600. It refuses to overwrite a file.
func GenerateRootKeyFile(path string, random io.Reader) error {
	k, err := GenerateRootKey(random)
	if err != nil {
		return err
	}
	return WriteRootKeyFile(path, k)
}

// WriteRootKeyFile writes k to a new file at path with mode 0600 and
// fsyncs it. It refuses to overwrite a file.
func WriteRootKeyFile(path string, k *RootKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key file dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	line := rootKeyHeader + " " + base64.StdEncoding.EncodeToString(k.raw) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key file: %w", err)
	}
	return f.Close()
}

// LoadRootKey reads the root key file at path. It refuses a file that group
// or others may access.
func LoadRootKey(path string) (*RootKey, error) {
	// Open first and check the open file, so that the file checked is the
	// file read.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", path, ErrKeyFileFormat)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s (mode %04o): %w", path, fi.Mode().Perm(), ErrKeyFileMode)
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	defer clear(data)
	fields := strings.Fields(string(data))
	if len(fields) != 2 || fields[0] != rootKeyHeader {
		return nil, ErrKeyFileFormat
	}
	material, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(material) != 32 {
		return nil, ErrKeyFileFormat
	}
	defer clear(material)
	return NewRootKey(material)
}

// Seal encrypts plaintext under the root key, bound to aad.
func (k *RootKey) Seal(plaintext, aad []byte) []byte {
	return k.aead.Seal(nil, nil, plaintext, aad)
}

// Open decrypts a ciphertext made by Seal with the same aad.
func (k *RootKey) Open(ciphertext, aad []byte) ([]byte, error) {
	pt, err := k.aead.Open(nil, nil, ciphertext, aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// Derive returns a 32-byte key for purpose, derived from the root key with
// HKDF-SHA256, for uses such as signing pagination tokens.
func (k *RootKey) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.raw, nil, "coffer/"+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce
	}
	return out
}

// newAEAD returns AES-256-GCM with random 96-bit nonces prepended to each
// ciphertext.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}
