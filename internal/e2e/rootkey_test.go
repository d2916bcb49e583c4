package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Tests of the root key's three holders (a key file, a passphrase, an
// external KMS), its refusal of a wrong key, and rotate-root-key with its
// crash safety (issue 3, "The root key").

const rootPassphrase = "correct horse battery staple"

func TestRootKey_KeyFile(t *testing.T) {
	t.Parallel()
	s := mustInitRoot(t, holderSetup{holder: "file"})
	s.startRoot(t)
	mustPutSecrets(t, s, "rootkey/file", 2)
	// A running server holds the data dir: an admin command (which could
	// rotate the key under it) is refused.
	for _, cmd := range []string{"list-accounts", "rotate-root-key"} {
		if out, code := runCoffer(t, nil, s.rootArgs("admin", cmd)...); code == 0 || !strings.Contains(out, "in use by another coffer process") {
			t.Errorf("admin %s while the server runs: exit %d:\n%s", cmd, code, out)
		}
	}
	s.Kill() // as a crash would: the log is not checkpointed

	other, _ := MustInitDataDir(t, "123456789012") // a real root key, of another data dir
	dirs := []string{s.DataDir, filepath.Dir(s.KeyFile)}
	before := dirHashes(t, dirs...)
	for _, args := range [][]string{
		{"server", "--data-dir", s.DataDir, "--key-file", other.KeyFile, "--listen", "127.0.0.1:0"},
		{"admin", "list-accounts", "--data-dir", s.DataDir, "--key-file", other.KeyFile},
		{"admin", "rotate-root-key", "--data-dir", s.DataDir, "--key-file", other.KeyFile},
	} {
		out, code := runCoffer(t, nil, args...)
		if code == 0 || !strings.Contains(out, "wrong root key") {
			t.Errorf("coffer %s with another data dir's key: exit %d, want a refusal naming the wrong root key:\n%s", args[0], code, out)
		}
	}
	// No key file at all says what is missing.
	if out, code := runCoffer(t, nil, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0"); code == 0 || !strings.Contains(out, "--key-file") {
		t.Errorf("server without --key-file: exit %d:\n%s", code, out)
	}
	mustSameHashes(t, "after starts with the wrong key", before, dirHashes(t, dirs...))

	s.startRoot(t)
	mustReadSecrets(t, s, "rootkey/file", 2)
}

func TestRootKey_Passphrase(t *testing.T) {
	t.Parallel()
	s := mustInitRoot(t, holderSetup{holder: "passphrase"})
	var st struct {
		Holder     string
		Passphrase struct {
			Salt      []byte
			Time      int
			MemoryKiB int `json:"memory_kib"`
			Threads   int
		}
		Wrapped []byte
	}
	readJSON(t, filepath.Join(s.DataDir, "root-key.json"), &st)
	if st.Holder != "passphrase" || len(st.Passphrase.Salt) != 16 || st.Passphrase.Time != 3 || st.Passphrase.MemoryKiB != 64<<10 || st.Passphrase.Threads != 4 || len(st.Wrapped) == 0 {
		t.Errorf("root-key.json = %+v, want the argon2id salt and parameters and the wrapped key", st)
	}
	var cfg struct {
		RootKey struct{ Holder string } `json:"root_key"`
	}
	readJSON(t, filepath.Join(s.DataDir, "coffer.json"), &cfg)
	if cfg.RootKey.Holder != "passphrase" {
		t.Errorf("coffer.json records holder %q, want passphrase", cfg.RootKey.Holder)
	}

	s.startRoot(t) // passphrase from $COFFER_PASSPHRASE
	mustPutSecrets(t, s, "rootkey/pass", 2)
	s.Kill()
	if hits := findLeaksInDir(t, s.DataDir, leakForms([]leakValue{{"passphrase", []byte(rootPassphrase)}})); len(hits) > 0 {
		t.Errorf("the passphrase is in the data dir:\n%s", strings.Join(hits, "\n"))
	}

	before := dirHashes(t, s.DataDir)
	wrongFile := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrongFile, []byte(rootPassphrase+"!\n"), 0o600)
	noPass := withoutEnv(os.Environ(), "COFFER_PASSPHRASE")
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"wrong $COFFER_PASSPHRASE", append(noPass, "COFFER_PASSPHRASE=Correct horse battery staple"), nil, "wrong passphrase"},
		{"wrong --passphrase-file", noPass, []string{"--passphrase-file", wrongFile}, "wrong passphrase"},
		{"no passphrase and no terminal", noPass, nil, "COFFER_PASSPHRASE"},
	} {
		for _, cmd := range [][]string{{"server", "--listen", "127.0.0.1:0"}, {"admin", "rotate-root-key"}} {
			args := append(append(cmd, "--data-dir", s.DataDir), c.args...)
			out, code := runCoffer(t, c.env, args...)
			if code == 0 || !strings.Contains(out, c.want) {
				t.Errorf("%s, coffer %s: exit %d, want a refusal saying %q:\n%s", c.name, cmd[0], code, c.want, out)
			}
		}
	}
	mustSameHashes(t, "after starts with a wrong passphrase", before, dirHashes(t, s.DataDir))

	// The passphrase from a file descriptor, then from a file.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(rootPassphrase + "\n")
	w.Close()
	cmd := exec.Command(cofferBin, "admin", "list-accounts", "--data-dir", s.DataDir, "--passphrase-fd", "3")
	cmd.Env, cmd.ExtraFiles = noPass, []*os.File{r}
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), s.Account) {
		t.Errorf("admin list-accounts --passphrase-fd 3: %v\n%s", err, out)
	}
	r.Close()
	passFile := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(passFile, []byte(rootPassphrase+"\n"), 0o600)
	s.ProcEnv = noPass
	s.startRoot(t, "--passphrase-file", passFile)
	mustReadSecrets(t, s, "rootkey/pass", 2)
}

func TestRootKey_KMS(t *testing.T) {
	t.Parallel()
	fk := newFakeKMS(t)
	s := mustInitRoot(t, holderSetup{holder: "kms", kms: fk})
	var cfg struct {
		RootKey struct {
			Holder      string
			KMSEndpoint string `json:"kms_endpoint"`
			KMSKeyID    string `json:"kms_key_id"`
		} `json:"root_key"`
	}
	readJSON(t, filepath.Join(s.DataDir, "coffer.json"), &cfg)
	if cfg.RootKey.Holder != "kms" || cfg.RootKey.KMSEndpoint != fk.srv.URL || cfg.RootKey.KMSKeyID != fk.keyID {
		t.Errorf("coffer.json records %+v, want holder kms, endpoint %s, key %s", cfg.RootKey, fk.srv.URL, fk.keyID)
	}
	if n := fk.count("Encrypt"); n != 1 {
		t.Errorf("init called Encrypt %d times, want 1", n)
	}

	s.startRoot(t)
	mustPutSecrets(t, s, "rootkey/kms", 2)
	s.Stop(t)
	decrypts := fk.count("Decrypt")
	s.startRoot(t)
	if fk.count("Decrypt") != decrypts+1 {
		t.Errorf("the server's start did not call Decrypt once (%d → %d)", decrypts, fk.count("Decrypt"))
	}
	mustReadSecrets(t, s, "rootkey/kms", 2)
	s.Kill()

	// The KMS refuses (a disabled key), is unreachable, or is asked with
	// other credentials: the server refuses to start and writes nothing.
	before := dirHashes(t, s.DataDir)
	fk.setDisabled(true)
	out, code := runCoffer(t, s.ProcEnv, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "root key KMS") || !strings.Contains(out, "DisabledException") {
		t.Errorf("server with the KMS key disabled: exit %d:\n%s", code, out)
	}
	fk.setDisabled(false)
	out, code = runCoffer(t, s.ProcEnv, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0", "--root-kms-endpoint", "http://127.0.0.1:1")
	if code == 0 || !strings.Contains(out, "root key KMS") {
		t.Errorf("server with the KMS unreachable: exit %d:\n%s", code, out)
	}
	otherCreds := append(withoutEnv(s.ProcEnv, "AWS_ACCESS_KEY_ID"), "AWS_ACCESS_KEY_ID=AKIAOTHERCALLER00000")
	out, code = runCoffer(t, otherCreds, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "UnrecognizedClientException") {
		t.Errorf("server with other KMS credentials: exit %d:\n%s", code, out)
	}
	mustSameHashes(t, "after refused starts", before, dirHashes(t, s.DataDir))
	s.startRoot(t)
	mustReadSecrets(t, s, "rootkey/kms", 2)
}

// TestRootKey_KMSAnotherCoffer wraps one Coffer's root key by a key of
// another Coffer's KMS API.
func TestRootKey_KMSAnotherCoffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	outer := MustStart(t)
	kc := outer.KMS()
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("wraps another Coffer's root key")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(created.KeyMetadata.KeyId)
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/coffer-root"), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	env := append(awsEnvFree(),
		"AWS_ACCESS_KEY_ID="+outer.AccessKey, "AWS_SECRET_ACCESS_KEY="+outer.SecretKey,
		"AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1")
	s := mustInitRoot(t, holderSetup{holder: "kms", env: env, kmsEndpoint: outer.URL, kmsKeyID: "alias/coffer-root"})
	s.startRoot(t)
	mustPutSecrets(t, s, "rootkey/nested", 2)
	s.Stop(t)

	// Disabling the outer key stops the inner Coffer from starting; enabling
	// it again lets it start.
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	before := dirHashes(t, s.DataDir)
	out, code := runCoffer(t, s.ProcEnv, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "DisabledException") {
		t.Errorf("inner server with the outer key disabled: exit %d:\n%s", code, out)
	}
	mustSameHashes(t, "after a refused start", before, dirHashes(t, s.DataDir))
	if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	s.startRoot(t)
	mustReadSecrets(t, s, "rootkey/nested", 2)
}

func TestRootKey_Rotate(t *testing.T) {
	t.Parallel()
	for _, holder := range []string{"file", "passphrase", "kms"} {
		t.Run(holder, func(t *testing.T) {
			t.Parallel()
			hs := holderSetup{holder: holder}
			if holder == "kms" {
				hs.kms = newFakeKMS(t)
			}
			s := mustInitRoot(t, hs)
			// A second access key, made offline, whose sealed secret the
			// rotation must rewrap too.
			out, code := runCoffer(t, s.ProcEnv, s.rootArgs("admin", "create-access-key")...)
			if code != 0 {
				t.Fatalf("admin create-access-key: exit %d:\n%s", code, out)
			}
			ak2, sk2 := field(t, []byte(out), `Access key id:\s+(\S+)`), field(t, []byte(out), `Secret access key:\s+(\S+)`)
			s.startRoot(t)
			mustPutSecrets(t, s, "rootkey/rotate", 3)
			mustPutSecrets(t, s, "rootkey/west", 1, "us-west-2") // a second default KMS key
			cmk := mustCustomerKeyData(t, s)                     // a customer key with two material versions, when the KMS API is there
			s.Stop(t)

			oldState := mustRead(t, filepath.Join(s.DataDir, "root-key.json"))
			var oldKey string
			if holder == "file" {
				oldKey = filepath.Join(t.TempDir(), "old.key")
				if err := os.WriteFile(oldKey, mustRead(t, s.KeyFile), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, code = runCoffer(t, s.ProcEnv, s.rootArgs("admin", "rotate-root-key")...)
			wantKeys := 2
			if cmk != nil {
				wantKeys++
			}
			if want := fmt.Sprintf("rewrapped %d KMS keys and 2 access keys", wantKeys); code != 0 || !strings.Contains(out, want) {
				t.Fatalf("rotate-root-key: exit %d, want %q:\n%s", code, want, out)
			}
			mustNoPending(t, s)
			if bytes.Equal(oldState, mustRead(t, filepath.Join(s.DataDir, "root-key.json"))) {
				t.Errorf("root-key.json is unchanged")
			}

			// The old root key no longer opens the data dir.
			if holder == "file" {
				if bytes.Equal(mustRead(t, oldKey), mustRead(t, s.KeyFile)) {
					t.Fatalf("the key file is unchanged")
				}
				dirs := []string{s.DataDir, filepath.Dir(s.KeyFile)}
				before := dirHashes(t, dirs...)
				out, code := runCoffer(t, s.ProcEnv, "server", "--data-dir", s.DataDir, "--key-file", oldKey, "--listen", "127.0.0.1:0")
				if code == 0 || !strings.Contains(out, "wrong root key") {
					t.Errorf("server with the old key file: exit %d:\n%s", code, out)
				}
				mustSameHashes(t, "after a start with the old key", before, dirHashes(t, dirs...))
			} else {
				// The old wrapped key put back: the passphrase or the KMS
				// still unwraps it, but the data is no longer under it.
				newState := mustRead(t, filepath.Join(s.DataDir, "root-key.json"))
				mustWrite(t, filepath.Join(s.DataDir, "root-key.json"), oldState)
				out, code := runCoffer(t, s.ProcEnv, "server", "--data-dir", s.DataDir, "--listen", "127.0.0.1:0")
				if code == 0 || !strings.Contains(out, "wrong root key") {
					t.Errorf("server with the old wrapped root key: exit %d:\n%s", code, out)
				}
				mustWrite(t, filepath.Join(s.DataDir, "root-key.json"), newState)
			}

			s.startRoot(t)
			mustReadSecrets(t, s, "rootkey/rotate", 3)
			mustReadSecrets(t, s, "rootkey/west", 1, "us-west-2")
			cmk.check(t, s)
			s2 := *s
			s2.AccessKey, s2.SecretKey = ak2, sk2
			if _, err := s2.SDK().ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{}); err != nil {
				t.Errorf("the second access key after the rotation: %v", err)
			}
			mustPutSecrets(t, s, "rootkey/after", 1)
			s.Stop(t)
			s.startRoot(t)
			mustReadSecrets(t, s, "rootkey/after", 1)
		})
	}
}

// crashSteps are rotate-root-key's crash points (cmd/coffer/rotate.go), in
// order; those from committedFrom on come after the store's commit.
var crashSteps = []string{
	"rotate-start", "rotate-holder-written", "rotate-state-written", "rotate-rewrap",
	"rotate-before-commit", "rotate-committed", "rotate-holder-switched", "rotate-done",
}

const committedFrom = 5

func TestRootKey_RotateCrash(t *testing.T) {
	t.Parallel()
	for _, holder := range []string{"file", "passphrase"} {
		t.Run(holder, func(t *testing.T) {
			t.Parallel()
			base := mustInitRoot(t, holderSetup{holder: holder})
			base.startRoot(t)
			mustPutSecrets(t, base, "rootkey/crash", 3)
			base.Stop(t)

			// How long a whole rotation takes here: the random kills fall
			// within it.
			probe := copyRootSetup(t, base)
			start := time.Now()
			if out, code := runCoffer(t, probe.ProcEnv, probe.rootArgs("admin", "rotate-root-key")...); code != 0 {
				t.Fatalf("rotate-root-key: exit %d:\n%s", code, out)
			}
			full := time.Since(start)

			// Deterministic points, then kills by the test at random times.
			points := slices.Clone(crashSteps)
			for i := range 4 {
				points = append(points, fmt.Sprintf("random-%d", i))
			}
			for i, step := range points {
				t.Run(step, func(t *testing.T) {
					t.Parallel()
					s := copyRootSetup(t, base)
					oldKeyFile := filepath.Join(t.TempDir(), "old.key")
					if holder == "file" {
						mustWrite(t, oldKeyFile, mustRead(t, s.KeyFile))
					}
					oldState := mustRead(t, filepath.Join(s.DataDir, "root-key.json"))

					var killed bool
					if strings.HasPrefix(step, "random-") {
						killed = killRotateAtRandom(t, s, full)
					} else {
						env := append(slices.Clone(cmpEnv(s.ProcEnv)), "COFFER_TEST_CRASH_AT="+step)
						out, code := runCoffer(t, env, s.rootArgs("admin", "rotate-root-key")...)
						if code != -1 {
							t.Fatalf("rotate-root-key with COFFER_TEST_CRASH_AT=%s: exit %d, want a SIGKILL:\n%s", step, code, out)
						}
						killed = true
					}
					t.Logf("killed: %v", killed)

					// The data dir opens, with the key file or passphrase
					// the operator has, and every secret reads.
					s.startRoot(t)
					mustReadSecrets(t, s, "rootkey/crash", 3)
					s.Stop(t)
					mustNoPending(t, s)
					rotated := !bytes.Equal(oldState, mustRead(t, filepath.Join(s.DataDir, "root-key.json")))
					if !strings.HasPrefix(step, "random-") && rotated != (i >= committedFrom) {
						t.Errorf("after a crash at %s the data dir is under the %s key", step, map[bool]string{true: "new", false: "old"}[rotated])
					}
					// Exactly one key opens it: with a key file, the old one
					// opens it if and only if the rotation had not committed.
					if holder == "file" {
						out, code := runCoffer(t, nil, "admin", "list-accounts", "--data-dir", s.DataDir, "--key-file", oldKeyFile)
						if (code == 0) == rotated {
							t.Errorf("rotated %v, yet the old key file: exit %d:\n%s", rotated, code, out)
						}
					}
					// And a rotation runs to the end afterwards.
					if out, code := runCoffer(t, s.ProcEnv, s.rootArgs("admin", "rotate-root-key")...); code != 0 {
						t.Fatalf("rotate-root-key after the crash: exit %d:\n%s", code, out)
					}
					s.startRoot(t)
					mustReadSecrets(t, s, "rootkey/crash", 3)
				})
			}
		})
	}
}

// killRotateAtRandom runs rotate-root-key and kills it with SIGKILL after a
// random delay up to full, the duration of a whole run. It reports whether
// the kill came before the command exited.
func killRotateAtRandom(t *testing.T, s *Server, full time.Duration) bool {
	t.Helper()
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(full)+1))
	delay := time.Duration(n.Int64())
	cmd := exec.Command(cofferBin, s.rootArgs("admin", "rotate-root-key")...)
	cmd.Env = s.ProcEnv
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("rotate-root-key: %v\n%s", err, out.String())
		}
		t.Logf("rotation finished before the kill at %v", delay)
		return false
	case <-time.After(delay):
		cmd.Process.Kill()
		<-done
		t.Logf("killed after %v", delay)
		return true
	}
}

// holderSetup says how mustInitRoot makes a data dir's root key.
type holderSetup struct {
	holder      string   // file, passphrase or kms
	kms         *fakeKMS // for kms: the fake KMS to use, unless kmsEndpoint is set
	kmsEndpoint string   // for kms: another KMS endpoint
	kmsKeyID    string
	env         []string // for kms with kmsEndpoint: the credentials
}

// mustInitRoot runs coffer init with a root key held as hs says and returns
// a Server, not started, whose Env unlocks the key (the passphrase in
// $COFFER_PASSPHRASE, or the KMS's credentials).
func mustInitRoot(tb testing.TB, hs holderSetup) *Server {
	tb.Helper()
	root := tb.TempDir()
	s := &Server{
		Account:   "123456789012",
		DataDir:   filepath.Join(root, "data"),
		ClockFile: filepath.Join(root, "clock"),
	}
	args := []string{"init", "--data-dir", s.DataDir, "--account-id", s.Account, "--root-key", hs.holder}
	switch hs.holder {
	case "file":
		s.KeyFile = filepath.Join(root, "keys", "root.key")
		args = append(args, "--key-file", s.KeyFile)
	case "passphrase":
		s.ProcEnv = append(withoutEnv(os.Environ(), "COFFER_PASSPHRASE"), "COFFER_PASSPHRASE="+rootPassphrase)
	case "kms":
		if hs.kmsEndpoint == "" {
			s.ProcEnv = hs.kms.env()
			hs.kmsEndpoint, hs.kmsKeyID = hs.kms.srv.URL, hs.kms.keyID
		} else {
			s.ProcEnv = hs.env
		}
		args = append(args, "--root-kms-endpoint", hs.kmsEndpoint, "--root-kms-key-id", hs.kmsKeyID)
	}
	out, code := runCoffer(tb, s.ProcEnv, args...)
	if code != 0 {
		tb.Fatalf("coffer init --root-key %s: exit %d:\n%s", hs.holder, code, out)
	}
	s.AccessKey = field(tb, []byte(out), `Admin access key id:\s+(\S+)`)
	s.SecretKey = field(tb, []byte(out), `Admin secret key:\s+(\S+)`)
	return s
}

// rootArgs returns a command's arguments with the data dir and, for a key
// file, the key file.
func (s *Server) rootArgs(cmd ...string) []string {
	args := append(slices.Clone(cmd), "--data-dir", s.DataDir)
	if s.KeyFile != "" {
		args = append(args, "--key-file", s.KeyFile)
	}
	return args
}

// startRoot starts `coffer server` on s's data dir with s's root key
// flags and environment.
func (s *Server) startRoot(tb testing.TB, flags ...string) {
	tb.Helper()
	s.args = append(s.rootArgs("server"), append([]string{"--listen", "127.0.0.1:0", "--log-level", "debug", "--fake-clock-file", s.ClockFile}, flags...)...)
	s.start(tb)
	logs := s.logs
	tb.Cleanup(func() {
		s.Kill()
		if tb.Failed() {
			tb.Logf("coffer server logs:\n%s", lastLines(logs.String(), 40))
		}
	})
}

// copyRootSetup copies a stopped Server's data dir (and key file) to fresh
// directories.
func copyRootSetup(tb testing.TB, base *Server) *Server {
	tb.Helper()
	root := tb.TempDir()
	s := *base
	s.DataDir, s.ClockFile = filepath.Join(root, "data"), filepath.Join(root, "clock")
	if err := os.CopyFS(s.DataDir, os.DirFS(base.DataDir)); err != nil {
		tb.Fatal(err)
	}
	if base.KeyFile != "" {
		s.KeyFile = filepath.Join(root, "keys", "root.key")
		os.MkdirAll(filepath.Dir(s.KeyFile), 0o700)
		mustWrite(tb, s.KeyFile, mustRead(tb, base.KeyFile))
	}
	return &s
}

func mustPutSecrets(tb testing.TB, s *Server, prefix string, n int, region ...string) {
	tb.Helper()
	for i := range n {
		_, err := s.SDK(region...).CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(fmt.Sprintf("%s/%d", prefix, i)), SecretString: aws.String(fmt.Sprintf("value-%s-%d", prefix, i)),
		})
		if err != nil {
			tb.Fatalf("CreateSecret %s/%d: %v", prefix, i, err)
		}
	}
}

func mustReadSecrets(tb testing.TB, s *Server, prefix string, n int, region ...string) {
	tb.Helper()
	for i := range n {
		got, err := s.SDK(region...).GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(fmt.Sprintf("%s/%d", prefix, i))})
		if want := fmt.Sprintf("value-%s-%d", prefix, i); err != nil || aws.ToString(got.SecretString) != want {
			tb.Errorf("GetSecretValue %s/%d: %v, want %q", prefix, i, err, want)
		}
	}
}

// mustNoPending checks that no rotation left its new files behind.
func mustNoPending(tb testing.TB, s *Server) {
	tb.Helper()
	for _, p := range []string{filepath.Join(s.DataDir, "root-key.json.new"), s.KeyFile + ".new"} {
		if _, err := os.Stat(p); err == nil {
			tb.Errorf("%s is left behind", p)
		}
	}
}

// runCoffer runs the test build with env (the test's when nil) and returns
// its combined output and exit code (-1 when a signal ended it).
func runCoffer(tb testing.TB, env []string, args ...string) (string, int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cofferBin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		tb.Fatalf("coffer %s did not exit within 60s:\n%s", strings.Join(args, " "), out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return string(out), 0
}

// dirHashes returns the SHA-256 and mode of every file under dirs, and
// every directory, by path.
func dirHashes(tb testing.TB, dirs ...string) map[string]string {
	tb.Helper()
	out := make(map[string]string)
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if d.IsDir() {
				out[path] = "dir " + fi.Mode().String()
				return nil
			}
			sum := sha256.Sum256(mustRead(tb, path))
			out[path] = fi.Mode().String() + " " + hex.EncodeToString(sum[:])
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

func mustSameHashes(tb testing.TB, when string, before, after map[string]string) {
	tb.Helper()
	if maps.Equal(before, after) {
		return
	}
	var diffs []string
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if after[p] != before[p] {
			diffs = append(diffs, fmt.Sprintf("%s: %q → %q", p, before[p], after[p]))
		}
	}
	for _, p := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: new (%s)", p, after[p]))
		}
	}
	tb.Errorf("%s the data dir is not byte-identical:\n%s", when, strings.Join(diffs, "\n"))
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustWrite(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(mustRead(tb, path), v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

func withoutEnv(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}

func cmpEnv(env []string) []string {
	if env == nil {
		return os.Environ()
	}
	return env
}

// awsEnvFree returns the test's environment without AWS settings, so that
// only what a test adds reaches the AWS SDK in a coffer process.
func awsEnvFree() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "AWS_") })
	return append(env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
}

// fakeKMS answers TrentService.Encrypt and Decrypt (AWS JSON 1.1) for one
// key, on a loopback port. It stands in for AWS KMS as the root key's
// external wrapper; TestRootKey_KMSAnotherCoffer uses a real Coffer.
type fakeKMS struct {
	srv       *httptest.Server
	keyID     string // the alias callers name
	keyARN    string
	accessKey string
	aead      cipher.AEAD

	mu       sync.Mutex
	disabled bool
	calls    map[string]int
}

func newFakeKMS(tb testing.TB) *fakeKMS {
	tb.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	fk := &fakeKMS{
		keyID: "alias/coffer-root", keyARN: "arn:aws:kms:us-east-1:111122223333:key/0b2f7a3e-1111-4222-8333-944445555666",
		accessKey: "AKIAFAKEKMSCALLER000", aead: aead, calls: make(map[string]int),
	}
	fk.srv = httptest.NewServer(http.HandlerFunc(fk.serve))
	tb.Cleanup(fk.srv.Close)
	return fk
}

// env is the environment a coffer process needs to call the fake.
func (fk *fakeKMS) env() []string {
	return append(awsEnvFree(), "AWS_ACCESS_KEY_ID="+fk.accessKey, "AWS_SECRET_ACCESS_KEY=fake-kms-secret",
		"AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1")
}

func (fk *fakeKMS) setDisabled(v bool) {
	fk.mu.Lock()
	fk.disabled = v
	fk.mu.Unlock()
}

func (fk *fakeKMS) count(op string) int {
	fk.mu.Lock()
	defer fk.mu.Unlock()
	return fk.calls[op]
}

func (fk *fakeKMS) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(code, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if !ok || (op != "Encrypt" && op != "Decrypt") {
		fail("UnknownOperationException", "")
		return
	}
	if !strings.Contains(r.Header.Get("Authorization"), "Credential="+fk.accessKey+"/") {
		fail("UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	var in struct {
		KeyId             string
		Plaintext         []byte
		CiphertextBlob    []byte
		EncryptionContext map[string]string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail("SerializationException", err.Error())
		return
	}
	fk.mu.Lock()
	fk.calls[op]++
	disabled := fk.disabled
	fk.mu.Unlock()
	if in.KeyId != fk.keyID && in.KeyId != fk.keyARN {
		fail("NotFoundException", "Alias "+in.KeyId+" is not found.")
		return
	}
	if disabled {
		fail("DisabledException", fk.keyARN+" is disabled.")
		return
	}
	keys := slices.Sorted(maps.Keys(in.EncryptionContext))
	sort.Strings(keys)
	aad := []byte(fk.keyARN)
	for _, k := range keys {
		aad = fmt.Appendf(aad, "\x00%s=%s", k, in.EncryptionContext[k])
	}
	out := map[string]any{"KeyId": fk.keyARN, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
	if op == "Encrypt" {
		nonce := make([]byte, fk.aead.NonceSize())
		rand.Read(nonce)
		out["CiphertextBlob"] = fk.aead.Seal(nonce, nonce, in.Plaintext, aad)
	} else {
		n := fk.aead.NonceSize()
		if len(in.CiphertextBlob) < n {
			fail("InvalidCiphertextException", "")
			return
		}
		pt, err := fk.aead.Open(nil, in.CiphertextBlob[:n], in.CiphertextBlob[n:], aad)
		if err != nil {
			fail("InvalidCiphertextException", "")
			return
		}
		out["Plaintext"] = pt
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// TestRootKey_ReleaseBuildHasNoCrashHook checks that only test builds
// honour COFFER_TEST_CRASH_AT.
func TestRootKey_ReleaseBuildHasNoCrashHook(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "coffer")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/coffer-dev/coffer/cmd/coffer").CombinedOutput(); err != nil {
		t.Fatalf("go build (release, no tags): %v\n%s", err, out)
	}
	s := mustInitRoot(t, holderSetup{holder: "file"})
	cmd := exec.Command(bin, s.rootArgs("admin", "rotate-root-key")...)
	cmd.Env = append(os.Environ(), "COFFER_TEST_CRASH_AT=rotate-committed")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Rotated the root key") {
		t.Errorf("release rotate-root-key with COFFER_TEST_CRASH_AT set: %v\n%s", err, out)
	}
}

// customerKeyData is what mustCustomerKeyData made under a customer key.
type customerKeyData struct {
	keyID        string
	blobs        [][]byte // KMS ciphertexts, one per material version
	secretName   string
	secretString string
}

// mustCustomerKeyData creates a customer key through the KMS API, rotates
// it on demand, encrypts under each material version and stores a secret
// under it. It returns nil when the server does not serve the KMS API.
func mustCustomerKeyData(tb testing.TB, s *Server) *customerKeyData {
	tb.Helper()
	ctx := context.Background()
	kc := s.KMS()
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("customer key across a root key rotation")})
	if err != nil {
		tb.Logf("no customer key (the KMS API is not served): %v", err)
		return nil
	}
	d := &customerKeyData{keyID: aws.ToString(created.KeyMetadata.KeyId), secretName: "rootkey/cmk", secretString: "under-a-customer-key"}
	encrypt := func() {
		out, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(d.keyID), Plaintext: []byte(fmt.Sprintf("data-%d", len(d.blobs)))})
		if err != nil {
			tb.Fatalf("KMS Encrypt: %v", err)
		}
		d.blobs = append(d.blobs, out.CiphertextBlob)
	}
	encrypt()
	if _, err := kc.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(d.keyID)}); err != nil {
		tb.Fatalf("KMS RotateKeyOnDemand: %v", err)
	}
	encrypt()
	if _, err := s.SDK().CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(d.secretName), KmsKeyId: aws.String(d.keyID), SecretString: aws.String(d.secretString),
	}); err != nil {
		tb.Fatalf("CreateSecret under the customer key: %v", err)
	}
	return d
}

// check reads back everything made under the customer key.
func (d *customerKeyData) check(tb testing.TB, s *Server) {
	tb.Helper()
	if d == nil {
		return
	}
	ctx := context.Background()
	for i, blob := range d.blobs {
		out, err := s.KMS().Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if want := fmt.Sprintf("data-%d", i); err != nil || string(out.Plaintext) != want {
			tb.Errorf("KMS Decrypt of material version %d's ciphertext: %v, want %q", i, err, want)
		}
	}
	got, err := s.SDK().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(d.secretName)})
	if err != nil || aws.ToString(got.SecretString) != d.secretString {
		tb.Errorf("GetSecretValue under the customer key: %v", err)
	}
}

// TestRootKey_RotateThroughSymlink: a --key-file that is a symlink keeps
// being one after rotate-root-key, pointing at the new key.
func TestRootKey_RotateThroughSymlink(t *testing.T) {
	t.Parallel()
	s, _ := MustInitDataDir(t, "123456789012")
	link := filepath.Join(t.TempDir(), "root.key")
	must(t, os.Symlink(s.KeyFile, link))
	oldKey := mustRead(t, s.KeyFile)
	if out, code := runCoffer(t, nil, "admin", "rotate-root-key", "--data-dir", s.DataDir, "--key-file", link); code != 0 {
		t.Fatalf("rotate-root-key through a symlink: exit %d:\n%s", code, out)
	}
	fi, err := os.Lstat(link)
	must(t, err)
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if bytes.Equal(mustRead(t, s.KeyFile), oldKey) {
		t.Fatal("the link's target still holds the old key")
	}
	if out, code := runCoffer(t, nil, "admin", "list-accounts", "--data-dir", s.DataDir, "--key-file", link); code != 0 {
		t.Fatalf("the data dir does not open through the link after rotation: exit %d:\n%s", code, out)
	}
}
