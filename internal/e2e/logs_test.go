package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// TestLogs_NoSecretMaterial runs every operation, successful and failing
// (validation errors, token collisions, bad signatures, malformed bodies),
// against a server logging at debug level, then fails if any value, any
// generated password, the secret access key or the root key appears in the
// server's logs or in coffer init's output, in raw, base64 or hex form.
// It also checks that /metrics, which needs no signature, names no secret
// and holds no value (issue 2, "How we will know": log scan; STYLE.md §4).
func TestLogs_NoSecretMaterial(t *testing.T) {
	t.Parallel()
	s, initOut := MustInitDataDir(t, "123456789012")
	s.startWithFlags(t, "--listen", "127.0.0.1:0", "--log-level", "debug")
	ctx := context.Background()
	sm := s.SDK()

	var vals []leakValue
	val := func(label string) string {
		v := "logs-" + label + "-" + randomMarker()
		vals = append(vals, leakValue{label, []byte(v)})
		return v
	}
	// Names are not secret, but /metrics must not carry them.
	nameA, nameB, nameC := "logs-a-"+randomMarker()[:12], "logs-b-"+randomMarker()[:12], "logs-c-"+randomMarker()[:12]

	// expectErr fails unless err is an API error with code, and checks that
	// the client-visible message does not echo a value either.
	expectErr := func(what string, err error, code string) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != code {
			t.Errorf("%s: got %v, want %s", what, err, code)
			return
		}
		if hits := findLeaks([]byte(err.Error()), leakForms(vals)); len(hits) > 0 {
			t.Errorf("%s: the error echoes a value: %v", what, hits)
		}
	}
	mustOK := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// raw sends a hand-made request and checks its code and that the
	// response does not echo a value.
	raw := func(what string, rr RawRequest, wantCode string) {
		t.Helper()
		status, body, _ := s.Raw(t, rr)
		if status == http.StatusOK || !strings.Contains(string(body), `"`+wantCode+`"`) {
			t.Errorf("%s: got %d %s, want %s", what, status, body, wantCode)
		}
		if hits := findLeaks(body, leakForms(vals)); len(hits) > 0 {
			t.Errorf("%s: the response echoes a value: %v", what, hits)
		}
	}

	// Successful calls: every operation.
	jsonPw := val("json-password")
	jsonValue := fmt.Sprintf(`{"username":"svc","password":%q}`, jsonPw)
	vals = append(vals, leakValue{"json-whole", []byte(jsonValue)})
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(nameA), SecretString: aws.String(jsonValue),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
	mustOK("CreateSecret", err)
	binValue := []byte(val("binary"))
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(nameB), SecretBinary: binValue})
	mustOK("CreateSecret binary", err)
	token := "logs-token-00000000000000000000000000001"
	put, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(nameA), SecretString: aws.String(val("put")),
		ClientRequestToken: aws.String(token)})
	mustOK("PutSecretValue", err)
	_, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(nameB), SecretString: aws.String(val("update")),
		Description: aws.String("updated")})
	mustOK("UpdateSecret", err)
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(nameA)})
	mustOK("GetSecretValue", err)
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN, VersionId: created.VersionId})
	mustOK("GetSecretValue by version", err)
	_, err = sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(nameA)})
	mustOK("DescribeSecret", err)
	_, err = sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"logs-"}}}})
	mustOK("ListSecrets", err)
	_, err = sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(nameA), IncludeDeprecated: aws.Bool(true)})
	mustOK("ListSecretVersionIds", err)
	_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(nameA), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: created.VersionId, RemoveFromVersionId: put.VersionId})
	mustOK("UpdateSecretVersionStage", err)
	_, err = sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(nameA), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	mustOK("TagResource", err)
	_, err = sm.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(nameA), TagKeys: []string{"env"}})
	mustOK("UntagResource", err)
	pw, err := sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(48)})
	mustOK("GetRandomPassword", err)
	vals = append(vals, leakValue{"random-password", []byte(aws.ToString(pw.RandomPassword))})
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(nameC), SecretString: pw.RandomPassword})
	mustOK("CreateSecret password", err)
	_, err = sm.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{nameA, nameB, nameC, "logs-missing"}})
	mustOK("BatchGetSecretValue by ids", err)
	_, err = sm.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"logs-"}}}})
	mustOK("BatchGetSecretValue by filter", err)
	_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(nameC), RecoveryWindowInDays: aws.Int64(7)})
	mustOK("DeleteSecret", err)

	// Failing calls, each carrying a value.
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(nameA), SecretString: aws.String(val("token-collision")),
		ClientRequestToken: aws.String(token)})
	expectErr("PutSecretValue token collision", err, "ResourceExistsException")
	_, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(nameA), SecretString: aws.String(val("update-collision")),
		ClientRequestToken: aws.String(token)})
	expectErr("UpdateSecret token collision", err, "ResourceExistsException")
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(nameA), SecretString: aws.String(val("create-exists"))})
	expectErr("CreateSecret existing name", err, "ResourceExistsException")
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(nameC), SecretString: aws.String(val("put-deleted"))})
	expectErr("PutSecretValue on a deleted secret", err, "InvalidRequestException")
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("logs-missing"), SecretString: aws.String(val("put-missing"))})
	expectErr("PutSecretValue on a missing secret", err, "ResourceNotFoundException")
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("logs-kms"), SecretString: aws.String(val("unknown-kms")),
		KmsKeyId: aws.String("alias/no-such-key")})
	if err == nil {
		t.Errorf("CreateSecret with an unknown KmsKeyId succeeded")
	}
	_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(nameA), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: put.VersionId})
	expectErr("UpdateSecretVersionStage without RemoveFromVersionId", err, "InvalidParameterException")
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(nameA), VersionId: aws.String("logs-no-such-version-000000000000000")})
	expectErr("GetSecretValue missing version", err, "ResourceNotFoundException")
	_, err = sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(nameC)})
	mustOK("RestoreSecret", err)
	_, err = sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)})
	expectErr("GetRandomPassword too long", err, "ValidationException")

	tooLongCore := val("too-long")
	tooLong := strings.Repeat(tooLongCore, 65537/len(tooLongCore)+1)[:65537]
	raw("CreateSecret with a 65,537-byte SecretString", RawRequest{Target: "secretsmanager.CreateSecret",
		Body: fmt.Sprintf(`{"Name":"logs-too-long","SecretString":%q}`, tooLong)}, "ValidationException")
	raw("PutSecretValue with a 65,537-byte SecretString", RawRequest{Target: "secretsmanager.PutSecretValue",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q,"ClientRequestToken":"logs-token-00000000000000000000000000002"}`, nameA, tooLong)}, "ValidationException")
	raw("bad signature", RawRequest{Target: "secretsmanager.PutSecretValue", SecretKey: "not-the-secret-key-000000000000000000000",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q}`, nameA, val("bad-signature"))}, "InvalidSignatureException")
	raw("unknown access key", RawRequest{Target: "secretsmanager.PutSecretValue", AccessKey: "AKIAAAAAAAAAAAAAAAAA", SecretKey: "x",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q}`, nameA, val("unknown-key"))}, "UnrecognizedClientException")
	raw("unsigned", RawRequest{Target: "secretsmanager.PutSecretValue", Unsigned: true,
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q}`, nameA, val("unsigned"))}, "MissingAuthenticationTokenException")
	raw("malformed JSON", RawRequest{Target: "secretsmanager.PutSecretValue",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q`, nameA, val("malformed"))}, "SerializationException")
	raw("SecretString of the wrong type", RawRequest{Target: "secretsmanager.PutSecretValue",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":[%q]}`, nameA, val("wrong-type"))}, "SerializationException")
	raw("SecretBinary not base64", RawRequest{Target: "secretsmanager.PutSecretValue",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretBinary":"!!%s!!"}`, nameA, val("not-base64"))}, "SerializationException")
	raw("unknown operation", RawRequest{Target: "secretsmanager.PutSecretValues",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q}`, nameA, val("unknown-op"))}, "UnknownOperationException")
	bigCore := val("oversized")
	raw("oversized body", RawRequest{Target: "secretsmanager.PutSecretValue",
		Body: fmt.Sprintf(`{"SecretId":%q,"SecretString":%q}`, nameA, strings.Repeat(bigCore, (1<<20)/len(bigCore)+1))}, "SerializationException")

	// The logs must show that these requests were logged at all, or the
	// scan below proves nothing.
	logs := s.Logs()
	for _, op := range []string{"CreateSecret", "GetSecretValue", "PutSecretValue", "UpdateSecret", "DescribeSecret", "ListSecrets",
		"ListSecretVersionIds", "UpdateSecretVersionStage", "DeleteSecret", "RestoreSecret", "TagResource", "UntagResource",
		"GetRandomPassword", "BatchGetSecretValue"} {
		if !strings.Contains(logs, "operation="+op+" ") {
			t.Errorf("no debug log line for %s", op)
		}
	}
	for _, code := range []string{"ValidationException", "ResourceExistsException", "InvalidSignatureException",
		"UnrecognizedClientException", "SerializationException", "InvalidRequestException"} {
		if !strings.Contains(logs, "error_code="+code) {
			t.Errorf("no log line for a %s", code)
		}
	}

	secretMaterial := append(vals,
		leakValue{"admin-secret-access-key", []byte(s.SecretKey)},
		leakValue{"root-key", rootKeyBytes(t, s.KeyFile)})
	ns := leakForms(secretMaterial)
	if hits := findLeaks([]byte(logs), ns); len(hits) > 0 {
		t.Errorf("secret material in the server's logs:\n%s\n\nin these lines:\n%s", strings.Join(hits, "\n"), linesWithLeaks(logs, ns))
	}
	// init prints the admin secret key once, by design; nothing else.
	if hits := findLeaks(initOut, leakForms(append(vals, leakValue{"root-key", rootKeyBytes(t, s.KeyFile)}))); len(hits) > 0 {
		t.Errorf("secret material in coffer init's output:\n%s", strings.Join(hits, "\n"))
	}

	// /metrics needs no signature, has operation labels, and names no
	// secret.
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, metrics)
	}
	for _, op := range []string{"CreateSecret", "GetSecretValue", "PutSecretValue", "BatchGetSecretValue", "GetRandomPassword"} {
		if !regexp.MustCompile(`(?m)^coffer_requests_total\{[^}]*operation="` + op + `"[^}]*\} [1-9]`).Match(metrics) {
			t.Errorf("/metrics has no coffer_requests_total for operation %q:\n%s", op, linesContaining(metrics, "coffer_requests_total"))
		}
	}
	if !regexp.MustCompile(`(?m)^coffer_requests_total\{[^}]*code="ResourceExistsException"[^}]*operation="PutSecretValue"`).Match(metrics) {
		t.Errorf("/metrics has no error code label:\n%s", linesContaining(metrics, "coffer_requests_total"))
	}
	if hits := findLeaks(metrics, ns); len(hits) > 0 {
		t.Errorf("secret material in /metrics:\n%s", strings.Join(hits, "\n"))
	}
	for _, name := range []string{nameA, nameB, nameC, "logs-missing", "logs-kms", "logs-too-long", "PutSecretValues"} {
		if strings.Contains(string(metrics), name) {
			t.Errorf("/metrics names %q", name)
		}
	}
}

// linesContaining returns the lines of b that contain sub.
func linesContaining(b []byte, sub string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// linesWithLeaks returns the lines of text that hold a leak, each cut to
// 300 bytes.
func linesWithLeaks(text string, ns []leakForm) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if len(findLeaks([]byte(l), ns)) > 0 {
			if len(l) > 300 {
				l = l[:300] + "…"
			}
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
