package kms_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// AWS's messages, written out here rather than taken from the package, so
// that a change to one shows up as a failing test. Sources are in
// messages.go.
func msgKeyNotExist(arn string) string   { return "Key '" + arn + "' does not exist" }
func msgInvalidKeyID(id string) string   { return "Invalid keyId '" + id + "'" }
func msgAliasNotFound(arn string) string { return "Alias " + arn + " is not found." }
func msgAliasExists(arn string) string   { return "An alias with the name " + arn + " already exists" }
func msgDisabled(arn string) string      { return arn + " is disabled." }
func msgPending(arn string) string       { return arn + " is pending deletion." }

const (
	msgIncorrectKey = "The key ID in the request does not identify a CMK that can perform this operation."
	msgAliasPrefix  = `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`
)

var (
	t0    = time.Date(2024, 5, 10, 15, 30, 0, 0, time.UTC)
	alice = secrets.Caller{Account: "111122223333", Region: "us-east-1", Principal: "arn:aws:iam::111122223333:root"}
	bob   = secrets.Caller{Account: "444455556666", Region: "us-east-1", Principal: "arn:aws:iam::444455556666:root"}
	ctx   = context.Background()
)

// MustService returns a Service on a SQLite store in tb.TempDir, a keyring
// under a random root key and a fake clock set to t0.
func MustService(tb testing.TB) (*kms.Service, *clock.Fake) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	material := make([]byte, 32)
	rand.Read(material)
	root, err := keyring.NewRootKey(material)
	if err != nil {
		tb.Fatal(err)
	}
	clk := clock.NewFake(t0)
	return &kms.Service{Store: st, Keyring: keyring.New(root, clk, nil), Clock: clk}, clk
}

// MustCreateKey creates a customer key for c.
func MustCreateKey(tb testing.TB, s *kms.Service, c secrets.Caller) *secrets.KMSKey {
	tb.Helper()
	k, err := s.CreateKey(ctx, c, kms.CreateKeyInput{Description: "test key"})
	if err != nil {
		tb.Fatalf("CreateKey: %v", err)
	}
	return k
}

// wantErr checks an error's kind and exact message.
func wantErr(tb testing.TB, err error, kind secrets.Kind, msg string) {
	tb.Helper()
	var e *secrets.Error
	if !errors.As(err, &e) {
		tb.Fatalf("err = %v, want a %v *secrets.Error", err, kind)
	}
	if e.Kind != kind || e.Msg != msg {
		tb.Fatalf("err = %v %q, want %v %q", e.Kind, e.Msg, kind, msg)
	}
}

func TestCreateAndDescribe(t *testing.T) {
	t.Parallel()
	s, _ := MustService(t)
	k := MustCreateKey(t, s, alice)
	if k.State != kms.StateEnabled || k.Manager != "CUSTOMER" || k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" || k.Origin != "AWS_KMS" {
		t.Fatalf("created key %+v", k)
	}
	if want := "arn:aws:kms:us-east-1:111122223333:key/" + k.ID; k.ARN != want {
		t.Fatalf("ARN = %s, want %s", k.ARN, want)
	}
	if !strings.Contains(k.Policy, `"AWS" : "arn:aws:iam::111122223333:root"`) || !strings.Contains(k.Policy, `"Action" : "kms:*"`) {
		t.Fatalf("default policy %s", k.Policy)
	}
	if err := s.CreateAlias(ctx, alice, "alias/taskhub_kms", k.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{k.ID, k.ARN, "alias/taskhub_kms", "arn:aws:kms:us-east-1:111122223333:alias/taskhub_kms"} {
		got, err := s.DescribeKey(ctx, alice, id)
		if err != nil || got.ARN != k.ARN {
			t.Fatalf("DescribeKey(%s) = %v, %v", id, got, err)
		}
	}
	missing := "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"
	for _, c := range []struct {
		name string
		id   string
		msg  string
	}{
		{"not a uuid", "fake-key-id", msgInvalidKeyID("fake-key-id")},
		{"missing id", "00000000-0000-4000-8000-000000000000", msgKeyNotExist(missing)},
		{"missing arn", missing, msgKeyNotExist(missing)},
		{"other region", "arn:aws:kms:ap-southeast-1:111122223333:key/" + k.ID, "Invalid arn ap-southeast-1"},
		{"missing alias", "alias/nope", msgAliasNotFound("arn:aws:kms:us-east-1:111122223333:alias/nope")},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.DescribeKey(ctx, alice, c.id)
			wantErr(t, err, secrets.NotFound, c.msg)
		})
	}
	// Another account does not see the key.
	_, err := s.DescribeKey(ctx, bob, k.ID)
	wantErr(t, err, secrets.NotFound, msgKeyNotExist("arn:aws:kms:us-east-1:444455556666:key/"+k.ID))
	// EnableKey takes no alias.
	err = s.EnableKey(ctx, alice, "alias/taskhub_kms")
	wantErr(t, err, secrets.NotFound, msgInvalidKeyID("alias/taskhub_kms"))

	if _, err := s.CreateKey(ctx, alice, kms.CreateKeyInput{KeySpec: "RSA_2048"}); secrets.KindOf(err) != secrets.Unsupported {
		t.Fatalf("RSA key: %v", err)
	}
	if _, err := s.CreateKey(ctx, alice, kms.CreateKeyInput{Policy: "{not json"}); secrets.KindOf(err) != secrets.MalformedPolicy {
		t.Fatalf("bad policy: %v", err)
	}
	if err := s.UpdateKeyDescription(ctx, alice, k.ARN, "new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DescribeKey(ctx, alice, k.ID); got.Description != "new" {
		t.Fatalf("description %q", got.Description)
	}
}

func TestEncryptDecrypt(t *testing.T) {
	t.Parallel()
	s, _ := MustService(t)
	k := MustCreateKey(t, s, alice)
	other := MustCreateKey(t, s, alice)
	encCtx := map[string]string{"purpose": "test", "app": "taskhub"}
	out, err := s.Encrypt(ctx, alice, k.ID, []byte("hello"), encCtx, "")
	if err != nil || out.KeyARN != k.ARN {
		t.Fatalf("Encrypt = %v, %v", out, err)
	}
	dec, err := s.Decrypt(ctx, alice, out.CiphertextBlob, map[string]string{"app": "taskhub", "purpose": "test"}, "", "")
	if err != nil || string(dec.Plaintext) != "hello" || dec.KeyARN != k.ARN {
		t.Fatalf("Decrypt = %v, %v", dec, err)
	}
	if _, err := s.Decrypt(ctx, alice, out.CiphertextBlob, encCtx, k.ARN, "SYMMETRIC_DEFAULT"); err != nil {
		t.Fatalf("Decrypt with KeyId: %v", err)
	}
	damaged := bytes.Clone(out.CiphertextBlob)
	damaged[len(damaged)-1] ^= 1
	for _, c := range []struct {
		name   string
		blob   []byte
		encCtx map[string]string
		keyID  string
		kind   secrets.Kind
		msg    string
	}{
		{"no context", out.CiphertextBlob, nil, "", secrets.DecryptionFailed, ""},
		{"wrong context", out.CiphertextBlob, map[string]string{"purpose": "other", "app": "taskhub"}, "", secrets.DecryptionFailed, ""},
		{"damaged", damaged, encCtx, "", secrets.DecryptionFailed, ""},
		{"garbage", []byte("garbage"), encCtx, "", secrets.DecryptionFailed, ""},
		{"other key", out.CiphertextBlob, encCtx, other.ID, secrets.IncorrectKey, msgIncorrectKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Decrypt(ctx, alice, c.blob, c.encCtx, c.keyID, "")
			wantErr(t, err, c.kind, c.msg)
		})
	}
	// Another account reaches the key only for what can be granted across
	// accounts, and only as the key policy allows (the Authorizer's to
	// decide; there is none here). Managing the key is not among those.
	if _, err = s.Decrypt(ctx, bob, out.CiphertextBlob, encCtx, "", ""); err != nil {
		t.Errorf("Decrypt from another account without an Authorizer: %v", err)
	}
	err = s.DisableKey(ctx, bob, k.ARN)
	wantErr(t, err, secrets.NotFound, msgKeyNotExist(k.ARN))

	// ReEncrypt moves the plaintext under the other key and a new context.
	re, err := s.ReEncrypt(ctx, alice, kms.ReEncryptInput{CiphertextBlob: out.CiphertextBlob, SourceEncryptionContext: encCtx, DestinationKeyID: other.ARN})
	if err != nil || re.SourceKeyARN != k.ARN || re.KeyARN != other.ARN {
		t.Fatalf("ReEncrypt = %+v, %v", re, err)
	}
	dec, err = s.Decrypt(ctx, alice, re.CiphertextBlob, nil, "", "")
	if err != nil || string(dec.Plaintext) != "hello" || dec.KeyARN != other.ARN {
		t.Fatalf("Decrypt re-encrypted = %v, %v", dec, err)
	}

	// Data keys.
	dk, err := s.GenerateDataKey(ctx, alice, kms.DataKeyInput{KeyID: k.ID, KeySpec: "AES_256", Context: encCtx})
	if err != nil || len(dk.Plaintext) != 32 {
		t.Fatalf("GenerateDataKey = %v, %v", dk, err)
	}
	dec, err = s.Decrypt(ctx, alice, dk.CiphertextBlob, encCtx, "", "")
	if err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt data key = %v, %v", dec, err)
	}
	dk, err = s.GenerateDataKeyWithoutPlaintext(ctx, alice, kms.DataKeyInput{KeyID: k.ID, NumberOfBytes: 16})
	if err != nil || dk.Plaintext != nil {
		t.Fatalf("GenerateDataKeyWithoutPlaintext = %v, %v", dk, err)
	}
	if dec, err = s.Decrypt(ctx, alice, dk.CiphertextBlob, nil, "", ""); err != nil || len(dec.Plaintext) != 16 {
		t.Fatalf("Decrypt 16-byte data key = %v, %v", dec, err)
	}
	_, err = s.GenerateDataKey(ctx, alice, kms.DataKeyInput{KeyID: k.ID})
	wantErr(t, err, secrets.Validation, "Please specify either number of bytes or key spec.")
	_, err = s.GenerateRandom(ctx, alice, 0, "")
	wantErr(t, err, secrets.Validation, "NumberOfBytes is required.")
	if b, err := s.GenerateRandom(ctx, alice, 1024, ""); err != nil || len(b) != 1024 {
		t.Fatalf("GenerateRandom = %d bytes, %v", len(b), err)
	}
	_, err = s.Encrypt(ctx, alice, k.ID, []byte("x"), nil, "RSAES_OAEP_SHA_1")
	wantErr(t, err, secrets.InvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.")
}

func TestKeyStates(t *testing.T) {
	t.Parallel()
	s, clk := MustService(t)
	k := MustCreateKey(t, s, alice)
	if err := s.CreateAlias(ctx, alice, "alias/doomed", k.ARN); err != nil {
		t.Fatal(err)
	}
	blob, err := s.Encrypt(ctx, alice, "alias/doomed", []byte("v"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DisableKey(ctx, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Encrypt(ctx, alice, k.ID, []byte("v"), nil, "")
	wantErr(t, err, secrets.Disabled, msgDisabled(k.ARN))
	_, err = s.Decrypt(ctx, alice, blob.CiphertextBlob, nil, "", "")
	wantErr(t, err, secrets.Disabled, msgDisabled(k.ARN))
	_, err = s.GenerateDataKey(ctx, alice, kms.DataKeyInput{KeyID: k.ID, KeySpec: "AES_128"})
	wantErr(t, err, secrets.Disabled, msgDisabled(k.ARN))
	if err := s.EnableKey(ctx, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decrypt(ctx, alice, blob.CiphertextBlob, nil, "", ""); err != nil {
		t.Fatalf("Decrypt after EnableKey: %v", err)
	}

	_, _, err = s.ScheduleKeyDeletion(ctx, alice, k.ID, 6)
	wantErr(t, err, secrets.Validation, "PendingWindowInDays should be between 7 and 30, but it is 6")
	got, days, err := s.ScheduleKeyDeletion(ctx, alice, k.ID, 0)
	if err != nil || days != 30 || got.State != kms.StatePendingDeletion || !got.DeletionAt.Equal(t0.Add(30*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion = %+v, %d, %v", got, days, err)
	}
	_, err = s.Decrypt(ctx, alice, blob.CiphertextBlob, nil, "", "")
	wantErr(t, err, secrets.InvalidRequest, msgPending(k.ARN))
	_, _, err = s.ScheduleKeyDeletion(ctx, alice, k.ID, 7)
	wantErr(t, err, secrets.InvalidRequest, msgPending(k.ARN))
	err = s.EnableKey(ctx, alice, k.ID)
	wantErr(t, err, secrets.InvalidRequest, msgPending(k.ARN))
	if got, err = s.CancelKeyDeletion(ctx, alice, k.ID); err != nil || got.State != kms.StateDisabled || !got.DeletionAt.IsZero() {
		t.Fatalf("CancelKeyDeletion = %+v, %v", got, err)
	}
	_, err = s.CancelKeyDeletion(ctx, alice, k.ID)
	wantErr(t, err, secrets.InvalidRequest, k.ARN+" is not pending deletion.")

	// Schedule again and let the clock pass the window.
	if _, _, err := s.ScheduleKeyDeletion(ctx, alice, k.ID, 7); err != nil {
		t.Fatal(err)
	}
	clk.Advance(7*24*time.Hour - time.Second)
	if _, err := s.DescribeKey(ctx, alice, k.ID); err != nil {
		t.Fatalf("DescribeKey a second before deletion: %v", err)
	}
	if rotated, deleted, err := s.RunDue(ctx); err != nil || rotated != 0 || deleted != 0 {
		t.Fatalf("RunDue before = %d, %d, %v", rotated, deleted, err)
	}
	clk.Advance(time.Second)
	// Gone at once, before the job runs.
	_, err = s.DescribeKey(ctx, alice, k.ID)
	wantErr(t, err, secrets.NotFound, msgKeyNotExist(k.ARN))
	if _, deleted, err := s.RunDue(ctx); err != nil || deleted != 1 {
		t.Fatalf("RunDue = %d deleted, %v", deleted, err)
	}
	_, err = s.DescribeKey(ctx, alice, "alias/doomed")
	wantErr(t, err, secrets.NotFound, msgAliasNotFound("arn:aws:kms:us-east-1:111122223333:alias/doomed"))
	_, err = s.Decrypt(ctx, alice, blob.CiphertextBlob, nil, "", "")
	wantErr(t, err, secrets.NotFound, msgKeyNotExist(k.ARN))
	keys, _, err := s.ListKeys(ctx, alice, kms.ListInput{})
	if err != nil || len(keys) != 0 {
		t.Fatalf("ListKeys = %v, %v", keys, err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	s, clk := MustService(t)
	k := MustCreateKey(t, s, alice)
	before, err := s.Encrypt(ctx, alice, k.ID, []byte("before"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RotateKeyOnDemand(ctx, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	after, err := s.Encrypt(ctx, alice, k.ID, []byte("after"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.GetKeyRotationStatus(ctx, alice, k.ARN)
	if err != nil || st.Enabled {
		t.Fatalf("GetKeyRotationStatus = %+v, %v", st, err)
	}
	if err := s.EnableKeyRotation(ctx, alice, k.ID, 90); err != nil {
		t.Fatal(err)
	}
	st, _ = s.GetKeyRotationStatus(ctx, alice, k.ID)
	if !st.Enabled || st.PeriodDays != 90 || !st.NextRotation.Equal(t0.Add(90*24*time.Hour)) {
		t.Fatalf("status after enable = %+v", st)
	}
	clk.Advance(90 * 24 * time.Hour)
	if rotated, _, err := s.RunDue(ctx); err != nil || rotated != 1 {
		t.Fatalf("RunDue = %d rotated, %v", rotated, err)
	}
	if rotated, _, _ := s.RunDue(ctx); rotated != 0 {
		t.Fatalf("RunDue rotated again")
	}
	st, _ = s.GetKeyRotationStatus(ctx, alice, k.ID)
	if !st.NextRotation.Equal(t0.Add(180 * 24 * time.Hour)) {
		t.Fatalf("next rotation %v", st.NextRotation)
	}
	rs, keyARN, _, err := s.ListKeyRotations(ctx, alice, k.ID, false, kms.ListInput{})
	if err != nil || keyARN != k.ARN || len(rs) != 2 || !rs[0].Rotation.OnDemand || rs[1].Rotation.OnDemand ||
		!rs[1].Rotation.At.Equal(t0.Add(90*24*time.Hour)) || rs[0].Current || !rs[1].Current {
		t.Fatalf("ListKeyRotations = %+v, %v", rs, err)
	}
	if rs[0].ID != kms.MaterialID(k.ARN, 1) || rs[1].ID != kms.MaterialID(k.ARN, 2) || len(rs[1].ID) != 64 {
		t.Fatalf("KeyMaterialIds %s %s", rs[0].ID, rs[1].ID)
	}
	// ALL_KEY_MATERIAL adds the first material, which no rotation made.
	all, _, _, err := s.ListKeyRotations(ctx, alice, k.ID, true, kms.ListInput{})
	if err != nil || len(all) != 3 || all[0].Rotation != nil || all[0].ID != kms.MaterialID(k.ARN, 0) {
		t.Fatalf("ListKeyRotations(all) = %+v, %v", all, err)
	}
	// Decrypt names the material that decrypted: the one current then.
	if dec, err := s.Decrypt(ctx, alice, before.CiphertextBlob, nil, "", ""); err != nil || dec.MaterialID != kms.MaterialID(k.ARN, 0) {
		t.Fatalf("Decrypt of an old blob: material %v, %v", dec, err)
	}
	page, _, p, err := s.ListKeyRotations(ctx, alice, k.ID, false, kms.ListInput{Limit: 1})
	if err != nil || len(page) != 1 || !p.Truncated {
		t.Fatalf("page 1 = %v %+v %v", page, p, err)
	}
	page, _, p, err = s.ListKeyRotations(ctx, alice, k.ID, false, kms.ListInput{Limit: 1, Marker: p.NextMarker})
	if err != nil || len(page) != 1 || p.Truncated || page[0].Rotation.OnDemand {
		t.Fatalf("page 2 = %v %+v %v", page, p, err)
	}
	latest, _ := s.Encrypt(ctx, alice, k.ID, []byte("latest"), nil, "")
	for want, blob := range map[string][]byte{"before": before.CiphertextBlob, "after": after.CiphertextBlob, "latest": latest.CiphertextBlob} {
		dec, err := s.Decrypt(ctx, alice, blob, nil, "", "")
		if err != nil || string(dec.Plaintext) != want {
			t.Fatalf("Decrypt %s = %v, %v", want, dec, err)
		}
	}
	// A disabled key does not rotate.
	s.DisableKey(ctx, alice, k.ID)
	clk.Advance(90 * 24 * time.Hour)
	if rotated, _, _ := s.RunDue(ctx); rotated != 0 {
		t.Fatalf("a disabled key rotated")
	}
	err = s.EnableKeyRotation(ctx, alice, k.ID, 365)
	wantErr(t, err, secrets.Disabled, msgDisabled(k.ARN))
	if err := s.EnableKey(ctx, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableKeyRotation(ctx, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.GetKeyRotationStatus(ctx, alice, k.ID); st.Enabled {
		t.Fatalf("still enabled")
	}
}

func TestAliases(t *testing.T) {
	t.Parallel()
	s, _ := MustService(t)
	k1 := MustCreateKey(t, s, alice)
	k2 := MustCreateKey(t, s, alice)
	aliasARN := func(name string) string { return "arn:aws:kms:us-east-1:111122223333:" + name }

	// The AWS-managed alias is listed before its key exists.
	as, _, err := s.ListAliases(ctx, alice, "", kms.ListInput{})
	if err != nil || len(as) != 1 || as[0].Name != "alias/aws/secretsmanager" || as[0].TargetKeyID != "" {
		t.Fatalf("ListAliases = %+v, %v", as, err)
	}
	for _, c := range []struct {
		name, alias, target string
		kind                secrets.Kind
		msg                 string
	}{
		{"no prefix", "taskhub", k1.ID, secrets.Validation, msgAliasPrefix},
		{"reserved", "alias/aws/mine", k1.ID, secrets.NotAuthorized, ""},
		{"alias target", "alias/x", "alias/y", secrets.Validation, "Aliases must refer to keys. Not aliases"},
		{"missing target", "alias/x", "00000000-0000-4000-8000-000000000000", secrets.NotFound, msgKeyNotExist("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000")},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, s.CreateAlias(ctx, alice, c.alias, c.target), c.kind, c.msg)
		})
	}
	if err := s.CreateAlias(ctx, alice, "alias/one", k1.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.CreateAlias(ctx, alice, "alias/one", k2.ID), secrets.Exists, msgAliasExists(aliasARN("alias/one")))
	if err := s.CreateAlias(ctx, alice, "alias/two", k2.ARN); err != nil {
		t.Fatal(err)
	}
	// The managed key comes into being when referenced.
	managed, err := s.DescribeKey(ctx, alice, "alias/aws/secretsmanager")
	if err != nil || managed.Manager != "AWS" {
		t.Fatalf("DescribeKey(alias/aws/secretsmanager) = %+v, %v", managed, err)
	}
	as, _, _ = s.ListAliases(ctx, alice, "", kms.ListInput{})
	var names []string
	for _, a := range as {
		names = append(names, a.Name+"="+a.TargetKeyID)
	}
	if want := "alias/aws/secretsmanager=" + managed.ID + " alias/one=" + k1.ID + " alias/two=" + k2.ID; strings.Join(names, " ") != want {
		t.Fatalf("aliases %v, want %s", names, want)
	}
	as, _, _ = s.ListAliases(ctx, alice, k2.ARN, kms.ListInput{})
	if len(as) != 1 || as[0].Name != "alias/two" {
		t.Fatalf("ListAliases(k2) = %+v", as)
	}
	page, p, err := s.ListAliases(ctx, alice, "", kms.ListInput{Limit: 2})
	if err != nil || len(page) != 2 || !p.Truncated {
		t.Fatalf("page 1 %+v %+v %v", page, p, err)
	}
	page, p, _ = s.ListAliases(ctx, alice, "", kms.ListInput{Limit: 2, Marker: p.NextMarker})
	if len(page) != 1 || page[0].Name != "alias/two" || p.Truncated {
		t.Fatalf("page 2 %+v %+v", page, p)
	}
	_, _, err = s.ListAliases(ctx, alice, "", kms.ListInput{Marker: "!!"})
	wantErr(t, err, secrets.InvalidNextToken, "The marker is not valid.")

	if err := s.UpdateAlias(ctx, alice, "alias/one", k2.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DescribeKey(ctx, alice, "alias/one"); got.ARN != k2.ARN {
		t.Fatalf("alias/one -> %s", got.ARN)
	}
	wantErr(t, s.UpdateAlias(ctx, alice, "alias/aws/secretsmanager", k1.ID), secrets.NotAuthorized, "")
	wantErr(t, s.UpdateAlias(ctx, alice, "alias/one", managed.ID), secrets.Unsupported, managed.ARN+" is an AWS managed key.")
	if err := s.DeleteAlias(ctx, alice, "alias/one"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteAlias(ctx, alice, "alias/one"), secrets.NotFound, msgAliasNotFound(aliasARN("alias/one")))

	// The AWS-managed key refuses what its key policy does not allow.
	wantErr(t, s.DisableKey(ctx, alice, managed.ID), secrets.Denied,
		"User: arn:aws:iam::111122223333:root is not authorized to perform: kms:DisableKey on resource: "+managed.ARN+
			" because no resource-based policy allows the kms:DisableKey action")
	if _, _, err := s.ScheduleKeyDeletion(ctx, alice, managed.ID, 7); secrets.KindOf(err) != secrets.Denied {
		t.Fatalf("ScheduleKeyDeletion(managed) = %v", err)
	}
	if _, err := s.RotateKeyOnDemand(ctx, alice, managed.ID); secrets.KindOf(err) != secrets.Unsupported {
		t.Fatalf("RotateKeyOnDemand(managed) = %v", err)
	}
	if st, err := s.GetKeyRotationStatus(ctx, alice, managed.ID); err != nil || !st.Enabled || st.PeriodDays != 365 || !st.NextRotation.Equal(t0.Add(365*24*time.Hour)) {
		t.Fatalf("GetKeyRotationStatus(managed) = %+v, %v", st, err)
	}
	pol, err := s.GetKeyPolicy(ctx, alice, managed.ID, "default")
	if err != nil || !strings.Contains(pol, "secretsmanager.us-east-1.amazonaws.com") {
		t.Fatalf("managed policy = %s, %v", pol, err)
	}
	// Its policy allows cryptographic use only through Secrets Manager.
	_, err = s.Encrypt(ctx, alice, "alias/aws/secretsmanager", []byte("x"), nil, "")
	wantErr(t, err, secrets.Denied, "User: arn:aws:iam::111122223333:root is not authorized to perform: kms:Encrypt on resource: "+managed.ARN+
		" because no resource-based policy allows the kms:Encrypt action")
	_, err = s.GenerateDataKey(ctx, alice, kms.DataKeyInput{KeyID: managed.ARN, KeySpec: "AES_256"})
	if secrets.KindOf(err) != secrets.Denied {
		t.Fatalf("GenerateDataKey(managed) = %v", err)
	}
}

func TestPoliciesAndTags(t *testing.T) {
	t.Parallel()
	s, _ := MustService(t)
	k := MustCreateKey(t, s, alice)
	wantErr(t, s.PutKeyPolicy(ctx, alice, k.ID, "default", "{", false), secrets.MalformedPolicy, "The key policy is not a valid JSON document.")
	wantErr(t, s.PutKeyPolicy(ctx, alice, k.ID, "other", "{}", false), secrets.Unsupported, "Only default policy is supported")
	// A key policy is a resource policy: its statements name principals.
	wantErr(t, s.PutKeyPolicy(ctx, alice, k.ID, "default", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, false),
		secrets.MalformedPolicy, "Missing required field Principal")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + alice.Account + `:root"},"Action":"kms:*","Resource":"*"}]}`
	if err := s.PutKeyPolicy(ctx, alice, k.ID, "default", doc, false); err != nil {
		t.Fatal(err)
	}
	if p, err := s.GetKeyPolicy(ctx, alice, k.ARN, "default"); err != nil || p != doc {
		t.Fatalf("GetKeyPolicy = %s, %v", p, err)
	}
	_, err := s.GetKeyPolicy(ctx, alice, k.ARN, "other")
	wantErr(t, err, secrets.NotFound, "No such policy exists")
	if names, err := s.ListKeyPolicies(ctx, alice, k.ID); err != nil || len(names) != 1 || names[0] != "default" {
		t.Fatalf("ListKeyPolicies = %v, %v", names, err)
	}

	wantErr(t, s.TagResource(ctx, alice, k.ID, []secrets.Tag{{Key: "aws:x", Value: "y"}}), secrets.InvalidTag, "Tags beginning with aws: are reserved")
	if err := s.TagResource(ctx, alice, k.ID, []secrets.Tag{{Key: "team", Value: "a"}, {Key: "env", Value: "prod"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.TagResource(ctx, alice, k.ID, []secrets.Tag{{Key: "team", Value: "b"}}); err != nil {
		t.Fatal(err)
	}
	tags, _, err := s.ListResourceTags(ctx, alice, k.ID, kms.ListInput{})
	if err != nil || len(tags) != 2 || tags[0] != (secrets.Tag{Key: "env", Value: "prod"}) || tags[1] != (secrets.Tag{Key: "team", Value: "b"}) {
		t.Fatalf("ListResourceTags = %v, %v", tags, err)
	}
	if err := s.UntagResource(ctx, alice, k.ID, []string{"env", "missing"}); err != nil {
		t.Fatal(err)
	}
	if tags, _, _ := s.ListResourceTags(ctx, alice, k.ID, kms.ListInput{}); len(tags) != 1 {
		t.Fatalf("after untag %v", tags)
	}
}

// TestManagedKeyRotation checks that AWS-managed keys rotate every year on
// their own, and what they sealed stays readable.
func TestManagedKeyRotation(t *testing.T) {
	t.Parallel()
	s, clk := MustService(t)
	managed, err := s.DescribeKey(ctx, alice, "alias/aws/secretsmanager")
	if err != nil {
		t.Fatal(err)
	}
	for year := 1; year <= 2; year++ {
		clk.Advance(365*24*time.Hour - time.Second)
		if rotated, _, _ := s.RunDue(ctx); rotated != 0 {
			t.Fatalf("year %d: rotated early", year)
		}
		clk.Advance(time.Second)
		if rotated, _, err := s.RunDue(ctx); err != nil || rotated != 1 {
			t.Fatalf("year %d: RunDue = %d, %v", year, rotated, err)
		}
	}
	k, _ := s.DescribeKey(ctx, alice, managed.ARN)
	if len(k.Material) != 3 || len(k.Rotations) != 2 {
		t.Fatalf("after two years: %d materials, %d rotations", len(k.Material), len(k.Rotations))
	}
}

func TestListKeys(t *testing.T) {
	t.Parallel()
	s, _ := MustService(t)
	want := map[string]bool{}
	for range 5 {
		want[MustCreateKey(t, s, alice).ID] = true
	}
	MustCreateKey(t, s, bob)
	var got []string
	marker := ""
	for {
		keys, p, err := s.ListKeys(ctx, alice, kms.ListInput{Limit: 2, Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if !p.Truncated {
			break
		}
		marker = p.NextMarker
	}
	if len(got) != 5 {
		t.Fatalf("listed %v", got)
	}
	for i, id := range got {
		if !want[id] || i > 0 && got[i-1] >= id {
			t.Fatalf("listed %v", got)
		}
	}
}

// TestManagedKeyRotation_Secrets checks that secrets sealed under the
// AWS-managed key stay readable after the yearly rotation.
func TestManagedKeyRotation_Secrets(t *testing.T) {
	t.Parallel()
	s, clk := MustService(t)
	sm := &secrets.Service{Store: s.Store, Sealer: s.Keyring, Clock: clk, TokenKey: make([]byte, 32)}
	if _, err := sm.CreateSecret(ctx, alice, secrets.CreateSecretInput{Name: "before", Token: "00000000-0000-4000-8000-000000000001", Value: &secrets.Value{Bytes: []byte("v1")}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(366 * 24 * time.Hour)
	if rotated, _, err := s.RunDue(ctx); err != nil || rotated != 1 {
		t.Fatalf("RunDue = %d, %v", rotated, err)
	}
	if _, err := sm.CreateSecret(ctx, alice, secrets.CreateSecretInput{Name: "after", Token: "00000000-0000-4000-8000-000000000002", Value: &secrets.Value{Bytes: []byte("v2")}}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"before": "v1", "after": "v2"} {
		v, err := sm.GetSecretValue(ctx, alice, secrets.GetSecretValueInput{SecretID: name})
		if err != nil || string(v.Value.Bytes) != want {
			t.Fatalf("GetSecretValue(%s) = %v, %v", name, v, err)
		}
	}
}
