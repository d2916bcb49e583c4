package iam

import (
	"context"
	"strings"

	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// CreateUserInput is the input of CreateUser.
type CreateUserInput struct {
	Name string
	Path string // "" means "/"
	// PermissionsBoundary is refused: boundaries are not enforced here.
	PermissionsBoundary string
	Tags                []secrets.Tag
}

// CreateUser creates a user.
func (s *Service) CreateUser(ctx context.Context, c secrets.Caller, in CreateUserInput) (*secrets.IAMUser, error) {
	const op = "iam.CreateUser"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	if err := checkName(op, "userName", in.Name, 64); err != nil {
		return nil, err
	}
	path, err := checkPath(op, in.Path, false)
	if err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		return nil, errorf(secrets.InvalidParameter, op, msgNoBoundaries)
	}
	if err := checkTags(op, in.Tags, true); err != nil {
		return nil, err
	}
	id, err := s.newID(prefixUser)
	if err != nil {
		return nil, internal(op, err)
	}
	u := &secrets.IAMUser{
		Account: c.Account, Name: in.Name, ID: id, Path: path, ARN: arnOf(c.Account, "user", path, in.Name),
		CreatedAt: s.now(), Tags: nonEmpty(in.Tags),
	}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, u.ARN, nil, secrets.RequestTagKeys(nil, in.Tags)); err != nil {
			return err
		}
		if _, err := tx.IAMUser(ctx, c.Account, in.Name); err == nil {
			return errorf(secrets.Exists, op, msgExists(KindUser, in.Name))
		} else if !missing(err) {
			return err
		}
		return putUser(ctx, tx, op, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// putUser stores u, wording a name clash as IAM does.
func putUser(ctx context.Context, tx secrets.Tx, op string, u *secrets.IAMUser) error {
	return clash(op, tx.PutIAMUser(ctx, u), KindUser, u.Name)
}

// clash words a store's Exists error (a name taken in another case, or by
// a concurrent writer) as IAM does.
func clash(op string, err error, kind Kind, name string) error {
	if err != nil && secrets.KindOf(err) == secrets.Exists {
		return &secrets.Error{Kind: secrets.Exists, Op: op, Msg: msgExists(kind, name), Err: err}
	}
	return err
}

func nonEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}

// findUser returns the user of the caller's account with the name after
// authorizing op on it (on the ARN it would have when there is none, as
// AWS authorizes before it looks).
func (s *Service) findUser(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, name string, extra map[string][]string) (*secrets.IAMUser, error) {
	u, err := tx.IAMUser(ctx, c.Account, name)
	if missing(err) {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "user", "/", name), nil, extra); err != nil {
			return nil, err
		}
		return nil, errorf(secrets.NotFound, op, msgNoUser(name))
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if err := s.authorize(ctx, c, op, u.ARN, u.Tags, extra); err != nil {
		return nil, err
	}
	return u, nil
}

// self says whom an operation with an optional UserName is about when it
// is left out: the IAM user making the request (name), or the account's
// root (root). Other callers (role sessions) must name a user.
func self(op string, c secrets.Caller) (name string, root bool, err error) {
	if c.Root() {
		return "", true, nil
	}
	if c.Session == nil {
		if kind, _, n, ok := parseEntityARN(c.Principal); ok && kind == "user" && n != "" {
			return n, false, nil
		}
	}
	return "", false, errorf(secrets.Validation, op, msgNeedUserName)
}

// parseEntityARN takes apart arn:aws:iam::<account>:<kind><path><name>.
func parseEntityARN(arn string) (kind, account, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	account, rest, found = strings.Cut(rest, ":")
	if !found {
		return "", "", "", false
	}
	kind, rest, found = strings.Cut(rest, "/")
	if !found {
		return "", "", "", false
	}
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	return kind, account, name, true
}

// GetUser returns the user with the name; an empty name means the caller.
// For the account's root, as on AWS, it returns a record with the
// account id as ID, the root's ARN and the account's creation time, and
// no name or path.
func (s *Service) GetUser(ctx context.Context, c secrets.Caller, name string) (*secrets.IAMUser, error) {
	const op = "iam.GetUser"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	var out *secrets.IAMUser
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		if name == "" {
			n, root, err := self(op, c)
			if err != nil {
				return err
			}
			if root {
				arn := identity.RootPrincipal(c.Account)
				if err := s.authorize(ctx, c, op, arn, nil, nil); err != nil {
					return err
				}
				out = &secrets.IAMUser{Account: c.Account, ID: c.Account, ARN: arn}
				if a, err := tx.Account(ctx, c.Account); err == nil {
					out.CreatedAt = a.CreatedAt
				} else if !missing(err) {
					return err
				}
				return nil
			}
			name = n
		}
		var err error
		out, err = s.findUser(ctx, tx, c, op, name, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListInput is the input of the operations that list users, groups and
// roles.
type ListInput struct {
	PathPrefix string // "" means "/"
	PageInput
}

// ListUsers returns the users whose path starts with PathPrefix, ordered
// by name.
func (s *Service) ListUsers(ctx context.Context, c secrets.Caller, in ListInput) ([]*secrets.IAMUser, Page, error) {
	const op = "iam.ListUsers"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, in.PathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	var all []*secrets.IAMUser
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		// AWS's resource for ListUsers is the path: "… is not authorized
		// to perform: iam:ListUsers on resource: arn:aws:iam::<account>:user/".
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "user", prefix, ""), nil, nil); err != nil {
			return err
		}
		users, err := tx.IAMUsers(ctx, c.Account)
		for _, u := range users {
			if strings.HasPrefix(u.Path, prefix) {
				all = append(all, u)
			}
		}
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, all, func(u *secrets.IAMUser) string { return nameKey(u.Name) }, in.PageInput)
}

// DeleteUser deletes a user that has no access keys, policies or group
// memberships left, as IAM requires.
func (s *Service) DeleteUser(ctx context.Context, c secrets.Caller, name string) error {
	const op = "iam.DeleteUser"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		u, err := s.findUser(ctx, tx, c, op, name, nil)
		if err != nil {
			return err
		}
		keys, err := tx.AccessKeysByPrincipal(ctx, u.ARN)
		if err != nil {
			return err
		}
		switch {
		case len(keys) > 0:
			return errorf(secrets.Conflict, op, msgDeleteKeysFirst)
		case len(u.Inline) > 0:
			return errorf(secrets.Conflict, op, msgDeleteInlineFirst)
		case len(u.Attached) > 0:
			return errorf(secrets.Conflict, op, msgDetachFirst)
		case len(u.Groups) > 0:
			return errorf(secrets.Conflict, op, msgRemoveUsersFirst)
		}
		return tx.DeleteIAMUser(ctx, u.ID)
	})
}

// TagUser adds tags to a user, replacing the value of a key it has (keys
// compare without regard to case).
func (s *Service) TagUser(ctx context.Context, c secrets.Caller, name string, tags []secrets.Tag) error {
	return tagEntity(ctx, s, c, "iam.TagUser", s.userTags(), name, tags)
}

// UntagUser removes tags from a user; keys it does not have are ignored.
func (s *Service) UntagUser(ctx context.Context, c secrets.Caller, name string, keys []string) error {
	return untagEntity(ctx, s, c, "iam.UntagUser", s.userTags(), name, keys)
}

// ListUserTags returns a user's tags ordered by key.
func (s *Service) ListUserTags(ctx context.Context, c secrets.Caller, name string, in PageInput) ([]secrets.Tag, Page, error) {
	return listEntityTags(ctx, s, c, "iam.ListUserTags", s.userTags(), name, in)
}

// userTags are the tag operations' steps for users.
func (s *Service) userTags() tagSteps[*secrets.IAMUser] {
	return tagSteps[*secrets.IAMUser]{
		kind: "User", find: s.findUser, put: putUser,
		tags: func(e *secrets.IAMUser) *[]secrets.Tag { return &e.Tags },
	}
}
