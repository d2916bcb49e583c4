package iam

import (
	"context"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// tagSteps are what the tag operations need of one kind of entity (users,
// roles): how to find it (authorizing the operation), store it, and reach
// its tags.
type tagSteps[T any] struct {
	kind string // "User", "Role": as quota messages name it
	find func(ctx context.Context, tx secrets.Tx, c secrets.Caller, op, name string, extra map[string][]string) (T, error)
	put  func(ctx context.Context, tx secrets.Tx, op string, e T) error
	tags func(e T) *[]secrets.Tag
}

// tagEntity adds tags to the named entity, replacing the value of a key it
// has (keys compare without regard to case).
func tagEntity[T any](ctx context.Context, s *Service, c secrets.Caller, op string, st tagSteps[T], name string, tags []secrets.Tag) error {
	if err := gate(op, c); err != nil {
		return err
	}
	if err := checkTags(op, tags, true); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		e, err := st.find(ctx, tx, c, op, name, secrets.RequestTagKeys(nil, tags))
		if err != nil {
			return err
		}
		t := st.tags(e)
		if *t, err = mergeTags(op, st.kind, *t, tags, true); err != nil {
			return err
		}
		return st.put(ctx, tx, op, e)
	})
}

// untagEntity removes tags from the named entity; keys it does not have are
// ignored.
func untagEntity[T any](ctx context.Context, s *Service, c secrets.Caller, op string, st tagSteps[T], name string, keys []string) error {
	if err := gate(op, c); err != nil {
		return err
	}
	if err := checkTagKeys(op, keys); err != nil {
		return err
	}
	return s.update(ctx, op, func(tx secrets.Tx) error {
		e, err := st.find(ctx, tx, c, op, name, map[string][]string{"aws:TagKeys": keys})
		if err != nil {
			return err
		}
		t := st.tags(e)
		*t = nonEmpty(removeTags(*t, keys, true))
		return st.put(ctx, tx, op, e)
	})
}

// listEntityTags returns the named entity's tags ordered by key.
func listEntityTags[T any](ctx context.Context, s *Service, c secrets.Caller, op string, st tagSteps[T], name string, in PageInput) ([]secrets.Tag, Page, error) {
	if err := gate(op, c); err != nil {
		return nil, Page{}, err
	}
	var tags []secrets.Tag
	err := s.view(ctx, op, func(tx secrets.Tx) error {
		e, err := st.find(ctx, tx, c, op, name, nil)
		if err != nil {
			return err
		}
		tags = sortedTags(*st.tags(e))
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	return paginate(op, tags, func(t secrets.Tag) string { return t.Key }, in)
}
