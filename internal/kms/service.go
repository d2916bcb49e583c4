// Package kms implements the AWS KMS operations Coffer serves: symmetric
// customer keys, aliases, encryption with them, rotation and scheduled
// deletion. It holds the rules (key states, windows, AWS's messages); the
// cryptography is package keyring's, the records package secrets' Store.
// There is no HTTP and no SQL here.
package kms

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Key states, as AWS names them.
const (
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"
)

// Key managers.
const (
	ManagerAWS      = "AWS"
	ManagerCustomer = "CUSTOMER"
)

// Limits and defaults, as AWS's.
const (
	MinPendingWindowDays     = 7
	MaxPendingWindowDays     = 30
	DefaultPendingWindowDays = 30
	DefaultRotationDays      = 365
	MaxOnDemandRotations     = 25
	MaxTags                  = 50
	DefaultListLimit         = 100
)

// SymmetricDefault is the only key spec and encryption algorithm Coffer has.
const SymmetricDefault = "SYMMETRIC_DEFAULT"

// Service implements the KMS operations. Its fields are set once, before use.
type Service struct {
	Store   secrets.Store
	Keyring *keyring.Keyring
	Clock   secrets.Clock
	Random  io.Reader // nil means crypto/rand
	Logger  *slog.Logger
	// Authorizer decides who may use and manage keys, with each key's
	// policy; nil allows everything (tests).
	Authorizer secrets.Authorizer
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

func (s *Service) random() io.Reader {
	if s.Random == nil {
		return rand.Reader
	}
	return s.Random
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// errNeedDefaultKey tells a read-only operation that the AWS-managed default
// key must be created first (in a write transaction).
var errNeedDefaultKey = errors.New("kms: default key does not exist yet")

// view runs fn in a read-only transaction. When fn needs the AWS-managed
// key that comes into being on first reference, it is created in a write
// transaction and fn runs again.
func (s *Service) view(ctx context.Context, c secrets.Caller, fn func(secrets.Tx) error) error {
	err := s.Store.View(ctx, fn)
	if !errors.Is(err, errNeedDefaultKey) {
		return err
	}
	if err := s.Store.Update(ctx, func(tx secrets.Tx) error {
		_, err := s.Keyring.DefaultKey(ctx, tx, c.Account, c.Region)
		return err
	}); err != nil {
		return err
	}
	return s.Store.View(ctx, fn)
}

// update is view for operations that write.
func (s *Service) update(ctx context.Context, c secrets.Caller, fn func(secrets.Tx) error) error {
	return s.Store.Update(ctx, func(tx secrets.Tx) error {
		err := fn(tx)
		if errors.Is(err, errNeedDefaultKey) {
			if _, err := s.Keyring.DefaultKey(ctx, tx, c.Account, c.Region); err != nil {
				return err
			}
			return fn(tx)
		}
		return err
	})
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// idForms says which forms of KeyId an operation accepts.
type idForms uint8

const (
	keyOnly   idForms = iota // key id or key ARN
	withAlias                // also alias name or alias ARN
)

// findKey resolves a KeyId for the caller. A key whose deletion date has
// passed is gone even before the background job removes it.
func (s *Service) findKey(ctx context.Context, tx secrets.Tx, op string, c secrets.Caller, id string, forms idForms) (*secrets.KMSKey, error) {
	return s.findKeyFor(ctx, tx, op, actionOf(op), c, id, forms)
}

// actionOf is the IAM action of an operation: "kms.DescribeKey" is
// "kms:DescribeKey".
func actionOf(op string) string { return "kms:" + strings.TrimPrefix(op, "kms.") }

// crossAccount lists the actions a principal of another account may be
// granted on a key, by the key's ARN ("Allowing users in other accounts to
// use a KMS key" in the AWS KMS Developer Guide).
var crossAccount = map[string]bool{
	"kms:Encrypt": true, "kms:Decrypt": true, "kms:ReEncryptFrom": true, "kms:ReEncryptTo": true,
	"kms:GenerateDataKey": true, "kms:GenerateDataKeyWithoutPlaintext": true,
	"kms:DescribeKey": true, "kms:GetKeyRotationStatus": true, "kms:ReEncrypt": true,
}

// findKeyFor is findKey authorizing action rather than op's own, with the
// request's own condition keys extra (the encryption context); naming the
// key by an alias adds kms:RequestAlias.
func (s *Service) findKeyFor(ctx context.Context, tx secrets.Tx, op, action string, c secrets.Caller, id string, forms idForms, extra ...map[string][]string) (*secrets.KMSKey, error) {
	var keyARN string
	switch {
	case strings.HasPrefix(id, "arn:"):
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return nil, secrets.Errorf(secrets.InvalidARN, op, "%s", msgInvalidARN)
		}
		region, account, res := parts[3], parts[4], parts[5]
		switch {
		case strings.HasPrefix(res, "key/"):
			if region != c.Region {
				return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgInvalidARNRegion(region))
			}
			if account != c.Account && !crossAccount[action] || !uuidRE.MatchString(strings.TrimPrefix(res, "key/")) {
				return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgKeyNotExist(id))
			}
			keyARN = id
		case strings.HasPrefix(res, "alias/") && forms == withAlias:
			if region != c.Region || account != c.Account && !crossAccount[action] {
				return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgAliasNotFound(id))
			}
			owner := c
			owner.Account = account
			a, err := s.findAlias(ctx, tx, op, owner, res)
			if errors.Is(err, errNeedDefaultKey) && account != c.Account {
				// Another account's AWS-managed alias, not made yet: it
				// names nothing (and nothing is made for the caller).
				return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgAliasNotFound(id))
			}
			if err != nil {
				return nil, err
			}
			keyARN = a.TargetKey
			extra = append(extra, map[string][]string{"kms:RequestAlias": {res}})
		case strings.HasPrefix(res, "alias/"):
			return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgInvalidKeyID(id))
		default:
			return nil, secrets.Errorf(secrets.InvalidARN, op, "%s", msgInvalidARN)
		}
	case strings.HasPrefix(id, "alias/") && forms == withAlias:
		a, err := s.findAlias(ctx, tx, op, c, id)
		if err != nil {
			return nil, err
		}
		keyARN = a.TargetKey
		extra = append(extra, map[string][]string{"kms:RequestAlias": {id}})
	default:
		if !uuidRE.MatchString(id) {
			return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgInvalidKeyID(id))
		}
		keyARN = keyring.KeyARN(c.Region, c.Account, strings.ToLower(id))
	}
	return s.keyByARNFor(ctx, tx, op, action, c, keyARN, extra...)
}

// keyByARNFor reads a key the caller may see and authorizes action on it. A key
// of another account is visible only for the actions that can be granted
// across accounts, and only as its policy and the caller's allow.
func (s *Service) keyByARNFor(ctx context.Context, tx secrets.Tx, op, action string, c secrets.Caller, keyARN string, extra ...map[string][]string) (*secrets.KMSKey, error) {
	k, err := tx.KMSKey(ctx, keyARN)
	if errors.Is(err, secrets.ErrNotFound) || (err == nil && (k.Account != c.Account && !crossAccount[action] || k.Region != c.Region || s.gone(k))) {
		return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgKeyNotExist(keyARN))
	}
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	if err := s.authorizeKey(ctx, tx, op, action, c, k, extra...); err != nil {
		return nil, err
	}
	return k, nil
}

// authorizeKey asks whether c may perform action on k: the key's policy
// must allow it, directly or by delegating to IAM. Condition keys:
// kms:CallerAccount, kms:ResourceAliases and aws:ResourceTag/… (AWS KMS
// Developer Guide, "Condition keys for AWS KMS").
func (s *Service) authorizeKey(ctx context.Context, tx secrets.Tx, op, action string, c secrets.Caller, k *secrets.KMSKey, extra ...map[string][]string) error {
	if s.Authorizer == nil || c.Root() && c.Session == nil && k.Account == c.Account {
		return nil
	}
	keys := map[string][]string{"kms:CallerAccount": {c.Account}}
	for _, m := range extra {
		for key, v := range m {
			keys[key] = v
		}
	}
	for _, t := range k.Tags {
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return s.Authorizer.Authorize(ctx, c, secrets.Access{
		Action: action, Resource: k.ARN, ResourceAccount: k.Account,
		KeyPolicy: secrets.KeyPolicy(k), Context: keys,
		Lazy: map[string]func() []string{"kms:ResourceAliases": secrets.ResourceAliases(ctx, tx, k)},
	})
}

// contextKeys are the condition keys of a request's encryption context:
// kms:EncryptionContext:<key> for each pair, kms:EncryptionContextKeys, and
// kms:EncryptionAlgorithm (AWS KMS Developer Guide, "AWS KMS condition
// keys").
func contextKeys(encCtx map[string]string) map[string][]string {
	keys := make(map[string][]string, len(encCtx)+2)
	keys["kms:EncryptionAlgorithm"] = []string{SymmetricDefault}
	if len(encCtx) == 0 {
		return keys
	}
	names := make([]string, 0, len(encCtx))
	for k, v := range encCtx {
		keys["kms:EncryptionContext:"+k] = []string{v}
		names = append(names, k)
	}
	keys["kms:EncryptionContextKeys"] = names
	return keys
}

// authorizeAny authorizes an action on no particular key (CreateKey,
// ListKeys, ListAliases, GenerateRandom): IAM policies alone decide.
func (s *Service) authorizeAny(ctx context.Context, c secrets.Caller, op string, keys map[string][]string) error {
	if s.Authorizer == nil {
		return nil
	}
	return s.Authorizer.Authorize(ctx, c, secrets.Access{Action: actionOf(op), Resource: "*", Context: keys})
}

// findAlias reads an alias by name ("alias/…"). The AWS-managed alias
// alias/aws/secretsmanager exists from its first reference, as on AWS.
func (s *Service) findAlias(ctx context.Context, tx secrets.Tx, op string, c secrets.Caller, name string) (*secrets.KMSAlias, error) {
	arn := keyring.AliasARN(c.Region, c.Account, name)
	a, err := tx.KMSAlias(ctx, arn)
	if errors.Is(err, secrets.ErrNotFound) {
		if name == keyring.DefaultKeyAlias {
			return nil, errNeedDefaultKey
		}
		return nil, secrets.Errorf(secrets.NotFound, op, "%s", msgAliasNotFound(arn))
	}
	if err != nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
	}
	return a, nil
}

// gone reports whether a key's deletion date has passed.
func (s *Service) gone(k *secrets.KMSKey) bool {
	return k.State == StatePendingDeletion && !k.DeletionAt.IsZero() && !k.DeletionAt.After(s.now())
}

// usable refuses a key that cannot encrypt or decrypt now.
func usable(op string, k *secrets.KMSKey) error {
	switch k.State {
	case StateEnabled:
		return nil
	case StateDisabled:
		return secrets.Errorf(secrets.Disabled, op, "%s", msgDisabled(k.ARN))
	case StatePendingDeletion:
		return secrets.Errorf(secrets.InvalidRequest, op, "%s", msgPendingDeletion(k.ARN))
	}
	return secrets.Errorf(secrets.InvalidRequest, op, "%s is %s.", k.ARN, strings.ToLower(k.State))
}

// notPending refuses a key pending deletion, for operations that accept
// enabled and disabled keys.
func notPending(op string, k *secrets.KMSKey) error {
	if k.State == StatePendingDeletion {
		return secrets.Errorf(secrets.InvalidRequest, op, "%s", msgPendingDeletion(k.ARN))
	}
	return nil
}

// customer refuses an AWS-managed key for an action its key policy does
// not allow the account.
func customer(op, action string, c secrets.Caller, k *secrets.KMSKey) error {
	if k.Manager == ManagerAWS {
		return secrets.Errorf(secrets.Denied, op, "%s", msgNotAuthorizedAction(c.Principal, action, k.ARN))
	}
	return nil
}

// internal wraps an unexpected error as an Internal *secrets.Error; a domain
// error passes through, and nil stays nil.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *secrets.Error
	if errors.As(err, &e) {
		return err
	}
	return &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
}
