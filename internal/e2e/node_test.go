package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TestNode reads a plaintext token with the AWS SDK for JavaScript v3, the
// way AWS's own examples do (testdata/node/read_secret.mjs: GetSecretValue
// with VersionStage "AWSCURRENT").
func TestNode(t *testing.T) {
	t.Parallel()
	node := needTool(t, "node", "install Node.js (nodejs and npm), then run scripts/setup-test-deps")
	// scripts/test sets COFFER_E2E_NODE_DIR; go test runs in the package directory.
	dir := os.Getenv("COFFER_E2E_NODE_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "node")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-secrets-manager")); err != nil {
		msg := "@aws-sdk/client-secrets-manager is not installed in " + dir + "/node_modules: run scripts/setup-test-deps"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true, so this fails)")
		}
		t.Skip(msg)
	}
	script, err := filepath.Abs(filepath.Join(dir, "read_secret.mjs"))
	must(t, err)

	s := MustStart(t)
	const token = "ghp_EXAMPLEplaintextTOKEN0123456789abcdef"
	created, err := s.SDK().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String("node/github-token"), SecretString: aws.String(token),
	})
	must(t, err)

	cmd := exec.CommandContext(t.Context(), node, script, "node/github-token")
	cmd.Dir = dir
	cmd.Env = s.Env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node read_secret.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var out struct {
		Name, VersionID, Secret, Error, Message string
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	if out.Secret != token || out.Name != "node/github-token" || out.VersionID != aws.ToString(created.VersionId) {
		t.Fatalf("node read %+v; want the token, version %s", out, aws.ToString(created.VersionId))
	}
}
