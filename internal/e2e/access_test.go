package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// creds are one principal's credentials.
type creds struct {
	AccessKey, SecretKey, Token string
}

func (s *Server) rootCreds() creds { return creds{s.AccessKey, s.SecretKey, ""} }

func (c creds) provider() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.Token)
}

// SMAs, KMSAs, IAMAs and STSAs are clients of the server acting as c.
func (s *Server) SMAs(c creds) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), Credentials: c.provider(), RetryMaxAttempts: 1})
}

func (s *Server) KMSAs(c creds) *kms.Client {
	return kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), Credentials: c.provider(), RetryMaxAttempts: 1})
}

// IAMAs signs for the region the SDK would use with a custom endpoint, as
// IAM is global.
func (s *Server) IAMAs(c creds) *iam.Client {
	return iam.New(iam.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: c.provider(), RetryMaxAttempts: 1})
}

func (s *Server) STSAs(c creds) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), Credentials: c.provider(), RetryMaxAttempts: 1})
}

// apiError requires err to be an AWS API error with the code (and, when
// not empty, the message) and returns it.
func apiError(tb testing.TB, err error, code, message string) {
	tb.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		tb.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || message != "" && ae.ErrorMessage() != message {
		tb.Fatalf("want %s %q,\n got %s %q", code, message, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// newUser creates an IAM user with an access key and returns its creds.
func newUser(tb testing.TB, ctx context.Context, c *iam.Client, name string) creds {
	tb.Helper()
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	must(tb, err)
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	must(tb, err)
	return creds{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""}
}

func putUserPolicy(tb testing.TB, ctx context.Context, c *iam.Client, user, name, doc string) {
	tb.Helper()
	_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	must(tb, err)
}

func createSecret(tb testing.TB, ctx context.Context, c *secretsmanager.Client, in *secretsmanager.CreateSecretInput) string {
	tb.Helper()
	out, err := c.CreateSecret(ctx, in)
	must(tb, err)
	return aws.ToString(out.ARN)
}

// TestAccess_UserPolicies: a user allowed GetSecretValue on prod/taskhub/*
// reads those secrets and nothing else; a Deny with a tag condition wins;
// a customer key also needs kms:Decrypt; get-caller-identity names the
// user and the root.
func TestAccess_UserPolicies(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	root := s.rootCreds()
	sm, rootIAM := s.SMAs(root), s.IAMAs(root)

	dbARN := createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("prod/taskhub/db"), SecretString: aws.String(`{"password":"db-pw"}`)})
	createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("prod/taskhub/api"), SecretString: aws.String("api-token")})
	createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("prod/billing/db"), SecretString: aws.String("billing-pw")})

	// Root is allowed everything; get-caller-identity names it.
	id, err := s.STSAs(root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	if aws.ToString(id.Arn) != "arn:aws:iam::"+s.Account+":root" || aws.ToString(id.UserId) != s.Account || aws.ToString(id.Account) != s.Account {
		t.Errorf("root identity: %+v", id)
	}

	user := newUser(t, ctx, rootIAM, "taskhub-backend")
	userARN := "arn:aws:iam::" + s.Account + ":user/taskhub-backend"
	usm := s.SMAs(user)
	id, err = s.STSAs(user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	got, err := rootIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("taskhub-backend")})
	must(t, err)
	if aws.ToString(id.Arn) != userARN || aws.ToString(id.UserId) != aws.ToString(got.User.UserId) || !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("user identity: %+v (user id %s)", id, aws.ToString(got.User.UserId))
	}

	// A new user has no permissions.
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/taskhub/db because no identity-based policy allows the secretsmanager:GetSecretValue action")

	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "read-taskhub", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"}]}`)
	for _, id := range []string{"prod/taskhub/db", dbARN, "prod/taskhub/api"} {
		if _, err := usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}); err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/billing/db")})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/billing/db because no identity-based policy allows the secretsmanager:GetSecretValue action")
	// Other actions on the allowed secrets are not granted.
	_, err = usm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/taskhub/db")})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: secretsmanager:DescribeSecret on resource: prod/taskhub/db because no identity-based policy allows the secretsmanager:DescribeSecret action")
	_, err = usm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action")
	// A secret that does not exist is refused, not reported missing.
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/billing/nope")})
	apiError(t, err, "AccessDeniedException", "")
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/nope")})
	apiError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")

	// A Deny with a tag condition wins over the Allow.
	_, err = sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("prod/taskhub/api"), Tags: smTags("classification", "restricted")})
	must(t, err)
	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "deny-restricted", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/classification":"restricted"}}}]}`)
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/api")})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/taskhub/api with an explicit deny in an identity-based policy")
	if _, err := usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")}); err != nil {
		t.Errorf("untagged secret after the deny: %v", err)
	}

	// Under a customer key, reading also needs kms:Decrypt on the key.
	k, err := s.KMSAs(root).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("TaskHub")})
	must(t, err)
	keyARN := aws.ToString(k.KeyMetadata.Arn)
	_, err = s.KMSAs(root).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taskhub_kms"), TargetKeyId: k.KeyMetadata.KeyId})
	must(t, err)
	createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("prod/taskhub/cmk"), KmsKeyId: aws.String("alias/taskhub_kms"), SecretString: aws.String("cmk-value")})
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/cmk")})
	apiError(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	// An alias ARN in Resource does not grant use of the key.
	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "decrypt", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:`+s.Account+`:alias/taskhub_kms"}]}`)
	_, err = usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/cmk")})
	apiError(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	// kms:ResourceAliases does.
	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "decrypt", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/taskhub_kms"},"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}]}`)
	if v, err := usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/cmk")}); err != nil || aws.ToString(v.SecretString) != "cmk-value" {
		t.Errorf("read under the customer key with kms:Decrypt by alias condition: %v", err)
	}
	// The same permission does not allow calling KMS directly (no kms:ViaService).
	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "decrypt", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+keyARN+`"}]}`)
	if _, err := usm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/cmk")}); err != nil {
		t.Errorf("read under the customer key with kms:Decrypt on its ARN: %v", err)
	}
	_, err = s.KMSAs(user).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyARN), Plaintext: []byte("x")})
	apiError(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: kms:Encrypt on resource: "+keyARN+" because no identity-based policy allows the kms:Encrypt action")

	// The key policy lockout check: a user allowed kms:* by IAM may not
	// set a policy that would shut it out, unless it bypasses the check.
	putUserPolicy(t, ctx, rootIAM, "taskhub-backend", "kms-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`)
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"kms:*","Resource":"*"}]}`
	_, err = s.KMSAs(user).PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"), Policy: aws.String(other)})
	apiError(t, err, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	_, err = s.KMSAs(user).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(other)})
	apiError(t, err, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	if _, err := s.KMSAs(user).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(other), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Errorf("CreateKey bypassing the lockout check: %v", err)
	}
	_, err = rootIAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("taskhub-backend"), PolicyName: aws.String("kms-admin")})
	must(t, err)

	// IAM itself: the user may not manage users.
	_, err = s.IAMAs(user).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	apiError(t, err, "AccessDenied", "")
}

// TestAccess_AssumeRole: a role assumed with a session policy can do only
// what both allow, and its credentials stop working when they expire.
func TestAccess_AssumeRole(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	root := s.rootCreds()
	sm, rootIAM := s.SMAs(root), s.IAMAs(root)
	for _, name := range []string{"prod/taskhub/db", "prod/taskhub/api"} {
		createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(name + "-value")})
	}
	user := newUser(t, ctx, rootIAM, "deployer")
	userARN := "arn:aws:iam::" + s.Account + ":user/deployer"
	roleARN := "arn:aws:iam::" + s.Account + ":role/taskhub-rotation"

	// Root credentials may not assume roles, as on AWS.
	_, err := s.STSAs(root).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx")})
	apiError(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")

	_, err = rootIAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("taskhub-rotation"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`),
	})
	must(t, err)
	_, err = rootIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("taskhub-rotation"), PolicyName: aws.String("rotate"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"}]}`),
	})
	must(t, err)

	// Another user is not in the trust policy.
	other := newUser(t, ctx, rootIAM, "intruder")
	_, err = s.STSAs(other).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx")})
	apiError(t, err, "AccessDenied", "")

	out, err := s.STSAs(user).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("rotation-1"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"*"}]}`),
	})
	must(t, err)
	sessARN := "arn:aws:sts::" + s.Account + ":assumed-role/taskhub-rotation/rotation-1"
	if aws.ToString(out.AssumedRoleUser.Arn) != sessARN || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") ||
		aws.ToString(out.Credentials.SessionToken) == "" || time.Until(aws.ToTime(out.Credentials.Expiration)) > 16*time.Minute {
		t.Fatalf("AssumeRole answered %+v", out.AssumedRoleUser)
	}
	sess := creds{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
	id, err := s.STSAs(sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	if aws.ToString(id.Arn) != sessARN || !strings.HasPrefix(aws.ToString(id.UserId), "AROA") || !strings.HasSuffix(aws.ToString(id.UserId), ":rotation-1") {
		t.Errorf("session identity: %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	ssm := s.SMAs(sess)
	// Both allow GetSecretValue on prod/taskhub/*.
	if _, err := ssm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")}); err != nil {
		t.Errorf("session read: %v", err)
	}
	// The role allows PutSecretValue, the session policy does not.
	_, err = ssm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/taskhub/db"), SecretString: aws.String("new")})
	apiError(t, err, "AccessDeniedException", "User: "+sessARN+" is not authorized to perform: secretsmanager:PutSecretValue on resource: prod/taskhub/db because no session policy allows the secretsmanager:PutSecretValue action")
	// The session policy allows ListSecrets, the role does not.
	_, err = ssm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	apiError(t, err, "AccessDeniedException", "User: "+sessARN+" is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action")

	// A wrong token is refused.
	bad := sess
	bad.Token = bad.Token[:len(bad.Token)-8] + "AAAAAAAA"
	_, err = s.SMAs(bad).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/taskhub/db")})
	apiError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")

	// Past its expiry (on the fake clock) the session is refused. The
	// requests are signed at the server's time, as a client with a synced
	// clock would sign them.
	s.SetClockOffset(t, 16*time.Minute)
	later := time.Now().Add(16 * time.Minute)
	code, body, _ := s.Raw(t, RawRequest{Target: "secretsmanager.GetSecretValue", Body: `{"SecretId":"prod/taskhub/db"}`,
		AccessKey: sess.AccessKey, SecretKey: sess.SecretKey, SessionToken: sess.Token, Time: later})
	if code != 400 || !strings.Contains(string(body), `"__type":"ExpiredTokenException"`) || !strings.Contains(string(body), "The security token included in the request is expired") {
		t.Errorf("expired session, Secrets Manager: %d %s", code, body)
	}
	code, body, _ = s.Raw(t, RawRequest{Body: "Action=GetCallerIdentity&Version=2011-06-15", Service: "sts", ContentType: "application/x-www-form-urlencoded",
		AccessKey: sess.AccessKey, SecretKey: sess.SecretKey, SessionToken: sess.Token, Time: later})
	if code != 403 || !strings.Contains(string(body), "<Code>ExpiredToken</Code>") {
		t.Errorf("expired session, STS: %d %s", code, body)
	}
	// The same request before the clock moved on is answered.
	s.SetClockOffset(t, 0)
	if code, body, _ := s.Raw(t, RawRequest{Target: "secretsmanager.GetSecretValue", Body: `{"SecretId":"prod/taskhub/db"}`,
		AccessKey: sess.AccessKey, SecretKey: sess.SecretKey, SessionToken: sess.Token}); code != 200 {
		t.Errorf("live session, raw request: %d %s", code, body)
	}

	// DurationSeconds past the role's maximum.
	_, err = s.STSAs(user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7200)})
	apiError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

	// GetSessionToken credentials act as the user.
	tok, err := s.STSAs(user).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(t, err)
	tc := creds{aws.ToString(tok.Credentials.AccessKeyId), aws.ToString(tok.Credentials.SecretAccessKey), aws.ToString(tok.Credentials.SessionToken)}
	id, err = s.STSAs(tc).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	if aws.ToString(id.Arn) != userARN {
		t.Errorf("GetSessionToken identity: %s", aws.ToString(id.Arn))
	}
	_, err = s.STSAs(tc).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	apiError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
}

func smTags(kv ...string) []smtypes.Tag {
	var out []smtypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, smtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// addAccount stops the server, creates another account with `coffer admin
// account create`, starts the server again and returns the new account's
// root credentials.
func (s *Server) addAccount(tb testing.TB, id string) creds {
	tb.Helper()
	s.Stop(tb)
	out, code := cofferExit(tb, "admin", "account", "create", "--account-id", id, "--data-dir", s.DataDir, "--key-file", s.KeyFile)
	if code != 0 {
		tb.Fatalf("coffer admin account create: exit %d\n%s", code, out)
	}
	c := creds{field(tb, []byte(out), `Access key id:\s+(\S+)`), field(tb, []byte(out), `Secret access key:\s+(\S+)`), ""}
	if !strings.Contains(out, "arn:aws:iam::"+id+":root") {
		tb.Errorf("account create output names no root principal:\n%s", out)
	}
	list, code := cofferExit(tb, "admin", "account", "list", "--data-dir", s.DataDir, "--key-file", s.KeyFile)
	if code != 0 || !strings.Contains(list, id) || !strings.Contains(list, s.Account) {
		tb.Errorf("coffer admin account list: exit %d\n%s", code, list)
	}
	s.Restart(tb)
	return c
}

// TestAccess_CrossAccount: account B reads account A's secret by ARN only
// while A's resource policy, B's identity policy and A's key policy all
// allow it; a secret under aws/secretsmanager is never readable from B.
func TestAccess_CrossAccount(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	const accountB = "210987654321"
	rootB := s.addAccount(t, accountB)
	rootA := s.rootCreds()
	smA, kmsA := s.SMAs(rootA), s.KMSAs(rootA)

	k, err := kmsA.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("shared")})
	must(t, err)
	keyARN := aws.ToString(k.KeyMetadata.Arn)
	keyPolicy := func(allowB bool) string {
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + s.Account + `:root"},"Action":"kms:*","Resource":"*"}`
		if allowB {
			doc += `,{"Sid":"AllowB","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountB + `:root"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}`
		}
		return doc + `]}`
	}
	_, err = kmsA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"), Policy: aws.String(keyPolicy(true))})
	must(t, err)
	sharedARN := createSecret(t, ctx, smA, &secretsmanager.CreateSecretInput{Name: aws.String("shared/db"), KmsKeyId: aws.String(keyARN), SecretString: aws.String("shared-value")})
	defaultARN := createSecret(t, ctx, smA, &secretsmanager.CreateSecretInput{Name: aws.String("shared/default-key"), SecretString: aws.String("default-key-value")})
	resourcePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountB + `:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	for _, arn := range []string{sharedARN, defaultARN} {
		_, err = smA.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String(resourcePolicy)})
		must(t, err)
	}

	iamB := s.IAMAs(rootB)
	reader := newUser(t, ctx, iamB, "reader")
	readerARN := "arn:aws:iam::" + accountB + ":user/reader"
	identityPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:` + s.Account + `:secret:shared/*"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + keyARN + `"}]}`
	putUserPolicy(t, ctx, iamB, "reader", "read-shared", identityPolicy)
	smB := s.SMAs(reader)

	read := func(id string) error {
		v, err := smB.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err == nil && aws.ToString(v.SecretString) != "shared-value" {
			t.Errorf("cross-account read of %s returned another value", id)
		}
		return err
	}
	if err := read(sharedARN); err != nil {
		t.Fatalf("cross-account read with all three policies: %v", err)
	}
	// By name, the name is looked up in B's own account.
	apiError(t, read("shared/db"), "AccessDeniedException", "")

	// Take away A's resource policy.
	_, err = smA.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(sharedARN)})
	must(t, err)
	apiError(t, read(sharedARN), "AccessDeniedException", "User: "+readerARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: "+sharedARN+" because no resource-based policy allows the secretsmanager:GetSecretValue action")
	_, err = smA.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(sharedARN), ResourcePolicy: aws.String(resourcePolicy)})
	must(t, err)
	must(t, read(sharedARN))

	// Take away B's identity policy.
	_, err = iamB.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("read-shared")})
	must(t, err)
	apiError(t, read(sharedARN), "AccessDeniedException", "User: "+readerARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: "+sharedARN+" because no identity-based policy allows the secretsmanager:GetSecretValue action")
	putUserPolicy(t, ctx, iamB, "reader", "read-shared", identityPolicy)
	must(t, read(sharedARN))

	// Take away A's key policy statement for B.
	_, err = kmsA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"), Policy: aws.String(keyPolicy(false))})
	must(t, err)
	apiError(t, read(sharedARN), "AccessDeniedException", "Access to KMS is not allowed")
	_, err = kmsA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"), Policy: aws.String(keyPolicy(true))})
	must(t, err)
	must(t, read(sharedARN))

	// Under aws/secretsmanager, never, whatever the policies say; B's root
	// neither.
	putUserPolicy(t, ctx, iamB, "reader", "everything", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	apiError(t, read(defaultARN), "AccessDeniedException", "Access to KMS is not allowed")
	_, err = s.SMAs(rootB).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(defaultARN)})
	apiError(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	// A itself reads it.
	if _, err := smA.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(defaultARN)}); err != nil {
		t.Errorf("A reads its own secret: %v", err)
	}
	// B's root may not change A's secret: the resource policy grants reads only.
	_, err = s.SMAs(rootB).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(sharedARN), SecretString: aws.String("x")})
	apiError(t, err, "AccessDeniedException", "")

	// The audit trail holds each cross-account read twice, as CloudTrail
	// delivers it: for B, the caller's account, and for A, the owner's.
	s.Stop(t)
	forA, _ := auditTrail(t, s, "--account", s.Account, "--principal", readerARN, "--event-name", "GetSecretValue")
	forB, _ := auditTrail(t, s, "--account", accountB, "--principal", readerARN, "--event-name", "GetSecretValue")
	// (One of B's reads named "shared/db", which is looked up in B's own
	// account: that one is not A's.)
	if len(forA) == 0 || len(forA) != len(forB)-1 {
		t.Errorf("cross-account reads in the trail: %d for the owner, %d for the caller (one of them in B only)", len(forA), len(forB))
	}
	for _, e := range forA {
		if e.RecipientAccountID != s.Account || e.UserIdentity.AccountID != accountB {
			t.Errorf("the owner's copy: recipient %s, caller account %s", e.RecipientAccountID, e.UserIdentity.AccountID)
		}
	}
}

// TestAccess_Escalations holds the ways around policy a review found, each
// now refused as AWS refuses it.
func TestAccess_Escalations(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	root := s.rootCreds()
	sm, rootIAM := s.SMAs(root), s.IAMAs(root)
	createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("s1"), SecretString: aws.String("the-value"), ClientRequestToken: aws.String(strings.Repeat("a", 32))})

	// A policy ARN spelled in another case names nothing, so a Deny on
	// iam:PolicyARN cannot be stepped around.
	admin, err := rootIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Admin"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	must(t, err)
	u := newUser(t, ctx, rootIAM, "att")
	putUserPolicy(t, ctx, rootIAM, "att", "self", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"arn:aws:iam::`+s.Account+`:user/att"},
		{"Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"`+aws.ToString(admin.Policy.Arn)+`"}}}]}`)
	_, err = s.IAMAs(u).AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("att"), PolicyArn: admin.Policy.Arn})
	apiError(t, err, "AccessDenied", "")
	_, err = s.IAMAs(u).AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("att"), PolicyArn: aws.String(strings.Replace(aws.ToString(admin.Policy.Arn), "Admin", "ADMIN", 1))})
	apiError(t, err, "NoSuchEntity", "")

	// CreateSecret naming an existing secret is authorized on that secret:
	// a caller it denies learns nothing about its value.
	creator := newUser(t, ctx, rootIAM, "creator")
	putUserPolicy(t, ctx, rootIAM, "creator", "create", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:CreateSecret","Resource":"*"}]}`)
	_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s1"),
		ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + s.Account + `:user/creator"},"Action":"secretsmanager:*","Resource":"*"}]}`)})
	must(t, err)
	for _, guess := range []string{"the-value", "wrong"} {
		_, err = s.SMAs(creator).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s1"), SecretString: aws.String(guess), ClientRequestToken: aws.String(strings.Repeat("a", 32))})
		apiError(t, err, "AccessDeniedException", "User: arn:aws:iam::"+s.Account+":user/creator is not authorized to perform: secretsmanager:CreateSecret on resource: s1 with an explicit deny in a resource-based policy")
	}
	// Nor does a writer that may not decrypt, through a retried token.
	writer := newUser(t, ctx, rootIAM, "writer")
	putUserPolicy(t, ctx, rootIAM, "writer", "write", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:PutSecretValue","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`)
	_, err = sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("s1")})
	must(t, err)
	for _, guess := range []string{"the-value", "wrong"} {
		_, err = s.SMAs(writer).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s1"), SecretString: aws.String(guess), ClientRequestToken: aws.String(strings.Repeat("a", 32))})
		apiError(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	}

	// Sessions: root's session credentials assume no role; a session
	// follows its role's unique id, not the name; a session policy's Deny
	// holds for aws/secretsmanager too; managed session policies come from
	// the role's account.
	assumer := newUser(t, ctx, rootIAM, "assumer")
	roleARN := "arn:aws:iam::" + s.Account + ":role/temp"
	mkRole := func(perms string) {
		_, err := rootIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("temp"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + s.Account + `:user/assumer"},"Action":"sts:AssumeRole"}]}`)})
		must(t, err)
		_, err = rootIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("temp"), PolicyName: aws.String("p"), PolicyDocument: aws.String(perms)})
		must(t, err)
	}
	mkRole(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:DescribeSecret","Resource":"*"}]}`)
	tok, err := s.STSAs(root).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(t, err)
	rootSess := creds{aws.ToString(tok.Credentials.AccessKeyId), aws.ToString(tok.Credentials.SecretAccessKey), aws.ToString(tok.Credentials.SessionToken)}
	_, err = s.STSAs(rootSess).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("r1")})
	apiError(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")

	out, err := s.STSAs(assumer).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("old"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`)})
	must(t, err)
	old := creds{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
	if _, err := s.SMAs(old).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s1")}); err != nil {
		t.Fatalf("session within its policies: %v", err)
	}
	_, err = rootIAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("temp"), PolicyName: aws.String("p")})
	must(t, err)
	_, err = rootIAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("temp")})
	must(t, err)
	mkRole(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	_, err = s.SMAs(old).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s1")})
	apiError(t, err, "AccessDeniedException", "")
	out, err = s.STSAs(assumer).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("new"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`)})
	must(t, err)
	fresh := creds{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
	_, err = s.SMAs(fresh).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s1")})
	apiError(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	_, err = s.STSAs(assumer).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("x1"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::210987654321:policy/Other")}}})
	apiError(t, err, "ValidationError", "Policy arn:aws:iam::210987654321:policy/Other does not exist or is not attachable.")

	// KMS: a Deny on the encryption context holds for direct calls.
	k, err := s.KMSAs(root).CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	enc, err := s.KMSAs(root).Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"classification": "secret"}})
	must(t, err)
	dec := newUser(t, ctx, rootIAM, "decrypter")
	putUserPolicy(t, ctx, rootIAM, "decrypter", "d", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},
		{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:classification":"secret"}}}]}`)
	_, err = s.KMSAs(dec).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"classification": "secret"}})
	apiError(t, err, "AccessDeniedException", "")
	enc2, err := s.KMSAs(root).Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"classification": "public"}})
	must(t, err)
	if _, err := s.KMSAs(dec).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc2.CiphertextBlob, EncryptionContext: map[string]string{"classification": "public"}}); err != nil {
		t.Errorf("decrypt with another context: %v", err)
	}
}
