package iam

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// holder is a user, group or role seen as what holds policies: its inline
// policies and the managed policies attached to it, which the functions
// here change in place before put stores the identity.
type holder struct {
	name     string // as stored
	inline   *[]secrets.IAMInlinePolicy
	attached *[]string
	put      func() error
}

// findHolder loads the identity of the kind with the name and authorizes
// op on it.
func (s *Service) findHolder(ctx context.Context, tx secrets.Tx, c secrets.Caller, op string, kind Kind, name string, extra map[string][]string) (*holder, error) {
	switch kind {
	case KindUser:
		u, err := s.findUser(ctx, tx, c, op, name, extra)
		if err != nil {
			return nil, err
		}
		return &holder{u.Name, &u.Inline, &u.Attached, func() error { return putUser(ctx, tx, op, u) }}, nil
	case KindGroup:
		g, err := s.findGroup(ctx, tx, c, op, name, extra)
		if err != nil {
			return nil, err
		}
		return &holder{g.Name, &g.Inline, &g.Attached, func() error { return putGroup(ctx, tx, op, g) }}, nil
	case KindRole:
		r, err := s.findRole(ctx, tx, c, op, name, extra)
		if err != nil {
			return nil, err
		}
		return &holder{r.Name, &r.Inline, &r.Attached, func() error { return putRole(ctx, tx, op, r) }}, nil
	}
	return nil, &secrets.Error{Kind: secrets.Internal, Op: op, Err: fmt.Errorf("iam: unknown kind %d", kind)}
}

// opName is the operation on the kind: opName("Put", KindUser, "Policy")
// is "iam.PutUserPolicy".
func opName(verb string, kind Kind, noun string) string {
	return "iam." + verb + kind.title() + noun
}

// inlineIndex returns the index of the inline policy with the name (names
// compare without regard to case), or -1.
func inlineIndex(ps []secrets.IAMInlinePolicy, name string) int {
	return slices.IndexFunc(ps, func(p secrets.IAMInlinePolicy) bool { return strings.EqualFold(p.Name, name) })
}

// PutInlinePolicy adds an inline policy to a user, group or role, or
// replaces the one with the name (PutUserPolicy, PutGroupPolicy,
// PutRolePolicy).
func (s *Service) PutInlinePolicy(ctx context.Context, c secrets.Caller, kind Kind, name, policyName, doc string) error {
	op := opName("Put", kind, "Policy")
	if err := gate(op, c); err != nil {
		return err
	}
	if err := checkName(op, "policyName", policyName, 128); err != nil {
		return err
	}
	if _, err := parseIdentityDoc(op, doc); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, nil)
		if err != nil {
			return err
		}
		ps := slices.Clone(*h.inline)
		if i := inlineIndex(ps, policyName); i >= 0 {
			ps[i] = secrets.IAMInlinePolicy{Name: policyName, Document: doc}
		} else {
			ps = append(ps, secrets.IAMInlinePolicy{Name: policyName, Document: doc})
		}
		if inlineSize(ps) > kind.inlineLimit() {
			return errorf(secrets.LimitExceeded, op, msgInlineSize(kind, h.name))
		}
		*h.inline = ps
		return h.put()
	})
}

// GetInlinePolicy returns an inline policy of a user, group or role and
// the name of its holder as stored (GetUserPolicy, …).
func (s *Service) GetInlinePolicy(ctx context.Context, c secrets.Caller, kind Kind, name, policyName string) (holderName string, p *secrets.IAMInlinePolicy, err error) {
	op := opName("Get", kind, "Policy")
	if err := gate(op, c); err != nil {
		return "", nil, err
	}
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, nil)
		if err != nil {
			return err
		}
		i := inlineIndex(*h.inline, policyName)
		if i < 0 {
			return errorf(secrets.NotFound, op, msgNoInline(kind, policyName))
		}
		holderName, p = h.name, &(*h.inline)[i]
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return holderName, p, nil
}

// ListInlinePolicies returns the names of the inline policies of a user,
// group or role, ordered by name (ListUserPolicies, …).
func (s *Service) ListInlinePolicies(ctx context.Context, c secrets.Caller, kind Kind, name string, in PageInput) ([]string, Page, error) {
	op := opName("List", kind, "Policies")
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	var names []string
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, nil)
		if err != nil {
			return err
		}
		for _, p := range *h.inline {
			names = append(names, p.Name)
		}
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	sort.Slice(names, func(i, j int) bool { return nameKey(names[i]) < nameKey(names[j]) })
	return paginate(op, names, nameKey, in)
}

// DeleteInlinePolicy removes an inline policy from a user, group or role
// (DeleteUserPolicy, …).
func (s *Service) DeleteInlinePolicy(ctx context.Context, c secrets.Caller, kind Kind, name, policyName string) error {
	op := opName("Delete", kind, "Policy")
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, nil)
		if err != nil {
			return err
		}
		i := inlineIndex(*h.inline, policyName)
		if i < 0 {
			return errorf(secrets.NotFound, op, msgNoInline(kind, policyName))
		}
		*h.inline = nonEmpty(slices.Delete(slices.Clone(*h.inline), i, i+1))
		return h.put()
	})
}
