package secrets

import (
	"context"
	"errors"
	"strings"

	"github.com/coffer-dev/coffer/internal/policy"
)

// actionOf is the IAM action of a domain operation: "secrets.GetSecretValue"
// is "secretsmanager:GetSecretValue".
func actionOf(op string) string { return "secretsmanager:" + strings.TrimPrefix(op, "secrets.") }

// authorize asks the Authorizer whether c may perform op on sec, which the
// caller named as shown. extra holds the operation's own condition keys
// (secretsmanager:VersionStage, aws:RequestTag/…); the secret's are added
// here: secretsmanager:SecretId, secretsmanager:ResourceTag/… and
// aws:ResourceTag/… (Secrets Manager's "Condition keys" in the Service
// Authorization Reference).
func (s *Service) authorize(ctx context.Context, c Caller, op string, sec *Secret, shown string, extra map[string][]string) error {
	if s.Authorizer == nil {
		return nil
	}
	keys := make(map[string][]string, len(extra)+1+2*len(sec.Tags))
	for k, v := range extra {
		keys[k] = v
	}
	keys["secretsmanager:SecretId"] = []string{sec.ARN}
	for _, t := range sec.Tags {
		keys["secretsmanager:ResourceTag/"+t.Key] = []string{t.Value}
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return internal(op, s.Authorizer.Authorize(ctx, c, Access{
		Action: actionOf(op), Resource: sec.ARN, ResourceAccount: sec.Account,
		ResourcePolicy: sec.ResourcePolicy, Context: keys, Shown: shown,
	}))
}

// authorizeMissing is authorize for a SecretId that names no secret. As on
// AWS, authorization comes first: a caller who may not perform op on such
// a secret is refused (AccessDeniedException) rather than told it does not
// exist. The resource is the ARN the id would have.
func (s *Service) authorizeMissing(ctx context.Context, c Caller, op string, key SecretKey, shown string, extra map[string][]string) error {
	if s.Authorizer == nil {
		return nil
	}
	arn, account := key.ARN, key.Account // secretKey fills Account for an ARN too
	if arn == "" {
		arn = "arn:aws:secretsmanager:" + key.Region + ":" + key.Account + ":secret:" + key.Name
	}
	keys := make(map[string][]string, len(extra)+1)
	for k, v := range extra {
		keys[k] = v
	}
	keys["secretsmanager:SecretId"] = []string{arn}
	return internal(op, s.Authorizer.Authorize(ctx, c, Access{
		Action: actionOf(op), Resource: arn, ResourceAccount: account, Context: keys, Shown: shown,
	}))
}

// authorizeAny is authorize for actions on no particular secret
// (ListSecrets, GetRandomPassword, BatchGetSecretValue): resource "*".
func (s *Service) authorizeAny(ctx context.Context, c Caller, op string) error {
	if s.Authorizer == nil {
		return nil
	}
	return internal(op, s.Authorizer.Authorize(ctx, c, Access{Action: actionOf(op), Resource: "*"}))
}

// authorizeKey asks whether c may use the KMS key keyARN for action
// (kms:Decrypt to read sec's version versionID, kms:GenerateDataKey to
// write one) through Secrets Manager: the key's policy and the caller's
// IAM policies decide, with kms:ViaService and the encryption context
// Secrets Manager uses (AWS KMS Developer Guide, "How AWS Secrets Manager
// uses AWS KMS"). A refusal is AWS's "Access to KMS is not allowed".
func (s *Service) authorizeKey(ctx context.Context, tx Tx, c Caller, op string, sec *Secret, keyARN, action, versionID string) error {
	if s.Authorizer == nil || keyARN == "" {
		return nil
	}
	if c.Root() && c.Session == nil && policy.ARNAccount(keyARN) == c.Account {
		return nil
	}
	k, err := s.keyRecord(ctx, tx, keyARN)
	if errors.Is(err, ErrNotFound) {
		return newError(Denied, op, msgKMSNotAllowed)
	}
	if err != nil {
		return internal(op, err)
	}
	keys := map[string][]string{
		"kms:ViaService":                        {"secretsmanager." + sec.Region + ".amazonaws.com"},
		"kms:CallerAccount":                     {c.Account},
		"kms:EncryptionContext:SecretARN":       {sec.ARN},
		"kms:EncryptionContextKeys":             {"SecretARN", "SecretVersionId"},
		"kms:EncryptionContext:SecretVersionId": {versionID},
		"kms:EncryptionAlgorithm":               {"SYMMETRIC_DEFAULT"},
	}
	err = s.Authorizer.Authorize(ctx, c, Access{
		Action: action, Resource: k.ARN, ResourceAccount: k.Account,
		KeyPolicy: KeyPolicy(k), Context: keys,
		Lazy:       map[string]func() []string{"kms:ResourceAliases": ResourceAliases(ctx, tx, k)},
		ServiceKey: k.Manager == "AWS",
	})
	if err != nil && KindOf(err) == Denied {
		return newError(Denied, op, msgKMSNotAllowed)
	}
	return internal(op, err)
}

// RequestTagKeys adds to keys (a new map when nil) the request's
// aws:RequestTag/… and aws:TagKeys condition keys for tags.
func RequestTagKeys(keys map[string][]string, tags []Tag) map[string][]string {
	if keys == nil {
		keys = make(map[string][]string, len(tags)+1)
	}
	if len(tags) == 0 {
		return keys
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		names = append(names, t.Key)
	}
	keys["aws:TagKeys"] = names
	return keys
}

// open decrypts version v of sec for c, who must be allowed kms:Decrypt on
// the version's key through Secrets Manager.
func (s *Service) open(ctx context.Context, tx Tx, c Caller, op string, sec *Secret, v *Version) ([]byte, error) {
	if err := s.authorizeKey(ctx, tx, c, op, sec, v.KMSKeyARN, "kms:Decrypt", v.ID); err != nil {
		return nil, err
	}
	pt, err := s.Sealer.Open(ctx, tx, sec, v)
	return pt, internal(op, err)
}

// seal encrypts plaintext as version versionID of sec for c, who must be
// allowed kms:GenerateDataKey on the secret's key through Secrets Manager.
func (s *Service) seal(ctx context.Context, tx Tx, c Caller, op string, sec *Secret, versionID string, plaintext []byte) ([]byte, string, error) {
	sealed, keyARN, err := s.Sealer.Seal(ctx, tx, sec, versionID, plaintext)
	if err != nil {
		return nil, "", internal(op, err)
	}
	if err := s.authorizeKey(ctx, tx, c, op, sec, keyARN, "kms:GenerateDataKey", versionID); err != nil {
		clear(sealed)
		return nil, "", err
	}
	return sealed, keyARN, nil
}

// GetRandomPassword generates a password to spec, for a caller allowed
// secretsmanager:GetRandomPassword.
func (s *Service) GetRandomPassword(ctx context.Context, c Caller, spec PasswordSpec) (string, error) {
	const op = "secrets.GetRandomPassword"
	if err := s.authorizeAny(ctx, c, op); err != nil {
		return "", err
	}
	return RandomPassword(s.Random, spec)
}

// keyRecord reads a KMS key for authorization. An AWS-managed key's policy
// and account never change and the key is never deleted, so it is read
// once and kept; a customer key is read every time, as its policy may
// change.
func (s *Service) keyRecord(ctx context.Context, tx Tx, keyARN string) (*KMSKey, error) {
	if k, ok := s.managedKeys.Load(keyARN); ok {
		return k.(*KMSKey), nil
	}
	k, err := tx.KMSKey(ctx, keyARN)
	if err != nil {
		return nil, err
	}
	if k.Manager == "AWS" {
		// Keep only what authorization reads (no key material), with the
		// policy in force spelled out once.
		s.managedKeys.Store(keyARN, &KMSKey{ARN: k.ARN, Account: k.Account, Region: k.Region, Manager: k.Manager, Policy: KeyPolicy(k)})
	}
	return k, nil
}
