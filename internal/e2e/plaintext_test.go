package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TestPlaintext_DataDir stores known values through every operation that
// stores or re-encrypts a value, then scans every file of the data dir
// (database, -wal, -shm and anything else) for each value in raw, base64 and
// hex form: while the server runs, after a crash, and after a clean stop.
// Nothing on disk may be plaintext (ARCHITECTURE.md, "Key hierarchy").
func TestPlaintext_DataDir(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := context.Background()
	sm := s.SDK()

	var secretVals []leakValue // what the server must never write in the clear
	str := func(label string) string {
		v := label + "-" + randomMarker()
		secretVals = append(secretVals, leakValue{label, []byte(v)})
		return v
	}
	bin := func(label string) []byte {
		v := make([]byte, 48)
		rand.Read(v)
		secretVals = append(secretVals, leakValue{label, v})
		return v
	}
	jsonPassword := str("json-password")
	jsonValue := fmt.Sprintf(`{"username":"admin","password":%q,"host":"db.internal"}`, jsonPassword)
	secretVals = append(secretVals, leakValue{"json-whole", []byte(jsonValue)})

	mustOK := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	type stored struct {
		id, version string
		str         string
		bin         []byte
	}
	var readBack []stored

	// CreateSecret: a string, a JSON key/value string, a binary value.
	createdStr := str("create-string")
	c1, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("plain/string"), SecretString: aws.String(createdStr)})
	mustOK("CreateSecret string", err)
	readBack = append(readBack, stored{id: "plain/string", version: aws.ToString(c1.VersionId), str: createdStr})
	c2, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("plain/json"), SecretString: aws.String(jsonValue),
		Description: aws.String("json credentials")})
	mustOK("CreateSecret json", err)
	readBack = append(readBack, stored{id: "plain/json", version: aws.ToString(c2.VersionId), str: jsonValue})
	createdBin := bin("create-binary")
	c3, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("plain/binary"), SecretBinary: createdBin})
	mustOK("CreateSecret binary", err)
	readBack = append(readBack, stored{id: "plain/binary", version: aws.ToString(c3.VersionId), bin: createdBin})

	// PutSecretValue: a string, a binary value, a custom label, and an
	// idempotent retry (same token, same value: the server opens the stored
	// value to compare).
	putStr := str("put-string")
	tok := "plaintext-put-token-0000000000000000001"
	p1, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("plain/string"), SecretString: aws.String(putStr), ClientRequestToken: aws.String(tok)})
	mustOK("PutSecretValue string", err)
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("plain/string"), SecretString: aws.String(putStr), ClientRequestToken: aws.String(tok)})
	mustOK("PutSecretValue retry", err)
	readBack = append(readBack, stored{id: "plain/string", version: aws.ToString(p1.VersionId), str: putStr})
	putBin := bin("put-binary")
	p2, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("plain/binary"), SecretBinary: putBin})
	mustOK("PutSecretValue binary", err)
	readBack = append(readBack, stored{id: "plain/binary", version: aws.ToString(p2.VersionId), bin: putBin})
	putStaged := str("put-staged")
	p3, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("plain/json"), SecretString: aws.String(putStaged), VersionStages: []string{"blue"}})
	mustOK("PutSecretValue staged", err)
	readBack = append(readBack, stored{id: "plain/json", version: aws.ToString(p3.VersionId), str: putStaged})

	// UpdateSecret with a value, and UpdateSecret re-encrypting the labelled
	// versions under the default key named two ways.
	updStr := str("update-string")
	u1, err := sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("plain/string"), SecretString: aws.String(updStr)})
	mustOK("UpdateSecret value", err)
	readBack = append(readBack, stored{id: "plain/string", version: aws.ToString(u1.VersionId), str: updStr})
	updBin := bin("update-binary")
	u2, err := sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("plain/binary"), SecretBinary: updBin, Description: aws.String("bytes")})
	mustOK("UpdateSecret binary", err)
	readBack = append(readBack, stored{id: "plain/binary", version: aws.ToString(u2.VersionId), bin: updBin})
	_, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("plain/json"), KmsKeyId: aws.String("alias/aws/secretsmanager")})
	mustOK("UpdateSecret re-encrypt (alias)", err)
	_, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("plain/string"),
		KmsKeyId: aws.String("arn:aws:kms:us-east-1:" + s.Account + ":alias/aws/secretsmanager")})
	mustOK("UpdateSecret re-encrypt (alias ARN)", err)

	// A generated password stored as a value; a label moved; a secret
	// deleted and restored; a secret force-deleted (its value must not
	// linger in freed pages either).
	pw, err := sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(40), ExcludePunctuation: aws.Bool(true)})
	mustOK("GetRandomPassword", err)
	secretVals = append(secretVals, leakValue{"random-password", []byte(aws.ToString(pw.RandomPassword))})
	c4, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("plain/generated"), SecretString: pw.RandomPassword})
	mustOK("CreateSecret generated", err)
	readBack = append(readBack, stored{id: "plain/generated", version: aws.ToString(c4.VersionId), str: aws.ToString(pw.RandomPassword)})
	_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("plain/json"), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: p3.VersionId, RemoveFromVersionId: c2.VersionId})
	mustOK("UpdateSecretVersionStage", err)
	_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("plain/generated"), RecoveryWindowInDays: aws.Int64(7)})
	mustOK("DeleteSecret", err)
	_, err = sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("plain/generated")})
	mustOK("RestoreSecret", err)
	goneStr := str("force-deleted")
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("plain/gone"), SecretString: aws.String(goneStr)})
	mustOK("CreateSecret gone", err)
	_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("plain/gone"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	mustOK("DeleteSecret force", err)

	checkReadBack := func(sm *secretsmanager.Client) {
		t.Helper()
		for _, r := range readBack {
			got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.id), VersionId: aws.String(r.version)})
			if err != nil {
				t.Fatalf("GetSecretValue %s %s: %v", r.id, r.version, err)
			}
			if aws.ToString(got.SecretString) != r.str || !bytes.Equal(got.SecretBinary, r.bin) {
				t.Errorf("GetSecretValue %s %s: got %q / %x, want %q / %x", r.id, r.version,
					aws.ToString(got.SecretString), got.SecretBinary, r.str, r.bin)
			}
		}
		batch, err := sm.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
			SecretIdList: []string{"plain/string", "plain/json", "plain/binary", "plain/generated"}})
		if err != nil {
			t.Fatalf("BatchGetSecretValue: %v", err)
		}
		want := map[string]string{"plain/string": updStr, "plain/json": putStaged, "plain/binary": string(updBin),
			"plain/generated": aws.ToString(pw.RandomPassword)}
		for _, v := range batch.SecretValues {
			got := aws.ToString(v.SecretString) + string(v.SecretBinary)
			if got != want[aws.ToString(v.Name)] {
				t.Errorf("BatchGetSecretValue %s: got %q, want %q", aws.ToString(v.Name), got, want[aws.ToString(v.Name)])
			}
			delete(want, aws.ToString(v.Name))
		}
		if len(want) > 0 || len(batch.Errors) > 0 {
			t.Errorf("BatchGetSecretValue: missing %v, errors %v", want, batch.Errors)
		}
	}
	checkReadBack(sm)

	// The credentials and the root key are secret too.
	secretVals = append(secretVals, leakValue{"admin-secret-access-key", []byte(s.SecretKey)})
	rootKey := rootKeyBytes(t, s.KeyFile)
	secretVals = append(secretVals, leakValue{"root-key", rootKey})

	ns := leakForms(secretVals)
	// The secret's name is stored as is; finding it proves the scan reads
	// the bytes the server writes (if names are ever encrypted, pick another
	// randomMarker).
	canaryName := []leakForm{{"secret-name", "raw", []byte("plain/generated")}}

	scan := func(when string, wantFiles ...string) {
		t.Helper()
		files := filesUnder(t, s.DataDir)
		for _, f := range wantFiles {
			if !slices.Contains(files, f) {
				t.Errorf("%s: no %s in the data dir (files: %v); the scan would not cover it", when, f, files)
			}
		}
		if hits := findLeaksInDir(t, s.DataDir, ns); len(hits) > 0 {
			t.Errorf("%s: plaintext found in the data dir:\n%s", when, strings.Join(hits, "\n"))
		}
		if hits := findLeaksInDir(t, s.DataDir, canaryName); len(hits) == 0 {
			t.Errorf("%s: the scan did not find the secret name %q in the data dir (files %v): it is not reading the data", when, "plain/generated", files)
		}
		t.Logf("%s: scanned %v", when, files)
	}

	// While the server runs, the WAL and the shared-memory index exist.
	scan("running", "coffer.db", "coffer.db-wal", "coffer.db-shm")

	// Self-check: the scanner finds a value planted in a copy of the data
	// dir, in every form, so the scan cannot pass vacuously.
	checkScannerFindsPlants(t, s.DataDir, ns, secretVals)

	// After a crash, the WAL is left as the process left it.
	s.Kill()
	scan("after SIGKILL", "coffer.db", "coffer.db-wal")

	// Recovered from the WAL: the values are all there, then a clean stop.
	s.Restart(t)
	checkReadBack(s.SDK())
	s.Stop(t)
	scan("after clean stop", "coffer.db")
}

// checkScannerFindsPlants plants each form of a value in a copy of the
// data dir, one at a time, and fails unless the scanner reports it.
func checkScannerFindsPlants(t *testing.T, dataDir string, ns []leakForm, vals []leakValue) {
	t.Helper()
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(dataDir)); err != nil {
		t.Fatalf("copy data dir: %v", err)
	}
	if hits := findLeaksInDir(t, tmp, ns); len(hits) > 0 {
		t.Fatalf("self-check: the copy already holds plaintext:\n%s", strings.Join(hits, "\n"))
	}
	for _, v := range vals[:2] { // a string and the JSON inside it
		for _, n := range leakForms([]leakValue{v}) {
			junk := make([]byte, 100)
			rand.Read(junk)
			planted := filepath.Join(tmp, "planted")
			// Planted mid-file, between random bytes, and in a file the
			// server does not know.
			if err := os.WriteFile(planted, slices.Concat(junk, n.b, junk), 0o600); err != nil {
				t.Fatal(err)
			}
			hits := strings.Join(findLeaksInDir(t, tmp, ns), "\n")
			if !strings.Contains(hits, "planted: "+n.value+" ("+n.form+" form)") {
				t.Errorf("self-check: the scanner missed %s in %s form; it found:\n%s", n.value, n.form, hits)
			}
			os.Remove(planted)
		}
	}
	// And planted inside the database file itself.
	db := filepath.Join(tmp, "coffer.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, append(b, vals[0].b...), 0o600); err != nil {
		t.Fatal(err)
	}
	if hits := findLeaksInDir(t, tmp, ns); len(hits) == 0 {
		t.Errorf("self-check: the scanner missed a raw value appended to coffer.db")
	}
}

// leakValue is a value that must never be found in the clear.
type leakValue struct {
	label string
	b     []byte
}

// leakForm is one encoding of a secret value.
type leakForm struct {
	value string // the value's label
	form  string
	b     []byte
}

// leakForms returns each value in the forms a leak could take: raw, standard
// and URL base64 (padded or not, and with the last character, which
// depends on what follows the value when it is part of a longer encoding,
// dropped), lower- and upper-case hex, and for strings, JSON-escaped.
func leakForms(vals []leakValue) []leakForm {
	var out []leakForm
	for _, v := range vals {
		add := func(form string, b []byte) {
			for _, o := range out {
				if o.value == v.label && bytes.Equal(o.b, b) {
					return
				}
			}
			out = append(out, leakForm{v.label, form, b})
		}
		add("raw", v.b)
		for _, enc := range []struct {
			name string
			e    *base64.Encoding
		}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
			s := enc.e.EncodeToString(v.b)
			s = strings.TrimRight(s, "=")
			if len(v.b)%3 != 0 {
				s = s[:len(s)-1] // the last character also holds bits of what follows
			}
			add(enc.name, []byte(s))
		}
		h := hex.EncodeToString(v.b)
		add("hex", []byte(h))
		add("HEX", []byte(strings.ToUpper(h)))
		if q, err := json.Marshal(string(v.b)); err == nil && !bytes.Equal(q[1:len(q)-1], v.b) {
			add("json-escaped", q[1:len(q)-1])
		}
	}
	return out
}

// filesUnder lists the regular files under dir, relative to it.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

// findLeaksInDir reads every file under dir and returns a line for each
// form found.
func findLeaksInDir(t *testing.T, dir string, ns []leakForm) []string {
	t.Helper()
	var hits []string
	for _, f := range filesUnder(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		for _, h := range findLeaks(b, ns) {
			hits = append(hits, f+": "+h)
		}
	}
	return hits
}

// findLeaks returns a line for each form found in b.
func findLeaks(b []byte, ns []leakForm) []string {
	var hits []string
	for _, n := range ns {
		if i := bytes.Index(b, n.b); i >= 0 {
			hits = append(hits, fmt.Sprintf("%s (%s form) at offset %d", n.value, n.form, i))
		}
	}
	return hits
}

// randomMarker returns 32 random alphanumeric characters: a string no file
// or log holds by chance.
func randomMarker() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// rootKeyBytes returns the 32 bytes of a coffer-root-key-v1 key file.
func rootKeyBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		t.Fatalf("key file %s: unexpected format", path)
	}
	k, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(k) != 32 {
		t.Fatalf("key file %s: unexpected format", path)
	}
	return k
}
