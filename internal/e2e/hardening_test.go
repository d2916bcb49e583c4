package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Requests built to slip past a check: each must be refused, or must do only
// what was checked.

// TestHardening_CaseFoldedKeys: AWS reads JSON keys case-sensitively, so
// "secretstring" is an unknown member and ignored. Go's decoder folds case;
// the server must still act only on the validated members.
func TestHardening_CaseFoldedKeys(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	token := "11111111-2222-4333-8444-555555555555"
	body, _ := json.Marshal(map[string]any{
		"Name": "fold/app", "ClientRequestToken": token, "SecretString": "checked",
		"secretstring": strings.Repeat("x", 70000), "clientrequesttoken": "short", "name": "other",
	})
	status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: string(body)})
	if status != 200 {
		t.Fatalf("CreateSecret = %d %s", status, resp)
	}
	got, err := s.SDK().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("fold/app")})
	must(t, err)
	if aws.ToString(got.SecretString) != "checked" || aws.ToString(got.VersionId) != token {
		t.Errorf("stored %q as version %q; want \"checked\" as %s", aws.ToString(got.SecretString), aws.ToString(got.VersionId), token)
	}
}

// TestHardening_MultibyteValue: the 65,536 limit counts bytes; 65,536 "€"
// are 196,608 bytes.
func TestHardening_MultibyteValue(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	body, _ := json.Marshal(map[string]any{
		"Name": "big/euro", "ClientRequestToken": "11111111-2222-4333-8444-555555555555",
		"SecretString": strings.Repeat("€", 65536),
	})
	status, resp, hdr := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: string(body)})
	// The model's own length message, value withheld as for every sensitive member.
	wantWireError(t, status, resp, hdr, 400, "ValidationException",
		"1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536")
	// 65,536 bytes of multi-byte text is accepted.
	body, _ = json.Marshal(map[string]any{
		"Name": "big/ok", "ClientRequestToken": "11111111-2222-4333-8444-555555555556",
		"SecretString": strings.Repeat("€", 21845) + "x", // 65,535 + 1 bytes
	})
	if status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: string(body)}); status != 200 {
		t.Errorf("65,536-byte value: %d %s", status, resp)
	}
}

// TestHardening_RegionInScope: the region of the credential scope becomes
// part of ARNs, so it must look like a region.
func TestHardening_RegionInScope(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	status, resp, hdr := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Region: "us-east-1:999999999999",
		Body: `{"Name":"r1","ClientRequestToken":"11111111-2222-4333-8444-555555555555","SecretString":"x"}`})
	wantWireError(t, status, resp, hdr, 400, "InvalidSignatureException",
		"Credential should be scoped to a valid region, not 'us-east-1:999999999999'. ")
}

// TestHardening_PresignedRetarget: a presigned GetSecretValue must not run
// another operation, whether X-Amz-Target was signed as a header or hoisted
// into the signed query.
func TestHardening_PresignedRetarget(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	mustCreate(t, s.SDK(), "presign/app", "value")
	body := `{"SecretId":"presign/app"}`
	for _, hoist := range []bool{false, true} {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		must(t, err)
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		sum := sha256.Sum256([]byte(body))
		signed, headers, err := v4.NewSigner().PresignHTTP(context.Background(),
			aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}, req,
			hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now(),
			func(o *v4.SignerOptions) { o.DisableHeaderHoisting = !hoist })
		must(t, err)
		preq, err := http.NewRequest(http.MethodPost, signed, strings.NewReader(body))
		must(t, err)
		for k, vs := range headers {
			if k != "Host" {
				preq.Header[k] = vs
			}
		}
		preq.Header.Set("X-Amz-Target", "secretsmanager.DeleteSecret")
		status, resp, _ := do(t, preq)
		if status != 400 || !strings.Contains(string(resp), "InvalidSignatureException") {
			t.Errorf("hoist=%v: retargeted presigned request = %d %s, want InvalidSignatureException", hoist, status, resp)
		}
	}
	d, err := s.SDK().DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("presign/app")})
	must(t, err)
	if d.DeletedDate != nil {
		t.Error("the secret was scheduled for deletion through a presigned GetSecretValue")
	}
}

// TestHardening_KeyFileInsideDataDir: a key file moved into the data dir is
// refused at start, as at init: a copy of the data must not carry its key.
func TestHardening_KeyFileInsideDataDir(t *testing.T) {
	t.Parallel()
	s, _ := MustInitDataDir(t, "123456789012")
	inside := filepath.Join(s.DataDir, "root.key")
	key, err := os.ReadFile(s.KeyFile)
	must(t, err)
	must(t, os.WriteFile(inside, key, 0o600))
	out, err := exec.Command(cofferBin, "server", "--data-dir", s.DataDir, "--key-file", inside, "--listen", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the key file must be outside the data dir") {
		t.Fatalf("server with the key inside the data dir: err %v, output:\n%s", err, out)
	}
}
