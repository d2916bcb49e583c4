package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// A group's members are the users whose Groups hold its ID.

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, c secrets.Caller, name, path string) (*secrets.IAMGroup, error) {
	const op = "iam.CreateGroup"
	if err := gate(op, c); err != nil {
		return nil, err
	}
	if err := checkName(op, "groupName", name, 128); err != nil {
		return nil, err
	}
	path, err := checkPath(op, path, false)
	if err != nil {
		return nil, err
	}
	id, err := s.newID(prefixGroup)
	if err != nil {
		return nil, internal(op, err)
	}
	g := &secrets.IAMGroup{Account: c.Account, Name: name, ID: id, Path: path, ARN: arnOf(c.Account, "group", path, name), CreatedAt: s.now()}
	err = s.update(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, g.ARN, nil, nil); err != nil {
			return err
		}
		if _, err := tx.IAMGroup(ctx, c.Account, name); err == nil {
			return errorf(secrets.Exists, op, msgExists(KindGroup, name))
		} else if !missing(err) {
			return err
		}
		return putGroup(ctx, tx, op, g)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func putGroup(ctx context.Context, tx secrets.Tx, op string, g *secrets.IAMGroup) error {
	return clash(op, tx.PutIAMGroup(ctx, g), KindGroup, g.Name)
}

// findGroup is findUser for groups.
func (s *Service) findGroup(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, name string, extra map[string][]string) (*secrets.IAMGroup, error) {
	g, err := tx.IAMGroup(ctx, c.Account, name)
	if missing(err) {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "group", "/", name), nil, extra); err != nil {
			return nil, err
		}
		return nil, errorf(secrets.NotFound, op, msgNoGroup(name))
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if err := s.authorize(ctx, c, op, g.ARN, nil, extra); err != nil {
		return nil, err
	}
	return g, nil
}

// members returns the users of the account that are in the group, ordered
// by name.
func members(ctx context.Context, tx secrets.Tx, g *secrets.IAMGroup) ([]*secrets.IAMUser, error) {
	users, err := tx.IAMUsers(ctx, g.Account)
	if err != nil {
		return nil, err
	}
	var out []*secrets.IAMUser
	for _, u := range users {
		if slices.Contains(u.Groups, g.ID) {
			out = append(out, u)
		}
	}
	return out, nil
}

// GetGroup returns a group and a page of its members.
func (s *Service) GetGroup(ctx context.Context, c secrets.Caller, name string, in PageInput) (*secrets.IAMGroup, []*secrets.IAMUser, Page, error) {
	const op = "iam.GetGroup"
	if err := gate(op, c); err != nil {
		return nil, nil, Page{}, err
	}
	var (
		g     *secrets.IAMGroup
		users []*secrets.IAMUser
	)
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		var err error
		if g, err = s.findGroup(ctx, tx, c, op, name, nil); err != nil {
			return err
		}
		users, err = members(ctx, tx, g)
		return err
	})
	if err != nil {
		return nil, nil, Page{}, err
	}
	page, p, err := paginate(op, users, func(u *secrets.IAMUser) string { return nameKey(u.Name) }, in)
	if err != nil {
		return nil, nil, Page{}, err
	}
	return g, page, p, nil
}

// ListGroups returns the groups whose path starts with PathPrefix,
// ordered by name.
func (s *Service) ListGroups(ctx context.Context, c secrets.Caller, in ListInput) ([]*secrets.IAMGroup, Page, error) {
	const op = "iam.ListGroups"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	prefix, err := checkPathPrefix(op, in.PathPrefix)
	if err != nil {
		return nil, Page{}, err
	}
	var all []*secrets.IAMGroup
	err = s.view(ctx, op, func(tx secrets.Tx) error {
		if err := s.authorize(ctx, c, op, arnOf(c.Account, "group", prefix, ""), nil, nil); err != nil {
			return err
		}
		groups, err := tx.IAMGroups(ctx, c.Account)
		for _, g := range groups {
			if strings.HasPrefix(g.Path, prefix) {
				all = append(all, g)
			}
		}
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, all, func(g *secrets.IAMGroup) string { return nameKey(g.Name) }, in.PageInput)
}

// DeleteGroup deletes a group that has no members and no policies left.
func (s *Service) DeleteGroup(ctx context.Context, c secrets.Caller, name string) error {
	const op = "iam.DeleteGroup"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		g, err := s.findGroup(ctx, tx, c, op, name, nil)
		if err != nil {
			return err
		}
		users, err := members(ctx, tx, g)
		if err != nil {
			return err
		}
		switch {
		case len(users) > 0:
			return errorf(secrets.Conflict, op, msgRemoveUsersFirst)
		case len(g.Inline) > 0:
			return errorf(secrets.Conflict, op, msgDeleteInlineFirst)
		case len(g.Attached) > 0:
			return errorf(secrets.Conflict, op, msgDetachFirst)
		}
		return tx.DeleteIAMGroup(ctx, g.ID)
	})
}

// membership loads the user and the group of AddUserToGroup and
// RemoveUserFromGroup, authorizing op on the group. A missing user is
// reported before a missing group (localstack snapshot test_iam_groups,
// remove-from-unknown-group).
func (s *Service) membership(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, groupName, userName string) (*secrets.IAMGroup, *secrets.IAMUser, error) {
	g, gerr := tx.IAMGroup(ctx, c.Account, groupName)
	if gerr != nil && !missing(gerr) {
		return nil, nil, internal(op, gerr)
	}
	arn := arnOf(c.Account, "group", "/", groupName)
	if gerr == nil {
		arn = g.ARN
	}
	if err := s.authorize(ctx, c, op, arn, nil, nil); err != nil {
		return nil, nil, err
	}
	u, err := tx.IAMUser(ctx, c.Account, userName)
	if missing(err) {
		return nil, nil, errorf(secrets.NotFound, op, msgNoUser(userName))
	}
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if gerr != nil {
		return nil, nil, errorf(secrets.NotFound, op, msgNoGroup(groupName))
	}
	return g, u, nil
}

// AddUserToGroup makes the user a member of the group; adding a member
// again changes nothing.
func (s *Service) AddUserToGroup(ctx context.Context, c secrets.Caller, groupName, userName string) error {
	const op = "iam.AddUserToGroup"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		g, u, err := s.membership(ctx, tx, c, op, groupName, userName)
		if err != nil {
			return err
		}
		if slices.Contains(u.Groups, g.ID) {
			return nil
		}
		if len(u.Groups) >= MaxGroupsPerUser {
			return errorf(secrets.LimitExceeded, op, msgGroupsPerUserQuota)
		}
		u.Groups = append(u.Groups, g.ID)
		return putUser(ctx, tx, op, u)
	})
}

// RemoveUserFromGroup ends the user's membership of the group; removing a
// user that is not a member is not an error (localstack snapshot
// test_iam_users, remove-nonmember-user-from-group).
func (s *Service) RemoveUserFromGroup(ctx context.Context, c secrets.Caller, groupName, userName string) error {
	const op = "iam.RemoveUserFromGroup"
	if err := gate(op, c); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		g, u, err := s.membership(ctx, tx, c, op, groupName, userName)
		if err != nil {
			return err
		}
		if !slices.Contains(u.Groups, g.ID) {
			return nil
		}
		u.Groups = nonEmpty(slices.DeleteFunc(u.Groups, func(id string) bool { return id == g.ID }))
		return putUser(ctx, tx, op, u)
	})
}

// ListGroupsForUser returns the groups the user is a member of, ordered by
// name.
func (s *Service) ListGroupsForUser(ctx context.Context, c secrets.Caller, userName string, in PageInput) ([]*secrets.IAMGroup, Page, error) {
	const op = "iam.ListGroupsForUser"
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	var out []*secrets.IAMGroup
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		u, err := s.findUser(ctx, tx, c, op, userName, nil)
		if err != nil {
			return err
		}
		out, err = groupsOf(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, out, func(g *secrets.IAMGroup) string { return nameKey(g.Name) }, in)
}

// groupsOf returns the groups the user is a member of, ordered by name.
func groupsOf(ctx context.Context, tx secrets.Tx, u *secrets.IAMUser) ([]*secrets.IAMGroup, error) {
	if len(u.Groups) == 0 {
		return nil, nil
	}
	groups, err := tx.IAMGroups(ctx, u.Account)
	if err != nil {
		return nil, err
	}
	var out []*secrets.IAMGroup
	for _, g := range groups {
		if slices.Contains(u.Groups, g.ID) {
			out = append(out, g)
		}
	}
	return out, nil
}
