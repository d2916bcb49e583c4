package kms

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// CreateKeyInput is CreateKey's input. Empty strings mean AWS's defaults.
type CreateKeyInput struct {
	Description    string
	KeyUsage       string
	KeySpec        string // KeySpec or its deprecated twin CustomerMasterKeySpec
	Origin         string
	Policy         string
	Tags           []secrets.Tag
	MultiRegion    bool
	CustomKeyStore string
	// BypassLockoutCheck skips the check that the policy lets the caller
	// change it later (BypassPolicyLockoutSafetyCheck).
	BypassLockoutCheck bool
}

// CreateKey creates a symmetric encryption key with fresh material.
func (s *Service) CreateKey(ctx context.Context, c secrets.Caller, in CreateKeyInput) (*secrets.KMSKey, error) {
	const op = "kms.CreateKey"
	if in.KeyUsage != "" && in.KeyUsage != "ENCRYPT_DECRYPT" || in.KeySpec != "" && in.KeySpec != SymmetricDefault {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgSymmetricOnly)
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgOriginUnsupported)
	}
	if in.MultiRegion {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgMultiRegion)
	}
	if in.CustomKeyStore != "" {
		return nil, secrets.Errorf(secrets.Unsupported, op, "%s", msgCustomKeyStore)
	}
	if err := s.authorizeAny(ctx, c, op, secrets.RequestTagKeys(nil, in.Tags)); err != nil {
		return nil, err
	}
	doc := in.Policy
	if doc == "" {
		doc = secrets.DefaultKeyPolicy(c.Account)
	} else if err := s.checkPolicy(ctx, op, c, "", doc, in.BypassLockoutCheck); err != nil {
		return nil, err
	}
	tags, err := mergeTags(op, nil, in.Tags)
	if err != nil {
		return nil, err
	}
	id, err := secrets.NewUUID(s.random())
	if err != nil {
		return nil, internal(op, err)
	}
	k := &secrets.KMSKey{
		ARN: keyring.KeyARN(c.Region, c.Account, id), ID: id, Account: c.Account, Region: c.Region,
		Description: in.Description, Manager: ManagerCustomer, State: StateEnabled, CreatedAt: s.now(),
		KeyUsage: "ENCRYPT_DECRYPT", KeySpec: SymmetricDefault, Origin: "AWS_KMS", Tags: tags, Policy: doc,
	}
	if err := s.Keyring.AddMaterial(k); err != nil {
		return nil, internal(op, err)
	}
	err = s.Store.Update(ctx, func(tx secrets.Tx) error { return tx.PutKMSKey(ctx, k) })
	if err != nil {
		return nil, internal(op, err)
	}
	return k, nil
}

// DescribeKey returns a key in any state; KeyId may name an alias.
func (s *Service) DescribeKey(ctx context.Context, c secrets.Caller, keyID string) (*secrets.KMSKey, error) {
	const op = "kms.DescribeKey"
	var k *secrets.KMSKey
	err := s.view(ctx, c, func(tx secrets.Tx) error {
		var err error
		k, err = s.findKey(ctx, tx, op, c, keyID, withAlias)
		return err
	})
	return k, internal(op, err)
}

// change runs fn on the key KeyId names (key id or ARN) in a write
// transaction and stores the key when fn returns nil.
func (s *Service) change(ctx context.Context, c secrets.Caller, op, keyID string, forms idForms, fn func(k *secrets.KMSKey) error) (*secrets.KMSKey, error) {
	var k *secrets.KMSKey
	err := s.update(ctx, c, func(tx secrets.Tx) error {
		var err error
		if k, err = s.findKey(ctx, tx, op, c, keyID, forms); err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		return tx.PutKMSKey(ctx, k)
	})
	if err != nil {
		return nil, internal(op, err)
	}
	return k, nil
}

// UpdateKeyDescription sets a customer key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, c secrets.Caller, keyID, description string) error {
	const op = "kms.UpdateKeyDescription"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "UpdateKeyDescription", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		k.Description = description
		return nil
	})
	return err
}

// EnableKey enables a customer key that is disabled (or enabled).
func (s *Service) EnableKey(ctx context.Context, c secrets.Caller, keyID string) error {
	const op = "kms.EnableKey"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "EnableKey", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		k.State = StateEnabled
		return nil
	})
	return err
}

// DisableKey disables a customer key: it can no longer encrypt or decrypt
// until enabled again.
func (s *Service) DisableKey(ctx context.Context, c secrets.Caller, keyID string) error {
	const op = "kms.DisableKey"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "DisableKey", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		k.State = StateDisabled
		return nil
	})
	return err
}

// ScheduleKeyDeletion puts a customer key in PendingDeletion for days (0
// means 30) and returns it with its DeletionAt.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, c secrets.Caller, keyID string, days int) (*secrets.KMSKey, int, error) {
	const op = "kms.ScheduleKeyDeletion"
	if days == 0 {
		days = DefaultPendingWindowDays
	}
	if days < MinPendingWindowDays || days > MaxPendingWindowDays {
		return nil, 0, secrets.Errorf(secrets.Validation, op, "%s", msgPendingWindow(days))
	}
	k, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "ScheduleKeyDeletion", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		k.State = StatePendingDeletion
		k.DeletionAt = s.now().Add(time.Duration(days) * 24 * time.Hour)
		return nil
	})
	return k, days, err
}

// CancelKeyDeletion takes a key out of PendingDeletion; it is Disabled
// afterwards, as on AWS.
func (s *Service) CancelKeyDeletion(ctx context.Context, c secrets.Caller, keyID string) (*secrets.KMSKey, error) {
	const op = "kms.CancelKeyDeletion"
	return s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "CancelKeyDeletion", c, k); err != nil {
			return err
		}
		if k.State != StatePendingDeletion {
			return secrets.Errorf(secrets.InvalidRequest, op, "%s", msgNotPendingDeletion(k.ARN))
		}
		k.State = StateDisabled
		k.DeletionAt = time.Time{}
		return nil
	})
}

// ListInput pages a List operation: Limit 0 means the default (100).
type ListInput struct {
	Limit  int
	Marker string
}

// Page is where a List operation's page ends.
type Page struct {
	NextMarker string
	Truncated  bool
}

// ListKeys lists the caller's keys (AWS-managed ones included) ordered by
// key id.
func (s *Service) ListKeys(ctx context.Context, c secrets.Caller, in ListInput) ([]*secrets.KMSKey, Page, error) {
	const op = "kms.ListKeys"
	if err := s.authorizeAny(ctx, c, op, nil); err != nil {
		return nil, Page{}, err
	}
	var keys []*secrets.KMSKey
	err := s.Store.View(ctx, func(tx secrets.Tx) error {
		all, err := tx.KMSKeys(ctx, c.Account, c.Region)
		for _, k := range all {
			if !s.gone(k) {
				keys = append(keys, k)
			}
		}
		return err
	})
	if err != nil {
		return nil, Page{}, internal(op, err)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	return paginate(op, keys, func(k *secrets.KMSKey) string { return k.ID }, in)
}

// paginate returns the page of items (sorted by key) that in asks for. A
// marker is the key of the last item of the page before, encoded.
func paginate[T any](op string, items []T, key func(T) string, in ListInput) ([]T, Page, error) {
	limit := in.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	start := 0
	if in.Marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(in.Marker)
		if err != nil {
			return nil, Page{}, secrets.Errorf(secrets.InvalidNextToken, op, "%s", msgInvalidMarker)
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > string(after) })
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	if end < len(items) {
		return page, Page{NextMarker: base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1]))), Truncated: true}, nil
	}
	return page, Page{}, nil
}

// DefaultPolicyName is the only key policy name.
const DefaultPolicyName = "default"

// checkPolicy checks a key policy document: it must parse as a resource
// policy (IAM's grammar, with principals), and, unless bypass, it must let
// the caller change it again, as AWS's policy lockout safety check
// requires ("Default key policy"). keyARN is the key's ARN, or empty for a
// key not created yet (the check then runs on a stand-in ARN).
func (s *Service) checkPolicy(ctx context.Context, op string, c secrets.Caller, keyARN, doc string, bypass bool) error {
	if _, err := policy.Parse([]byte(doc), policy.Resource); err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) && pe.Msg != "Syntax errors in policy." {
			return secrets.Errorf(secrets.MalformedPolicy, op, "%s", pe.Msg)
		}
		return secrets.Errorf(secrets.MalformedPolicy, op, "%s", msgMalformedPolicy)
	}
	if bypass || s.Authorizer == nil {
		return nil
	}
	if keyARN == "" {
		keyARN = "arn:aws:kms:" + c.Region + ":" + c.Account + ":key/00000000-0000-0000-0000-000000000000"
	}
	err := s.Authorizer.Authorize(ctx, c, secrets.Access{
		Action: "kms:PutKeyPolicy", Resource: keyARN, ResourceAccount: c.Account, KeyPolicy: doc,
		Context: map[string][]string{"kms:CallerAccount": {c.Account}},
	})
	if err != nil && secrets.KindOf(err) == secrets.Denied {
		return secrets.Errorf(secrets.MalformedPolicy, op, "%s", msgPolicyLockout)
	}
	return err
}

// GetKeyPolicy returns the key's policy document (policy name "default").
func (s *Service) GetKeyPolicy(ctx context.Context, c secrets.Caller, keyID, name string) (string, error) {
	const op = "kms.GetKeyPolicy"
	if name == "" {
		name = DefaultPolicyName
	}
	k, err := s.readKey(ctx, c, op, keyID)
	if err != nil {
		return "", err
	}
	if name != DefaultPolicyName {
		return "", secrets.Errorf(secrets.NotFound, op, "%s", msgNoSuchPolicy)
	}
	return secrets.KeyPolicy(k), nil
}

// PutKeyPolicy replaces a customer key's policy document.
func (s *Service) PutKeyPolicy(ctx context.Context, c secrets.Caller, keyID, name, doc string, bypassLockoutCheck bool) error {
	const op = "kms.PutKeyPolicy"
	if name == "" {
		name = DefaultPolicyName
	}
	if name != DefaultPolicyName {
		return secrets.Errorf(secrets.Unsupported, op, "%s", msgOnlyDefaultPolicy)
	}
	if err := s.checkPolicy(ctx, op, c, "", doc, true); err != nil {
		return err
	}
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "PutKeyPolicy", c, k); err != nil {
			return err
		}
		if err := s.checkPolicy(ctx, op, c, k.ARN, doc, bypassLockoutCheck); err != nil {
			return err
		}
		k.Policy = doc
		return nil
	})
	return err
}

// ListKeyPolicies lists the key's policy names: always "default".
func (s *Service) ListKeyPolicies(ctx context.Context, c secrets.Caller, keyID string) ([]string, error) {
	const op = "kms.ListKeyPolicies"
	if _, err := s.readKey(ctx, c, op, keyID); err != nil {
		return nil, err
	}
	return []string{DefaultPolicyName}, nil
}

// readKey reads the key KeyId names (key id or ARN) in any state.
func (s *Service) readKey(ctx context.Context, c secrets.Caller, op, keyID string) (*secrets.KMSKey, error) {
	var k *secrets.KMSKey
	err := s.Store.View(ctx, func(tx secrets.Tx) error {
		var err error
		k, err = s.findKey(ctx, tx, op, c, keyID, keyOnly)
		return err
	})
	if err != nil {
		return nil, internal(op, err)
	}
	return k, nil
}

// TagResource adds tags to a customer key or replaces the values of tags
// it has.
func (s *Service) TagResource(ctx context.Context, c secrets.Caller, keyID string, tags []secrets.Tag) error {
	const op = "kms.TagResource"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "TagResource", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		merged, err := mergeTags(op, k.Tags, tags)
		k.Tags = merged
		return err
	})
	return err
}

// UntagResource removes tags from a customer key; missing keys are ignored.
func (s *Service) UntagResource(ctx context.Context, c secrets.Caller, keyID string, tagKeys []string) error {
	const op = "kms.UntagResource"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := customer(op, "UntagResource", c, k); err != nil {
			return err
		}
		if err := notPending(op, k); err != nil {
			return err
		}
		kept := k.Tags[:0:0]
		for _, t := range k.Tags {
			if !contains(tagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		k.Tags = kept
		return nil
	})
	return err
}

// ListResourceTags lists a key's tags ordered by tag key.
func (s *Service) ListResourceTags(ctx context.Context, c secrets.Caller, keyID string, in ListInput) ([]secrets.Tag, Page, error) {
	const op = "kms.ListResourceTags"
	k, err := s.readKey(ctx, c, op, keyID)
	if err != nil {
		return nil, Page{}, err
	}
	tags := append([]secrets.Tag{}, k.Tags...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	if in.Limit <= 0 {
		in.Limit = MaxTags
	}
	return paginate(op, tags, func(t secrets.Tag) string { return t.Key }, in)
}

func mergeTags(op string, have, add []secrets.Tag) ([]secrets.Tag, error) {
	out := append([]secrets.Tag{}, have...)
	for _, t := range add {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, secrets.Errorf(secrets.InvalidTag, op, "%s", msgReservedTag)
		}
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, secrets.Errorf(secrets.InvalidTag, op, "%s", msgTagLimit)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
