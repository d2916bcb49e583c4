package kms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

const day = 24 * time.Hour

// rotatable refuses a key whose rotation cannot be changed or started:
// AWS-managed keys, and keys that are not enabled.
func rotatable(op string, k *secrets.KMSKey) error {
	if k.Manager == ManagerAWS {
		return secrets.Errorf(secrets.Unsupported, op, "%s", msgManagedRotation)
	}
	return usable(op, k)
}

// EnableKeyRotation turns on automatic rotation of a customer key every
// days (0 means 365); the first rotation is days from now.
func (s *Service) EnableKeyRotation(ctx context.Context, c secrets.Caller, keyID string, days int) error {
	const op = "kms.EnableKeyRotation"
	if days == 0 {
		days = DefaultRotationDays
	}
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := rotatable(op, k); err != nil {
			return err
		}
		k.RotationPeriodDays = days
		k.NextRotationAt = s.now().Add(time.Duration(days) * day)
		return nil
	})
	return err
}

// DisableKeyRotation turns off automatic rotation of a customer key.
func (s *Service) DisableKeyRotation(ctx context.Context, c secrets.Caller, keyID string) error {
	const op = "kms.DisableKeyRotation"
	_, err := s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := rotatable(op, k); err != nil {
			return err
		}
		k.RotationPeriodDays = 0
		k.NextRotationAt = time.Time{}
		return nil
	})
	return err
}

// RotationStatus is GetKeyRotationStatus's answer.
type RotationStatus struct {
	KeyARN       string
	Enabled      bool
	PeriodDays   int       // 0 when disabled
	NextRotation time.Time // zero when disabled
}

// GetKeyRotationStatus tells whether a key rotates automatically. AWS
// rotates its AWS-managed keys every year.
func (s *Service) GetKeyRotationStatus(ctx context.Context, c secrets.Caller, keyID string) (*RotationStatus, error) {
	const op = "kms.GetKeyRotationStatus"
	k, err := s.readKey(ctx, c, op, keyID)
	if err != nil {
		return nil, err
	}
	st := &RotationStatus{KeyARN: k.ARN}
	switch {
	case k.State == StatePendingDeletion:
		// "While a KMS key is pending deletion, its key rotation status is
		// false and KMS does not rotate the key material. If you cancel the
		// deletion, the original key rotation status returns"
		// (GetKeyRotationStatus in AWS's kms model).
	case k.Manager == ManagerAWS:
		st.Enabled, st.PeriodDays, st.NextRotation = true, DefaultRotationDays, nextRotation(k)
	case k.RotationPeriodDays > 0:
		st.Enabled, st.PeriodDays, st.NextRotation = true, k.RotationPeriodDays, k.NextRotationAt
	}
	return st, nil
}

// RotateKeyOnDemand adds new material to a customer key now; earlier
// ciphertexts stay readable with the material they name.
func (s *Service) RotateKeyOnDemand(ctx context.Context, c secrets.Caller, keyID string) (*secrets.KMSKey, error) {
	const op = "kms.RotateKeyOnDemand"
	return s.change(ctx, c, op, keyID, keyOnly, func(k *secrets.KMSKey) error {
		if err := rotatable(op, k); err != nil {
			return err
		}
		n := 0
		for _, r := range k.Rotations {
			if r.OnDemand {
				n++
			}
		}
		if n >= MaxOnDemandRotations {
			return secrets.Errorf(secrets.LimitExceeded, op, "%s", msgRotationLimit)
		}
		return s.rotate(k, true)
	})
}

func (s *Service) rotate(k *secrets.KMSKey, onDemand bool) error {
	if err := s.Keyring.AddMaterial(k); err != nil {
		return err
	}
	k.Rotations = append(k.Rotations, secrets.KeyRotation{At: s.now(), OnDemand: onDemand})
	return nil
}

// KeyMaterial is one material version of a key, as ListKeyRotations lists
// it: Rotation is nil for the key's first material.
type KeyMaterial struct {
	ID       string // KeyMaterialId
	Current  bool   // the version that encrypts
	Rotation *secrets.KeyRotation
}

// MaterialID returns the KeyMaterialId of material version i of a key: 64
// lower-case hex digits, derived from the key ARN and the version (it
// reveals nothing of the material).
func MaterialID(keyARN string, i int) string {
	sum := sha256.Sum256([]byte("coffer/key-material-id/v1\x00" + keyARN + "\x00" + strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

// ListKeyRotations lists the material versions rotations made, oldest
// first; with all, the key's first material too (IncludeKeyMaterial
// ALL_KEY_MATERIAL). AWS-managed keys rotate out of sight.
func (s *Service) ListKeyRotations(ctx context.Context, c secrets.Caller, keyID string, all bool, in ListInput) ([]KeyMaterial, string, Page, error) {
	const op = "kms.ListKeyRotations"
	k, err := s.readKey(ctx, c, op, keyID)
	if err != nil {
		return nil, "", Page{}, err
	}
	if k.Manager == ManagerAWS {
		return nil, "", Page{}, secrets.Errorf(secrets.Unsupported, op, "%s", msgManagedRotation)
	}
	type indexed struct {
		key string
		m   KeyMaterial
	}
	var items []indexed
	for i := range k.Material {
		m := KeyMaterial{ID: MaterialID(k.ARN, i), Current: i == len(k.Material)-1}
		if i > 0 && i-1 < len(k.Rotations) {
			r := k.Rotations[i-1]
			m.Rotation = &r
		} else if !all {
			continue
		}
		items = append(items, indexed{key: fmt.Sprintf("%08d", i), m: m})
	}
	page, p, err := paginate(op, items, func(x indexed) string { return x.key }, in)
	if err != nil {
		return nil, "", Page{}, err
	}
	out := make([]KeyMaterial, len(page))
	for i, x := range page {
		out[i] = x.m
	}
	return out, k.ARN, p, nil
}

// nextRotation is when a key rotates next: NextRotationAt for a customer
// key; a year after its last rotation (or its creation) for an
// AWS-managed key, which AWS rotates every year.
func nextRotation(k *secrets.KMSKey) time.Time {
	if k.Manager != ManagerAWS {
		return k.NextRotationAt
	}
	last := k.CreatedAt
	if n := len(k.Rotations); n > 0 {
		last = k.Rotations[n-1].At
	}
	return last.Add(DefaultRotationDays * day)
}

// rotationDue reports whether an enabled key's automatic rotation is due.
func rotationDue(k *secrets.KMSKey, now time.Time) bool {
	if k.State != StateEnabled || k.Manager != ManagerAWS && k.RotationPeriodDays <= 0 {
		return false
	}
	next := nextRotation(k)
	return !next.IsZero() && !next.After(now)
}

// RunDue does the work the clock makes due: it rotates enabled keys whose
// next rotation date has passed (customer keys with automatic rotation on,
// and AWS-managed keys every year), and
// deletes keys whose deletion date has passed, with their aliases. A
// deleted key's ciphertexts cannot be decrypted ever again. It returns how
// many keys it rotated and deleted.
func (s *Service) RunDue(ctx context.Context) (rotated, deleted int, err error) {
	const op = "kms.RunDue"
	now := s.now()
	var keys []*secrets.KMSKey
	if err := s.Store.View(ctx, func(tx secrets.Tx) error {
		var err error
		keys, err = tx.KMSKeys(ctx, "", "")
		return err
	}); err != nil {
		return 0, 0, internal(op, err)
	}
	for _, k := range keys {
		switch {
		case k.State == StatePendingDeletion && !k.DeletionAt.IsZero() && !k.DeletionAt.After(now):
			if err := s.deleteKey(ctx, k.ARN); err != nil {
				return rotated, deleted, internal(op, err)
			}
			deleted++
		case rotationDue(k, now):
			ok, err := s.rotateDue(ctx, k.ARN)
			if err != nil {
				return rotated, deleted, internal(op, err)
			}
			if ok {
				rotated++
			}
		}
	}
	return rotated, deleted, nil
}

// deleteKey removes a key and the aliases that name it, in one transaction.
func (s *Service) deleteKey(ctx context.Context, keyARN string) error {
	return s.Store.Update(ctx, func(tx secrets.Tx) error {
		k, err := tx.KMSKey(ctx, keyARN)
		if err != nil {
			return err
		}
		if k.State != StatePendingDeletion || k.DeletionAt.After(s.now()) {
			return nil // cancelled meanwhile
		}
		aliases, err := tx.KMSAliases(ctx, k.Account, k.Region)
		if err != nil {
			return err
		}
		for _, a := range aliases {
			if a.TargetKey == k.ARN {
				if err := tx.DeleteKMSAlias(ctx, a.ARN); err != nil {
					return err
				}
			}
		}
		s.logger().Info("deleted KMS key at the end of its waiting period", "key", k.ARN)
		return tx.DeleteKMSKey(ctx, k.ARN)
	})
}

// rotateDue rotates a key whose automatic rotation is due, re-checking it
// in the write transaction.
func (s *Service) rotateDue(ctx context.Context, keyARN string) (bool, error) {
	done := false
	err := s.Store.Update(ctx, func(tx secrets.Tx) error {
		k, err := tx.KMSKey(ctx, keyARN)
		if err != nil {
			return err
		}
		now := s.now()
		if !rotationDue(k, now) {
			return nil
		}
		if err := s.rotate(k, false); err != nil {
			return err
		}
		if k.Manager != ManagerAWS {
			k.NextRotationAt = now.Add(time.Duration(k.RotationPeriodDays) * day)
		}
		done = true
		return tx.PutKMSKey(ctx, k)
	})
	return done && err == nil, err
}
