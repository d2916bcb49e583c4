package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// cofferBin is the test build of the binary, made once by TestMain.
var cofferBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coffer-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cofferBin = filepath.Join(dir, "coffer")
	build := exec.Command("go", "build", "-tags", "fakeclock", "-o", cofferBin, "github.com/coffer-dev/coffer/cmd/coffer")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build coffer:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Server is a running coffer server process.
type Server struct {
	URL       string
	Account   string
	AccessKey string
	SecretKey string
	DataDir   string
	KeyFile   string
	ClockFile string   // the fake clock's offset file; see SetClockOffset
	ProcEnv   []string // the server process's environment; nil: the test's

	args []string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// ServerOptions adjusts MustStart.
type ServerOptions struct {
	AccountID string   // default 123456789012
	LogLevel  string   // default debug
	ExtraArgs []string // more `coffer server` flags
}

// MustStart initializes a data dir and starts `coffer server` on a free
// loopback port. The server is killed when the test ends.
func MustStart(tb testing.TB, opts ...ServerOptions) *Server {
	tb.Helper()
	var o ServerOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.LogLevel == "" {
		o.LogLevel = "debug"
	}
	root := tb.TempDir()
	s := &Server{
		Account:   o.AccountID,
		DataDir:   filepath.Join(root, "data"),
		KeyFile:   filepath.Join(root, "keys", "root.key"),
		ClockFile: filepath.Join(root, "clock"),
	}
	out, err := exec.Command(cofferBin, "init", "--data-dir", s.DataDir, "--key-file", s.KeyFile, "--account-id", o.AccountID).CombinedOutput()
	if err != nil {
		tb.Fatalf("coffer init: %v\n%s", err, out)
	}
	s.AccessKey = field(tb, out, `Admin access key id:\s+(\S+)`)
	s.SecretKey = field(tb, out, `Admin secret key:\s+(\S+)`)
	s.args = append([]string{"server", "--data-dir", s.DataDir, "--key-file", s.KeyFile,
		"--listen", "127.0.0.1:0", "--log-level", o.LogLevel, "--fake-clock-file", s.ClockFile}, o.ExtraArgs...)
	s.start(tb)
	tb.Cleanup(func() {
		s.Kill()
		if tb.Failed() {
			tb.Logf("coffer server logs:\n%s", lastLines(s.Logs(), 60))
		}
	})
	return s
}

func field(tb testing.TB, out []byte, pattern string) string {
	tb.Helper()
	m := regexp.MustCompile(pattern).FindSubmatch(out)
	if m == nil {
		tb.Fatalf("no %q in:\n%s", pattern, out)
	}
	return string(m[1])
}

var listenLine = regexp.MustCompile(`msg=listening url=(\S+)`)

func (s *Server) start(tb testing.TB) {
	tb.Helper()
	s.logs = &syncBuffer{}
	s.cmd = exec.Command(cofferBin, s.args...)
	s.cmd.Env = s.ProcEnv
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	s.cmd.Stdout = s.logs
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s.done = make(chan struct{})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-urlc:
	case <-s.done:
		tb.Fatalf("coffer server exited early:\n%s", s.logs.String())
	case <-time.After(30 * time.Second):
		tb.Fatalf("coffer server did not start:\n%s", s.logs.String())
	}
}

// Kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
}

// Stop stops the server with SIGTERM and waits for it to exit.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		tb.Fatal("coffer server did not stop on SIGINT")
	}
}

// Restart starts the server again on the same data dir (on a new port).
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.start(tb)
}

// Logs returns everything the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// SetClockOffset moves the server's clock: real time plus d.
func (s *Server) SetClockOffset(tb testing.TB, d time.Duration) {
	tb.Helper()
	if err := os.WriteFile(s.ClockFile, []byte(d.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// Env returns the environment an AWS client needs to reach the server.
func (s *Server) Env() []string {
	return append(os.Environ(),
		"AWS_ENDPOINT_URL="+s.URL,
		"AWS_ACCESS_KEY_ID="+s.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+s.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1",
	)
}

// SDK returns an aws-sdk-go-v2 Secrets Manager client for the server, in
// region (us-east-1 when empty), with retries off.
func (s *Server) SDK(region ...string) *secretsmanager.Client {
	r := "us-east-1"
	if len(region) > 0 {
		r = region[0]
	}
	return secretsmanager.New(secretsmanager.Options{
		Region:           r,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RetryMaxAttempts: 1,
	})
}

// SDKWithRetries is SDK with the SDK's standard retries on, for idempotent
// reads whose transport may see a connection error that is not the
// server's doing (aws/aws-sdk-go-v2#2737: a stdlib race the SDK retries).
func (s *Server) SDKWithRetries() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// RawRequest is a hand-made request, for cases the SDKs refuse to send.
type RawRequest struct {
	Target    string // e.g. "secretsmanager.CreateSecret"; "" sends no X-Amz-Target
	Body      string
	Region    string    // default us-east-1
	Service   string    // signing name; default secretsmanager
	Time      time.Time // signing time; default now
	AccessKey string    // default the server's admin key
	SecretKey string
	Unsigned  bool // send no Authorization header
	// SessionToken is sent (and signed) as X-Amz-Security-Token.
	SessionToken string
	// ContentType replaces application/x-amz-json-1.1.
	ContentType string
	Header      http.Header
}

// Raw sends a request signed with SigV4 (unless Unsigned) and returns the
// status, the body and the headers.
func (s *Server) Raw(tb testing.TB, rr RawRequest) (int, []byte, http.Header) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(rr.Body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", cmpOr(rr.ContentType, "application/x-amz-json-1.1"))
	if rr.Target != "" {
		req.Header.Set("X-Amz-Target", rr.Target)
	}
	for k, vs := range rr.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if !rr.Unsigned {
		region, service := cmpOr(rr.Region, "us-east-1"), cmpOr(rr.Service, "secretsmanager")
		ak, sk := cmpOr(rr.AccessKey, s.AccessKey), cmpOr(rr.SecretKey, s.SecretKey)
		t := rr.Time
		if t.IsZero() {
			t = time.Now()
		}
		sum := sha256.Sum256([]byte(rr.Body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk, SessionToken: rr.SessionToken},
			req, hex.EncodeToString(sum[:]), service, region, t)
		if err != nil {
			tb.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// needTool returns the path of a tool, or skips the test with a message
// naming what to install; under CI=true a missing tool fails the test.
func needTool(tb testing.TB, name, install string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if isCI() {
			tb.Fatalf("%s not found (CI=true, so this fails): %s", name, install)
		}
		tb.Skipf("%s not found: %s", name, install)
	}
	return p
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// isCI reports whether the tests run in CI, where a missing tool fails.
func isCI() bool { return os.Getenv("CI") == "true" }

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
