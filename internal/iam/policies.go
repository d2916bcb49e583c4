package iam

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Customer managed policies. Coffer has no AWS managed policies: an ARN in
// the aws account names nothing.

// parsePolicyARN takes apart arn:aws:iam::<account>:policy<path><name>.
func parsePolicyARN(arn string) (account, path, name string, ok bool) {
	kind, account, name, ok := parseEntityARN(arn)
	if !ok || kind != "policy" || name == "" {
		return "", "", "", false
	}
	rest := strings.TrimPrefix(arn, "arn:aws:iam::"+account+":policy")
	return account, rest[:len(rest)-len(name)], name, true
}

// checkARN refuses a PolicyArn that is not an ARN at all, as IAM does
// (localstack snapshot test_iam_roles, non-existent-malformed-policy-arn).
func checkARN(op, arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return errorf(secrets.Validation, op, msgBadARN(arn))
	}
	return nil
}

// lookupPolicy returns the customer managed policy of account that the ARN
// names, or nil when there is none.
func lookupPolicy(ctx context.Context, tx secrets.Tx, account, arn string) (*secrets.IAMPolicy, error) {
	acct, path, name, ok := parsePolicyARN(arn)
	if !ok || acct != account {
		return nil, nil
	}
	p, err := tx.IAMPolicy(ctx, acct, name)
	if missing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Names are unique without regard to case, but an ARN names a policy
	// exactly: a condition on iam:PolicyARN sees the ARN as given, so one
	// spelled in another case must not reach the policy.
	if p.Path != path || p.ARN != arn {
		return nil, nil
	}
	return p, nil
}

// findPolicy returns the policy the ARN names in the caller's account, or
// nil, after authorizing op on it.
func (s *Service) findPolicy(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, arn string, extra map[string][]string) (*secrets.IAMPolicy, error) {
	if err := checkARN(op, arn); err != nil {
		return nil, err
	}
	p, err := lookupPolicy(ctx, tx, c.Account, arn)
	if err != nil {
		return nil, internal(op, err)
	}
	resource, tags := arn, []secrets.Tag(nil)
	if p != nil {
		resource, tags = p.ARN, p.Tags
	}
	if err := s.authorize(ctx, c, op, resource, tags, extra); err != nil {
		return nil, err
	}
	return p, nil
}

func putPolicy(ctx context.Context, tx secrets.Tx, op string, p *secrets.IAMPolicy) error {
	err := tx.PutIAMPolicy(ctx, p)
	if err != nil && secrets.KindOf(err) == secrets.Exists {
		return &secrets.Error{Kind: secrets.Exists, Op: op, Msg: msgPolicyExists(p.Name), Err: err}
	}
	return err
}

// CreatePolicyInput is the input of CreatePolicy.
type CreatePolicyInput struct {
	Name        string
	Path        string // "" means "/"
	Document    string
	Description string
	Tags        []secrets.Tag
}

// CreatePolicy creates a customer managed policy with the document as its
// version v1.
func (s *Service) CreatePolicy(ctx context.Context, c secrets.Caller, in CreatePolicyInput) (*secrets.IAMPolicy, error) {
	const op = "iam.CreatePolicy"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	if err := checkName(op, "policyName", in.Name, 128); err != nil {
		return nil, err
	}
	path, err := checkPath(op, in.Path, true)
	if err != nil {
		return nil, err
	}
	if err := checkDescription(op, in.Description); err != nil {
		return nil, err
	}
	if err := checkTags(op, in.Tags, false); err != nil {
		return nil, err
	}
	if _, err := parseManagedDoc(op, in.Document); err != nil {
		return nil, err
	}
	id, err := s.newID(prefixPolicy)
	if err != nil {
		return nil, internal(op, err)
	}
	now := s.now()
	p := &secrets.IAMPolicy{
		Account: c.Account, Name: in.Name, ID: id, Path: path, ARN: arnOf(c.Account, "policy", path, in.Name),
		Description: in.Description, CreatedAt: now, UpdatedAt: now, Tags: nonEmpty(in.Tags),
		DefaultVersion: "v1", NextVersion: 2,
		Versions: []secrets.IAMPolicyVersion{{ID: "v1", Document: in.Document, CreatedAt: now}},
	}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, p.ARN, nil, secrets.RequestTagKeys(nil, in.Tags)); err != nil {
			return err
		}
		// Names are unique in the account whatever the path.
		if _, err := tx.IAMPolicy(ctx, c.Account, in.Name); err == nil {
			return errorf(secrets.Exists, op, msgPolicyExists(in.Name))
		} else if !missing(err) {
			return err
		}
		return putPolicy(ctx, tx, op, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetPolicy returns a customer managed policy.
func (s *Service) GetPolicy(ctx context.Context, c secrets.Caller, arn string) (*secrets.IAMPolicy, error) {
	const op = "iam.GetPolicy"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	var p *secrets.IAMPolicy
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, c, op, arn, nil); err != nil {
			return err
		}
		if p == nil {
			return errorf(secrets.NotFound, op, msgPolicyNotFound(arn))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Policy scopes of ListPolicies.
const (
	ScopeAll   = "All"
	ScopeAWS   = "AWS"
	ScopeLocal = "Local"
)

// ListPoliciesInput is the input of ListPolicies.
type ListPoliciesInput struct {
	Scope        string // "" means All
	OnlyAttached bool
	PathPrefix   string
	// UsageFilter is "PermissionsPolicy" or "PermissionsBoundary"; no
	// policy is used as a boundary here.
	UsageFilter string
	PageInput
}

// ListPolicies returns the customer managed policies that match, ordered
// by name. Scope AWS lists nothing: there are no AWS managed policies.
func (s *Service) ListPolicies(ctx context.Context, c secrets.Caller, in ListPoliciesInput) ([]*secrets.IAMPolicy, Page, error) {
	const op = "iam.ListPolicies"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, in.PathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	var all []*secrets.IAMPolicy
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "policy", prefix, ""), nil, nil); err != nil {
			return err
		}
		if in.Scope == ScopeAWS || in.UsageFilter == "PermissionsBoundary" {
			return nil
		}
		policies, err := tx.IAMPolicies(ctx, c.Account)
		for _, p := range policies {
			if strings.HasPrefix(p.Path, prefix) && (!in.OnlyAttached || p.AttachmentCount > 0) {
				all = append(all, p)
			}
		}
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, all, func(p *secrets.IAMPolicy) string { return nameKey(p.Name) }, in.PageInput)
}

// DeletePolicy deletes a customer managed policy that is attached to
// nothing and has no versions besides its default.
func (s *Service) DeletePolicy(ctx context.Context, c secrets.Caller, arn string) error {
	const op = "iam.DeletePolicy"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		p, err := s.findPolicy(ctx, tx, c, op, arn, nil)
		if err != nil {
			return err
		}
		switch {
		case p == nil:
			return errorf(secrets.NotFound, op, msgPolicyNotFound(arn))
		case p.AttachmentCount > 0:
			return errorf(secrets.Conflict, op, msgPolicyAttached)
		case len(p.Versions) > 1:
			return errorf(secrets.Conflict, op, msgPolicyHasVersions)
		}
		return tx.DeleteIAMPolicy(ctx, p.ID)
	})
}

// PolicyVersion is a version of a managed policy and whether it is the
// default.
type PolicyVersion struct {
	secrets.IAMPolicyVersion
	Default bool
}

// touch sets UpdatedAt as AWS's UpdateDate: the creation of the policy
// while it has one version, else that of its newest version.
func touch(p *secrets.IAMPolicy) {
	p.UpdatedAt = p.CreatedAt
	if len(p.Versions) > 1 {
		for _, v := range p.Versions {
			if v.CreatedAt.After(p.UpdatedAt) {
				p.UpdatedAt = v.CreatedAt
			}
		}
	}
}

// CreatePolicyVersion adds a version to a policy, at most
// MaxPolicyVersions; setDefault makes it the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, c secrets.Caller, arn, doc string, setDefault bool) (*PolicyVersion, error) {
	const op = "iam.CreatePolicyVersion"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	if err := checkARN(op, arn); err != nil {
		return nil, err
	}
	if _, err := parseManagedDoc(op, doc); err != nil {
		return nil, err
	}
	var out *PolicyVersion
	err := s.update(ctx, op, func(tx secrets.Tx) error {
		p, err := s.findPolicy(ctx, tx, c, op, arn, nil)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(secrets.NotFound, op, msgPolicyNotFound(arn))
		}
		if len(p.Versions) >= MaxPolicyVersions {
			return errorf(secrets.LimitExceeded, op, msgVersionQuota)
		}
		v := secrets.IAMPolicyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, CreatedAt: s.now()}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		if setDefault {
			p.DefaultVersion = v.ID
		}
		touch(p)
		out = &PolicyVersion{IAMPolicyVersion: v, Default: setDefault}
		return putPolicy(ctx, tx, op, p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// findVersion returns the policy and its version, or NotFound in IAM's
// words for either.
func (s *Service) findVersion(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, arn, id string) (*secrets.IAMPolicy, *secrets.IAMPolicyVersion, error) {
	p, err := s.findPolicy(ctx, tx, c, op, arn, nil)
	if err != nil {
		return nil, nil, err
	}
	var v *secrets.IAMPolicyVersion
	if p != nil {
		v = p.Version(id)
	}
	if v == nil {
		return nil, nil, errorf(secrets.NotFound, op, msgNoPolicyVersion(arn, id))
	}
	return p, v, nil
}

// GetPolicyVersion returns a version of a policy.
func (s *Service) GetPolicyVersion(ctx context.Context, c secrets.Caller, arn, id string) (*PolicyVersion, error) {
	const op = "iam.GetPolicyVersion"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	var out *PolicyVersion
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		p, v, err := s.findVersion(ctx, tx, c, op, arn, id)
		if err != nil {
			return err
		}
		out = &PolicyVersion{IAMPolicyVersion: *v, Default: v.ID == p.DefaultVersion}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// versionNumber is the number of a version id ("v12" is 12).
func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}

// ListPolicyVersions returns the versions of a policy, newest first
// (localstack snapshot test_iam_policies, list-versions).
func (s *Service) ListPolicyVersions(ctx context.Context, c secrets.Caller, arn string, in PageInput) ([]PolicyVersion, Page, error) {
	const op = "iam.ListPolicyVersions"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	var out []PolicyVersion
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		p, err := s.findPolicy(ctx, tx, c, op, arn, nil)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(secrets.NotFound, op, msgPolicyNotFound(arn))
		}
		for _, v := range p.Versions {
			out = append(out, PolicyVersion{IAMPolicyVersion: v, Default: v.ID == p.DefaultVersion})
		}
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	key := func(v PolicyVersion) string { return fmt.Sprintf("%010d", 1<<31-versionNumber(v.ID)) }
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return paginate(op, out, key, in)
}

// DeletePolicyVersion deletes a version of a policy other than its default.
func (s *Service) DeletePolicyVersion(ctx context.Context, c secrets.Caller, arn, id string) error {
	const op = "iam.DeletePolicyVersion"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		p, v, err := s.findVersion(ctx, tx, c, op, arn, id)
		if err != nil {
			return err
		}
		if v.ID == p.DefaultVersion {
			return errorf(secrets.Conflict, op, msgDeleteDefaultVersion)
		}
		p.Versions = slices.DeleteFunc(p.Versions, func(x secrets.IAMPolicyVersion) bool { return x.ID == id })
		touch(p)
		return putPolicy(ctx, tx, op, p)
	})
}

// SetDefaultPolicyVersion makes a version of a policy its default: the one
// in effect wherever the policy is attached.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c secrets.Caller, arn, id string) error {
	const op = "iam.SetDefaultPolicyVersion"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		p, v, err := s.findVersion(ctx, tx, c, op, arn, id)
		if err != nil {
			return err
		}
		p.DefaultVersion = v.ID
		return putPolicy(ctx, tx, op, p)
	})
}

// Attachments.

// AttachPolicy attaches a managed policy to a user, group or role
// (AttachUserPolicy, …); attaching it again changes nothing.
func (s *Service) AttachPolicy(ctx context.Context, c secrets.Caller, kind Kind, name, arn string) error {
	op := opName("Attach", kind, "Policy")
	if err := gate(op, c); err != nil {
		return err
	}
	if err := checkARN(op, arn); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, map[string][]string{"iam:PolicyARN": {arn}})
		if err != nil {
			return err
		}
		p, err := lookupPolicy(ctx, tx, c.Account, arn)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(secrets.NotFound, op, msgNotAttachable(arn))
		}
		if slices.Contains(*h.attached, p.ARN) {
			return nil
		}
		if len(*h.attached) >= MaxAttachedPolicies {
			return errorf(secrets.LimitExceeded, op, msgAttachQuota(kind))
		}
		*h.attached = append(slices.Clone(*h.attached), p.ARN)
		p.AttachmentCount++
		if err := h.put(); err != nil {
			return err
		}
		return putPolicy(ctx, tx, op, p)
	})
}

// DetachPolicy detaches a managed policy from a user, group or role
// (DetachUserPolicy, …).
func (s *Service) DetachPolicy(ctx context.Context, c secrets.Caller, kind Kind, name, arn string) error {
	op := opName("Detach", kind, "Policy")
	if err := gate(op, c); err != nil {
		return err
	}
	if err := checkARN(op, arn); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, map[string][]string{"iam:PolicyARN": {arn}})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(*h.attached, func(a string) bool { return strings.EqualFold(a, arn) })
		if i < 0 {
			return errorf(secrets.NotFound, op, msgPolicyNotFound(arn))
		}
		stored := (*h.attached)[i]
		*h.attached = nonEmpty(slices.Delete(slices.Clone(*h.attached), i, i+1))
		if err := h.put(); err != nil {
			return err
		}
		p, err := lookupPolicy(ctx, tx, c.Account, stored)
		if err != nil || p == nil {
			return err
		}
		if p.AttachmentCount > 0 {
			p.AttachmentCount--
		}
		return putPolicy(ctx, tx, op, p)
	})
}

// AttachedPolicy names a managed policy attached to an identity.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// ListAttachedPolicies returns the managed policies attached to a user,
// group or role whose path starts with pathPrefix, ordered by name
// (ListAttachedUserPolicies, …).
func (s *Service) ListAttachedPolicies(ctx context.Context, c secrets.Caller, kind Kind, name, pathPrefix string, in PageInput) ([]AttachedPolicy, Page, error) {
	op := "iam.ListAttached" + kind.title() + "Policies"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, pathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	var out []AttachedPolicy
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		h, err := s.findHolder(ctx, tx, c, op, kind, name, nil)
		if err != nil {
			return err
		}
		for _, arn := range *h.attached {
			if _, path, n, ok := parsePolicyARN(arn); ok && strings.HasPrefix(path, prefix) {
				out = append(out, AttachedPolicy{Name: n, ARN: arn})
			}
		}
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	sort.Slice(out, func(i, j int) bool { return nameKey(out[i].Name) < nameKey(out[j].Name) })
	return paginate(op, out, func(a AttachedPolicy) string { return nameKey(a.Name) }, in)
}

// EntityRef names a user, group or role a policy is attached to.
type EntityRef struct {
	Kind Kind
	Name string
	ID   string
}

// ListEntitiesInput is the input of ListEntitiesForPolicy.
type ListEntitiesInput struct {
	ARN string
	// Filter is "User", "Group" or "Role" for only those; "" for all.
	// "LocalManagedPolicy" and "AWSManagedPolicy" list nothing.
	Filter     string
	PathPrefix string
	PageInput
}

// ListEntitiesForPolicy returns the users, groups and roles the policy is
// attached to, groups first, then users, then roles, each by name.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c secrets.Caller, in ListEntitiesInput) ([]EntityRef, Page, error) {
	const op = "iam.ListEntitiesForPolicy"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, in.PathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	want := func(k Kind) bool { return in.Filter == "" || in.Filter == k.title() }
	var out []EntityRef
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		p, err := s.findPolicy(ctx, tx, c, op, in.ARN, nil)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(secrets.NotFound, op, msgPolicyNotFound(in.ARN))
		}
		add := func(k Kind, name, id, path string, attached []string) {
			if want(k) && strings.HasPrefix(path, prefix) && slices.Contains(attached, p.ARN) {
				out = append(out, EntityRef{Kind: k, Name: name, ID: id})
			}
		}
		groups, err := tx.IAMGroups(ctx, c.Account)
		if err != nil {
			return err
		}
		for _, g := range groups {
			add(KindGroup, g.Name, g.ID, g.Path, g.Attached)
		}
		users, err := tx.IAMUsers(ctx, c.Account)
		if err != nil {
			return err
		}
		for _, u := range users {
			add(KindUser, u.Name, u.ID, u.Path, u.Attached)
		}
		roles, err := tx.IAMRoles(ctx, c.Account)
		if err != nil {
			return err
		}
		for _, r := range roles {
			add(KindRole, r.Name, r.ID, r.Path, r.Attached)
		}
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	order := map[Kind]string{KindGroup: "1", KindUser: "2", KindRole: "3"}
	return paginate(op, out, func(e EntityRef) string { return order[e.Kind] + "/" + nameKey(e.Name) }, in.PageInput)
}
