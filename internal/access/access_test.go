package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/access"
	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// directory is a fixed set of identities.
type directory map[string]*access.Identity

func (d directory) Identity(_ context.Context, arn string) (*access.Identity, error) {
	if id, ok := d[arn]; ok {
		return id, nil
	}
	return &access.Identity{}, nil
}

const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	userA   = "arn:aws:iam::111111111111:user/alice"
	userB   = "arn:aws:iam::222222222222:user/bob"
	roleA   = "arn:aws:iam::111111111111:role/rotator"
	secret  = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf"
	keyA    = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	readAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
)

func pol(tb testing.TB, doc string) *policy.Policy {
	tb.Helper()
	p, err := policy.Parse([]byte(doc), policy.Identity)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestAuthorize_Refusals checks decisions and the wording of refusals, which
// follows IAM's "Access denied error messages" page.
func TestAuthorize_Refusals(t *testing.T) {
	t.Parallel()
	dir := directory{
		userA:                                   {Exists: true, UserID: "AIDAALICE", UserName: "alice", Policies: []*policy.Policy{pol(t, readAll)}},
		userB:                                   {Exists: true, UserID: "AIDABOB", UserName: "bob", Policies: []*policy.Policy{pol(t, readAll)}},
		roleA:                                   {Exists: true, UserID: "AROAROT", Policies: []*policy.Policy{pol(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`)}},
		"arn:aws:iam::111111111111:user/nobody": {Exists: true, UserID: "AIDANOBODY"},
		"arn:aws:iam::111111111111:user/denied": {Exists: true, UserID: "AIDADENIED", Policies: []*policy.Policy{
			pol(t, readAll),
			pol(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`),
		}},
	}
	az := &access.Authorizer{Directory: dir, Clock: clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))}
	get := secrets.Access{Action: "secretsmanager:GetSecretValue", Resource: secret, ResourceAccount: acctA, Shown: "prod/db"}
	shareB := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	sessionRead := &secrets.Session{RoleARN: roleA, RoleID: "AROAROT", Name: "s1", Policy: readAll}
	for _, tc := range []struct {
		name   string
		caller secrets.Caller
		access secrets.Access
		want   string // "" means allowed
	}{
		{"root in its account", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:root"}, get, ""},
		{"user with an allow", secrets.Caller{Account: acctA, Principal: userA}, get, ""},
		{"user without policies", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody"}, get,
			"User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no identity-based policy allows the secretsmanager:GetSecretValue action"},
		{"explicit deny by tag", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/denied"},
			withContext(get, "aws:ResourceTag/env", "prod"),
			"User: arn:aws:iam::111111111111:user/denied is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db with an explicit deny in an identity-based policy"},
		{"deny by tag only when tagged", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/denied"},
			withContext(get, "aws:ResourceTag/env", "dev"), ""},
		{"action on *", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody"},
			secrets.Access{Action: "secretsmanager:ListSecrets", Resource: "*"},
			"User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action"},
		{"cross-account without resource policy", secrets.Caller{Account: acctB, Principal: userB}, get,
			"User: arn:aws:iam::222222222222:user/bob is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no resource-based policy allows the secretsmanager:GetSecretValue action"},
		{"cross-account with resource policy", secrets.Caller{Account: acctB, Principal: userB}, withPolicy(get, shareB), ""},
		{"cross-account root of B with resource policy", secrets.Caller{Account: acctB, Principal: "arn:aws:iam::222222222222:root"}, withPolicy(get, shareB), ""},
		{"cross-account, B's identity does not allow", secrets.Caller{Account: acctB, Principal: "arn:aws:iam::222222222222:user/carol"}, withPolicy(get, shareB),
			"User: arn:aws:iam::222222222222:user/carol is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no identity-based policy allows the secretsmanager:GetSecretValue action"},
		{"session within both", secrets.Caller{Account: acctA, Principal: "arn:aws:sts::111111111111:assumed-role/rotator/s1", Session: sessionRead}, get, ""},
		{"session policy narrows", secrets.Caller{Account: acctA, Principal: "arn:aws:sts::111111111111:assumed-role/rotator/s1", Session: sessionRead},
			secrets.Access{Action: "secretsmanager:PutSecretValue", Resource: secret, Shown: "prod/db"},
			"User: arn:aws:sts::111111111111:assumed-role/rotator/s1 is not authorized to perform: secretsmanager:PutSecretValue on resource: prod/db because no session policy allows the secretsmanager:PutSecretValue action"},
		{"key policy delegating to IAM, no IAM allow", secrets.Caller{Account: acctA, Principal: userA},
			secrets.Access{Action: "kms:Decrypt", Resource: keyA, KeyPolicy: secrets.DefaultKeyPolicy(acctA)},
			"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: kms:Decrypt on resource: " + keyA + " because no identity-based policy allows the kms:Decrypt action"},
		{"key policy not naming the account", secrets.Caller{Account: acctA, Principal: userA},
			secrets.Access{Action: "secretsmanager:GetSecretValue", Resource: keyA, KeyPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"*","Resource":"*"}]}`},
			"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: secretsmanager:GetSecretValue on resource: " + keyA + " because no resource-based policy allows the secretsmanager:GetSecretValue action"},
		{"managed key policy across accounts", secrets.Caller{Account: acctB, Principal: "arn:aws:iam::222222222222:root"},
			secrets.Access{Action: "kms:Decrypt", Resource: keyA, ResourceAccount: acctA,
				KeyPolicy: secrets.KeyPolicy(&secrets.KMSKey{Account: acctA, Region: "us-east-1", Manager: "AWS"}),
				Context:   map[string][]string{"kms:ViaService": {"secretsmanager.us-east-1.amazonaws.com"}}},
			"User: arn:aws:iam::222222222222:root is not authorized to perform: kms:Decrypt on resource: " + keyA + " because no resource-based policy allows the kms:Decrypt action"},
		{"managed key policy in its account via the service", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody"},
			secrets.Access{Action: "kms:Decrypt", Resource: keyA, ResourceAccount: acctA,
				KeyPolicy: secrets.KeyPolicy(&secrets.KMSKey{Account: acctA, Region: "us-east-1", Manager: "AWS"}),
				Context:   map[string][]string{"kms:ViaService": {"secretsmanager.us-east-1.amazonaws.com"}}}, ""},
		{"managed key policy in its account, directly", secrets.Caller{Account: acctA, Principal: userA},
			secrets.Access{Action: "kms:Decrypt", Resource: keyA, ResourceAccount: acctA,
				KeyPolicy: secrets.KeyPolicy(&secrets.KMSKey{Account: acctA, Region: "us-east-1", Manager: "AWS"})},
			"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: kms:Decrypt on resource: " + keyA + " because no resource-based policy allows the kms:Decrypt action"},
		{"trust policy naming the user", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody"},
			secrets.Access{Action: "sts:AssumeRole", Resource: roleA, KeyPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/nobody"},"Action":"sts:AssumeRole"}]}`}, ""},
		{"trust policy naming the account needs IAM", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody"},
			secrets.Access{Action: "sts:AssumeRole", Resource: roleA, KeyPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`},
			"User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: sts:AssumeRole on resource: " + roleA + " because no identity-based policy allows the sts:AssumeRole action"},
		{"trust policy not naming the caller", secrets.Caller{Account: acctA, Principal: userA},
			secrets.Access{Action: "sts:AssumeRole", Resource: roleA, KeyPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
			"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: " + roleA + " because no resource-based policy allows the sts:AssumeRole action"},
		{"principal tag variable", secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:user/nobody", SourceIP: "10.1.2.3"},
			withContext(secrets.Access{Action: "secretsmanager:GetSecretValue", Resource: secret,
				ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`},
				"x", "y"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := az.Authorize(t.Context(), tc.caller, tc.access)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("denied: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("allowed, want %q", tc.want)
			case tc.want != "":
				if secrets.KindOf(err) != secrets.Denied || secrets.MessageOf(err) != tc.want {
					t.Fatalf("got %v %q\nwant %q", secrets.KindOf(err), secrets.MessageOf(err), tc.want)
				}
			}
		})
	}
}

func withContext(a secrets.Access, k, v string) secrets.Access {
	a.Context = map[string][]string{k: {v}}
	return a
}

func withPolicy(a secrets.Access, doc string) secrets.Access {
	a.ResourcePolicy = doc
	return a
}

// countingDirectory counts lookups.
type countingDirectory struct {
	directory
	n int
}

func (d *countingDirectory) Identity(ctx context.Context, arn string) (*access.Identity, error) {
	d.n++
	return d.directory.Identity(ctx, arn)
}

// TestPrepare: a prepared caller is authorized without a directory lookup,
// so Authorize can run inside a store transaction without taking a second
// connection (which a bounded reader pool can deadlock on).
func TestPrepare(t *testing.T) {
	t.Parallel()
	dir := &countingDirectory{directory: directory{userA: {Exists: true, UserID: "AIDAALICE", Policies: []*policy.Policy{pol(t, readAll)}}}}
	az := &access.Authorizer{Directory: dir}
	c := secrets.Caller{Account: acctA, Principal: userA}
	if err := az.Prepare(t.Context(), &c); err != nil {
		t.Fatal(err)
	}
	if dir.n != 1 || c.Resolved == nil || c.UserID != "AIDAALICE" {
		t.Fatalf("Prepare: %d lookups, caller %+v", dir.n, c)
	}
	for range 3 {
		if err := az.Authorize(t.Context(), c, secrets.Access{Action: "secretsmanager:GetSecretValue", Resource: secret}); err != nil {
			t.Fatal(err)
		}
	}
	if dir.n != 1 {
		t.Errorf("Authorize of a prepared caller looked the identity up again: %d lookups", dir.n)
	}
	// The root needs nothing loaded.
	root := secrets.Caller{Account: acctA, Principal: "arn:aws:iam::111111111111:root"}
	if err := az.Prepare(t.Context(), &root); err != nil || root.Resolved != nil || dir.n != 1 {
		t.Errorf("Prepare of the root: %v, %+v, %d lookups", err, root.Resolved, dir.n)
	}
}

// TestAuthorize_TagKeysDifferingInCase: two tags whose keys differ only in
// case (Secrets Manager and KMS keep both) make a condition on that key
// ambiguous; the request is refused rather than decided by either value.
func TestAuthorize_TagKeysDifferingInCase(t *testing.T) {
	t.Parallel()
	abac := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Env":"dev"}}},
		{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/Env":"dev"}}}]}`
	dir := directory{userA: {Exists: true, UserID: "AIDAALICE", Policies: []*policy.Policy{pol(t, abac), pol(t, readAll)}}}
	az := &access.Authorizer{Directory: dir}
	c := secrets.Caller{Account: acctA, Principal: userA}
	q := secrets.Access{Action: "secretsmanager:GetSecretValue", Resource: secret}
	q.Context = map[string][]string{"aws:ResourceTag/Env": {"dev"}}
	if err := az.Authorize(t.Context(), c, q); err != nil {
		t.Fatalf("one tag: %v", err)
	}
	q.Context = map[string][]string{"aws:ResourceTag/Env": {"prod"}, "aws:ResourceTag/env": {"dev"}}
	if err := az.Authorize(t.Context(), c, q); secrets.KindOf(err) != secrets.Denied {
		t.Fatalf("two tags differing in case: %v", err)
	}
	// A colliding key no policy reads is no obstacle.
	q.Context = map[string][]string{"aws:ResourceTag/Team": {"a"}, "aws:ResourceTag/team": {"b"}, "aws:ResourceTag/Env": {"dev"}}
	if err := az.Authorize(t.Context(), c, q); err != nil {
		t.Fatalf("colliding key no policy reads: %v", err)
	}
}
