package e2e

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestLogs_NoCredentialMaterial issues credentials every way the server
// can (IAM CreateAccessKey, STS AssumeRole with and without a session
// policy, GetSessionToken), uses them with every service, header-signed
// and presigned, and fails them every way (tampered, truncated, swapped and
// expired session tokens, wrong secrets, inactive and deleted keys,
// refused actions), against a server logging at debug level. Then no
// secret access key, session token (nor the sealed bytes under it) or
// tampered token may appear in the server's logs, in raw, base64, hex,
// JSON- or URL-escaped form, nor as a token's first or last 24 characters;
// and no error response may carry a secret access key.
func TestLogs_NoCredentialMaterial(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	root := s.rootCreds()
	rootIAM, rootSM := s.IAMAs(root), s.SMAs(root)

	var secretKeys []leakValue // never sent by a client: must not be in responses either
	var tokens []leakValue     // sent by clients: must not be logged
	addCreds := func(label string, c creds) {
		secretKeys = append(secretKeys, leakValue{label + "-secret-access-key", []byte(c.SecretKey)})
		if c.Token != "" {
			addToken(t, &tokens, label+"-session-token", c.Token)
		}
	}
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// refused sends a hand-made request that must be refused with the
	// status and code (any 4xx when wantStatus is 0).
	refused := func(what string, rr RawRequest, wantStatus int, code string) []byte {
		t.Helper()
		status, body, _ := s.Raw(t, rr)
		if wantStatus == 0 && (status < 400 || status > 499) || wantStatus != 0 && (status != wantStatus || !strings.Contains(string(body), code)) {
			t.Errorf("%s: got %d %s, want %d %s", what, status, body, wantStatus, code)
		}
		return body
	}
	// raw is refused, and checks that the answer holds no secret key.
	raw := func(what string, rr RawRequest, wantStatus int, code string) {
		t.Helper()
		if hits := findLeaks(refused(what, rr, wantStatus, code), leakForms(secretKeys)); len(hits) > 0 {
			t.Errorf("%s: the response carries a secret key: %v", what, hits)
		}
	}
	stsQuery := func(c creds, body string) RawRequest {
		return RawRequest{Service: "sts", ContentType: "application/x-www-form-urlencoded", Body: body,
			AccessKey: c.AccessKey, SecretKey: c.SecretKey, SessionToken: c.Token}
	}
	iamQuery := func(c creds, body string) RawRequest {
		rr := stsQuery(c, body)
		rr.Service = "iam"
		return rr
	}
	smJSON := func(c creds, target, body string) RawRequest {
		return RawRequest{Target: "secretsmanager." + target, Body: body, AccessKey: c.AccessKey, SecretKey: c.SecretKey, SessionToken: c.Token}
	}
	kmsJSON := func(c creds, target, body string) RawRequest {
		return RawRequest{Target: "TrentService." + target, Service: "kms", Body: body, AccessKey: c.AccessKey, SecretKey: c.SecretKey, SessionToken: c.Token}
	}
	const callerIdentity = "Action=GetCallerIdentity&Version=2011-06-15"

	// Secrets to read; a user with two keys and a policy.
	_, err := rootSM.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/taskhub/db"), SecretString: aws.String("logs-db-value")})
	ok("CreateSecret", err)
	user := newUser(t, ctx, rootIAM, "logs-user")
	addCreds("user-key-1", user)
	k2, err := rootIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("logs-user")})
	ok("CreateAccessKey", err)
	user2 := creds{aws.ToString(k2.AccessKey.AccessKeyId), aws.ToString(k2.AccessKey.SecretAccessKey), ""}
	addCreds("user-key-2", user2)
	userARN := "arn:aws:iam::" + s.Account + ":user/logs-user"
	putUserPolicy(t, ctx, rootIAM, "logs-user", "read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)
	roleARN := "arn:aws:iam::" + s.Account + ":role/logs-role"
	_, err = rootIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("logs-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`)})
	ok("CreateRole", err)
	_, err = rootIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("logs-role"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue"],"Resource":"*"}]}`)})
	ok("PutRolePolicy", err)

	// The user's keys at work, and refused.
	_, err = s.STSAs(user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	ok("GetCallerIdentity as the user", err)
	_, err = s.SMAs(user2).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")})
	ok("GetSecretValue with the second key", err)
	_, err = s.IAMAs(user).ListUsers(ctx, &iam.ListUsersInput{})
	apiError(t, err, "AccessDenied", "")
	_, err = s.KMSAs(user).ListKeys(ctx, &kms.ListKeysInput{})
	apiError(t, err, "AccessDeniedException", "")
	wrongSecret := func(c creds) creds {
		c.SecretKey = strings.ToUpper(c.SecretKey[:20]) + strings.ToLower(c.SecretKey[20:]) + "x"
		return c
	}
	raw("user key, wrong secret, Secrets Manager", smJSON(wrongSecret(user), "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`), 400, "InvalidSignatureException")
	raw("user key, wrong secret, STS", stsQuery(wrongSecret(user), callerIdentity), 403, "SignatureDoesNotMatch")
	raw("user key, wrong secret, IAM", iamQuery(wrongSecret(user), "Action=GetUser&Version=2010-05-08"), 403, "SignatureDoesNotMatch")

	// Temporary credentials: AssumeRole with and without a session policy,
	// GetSessionToken.
	assume := func(name string, policy *string) creds {
		t.Helper()
		out, err := s.STSAs(user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(name),
			DurationSeconds: aws.Int32(900), Policy: policy})
		ok("AssumeRole "+name, err)
		c := creds{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
		addCreds("assume-role-"+name, c)
		return c
	}
	sessA := assume("logs-a", nil)
	sessB := assume("logs-b", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`))
	gst, err := s.STSAs(user).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	ok("GetSessionToken", err)
	tok := creds{aws.ToString(gst.Credentials.AccessKeyId), aws.ToString(gst.Credentials.SecretAccessKey), aws.ToString(gst.Credentials.SessionToken)}
	addCreds("get-session-token", tok)
	// The same through the query protocol by hand, whose response is XML.
	status, body, _ := s.Raw(t, stsQuery(user, "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"))
	if status != 200 {
		t.Fatalf("GetSessionToken by hand: %d %s", status, body)
	}
	addCreds("get-session-token-xml", creds{xmlField(t, body, "AccessKeyId"), xmlField(t, body, "SecretAccessKey"), xmlField(t, body, "SessionToken")})

	// Temporary credentials at work with every service, and refused.
	for _, c := range []creds{sessA, sessB, tok} {
		_, err = s.STSAs(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		ok("GetCallerIdentity with temporary credentials", err)
		_, err = s.SMAs(c).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")})
		ok("GetSecretValue with temporary credentials", err)
		_, err = s.KMSAs(c).ListKeys(ctx, &kms.ListKeysInput{})
		apiError(t, err, "AccessDeniedException", "")
	}
	_, err = s.IAMAs(sessA).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("logs-role")})
	apiError(t, err, "AccessDenied", "")
	_, err = s.IAMAs(tok).GetUser(ctx, &iam.GetUserInput{})
	apiError(t, err, "InvalidClientTokenId", "")
	_, err = s.SMAs(sessB).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/taskhub/db"), SecretString: aws.String("x")})
	apiError(t, err, "AccessDeniedException", "")
	_, err = s.STSAs(tok).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	apiError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, err = s.STSAs(sessA).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("chained")})
	apiError(t, err, "AccessDenied", "")
	// Presigned GetCallerIdentity (as Vault's and EKS's aws-iam-authenticator
	// send it), the token in the URL.
	if status, body := presignedGet(t, s, sessA, "sts", "Action=GetCallerIdentity&Version=2011-06-15", time.Now()); status != 200 {
		t.Errorf("presigned GetCallerIdentity: %d %s", status, body)
	}

	// Session tokens that are wrong in every way, on every service.
	tampered := func(label, tok string) string {
		addToken(t, &tokens, label, tok)
		return tok
	}
	badTokens := map[string]string{
		"tampered-end":    tampered("tampered-end", sessA.Token[:len(sessA.Token)-8]+"AAAAAAAA"),
		"tampered-middle": tampered("tampered-middle", sessA.Token[:40]+flip(sessA.Token[40:41])+sessA.Token[41:]),
		"truncated":       tampered("truncated", sessA.Token[:len(sessA.Token)/2]),
		"not-base64":      tampered("not-base64", "!!"+sessA.Token[2:]),
		"other-session":   sessB.Token, // sessA's key id with sessB's token
		"padded":          tampered("padded", sessA.Token+strings.Repeat(randomMarker(), 125)),
	}
	for label, bad := range badTokens {
		c := sessA
		c.Token = bad
		raw("token "+label+", Secrets Manager", smJSON(c, "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`), 400, "UnrecognizedClientException")
		raw("token "+label+", KMS", kmsJSON(c, "ListKeys", `{}`), 400, "UnrecognizedClientException")
		raw("token "+label+", STS", stsQuery(c, callerIdentity), 403, "InvalidClientTokenId")
		raw("token "+label+", IAM", iamQuery(c, "Action=GetRole&Version=2010-05-08&RoleName=logs-role"), 403, "InvalidClientTokenId")
		if status, body := presignedGet(t, s, c, "sts", "Action=GetCallerIdentity&Version=2011-06-15", time.Now()); status != 403 || !strings.Contains(string(body), "InvalidClientTokenId") {
			t.Errorf("token %s, presigned STS: %d %s", label, status, body)
		}
	}
	// A long-term key with a session token; a session key without its
	// token; a right token with a wrong secret (the canonical request, which
	// the server computes, holds the token).
	raw("long-term key with a token", smJSON(creds{user.AccessKey, user.SecretKey, sessA.Token}, "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`), 400, "UnrecognizedClientException")
	raw("session key without its token", stsQuery(creds{sessA.AccessKey, sessA.SecretKey, ""}, callerIdentity), 403, "InvalidClientTokenId")
	raw("session, wrong secret, Secrets Manager", smJSON(wrongSecret(sessA), "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`), 400, "InvalidSignatureException")
	raw("session, wrong secret, KMS", kmsJSON(wrongSecret(tok), "ListKeys", `{}`), 400, "InvalidSignatureException")
	raw("session, wrong secret, STS", stsQuery(wrongSecret(sessB), callerIdentity), 403, "SignatureDoesNotMatch")
	raw("session, wrong secret, IAM", iamQuery(wrongSecret(sessA), "Action=GetRole&Version=2010-05-08&RoleName=logs-role"), 403, "SignatureDoesNotMatch")
	if status, body := presignedGet(t, s, wrongSecret(sessB), "sts", "Action=GetCallerIdentity&Version=2011-06-15", time.Now()); status != 403 || !strings.Contains(string(body), "SignatureDoesNotMatch") {
		t.Errorf("session, wrong secret, presigned STS: %d %s", status, body)
	}
	// Tokens and secrets where the API takes names: refused (as missing,
	// denied or invalid input, with a message that may echo the input to
	// its sender, as AWS's do), and not logged.
	refused("token as a role ARN", stsQuery(user, "Action=AssumeRole&Version=2011-06-15&RoleSessionName=x1&RoleArn="+url.QueryEscape(sessA.Token)), 0, "")
	refused("secret key as a user name", iamQuery(root, "Action=GetUser&Version=2010-05-08&UserName="+url.QueryEscape(user.SecretKey)), 0, "")
	refused("secret key in a user name", iamQuery(root, "Action=GetUser&Version=2010-05-08&UserName="+url.QueryEscape(user.SecretKey+"/x")), 400, "ValidationError")
	refused("secret key as a secret id", smJSON(root, "GetSecretValue", `{"SecretId":"`+user2.SecretKey+`"}`), 400, "ResourceNotFoundException")

	// Expired (on the fake clock), header-signed and presigned.
	s.SetClockOffset(t, 16*time.Minute)
	later := time.Now().Add(16 * time.Minute)
	for _, c := range []creds{sessA, tok} {
		rr := smJSON(c, "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`)
		rr.Time = later
		raw("expired, Secrets Manager", rr, 400, "ExpiredTokenException")
		rr = stsQuery(c, callerIdentity)
		rr.Time = later
		raw("expired, STS", rr, 403, "ExpiredToken")
		if status, body := presignedGet(t, s, c, "sts", "Action=GetCallerIdentity&Version=2011-06-15", later); status != 403 || !strings.Contains(string(body), "ExpiredToken") {
			t.Errorf("expired, presigned STS: %d %s", status, body)
		}
	}
	s.SetClockOffset(t, 0)

	// Keys made inactive, then deleted.
	_, err = rootIAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("logs-user"), AccessKeyId: aws.String(user2.AccessKey), Status: "Inactive"})
	ok("UpdateAccessKey", err)
	_, err = rootIAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("logs-user")})
	ok("ListAccessKeys", err)
	raw("inactive key, STS", stsQuery(user2, callerIdentity), 403, "InvalidClientTokenId")
	raw("inactive key, Secrets Manager", smJSON(user2, "GetSecretValue", `{"SecretId":"prod/taskhub/db"}`), 400, "UnrecognizedClientException")
	_, err = rootIAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("logs-user"), AccessKeyId: aws.String(user2.AccessKey)})
	ok("DeleteAccessKey", err)
	raw("deleted key, IAM", iamQuery(user2, "Action=GetUser&Version=2010-05-08"), 403, "InvalidClientTokenId")
	raw("deleted key, KMS", kmsJSON(user2, "ListKeys", `{}`), 400, "UnrecognizedClientException")

	// The scan proves something only if these requests were logged.
	logs := s.Logs()
	for _, op := range []string{"CreateAccessKey", "AssumeRole", "GetSessionToken", "GetCallerIdentity", "GetSecretValue",
		"UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys"} {
		if !strings.Contains(logs, "operation="+op+" ") {
			t.Errorf("no debug log line for %s", op)
		}
	}
	for _, code := range []string{"InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
		"ExpiredToken", "ExpiredTokenException", "AccessDenied", "AccessDeniedException", "ValidationError"} {
		if !strings.Contains(logs, "error_code="+code+"\n") && !strings.Contains(logs, "error_code="+code+" ") {
			t.Errorf("no log line for a %s", code)
		}
	}

	all := append(append(append([]leakValue{}, secretKeys...), tokens...),
		leakValue{"admin-secret-access-key", []byte(s.SecretKey)},
		leakValue{"root-key", rootKeyBytes(t, s.KeyFile)})
	ns := credentialForms(all)
	if hits := findLeaks([]byte(logs), ns); len(hits) > 0 {
		t.Errorf("credential material in the server's logs:\n%s\n\nin these lines:\n%s", strings.Join(hits, "\n"), linesWithLeaks(logs, ns))
	}
	// Self-check: each form of a token and a secret key is found when it
	// is in a log line.
	for _, v := range []leakValue{tokens[0], secretKeys[0]} {
		for _, f := range credentialForms([]leakValue{v}) {
			line := "time=x level=DEBUG msg=request token=" + string(f.b) + " operation=GetSecretValue"
			if len(findLeaks([]byte(line), ns)) == 0 {
				t.Errorf("self-check: the scan misses %s in %s form", f.value, f.form)
			}
		}
	}

	// /metrics, which needs no signature, holds none either.
	resp, err := http.Get(s.URL + "/metrics")
	ok("GET /metrics", err)
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if hits := findLeaks(metrics, ns); len(hits) > 0 {
		t.Errorf("credential material in /metrics: %v", hits)
	}
}

// addToken adds a session token to vals: the string, and the sealed bytes
// it is the base64 of (when it is base64).
func addToken(tb testing.TB, vals *[]leakValue, label, tok string) {
	tb.Helper()
	*vals = append(*vals, leakValue{label, []byte(tok)})
	if b, err := base64.StdEncoding.DecodeString(tok); err == nil {
		*vals = append(*vals, leakValue{label + "-sealed-bytes", b})
	}
}

// credentialForms is leakForms plus the forms a credential takes in a URL
// or form body (query-escaped, path-escaped) and, for values longer than
// 64 bytes (session tokens), their first and last 24 characters: a
// truncated token in a log is a leak too.
func credentialForms(vals []leakValue) []leakForm {
	out := leakForms(vals)
	for _, v := range vals {
		s := string(v.b)
		for _, f := range []struct{ form, s string }{
			{"query-escaped", url.QueryEscape(s)},
			{"path-escaped", url.PathEscape(s)},
		} {
			if f.s != s {
				out = append(out, leakForm{v.label, f.form, []byte(f.s)})
			}
		}
		if len(v.b) > 64 && !strings.HasSuffix(v.label, "-sealed-bytes") {
			out = append(out, leakForm{v.label, "first-24", v.b[:24]}, leakForm{v.label, "last-24", v.b[len(v.b)-24:]})
		}
	}
	return out
}

// flip changes one base64 character into another.
func flip(c string) string {
	if c == "A" {
		return "B"
	}
	return "A"
}

// xmlField returns the text of the first <name> element of an XML body.
func xmlField(tb testing.TB, body []byte, name string) string {
	tb.Helper()
	s := string(body)
	i := strings.Index(s, "<"+name+">")
	j := strings.Index(s, "</"+name+">")
	if i < 0 || j < i {
		tb.Fatalf("no <%s> in %s", name, body)
	}
	return s[i+len(name)+2 : j]
}

// presignedGet sends a GET whose query is presigned with c (the session
// token in X-Amz-Security-Token, as the SDKs presign it) and returns the
// status and body.
func presignedGet(tb testing.TB, s *Server, c creds, service, query string, at time.Time) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/?"+query, nil)
	if err != nil {
		tb.Fatal(err)
	}
	const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKey, SecretAccessKey: c.SecretKey, SessionToken: c.Token},
		req, emptySHA256, service, "us-east-1", at)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.Get(signed)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body
}
