package e2e

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// KMS messages AWS sends (sources in internal/kms/messages.go).
func msgKeyNotExist(arn string) string { return "Key '" + arn + "' does not exist" }

// KMS returns an aws-sdk-go-v2 KMS client for the server, retries off.
func (s *Server) KMS() *kms.Client {
	return kms.New(kms.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RetryMaxAttempts: 1,
	})
}

// kmsRawAt sends a signed KMS request at time at (zero: now) and returns the
// status and the decoded body.
func kmsRawAt(tb testing.TB, s *Server, op string, in any, at time.Time) (int, map[string]any) {
	tb.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	status, out, _ := s.Raw(tb, RawRequest{Target: "TrentService." + op, Service: "kms", Body: string(body), Time: at})
	m := map[string]any{}
	if len(out) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			tb.Fatalf("%s: decode %q: %v", op, out, err)
		}
	}
	return status, m
}

// kmsOKAt is kmsRawAt that requires HTTP 200.
func kmsOKAt(tb testing.TB, s *Server, op string, in any, at time.Time) map[string]any {
	tb.Helper()
	status, m := kmsRawAt(tb, s, op, in, at)
	if status != 200 {
		tb.Fatalf("%s: HTTP %d: %v", op, status, m)
	}
	return m
}

// kmsErrAt is kmsRawAt that requires HTTP 400 with this code and message.
func kmsErrAt(tb testing.TB, s *Server, op string, in any, at time.Time, code, msg string) {
	tb.Helper()
	status, m := kmsRawAt(tb, s, op, in, at)
	if status != 400 || m["__type"] != code || (m["Message"] != nil || msg != "") && m["Message"] != msg {
		tb.Fatalf("%s = %d %v; want 400 %s %q", op, status, m, code, msg)
	}
}

func TestKMS_SDKRoundTrips(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	c := s.KMS()
	ctx := t.Context()

	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("TaskHub data key")})
	must(t, err)
	md := created.KeyMetadata
	keyID, keyARN := aws.ToString(md.KeyId), aws.ToString(md.Arn)
	if keyARN != "arn:aws:kms:us-east-1:"+s.Account+":key/"+keyID || aws.ToString(md.AWSAccountId) != s.Account ||
		!md.Enabled || md.KeyState != types.KeyStateEnabled || md.KeyManager != types.KeyManagerTypeCustomer ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.CustomerMasterKeySpec != types.CustomerMasterKeySpecSymmetricDefault ||
		md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || md.Origin != types.OriginTypeAwsKms ||
		len(md.EncryptionAlgorithms) != 1 || md.EncryptionAlgorithms[0] != types.EncryptionAlgorithmSpecSymmetricDefault ||
		aws.ToBool(md.MultiRegion) || md.CreationDate == nil || aws.ToString(md.Description) != "TaskHub data key" {
		t.Fatalf("CreateKey metadata = %+v", md)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: aws.String(keyID)})
	must(t, err)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/taskhub_kms")})
	must(t, err)
	if aws.ToString(d.KeyMetadata.Arn) != keyARN {
		t.Fatalf("DescribeKey(alias) = %s", aws.ToString(d.KeyMetadata.Arn))
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantAPIError(t, err, "NotFoundException", msgKeyNotExist("arn:aws:kms:us-east-1:"+s.Account+":key/00000000-0000-4000-8000-000000000000"))

	// Encrypt and decrypt, with and without an encryption context.
	encCtx := map[string]string{"tenant": "taskhub"}
	for _, ec := range []map[string]string{nil, encCtx} {
		enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/taskhub_kms"), Plaintext: []byte("s3cr3t"), EncryptionContext: ec})
		must(t, err)
		if aws.ToString(enc.KeyId) != keyARN || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Fatalf("Encrypt = %+v", enc)
		}
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
		must(t, err)
		if string(dec.Plaintext) != "s3cr3t" || aws.ToString(dec.KeyId) != keyARN {
			t.Fatalf("Decrypt = %+v", dec)
		}
		// Any other context fails, as does a damaged blob.
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"tenant": "other"}})
		wantAPIError(t, err, "InvalidCiphertextException", "")
		damaged := bytes.Clone(enc.CiphertextBlob)
		damaged[len(damaged)-2] ^= 0x80
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: damaged, EncryptionContext: ec})
		wantAPIError(t, err, "InvalidCiphertextException", "")
	}

	// A data key encrypts locally; Decrypt unwraps it later.
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(keyARN), KeySpec: types.DataKeySpecAes256, EncryptionContext: encCtx})
	must(t, err)
	if len(dk.Plaintext) != 32 || aws.ToString(dk.KeyId) != keyARN {
		t.Fatalf("GenerateDataKey = %d bytes, %s", len(dk.Plaintext), aws.ToString(dk.KeyId))
	}
	block, _ := aes.NewCipher(dk.Plaintext)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	sealed := gcm.Seal(nil, nonce, []byte("local data"), nil)
	unwrapped, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: encCtx})
	must(t, err)
	block, _ = aes.NewCipher(unwrapped.Plaintext)
	gcm, _ = cipher.NewGCM(block)
	if pt, err := gcm.Open(nil, nonce, sealed, nil); err != nil || string(pt) != "local data" {
		t.Fatalf("local decrypt with the unwrapped data key: %q, %v", pt, err)
	}
	nop, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(keyID), NumberOfBytes: aws.Int32(64)})
	must(t, err)
	if d, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: nop.CiphertextBlob}); err != nil || len(d.Plaintext) != 64 {
		t.Fatalf("Decrypt of GenerateDataKeyWithoutPlaintext: %v", err)
	}

	// ReEncrypt between two keys.
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	otherARN := aws.ToString(other.KeyMetadata.Arn)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("moving"), EncryptionContext: encCtx})
	must(t, err)
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: encCtx, DestinationKeyId: aws.String(otherARN)})
	must(t, err)
	if aws.ToString(re.SourceKeyId) != keyARN || aws.ToString(re.KeyId) != otherARN {
		t.Fatalf("ReEncrypt = %+v", re)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "moving" || aws.ToString(dec.KeyId) != otherARN {
		t.Fatalf("Decrypt re-encrypted = %+v", dec)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, KeyId: aws.String(keyID)})
	wantAPIError(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")

	// Disable and enable.
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)})
	must(t, err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
	wantAPIError(t, err, "DisabledException", keyARN+" is disabled.")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: encCtx})
	wantAPIError(t, err, "DisabledException", keyARN+" is disabled.")
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)})
	must(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: encCtx})
	must(t, err)

	// Aliases: the AWS-managed one is listed too.
	al, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	must(t, err)
	var names []string
	for _, a := range al.Aliases {
		names = append(names, aws.ToString(a.AliasName))
	}
	if strings.Join(names, " ") != "alias/aws/secretsmanager alias/taskhub_kms" {
		t.Fatalf("ListAliases = %v", names)
	}
	al, err = c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(keyARN)})
	must(t, err)
	if len(al.Aliases) != 1 || aws.ToString(al.Aliases[0].TargetKeyId) != keyID || aws.ToString(al.Aliases[0].AliasArn) != "arn:aws:kms:us-east-1:"+s.Account+":alias/taskhub_kms" {
		t.Fatalf("ListAliases(KeyId) = %+v", al.Aliases)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: aws.String(otherARN)})
	wantAPIError(t, err, "AlreadyExistsException", "An alias with the name arn:aws:kms:us-east-1:"+s.Account+":alias/taskhub_kms already exists")
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: aws.String(otherARN)})
	must(t, err)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/taskhub_kms")})
	must(t, err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/taskhub_kms")})
	wantAPIError(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+s.Account+":alias/taskhub_kms is not found.")

	// Keys, policies, tags, random.
	keys, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1)})
	must(t, err)
	if len(keys.Keys) != 1 || !keys.Truncated || keys.NextMarker == nil {
		t.Fatalf("ListKeys page 1 = %+v", keys)
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")})
	must(t, err)
	if !strings.Contains(aws.ToString(pol.Policy), `"AWS" : "arn:aws:iam::`+s.Account+`:root"`) {
		t.Fatalf("default key policy = %s", aws.ToString(pol.Policy))
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"), Policy: aws.String("not json")})
	wantAPIError(t, err, "MalformedPolicyDocumentException", "The key policy is not a valid JSON document.")
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(keyID), Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("taskhub")}}})
	must(t, err)
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)})
	must(t, err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagValue) != "taskhub" {
		t.Fatalf("ListResourceTags = %+v", tags.Tags)
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(keyID), Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	wantAPIError(t, err, "TagException", "Tags beginning with aws: are reserved")
	rnd, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)})
	must(t, err)
	if len(rnd.Plaintext) != 1024 {
		t.Fatalf("GenerateRandom = %d bytes", len(rnd.Plaintext))
	}

	// The AWS-managed key exists once referenced, and refuses management.
	managed, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/secretsmanager")})
	must(t, err)
	if managed.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
		t.Fatalf("managed key = %+v", managed.KeyMetadata)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: managed.KeyMetadata.KeyId})
	wantAPIError(t, err, "UnsupportedOperationException", "You cannot change or start the rotation of an AWS managed key: AWS rotates it every year.")
	// NotAuthorizedException, which the model does not list, with no
	// message (moto, nsmithuk/local-kms): the SDK fills in "UnknownError".
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(keyID)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NotAuthorizedException" {
		t.Fatalf("CreateAlias(alias/aws/mine) = %v", err)
	}
}

// TestKMS_ClockRotationAndDeletion moves the server's clock: automatic
// rotation happens on its period, and a key scheduled for deletion is gone
// at the end of its window, with its ciphertexts. Requests after a shift
// are signed at the shifted time, which the server checks SigV4 against.
func TestKMS_ClockRotationAndDeletion(t *testing.T) {
	t.Parallel()
	s := MustStart(t, ServerOptions{ExtraArgs: []string{"--purge-interval", "50ms"}})
	c := s.KMS()
	ctx := t.Context()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	keyID, keyARN := aws.ToString(created.KeyMetadata.KeyId), aws.ToString(created.KeyMetadata.Arn)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: aws.String(keyID)})
	must(t, err)
	encrypt := func(pt string, at time.Time) string {
		t.Helper()
		m := kmsOKAt(t, s, "Encrypt", map[string]any{"KeyId": "alias/taskhub_kms", "Plaintext": base64.StdEncoding.EncodeToString([]byte(pt))}, at)
		return m["CiphertextBlob"].(string)
	}
	decrypts := func(blob, want string, at time.Time) {
		t.Helper()
		m := kmsOKAt(t, s, "Decrypt", map[string]any{"CiphertextBlob": blob}, at)
		if got, _ := base64.StdEncoding.DecodeString(m["Plaintext"].(string)); string(got) != want {
			t.Fatalf("Decrypt = %q, want %q", got, want)
		}
	}
	blob0 := encrypt("zero", time.Time{})
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)})
	must(t, err)
	blob1 := encrypt("one", time.Time{})
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID), RotationPeriodInDays: aws.Int32(90)})
	must(t, err)
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	must(t, err)
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 || st.NextRotationDate == nil {
		t.Fatalf("GetKeyRotationStatus = %+v", st)
	}

	// 91 days on, the job rotates the key.
	offset := 91 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	now := func() time.Time { return time.Now().Add(offset) }
	waitLog(t, s, "rotated=1")
	rs := kmsOKAt(t, s, "ListKeyRotations", map[string]any{"KeyId": keyID}, now())
	rots, _ := rs["Rotations"].([]any)
	if len(rots) != 2 || rots[0].(map[string]any)["RotationType"] != "ON_DEMAND" || rots[1].(map[string]any)["RotationType"] != "AUTOMATIC" {
		t.Fatalf("ListKeyRotations = %v", rs)
	}
	blob2 := encrypt("two", now())
	decrypts(blob0, "zero", now())
	decrypts(blob1, "one", now())
	decrypts(blob2, "two", now())

	// Schedule deletion, cancel, schedule again and pass the window.
	m := kmsOKAt(t, s, "ScheduleKeyDeletion", map[string]any{"KeyId": keyID, "PendingWindowInDays": 7}, now())
	if m["KeyState"] != "PendingDeletion" || m["KeyId"] != keyARN || m["PendingWindowInDays"] != float64(7) {
		t.Fatalf("ScheduleKeyDeletion = %v", m)
	}
	kmsErrAt(t, s, "Decrypt", map[string]any{"CiphertextBlob": blob0}, now(), "KMSInvalidStateException", keyARN+" is pending deletion.")
	kmsOKAt(t, s, "CancelKeyDeletion", map[string]any{"KeyId": keyID}, now())
	d := kmsOKAt(t, s, "DescribeKey", map[string]any{"KeyId": keyID}, now())
	if md := d["KeyMetadata"].(map[string]any); md["KeyState"] != "Disabled" || md["Enabled"] != false || md["DeletionDate"] != nil {
		t.Fatalf("after CancelKeyDeletion = %v", md)
	}
	kmsErrAt(t, s, "Decrypt", map[string]any{"CiphertextBlob": blob0}, now(), "DisabledException", keyARN+" is disabled.")
	kmsOKAt(t, s, "EnableKey", map[string]any{"KeyId": keyID}, now())
	decrypts(blob0, "zero", now())
	kmsOKAt(t, s, "ScheduleKeyDeletion", map[string]any{"KeyId": keyID, "PendingWindowInDays": 7}, now())

	offset += 8 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	kmsErrAt(t, s, "DescribeKey", map[string]any{"KeyId": keyID}, now(), "NotFoundException", msgKeyNotExist(keyARN))
	waitLog(t, s, "deleted=1")
	for _, b := range []string{blob0, blob1, blob2} {
		kmsErrAt(t, s, "Decrypt", map[string]any{"CiphertextBlob": b}, now(), "NotFoundException", msgKeyNotExist(keyARN))
	}
	kmsErrAt(t, s, "DescribeKey", map[string]any{"KeyId": "alias/taskhub_kms"}, now(), "NotFoundException",
		"Alias arn:aws:kms:us-east-1:"+s.Account+":alias/taskhub_kms is not found.")
}

// waitLog waits until the server has logged substr.
func waitLog(tb testing.TB, s *Server, substr string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.Logs(), substr) {
		if time.Now().After(deadline) {
			tb.Fatalf("the server did not log %q; logs:\n%s", substr, lastLines(s.Logs(), 40))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKMS_Validation sends what the SDKs refuse to send, and checks the
// ValidationException texts the kms model's constraints give (AWS's form,
// as recorded in localstack's snapshots).
func TestKMS_Validation(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	for _, c := range []struct {
		name, op, body, code, msg string
	}{
		// Seen from AWS (localstack snapshot test_generate_random_invalid_number_of_bytes).
		{"random too many", "GenerateRandom", `{"NumberOfBytes":1025}`, "ValidationException",
			"1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
		{"random zero", "GenerateRandom", `{"NumberOfBytes":0}`, "ValidationException",
			"1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"random none", "GenerateRandom", `{}`, "ValidationException", "NumberOfBytes is required."},
		// Seen from AWS (localstack snapshot test_plaintext_size_for_encrypt): no value shown for a sensitive member.
		{"plaintext too long", "Encrypt", `{"KeyId":"alias/x","Plaintext":"` + base64.StdEncoding.EncodeToString(make([]byte, 4097)) + `"}`, "ValidationException",
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"window too long", "ScheduleKeyDeletion", `{"KeyId":"00000000-0000-4000-8000-000000000000","PendingWindowInDays":366}`, "ValidationException",
			"1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{"window too short", "ScheduleKeyDeletion", `{"KeyId":"00000000-0000-4000-8000-000000000000","PendingWindowInDays":6}`, "ValidationException",
			"PendingWindowInDays should be between 7 and 30, but it is 6"},
		{"rotation period", "EnableKeyRotation", `{"KeyId":"00000000-0000-4000-8000-000000000000","RotationPeriodInDays":89}`, "ValidationException",
			"1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90"},
		{"no key id", "DescribeKey", `{}`, "ValidationException",
			"1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		// Seen from AWS (localstack snapshot test_create_alias).
		{"alias prefix", "CreateAlias", `{"AliasName":"taskhub","TargetKeyId":"00000000-0000-4000-8000-000000000000"}`, "ValidationException",
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"invalid key id", "DescribeKey", `{"KeyId":"fake-key-id"}`, "NotFoundException", "Invalid keyId 'fake-key-id'"},
		{"garbage blob", "Decrypt", `{"CiphertextBlob":"AAAA"}`, "InvalidCiphertextException", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, hdr := s.Raw(t, RawRequest{Target: "TrentService." + c.op, Service: "kms", Body: c.body})
			var e struct {
				Type    string `json:"__type"`
				Message *string
			}
			json.Unmarshal(body, &e)
			got := ""
			if e.Message != nil {
				got = *e.Message
			}
			if status != 400 || e.Type != c.code || got != c.msg || hdr.Get("X-Amzn-ErrorType") != c.code {
				t.Fatalf("%s = %d %s\nwant 400 %s %q", c.op, status, body, c.code, c.msg)
			}
		})
	}
	// The KMS API is signed for "kms": a Secrets Manager signature is refused.
	status, body, _ := s.Raw(t, RawRequest{Target: "TrentService.ListKeys", Body: `{}`})
	if status == 200 {
		t.Fatalf("ListKeys signed for secretsmanager = %d %s", status, body)
	}
}

// TestBoto3_KMS runs KMS round trips with boto3 (testdata/boto3/kms.py):
// botocore parses every response with its own kms model.
func TestBoto3_KMS(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	out := runBoto3(t, s, "kms.py", "alias/boto3_kms")
	var seen struct {
		KeyARN       string   `json:"key_arn"`
		WrongContext string   `json:"wrong_context"`
		IncorrectKey string   `json:"incorrect_key"`
		Disabled     []string `json:"disabled"`
		Pending      []string `json:"pending"`
		NotFound     []string `json:"not_found"`
		Aliases      []string `json:"aliases"`
		RandomLen    int      `json:"random_len"`
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("kms.py printed %s: %v", out, err)
	}
	want := seen
	want.WrongContext, want.IncorrectKey = "InvalidCiphertextException", "IncorrectKeyException"
	want.Disabled = []string{"DisabledException", seen.KeyARN + " is disabled."}
	want.Pending = []string{"KMSInvalidStateException", seen.KeyARN + " is pending deletion."}
	want.NotFound = []string{"NotFoundException", "Alias arn:aws:kms:us-east-1:" + s.Account + ":alias/nope is not found."}
	want.Aliases = []string{"alias/aws/secretsmanager", "alias/boto3_kms"}
	want.RandomLen = 16
	if !reflect.DeepEqual(seen, want) || !strings.HasPrefix(seen.KeyARN, "arn:aws:kms:us-east-1:"+s.Account+":key/") {
		got, _ := json.Marshal(seen)
		exp, _ := json.Marshal(want)
		t.Fatalf("kms.py saw  %s\nwant        %s", got, exp)
	}
}
