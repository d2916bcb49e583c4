package secrets

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CreateSecretInput is CreateSecret's request.
type CreateSecretInput struct {
	Name        string
	Description *string
	KMSKeyID    string
	Token       string // ClientRequestToken; generated when empty
	Value       *Value // nil when neither SecretString nor SecretBinary was given
	Tags        []Tag
}

// SecretRef names a secret in a response, with the version an operation
// touched.
type SecretRef struct {
	ARN       string
	Name      string
	VersionID string // empty when no version was created
}

// CreateSecret creates a secret and, when a value is given, its first
// version labelled AWSCURRENT.
func (s *Service) CreateSecret(ctx context.Context, c Caller, in CreateSecretInput) (*SecretRef, error) {
	const op = "secrets.CreateSecret"
	if !validName(in.Name) {
		return nil, newError(Validation, op, msgInvalidName)
	}
	if err := checkTags(op, nil, in.Tags); err != nil {
		return nil, err
	}
	token := in.Token
	if token == "" && in.Value != nil {
		return nil, newError(InvalidRequest, op, msgNoToken)
	}
	suffix, err := RandomString(s.Random, suffixAlphabet, 6)
	if err != nil {
		return nil, internal(op, err)
	}
	if s.Authorizer != nil {
		keys := RequestTagKeys(map[string][]string{"secretsmanager:Name": {in.Name}}, in.Tags)
		if in.KMSKeyID != "" {
			keys["secretsmanager:KmsKeyId"] = []string{in.KMSKeyID}
		}
		if in.Description != nil {
			keys["secretsmanager:Description"] = []string{*in.Description}
		}
		arn := SecretARN(c.Region, c.Account, in.Name, suffix)
		if err := internal(op, s.Authorizer.Authorize(ctx, c, Access{
			Action: actionOf(op), Resource: arn, Context: keys, Shown: in.Name,
		})); err != nil {
			return nil, err
		}
	}
	var out *SecretRef
	err = s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		existing, err := tx.SecretByName(ctx, c.Account, c.Region, in.Name)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return internal(op, err)
		case s.expired(existing):
			// Its recovery window is over: it is gone, whether or not the purge job ran.
			if err := tx.DeleteSecret(ctx, existing.ARN); err != nil {
				return internal(op, err)
			}
		case existing.Scheduled():
			return newError(InvalidRequest, op, msgCreateScheduled)
		default:
			// A CreateSecret naming an existing secret is a question about
			// that secret: authorized on it, with its resource policy,
			// before its answer (retry or ResourceExists) says anything.
			if err := s.authorize(ctx, c, op, existing, in.Name, RequestTagKeys(map[string][]string{"secretsmanager:Name": {in.Name}}, in.Tags)); err != nil {
				return err
			}
			out, err = s.retryCreate(ctx, tx, c, op, existing, token, in)
			return err
		}
		keyID, _, err := s.Sealer.ResolveKey(ctx, tx, c.Account, c.Region, in.KMSKeyID)
		if err != nil {
			return internal(op, err)
		}
		now := s.now()
		sec := &Secret{
			ARN: SecretARN(c.Region, c.Account, in.Name, suffix), Account: c.Account, Region: c.Region,
			Name: in.Name, KMSKeyID: keyID, Tags: mergeTags(nil, in.Tags),
			CreatedAt: now, LastChangedAt: now,
		}
		if in.Description != nil {
			sec.Description = *in.Description
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		if in.Value == nil {
			return internal(op, tx.PutSecret(ctx, sec))
		}
		// The secret goes first: its versions refer to it.
		if err := tx.PutSecret(ctx, sec); err != nil {
			return internal(op, err)
		}
		if _, _, err := s.addVersion(ctx, tx, c, op, sec, nil, token, *in.Value, []string{StageCurrent}); err != nil {
			return err
		}
		out.VersionID = token
		return internal(op, tx.PutSecret(ctx, sec))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// retryCreate answers a CreateSecret for a name that exists: a retry with
// the same token and value succeeds and changes nothing, as AWS documents;
// anything else is ResourceExistsException.
func (s *Service) retryCreate(ctx context.Context, tx Tx, c Caller, op string, sec *Secret, token string, in CreateSecretInput) (*SecretRef, error) {
	if in.Value == nil {
		return nil, newError(Exists, op, msgResourceExists(in.Name))
	}
	v, err := tx.Version(ctx, sec.ARN, token)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(Exists, op, msgResourceExists(in.Name))
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if err := s.retryOf(ctx, tx, c, op, sec, v, *in.Value); err != nil {
		return nil, err
	}
	return &SecretRef{ARN: sec.ARN, Name: sec.Name, VersionID: v.ID}, nil
}

// PutSecretValueInput is PutSecretValue's request.
type PutSecretValueInput struct {
	SecretID      string
	Token         string
	Value         *Value
	Stages        []string // nil means AWSCURRENT
	RotationToken string
}

// PutSecretValueOutput is PutSecretValue's response.
type PutSecretValueOutput struct {
	SecretRef
	Stages []string
}

// PutSecretValue stores a new version of a secret's value.
func (s *Service) PutSecretValue(ctx context.Context, c Caller, in PutSecretValueInput) (*PutSecretValueOutput, error) {
	const op = "secrets.PutSecretValue"
	token := in.Token
	if token == "" {
		return nil, newError(InvalidRequest, op, msgNoToken)
	}
	if in.Value == nil {
		return nil, newError(InvalidRequest, op, msgNoValue)
	}
	var out *PutSecretValueOutput
	err := s.Store.Update(ctx, func(tx Tx) error {
		var extra map[string][]string
		if len(in.Stages) > 0 {
			extra = map[string][]string{"secretsmanager:VersionStage": in.Stages}
		}
		sec, err := s.findLive(ctx, tx, op, c, in.SecretID, extra)
		if err != nil {
			return err
		}
		versions, err := tx.Versions(ctx, sec.ARN)
		if err != nil {
			return internal(op, err)
		}
		if v := versionByID(versions, token); v != nil {
			if err := s.retryOf(ctx, tx, c, op, sec, v, *in.Value); err != nil {
				return err
			}
			out = &PutSecretValueOutput{SecretRef{sec.ARN, sec.Name, v.ID}, slices.Clone(v.Stages)}
			return nil
		}
		stages := in.Stages
		if stages == nil || currentVersion(versions) == nil && !slices.Contains(stages, StageCurrent) {
			// The first version is AWSCURRENT whatever was asked.
			stages = append(slices.Clone(stages), StageCurrent)
		}
		v, _, err := s.addVersion(ctx, tx, c, op, sec, versions, token, *in.Value, dedupe(stages))
		if err != nil {
			return err
		}
		sec.LastChangedAt = s.now()
		if err := tx.PutSecret(ctx, sec); err != nil {
			return internal(op, err)
		}
		out = &PutSecretValueOutput{SecretRef{sec.ARN, sec.Name, v.ID}, slices.Clone(v.Stages)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSecretInput is UpdateSecret's request. Nil fields are left as they are.
type UpdateSecretInput struct {
	SecretID    string
	Token       string
	Description *string
	KMSKeyID    *string
	Value       *Value
}

// UpdateSecret changes a secret's description or key and, with a value,
// stores a new AWSCURRENT version.
func (s *Service) UpdateSecret(ctx context.Context, c Caller, in UpdateSecretInput) (*SecretRef, error) {
	const op = "secrets.UpdateSecret"
	token := in.Token
	if token == "" && in.Value != nil {
		return nil, newError(InvalidRequest, op, msgNoToken)
	}
	var out *SecretRef
	err := s.Store.Update(ctx, func(tx Tx) error {
		var extra map[string][]string
		if in.KMSKeyID != nil {
			extra = map[string][]string{"secretsmanager:KmsKeyId": {*in.KMSKeyID}}
		}
		if in.Description != nil {
			if extra == nil {
				extra = map[string][]string{}
			}
			extra["secretsmanager:Description"] = []string{*in.Description}
		}
		sec, err := s.findLive(ctx, tx, op, c, in.SecretID, extra)
		if err != nil {
			return err
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		versions, err := tx.Versions(ctx, sec.ARN)
		if err != nil {
			return internal(op, err)
		}
		if in.Description != nil {
			sec.Description = *in.Description
		}
		if in.KMSKeyID != nil {
			if err := s.rekey(ctx, tx, c, op, sec, versions, *in.KMSKeyID); err != nil {
				return err
			}
		}
		if in.Value != nil {
			// A token that names an existing version: the same value is a
			// retry and changes no version, another value is an error. The
			// model's UpdateSecret text says any existing token is an error,
			// but moto's tests verified against AWS
			// (test_update_same_secret_value_with_same_token and
			// test_update_different_secret_value_with_same_token) show AWS
			// treats UpdateSecret as it treats PutSecretValue.
			if v := versionByID(versions, token); v != nil {
				if err := s.retryOf(ctx, tx, c, op, sec, v, *in.Value); err != nil {
					return err
				}
				out.VersionID = v.ID
			} else {
				if _, _, err := s.addVersion(ctx, tx, c, op, sec, versions, token, *in.Value, []string{StageCurrent}); err != nil {
					return err
				}
				out.VersionID = token
			}
		}
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rekey moves the secret to another KMS key and re-encrypts the versions
// labelled AWSCURRENT, AWSPENDING and AWSPREVIOUS under it, as UpdateSecret
// is documented to do.
func (s *Service) rekey(ctx context.Context, tx Tx, c Caller, op string, sec *Secret, versions []*Version, kmsKeyID string) error {
	keyID, keyARN, err := s.Sealer.ResolveKey(ctx, tx, sec.Account, sec.Region, kmsKeyID)
	if err != nil {
		return internal(op, err)
	}
	// Choosing a key needs the right to use it, whether or not a version
	// has to be re-encrypted now (the next value will be sealed under it).
	if err := s.authorizeKey(ctx, tx, c, op, sec, keyARN, "kms:GenerateDataKey", ""); err != nil {
		return err
	}
	old := *sec
	sec.KMSKeyID = keyID
	for _, v := range versions {
		if !v.HasStage(StageCurrent) && !v.HasStage(StagePending) && !v.HasStage(StagePrevious) {
			continue
		}
		if v.KMSKeyARN == keyARN {
			// Under that key already (the KmsKeyId did not change, or an
			// alias still names the same key): nothing to re-encrypt. An
			// alias pointed at another key since re-encrypts.
			continue
		}
		pt, err := s.open(ctx, tx, c, op, &old, v)
		if err != nil {
			return err
		}
		sealed, keyARN, err := s.seal(ctx, tx, c, op, sec, v.ID, pt)
		clear(pt)
		if err != nil {
			return err
		}
		v.Sealed, v.KMSKeyARN = sealed, keyARN
		if err := tx.PutVersion(ctx, v); err != nil {
			return internal(op, err)
		}
	}
	return nil
}

// GetSecretValueInput is GetSecretValue's request.
type GetSecretValueInput struct {
	SecretID  string
	VersionID string
	Stage     string
}

// SecretValue is one version's value, as GetSecretValue returns it.
type SecretValue struct {
	ARN       string
	Name      string
	VersionID string
	Value     Value
	Stages    []string
	CreatedAt time.Time
}

// GetSecretValue returns the value of one version of a secret: the one with
// VersionID, or with Stage, or AWSCURRENT.
func (s *Service) GetSecretValue(ctx context.Context, c Caller, in GetSecretValueInput) (*SecretValue, error) {
	const op = "secrets.GetSecretValue"
	var (
		out *SecretValue
		sec *Secret
		ver *Version
	)
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if sec, ver, err = s.readVersion(ctx, tx, op, c, in); err != nil {
			return err
		}
		pt, err := s.open(ctx, tx, c, op, sec, ver)
		if err != nil {
			return err
		}
		out = &SecretValue{
			ARN: sec.ARN, Name: sec.Name, VersionID: ver.ID, Value: Value{Bytes: pt, Binary: ver.Binary},
			Stages: ver.Stages, CreatedAt: ver.CreatedAt,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.touch(ctx, sec, ver); err != nil {
		// LastAccessedDate is bookkeeping: a read that could not record it
		// still answers, as a read must not fail for want of a write.
		s.logger().Warn("record last access", "op", op, "secret", sec.ARN, "err", err)
	}
	return out, nil
}

// readVersion finds the secret and the version a read asks for. When the
// store can, a read by staging label is one lookup: it is the hot path.
func (s *Service) readVersion(ctx context.Context, tx Tx, op string, c Caller, in GetSecretValueInput) (*Secret, *Version, error) {
	var extra map[string][]string
	if in.VersionID != "" || in.Stage != "" {
		extra = make(map[string][]string, 2)
		if in.VersionID != "" {
			extra["secretsmanager:VersionId"] = []string{in.VersionID}
		}
		if in.Stage != "" {
			extra["secretsmanager:VersionStage"] = []string{in.Stage}
		}
	}
	sr, ok := tx.(StageReader)
	if !ok || in.VersionID != "" {
		sec, err := s.findLive(ctx, tx, op, c, in.SecretID, extra)
		if err != nil {
			return nil, nil, err
		}
		ver, err := s.pickVersion(ctx, tx, op, sec, in.VersionID, in.Stage)
		return sec, ver, err
	}
	key, err := secretKey(op, c, in.SecretID)
	if err != nil {
		return nil, nil, err
	}
	stage := cmp.Or(in.Stage, StageCurrent)
	sec, ver, err := sr.SecretWithStage(ctx, key, stage)
	if sec, err = live(op)(s.foundFor(ctx, c, op, key, in.SecretID, extra, sec, err)); err != nil {
		return nil, nil, err
	}
	if ver == nil {
		return nil, nil, newError(NotFound, op, msgNoValueForStage(stage))
	}
	return sec, ver, nil
}

// pickVersion finds the version a read asks for.
func (s *Service) pickVersion(ctx context.Context, tx Tx, op string, sec *Secret, versionID, stage string) (*Version, error) {
	if versionID != "" {
		v, err := tx.Version(ctx, sec.ARN, versionID)
		if errors.Is(err, ErrNotFound) {
			return nil, newError(NotFound, op, msgNoValueForVersion(versionID))
		}
		if err != nil {
			return nil, internal(op, err)
		}
		if v.Pruned() {
			return nil, newError(InvalidRequest, op, msgVersionDeleted(versionID))
		}
		if stage != "" && !v.HasStage(stage) {
			return nil, newError(InvalidRequest, op, msgStageMismatch)
		}
		return v, nil
	}
	if stage == "" {
		stage = StageCurrent
	}
	v, err := tx.VersionByStage(ctx, sec.ARN, stage)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(NotFound, op, msgNoValueForStage(stage))
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return v, nil
}

// Description is what DescribeSecret returns: a secret's metadata and the
// labels of its labelled versions.
type Description struct {
	Secret
	VersionStages map[string][]string
}

// DescribeSecret returns a secret's metadata. It works on a secret
// scheduled for deletion.
func (s *Service) DescribeSecret(ctx context.Context, c Caller, secretID string) (*Description, error) {
	const op = "secrets.DescribeSecret"
	var out *Description
	err := s.Store.View(ctx, func(tx Tx) error {
		sec, err := s.find(ctx, tx, op, c, secretID, nil)
		if err != nil {
			return err
		}
		versions, err := tx.Versions(ctx, sec.ARN)
		if err != nil {
			return internal(op, err)
		}
		out = &Description{Secret: *sec, VersionStages: stagesMap(versions)}
		return nil
	})
	return out, err
}

func stagesMap(versions []*Version) map[string][]string {
	m := make(map[string][]string)
	for _, v := range versions {
		if len(v.Stages) > 0 {
			m[v.ID] = v.Stages
		}
	}
	return m
}

// DeleteSecretInput is DeleteSecret's request.
type DeleteSecretInput struct {
	SecretID           string
	RecoveryWindowDays *int64
	Force              *bool
}

// DeleteSecretOutput is DeleteSecret's response.
type DeleteSecretOutput struct {
	ARN          string
	Name         string
	DeletionDate time.Time
}

// DeleteSecret schedules a secret for deletion at the end of a recovery
// window, or removes it at once with Force.
func (s *Service) DeleteSecret(ctx context.Context, c Caller, in DeleteSecretInput) (*DeleteSecretOutput, error) {
	const op = "secrets.DeleteSecret"
	force := in.Force != nil && *in.Force
	days := int64(DefaultRecoveryDay)
	if in.RecoveryWindowDays != nil {
		// The range is checked first, as AWS does (getmoto/moto#6461).
		days = *in.RecoveryWindowDays
		if days < MinRecoveryDays || days > MaxRecoveryDays {
			return nil, newError(InvalidParameter, op, msgRecoveryWindowRange)
		}
	}
	if force && in.RecoveryWindowDays != nil {
		return nil, newError(InvalidParameter, op, msgForceAndWindow)
	}
	var out *DeleteSecretOutput
	err := s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		extra := map[string][]string{"secretsmanager:ForceDeleteWithoutRecovery": {strconv.FormatBool(force)}}
		if in.RecoveryWindowDays != nil {
			extra["secretsmanager:RecoveryWindowInDays"] = []string{strconv.FormatInt(*in.RecoveryWindowDays, 10)}
		}
		sec, err := s.find(ctx, tx, op, c, in.SecretID, extra)
		if err != nil {
			if force && KindOf(err) == NotFound {
				// AWS does not answer ResourceNotFoundException to a forced
				// delete of a secret that is already gone.
				out, err = s.forcedGone(c, in.SecretID, now)
				return internal(op, err)
			}
			return err
		}
		if force {
			if err := tx.DeleteSecret(ctx, sec.ARN); err != nil {
				return internal(op, err)
			}
			out = &DeleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: now}
			return nil
		}
		if sec.Scheduled() {
			return newError(InvalidRequest, op, msgAlreadyScheduled)
		}
		sec.DeletedAt = now
		sec.PurgeAt = now.Add(time.Duration(days) * 24 * time.Hour)
		sec.LastChangedAt = now
		if err := tx.PutSecret(ctx, sec); err != nil {
			return internal(op, err)
		}
		out = &DeleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: sec.PurgeAt}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// forcedGone is the answer to a forced delete of a secret that does not
// exist: its ARN when the id is one, and the name the caller gave. For a
// name, AWS answers with an ARN too (localstack test_secretsmanager.py
// test_delete_non_existent_secret_returns_as_if_secret_exists, validated
// against AWS, asserts only that there is one); as moto does, it is the ARN
// a secret of that name would have, with a fresh suffix.
func (s *Service) forcedGone(c Caller, id string, now time.Time) (*DeleteSecretOutput, error) {
	out := &DeleteSecretOutput{Name: id, DeletionDate: now}
	p, ok := parseSecretID(id)
	switch {
	case ok && p.fullARN != "":
		out.ARN = p.fullARN
		name := p.fullARN[strings.LastIndex(p.fullARN, ":")+1:]
		out.Name = name[:len(name)-7]
	case ok && p.account != "":
		out.ARN, out.Name = id, p.name
	default:
		suffix, err := RandomString(s.Random, suffixAlphabet, 6)
		if err != nil {
			return nil, err
		}
		out.ARN = SecretARN(c.Region, c.Account, id, suffix)
	}
	return out, nil
}

// RestoreSecret cancels a secret's scheduled deletion.
func (s *Service) RestoreSecret(ctx context.Context, c Caller, secretID string) (*SecretRef, error) {
	const op = "secrets.RestoreSecret"
	var out *SecretRef
	err := s.Store.Update(ctx, func(tx Tx) error {
		sec, err := s.find(ctx, tx, op, c, secretID, nil)
		if err != nil {
			return err
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		if !sec.Scheduled() {
			return nil
		}
		sec.DeletedAt, sec.PurgeAt = time.Time{}, time.Time{}
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TagResource adds tags to a secret, replacing the values of keys it has.
func (s *Service) TagResource(ctx context.Context, c Caller, secretID string, tags []Tag) error {
	const op = "secrets.TagResource"
	return s.Store.Update(ctx, func(tx Tx) error {
		sec, err := s.findLive(ctx, tx, op, c, secretID, RequestTagKeys(nil, tags))
		if err != nil {
			return err
		}
		if err := checkTags(op, sec.Tags, tags); err != nil {
			return err
		}
		sec.Tags = mergeTags(sec.Tags, tags)
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
}

// UntagResource removes tags from a secret; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, c Caller, secretID string, keys []string) error {
	const op = "secrets.UntagResource"
	return s.Store.Update(ctx, func(tx Tx) error {
		var extra map[string][]string
		if len(keys) > 0 {
			extra = map[string][]string{"aws:TagKeys": keys}
		}
		sec, err := s.findLive(ctx, tx, op, c, secretID, extra)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if strings.HasPrefix(strings.ToLower(k), "aws:") {
				return newError(InvalidParameter, op, msgSystemTag(k))
			}
		}
		// Tags stays non-nil: a secret whose tags were all removed shows
		// "Tags": [], one never tagged shows none (localstack snapshot test_secret_tags).
		sec.Tags = slices.DeleteFunc(append([]Tag{}, sec.Tags...), func(t Tag) bool { return slices.Contains(keys, t.Key) })
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
}

// checkTags checks that adding tags to existing keeps within AWS's rules.
func checkTags(op string, existing, tags []Tag) error {
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return newError(InvalidParameter, op, msgSystemTag(t.Key))
		}
	}
	if len(mergeTags(existing, tags)) > MaxTags {
		return newError(InvalidParameter, op, msgTagLimit)
	}
	return nil
}

// mergeTags returns existing with tags added; a key already present takes
// the new value in place.
func mergeTags(existing, tags []Tag) []Tag {
	out := slices.Clone(existing)
	for _, t := range tags {
		i := slices.IndexFunc(out, func(e Tag) bool { return e.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	return out
}

// UpdateSecretVersionStageInput is UpdateSecretVersionStage's request.
type UpdateSecretVersionStageInput struct {
	SecretID   string
	Stage      string
	MoveTo     string
	RemoveFrom string
}

// UpdateSecretVersionStage moves or removes a staging label.
func (s *Service) UpdateSecretVersionStage(ctx context.Context, c Caller, in UpdateSecretVersionStageInput) (*SecretRef, error) {
	const op = "secrets.UpdateSecretVersionStage"
	var out *SecretRef
	err := s.Store.Update(ctx, func(tx Tx) error {
		sec, err := s.findLive(ctx, tx, op, c, in.SecretID, map[string][]string{"secretsmanager:VersionStage": {in.Stage}})
		if err != nil {
			return err
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		versions, err := tx.Versions(ctx, sec.ARN)
		if err != nil {
			return internal(op, err)
		}
		var holder *Version
		for _, v := range versions {
			if v.HasStage(in.Stage) {
				holder = v
			}
		}
		changed := map[*Version]bool{}
		switch {
		case in.MoveTo != "":
			target := liveVersionByID(versions, in.MoveTo)
			if target == nil {
				return newError(InvalidParameter, op, msgNoVersion(in.MoveTo))
			}
			if in.RemoveFrom != "" && liveVersionByID(versions, in.RemoveFrom) == nil {
				return newError(InvalidParameter, op, msgNoVersion(in.RemoveFrom))
			}
			if holder != nil && holder != target {
				if in.RemoveFrom == "" {
					return newError(InvalidParameter, op, msgStageAttached(in.Stage, holder.ID))
				}
				if in.RemoveFrom != holder.ID {
					return newError(InvalidParameter, op, msgRemoveFromMismatch(in.Stage))
				}
			} else if in.RemoveFrom != "" && (holder == nil || in.RemoveFrom != holder.ID) {
				// RemoveFromVersionId names a version without the label.
				return newError(InvalidParameter, op, msgStageNotOn(in.Stage, in.RemoveFrom))
			}
			moveStage(versions, in.Stage, target, changed)
		case in.RemoveFrom != "":
			from := liveVersionByID(versions, in.RemoveFrom)
			if from == nil {
				return newError(InvalidParameter, op, msgNoVersion(in.RemoveFrom))
			}
			if !from.HasStage(in.Stage) {
				return newError(InvalidParameter, op, msgStageNotOn(in.Stage, in.RemoveFrom))
			}
			if in.Stage == StageCurrent {
				return newError(InvalidParameter, op, msgRemoveCurrent)
			}
			from.Stages = slices.DeleteFunc(from.Stages, func(s string) bool { return s == in.Stage })
			changed[from] = true
		default:
			return newError(InvalidParameter, op, msgMoveOrRemove)
		}
		if countStages(versions) > MaxStages {
			return newError(LimitExceeded, op, msgLabelLimit)
		}
		for v := range changed {
			if err := tx.PutVersion(ctx, v); err != nil {
				return internal(op, err)
			}
		}
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// versionByID returns the version with the id, pruned or not.
func versionByID(versions []*Version, id string) *Version {
	for _, v := range versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// liveVersionByID returns the version with the id unless it was pruned.
func liveVersionByID(versions []*Version, id string) *Version {
	if v := versionByID(versions, id); v != nil && !v.Pruned() {
		return v
	}
	return nil
}

func currentVersion(versions []*Version) *Version {
	for _, v := range versions {
		if v.HasStage(StageCurrent) {
			return v
		}
	}
	return nil
}

func dedupe(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Purge removes the secrets whose recovery window has ended and returns how
// many it removed. The server runs it periodically.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n := 0
	err := s.Store.Update(ctx, func(tx Tx) error {
		arns, err := tx.SecretsDueForPurge(ctx, s.now())
		if err != nil {
			return err
		}
		for _, arn := range arns {
			if err := tx.DeleteSecret(ctx, arn); err != nil {
				return err
			}
		}
		n = len(arns)
		return nil
	})
	return n, err
}
