package secrets_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// recorder is an Authorizer that records every question and refuses the
// actions in deny.
type recorder struct {
	mu   sync.Mutex
	seen []secrets.Access
	deny map[string]bool
}

func (r *recorder) Authorize(_ context.Context, _ secrets.Caller, a secrets.Access) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, a)
	if r.deny[a.Action] {
		return secrets.Errorf(secrets.Denied, "test", "denied %s", a.Action)
	}
	return nil
}

func (r *recorder) take() []secrets.Access {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}

// TestAuthorize_Operations checks that every operation asks the Authorizer
// the question AWS's Service Authorization Reference lists for it: the
// action, the resource ARN, and the operation's condition keys.
func TestAuthorize_Operations(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	ctx := t.Context()
	rec := &recorder{}
	svc.Authorizer = rec
	user := secrets.Caller{Account: alice.Account, Region: alice.Region, Principal: "arn:aws:iam::111122223333:user/u"}
	ref, err := svc.CreateSecret(ctx, user, secrets.CreateSecretInput{
		Name: "prod/db", Token: strings.Repeat("a", 32), Value: &secrets.Value{Bytes: []byte("v")},
		Tags: []secrets.Tag{{Key: "team", Value: "core"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	// CreateSecret asks for CreateSecret on the new ARN; the default key is
	// an AWS-managed key in the caller's account, checked too.
	if len(got) < 1 || got[0].Action != "secretsmanager:CreateSecret" || got[0].Resource != ref.ARN ||
		!slices.Equal(got[0].Context["secretsmanager:Name"], []string{"prod/db"}) ||
		!slices.Equal(got[0].Context["aws:RequestTag/team"], []string{"core"}) || !slices.Equal(got[0].Context["aws:TagKeys"], []string{"team"}) {
		t.Fatalf("CreateSecret asked %+v", got)
	}
	if i := slices.IndexFunc(got, func(a secrets.Access) bool { return a.Action == "kms:GenerateDataKey" }); i < 0 ||
		got[i].KeyPolicy == "" || !slices.Equal(got[i].Context["kms:ViaService"], []string{"secretsmanager.us-east-1.amazonaws.com"}) ||
		!slices.Equal(got[i].Context["kms:EncryptionContext:SecretARN"], []string{ref.ARN}) {
		t.Errorf("CreateSecret's key question: %+v", got)
	}

	for _, tc := range []struct {
		name   string
		call   func() error
		action string
		keys   map[string]string // condition keys the question must carry
	}{
		{"GetSecretValue", func() error {
			_, err := svc.GetSecretValue(ctx, user, secrets.GetSecretValueInput{SecretID: "prod/db", Stage: "AWSCURRENT"})
			return err
		}, "secretsmanager:GetSecretValue", map[string]string{"secretsmanager:VersionStage": "AWSCURRENT", "secretsmanager:SecretId": ref.ARN, "aws:ResourceTag/team": "core", "secretsmanager:ResourceTag/team": "core"}},
		{"DescribeSecret", func() error { _, err := svc.DescribeSecret(ctx, user, "prod/db"); return err }, "secretsmanager:DescribeSecret", nil},
		{"PutSecretValue", func() error {
			_, err := svc.PutSecretValue(ctx, user, secrets.PutSecretValueInput{SecretID: "prod/db", Token: strings.Repeat("b", 32), Value: &secrets.Value{Bytes: []byte("w")}})
			return err
		}, "secretsmanager:PutSecretValue", nil},
		{"UpdateSecret", func() error {
			d := "desc"
			_, err := svc.UpdateSecret(ctx, user, secrets.UpdateSecretInput{SecretID: "prod/db", Description: &d})
			return err
		}, "secretsmanager:UpdateSecret", map[string]string{"secretsmanager:Description": "desc"}},
		{"TagResource", func() error {
			return svc.TagResource(ctx, user, "prod/db", []secrets.Tag{{Key: "env", Value: "prod"}})
		}, "secretsmanager:TagResource", map[string]string{"aws:RequestTag/env": "prod", "aws:TagKeys": "env"}},
		{"UntagResource", func() error { return svc.UntagResource(ctx, user, "prod/db", []string{"env"}) }, "secretsmanager:UntagResource", map[string]string{"aws:TagKeys": "env"}},
		{"ListSecretVersionIds", func() error {
			_, err := svc.ListSecretVersionIds(ctx, user, secrets.ListVersionsInput{SecretID: "prod/db"})
			return err
		}, "secretsmanager:ListSecretVersionIds", nil},
		{"ListSecrets", func() error { _, err := svc.ListSecrets(ctx, user, secrets.ListSecretsInput{}); return err }, "secretsmanager:ListSecrets", nil},
		{"GetRandomPassword", func() error { _, err := svc.GetRandomPassword(ctx, user, secrets.DefaultPasswordSpec()); return err }, "secretsmanager:GetRandomPassword", nil},
		{"DeleteSecret", func() error {
			days := int64(7)
			_, err := svc.DeleteSecret(ctx, user, secrets.DeleteSecretInput{SecretID: "prod/db", RecoveryWindowDays: &days})
			return err
		}, "secretsmanager:DeleteSecret", map[string]string{"secretsmanager:RecoveryWindowInDays": "7", "secretsmanager:ForceDeleteWithoutRecovery": "false"}},
		{"RestoreSecret", func() error { _, err := svc.RestoreSecret(ctx, user, "prod/db"); return err }, "secretsmanager:RestoreSecret", nil},
	} {
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := rec.take()
		if len(got) == 0 || got[0].Action != tc.action {
			t.Errorf("%s asked %+v, want %s first", tc.name, got, tc.action)
			continue
		}
		for k, v := range tc.keys {
			if !slices.Contains(got[0].Context[k], v) {
				t.Errorf("%s: condition key %s = %v, want %q", tc.name, k, got[0].Context[k], v)
			}
		}
		if tc.action != "secretsmanager:ListSecrets" && tc.action != "secretsmanager:GetRandomPassword" && got[0].Resource != ref.ARN {
			t.Errorf("%s: resource %q, want %q", tc.name, got[0].Resource, ref.ARN)
		}
	}

	// A refusal is returned as it is, and nothing changes.
	rec.deny = map[string]bool{"secretsmanager:PutSecretValue": true}
	_, err = svc.PutSecretValue(ctx, user, secrets.PutSecretValueInput{SecretID: "prod/db", Token: strings.Repeat("c", 32), Value: &secrets.Value{Bytes: []byte("x")}})
	if secrets.KindOf(err) != secrets.Denied {
		t.Fatalf("denied PutSecretValue: %v", err)
	}
	rec.deny = map[string]bool{"kms:Decrypt": true}
	_, err = svc.GetSecretValue(ctx, user, secrets.GetSecretValueInput{SecretID: "prod/db"})
	if secrets.KindOf(err) != secrets.Denied || secrets.MessageOf(err) != "Access to KMS is not allowed" {
		t.Fatalf("GetSecretValue without kms:Decrypt: %v", err)
	}
	rec.deny = map[string]bool{"secretsmanager:GetSecretValue": true}
	// A missing secret is refused before it is reported missing.
	_, err = svc.GetSecretValue(ctx, user, secrets.GetSecretValueInput{SecretID: "prod/none"})
	if secrets.KindOf(err) != secrets.Denied {
		t.Fatalf("GetSecretValue of a missing secret when denied: %v", err)
	}
	rec.deny = nil
	_, err = svc.GetSecretValue(ctx, user, secrets.GetSecretValueInput{SecretID: "prod/none"})
	if secrets.KindOf(err) != secrets.NotFound {
		t.Fatalf("GetSecretValue of a missing secret when allowed: %v", err)
	}
	v, err := svc.GetSecretValue(ctx, user, secrets.GetSecretValueInput{SecretID: "prod/db"})
	if err != nil || string(v.Value.Bytes) != "w" {
		t.Fatalf("value after the refused put: %v", err)
	}
}
