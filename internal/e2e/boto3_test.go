package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBoto3_Lifecycle runs a plain boto3 script (testdata/boto3) against a
// server: boto3 parses every response with botocore's own models, so this
// checks the wire format as Python applications see it.
func TestBoto3_Lifecycle(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	out := runBoto3(t, s, "lifecycle.py", "taskhub/boto3")
	var seen struct {
		ARN            string `json:"arn"`
		NotFound       string `json:"not_found"`
		DeletedCode    string `json:"deleted_code"`
		DeletedMessage string `json:"deleted_message"`
		BatchError     string `json:"batch_error"`
		BinaryB64      string `json:"binary_b64"`
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("lifecycle.py printed %s: %v", out, err)
	}
	for _, c := range []struct{ name, got, want string }{
		// Seen from AWS (localstack snapshot test_secret_not_found).
		{"not found", seen.NotFound, "Secrets Manager can't find the specified secret."},
		// Seen from AWS (external-secrets/external-secrets#4560).
		{"deleted code", seen.DeletedCode, "InvalidRequestException"},
		{"deleted message", seen.DeletedMessage, "You can't perform this operation on the secret because it was marked for deletion."},
		{"batch error", seen.BatchError, "ResourceNotFoundException"},
		{"binary", seen.BinaryB64, "AAFiaW5hcnn/"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// runBoto3 runs a script of testdata/boto3 with args against s and returns
// what it printed; a script that fails fails the test. It skips when the
// machine's python3 lacks boto3, except under CI=true.
func runBoto3(t *testing.T, s *Server, script string, args ...string) []byte {
	t.Helper()
	python := needTool(t, "python3", "install Python 3 with boto3 (pip install boto3)")
	if err := exec.Command(python, "-c", "import boto3").Run(); err != nil {
		if isCI() {
			t.Fatalf("python3 cannot import boto3 (CI=true, so this fails): pip install boto3")
		}
		t.Skip("python3 cannot import boto3: pip install boto3")
	}
	cmd := exec.Command(python, append([]string{filepath.Join("testdata", "boto3", script)}, args...)...)
	cmd.Env = s.Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return out
}
