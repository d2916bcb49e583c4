package kms

import (
	"context"
	"errors"
	"io"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// EncryptOutput is a ciphertext blob and the ARN of the key that made it.
type EncryptOutput struct {
	CiphertextBlob []byte
	KeyARN         string
	MaterialID     string // the KeyMaterialId of the material that encrypted
}

// checkAlgorithm refuses an encryption algorithm other than
// SYMMETRIC_DEFAULT, the only one a symmetric key has.
func checkAlgorithm(op, alg string) error {
	if alg != "" && alg != SymmetricDefault {
		return secrets.Errorf(secrets.InvalidKeyUsage, op, "%s", msgAlgorithm(alg, SymmetricDefault))
	}
	return nil
}

// encryptWith finds an enabled customer key (any KeyId form) and encrypts
// under it. action is the key policy action the operation needs.
//
// An AWS-managed key is refused: its key policy allows cryptographic use
// only through the AWS service it belongs to (kms:ViaService), so a direct
// call is denied on AWS too. That also keeps callers from making blobs
// under the key that seals Secrets Manager's data keys.
func (s *Service) encryptWith(ctx context.Context, tx secrets.Tx, op, action string, c secrets.Caller, keyID string, plaintext []byte, encCtx map[string]string) (*EncryptOutput, error) {
	k, err := s.findKeyFor(ctx, tx, op, "kms:"+action, c, keyID, withAlias, contextKeys(encCtx))
	if err != nil {
		return nil, err
	}
	if err := customer(op, action, c, k); err != nil {
		return nil, err
	}
	if err := usable(op, k); err != nil {
		return nil, err
	}
	blob, err := s.Keyring.Encrypt(k, plaintext, encCtx)
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyARN: k.ARN, MaterialID: MaterialID(k.ARN, len(k.Material)-1)}, nil
}

// Encrypt encrypts up to 4 KiB under the key KeyId names (any form),
// bound to the encryption context.
func (s *Service) Encrypt(ctx context.Context, c secrets.Caller, keyID string, plaintext []byte, encCtx map[string]string, alg string) (*EncryptOutput, error) {
	const op = "kms.Encrypt"
	if err := checkAlgorithm(op, alg); err != nil {
		return nil, err
	}
	var out *EncryptOutput
	err := s.view(ctx, c, func(tx secrets.Tx) error {
		var err error
		out, err = s.encryptWith(ctx, tx, op, "Encrypt", c, keyID, plaintext, encCtx)
		return err
	})
	return out, internal(op, err)
}

// DecryptOutput is a plaintext and the ARN of the key that decrypted it.
// Plaintext is secret material: callers clear it when done.
type DecryptOutput struct {
	Plaintext  []byte
	KeyARN     string
	MaterialID string // the KeyMaterialId of the material that decrypted
}

// decryptWith decrypts a blob made by Encrypt. The blob names its key; a
// KeyId, when given (any form), must name the same key. AWS-managed keys
// are refused as in encryptWith.
func (s *Service) decryptWith(ctx context.Context, tx secrets.Tx, op, action string, c secrets.Caller, blob []byte, encCtx map[string]string, keyID string) (*DecryptOutput, error) {
	keyARN, err := keyring.BlobKey(blob)
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.DecryptionFailed, Op: op, Err: err}
	}
	if keyID != "" {
		want, err := s.findKeyFor(ctx, tx, op, "kms:"+action, c, keyID, withAlias, contextKeys(encCtx))
		if err != nil {
			return nil, err
		}
		if want.ARN != keyARN {
			return nil, secrets.Errorf(secrets.IncorrectKey, op, "%s", msgIncorrectKey)
		}
	}
	k, err := s.keyByARNFor(ctx, tx, op, "kms:"+action, c, keyARN, contextKeys(encCtx))
	if err != nil {
		return nil, err
	}
	if err := customer(op, action, c, k); err != nil {
		return nil, err
	}
	if err := usable(op, k); err != nil {
		return nil, err
	}
	pt, err := s.Keyring.Decrypt(k, blob, encCtx)
	if errors.Is(err, keyring.ErrBadCiphertext) {
		return nil, &secrets.Error{Kind: secrets.DecryptionFailed, Op: op, Err: err}
	}
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	idx, _ := keyring.BlobMaterial(blob) // the blob opened: it parses
	return &DecryptOutput{Plaintext: pt, KeyARN: k.ARN, MaterialID: MaterialID(k.ARN, int(idx))}, nil
}

// Decrypt decrypts a ciphertext blob with the encryption context it was
// made with. A wrong context or a damaged blob is InvalidCiphertext (the
// DecryptionFailed kind), with no message, as AWS answers.
func (s *Service) Decrypt(ctx context.Context, c secrets.Caller, blob []byte, encCtx map[string]string, keyID, alg string) (*DecryptOutput, error) {
	const op = "kms.Decrypt"
	if err := checkAlgorithm(op, alg); err != nil {
		return nil, err
	}
	var out *DecryptOutput
	err := s.view(ctx, c, func(tx secrets.Tx) error {
		var err error
		out, err = s.decryptWith(ctx, tx, op, "Decrypt", c, blob, encCtx, keyID)
		return err
	})
	return out, internal(op, err)
}

// ReEncryptInput is ReEncrypt's input.
type ReEncryptInput struct {
	CiphertextBlob               []byte
	SourceEncryptionContext      map[string]string
	SourceKeyID                  string
	DestinationKeyID             string
	DestinationEncryptionContext map[string]string
	SourceAlgorithm              string
	DestinationAlgorithm         string
}

// ReEncryptOutput is the new blob, and the keys before and after.
type ReEncryptOutput struct {
	CiphertextBlob        []byte
	SourceKeyARN          string
	KeyARN                string
	SourceMaterialID      string
	DestinationMaterialID string
}

// ReEncrypt decrypts a blob and encrypts its plaintext under another key
// (or the same one, with a new context), without the plaintext leaving
// the service.
func (s *Service) ReEncrypt(ctx context.Context, c secrets.Caller, in ReEncryptInput) (*ReEncryptOutput, error) {
	const op = "kms.ReEncrypt"
	if err := checkAlgorithm(op, in.SourceAlgorithm); err != nil {
		return nil, err
	}
	if err := checkAlgorithm(op, in.DestinationAlgorithm); err != nil {
		return nil, err
	}
	var out *ReEncryptOutput
	err := s.view(ctx, c, func(tx secrets.Tx) error {
		dec, err := s.decryptWith(ctx, tx, op, "ReEncryptFrom", c, in.CiphertextBlob, in.SourceEncryptionContext, in.SourceKeyID)
		if err != nil {
			return err
		}
		defer clear(dec.Plaintext)
		enc, err := s.encryptWith(ctx, tx, op, "ReEncryptTo", c, in.DestinationKeyID, dec.Plaintext, in.DestinationEncryptionContext)
		if err != nil {
			return err
		}
		out = &ReEncryptOutput{CiphertextBlob: enc.CiphertextBlob, SourceKeyARN: dec.KeyARN, KeyARN: enc.KeyARN,
			SourceMaterialID: dec.MaterialID, DestinationMaterialID: enc.MaterialID}
		return nil
	})
	return out, internal(op, err)
}

// DataKeyInput is GenerateDataKey's input: exactly one of KeySpec
// ("AES_256", "AES_128") and NumberOfBytes.
type DataKeyInput struct {
	KeyID         string
	KeySpec       string
	NumberOfBytes int
	Context       map[string]string
}

// DataKeyOutput is a fresh data key, in plaintext and wrapped. Plaintext
// is secret material: callers clear it when done.
type DataKeyOutput struct {
	Plaintext      []byte
	CiphertextBlob []byte
	KeyARN         string
	MaterialID     string
}

// GenerateDataKey returns a fresh random data key and the same key
// encrypted under the key KeyId names (any form).
func (s *Service) GenerateDataKey(ctx context.Context, c secrets.Caller, in DataKeyInput) (*DataKeyOutput, error) {
	return s.generateDataKey(ctx, c, in, "GenerateDataKey")
}

func (s *Service) generateDataKey(ctx context.Context, c secrets.Caller, in DataKeyInput, action string) (*DataKeyOutput, error) {
	op := "kms." + action
	n := in.NumberOfBytes
	switch {
	case in.KeySpec != "" && n != 0, in.KeySpec == "" && n == 0:
		return nil, secrets.Errorf(secrets.Validation, op, "%s", msgKeySpecOrBytes)
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	}
	dk := make([]byte, n)
	if _, err := io.ReadFull(s.random(), dk); err != nil {
		return nil, internal(op, err)
	}
	var out *DataKeyOutput
	err := s.view(ctx, c, func(tx secrets.Tx) error {
		enc, err := s.encryptWith(ctx, tx, op, action, c, in.KeyID, dk, in.Context)
		if err != nil {
			return err
		}
		out = &DataKeyOutput{Plaintext: dk, CiphertextBlob: enc.CiphertextBlob, KeyARN: enc.KeyARN, MaterialID: enc.MaterialID}
		return nil
	})
	if err != nil {
		clear(dk)
		return nil, internal(op, err)
	}
	return out, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey that returns only the
// wrapped key.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, c secrets.Caller, in DataKeyInput) (*DataKeyOutput, error) {
	out, err := s.generateDataKey(ctx, c, in, "GenerateDataKeyWithoutPlaintext")
	if err != nil {
		return nil, err
	}
	clear(out.Plaintext)
	out.Plaintext = nil
	return out, nil
}

// GenerateRandom returns n (1–1024) random bytes; n is 0 when the caller
// gave none. Custom key stores do not exist in Coffer.
func (s *Service) GenerateRandom(ctx context.Context, c secrets.Caller, n int, customKeyStore string) ([]byte, error) {
	const op = "kms.GenerateRandom"
	if customKeyStore != "" {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgCustomKeyStore)
	}
	if n == 0 {
		return nil, secrets.Errorf(secrets.Validation, op, "%s", msgNumberOfBytesRequired)
	}
	if err := s.authorizeAny(ctx, c, op, nil); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.random(), b); err != nil {
		return nil, internal(op, err)
	}
	return b, nil
}
