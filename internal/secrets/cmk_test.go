package secrets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Secrets under customer keys (issue 3): a key is chosen by id, ARN, alias
// name or alias ARN; its state decides whether values can be written and
// read; values stay stored whatever happens to the key.

// MustCustomerKey creates an enabled customer key with one material
// version, and alias (alias/…) pointing at it when alias is not empty.
func MustCustomerKey(tb testing.TB, svc *secrets.Service, c secrets.Caller, n int, alias string) *secrets.KMSKey {
	tb.Helper()
	kr := svc.Sealer.(*keyring.Keyring)
	id := fmt.Sprintf("1234abcd-12ab-34cd-56ef-%012d", n)
	key := &secrets.KMSKey{
		ARN: keyring.KeyARN(c.Region, c.Account, id), ID: id, Account: c.Account, Region: c.Region,
		Manager: "CUSTOMER", State: "Enabled", KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS",
	}
	if err := kr.AddMaterial(key); err != nil {
		tb.Fatal(err)
	}
	err := svc.Store.Update(tb.Context(), func(tx secrets.Tx) error {
		if err := tx.PutKMSKey(tb.Context(), key); err != nil {
			return err
		}
		if alias == "" {
			return nil
		}
		return tx.PutKMSAlias(tb.Context(), &secrets.KMSAlias{
			ARN: keyring.AliasARN(c.Region, c.Account, alias), Name: alias,
			Account: c.Account, Region: c.Region, TargetKey: key.ARN,
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// setKeyState changes a key's state directly in the store, as the KMS API's
// DisableKey, EnableKey and ScheduleKeyDeletion do.
func setKeyState(tb testing.TB, svc *secrets.Service, key *secrets.KMSKey, state string) {
	tb.Helper()
	err := svc.Store.Update(tb.Context(), func(tx secrets.Tx) error {
		k, err := tx.KMSKey(tb.Context(), key.ARN)
		if err != nil {
			return err
		}
		k.State = state
		return tx.PutKMSKey(tb.Context(), k)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func versionKeys(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string) map[string]string {
	tb.Helper()
	out, err := svc.ListSecretVersionIds(tb.Context(), c, secrets.ListVersionsInput{SecretID: id, IncludeDeprecated: true})
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, v := range out.Versions {
		m[v.ID] = v.KMSKeyARN
	}
	return m
}

func TestCustomerKey_Choose(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	key := MustCustomerKey(t, svc, alice, 1, "alias/taskhub_kms")
	for i, tc := range []struct {
		kmsKeyID string
		shown    string // DescribeSecret's KmsKeyId
	}{
		{"alias/taskhub_kms", keyring.AliasARN(alice.Region, alice.Account, "alias/taskhub_kms")},
		{keyring.AliasARN(alice.Region, alice.Account, "alias/taskhub_kms"), keyring.AliasARN(alice.Region, alice.Account, "alias/taskhub_kms")},
		{key.ID, key.ID},
		{key.ARN, key.ARN},
	} {
		name := fmt.Sprintf("prod/taskhub/secretmanager-%d", i)
		_, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{
			Name: name, KMSKeyID: tc.kmsKeyID, Token: tok(1), Value: val(`{"Service":"Amazon DynamoDB"}`),
		})
		if err != nil {
			t.Fatalf("CreateSecret(KmsKeyId %q): %v", tc.kmsKeyID, err)
		}
		if d := MustDescribeSecret(t, svc, alice, name); d.KMSKeyID != tc.shown {
			t.Errorf("KmsKeyId %q: DescribeSecret shows %q, want %q", tc.kmsKeyID, d.KMSKeyID, tc.shown)
		}
		if got := versionKeys(t, svc, alice, name)[tok(1)]; got != key.ARN {
			t.Errorf("KmsKeyId %q: version sealed under %q, want %q", tc.kmsKeyID, got, key.ARN)
		}
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: name}); string(v.Value.Bytes) != `{"Service":"Amazon DynamoDB"}` {
			t.Errorf("read back %q", v.Value.Bytes)
		}
	}
	// The default key, named explicitly, is not shown, as AWS omits it.
	_, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "default", KMSKeyID: keyring.DefaultKeyAlias, Token: tok(1), Value: val("x")})
	if err != nil {
		t.Fatal(err)
	}
	if d := MustDescribeSecret(t, svc, alice, "default"); d.KMSKeyID != "" {
		t.Errorf("default key shown as %q, want nothing", d.KMSKeyID)
	}
	// An unknown key is refused: InvalidParameterException (boto/boto3#1533).
	_, err = svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "nokey", KMSKeyID: "alias/nope", Token: tok(1), Value: val("x")})
	if secrets.KindOf(err) != secrets.InvalidParameter || secrets.MessageOf(err) != keyring.MsgKeyNotFound {
		t.Errorf("unknown key: %v, want InvalidParameter %q", err, keyring.MsgKeyNotFound)
	}
}

func TestCustomerKey_States(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	key := MustCustomerKey(t, svc, alice, 2, "alias/taskhub_kms")
	_, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "app", KMSKeyID: "alias/taskhub_kms", Token: tok(1), Value: val("v1")})
	if err != nil {
		t.Fatal(err)
	}
	read := func() error {
		_, err := svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: "app"})
		return err
	}
	write := func(n int) error {
		_, err := svc.PutSecretValue(t.Context(), alice, secrets.PutSecretValueInput{SecretID: "app", Token: tok(n), Value: val(fmt.Sprint("v", n))})
		return err
	}
	for i, state := range []string{"Disabled", "PendingDeletion"} {
		setKeyState(t, svc, key, state)
		if err := read(); secrets.KindOf(err) != secrets.DecryptionFailed || secrets.MessageOf(err) != keyring.MsgDecryptionFailure {
			t.Errorf("%s: read = %v, want DecryptionFailed", state, err)
		}
		if err := write(10 + i); secrets.KindOf(err) != secrets.EncryptionFailed || secrets.MessageOf(err) != keyring.MsgEncryptionFailure {
			t.Errorf("%s: write = %v, want EncryptionFailed", state, err)
		}
		// Metadata stays readable; nothing was lost.
		if d := MustDescribeSecret(t, svc, alice, "app"); len(d.VersionStages) != 1 {
			t.Errorf("%s: versions = %v, want the one", state, d.VersionStages)
		}
		setKeyState(t, svc, key, "Enabled")
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "app"}); string(v.Value.Bytes) != "v1" {
			t.Errorf("%s then Enabled: read %q, want v1", state, v.Value.Bytes)
		}
	}
	// A deleted key's values are unreadable for good; the secret is still
	// described, naming its key.
	if err := svc.Store.Update(t.Context(), func(tx secrets.Tx) error { return tx.DeleteKMSKey(t.Context(), key.ARN) }); err != nil {
		t.Fatal(err)
	}
	if err := read(); secrets.KindOf(err) != secrets.DecryptionFailed {
		t.Errorf("deleted key: read = %v, want DecryptionFailed", err)
	}
	if err := write(20); secrets.KindOf(err) != secrets.EncryptionFailed {
		t.Errorf("deleted key: write = %v, want EncryptionFailed", err)
	}
	if d := MustDescribeSecret(t, svc, alice, "app"); d.KMSKeyID == "" {
		t.Error("DescribeSecret no longer names the deleted key")
	}
}

func TestCustomerKey_UpdateSecretRekeys(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	oldKey := MustCustomerKey(t, svc, alice, 3, "alias/old")
	newKey := MustCustomerKey(t, svc, alice, 4, "alias/new")
	_, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "app", KMSKeyID: "alias/old", Token: tok(1), Value: val("v1")})
	if err != nil {
		t.Fatal(err)
	}
	for n := 2; n <= 4; n++ {
		clk.Advance(1)
		MustPutSecretValue(t, svc, alice, "app", tok(n), fmt.Sprint("v", n))
	}
	MustPutSecretValue(t, svc, alice, "app", tok(5), "v5", secrets.StagePending)
	// tok(1) and tok(2) are deprecated, tok(3) AWSPREVIOUS, tok(4) AWSCURRENT, tok(5) AWSPENDING.
	if _, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "app", KMSKeyID: ptr("alias/new")}); err != nil {
		t.Fatal(err)
	}
	keys := versionKeys(t, svc, alice, "app")
	for id, want := range map[string]string{tok(1): oldKey.ARN, tok(2): oldKey.ARN, tok(3): newKey.ARN, tok(4): newKey.ARN, tok(5): newKey.ARN} {
		if keys[id] != want {
			t.Errorf("version %s under %s, want %s", id, keys[id], want)
		}
	}
	// With the old key disabled, the labelled versions still read.
	setKeyState(t, svc, oldKey, "Disabled")
	for n, stage := range map[int]string{3: secrets.StagePrevious, 4: secrets.StageCurrent, 5: secrets.StagePending} {
		v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "app", Stage: stage})
		if string(v.Value.Bytes) != fmt.Sprint("v", n) {
			t.Errorf("%s = %q, want v%d", stage, v.Value.Bytes, n)
		}
	}
	if d := MustDescribeSecret(t, svc, alice, "app"); d.KMSKeyID != keyring.AliasARN(alice.Region, alice.Account, "alias/new") {
		t.Errorf("KmsKeyId = %q after the change", d.KMSKeyID)
	}
}

// TestCustomerKey_AliasRetarget: an alias is resolved when a value is
// written, so pointing it at another key changes the key of new versions
// only.
func TestCustomerKey_AliasRetarget(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	k1 := MustCustomerKey(t, svc, alice, 5, "alias/app")
	k2 := MustCustomerKey(t, svc, alice, 6, "")
	if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "app", KMSKeyID: "alias/app", Token: tok(1), Value: val("v1")}); err != nil {
		t.Fatal(err)
	}
	retargetAlias(t, svc, "alias/app", k2)
	MustPutSecretValue(t, svc, alice, "app", tok(2), "v2")
	keys := versionKeys(t, svc, alice, "app")
	if keys[tok(1)] != k1.ARN || keys[tok(2)] != k2.ARN {
		t.Errorf("version keys = %v, want v1 under %s and v2 under %s", keys, k1.ARN, k2.ARN)
	}
	for n, stage := range map[int]string{1: secrets.StagePrevious, 2: secrets.StageCurrent} {
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "app", Stage: stage}); string(v.Value.Bytes) != fmt.Sprint("v", n) {
			t.Errorf("%s = %q", stage, v.Value.Bytes)
		}
	}
}

// TestCustomerKey_Binding copies a version's sealed value (its wrapped data
// key and ciphertext) onto another version of the same secret and onto a
// version of another secret: both reads fail, and nothing else changes.
func TestCustomerKey_Binding(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	MustCustomerKey(t, svc, alice, 7, "alias/taskhub_kms")
	for _, name := range []string{"a", "b"} {
		if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: name, KMSKeyID: "alias/taskhub_kms", Token: tok(1), Value: val(name + "-1")}); err != nil {
			t.Fatal(err)
		}
		MustPutSecretValue(t, svc, alice, name, tok(2), name+"-2")
	}
	ctx := context.Background()
	a := MustDescribeSecret(t, svc, alice, "a")
	b := MustDescribeSecret(t, svc, alice, "b")
	err := svc.Store.Update(ctx, func(tx secrets.Tx) error {
		src, err := tx.Version(ctx, a.ARN, tok(2))
		if err != nil {
			return err
		}
		for _, dst := range []struct{ arn, id string }{{a.ARN, tok(1)}, {b.ARN, tok(1)}} {
			v, err := tx.Version(ctx, dst.arn, dst.id)
			if err != nil {
				return err
			}
			v.Sealed = src.Sealed
			if err := tx.PutVersion(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		_, err := svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: id, VersionID: tok(1)})
		if secrets.KindOf(err) != secrets.DecryptionFailed {
			t.Errorf("%s: copied value read: %v, want DecryptionFailed", id, err)
		}
	}
	for _, id := range []string{"a", "b"} {
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: id}); string(v.Value.Bytes) != id+"-2" {
			t.Errorf("%s: AWSCURRENT = %q, want %s-2", id, v.Value.Bytes, id)
		}
	}
}

// TestCustomerKey_UpdateSecretAfterRetarget: UpdateSecret naming the same
// alias after it was pointed at another key re-encrypts the labelled
// versions under that key, so the old key can be disabled.
func TestCustomerKey_UpdateSecretAfterRetarget(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	k1 := MustCustomerKey(t, svc, alice, 8, "alias/app")
	k2 := MustCustomerKey(t, svc, alice, 9, "")
	if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "app", KMSKeyID: "alias/app", Token: tok(1), Value: val("v1")}); err != nil {
		t.Fatal(err)
	}
	retargetAlias(t, svc, "alias/app", k2)
	if _, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "app", KMSKeyID: ptr("alias/app")}); err != nil {
		t.Fatal(err)
	}
	if got := versionKeys(t, svc, alice, "app")[tok(1)]; got != k2.ARN {
		t.Fatalf("AWSCURRENT under %s after UpdateSecret, want %s", got, k2.ARN)
	}
	setKeyState(t, svc, k1, "Disabled")
	if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "app"}); string(v.Value.Bytes) != "v1" {
		t.Errorf("read %q", v.Value.Bytes)
	}
}

// retargetAlias points alias (alias/…) of alice's account at key, as the
// KMS API's UpdateAlias does.
func retargetAlias(tb testing.TB, svc *secrets.Service, alias string, key *secrets.KMSKey) {
	tb.Helper()
	err := svc.Store.Update(tb.Context(), func(tx secrets.Tx) error {
		a, err := tx.KMSAlias(tb.Context(), keyring.AliasARN(alice.Region, alice.Account, alias))
		if err != nil {
			return err
		}
		a.TargetKey = key.ARN
		return tx.PutKMSAlias(tb.Context(), a)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
