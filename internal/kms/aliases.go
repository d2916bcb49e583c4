package kms

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// AliasEntry is one alias as ListAliases shows it. TargetKeyID is empty for
// an AWS-managed alias whose key does not exist yet.
type AliasEntry struct {
	Name        string
	ARN         string
	TargetKeyID string
	CreatedAt   time.Time
}

// checkAliasName checks an alias name a caller chose: it must start with
// "alias/", and "alias/aws/" is AWS's.
func checkAliasName(op, name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return secrets.Errorf(secrets.Validation, op, "%s", msgAliasPrefix)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		// NotAuthorizedException with no message (moto, nsmithuk/local-kms).
		return &secrets.Error{Kind: secrets.NotAuthorized, Op: op}
	}
	return nil
}

// aliasTarget resolves an alias's TargetKeyId: a key id or key ARN of a
// customer key that is not pending deletion.
func (s *Service) aliasTarget(ctx context.Context, tx secrets.Tx, op string, c secrets.Caller, target string) (*secrets.KMSKey, error) {
	if strings.HasPrefix(target, "alias/") || strings.HasPrefix(target, "arn:") && strings.Contains(target, ":alias/") {
		return nil, secrets.Errorf(secrets.Validation, op, "%s", msgAliasTarget)
	}
	k, err := s.findKey(ctx, tx, op, c, target, keyOnly)
	if err != nil {
		return nil, err
	}
	if k.Manager == ManagerAWS {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgManagedKey(k.ARN))
	}
	return k, notPending(op, k)
}

// CreateAlias gives a customer key a new alias.
func (s *Service) CreateAlias(ctx context.Context, c secrets.Caller, name, target string) error {
	const op = "kms.CreateAlias"
	if err := checkAliasName(op, name); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx secrets.Tx) error {
		arn := keyring.AliasARN(c.Region, c.Account, name)
		if err := s.authorizeAlias(ctx, c, op, arn); err != nil {
			return err
		}
		if _, err := tx.KMSAlias(ctx, arn); err == nil {
			return secrets.Errorf(secrets.Exists, op, "%s", msgAliasExists(arn))
		} else if !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		k, err := s.aliasTarget(ctx, tx, op, c, target)
		if err != nil {
			return err
		}
		return tx.PutKMSAlias(ctx, &secrets.KMSAlias{
			ARN: arn, Name: name, Account: c.Account, Region: c.Region, TargetKey: k.ARN, CreatedAt: s.now(),
		})
	})
	return internal(op, err)
}

// UpdateAlias points an existing customer alias at another customer key.
func (s *Service) UpdateAlias(ctx context.Context, c secrets.Caller, name, target string) error {
	const op = "kms.UpdateAlias"
	if err := checkAliasName(op, name); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx secrets.Tx) error {
		if err := s.authorizeAlias(ctx, c, op, keyring.AliasARN(c.Region, c.Account, name)); err != nil {
			return err
		}
		a, err := s.findAlias(ctx, tx, op, c, name)
		if err != nil {
			return err
		}
		// UpdateAlias needs the permission on the key the alias leaves
		// too ("Controlling access to aliases").
		if old, err := tx.KMSKey(ctx, a.TargetKey); err == nil {
			if err := s.authorizeKey(ctx, tx, op, actionOf(op), c, old); err != nil {
				return err
			}
		}
		k, err := s.aliasTarget(ctx, tx, op, c, target)
		if err != nil {
			return err
		}
		a.TargetKey = k.ARN
		return tx.PutKMSAlias(ctx, a)
	})
	return internal(op, err)
}

// DeleteAlias removes a customer alias; its key is not affected.
func (s *Service) DeleteAlias(ctx context.Context, c secrets.Caller, name string) error {
	const op = "kms.DeleteAlias"
	if err := checkAliasName(op, name); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx secrets.Tx) error {
		if err := s.authorizeAlias(ctx, c, op, keyring.AliasARN(c.Region, c.Account, name)); err != nil {
			return err
		}
		a, err := s.findAlias(ctx, tx, op, c, name)
		if err != nil {
			return err
		}
		if k, err := tx.KMSKey(ctx, a.TargetKey); err == nil {
			if err := s.authorizeKey(ctx, tx, op, actionOf(op), c, k); err != nil {
				return err
			}
		}
		return tx.DeleteKMSAlias(ctx, a.ARN)
	})
	return internal(op, err)
}

// ListAliases lists the caller's aliases ordered by name, the AWS-managed
// alias/aws/secretsmanager included (without a target until its key
// exists, as AWS lists AWS-managed aliases). With a KeyId (key id or ARN),
// only the aliases of that key.
func (s *Service) ListAliases(ctx context.Context, c secrets.Caller, keyID string, in ListInput) ([]AliasEntry, Page, error) {
	const op = "kms.ListAliases"
	if err := s.authorizeAny(ctx, c, op, nil); err != nil {
		return nil, Page{}, err
	}
	var out []AliasEntry
	err := s.Store.View(ctx, func(tx secrets.Tx) error {
		var only string
		if keyID != "" {
			k, err := s.findKey(ctx, tx, op, c, keyID, keyOnly)
			if err != nil {
				return err
			}
			only = k.ARN
		}
		all, err := tx.KMSAliases(ctx, c.Account, c.Region)
		if err != nil {
			return err
		}
		haveDefault := false
		for _, a := range all {
			haveDefault = haveDefault || a.Name == keyring.DefaultKeyAlias
			if only != "" && a.TargetKey != only {
				continue
			}
			k, err := tx.KMSKey(ctx, a.TargetKey)
			if errors.Is(err, secrets.ErrNotFound) || err == nil && s.gone(k) {
				continue // its key is gone; the job removes the alias
			} else if err != nil {
				return err
			}
			out = append(out, AliasEntry{Name: a.Name, ARN: a.ARN, TargetKeyID: k.ID, CreatedAt: a.CreatedAt})
		}
		if !haveDefault && only == "" {
			out = append(out, AliasEntry{Name: keyring.DefaultKeyAlias, ARN: keyring.AliasARN(c.Region, c.Account, keyring.DefaultKeyAlias)})
		}
		return nil
	})
	if err != nil {
		return nil, Page{}, internal(op, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return paginate(op, out, func(a AliasEntry) string { return a.Name }, in)
}

// authorizeAlias authorizes op on an alias's ARN; aliases have no policy of
// their own, so IAM policies decide ("Controlling access to aliases" in the
// AWS KMS Developer Guide).
func (s *Service) authorizeAlias(ctx context.Context, c secrets.Caller, op, aliasARN string) error {
	if s.Authorizer == nil {
		return nil
	}
	return s.Authorizer.Authorize(ctx, c, secrets.Access{Action: actionOf(op), Resource: aliasARN})
}
