package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoto3_Access runs testdata/boto3/access.py as the root: boto3's iam
// client creates a user, its key and inline policies; a separate Session
// with the user's keys reads the allowed secret and gets AccessDenied on
// another; a Deny on secretsmanager:ResourceTag/classification wins over
// the Allow; a role is assumed through sts; get_user_policy returns the
// document as a dict. The script checks what boto3 parsed and prints
// the errors it saw, which are checked here against AWS's texts, then
// "OK".
func TestBoto3_Access(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	out := runBoto3As(t, s, s.rootCreds(), "access.py")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 || lines[len(lines)-1] != "OK" {
		t.Fatalf("access.py did not finish with OK:\n%s", out)
	}
	type apiErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	}
	var seen map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &seen); err != nil {
		t.Fatalf("access.py printed %s: %v", out, err)
	}
	acct := s.Account
	userARN := "arn:aws:iam::" + acct + ":user/boto3-backend"
	sessARN := "arn:aws:sts::" + acct + ":assumed-role/boto3-rotation/boto3-rot"
	const invalid = "The security token included in the request is invalid."
	for label, want := range map[string]apiErr{
		"no_such_policy": {"NoSuchEntity", "The user policy with name nope cannot be found.", 404},
		"other_secret": {"AccessDeniedException", "User: " + userARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/other/x " +
			"because no identity-based policy allows the secretsmanager:GetSecretValue action", 400},
		"iam_create_user": {"AccessDenied", "User: " + userARN + " is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::" + acct + ":user/mallory " +
			"because no identity-based policy allows the iam:CreateUser action", 403},
		"restricted": {"AccessDeniedException", "User: " + userARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/taskhub/api " +
			"with an explicit deny in an identity-based policy", 400},
		"restricted_again": {"AccessDeniedException", "User: " + userARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/taskhub/api " +
			"with an explicit deny in an identity-based policy", 400},
		"session_put": {"AccessDeniedException", "User: " + sessARN + " is not authorized to perform: secretsmanager:PutSecretValue on resource: prod/taskhub/db " +
			"because no session policy allows the secretsmanager:PutSecretValue action", 400},
		"session_other": {"AccessDeniedException", "User: " + sessARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/other/x " +
			"because no identity-based policy allows the secretsmanager:GetSecretValue action", 400},
		"root_assume":  {"AccessDenied", "Roles may not be assumed by root accounts.", 403},
		"tampered_sts": {"InvalidClientTokenId", invalid, 403},
		"tampered_sm":  {"UnrecognizedClientException", invalid, 400},
		"inactive_sts": {"InvalidClientTokenId", invalid, 403},
		"inactive_sm":  {"UnrecognizedClientException", invalid, 400},
		"token_restricted": {"AccessDeniedException", "User: " + userARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/taskhub/api " +
			"with an explicit deny in an identity-based policy", 400},
	} {
		var got apiErr
		if raw, ok := seen[label]; !ok {
			t.Errorf("%s: access.py saw no error", label)
		} else if err := json.Unmarshal(raw, &got); err != nil {
			t.Errorf("%s: %s: %v", label, raw, err)
		} else if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", label, got, want)
		}
	}
	var arn string
	if err := json.Unmarshal(seen["session_arn"], &arn); err != nil || arn != sessARN {
		t.Errorf("session_arn = %s, want %s", seen["session_arn"], sessARN)
	}
}

// runBoto3As is runBoto3 with the client acting as c and only the script's
// stdout returned (botocore's warnings on stderr are shown on failure).
func runBoto3As(t *testing.T, s *Server, c creds, script string, args ...string) []byte {
	t.Helper()
	python := needTool(t, "python3", "install Python 3 with boto3 (pip install boto3)")
	if err := exec.Command(python, "-c", "import boto3").Run(); err != nil {
		if isCI() {
			t.Fatalf("python3 cannot import boto3 (CI=true, so this fails): pip install boto3")
		}
		t.Skip("python3 cannot import boto3: pip install boto3")
	}
	cmd := exec.CommandContext(t.Context(), python, append([]string{filepath.Join("testdata", "boto3", script)}, args...)...)
	cmd.Env = credsEnv(s, c)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\n%s", script, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}
