package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/access"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/sts"
)

// directory adapts the IAM service to what authorization (access) and STS
// need to look up.
type directory struct {
	iam   *iam.Service
	store secrets.Store
}

var (
	_ access.Directory = directory{}
	_ sts.Directory    = directory{}
)

// Identity implements access.Directory.
func (d directory) Identity(ctx context.Context, arn string) (*access.Identity, error) {
	return d.iam.Principal(ctx, arn)
}

// Role implements sts.Directory.
func (d directory) Role(ctx context.Context, account, name string) (*sts.Role, error) {
	r, err := d.iam.Role(ctx, account, name)
	if secrets.KindOf(err) == secrets.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sts.Role{
		ARN: r.ARN, ID: r.ID, Name: r.Name, TrustPolicy: r.TrustPolicy,
		MaxSessionDuration: time.Duration(r.MaxSessionDuration) * time.Second,
	}, nil
}

// UserID implements sts.Directory.
func (d directory) UserID(ctx context.Context, userARN string) (string, error) {
	info, err := d.iam.Principal(ctx, userARN)
	if err != nil {
		return "", err
	}
	return info.UserID, nil
}

// PolicyDocument implements sts.Directory: the default version of a
// customer managed policy, named by ARN.
func (d directory) PolicyDocument(ctx context.Context, policyARN string) (string, error) {
	parts := strings.SplitN(policyARN, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return "", fmt.Errorf("policy %s: %w", policyARN, secrets.ErrNotFound)
	}
	name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	var doc string
	err := d.store.View(ctx, func(tx secrets.Tx) error {
		p, err := tx.IAMPolicy(ctx, parts[4], name)
		if err != nil {
			return err
		}
		if p.ARN != policyARN {
			return fmt.Errorf("policy %s: %w", policyARN, secrets.ErrNotFound)
		}
		v := p.Version(p.DefaultVersion)
		if v == nil {
			return fmt.Errorf("policy %s has no default version: %w", policyARN, secrets.ErrNotFound)
		}
		doc = v.Document
		return nil
	})
	return doc, err
}

// credentials are the server's SigV4 credentials: long-term access keys
// from identity, temporary ones from STS session tokens.
type credentials struct {
	keys     *identity.Manager
	sessions *sts.Service
}

var _ auth.SessionCredentials = credentials{}

func (c credentials) Lookup(ctx context.Context, accessKeyID string) (auth.Identity, []byte, error) {
	return c.keys.Lookup(ctx, accessKeyID)
}

func (c credentials) LookupSession(ctx context.Context, accessKeyID, token string) (auth.Identity, []byte, error) {
	if c.sessions == nil {
		return auth.Identity{}, nil, auth.ErrUnknownAccessKey
	}
	return c.sessions.LookupSession(ctx, accessKeyID, token)
}
