package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCLI drives the server with the AWS CLI (v1, from Python) along the
// smoke paths only: every call starts a Python process (about half a second).
func TestCLI(t *testing.T) {
	t.Parallel()
	awsPath := needTool(t, "aws", "pip install awscli")
	s := MustStart(t)

	// cli runs `aws secretsmanager <args> --endpoint-url URL --output json`
	// and decodes its JSON output; a failure is returned with stderr.
	cli := func(t *testing.T, args ...string) (map[string]any, string, error) {
		t.Helper()
		args = append(append([]string{"secretsmanager"}, args...), "--endpoint-url", s.URL, "--output", "json")
		cmd := exec.CommandContext(t.Context(), awsPath, args...)
		cmd.Env = s.Env()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, stderr.String(), err
		}
		out := map[string]any{}
		if stdout.Len() > 0 {
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), stdout.String(), err)
			}
		}
		return out, stderr.String(), nil
	}
	mustCLI := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		out, stderr, err := cli(t, args...)
		if err != nil {
			t.Fatalf("aws secretsmanager %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}

	t.Run("Lifecycle", func(t *testing.T) {
		t.Parallel()
		created := mustCLI(t, "create-secret", "--name", "cli/demo", "--secret-string", "s3cr3t", "--description", "from the CLI")
		wantARN(t, created["ARN"].(string), "us-east-1", s.Account, "cli/demo")
		v1, _ := created["VersionId"].(string)
		if created["Name"] != "cli/demo" || v1 == "" {
			t.Fatalf("create-secret = %v", created)
		}

		got := mustCLI(t, "get-secret-value", "--secret-id", "cli/demo")
		if got["SecretString"] != "s3cr3t" || got["VersionId"] != v1 {
			t.Fatalf("get-secret-value = %v", got)
		}

		put := mustCLI(t, "put-secret-value", "--secret-id", "cli/demo", "--secret-string", `{"user":"u","password":"n3w"}`)
		v2, _ := put["VersionId"].(string)
		if v2 == "" || v2 == v1 || !sameSet(anyStrings(put["VersionStages"]), []string{"AWSCURRENT"}) {
			t.Fatalf("put-secret-value = %v", put)
		}

		d := mustCLI(t, "describe-secret", "--secret-id", "cli/demo")
		stages, _ := d["VersionIdsToStages"].(map[string]any)
		if d["Description"] != "from the CLI" || len(stages) != 2 ||
			!sameSet(anyStrings(stages[v1]), []string{"AWSPREVIOUS"}) || !sameSet(anyStrings(stages[v2]), []string{"AWSCURRENT"}) {
			t.Fatalf("describe-secret = %v", d)
		}
		// CLI v1 prints timestamps as the wire's epoch seconds (the CLI's own
		// Secrets Manager examples show "CreatedDate": 1523477145.713).
		if cd := cliTime(t, d["CreatedDate"]); time.Since(cd).Abs() > time.Minute {
			t.Fatalf("describe-secret CreatedDate = %v", cd)
		}

		l := mustCLI(t, "list-secrets", "--filters", "Key=name,Values=cli/")
		list, _ := l["SecretList"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["Name"] != "cli/demo" {
			t.Fatalf("list-secrets = %v", l)
		}

		del := mustCLI(t, "delete-secret", "--secret-id", "cli/demo", "--recovery-window-in-days", "7")
		if del["Name"] != "cli/demo" || del["DeletionDate"] == nil {
			t.Fatalf("delete-secret = %v", del)
		}
		if dd := cliTime(t, del["DeletionDate"]); dd.Sub(time.Now().Add(7*24*time.Hour)).Abs() > time.Minute {
			t.Fatalf("delete-secret DeletionDate = %v", dd)
		}
		_, stderr, err := cli(t, "get-secret-value", "--secret-id", "cli/demo")
		wantCLIError(t, err, stderr, "InvalidRequestException", "GetSecretValue", msgMarkedForDeletion)

		r := mustCLI(t, "restore-secret", "--secret-id", "cli/demo")
		if r["ARN"] != created["ARN"] {
			t.Fatalf("restore-secret = %v", r)
		}
		got = mustCLI(t, "get-secret-value", "--secret-id", "cli/demo", "--version-stage", "AWSCURRENT")
		if got["SecretString"] != `{"user":"u","password":"n3w"}` || got["VersionId"] != v2 {
			t.Fatalf("get-secret-value after restore = %v", got)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := cli(t, "get-secret-value", "--secret-id", "cli/missing")
		wantCLIError(t, err, stderr, "ResourceNotFoundException", "GetSecretValue", msgNotFound)
	})
}

// wantCLIError checks that the CLI failed with AWS's error, as botocore
// prints it: "An error occurred (Code) when calling the Op operation: Message".
func wantCLIError(tb testing.TB, err error, stderr, code, op, msg string) {
	tb.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		tb.Fatalf("aws: %v; want it to fail with %s", err, code)
	}
	want := "An error occurred (" + code + ") when calling the " + op + " operation: " + msg
	if !strings.Contains(stderr, want) {
		tb.Fatalf("aws stderr %q; want %q", stderr, want)
	}
}

// anyStrings converts a decoded JSON list of strings.
func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// cliTime reads a timestamp as CLI v1 prints it: epoch seconds.
func cliTime(tb testing.TB, v any) time.Time {
	tb.Helper()
	f, ok := v.(float64)
	if !ok {
		tb.Fatalf("timestamp %v (%T) is not a number", v, v)
	}
	return time.UnixMilli(int64(f * 1000))
}
