package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// credsEnv returns the environment of an AWS client acting as c against s:
// s.Env() with the credentials (and any session token or profile of the
// test's own environment) replaced by c's.
func credsEnv(s *Server, c creds) []string {
	var env []string
	for _, kv := range s.Env() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "AWS_ACCESS_KEY_ID="+c.AccessKey, "AWS_SECRET_ACCESS_KEY="+c.SecretKey)
	if c.Token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+c.Token)
	}
	return env
}

// accessCLI runs the AWS CLI against one server, each command as the
// principal it is given.
type accessCLI struct {
	t      *testing.T
	path   string
	s      *Server
	region string // AWS_DEFAULT_REGION; us-east-1 when empty
}

// run runs `aws <args> --endpoint-url URL --output json` as c and returns
// its decoded JSON output (empty when it printed nothing), its stderr and
// its exit code.
func (a accessCLI) run(c creds, args ...string) (map[string]any, string, int) {
	a.t.Helper()
	full := append(slices.Clone(args), "--endpoint-url", a.s.URL, "--output", "json")
	cmd := exec.CommandContext(a.t.Context(), a.path, full...)
	cmd.Env = credsEnv(a.s, c)
	if a.region != "" {
		cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION="+a.region, "AWS_REGION="+a.region)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return nil, stderr.String(), ee.ExitCode()
	case err != nil:
		a.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	out := map[string]any{}
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			a.t.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), stdout.String(), err)
		}
	}
	return out, stderr.String(), 0
}

// ok runs a command that must succeed.
func (a accessCLI) ok(c creds, args ...string) map[string]any {
	a.t.Helper()
	out, stderr, code := a.run(c, args...)
	if code != 0 {
		a.t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// fail runs a command that must fail as botocore reports a service error:
// exit code 255 (CLI v1) or 254 (CLI v2) and "An error occurred (code)
// when calling the op operation: msg" on stderr.
func (a accessCLI) fail(c creds, code, op, msg string, args ...string) {
	a.t.Helper()
	out, stderr, exit := a.run(c, args...)
	if exit != 254 && exit != 255 {
		a.t.Errorf("aws %s: exit %d (output %v), want 254 or 255 with %s\n%s", strings.Join(args, " "), exit, out, code, stderr)
		return
	}
	want := "An error occurred (" + code + ") when calling the " + op + " operation: " + msg
	if !strings.Contains(stderr, want) {
		a.t.Errorf("aws %s: stderr\n  %q\nwant\n  %q", strings.Join(args, " "), strings.TrimSpace(stderr), want)
	}
}

// jget walks a decoded JSON value along keys (object members) and indexes
// (list elements, as ints).
func jget(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			l, _ := v.([]any)
			if p >= len(l) {
				return nil
			}
			v = l[p]
		}
	}
	return v
}

// jstr is jget for a string ("" when it is not one).
func jstr(v any, path ...any) string {
	s, _ := jget(v, path...).(string)
	return s
}

// jlen is the length of the list at path (-1 when it is not a list).
func jlen(v any, path ...any) int {
	l, ok := jget(v, path...).([]any)
	if !ok {
		return -1
	}
	return len(l)
}

// mustJSON decodes a JSON document the test wrote.
func mustJSON(tb testing.TB, doc string) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		tb.Fatalf("decode %s: %v", doc, err)
	}
	return v
}

// checkFields compares the string members of obj with want, member by
// member; a want of "" requires the member to be absent.
func checkFields(tb testing.TB, what string, obj any, want map[string]string) {
	tb.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		tb.Errorf("%s: %v is not an object", what, obj)
		return
	}
	for k, w := range want {
		got, present := m[k]
		if w == "" {
			if present {
				tb.Errorf("%s: %s = %v, want it absent", what, k, got)
			}
			continue
		}
		if got != w {
			tb.Errorf("%s: %s = %v, want %q", what, k, got, w)
		}
	}
}

// checkMatch requires the string member k of obj to match re.
func checkMatch(tb testing.TB, what string, obj any, k, re string) string {
	tb.Helper()
	v := jstr(obj, k)
	if !regexp.MustCompile(re).MatchString(v) {
		tb.Errorf("%s: %s = %q, want it to match %s", what, k, v, re)
	}
	return v
}

// checkRecent requires the member k of obj to be an ISO 8601 timestamp
// (as CLI v1 prints the query protocol's timestamps) within a minute of
// now+ahead.
func checkRecent(tb testing.TB, what string, obj any, k string, ahead time.Duration) time.Time {
	tb.Helper()
	v := jstr(obj, k)
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		tb.Errorf("%s: %s = %v: %v", what, k, jget(obj, k), err)
		return time.Time{}
	}
	if d := ts.Sub(time.Now().Add(ahead)); d.Abs() > time.Minute {
		tb.Errorf("%s: %s = %s, want about now+%s", what, k, v, ahead)
	}
	return ts
}

// TestCLIAccess is the operator's access-control workflow with the AWS
// CLI, each principal with its own credentials: the root creates a user,
// its key and an inline policy; the user reads what the policy allows and
// is refused the rest with AWS's messages; a role assumed with a session
// policy gets only what both allow; then keys are listed, disabled and
// deleted, a managed policy and a group add permissions, and DeleteUser is
// refused while anything still hangs off the user.
func TestCLIAccess(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	a := accessCLI{t, needTool(t, "aws", "pip install awscli"), s, ""}
	root := s.rootCreds()
	acct := s.Account
	userARN := "arn:aws:iam::" + acct + ":user/taskhub-backend"
	const (
		accessKeyRE = `^AKIA[A-Z0-9]{16}$`
		secretKeyRE = `^[A-Za-z0-9/+]{40}$`
	)

	// Root: the user, its access key.
	cu := a.ok(root, "iam", "create-user", "--user-name", "taskhub-backend")
	checkFields(t, "create-user", cu["User"], map[string]string{"UserName": "taskhub-backend", "Path": "/", "Arn": userARN, "PasswordLastUsed": ""})
	userID := checkMatch(t, "create-user", cu["User"], "UserId", `^AIDA[A-Z0-9]{17}$`)
	checkRecent(t, "create-user", cu["User"], "CreateDate", 0)

	ck := a.ok(root, "iam", "create-access-key", "--user-name", "taskhub-backend")
	key := ck["AccessKey"]
	checkFields(t, "create-access-key", key, map[string]string{"UserName": "taskhub-backend", "Status": "Active"})
	checkMatch(t, "create-access-key", key, "AccessKeyId", accessKeyRE)
	checkMatch(t, "create-access-key", key, "SecretAccessKey", secretKeyRE)
	checkRecent(t, "create-access-key", key, "CreateDate", 0)
	user := creds{jstr(key, "AccessKeyId"), jstr(key, "SecretAccessKey"), ""}
	if user.AccessKey == "" || user.SecretKey == "" {
		t.Fatalf("create-access-key printed %v", ck)
	}

	// Root: the TaskHub key and its alias, a secret under it and another.
	km := a.ok(root, "kms", "create-key", "--description", "TaskHub data key")["KeyMetadata"]
	keyID, keyARN := jstr(km, "KeyId"), jstr(km, "Arn")
	if keyARN != "arn:aws:kms:us-east-1:"+acct+":key/"+keyID {
		t.Fatalf("create-key = %v", km)
	}
	a.ok(root, "kms", "create-alias", "--alias-name", "alias/taskhub_kms", "--target-key-id", keyID)
	db := a.ok(root, "secretsmanager", "create-secret", "--name", "prod/taskhub/db", "--kms-key-id", "alias/taskhub_kms",
		"--secret-string", `{"username":"taskhub","password":"db-pw"}`)
	wantARN(t, jstr(db, "ARN"), "us-east-1", acct, "prod/taskhub/db")
	other := a.ok(root, "secretsmanager", "create-secret", "--name", "prod/other/x", "--secret-string", "other-value")
	wantARN(t, jstr(other, "ARN"), "us-east-1", acct, "prod/other/x")

	// Root: GetSecretValue on prod/taskhub/* only; reading prod/taskhub/db
	// then also needs kms:Decrypt on its customer key.
	readOnly := `{"Version":"2012-10-17","Statement":[{"Sid":"ReadTaskHub","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"}]}`
	if out := a.ok(root, "iam", "put-user-policy", "--user-name", "taskhub-backend", "--policy-name", "taskhub-read", "--policy-document", readOnly); len(out) != 0 {
		t.Errorf("put-user-policy printed %v", out)
	}

	// The user: who am I.
	id := a.ok(user, "sts", "get-caller-identity")
	checkFields(t, "get-caller-identity as the user", id, map[string]string{"Arn": userARN, "UserId": userID, "Account": acct})

	a.fail(user, "AccessDeniedException", "GetSecretValue", "Access to KMS is not allowed",
		"secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
	readDoc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"ReadTaskHub","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"},` +
		`{"Sid":"DecryptTaskHub","Effect":"Allow","Action":"kms:Decrypt","Resource":"` + keyARN + `"}]}`
	a.ok(root, "iam", "put-user-policy", "--user-name", "taskhub-backend", "--policy-name", "taskhub-read", "--policy-document", readDoc)

	got := a.ok(user, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
	checkFields(t, "get-secret-value as the user", got, map[string]string{"ARN": jstr(db, "ARN"), "Name": "prod/taskhub/db",
		"VersionId": jstr(db, "VersionId"), "SecretString": `{"username":"taskhub","password":"db-pw"}`})
	if !sameSet(anyStrings(got["VersionStages"]), []string{"AWSCURRENT"}) {
		t.Errorf("get-secret-value VersionStages = %v", got["VersionStages"])
	}
	a.fail(user, "AccessDeniedException", "GetSecretValue",
		"User: "+userARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/other/x because no identity-based policy allows the secretsmanager:GetSecretValue action",
		"secretsmanager", "get-secret-value", "--secret-id", "prod/other/x")
	a.fail(user, "AccessDeniedException", "DescribeSecret",
		"User: "+userARN+" is not authorized to perform: secretsmanager:DescribeSecret on resource: prod/taskhub/db because no identity-based policy allows the secretsmanager:DescribeSecret action",
		"secretsmanager", "describe-secret", "--secret-id", "prod/taskhub/db")
	// The user may not manage IAM, itself included.
	a.fail(user, "AccessDenied", "CreateUser",
		"User: "+userARN+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/mallory because no identity-based policy allows the iam:CreateUser action",
		"iam", "create-user", "--user-name", "mallory")
	a.fail(user, "AccessDenied", "GetUser",
		"User: "+userARN+" is not authorized to perform: iam:GetUser on resource: "+userARN+" because no identity-based policy allows the iam:GetUser action",
		"iam", "get-user")

	// In another region: IAM is global (the CLI signs it for us-east-1
	// whatever the region), STS answers for the same user, and Secrets
	// Manager has no prod/taskhub/db there.
	eu := accessCLI{t, a.path, s, "eu-west-1"}
	if lu := eu.ok(root, "iam", "list-users"); jlen(lu, "Users") != 1 || jstr(lu, "Users", 0, "Arn") != userARN {
		t.Errorf("list-users with AWS_DEFAULT_REGION=eu-west-1 = %v", lu)
	}
	checkFields(t, "get-caller-identity in eu-west-1", eu.ok(user, "sts", "get-caller-identity"), map[string]string{"Arn": userARN, "UserId": userID})
	eu.fail(user, "ResourceNotFoundException", "GetSecretValue", "Secrets Manager can't find the specified secret.",
		"secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")

	// The CLI decodes the URL-encoded PolicyDocument back into JSON.
	gp := a.ok(root, "iam", "get-user-policy", "--user-name", "taskhub-backend", "--policy-name", "taskhub-read")
	checkFields(t, "get-user-policy", gp, map[string]string{"UserName": "taskhub-backend", "PolicyName": "taskhub-read"})
	if !reflect.DeepEqual(gp["PolicyDocument"], mustJSON(t, readDoc)) {
		t.Errorf("get-user-policy PolicyDocument = %v, want %s", gp["PolicyDocument"], readDoc)
	}
	if lp := a.ok(root, "iam", "list-user-policies", "--user-name", "taskhub-backend"); !slices.Equal(anyStrings(lp["PolicyNames"]), []string{"taskhub-read"}) {
		t.Errorf("list-user-policies = %v", lp)
	}

	t.Run("AssumeRole", func(t *testing.T) {
		a := accessCLI{t, a.path, s, ""}
		roleARN := "arn:aws:iam::" + acct + ":role/taskhub-rotation"
		sessARN := "arn:aws:sts::" + acct + ":assumed-role/taskhub-rotation/rot1"
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`
		cr := a.ok(root, "iam", "create-role", "--role-name", "taskhub-rotation", "--assume-role-policy-document", trust,
			"--description", "rotates TaskHub secrets")
		role := cr["Role"]
		checkFields(t, "create-role", role, map[string]string{"RoleName": "taskhub-rotation", "Path": "/", "Arn": roleARN, "Description": "rotates TaskHub secrets"})
		roleID := checkMatch(t, "create-role", role, "RoleId", `^AROA[A-Z0-9]{17}$`)
		checkRecent(t, "create-role", role, "CreateDate", 0)
		if !reflect.DeepEqual(jget(role, "AssumeRolePolicyDocument"), mustJSON(t, trust)) {
			t.Errorf("create-role AssumeRolePolicyDocument = %v, want %s", jget(role, "AssumeRolePolicyDocument"), trust)
		}
		rolePolicy := `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"},` +
			`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + keyARN + `"}]}`
		a.ok(root, "iam", "put-role-policy", "--role-name", "taskhub-rotation", "--policy-name", "rotate", "--policy-document", rolePolicy)

		// Root credentials may not assume roles, as on AWS.
		a.fail(root, "AccessDenied", "AssumeRole", "Roles may not be assumed by root accounts.",
			"sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "rot0")

		sessionPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret","secretsmanager:ListSecrets","kms:Decrypt"],"Resource":"*"}]}`
		ar := a.ok(user, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "rot1", "--duration-seconds", "900", "--policy", sessionPolicy)
		cr2 := ar["Credentials"]
		checkMatch(t, "assume-role", cr2, "AccessKeyId", `^ASIA[A-Z0-9]{16}$`)
		checkMatch(t, "assume-role", cr2, "SecretAccessKey", secretKeyRE)
		checkMatch(t, "assume-role", cr2, "SessionToken", `^[A-Za-z0-9/+=]{40,}$`)
		checkRecent(t, "assume-role", cr2, "Expiration", 15*time.Minute)
		checkFields(t, "assume-role AssumedRoleUser", ar["AssumedRoleUser"], map[string]string{"Arn": sessARN, "AssumedRoleId": roleID + ":rot1"})
		if n, ok := ar["PackedPolicySize"].(float64); !ok || n < 0 || n > 100 {
			t.Errorf("assume-role PackedPolicySize = %v, want a percentage", ar["PackedPolicySize"])
		}
		sess := creds{jstr(cr2, "AccessKeyId"), jstr(cr2, "SecretAccessKey"), jstr(cr2, "SessionToken")}

		id := a.ok(sess, "sts", "get-caller-identity")
		checkFields(t, "get-caller-identity as the session", id, map[string]string{"Arn": sessARN, "UserId": roleID + ":rot1", "Account": acct})

		// Both allow reading prod/taskhub/db and decrypting its key.
		if v := a.ok(sess, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db"); jstr(v, "SecretString") != `{"username":"taskhub","password":"db-pw"}` {
			t.Errorf("get-secret-value as the session = %v", v)
		}
		if d := a.ok(sess, "secretsmanager", "describe-secret", "--secret-id", "prod/taskhub/db"); jstr(d, "Name") != "prod/taskhub/db" || jstr(d, "KmsKeyId") == "" {
			t.Errorf("describe-secret as the session = %v", d)
		}
		// Only the role allows PutSecretValue.
		a.fail(sess, "AccessDeniedException", "PutSecretValue",
			"User: "+sessARN+" is not authorized to perform: secretsmanager:PutSecretValue on resource: prod/taskhub/db because no session policy allows the secretsmanager:PutSecretValue action",
			"secretsmanager", "put-secret-value", "--secret-id", "prod/taskhub/db", "--secret-string", "rotated")
		// Only the session policy allows ListSecrets and prod/other/x.
		a.fail(sess, "AccessDeniedException", "ListSecrets",
			"User: "+sessARN+" is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action",
			"secretsmanager", "list-secrets")
		a.fail(sess, "AccessDeniedException", "GetSecretValue",
			"User: "+sessARN+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/other/x because no identity-based policy allows the secretsmanager:GetSecretValue action",
			"secretsmanager", "get-secret-value", "--secret-id", "prod/other/x")
		// The value was not changed by the refused write.
		if v := a.ok(root, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db"); jstr(v, "VersionId") != jstr(db, "VersionId") {
			t.Errorf("after the refused put-secret-value: %v", v)
		}

		// A tampered session token is refused by every service.
		bad := sess
		bad.Token = bad.Token[:len(bad.Token)-8] + "AAAAAAAA"
		const invalid = "The security token included in the request is invalid."
		a.fail(bad, "InvalidClientTokenId", "GetCallerIdentity", invalid, "sts", "get-caller-identity")
		a.fail(bad, "UnrecognizedClientException", "GetSecretValue", invalid, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
		a.fail(bad, "InvalidClientTokenId", "GetRole", invalid, "iam", "get-role", "--role-name", "taskhub-rotation")
		a.fail(bad, "UnrecognizedClientException", "DescribeKey", invalid, "kms", "describe-key", "--key-id", "alias/taskhub_kms")
		// Without its token, the session's key id is unknown.
		a.fail(creds{sess.AccessKey, sess.SecretKey, ""}, "InvalidClientTokenId", "GetCallerIdentity", invalid, "sts", "get-caller-identity")
	})

	t.Run("IAM", func(t *testing.T) {
		a := accessCLI{t, a.path, s, ""}
		const invalid = "The security token included in the request is invalid."
		// Listing and reading the user.
		lu := a.ok(root, "iam", "list-users")
		if jlen(lu, "Users") != 1 || !reflect.DeepEqual(jget(lu, "Users", 0), cu["User"]) {
			t.Errorf("list-users = %v, want [%v]", lu, cu["User"])
		}
		if gu := a.ok(root, "iam", "get-user", "--user-name", "taskhub-backend"); !reflect.DeepEqual(gu["User"], cu["User"]) {
			t.Errorf("get-user = %v, want %v", gu["User"], cu["User"])
		}
		// Without a name, GetUser answers for the caller: here the root.
		gr := a.ok(root, "iam", "get-user")
		checkFields(t, "get-user as the root", gr["User"], map[string]string{"Arn": "arn:aws:iam::" + acct + ":root", "UserId": acct, "UserName": ""})

		// Access keys: list, a second key, disable, enable, delete.
		lk := a.ok(root, "iam", "list-access-keys", "--user-name", "taskhub-backend")
		if jlen(lk, "AccessKeyMetadata") != 1 {
			t.Fatalf("list-access-keys = %v", lk)
		}
		checkFields(t, "list-access-keys", jget(lk, "AccessKeyMetadata", 0), map[string]string{"UserName": "taskhub-backend",
			"AccessKeyId": user.AccessKey, "Status": "Active", "SecretAccessKey": "", "CreateDate": jstr(key, "CreateDate")})

		k2 := a.ok(root, "iam", "create-access-key", "--user-name", "taskhub-backend")["AccessKey"]
		second := creds{jstr(k2, "AccessKeyId"), jstr(k2, "SecretAccessKey"), ""}
		if second.AccessKey == user.AccessKey || second.SecretKey == user.SecretKey {
			t.Fatalf("the second key is the first: %v", k2)
		}
		// A third is over AWS's quota of two.
		a.fail(root, "LimitExceeded", "CreateAccessKey", "Cannot exceed quota for AccessKeysPerUser: 2",
			"iam", "create-access-key", "--user-name", "taskhub-backend")
		checkFields(t, "get-caller-identity with the second key", a.ok(second, "sts", "get-caller-identity"),
			map[string]string{"Arn": userARN, "UserId": userID})

		if out := a.ok(root, "iam", "update-access-key", "--user-name", "taskhub-backend", "--access-key-id", second.AccessKey, "--status", "Inactive"); len(out) != 0 {
			t.Errorf("update-access-key printed %v", out)
		}
		lk = a.ok(root, "iam", "list-access-keys", "--user-name", "taskhub-backend")
		status := map[string]string{}
		for i := range jlen(lk, "AccessKeyMetadata") {
			status[jstr(lk, "AccessKeyMetadata", i, "AccessKeyId")] = jstr(lk, "AccessKeyMetadata", i, "Status")
		}
		if !reflect.DeepEqual(status, map[string]string{user.AccessKey: "Active", second.AccessKey: "Inactive"}) {
			t.Errorf("list-access-keys after update-access-key = %v", lk)
		}
		// An inactive key is refused, in each service's words.
		a.fail(second, "InvalidClientTokenId", "GetCallerIdentity", invalid, "sts", "get-caller-identity")
		a.fail(second, "UnrecognizedClientException", "GetSecretValue", invalid, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
		a.fail(second, "InvalidClientTokenId", "ListAccessKeys", invalid, "iam", "list-access-keys")
		a.fail(second, "UnrecognizedClientException", "DescribeKey", invalid, "kms", "describe-key", "--key-id", "alias/taskhub_kms")
		// The first key is unaffected.
		if v := a.ok(user, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db"); jstr(v, "Name") != "prod/taskhub/db" {
			t.Errorf("first key after the second was disabled: %v", v)
		}
		// Active again, it works again.
		a.ok(root, "iam", "update-access-key", "--user-name", "taskhub-backend", "--access-key-id", second.AccessKey, "--status", "Active")
		if v := a.ok(second, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db"); jstr(v, "Name") != "prod/taskhub/db" {
			t.Errorf("second key made active again: %v", v)
		}
		if out := a.ok(root, "iam", "delete-access-key", "--user-name", "taskhub-backend", "--access-key-id", second.AccessKey); len(out) != 0 {
			t.Errorf("delete-access-key printed %v", out)
		}
		a.fail(second, "InvalidClientTokenId", "GetCallerIdentity", invalid, "sts", "get-caller-identity")
		a.fail(second, "UnrecognizedClientException", "GetSecretValue", invalid, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
		a.fail(root, "NoSuchEntity", "DeleteAccessKey", "The Access Key with id "+second.AccessKey+" cannot be found.",
			"iam", "delete-access-key", "--user-name", "taskhub-backend", "--access-key-id", second.AccessKey)
		lk = a.ok(root, "iam", "list-access-keys", "--user-name", "taskhub-backend")
		if jlen(lk, "AccessKeyMetadata") != 1 || jstr(lk, "AccessKeyMetadata", 0, "AccessKeyId") != user.AccessKey {
			t.Errorf("list-access-keys after delete-access-key = %v", lk)
		}

		// A managed policy attached to the user adds DescribeSecret.
		a.fail(user, "AccessDeniedException", "DescribeSecret",
			"User: "+userARN+" is not authorized to perform: secretsmanager:DescribeSecret on resource: prod/other/x because no identity-based policy allows the secretsmanager:DescribeSecret action",
			"secretsmanager", "describe-secret", "--secret-id", "prod/other/x")
		policyARN := "arn:aws:iam::" + acct + ":policy/taskhub-describe"
		cp := a.ok(root, "iam", "create-policy", "--policy-name", "taskhub-describe", "--description", "describe prod secrets",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:DescribeSecret","Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}]}`)
		checkFields(t, "create-policy", cp["Policy"], map[string]string{"PolicyName": "taskhub-describe", "Arn": policyARN, "Path": "/", "DefaultVersionId": "v1"})
		checkMatch(t, "create-policy", cp["Policy"], "PolicyId", `^ANPA[A-Z0-9]{17}$`)
		checkRecent(t, "create-policy", cp["Policy"], "CreateDate", 0)
		if jget(cp, "Policy", "AttachmentCount") != 0.0 || jget(cp, "Policy", "IsAttachable") != true {
			t.Errorf("create-policy = %v", cp)
		}
		if out := a.ok(root, "iam", "attach-user-policy", "--user-name", "taskhub-backend", "--policy-arn", policyARN); len(out) != 0 {
			t.Errorf("attach-user-policy printed %v", out)
		}
		la := a.ok(root, "iam", "list-attached-user-policies", "--user-name", "taskhub-backend")
		if jlen(la, "AttachedPolicies") != 1 {
			t.Errorf("list-attached-user-policies = %v", la)
		}
		checkFields(t, "list-attached-user-policies", jget(la, "AttachedPolicies", 0), map[string]string{"PolicyName": "taskhub-describe", "PolicyArn": policyARN})
		if n := jget(a.ok(root, "iam", "get-policy", "--policy-arn", policyARN), "Policy", "AttachmentCount"); n != 1.0 {
			t.Errorf("get-policy AttachmentCount = %v after attach-user-policy", n)
		}
		if d := a.ok(user, "secretsmanager", "describe-secret", "--secret-id", "prod/other/x"); jstr(d, "ARN") != jstr(other, "ARN") {
			t.Errorf("describe-secret with the attached policy = %v", d)
		}

		// A group whose policy adds ListSecrets.
		a.fail(user, "AccessDeniedException", "ListSecrets",
			"User: "+userARN+" is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action",
			"secretsmanager", "list-secrets")
		groupARN := "arn:aws:iam::" + acct + ":group/taskhub-devs"
		cg := a.ok(root, "iam", "create-group", "--group-name", "taskhub-devs")
		checkFields(t, "create-group", cg["Group"], map[string]string{"GroupName": "taskhub-devs", "Path": "/", "Arn": groupARN})
		checkMatch(t, "create-group", cg["Group"], "GroupId", `^AGPA[A-Z0-9]{17}$`)
		checkRecent(t, "create-group", cg["Group"], "CreateDate", 0)
		if out := a.ok(root, "iam", "add-user-to-group", "--group-name", "taskhub-devs", "--user-name", "taskhub-backend"); len(out) != 0 {
			t.Errorf("add-user-to-group printed %v", out)
		}
		gg := a.ok(root, "iam", "get-group", "--group-name", "taskhub-devs")
		if !reflect.DeepEqual(gg["Group"], cg["Group"]) || jlen(gg, "Users") != 1 || !reflect.DeepEqual(jget(gg, "Users", 0), cu["User"]) {
			t.Errorf("get-group = %v\nwant Group %v and Users [%v]", gg, cg["Group"], cu["User"])
		}
		a.ok(root, "iam", "put-group-policy", "--group-name", "taskhub-devs", "--policy-name", "list",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:ListSecrets","Resource":"*"}]}`)
		ls := a.ok(user, "secretsmanager", "list-secrets")
		var names []string
		for i := range jlen(ls, "SecretList") {
			names = append(names, jstr(ls, "SecretList", i, "Name"))
		}
		if !sameSet(names, []string{"prod/taskhub/db", "prod/other/x"}) {
			t.Errorf("list-secrets with the group's policy = %v", ls)
		}

		// DeleteUser is refused while keys, policies or groups remain, in
		// AWS's order, and then deletes the user.
		delUser := []string{"iam", "delete-user", "--user-name", "taskhub-backend"}
		a.fail(root, "DeleteConflict", "DeleteUser", "Cannot delete entity, must delete access keys first.", delUser...)
		a.ok(root, "iam", "delete-access-key", "--user-name", "taskhub-backend", "--access-key-id", user.AccessKey)
		a.fail(root, "DeleteConflict", "DeleteUser", "Cannot delete entity, must delete policies first.", delUser...)
		a.ok(root, "iam", "delete-user-policy", "--user-name", "taskhub-backend", "--policy-name", "taskhub-read")
		a.fail(root, "DeleteConflict", "DeleteUser", "Cannot delete entity, must detach all policies first.", delUser...)
		a.ok(root, "iam", "detach-user-policy", "--user-name", "taskhub-backend", "--policy-arn", policyARN)
		a.fail(root, "DeleteConflict", "DeleteUser", "Cannot delete entity, must remove users from group first.", delUser...)
		a.ok(root, "iam", "remove-user-from-group", "--group-name", "taskhub-devs", "--user-name", "taskhub-backend")
		if out := a.ok(root, delUser...); len(out) != 0 {
			t.Errorf("delete-user printed %v", out)
		}
		a.fail(root, "NoSuchEntity", "GetUser", "The user with name taskhub-backend cannot be found.", "iam", "get-user", "--user-name", "taskhub-backend")
		if lu := a.ok(root, "iam", "list-users"); jlen(lu, "Users") != 0 {
			t.Errorf("list-users after delete-user = %v", lu)
		}
		a.fail(user, "UnrecognizedClientException", "GetSecretValue", invalid, "secretsmanager", "get-secret-value", "--secret-id", "prod/taskhub/db")
	})
}
