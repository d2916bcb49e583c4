package keyring

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// DefaultKeyAlias is the alias of the AWS-managed key that encrypts secrets
// with no KmsKeyId.
const DefaultKeyAlias = "alias/aws/secretsmanager"

// Format versions of sealed data.
const (
	blobVersion  = 1 // KMS ciphertext blob (a wrapped data key)
	valueVersion = 1 // sealed secret value
)

// Keyring seals secret values under KMS keys whose material is wrapped by
// the root key. It is safe for concurrent use.
type Keyring struct {
	root   *RootKey
	clock  secrets.Clock
	random io.Reader

	mu    sync.RWMutex
	cache map[string]material // key ARN + "/" + material version → unwrapped key
}

// material is an unwrapped key material version.
type material struct {
	aead    cipher.AEAD
	managed bool // the key is AWS-managed: it is never disabled or deleted
}

var _ secrets.Sealer = (*Keyring)(nil)

// New returns a Keyring. A nil random means crypto/rand; a nil clock the
// system clock.
func New(root *RootKey, clock secrets.Clock, random io.Reader) *Keyring {
	if random == nil {
		random = rand.Reader
	}
	if clock == nil {
		clock = secrets.SystemClock{}
	}
	return &Keyring{root: root, clock: clock, random: random, cache: make(map[string]material)}
}

// Root returns the root key.
func (k *Keyring) Root() *RootKey { return k.root }

// Seal implements secrets.Sealer.
func (k *Keyring) Seal(ctx context.Context, tx secrets.Tx, s *secrets.Secret, versionID string, plaintext []byte) ([]byte, string, error) {
	const op = "keyring.Seal"
	key, err := k.keyFor(ctx, tx, s.Account, s.Region, s.KMSKeyID, true)
	if err != nil {
		if secrets.KindOf(err) == secrets.InvalidParameter {
			// The key the secret names is gone (deleted since): the value
			// cannot be encrypted.
			return nil, "", &secrets.Error{Kind: secrets.EncryptionFailed, Op: op, Msg: MsgEncryptionFailure, Err: err}
		}
		return nil, "", err
	}
	if key.State != "Enabled" {
		return nil, "", &secrets.Error{Kind: secrets.EncryptionFailed, Op: op, Msg: MsgEncryptionFailure,
			Err: fmt.Errorf("key %s is %s", key.ARN, key.State)}
	}
	idx := len(key.Material) - 1
	kek, err := k.material(key, idx)
	if err != nil {
		return nil, "", &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	dek := make([]byte, 32)
	if _, err := io.ReadFull(k.random, dek); err != nil {
		return nil, "", &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	defer clear(dek)
	wrapped := wrap(kek, key.ARN, uint32(idx), dek, secretContext(s.ARN, versionID))
	valueAEAD, err := newAEAD(dek)
	if err != nil {
		return nil, "", &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	out := make([]byte, 0, 1+4+len(wrapped)+len(plaintext)+28)
	out = append(out, valueVersion)
	out = binary.BigEndian.AppendUint32(out, uint32(len(wrapped)))
	out = append(out, wrapped...)
	out = valueAEAD.Seal(out, nil, plaintext, valueAAD(s.ARN, versionID))
	return out, key.ARN, nil
}

// Open implements secrets.Sealer.
func (k *Keyring) Open(ctx context.Context, tx secrets.Tx, s *secrets.Secret, v *secrets.Version) ([]byte, error) {
	const op = "keyring.Open"
	fail := func(err error) error {
		return &secrets.Error{Kind: secrets.DecryptionFailed, Op: op, Msg: MsgDecryptionFailure, Err: err}
	}
	b := v.Sealed
	if len(b) < 5 || b[0] != valueVersion {
		return nil, fail(errors.New("unknown sealed value format"))
	}
	n := binary.BigEndian.Uint32(b[1:5])
	if uint64(len(b)-5) < uint64(n) {
		return nil, fail(errors.New("truncated sealed value"))
	}
	wrapped, ct := b[5:5+n], b[5+n:]
	keyARN, idx, body, err := parseBlob(wrapped)
	if err != nil {
		return nil, fail(err)
	}
	// An AWS-managed key can be neither disabled nor deleted, so once its
	// material is unwrapped there is nothing to read back; a customer key's
	// state is read on every use, so that disabling it takes effect at once.
	kek, managed := k.cached(keyARN, idx)
	if kek == nil || !managed {
		key, err := tx.KMSKey(ctx, keyARN)
		if err != nil {
			if errors.Is(err, secrets.ErrNotFound) {
				return nil, fail(errors.New("key not found"))
			}
			return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
		}
		if key.State != "Enabled" {
			return nil, fail(fmt.Errorf("key %s is %s", key.ARN, key.State))
		}
		if kek, err = k.material(key, int(idx)); err != nil {
			return nil, fail(err)
		}
	}
	dek, err := kek.Open(nil, nil, body, blobAAD(keyARN, idx, secretContext(s.ARN, v.ID)))
	if err != nil {
		return nil, fail(ErrOpen)
	}
	defer clear(dek)
	valueAEAD, err := newAEAD(dek)
	if err != nil {
		return nil, fail(err)
	}
	pt, err := valueAEAD.Open(nil, nil, ct, valueAAD(s.ARN, v.ID))
	if err != nil {
		return nil, fail(ErrOpen)
	}
	return pt, nil
}

// ResolveKey implements secrets.Sealer. It returns the KmsKeyId as
// DescribeSecret shows it: empty for the AWS-managed default key (AWS omits
// it), an alias as its ARN, a key id or key ARN as given.
func (k *Keyring) ResolveKey(ctx context.Context, tx secrets.Tx, account, region, kmsKeyID string) (string, string, error) {
	key, err := k.keyFor(ctx, tx, account, region, kmsKeyID, false)
	if err != nil {
		return "", "", err
	}
	keyARN := key.ARN
	if key.ID == "" {
		keyARN = "" // the default key, not created yet
	}
	switch {
	case isDefaultKey(account, region, kmsKeyID):
		return "", keyARN, nil
	case strings.HasPrefix(kmsKeyID, "alias/"):
		return AliasARN(region, account, kmsKeyID), keyARN, nil
	}
	return kmsKeyID, keyARN, nil
}

func isDefaultKey(account, region, kmsKeyID string) bool {
	return kmsKeyID == "" || kmsKeyID == DefaultKeyAlias || kmsKeyID == AliasARN(region, account, DefaultKeyAlias)
}

// keyFor finds the KMS key that kmsKeyID names. An empty id, or the default
// alias, names the account's default key, which is created when create is
// set and it does not exist yet.
func (k *Keyring) keyFor(ctx context.Context, tx secrets.Tx, account, region, kmsKeyID string, create bool) (*secrets.KMSKey, error) {
	const op = "keyring.Key"
	aliasARN := AliasARN(region, account, DefaultKeyAlias)
	if isDefaultKey(account, region, kmsKeyID) {
		a, err := tx.KMSAlias(ctx, aliasARN)
		switch {
		case err == nil:
			key, err := tx.KMSKey(ctx, a.TargetKey)
			if err != nil {
				return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: fmt.Errorf("default key: %w", err)}
			}
			return key, nil
		case !errors.Is(err, secrets.ErrNotFound):
			return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
		case !create:
			// The default key comes into being on first use; naming it is fine.
			return &secrets.KMSKey{ARN: aliasARN, State: "Enabled"}, nil
		}
		return k.createDefaultKey(ctx, tx, account, region)
	}
	// Customer keys: by key ARN, key id, alias name or alias ARN.
	var keyARN string
	switch {
	case strings.HasPrefix(kmsKeyID, "arn:aws:kms:") && strings.Contains(kmsKeyID, ":key/"):
		keyARN = kmsKeyID
	case strings.HasPrefix(kmsKeyID, "arn:aws:kms:") && strings.Contains(kmsKeyID, ":alias/"),
		strings.HasPrefix(kmsKeyID, "alias/"):
		an := kmsKeyID
		if strings.HasPrefix(an, "alias/") {
			an = AliasARN(region, account, an)
		}
		a, err := tx.KMSAlias(ctx, an)
		if err != nil {
			return nil, keyNotFound(op, err)
		}
		keyARN = a.TargetKey
	default:
		keyARN = KeyARN(region, account, kmsKeyID)
	}
	key, err := tx.KMSKey(ctx, keyARN)
	if err != nil {
		return nil, keyNotFound(op, err)
	}
	if key.Account != account || key.Region != region {
		return nil, keyNotFound(op, secrets.ErrNotFound)
	}
	return key, nil
}

func keyNotFound(op string, err error) error {
	if errors.Is(err, secrets.ErrNotFound) {
		return &secrets.Error{Kind: secrets.InvalidParameter, Op: op, Msg: MsgKeyNotFound}
	}
	return &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
}

// Messages Secrets Manager gives for its KMS keys.
const (
	// MsgKeyNotFound answers a KmsKeyId that names no key. AWS answers
	// InvalidParameterException (boto/boto3#1533); its text was not captured.
	MsgKeyNotFound = "Secrets Manager can't find the specified KMS key."
	// MsgEncryptionFailure answers a write under a key that is disabled,
	// pending deletion or deleted: the EncryptionFailure text of the
	// Secrets Manager API reference (botocore's model documents the shape
	// with it); no AWS capture of a live answer was found.
	MsgEncryptionFailure = "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state."
	// MsgDecryptionFailure answers a read under such a key, or of a value
	// that fails to decrypt: the DecryptionFailure text of the API reference.
	MsgDecryptionFailure = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
)

func (k *Keyring) createDefaultKey(ctx context.Context, tx secrets.Tx, account, region string) (*secrets.KMSKey, error) {
	const op = "keyring.createDefaultKey"
	id, err := secrets.NewUUID(k.random)
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	now := k.clock.Now()
	key := &secrets.KMSKey{
		ARN: KeyARN(region, account, id), ID: id, Account: account, Region: region,
		Description: "Default key that protects my Secrets Manager data when no other key is defined",
		Manager:     "AWS", State: "Enabled", CreatedAt: now,
	}
	material := make([]byte, 32)
	if _, err := io.ReadFull(k.random, material); err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	key.Material = [][]byte{k.root.Seal(material, materialAAD(key.ARN, 0))}
	clear(material)
	if err := tx.PutKMSKey(ctx, key); err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	alias := &secrets.KMSAlias{
		ARN: AliasARN(region, account, DefaultKeyAlias), Name: DefaultKeyAlias,
		Account: account, Region: region, TargetKey: key.ARN, CreatedAt: now,
	}
	if err := tx.PutKMSAlias(ctx, alias); err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	return key, nil
}

// material returns the unwrapped AEAD of material version idx of key,
// caching it: unwrapping costs a root-key decryption.
func (k *Keyring) material(key *secrets.KMSKey, idx int) (cipher.AEAD, error) {
	if idx < 0 || idx >= len(key.Material) {
		return nil, fmt.Errorf("key material version %d of %d", idx, len(key.Material))
	}
	if a, _ := k.cached(key.ARN, uint32(idx)); a != nil {
		return a, nil
	}
	raw, err := k.root.Open(key.Material[idx], materialAAD(key.ARN, uint32(idx)))
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	a, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.cache[cacheKey(key.ARN, uint32(idx))] = material{aead: a, managed: key.Manager == "AWS"}
	k.mu.Unlock()
	return a, nil
}

// cached returns the unwrapped material version idx of a key if it is in
// the cache, and whether the key is AWS-managed.
func (k *Keyring) cached(keyARN string, idx uint32) (cipher.AEAD, bool) {
	k.mu.RLock()
	m := k.cache[cacheKey(keyARN, idx)]
	k.mu.RUnlock()
	return m.aead, m.managed
}

func cacheKey(keyARN string, idx uint32) string {
	return keyARN + "/" + strconv.FormatUint(uint64(idx), 10)
}

// KeyARN returns the ARN of KMS key id.
func KeyARN(region, account, id string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + id
}

// AliasARN returns the ARN of alias name ("alias/…").
func AliasARN(region, account, name string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + name
}

func secretContext(arn, versionID string) map[string]string {
	return map[string]string{"SecretARN": arn, "SecretVersionId": versionID}
}

// wrap seals dek under kek as a ciphertext blob:
// version(1) | len(keyARN)(2) | keyARN | material version(4) | nonce+ciphertext.
func wrap(kek cipher.AEAD, keyARN string, idx uint32, dek []byte, encCtx map[string]string) []byte {
	out := []byte{blobVersion}
	out = binary.BigEndian.AppendUint16(out, uint16(len(keyARN)))
	out = append(out, keyARN...)
	out = binary.BigEndian.AppendUint32(out, idx)
	return kek.Seal(out, nil, dek, blobAAD(keyARN, idx, encCtx))
}

func parseBlob(b []byte) (keyARN string, idx uint32, body []byte, err error) {
	if len(b) < 3 || b[0] != blobVersion {
		return "", 0, nil, errors.New("unknown ciphertext blob format")
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	if len(b) < 3+n+4 {
		return "", 0, nil, errors.New("truncated ciphertext blob")
	}
	keyARN = string(b[3 : 3+n])
	idx = binary.BigEndian.Uint32(b[3+n:])
	return keyARN, idx, b[3+n+4:], nil
}

// blobAAD binds a wrapped data key to its key, material version and
// encryption context (sorted by key, each part length-prefixed).
func blobAAD(keyARN string, idx uint32, encCtx map[string]string) []byte {
	aad := []byte("coffer/kms-blob/v1\x00")
	aad = appendField(aad, keyARN)
	aad = binary.BigEndian.AppendUint32(aad, idx)
	keys := make([]string, 0, len(encCtx))
	for k := range encCtx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		aad = appendField(aad, k)
		aad = appendField(aad, encCtx[k])
	}
	return aad
}

func valueAAD(secretARN, versionID string) []byte {
	aad := []byte("coffer/secret-value/v1\x00")
	aad = appendField(aad, secretARN)
	return appendField(aad, versionID)
}

func materialAAD(keyARN string, idx uint32) []byte {
	aad := []byte("coffer/kms-material/v1\x00")
	aad = appendField(aad, keyARN)
	return binary.BigEndian.AppendUint32(aad, idx)
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
