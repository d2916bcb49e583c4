package iam

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// CreateRoleInput is the input of CreateRole.
type CreateRoleInput struct {
	Name string
	Path string // "" means "/"
	// TrustPolicy is the AssumeRolePolicyDocument: who may assume the role.
	TrustPolicy string
	Description string
	// MaxSessionDuration in seconds; 0 means DefaultMaxSession.
	MaxSessionDuration int
	// PermissionsBoundary is refused: boundaries are not enforced here.
	PermissionsBoundary string
	Tags                []secrets.Tag
}

// checkMaxSession checks a MaxSessionDuration (0 means the default) and
// returns it.
func checkMaxSession(op string, d int) (int, error) {
	if d == 0 {
		return DefaultMaxSession, nil
	}
	v := itoa(d)
	if d < MinMaxSession {
		return 0, errorf(secrets.Validation, op, msgValidation(&v, "maxSessionDuration", "Member must have value greater than or equal to 3600"))
	}
	if d > MaxMaxSession {
		return 0, errorf(secrets.Validation, op, msgValidation(&v, "maxSessionDuration", "Member must have value less than or equal to 43200"))
	}
	return d, nil
}

func checkDescription(op, d string) error {
	if utf8.RuneCountInString(d) > 1000 {
		return errorf(secrets.Validation, op, msgValidation(&d, "description", "Member must have length less than or equal to 1000"))
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, c secrets.Caller, in CreateRoleInput) (*secrets.IAMRole, error) {
	const op = "iam.CreateRole"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	if err := checkName(op, "roleName", in.Name, 64); err != nil {
		return nil, err
	}
	path, err := checkPath(op, in.Path, false)
	if err != nil {
		return nil, err
	}
	if err := checkDescription(op, in.Description); err != nil {
		return nil, err
	}
	maxSession, err := checkMaxSession(op, in.MaxSessionDuration)
	if err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		return nil, errorf(secrets.InvalidParameter, op, msgNoBoundaries)
	}
	if err := checkTags(op, in.Tags, true); err != nil {
		return nil, err
	}
	if _, err := parseTrustDoc(op, in.TrustPolicy); err != nil {
		return nil, err
	}
	id, err := s.newID(prefixRole)
	if err != nil {
		return nil, internal(op, err)
	}
	r := &secrets.IAMRole{
		Account: c.Account, Name: in.Name, ID: id, Path: path, ARN: arnOf(c.Account, "role", path, in.Name),
		CreatedAt: s.now(), TrustPolicy: in.TrustPolicy, Description: in.Description,
		MaxSessionDuration: maxSession, Tags: nonEmpty(in.Tags),
	}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, r.ARN, nil, secrets.RequestTagKeys(nil, in.Tags)); err != nil {
			return err
		}
		if _, err := tx.IAMRole(ctx, c.Account, in.Name); err == nil {
			return errorf(secrets.Exists, op, msgExists(KindRole, in.Name))
		} else if !missing(err) {
			return err
		}
		return putRole(ctx, tx, op, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func putRole(ctx context.Context, tx secrets.Tx, op string, r *secrets.IAMRole) error {
	return clash(op, tx.PutIAMRole(ctx, r), KindRole, r.Name)
}

// findRole is findUser for roles.
func (s *Service) findRole(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, name string, extra map[string][]string) (*secrets.IAMRole, error) {
	r, err := tx.IAMRole(ctx, c.Account, name)
	if missing(err) {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "role", "/", name), nil, extra); err != nil {
			return nil, err
		}
		return nil, errorf(secrets.NotFound, op, msgNoRole(name))
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if err := s.authorize(ctx, c, op, r.ARN, r.Tags, extra); err != nil {
		return nil, err
	}
	return r, nil
}

// GetRole returns a role.
func (s *Service) GetRole(ctx context.Context, c secrets.Caller, name string) (*secrets.IAMRole, error) {
	const op = "iam.GetRole"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	var r *secrets.IAMRole
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		var err error
		r, err = s.findRole(ctx, tx, c, op, name, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ListRoles returns the roles whose path starts with PathPrefix, ordered
// by name.
func (s *Service) ListRoles(ctx context.Context, c secrets.Caller, in ListInput) ([]*secrets.IAMRole, Page, error) {
	const op = "iam.ListRoles"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, in.PathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	var all []*secrets.IAMRole
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "role", prefix, ""), nil, nil); err != nil {
			return err
		}
		roles, err := tx.IAMRoles(ctx, c.Account)
		for _, r := range roles {
			if strings.HasPrefix(r.Path, prefix) {
				all = append(all, r)
			}
		}
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, all, func(r *secrets.IAMRole) string { return nameKey(r.Name) }, in.PageInput)
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(ctx context.Context, c secrets.Caller, name string) error {
	const op = "iam.DeleteRole"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		r, err := s.findRole(ctx, tx, c, op, name, nil)
		if err != nil {
			return err
		}
		switch {
		case len(r.Inline) > 0:
			return errorf(secrets.Conflict, op, msgDeleteInlineFirst)
		case len(r.Attached) > 0:
			return errorf(secrets.Conflict, op, msgDetachFirst)
		}
		return tx.DeleteIAMRole(ctx, r.ID)
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c secrets.Caller, name, doc string) error {
	const op = "iam.UpdateAssumeRolePolicy"
	if err := gate(op, c); err != nil {
		return err
	}
	if _, err := parseTrustDoc(op, doc); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		r, err := s.findRole(ctx, tx, c, op, name, nil)
		if err != nil {
			return err
		}
		r.TrustPolicy = doc
		return putRole(ctx, tx, op, r)
	})
}

// UpdateRoleInput is the input of UpdateRole.
type UpdateRoleInput struct {
	Name string
	// Description replaces the role's when set.
	Description *string
	// MaxSessionDuration replaces the role's when not 0.
	MaxSessionDuration int
}

// UpdateRole changes a role's description and maximum session duration;
// what the input leaves out stays as it was.
func (s *Service) UpdateRole(ctx context.Context, c secrets.Caller, in UpdateRoleInput) error {
	const op = "iam.UpdateRole"
	if err := gate(op, c); err != nil {
		return err
	}
	if in.Description != nil {
		if err := checkDescription(op, *in.Description); err != nil {
			return err
		}
	}
	if in.MaxSessionDuration != 0 {
		if _, err := checkMaxSession(op, in.MaxSessionDuration); err != nil {
			return err
		}
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		r, err := s.findRole(ctx, tx, c, op, in.Name, nil)
		if err != nil {
			return err
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != 0 {
			r.MaxSessionDuration = in.MaxSessionDuration
		}
		return putRole(ctx, tx, op, r)
	})
}

// TagRole adds tags to a role, replacing the value of a key it has (keys
// compare without regard to case).
func (s *Service) TagRole(ctx context.Context, c secrets.Caller, name string, tags []secrets.Tag) error {
	return tagEntity(ctx, s, c, "iam.TagRole", s.roleTags(), name, tags)
}

// UntagRole removes tags from a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, c secrets.Caller, name string, keys []string) error {
	return untagEntity(ctx, s, c, "iam.UntagRole", s.roleTags(), name, keys)
}

// ListRoleTags returns a role's tags ordered by key.
func (s *Service) ListRoleTags(ctx context.Context, c secrets.Caller, name string, in PageInput) ([]secrets.Tag, Page, error) {
	return listEntityTags(ctx, s, c, "iam.ListRoleTags", s.roleTags(), name, in)
}

// roleTags are the tag operations' steps for roles.
func (s *Service) roleTags() tagSteps[*secrets.IAMRole] {
	return tagSteps[*secrets.IAMRole]{
		kind: "Role", find: s.findRole, put: putRole,
		tags: func(e *secrets.IAMRole) *[]secrets.Tag { return &e.Tags },
	}
}
