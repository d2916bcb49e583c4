package iam

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// PrincipalInfo is what policy evaluation needs to know of a principal
// (the type authorization reads, secrets.ResolvedIdentity). Its Policies
// are every identity policy that applies: the inline policies and the
// default versions of the attached managed policies of the user and of
// each group the user is in, or of the role; a managed policy's Name is its
// ARN, an inline policy's is empty. Values returned by Principal are shared
// between callers: do not change them.
type PrincipalInfo = secrets.ResolvedIdentity

type cachedPrincipal struct {
	info    *PrincipalInfo
	gen     uint64
	expires time.Time
}

func (s *Service) cacheTTL() time.Duration {
	if s.CacheTTL == 0 {
		return DefaultCacheTTL
	}
	return s.CacheTTL
}

// invalidate empties the principal cache. Every write calls it after its
// transaction ends; an answer read before the write and stored after it
// carries the old generation and is never used.
func (s *Service) invalidate() {
	s.gen.Add(1)
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// Principal returns what evaluation needs to know of the user or role with
// this ARN. An ARN that names no user or role of its account (the root,
// an assumed-role session, a deleted user, anything else) gives Exists
// false and a nil error. Answers are cached for CacheTTL on the Service's
// clock; any IAM write through this Service drops the cache.
func (s *Service) Principal(ctx context.Context, principalARN string) (*PrincipalInfo, error) {
	ttl := s.cacheTTL()
	gen := s.gen.Load()
	var now time.Time
	if ttl > 0 {
		now = s.now()
		s.mu.RLock()
		e, ok := s.cached[principalARN]
		s.mu.RUnlock()
		if ok && e.gen == gen && now.Before(e.expires) {
			return e.info, nil
		}
	}
	info, err := s.loadPrincipal(ctx, principalARN)
	if err != nil || ttl < 0 {
		return info, err
	}
	s.mu.Lock()
	if s.gen.Load() == gen {
		if s.cached == nil || len(s.cached) >= maxCached {
			s.cached = make(map[string]cachedPrincipal)
		}
		s.cached[principalARN] = cachedPrincipal{info: info, gen: gen, expires: now.Add(ttl)}
	}
	s.mu.Unlock()
	return info, nil
}

// loadPrincipal reads a principal and parses its policies.
func (s *Service) loadPrincipal(ctx context.Context, arn string) (*PrincipalInfo, error) {
	const op = "iam.Principal"
	kind, account, name, ok := parseEntityARN(arn)
	if !ok || (kind != "user" && kind != "role") || name == "" {
		return &PrincipalInfo{}, nil
	}
	info := &PrincipalInfo{}
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		var sets []policySet
		switch kind {
		case "user":
			u, err := tx.IAMUser(ctx, account, name)
			if missing(err) {
				return nil
			}
			if err != nil {
				return err
			}
			if u.ARN != arn {
				return nil
			}
			info.Exists, info.UserID, info.UserName, info.Tags = true, u.ID, u.Name, tagMap(u.Tags)
			sets = append(sets, policySet{u.ARN, u.Inline, u.Attached})
			groups, err := groupsOf(ctx, tx, u)
			if err != nil {
				return err
			}
			for _, g := range groups {
				sets = append(sets, policySet{g.ARN, g.Inline, g.Attached})
			}
		case "role":
			r, err := tx.IAMRole(ctx, account, name)
			if missing(err) {
				return nil
			}
			if err != nil {
				return err
			}
			if r.ARN != arn {
				return nil
			}
			info.Exists, info.UserID, info.Tags = true, r.ID, tagMap(r.Tags)
			sets = append(sets, policySet{r.ARN, r.Inline, r.Attached})
		}
		var err error
		info.Policies, err = policiesOf(ctx, tx, account, sets)
		return err
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// policySet is the policies one identity holds.
type policySet struct {
	owner    string // ARN, for errors
	inline   []secrets.IAMInlinePolicy
	attached []string
}

// policiesOf parses the inline policies and the default versions of the
// attached managed policies of sets, each managed policy once.
func policiesOf(ctx context.Context, tx secrets.Tx, account string, sets []policySet) ([]*policy.Policy, error) {
	var (
		out  []*policy.Policy
		seen []string
	)
	for _, set := range sets {
		for _, ip := range set.inline {
			p, err := policy.Parse([]byte(ip.Document), policy.Identity)
			if err != nil {
				return nil, fmt.Errorf("inline policy %s of %s: %w", ip.Name, set.owner, err)
			}
			out = append(out, p)
		}
		for _, arn := range set.attached {
			if slices.Contains(seen, arn) {
				continue
			}
			seen = append(seen, arn)
			mp, err := lookupPolicy(ctx, tx, account, arn)
			if err != nil {
				return nil, err
			}
			if mp == nil {
				continue // attachments of a deleted policy grant nothing
			}
			v := mp.Version(mp.DefaultVersion)
			if v == nil {
				return nil, fmt.Errorf("policy %s: no default version %s", arn, mp.DefaultVersion)
			}
			p, err := policy.Parse([]byte(v.Document), policy.Identity)
			if err != nil {
				return nil, fmt.Errorf("policy %s version %s: %w", arn, v.ID, err)
			}
			p.Name = mp.ARN
			out = append(out, p)
		}
	}
	return out, nil
}

func tagMap(tags []secrets.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// Role returns the role of the account with the name (without regard to
// case) for STS AssumeRole: its trust policy, MaxSessionDuration, ID, ARN
// and tags. It fails with a NotFound *secrets.Error in IAM's words when
// there is none. It is not an IAM operation: nothing is authorized.
func (s *Service) Role(ctx context.Context, account, name string) (*secrets.IAMRole, error) {
	const op = "iam.Role"
	var r *secrets.IAMRole
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		var err error
		r, err = tx.IAMRole(ctx, account, name)
		if missing(err) {
			return errorf(secrets.NotFound, op, msgNoRole(name))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
