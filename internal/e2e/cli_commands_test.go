package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Tests of the binary's own behaviour: its refusals, TLS, offline
// administration, dev mode, signals and what a release build accepts
// (issue 2, "The binary").

func TestCommand_ServerRefusesKeyFileReadableByOthers(t *testing.T) {
	t.Parallel()
	s, _ := MustInitDataDir(t, "123456789012")
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		if err := os.Chmod(s.KeyFile, mode); err != nil {
			t.Fatal(err)
		}
		out, code := cofferExit(t, "server", "--data-dir", s.DataDir, "--key-file", s.KeyFile, "--listen", "127.0.0.1:0")
		if code == 0 || !strings.Contains(out, fmt.Sprintf("%04o", mode)) {
			t.Errorf("key file mode %04o: exit %d, want a refusal naming the mode; output:\n%s", mode, code, out)
		}
	}
	// With 0600 the same data dir serves: the refusals were about the mode.
	if err := os.Chmod(s.KeyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	s.startWithFlags(t, "--listen", "127.0.0.1:0")
	if _, err := s.SDK().ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{}); err != nil {
		t.Fatalf("ListSecrets with a 0600 key file: %v", err)
	}
}

func TestCommand_ServerRefusesPlainHTTPOffLoopback(t *testing.T) {
	t.Parallel()
	s, _ := MustInitDataDir(t, "123456789012")
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} { // each listens on every interface
		out, code := cofferExit(t, "server", "--data-dir", s.DataDir, "--key-file", s.KeyFile, "--listen", addr)
		if code == 0 || !strings.Contains(out, "plain HTTP") || !strings.Contains(out, "--allow-plain-http") {
			t.Errorf("plain HTTP on %s: exit %d, want a refusal that names --allow-plain-http; output:\n%s", addr, code, out)
		}
	}
	// Loopback needs no flag; another address needs --allow-plain-http.
	s.startWithFlags(t, "--listen", "0.0.0.0:0", "--allow-plain-http")
	u, err := url.Parse(s.URL)
	if err != nil || u.Scheme != "http" {
		t.Fatalf("listening URL %q", s.URL)
	}
	s.URL = "http://127.0.0.1:" + u.Port()
	if _, err := s.SDK().ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{}); err != nil {
		t.Fatalf("ListSecrets over plain HTTP with --allow-plain-http: %v", err)
	}
}

func TestCommand_ServerTLS(t *testing.T) {
	t.Parallel()
	s, _ := MustInitDataDir(t, "123456789012")
	certFile, keyFile, pool := selfSignedCertFor127(t)
	s.startWithFlags(t, "--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("listening URL %q, want https://127.0.0.1:…", s.URL)
	}
	ctx := context.Background()
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	sm := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1, HTTPClient: trusting,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("tls/one"), SecretString: aws.String("over-tls")}); err != nil {
		t.Fatalf("CreateSecret over HTTPS: %v", err)
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("tls/one")})
	if err != nil || aws.ToString(got.SecretString) != "over-tls" {
		t.Fatalf("GetSecretValue over HTTPS: %v %q", err, aws.ToString(got.SecretString))
	}
	// It is really TLS: a client that does not trust the certificate fails
	// the handshake, and plain HTTP gets no answer from the API.
	var certErr *tls.CertificateVerificationError
	if _, err := http.Get(s.URL + "/healthz"); !errors.As(err, &certErr) {
		t.Errorf("GET over HTTPS with an untrusting client: %v, want a certificate verification error", err)
	}
	if resp, err := http.Get("http://" + strings.TrimPrefix(s.URL, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP to the TLS port: got 200")
		}
	}
}

func TestCommand_InitRefusals(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dataDir := filepath.Join(root, "data")

	// A key file inside the data dir.
	inside := filepath.Join(dataDir, "keys", "root.key")
	out, code := cofferExit(t, "init", "--data-dir", dataDir, "--key-file", inside)
	if code == 0 || !strings.Contains(out, "outside the data dir") {
		t.Errorf("init with the key file inside the data dir: exit %d, output:\n%s", code, out)
	}
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Errorf("init refused, yet created %s (%v)", inside, err)
	}

	// A good init: the key file is 0600.
	keyFile := filepath.Join(root, "keys", "root.key")
	out, code = cofferExit(t, "init", "--data-dir", dataDir, "--key-file", keyFile)
	if code != 0 {
		t.Fatalf("init: exit %d:\n%s", code, out)
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	key, _ := os.ReadFile(keyFile)

	// A second init of the same dir, with the same or another key file.
	for _, kf := range []string{keyFile, filepath.Join(root, "other.key")} {
		out, code = cofferExit(t, "init", "--data-dir", dataDir, "--key-file", kf)
		if code == 0 || !strings.Contains(out, "already initialized") {
			t.Errorf("second init (key file %s): exit %d, output:\n%s", kf, code, out)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "other.key")); !os.IsNotExist(err) {
		t.Errorf("second init refused, yet created a key file (%v)", err)
	}
	if now, _ := os.ReadFile(keyFile); !bytes.Equal(now, key) {
		t.Errorf("second init changed the key file")
	}
	// And the first init's data still opens with its key.
	out, code = cofferExit(t, "admin", "list-accounts", "--data-dir", dataDir, "--key-file", keyFile)
	if code != 0 {
		t.Errorf("admin list-accounts after the refused inits: exit %d:\n%s", code, out)
	}
}

func TestCommand_AdminCreateAccessKeyOffline(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := context.Background()
	if _, err := s.SDK().CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("admin/one"), SecretString: aws.String("before")}); err != nil {
		t.Fatal(err)
	}
	s.Stop(t)
	out, code := cofferExit(t, "admin", "create-access-key", "--data-dir", s.DataDir, "--key-file", s.KeyFile)
	if code != 0 {
		t.Fatalf("admin create-access-key with the server stopped: exit %d:\n%s", code, out)
	}
	ak := field(t, []byte(out), `Access key id:\s+(\S+)`)
	sk := field(t, []byte(out), `Secret access key:\s+(\S+)`)
	if !strings.Contains(out, "Account:               "+s.Account) {
		t.Errorf("admin create-access-key output names no account %s:\n%s", s.Account, out)
	}
	if ak == s.AccessKey {
		t.Fatalf("the new access key is the old one")
	}
	if hits := findLeaksInDir(t, s.DataDir, leakForms([]leakValue{{"new-secret-access-key", []byte(sk)}})); len(hits) > 0 {
		t.Errorf("the new secret access key is stored in the clear:\n%s", strings.Join(hits, "\n"))
	}

	s.Restart(t)
	old := s.SDK()
	s.AccessKey, s.SecretKey = ak, sk
	for name, sm := range map[string]*secretsmanager.Client{"new key": s.SDK(), "old key": old} {
		got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("admin/one")})
		if err != nil || aws.ToString(got.SecretString) != "before" {
			t.Errorf("GetSecretValue with the %s: %v", name, err)
		}
	}
}

func TestCommand_Dev(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(cofferBin, "dev", "--listen", "127.0.0.1:0", "--account-id", "123456789012")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })

	var printed []string
	var export string
	deadline := time.After(30 * time.Second)
	for export == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("coffer dev exited before printing an export line:\n%s\n%s", strings.Join(printed, "\n"), stderr.String())
			}
			printed = append(printed, l)
			if strings.HasPrefix(l, "export ") {
				export = l
			}
		case <-deadline:
			t.Fatalf("coffer dev printed no export line:\n%s\n%s", strings.Join(printed, "\n"), stderr.String())
		}
	}
	m := regexp.MustCompile(`^export AWS_ENDPOINT_URL=(\S+) AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_DEFAULT_REGION=(\S+)$`).FindStringSubmatch(export)
	if m == nil {
		t.Fatalf("export line %q is not `export AWS_ENDPOINT_URL=… AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_DEFAULT_REGION=…`", export)
	}
	endpoint, ak, sk, region := m[1], m[2], m[3], m[4]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Errorf("AWS_ENDPOINT_URL=%s, want http://127.0.0.1:<port>", endpoint)
	}
	var dataDir string
	if dm := regexp.MustCompile(`data in (\S+?),`).FindStringSubmatch(strings.Join(printed, "\n")); dm != nil {
		dataDir = dm[1]
	}

	ctx := context.Background()
	sm := secretsmanager.New(secretsmanager.Options{
		Region: region, BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
	})
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("dev/one"), SecretString: aws.String("from-dev")})
	if err != nil {
		t.Fatalf("CreateSecret with the printed credentials: %v", err)
	}
	if arn := aws.ToString(created.ARN); !strings.HasPrefix(arn, "arn:aws:secretsmanager:"+region+":123456789012:secret:dev/one-") {
		t.Errorf("ARN %s, want account 123456789012 in region %s", arn, region)
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/one")})
	if err != nil || aws.ToString(got.SecretString) != "from-dev" {
		t.Errorf("GetSecretValue: %v %q", err, aws.ToString(got.SecretString))
	}

	// Authentication stays on in dev mode.
	dev := &Server{URL: endpoint, AccessKey: ak, SecretKey: sk}
	status, body, _ := dev.Raw(t, RawRequest{Target: "secretsmanager.GetSecretValue", Body: `{"SecretId":"dev/one"}`, Unsigned: true})
	if status == http.StatusOK || !strings.Contains(string(body), `"MissingAuthenticationTokenException"`) || strings.Contains(string(body), "from-dev") {
		t.Errorf("unsigned GetSecretValue in dev mode: %d %s", status, body)
	}
	status, body, _ = dev.Raw(t, RawRequest{Target: "secretsmanager.GetSecretValue", Body: `{"SecretId":"dev/one"}`, SecretKey: "wrong-secret-key"})
	if status == http.StatusOK || strings.Contains(string(body), "from-dev") {
		t.Errorf("badly signed GetSecretValue in dev mode: %d %s", status, body)
	}

	// SIGINT: a clean exit that removes the throw-away data.
	cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("coffer dev on SIGINT: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("coffer dev did not exit on SIGINT")
	}
	if dataDir == "" {
		t.Errorf("coffer dev did not say where its data is:\n%s", strings.Join(printed, "\n"))
	} else if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("coffer dev left its data dir %s behind (%v)", dataDir, err)
	}
}

func TestCommand_GracefulShutdown(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			s := MustStart(t)
			ctx := context.Background()
			sm := s.SDK() // leaves an idle keep-alive connection open
			if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("shutdown/one"), SecretString: aws.String("kept")}); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			s.cmd.Process.Signal(sig)
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				t.Fatalf("no exit within 5s of %v:\n%s", sig, s.Logs())
			}
			if code := s.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit code %d after %v, want 0:\n%s", code, sig, s.Logs())
			}
			if !strings.Contains(s.Logs(), "msg=\"shutting down\"") {
				t.Errorf("no \"shutting down\" log line after %v:\n%s", sig, s.Logs())
			}
			t.Logf("%v: exited in %v", sig, time.Since(start))
			s.Restart(t)
			got, err := s.SDK().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("shutdown/one")})
			if err != nil || aws.ToString(got.SecretString) != "kept" {
				t.Errorf("after restart: %v", err)
			}
		})
	}
}

func TestCommand_ReleaseBuildHasNoFakeClock(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "coffer")
	build := exec.Command("go", "build", "-o", bin, "github.com/coffer-dev/coffer/cmd/coffer")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build (release, no tags): %v\n%s", err, out)
	}
	for _, sub := range []string{"server", "dev"} {
		out, code := binExit(t, bin, sub, "-h")
		if code != 0 || !strings.Contains(out, "-listen") {
			t.Fatalf("release coffer %s -h: exit %d:\n%s", sub, code, out)
		}
		if strings.Contains(out, "fake-clock") {
			t.Errorf("release coffer %s -h offers a fake clock:\n%s", sub, out)
		}
	}
	out, code := binExit(t, bin, "server", "--fake-clock-file", filepath.Join(t.TempDir(), "clock"), "--data-dir", "x", "--key-file", "y")
	if code == 0 || !strings.Contains(out, "flag provided but not defined: -fake-clock-file") {
		t.Errorf("release coffer server --fake-clock-file: exit %d:\n%s", code, out)
	}
	// The test build does have it, so the check above can fail.
	if out, _ := cofferExit(t, "server", "-h"); !strings.Contains(out, "-fake-clock-file") {
		t.Errorf("test build's coffer server -h lacks --fake-clock-file:\n%s", out)
	}
}

// MustInitDataDir runs coffer init on a fresh data dir and returns a
// Server, not started, with the admin credentials, and init's output.
func MustInitDataDir(tb testing.TB, account string) (*Server, []byte) {
	tb.Helper()
	root := tb.TempDir()
	s := &Server{
		Account:   account,
		DataDir:   filepath.Join(root, "data"),
		KeyFile:   filepath.Join(root, "keys", "root.key"),
		ClockFile: filepath.Join(root, "clock"),
	}
	out, err := exec.Command(cofferBin, "init", "--data-dir", s.DataDir, "--key-file", s.KeyFile, "--account-id", account).CombinedOutput()
	if err != nil {
		tb.Fatalf("coffer init: %v\n%s", err, out)
	}
	s.AccessKey = field(tb, out, `Admin access key id:\s+(\S+)`)
	s.SecretKey = field(tb, out, `Admin secret key:\s+(\S+)`)
	return s, out
}

// startWithFlags starts `coffer server` on s's data dir with the given flags.
func (s *Server) startWithFlags(tb testing.TB, flags ...string) {
	tb.Helper()
	s.args = append([]string{"server", "--data-dir", s.DataDir, "--key-file", s.KeyFile}, flags...)
	s.start(tb)
	tb.Cleanup(s.Kill)
}

// cofferExit runs the test build of coffer and returns its combined output
// and exit code.
func cofferExit(tb testing.TB, args ...string) (string, int) {
	tb.Helper()
	return binExit(tb, cofferBin, args...)
}

// binExit runs a command that is expected to exit by itself within 20s.
func binExit(tb testing.TB, bin string, args ...string) (string, int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if ctx.Err() != nil {
		tb.Fatalf("%s %s did not exit within 20s (did it start serving?):\n%s", filepath.Base(bin), strings.Join(args, " "), out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		tb.Fatalf("%s: %v", bin, err)
	}
	return string(out), 0
}

// selfSignedCertFor127 writes a self-signed certificate for 127.0.0.1 and its key
// to PEM files, and returns them with a pool that trusts the certificate.
func selfSignedCertFor127(tb testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "coffer e2e"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		tb.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
