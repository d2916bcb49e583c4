package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Access keys of IAM users live beside the root's in the store's access
// keys (package identity), with the user's ARN as their principal. An
// operation whose UserName is left out is about the caller: its own IAM
// user, or, for the account's root, the root's own keys (as on AWS, where
// root may manage its keys this way).

// AccessKeyInfo is an access key without its secret.
type AccessKeyInfo struct {
	UserName  string // empty for the root's keys
	ID        string
	Status    string // "Active" or "Inactive"
	CreatedAt time.Time
}

// NewAccessKey is a new access key with its secret, which is shown once.
type NewAccessKey struct {
	AccessKeyInfo
	SecretAccessKey string
}

// keyOwner is whom an access key operation is about.
type keyOwner struct {
	principal string // ARN the keys act as
	userName  string // "" for the root
}

// owner resolves the UserName of an access key operation and authorizes
// op on the user (or the root).
func (s *Service) owner(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, userName string) (keyOwner, error) {
	if userName == "" {
		n, root, err := self(op, c)
		if err != nil {
			return keyOwner{}, err
		}
		if root {
			arn := identity.RootPrincipal(c.Account)
			return keyOwner{principal: arn}, s.authorize(ctx, c, op, arn, nil, nil)
		}
		userName = n
	}
	u, err := s.findUser(ctx, tx, c, op, userName, nil)
	if err != nil {
		return keyOwner{}, err
	}
	return keyOwner{principal: u.ARN, userName: u.Name}, nil
}

func (s *Service) keys(op string) (*identity.Manager, error) {
	if s.Keys == nil {
		return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: errors.New("iam: no access key manager")}
	}
	return s.Keys, nil
}

// CreateAccessKey creates an active access key for the user (the caller
// when userName is empty), at most MaxAccessKeysPerUser per user.
func (s *Service) CreateAccessKey(ctx context.Context, c secrets.Caller, userName string) (*NewAccessKey, error) {
	const op = "iam.CreateAccessKey"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	m, err := s.keys(op)
	if err != nil {
		return nil, err
	}
	var out *NewAccessKey
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		o, err := s.owner(ctx, tx, c, op, userName)
		if err != nil {
			return err
		}
		have, err := tx.AccessKeysByPrincipal(ctx, o.principal)
		if err != nil {
			return err
		}
		if len(have) >= MaxAccessKeysPerUser {
			return errorf(secrets.LimitExceeded, op, msgAccessKeyQuota)
		}
		k, err := m.IssueAccessKey(ctx, tx, c.Account, o.principal)
		if err != nil {
			return err
		}
		out = &NewAccessKey{
			AccessKeyInfo:   AccessKeyInfo{UserName: o.userName, ID: k.AccessKeyID, Status: identity.StatusActive, CreatedAt: k.CreatedAt},
			SecretAccessKey: k.SecretAccessKey,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListAccessKeys returns the access keys of the user (the caller when
// userName is empty), oldest first.
func (s *Service) ListAccessKeys(ctx context.Context, c secrets.Caller, userName string, in PageInput) ([]AccessKeyInfo, Page, error) {
	const op = "iam.ListAccessKeys"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	var out []AccessKeyInfo
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		o, err := s.owner(ctx, tx, c, op, userName)
		if err != nil {
			return err
		}
		keys, err := tx.AccessKeysByPrincipal(ctx, o.principal)
		for _, k := range keys {
			out = append(out, AccessKeyInfo{UserName: o.userName, ID: k.ID, Status: k.Status, CreatedAt: k.CreatedAt})
		}
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, out, keyOrder, in)
}

// keyOrder orders access keys by creation, then id, as the store lists them.
func keyOrder(k AccessKeyInfo) string {
	// Flipping the sign bit makes Unix nanoseconds order as unsigned
	// numbers, and so as zero-padded text.
	return fmt.Sprintf("%020d/%s", uint64(k.CreatedAt.UnixNano())^1<<63, k.ID)
}

// findKey returns the access key with the id if it belongs to o.
func findKey(ctx context.Context, tx secrets.Tx, op string, o keyOwner, id string) (*secrets.AccessKey, error) {
	k, err := tx.AccessKey(ctx, id)
	if missing(err) || err == nil && k.Principal != o.principal {
		return nil, errorf(secrets.NotFound, op, msgNoAccessKey(id))
	}
	return k, err
}

// UpdateAccessKey makes an access key of the user (the caller when
// userName is empty) Active or Inactive. It takes effect at once in this
// process; other processes that cache keys see it within their cache's
// lifetime.
func (s *Service) UpdateAccessKey(ctx context.Context, c secrets.Caller, userName, id, status string) error {
	const op = "iam.UpdateAccessKey"
	if err := gate(op, c); err != nil {
		return err
	}
	if status != identity.StatusActive && status != identity.StatusInactive {
		return errorf(secrets.InvalidParameter, op, msgBadStatus)
	}
	m, err := s.keys(op)
	if err != nil {
		return err
	}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		o, err := s.owner(ctx, tx, c, op, userName)
		if err != nil {
			return err
		}
		if _, err := findKey(ctx, tx, op, o, id); err != nil {
			return err
		}
		return m.SetAccessKeyStatus(ctx, tx, id, status)
	})
	m.Forget(id) // after the commit: see identity.Manager.Forget
	return err
}

// DeleteAccessKey deletes an access key of the user (the caller when
// userName is empty). It stops working at once in this process.
func (s *Service) DeleteAccessKey(ctx context.Context, c secrets.Caller, userName, id string) error {
	const op = "iam.DeleteAccessKey"
	if err := gate(op, c); err != nil {
		return err
	}
	m, err := s.keys(op)
	if err != nil {
		return err
	}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		o, err := s.owner(ctx, tx, c, op, userName)
		if err != nil {
			return err
		}
		if _, err := findKey(ctx, tx, op, o, id); err != nil {
			return err
		}
		return m.DeleteAccessKey(ctx, tx, id)
	})
	m.Forget(id)
	return err
}
