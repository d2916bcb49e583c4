// Package keyring implements Coffer's envelope encryption.
//
// # Key hierarchy
//
//	root key (256-bit)        a key file outside the data dir, or stored beside the data only wrapped
//	                          (by a passphrase-derived key or an external KMS)
//	 └─ KMS keys              per account and region; each key material version is stored
//	     │                    wrapped by the root key
//	     └─ data keys         one fresh 256-bit key per secret version, stored wrapped by its KMS key
//	         └─ secret value  AES-256-GCM, bound to the secret ARN and version id
//
// # Sealing a secret value
//
//  1. Find the secret's KMS key. With no KmsKeyId, that is the account's
//     AWS-managed key alias/aws/secretsmanager in the secret's region, created
//     (and its material wrapped by the root key) the first time it is needed.
//  2. Draw a fresh 256-bit data key from the random source.
//  3. Wrap the data key under the KMS key's newest material with AES-256-GCM
//     and a random 96-bit nonce; the additional data is the key ARN, the
//     material version and the encryption context
//     {"SecretARN": arn, "SecretVersionId": id}, as AWS Secrets Manager sends
//     to KMS. The result is a ciphertext blob that names its key and material
//     version, so a later key rotation leaves it readable.
//  4. Encrypt the value under the data key with AES-256-GCM and a random nonce;
//     the additional data is the secret ARN and the version id, so a
//     ciphertext copied to another secret or version fails to open.
//  5. Store format version, wrapped data key and value ciphertext together
//     (see sealedValue). The data key's plaintext is dropped.
//
// Opening reverses the steps; any mismatch of key, material, context or
// additional data is a decryption failure and reveals nothing of the value.
//
// With a customer key (KmsKeyId a key id, key ARN, alias name or alias ARN),
// step 1 resolves the alias when the value is written, and the key must be
// Enabled: a disabled key, one pending deletion or a deleted one makes
// writes fail (EncryptionFailure) and reads fail (DecryptionFailure) while
// the values stay stored. An AWS-managed key can never be disabled, so once
// its material is unwrapped it is not read again; a customer key's state is
// read on every use.
//
// # KMS API
//
// The KMS API's Encrypt and Decrypt (kms.go) use the same ciphertext blob as
// step 3: format version, key ARN, material version, then AES-256-GCM under
// that material with the key ARN, material version and the caller's
// encryption context as additional data. Decrypt needs no key id, a rotated
// key still opens its old blobs, and a different context fails.
//
// # Root key file
//
// The root key file holds one line, "coffer-root-key-v1 <base64 of 32 bytes>",
// and must not be readable by group or others: LoadRootKey refuses it otherwise.
//
// # Root key check and wrapped root keys
//
// RootKey.Check seals a fixed plaintext under the root key with the fixed
// additional data "coffer/root-key-check/v1"; VerifyCheck opens it, so a
// stored check tells whether a key is the one a data dir was sealed with
// without revealing anything of it. Instead of a key file, the root key can
// be stored beside the data wrapped by a KeyWrapper:
//
//   - PassphraseWrapper: AES-256-GCM under a key derived from a passphrase
//     with argon2id (RFC 9106's second recommended setting by default: t=3,
//     64 MiB, 4 lanes, a 16-byte random salt); the salt and parameters are
//     stored with the wrapped key. A wrong passphrase fails authentication
//     (ErrWrongPassphrase).
//   - an external KMS's Encrypt and Decrypt (cmd/coffer), with a fixed
//     encryption context.
//
// Rotating the root key re-seals everything sealed under it:
// RewrapKeyMaterial for KMS key material, identity.RewrapAccessKey for
// access-key secrets, and the check. Anything new sealed under the root key
// must be added to rotate-root-key (cmd/coffer/rotate.go).
package keyring
