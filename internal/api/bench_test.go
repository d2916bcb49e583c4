package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/coffer-dev/coffer/internal/access"
	"github.com/coffer-dev/coffer/internal/api"
	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// BenchmarkGetSecretValue measures GetSecretValue end to end over loopback
// HTTP with SigV4 (sign, send, verify, read, decrypt, answer), beside a
// bare net/http handler that answers a canned GetSecretValue response to
// the same signed requests. The ratio of the two is the figure to watch:
//
//	go test ./internal/api -run '^$' -bench GetSecretValue -benchtime 5s
func BenchmarkGetSecretValue(b *testing.B) {
	env := mustServe(b)
	body := `{"SecretId":"prod/taskhub/secretmanager"}`
	canned := `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/taskhub/secretmanager-AbCdEf","Name":"prod/taskhub/secretmanager","VersionId":"0d3b2f4e-6c5a-4b8e-9f1a-2c3d4e5f6a7b","SecretString":"{\"Service\":\"Amazon DynamoDB\"}","VersionStages":["AWSCURRENT"],"CreatedDate":1795314596.813}`
	bare := mustListen(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, canned)
	}))

	b.Run("bare", func(b *testing.B) { runClients(b, bare, env.key, body) })
	b.Run("coffer", func(b *testing.B) { runClients(b, env.url, env.key, body) })
	// The same read with the audit trail on: each answer waits for its
	// event to be durable, in a commit shared with concurrent requests.
	b.Run("coffer-audit", func(b *testing.B) { runClients(b, env.auditURL, env.key, body) })
	// With 32 clients per core: more requests share each audit commit.
	const many = 32
	b.Run("bare-32", func(b *testing.B) {
		runTargetParallel(b, bare, env.key, "secretsmanager.GetSecretValue", "secretsmanager", body, many)
	})
	b.Run("coffer-32", func(b *testing.B) {
		runTargetParallel(b, env.url, env.key, "secretsmanager.GetSecretValue", "secretsmanager", body, many)
	})
	b.Run("coffer-audit-32", func(b *testing.B) {
		runTargetParallel(b, env.auditURL, env.key, "secretsmanager.GetSecretValue", "secretsmanager", body, many)
	})
	// The same read by an IAM user whose permissions come from ten attached
	// managed policies (each of several statements, with conditions and
	// wildcards), beside the root above, which policies do not restrict:
	// the cost of the policy check.
	b.Run("coffer-user-10-policies", func(b *testing.B) { runClients(b, env.url, env.user, body) })
	// The same read of a secret under a customer key, whose state is
	// checked on every read.
	b.Run("coffer-cmk", func(b *testing.B) { runClients(b, env.url, env.key, `{"SecretId":"prod/taskhub/cmk"}`) })
}

// BenchmarkPolicyCost measures what the policy check costs a read's
// throughput: the root (whom policies do not restrict) and an IAM user with
// ten attached policies take turns, in twenty alternating phases of equal
// size, each phase a burst of GetSecretValue requests from eight parallel
// clients, so that drift in the machine's speed falls on both alike. It
// reports each one's time per request and user/root, the share of the
// root's throughput the user gets (1 would be a free check):
//
//	go test ./internal/api -run '^$' -bench PolicyCost -benchtime 20000x
func BenchmarkPolicyCost(b *testing.B) {
	env := mustServe(b)
	body := `{"SecretId":"prod/taskhub/secretmanager"}`
	sum := sha256.Sum256([]byte(body))
	payloadHash := hex.EncodeToString(sum[:])
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const workers, phases = 8, 20
	// phase sends n requests as key from the workers and returns how long
	// they took.
	phase := func(key *identity.AccessKey, n int) time.Duration {
		creds := aws.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
		var wg sync.WaitGroup
		start := time.Now()
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				signer := v4.NewSigner()
				var buf bytes.Buffer
				for i := w; i < n; i += workers {
					req, _ := http.NewRequest(http.MethodPost, env.url+"/", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-amz-json-1.1")
					req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
					if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, "secretsmanager", "us-east-1", time.Now()); err != nil {
						b.Error(err)
						return
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					buf.Reset()
					buf.ReadFrom(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d: %s", resp.StatusCode, buf.String())
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	phase(env.key, 200) // warm both up: connections, caches
	phase(env.user, 200)
	per := max(b.N/(2*phases), workers)
	b.ResetTimer()
	var root, user time.Duration
	for range phases {
		root += phase(env.key, per)
		user += phase(env.user, per)
	}
	b.StopTimer()
	n := float64(per * phases)
	b.ReportMetric(float64(root.Nanoseconds())/n, "root-ns/req")
	b.ReportMetric(float64(user.Nanoseconds())/n, "user-ns/req")
	b.ReportMetric(float64(root)/float64(user), "user/root")
}

type benchEnv struct {
	url      string
	auditURL string              // the same server with the audit trail on
	key      *identity.AccessKey // the account root's
	user     *identity.AccessKey // an IAM user's, with ten attached policies
	cmkARN   string              // a customer key, for the KMS benchmarks
}

// BenchmarkKMS measures KMS Encrypt and Decrypt of 4 KiB end to end over
// loopback HTTP with SigV4, beside the bare handler and GetSecretValue
// under the default key, in one run:
//
//	go test ./internal/api -run '^$' -bench 'KMS|GetSecretValue' -benchtime 5s
func BenchmarkKMS(b *testing.B) {
	env := mustServe(b)
	plaintext := make([]byte, 4096)
	rand.Read(plaintext)
	encBody, _ := json.Marshal(map[string]any{"KeyId": env.cmkARN, "Plaintext": plaintext})
	status, resp := sendSigned(b, env.url, env.key, "TrentService.Encrypt", "kms", string(encBody))
	if status != http.StatusOK {
		b.Fatalf("Encrypt: %d %s", status, resp)
	}
	var enc struct{ CiphertextBlob []byte }
	if err := json.Unmarshal(resp, &enc); err != nil {
		b.Fatal(err)
	}
	decBody, _ := json.Marshal(map[string]any{"CiphertextBlob": enc.CiphertextBlob})
	bare := mustListen(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write(encBody) // about the size of an Encrypt answer
	}))
	b.Run("bare", func(b *testing.B) { runTarget(b, bare, env.key, "TrentService.Encrypt", "kms", string(encBody)) })
	b.Run("encrypt-4KiB", func(b *testing.B) { runTarget(b, env.url, env.key, "TrentService.Encrypt", "kms", string(encBody)) })
	b.Run("decrypt-4KiB", func(b *testing.B) { runTarget(b, env.url, env.key, "TrentService.Decrypt", "kms", string(decBody)) })
	b.Run("getsecretvalue-default-key", func(b *testing.B) {
		runTarget(b, env.url, env.key, "secretsmanager.GetSecretValue", "secretsmanager", `{"SecretId":"prod/taskhub/secretmanager"}`)
	})
}

// sendSigned sends one signed request and returns its status and body.
func sendSigned(tb testing.TB, url string, key *identity.AccessKey, target, service, body string) (int, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func mustServe(tb testing.TB) benchEnv {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	material := make([]byte, 32)
	rand.Read(material)
	root, err := keyring.NewRootKey(material)
	if err != nil {
		tb.Fatal(err)
	}
	clk := secrets.SystemClock{}
	ids := &identity.Manager{Store: st, Root: root, Clock: clk}
	acct, err := ids.CreateAccount(ctx, "123456789012")
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ids.CreateAccessKey(ctx, acct.ID)
	if err != nil {
		tb.Fatal(err)
	}
	svc := &secrets.Service{Store: st, Sealer: keyring.New(root, clk, nil), Clock: clk, TokenKey: root.Derive("t")}
	c := secrets.Caller{Account: acct.ID, Region: "us-east-1"}
	_, err = svc.CreateSecret(ctx, c, secrets.CreateSecretInput{
		Name: "prod/taskhub/secretmanager", Token: "0d3b2f4e-6c5a-4b8e-9f1a-2c3d4e5f6a7b",
		Value: &secrets.Value{Bytes: []byte(`{"Service":"Amazon DynamoDB"}`)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	kr := svc.Sealer.(*keyring.Keyring)
	cmk := &secrets.KMSKey{
		ARN: keyring.KeyARN("us-east-1", acct.ID, "1234abcd-12ab-34cd-56ef-1234567890ab"), ID: "1234abcd-12ab-34cd-56ef-1234567890ab",
		Account: acct.ID, Region: "us-east-1", Manager: "CUSTOMER", State: "Enabled",
	}
	if err := kr.AddMaterial(cmk); err != nil {
		tb.Fatal(err)
	}
	if err := st.Update(ctx, func(tx secrets.Tx) error { return tx.PutKMSKey(ctx, cmk) }); err != nil {
		tb.Fatal(err)
	}
	_, err = svc.CreateSecret(ctx, c, secrets.CreateSecretInput{
		Name: "prod/taskhub/cmk", KMSKeyID: cmk.ID, Token: "0d3b2f4e-6c5a-4b8e-9f1a-2c3d4e5f6a7b",
		Value: &secrets.Value{Bytes: []byte(`{"Service":"Amazon DynamoDB"}`)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	// Authorization as the server wires it: one Authorizer over IAM.
	iamSvc := &iam.Service{Store: st, Keys: ids, Clock: clk}
	az := &access.Authorizer{Directory: benchDirectory{iamSvc}, Clock: clk}
	iamSvc.Authorizer, svc.Authorizer = az, az
	admin := secrets.Caller{Account: acct.ID, Region: "us-east-1", Principal: identity.RootPrincipal(acct.ID)}
	if _, err := iamSvc.CreateUser(ctx, admin, iam.CreateUserInput{Name: "reader"}); err != nil {
		tb.Fatal(err)
	}
	for i := range 10 {
		// Nine policies that do not grant the read, and one that does; each
		// with a Deny that does not match, so every statement is looked at.
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["secretsmanager:Describe*","secretsmanager:List*"],"Resource":"arn:aws:secretsmanager:*:%[1]s:secret:team%[2]d/*"},
			{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}},
			{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/classification":"restricted-%[2]d"}}},
			{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:%[1]s:secret:team%[2]d/${aws:username}/*"}]}`, acct.ID, i)
		if i == 9 {
			doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
		}
		p, err := iamSvc.CreatePolicy(ctx, admin, iam.CreatePolicyInput{Name: fmt.Sprintf("policy-%d", i), Document: doc})
		if err != nil {
			tb.Fatal(err)
		}
		if err := iamSvc.AttachPolicy(ctx, admin, iam.KindUser, "reader", p.ARN); err != nil {
			tb.Fatal(err)
		}
	}
	uk, err := iamSvc.CreateAccessKey(ctx, admin, "reader")
	if err != nil {
		tb.Fatal(err)
	}
	srv := api.New(api.Options{
		Secrets:  svc,
		KMS:      &kms.Service{Store: st, Keyring: kr, Clock: clk, Authorizer: az},
		Verifier: &auth.Verifier{Creds: ids},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:  api.NewMetrics(),
		Prepare:  az.Prepare,
	})
	// The same services with the audit trail on (the test-only switch is
	// whether Options.Audit is set).
	log := &audit.Log{Store: st, Key: root.Derive("audit-chain"), Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w := log.NewWriter()
	tb.Cleanup(w.Close)
	audited := api.New(api.Options{
		Secrets:  svc,
		KMS:      &kms.Service{Store: st, Keyring: kr, Clock: clk, Authorizer: az},
		Verifier: &auth.Verifier{Creds: ids},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:  api.NewMetrics(),
		Prepare:  az.Prepare,
		Audit:    log, AuditWriter: w,
	})
	return benchEnv{
		url: mustListen(tb, srv.Handler()), auditURL: mustListen(tb, audited.Handler()), key: key, cmkARN: cmk.ARN,
		user: &identity.AccessKey{AccessKeyID: uk.ID, SecretAccessKey: uk.SecretAccessKey},
	}
}

// benchDirectory is the server's adapter from IAM to access.Directory.
type benchDirectory struct{ iam *iam.Service }

func (d benchDirectory) Identity(ctx context.Context, arn string) (*access.Identity, error) {
	return d.iam.Principal(ctx, arn)
}

func mustListen(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// runClients sends signed GetSecretValue requests from parallel clients,
// each signing its own requests, and checks every answer is a 200.
func runClients(b *testing.B, url string, key *identity.AccessKey, body string) {
	runTarget(b, url, key, "secretsmanager.GetSecretValue", "secretsmanager", body)
}

// runTarget is runClients for any operation.
func runTarget(b *testing.B, url string, key *identity.AccessKey, target, service, body string) {
	runTargetParallel(b, url, key, target, service, body, 4)
}

// runTargetParallel is runTarget with parallelism clients per core.
func runTargetParallel(b *testing.B, url string, key *identity.AccessKey, target, service, body string, parallelism int) {
	creds := aws.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	sum := sha256.Sum256([]byte(body))
	payloadHash := hex.EncodeToString(sum[:])
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		signer := v4.NewSigner()
		var buf bytes.Buffer
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", target)
			if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, service, "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			buf.Reset()
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d: %s", resp.StatusCode, buf.String())
			}
		}
	})
}
