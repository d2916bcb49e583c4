package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// The TaskHub workshop flow of issue 3: a customer key, its alias
// alias/taskhub_kms, and prod/taskhub/secretmanager stored under it; then
// what the key's state does to the secret.

const workshopValue = `{"Service":"Amazon DynamoDB","Region":"us-east-1","Table":"TaskHub"}`

// TestWorkshop_CLI runs the workshop's commands with the AWS CLI, then
// drives the key through its states with aws-sdk-go-v2.
func TestWorkshop_CLI(t *testing.T) {
	t.Parallel()
	awsPath := needTool(t, "aws", "pip install awscli")
	s := MustStart(t, ServerOptions{ExtraArgs: []string{"--purge-interval", "100ms"}})
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), awsPath, append(args, "--endpoint-url", s.URL, "--output", "json")...)
		cmd.Env = s.Env()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		out := map[string]any{}
		if stdout.Len() > 0 {
			must(t, json.Unmarshal(stdout.Bytes(), &out))
		}
		return out
	}
	key := cli("kms", "create-key", "--description", "TaskHub data key")["KeyMetadata"].(map[string]any)
	keyID := key["KeyId"].(string)
	cli("kms", "create-alias", "--alias-name", "alias/taskhub_kms", "--target-key-id", keyID)
	cli("secretsmanager", "create-secret", "--name", "prod/taskhub/secretmanager",
		"--kms-key-id", "alias/taskhub_kms", "--secret-string", workshopValue)
	if got := cli("secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/secretmanager")["SecretString"]; got != workshopValue {
		t.Fatalf("get-secret-value = %v", got)
	}

	sm, km := s.SDK(), s.KMS()
	ctx := t.Context()
	read := func() (string, error) {
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/secretmanager")})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.SecretString), nil
	}
	wantCode := func(what string, err error, code string) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != code {
			t.Fatalf("%s: err = %v, want %s", what, err, code)
		}
	}
	// Disabled: reads and writes fail at once, the value stays stored.
	_, err := km.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)})
	must(t, err)
	_, err = read()
	wantCode("read under a disabled key", err, "DecryptionFailure")
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/taskhub/secretmanager"), SecretString: aws.String("x")})
	wantCode("write under a disabled key", err, "EncryptionFailure")
	_, err = km.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)})
	must(t, err)
	if v, err := read(); err != nil || v != workshopValue {
		t.Fatalf("after EnableKey: %q, %v", v, err)
	}
	// Rotated on demand: the old version and a new one both read.
	_, err = km.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)})
	must(t, err)
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/taskhub/secretmanager"), SecretString: aws.String(`{"rotated":true}`)})
	must(t, err)
	prev, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/secretmanager"), VersionStage: aws.String("AWSPREVIOUS")})
	must(t, err)
	if aws.ToString(prev.SecretString) != workshopValue {
		t.Errorf("AWSPREVIOUS after rotation = %q", aws.ToString(prev.SecretString))
	}
	// Scheduled for deletion, cancelled (the key comes back Disabled, as on
	// AWS), enabled, scheduled again.
	_, err = km.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})
	must(t, err)
	_, err = read()
	wantCode("read under a key pending deletion", err, "DecryptionFailure")
	_, err = km.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(keyID)})
	must(t, err)
	_, err = km.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)})
	must(t, err)
	if _, err := read(); err != nil {
		t.Fatalf("after CancelKeyDeletion and EnableKey: %v", err)
	}
	_, err = km.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})
	must(t, err)

	// Past the window the key is deleted: the secret reads fail for good,
	// and DescribeSecret still shows the secret and its key. After the
	// clock moves, requests are signed with the moved time.
	offset := 8 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, resp, _ := s.Raw(t, RawRequest{Target: "TrentService.DescribeKey", Service: "kms",
			Body: `{"KeyId":"` + keyID + `"}`, Time: time.Now().Add(offset)})
		if status == 400 && strings.Contains(string(resp), "NotFoundException") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("key not deleted after its window: %d %s", status, resp)
		}
		time.Sleep(100 * time.Millisecond)
	}
	status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.GetSecretValue",
		Body: `{"SecretId":"prod/taskhub/secretmanager"}`, Time: time.Now().Add(offset)})
	if status != 400 || !strings.Contains(string(resp), `"DecryptionFailure"`) {
		t.Errorf("read under a deleted key = %d %s, want DecryptionFailure", status, resp)
	}
	status, resp, _ = s.Raw(t, RawRequest{Target: "secretsmanager.DescribeSecret",
		Body: `{"SecretId":"prod/taskhub/secretmanager"}`, Time: time.Now().Add(offset)})
	if status != 200 || !strings.Contains(string(resp), `alias/taskhub_kms`) {
		t.Errorf("DescribeSecret after the key's deletion = %d %s", status, resp)
	}
}

// TestWorkshop_Node runs the workshop with the AWS SDK for JavaScript v3
// (testdata/node/workshop.mjs: client-kms and client-secrets-manager).
func TestWorkshop_Node(t *testing.T) {
	t.Parallel()
	node := needTool(t, "node", "install Node.js (nodejs and npm), then run scripts/setup-test-deps")
	dir := os.Getenv("COFFER_E2E_NODE_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "node")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kms")); err != nil {
		msg := "@aws-sdk/client-kms is not installed in " + dir + "/node_modules: run scripts/setup-test-deps"
		if isCI() {
			t.Fatal(msg + " (CI=true, so this fails)")
		}
		t.Skip(msg)
	}
	script, err := filepath.Abs(filepath.Join(dir, "workshop.mjs"))
	must(t, err)
	s := MustStart(t)
	cmd := exec.CommandContext(t.Context(), node, script, "prod/taskhub/secretmanager")
	cmd.Dir = dir
	cmd.Env = s.Env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node workshop.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var out struct {
		KeyID    string         `json:"keyId"`
		KeyState string         `json:"keyState"`
		Secret   map[string]any `json:"secret"`
		KmsKeyID string         `json:"kmsKeyId"`
	}
	must(t, json.Unmarshal(stdout.Bytes(), &out))
	if out.KeyState != "Enabled" || out.Secret["Table"] != "TaskHub" ||
		out.KmsKeyID != "arn:aws:kms:us-east-1:"+s.Account+":alias/taskhub_kms" {
		t.Errorf("workshop.mjs saw %+v", out)
	}
}

// TestWorkshop_ClockRotation: the workshop key rotated automatically on its
// period, as the clock passes it: the secret's old version and a new one
// both read.
func TestWorkshop_ClockRotation(t *testing.T) {
	t.Parallel()
	s := MustStart(t, ServerOptions{ExtraArgs: []string{"--purge-interval", "100ms"}})
	ctx := t.Context()
	km, sm := s.KMS(), s.SDK()
	key, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("TaskHub data key")})
	must(t, err)
	keyID := aws.ToString(key.KeyMetadata.KeyId)
	_, err = km.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: aws.String(keyID)})
	must(t, err)
	_, err = km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID), RotationPeriodInDays: aws.Int32(90)})
	must(t, err)
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/taskhub/secretmanager"),
		KmsKeyId: aws.String("alias/taskhub_kms"), SecretString: aws.String(workshopValue)})
	must(t, err)

	offset := 91 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	raw := func(target, service, body string) (int, []byte) {
		status, resp, _ := s.Raw(t, RawRequest{Target: target, Service: service, Body: body, Time: time.Now().Add(offset)})
		return status, resp
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, resp := raw("TrentService.ListKeyRotations", "kms", `{"KeyId":"`+keyID+`"}`)
		var out struct {
			Rotations []struct{ RotationType string }
		}
		json.Unmarshal(resp, &out)
		if status == 200 && len(out.Rotations) == 1 && out.Rotations[0].RotationType == "AUTOMATIC" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no automatic rotation after the period: %d %s", status, resp)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status, resp := raw("secretsmanager.PutSecretValue", "secretsmanager",
		`{"SecretId":"prod/taskhub/secretmanager","ClientRequestToken":"11111111-2222-4333-8444-555555555555","SecretString":"{\"after\":\"rotation\"}"}`); status != 200 {
		t.Fatalf("PutSecretValue after the rotation: %d %s", status, resp)
	}
	for stage, want := range map[string]string{"AWSPREVIOUS": workshopValue, "AWSCURRENT": `{"after":"rotation"}`} {
		status, resp := raw("secretsmanager.GetSecretValue", "secretsmanager", `{"SecretId":"prod/taskhub/secretmanager","VersionStage":"`+stage+`"}`)
		var out struct{ SecretString string }
		json.Unmarshal(resp, &out)
		if status != 200 || out.SecretString != want {
			t.Errorf("%s after the rotation: %d %s", stage, status, resp)
		}
	}
}
