package secrets_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// AWS's resource-policy texts, copied (sources in messages.go).
const (
	msgPolicySyntax            = "This resource policy contains a syntax error."                                                                                               // AWS docs, AWS-seen
	msgUnsupportedPrincipal    = "This resource policy contains an unsupported principal."                                                                                     // AWS docs, AWS-seen
	msgInvalidServicePrincipal = "This resource policy contains an invalid service principal."                                                                                 // AWS docs
	msgPublicPolicy            = "You can't attach a resource-based policy that allows broad access to the secret."                                                            // AWS docs
	msgBroadAccess             = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console." // AWS docs (console)
	msgLockout                 = "Your requested changes will not allow you to manage this secret in the future."                                                              // AWS docs
)

// Policies of the tests. fixedPolicy is the example of AWS's
// PutResourcePolicy documentation, newlines and all: GetResourcePolicy
// must give it back byte for byte.
const (
	fixedPolicy = "{\n\"Version\":\"2012-10-17\",\n\"Statement\":[{\n\"Effect\":\"Allow\",\n\"Principal\":{\n\"AWS\":\"arn:aws:iam::123456789012:root\"\n},\n\"Action\":\"secretsmanager:GetSecretValue\",\n\"Resource\":\"*\"\n}]\n}"
	// The User Guide's "Broad Access JSON".
	publicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`
	// publicPolicy narrowed to one account: not public.
	narrowedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`
	// The User Guide's "Lockout JSON".
	lockoutPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`
)

// stmt is a one-statement resource policy with the given Principal (raw
// JSON) and Resource.
func stmt(principal, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal +
		`,"Action":"secretsmanager:GetSecretValue","Resource":"` + resource + `"}}`
}

func mustPutPolicy(tb testing.TB, svc *secrets.Service, c secrets.Caller, id, doc string) *secrets.SecretRef {
	tb.Helper()
	ref, err := svc.PutResourcePolicy(tb.Context(), c, secrets.PutResourcePolicyInput{SecretID: id, ResourcePolicy: doc})
	if err != nil {
		tb.Fatalf("PutResourcePolicy(%s): %v", id, err)
	}
	return ref
}

func policyOf(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string) string {
	tb.Helper()
	out, err := svc.GetResourcePolicy(tb.Context(), c, id)
	if err != nil {
		tb.Fatalf("GetResourcePolicy(%s): %v", id, err)
	}
	return out.ResourcePolicy
}

func TestService_ResourcePolicy_RoundTrip(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	ctx := t.Context()
	ref := MustCreateSecret(t, svc, alice, "app/db")

	got, err := svc.GetResourcePolicy(ctx, alice, "app/db")
	if err != nil {
		t.Fatal(err)
	}
	if *got != (secrets.ResourcePolicyOutput{ARN: ref.ARN, Name: "app/db"}) {
		t.Errorf("GetResourcePolicy before any put = %+v, want ARN and Name, no policy", got)
	}

	clk.Advance(time.Hour)
	put := mustPutPolicy(t, svc, alice, ref.ARN, fixedPolicy)
	if *put != (secrets.SecretRef{ARN: ref.ARN, Name: "app/db"}) {
		t.Errorf("PutResourcePolicy = %+v, want ARN and Name", put)
	}
	for _, id := range []string{"app/db", ref.ARN, ref.ARN[:len(ref.ARN)-7]} {
		if p := policyOf(t, svc, alice, id); p != fixedPolicy {
			t.Errorf("GetResourcePolicy(%s) = %q, want the document as put", id, p)
		}
	}
	if d := MustDescribeSecret(t, svc, alice, "app/db"); !d.LastChangedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("LastChangedAt = %v, want the time of PutResourcePolicy", d.LastChangedAt)
	}

	// A put replaces; other writes to the secret keep the policy.
	mustPutPolicy(t, svc, alice, "app/db", publicPolicy)
	if err := svc.TagResource(ctx, alice, "app/db", []secrets.Tag{{Key: "k", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateSecret(ctx, alice, secrets.UpdateSecretInput{SecretID: "app/db", Description: ptr("d"), Token: tok(1), Value: val("v1")}); err != nil {
		t.Fatal(err)
	}
	MustPutSecretValue(t, svc, alice, "app/db", tok(2), "v2")
	if p := policyOf(t, svc, alice, "app/db"); p != publicPolicy {
		t.Errorf("policy after TagResource, UpdateSecret, PutSecretValue = %q, want the last one put", p)
	}
	clk.Advance(time.Hour)
	del, err := svc.DeleteResourcePolicy(ctx, alice, "app/db")
	if err != nil {
		t.Fatal(err)
	}
	if *del != (secrets.SecretRef{ARN: ref.ARN, Name: "app/db"}) {
		t.Errorf("DeleteResourcePolicy = %+v, want ARN and Name", del)
	}
	if p := policyOf(t, svc, alice, "app/db"); p != "" {
		t.Errorf("policy after DeleteResourcePolicy = %q, want none", p)
	}
	if d := MustDescribeSecret(t, svc, alice, "app/db"); !d.LastChangedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("LastChangedAt = %v, want the time of DeleteResourcePolicy", d.LastChangedAt)
	}
	// Deleting what is not there is not an error, and changes nothing.
	clk.Advance(time.Hour)
	if _, err := svc.DeleteResourcePolicy(ctx, alice, "app/db"); err != nil {
		t.Errorf("DeleteResourcePolicy without a policy: %v", err)
	}
	if d := MustDescribeSecret(t, svc, alice, "app/db"); !d.LastChangedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("LastChangedAt = %v after deleting no policy, want it unchanged", d.LastChangedAt)
	}

	// A secret created again under the name starts without a policy.
	mustPutPolicy(t, svc, alice, "app/db", fixedPolicy)
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "app/db", Force: ptr(true)})
	MustCreateSecret(t, svc, alice, "app/db")
	if p := policyOf(t, svc, alice, "app/db"); p != "" {
		t.Errorf("policy of a re-created secret = %q, want none", p)
	}
}

func TestService_PutResourcePolicy_Errors(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	ctx := t.Context()
	ref := MustCreateSecret(t, svc, alice, "app")
	mustPutPolicy(t, svc, alice, "app", fixedPolicy)
	MustCreateSecret(t, svc, alice, "gone")
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "gone"})

	for _, c := range []struct {
		name   string
		caller secrets.Caller
		id     string
		doc    string
		block  bool
		kind   secrets.Kind
		msg    string
	}{
		{"Missing", alice, "nope", fixedPolicy, false, secrets.NotFound, msgSecretNotFound},
		{"OtherAccount", bob, "app", fixedPolicy, false, secrets.NotFound, msgSecretNotFound},
		{"OtherRegion", aliceWest, "app", fixedPolicy, false, secrets.NotFound, msgSecretNotFound},
		{"InvalidName", alice, "bad name", fixedPolicy, false, secrets.Validation, msgInvalidName},
		// Refused as every other write is (the Terraform provider treats this
		// answer as "gone").
		{"Scheduled", alice, "gone", fixedPolicy, false, secrets.InvalidRequest, msgMarkedForDeletion},
		// The secret is looked up before the document is read.
		{"MissingAndMalformed", alice, "nope", "{", false, secrets.NotFound, msgSecretNotFound},

		{"NotJSON", alice, "app", "some policy", false, secrets.MalformedPolicy, msgPolicySyntax},
		{"TrailingGarbage", alice, "app", fixedPolicy + "}", false, secrets.MalformedPolicy, msgPolicySyntax},
		// The User Guide's "Syntax Error JSON".
		{"BadEffect", alice, "app", strings.Replace(publicPolicy, `"Allow"`, `"AllowSomething"`, 1), false, secrets.MalformedPolicy, msgPolicySyntax},
		{"NoStatement", alice, "app", `{"Version":"2012-10-17"}`, false, secrets.MalformedPolicy, msgPolicySyntax},
		{"NoPrincipal", alice, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`, false, secrets.MalformedPolicy, msgPolicySyntax},
		{"UnknownElement", alice, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Unknown":"*"}]}`, false, secrets.MalformedPolicy, msgPolicySyntax},
		{"BadVersion", alice, "app", strings.Replace(fixedPolicy, "2012-10-17", "2019-10-19", 1), false, secrets.MalformedPolicy, msgPolicySyntax},

		{"PrincipalNotAnARN", alice, "app", stmt(`{"AWS":"alice"}`, "*"), false, secrets.MalformedPolicy, msgUnsupportedPrincipal},
		{"PrincipalWildcardARN", alice, "app", stmt(`{"AWS":"arn:aws:iam::123456789012:user/*"}`, "*"), false, secrets.MalformedPolicy, msgUnsupportedPrincipal},
		{"CanonicalUser", alice, "app", stmt(`{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`, "*"), false, secrets.MalformedPolicy, msgUnsupportedPrincipal},
		{"ServicePrincipalNotAService", alice, "app", stmt(`{"Service":"invalid-service"}`, "*"), false, secrets.MalformedPolicy, msgInvalidServicePrincipal},
		{"ServicePrincipalWildcard", alice, "app", stmt(`{"Service":"*"}`, "*"), false, secrets.MalformedPolicy, msgInvalidServicePrincipal},
		{"ResourceOfAnotherService", alice, "app", stmt(`{"AWS":"123456789012"}`, "arn:aws:s3:::bucket/key"), false, secrets.MalformedPolicy, msgPolicySyntax},

		{"BlockPublic", alice, "app", publicPolicy, true, secrets.PublicPolicy, msgPublicPolicy},
		{"BlockPublicAWSStar", alice, "app", stmt(`{"AWS":"*"}`, "*"), true, secrets.PublicPolicy, msgPublicPolicy},
		// A malformed document is refused as such before its breadth is judged.
		{"BlockPublicMalformed", alice, "app", strings.Replace(publicPolicy, `"secretsmanager:*"`, `"getsecretvalue"`, 1), true, secrets.MalformedPolicy, msgPolicySyntax},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.PutResourcePolicy(ctx, c.caller, secrets.PutResourcePolicyInput{SecretID: c.id, ResourcePolicy: c.doc, BlockPublicPolicy: c.block})
			assertError(t, err, c.kind, c.msg)
		})
	}
	if p := policyOf(t, svc, alice, ref.ARN); p != fixedPolicy {
		t.Errorf("policy after refused puts = %q, want the one put first", p)
	}
}

func TestService_PutResourcePolicy_BlockPublicPolicy(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	MustCreateSecret(t, svc, alice, "app")
	for _, c := range []struct {
		name  string
		doc   string
		block bool
	}{
		// Without BlockPublicPolicy a public policy is stored: the default,
		// as localstack's AWS-validated test_resource_policy shows.
		{"PublicUnblocked", publicPolicy, false},
		{"NarrowedBlocked", narrowedPolicy, true},
		{"FixedBlocked", fixedPolicy, true},
		{"LockoutBlocked", lockoutPolicy, true},
		{"ServicePrincipal", stmt(`{"Service":"lambda.amazonaws.com"}`, "*"), true},
		{"ChinaServicePrincipal", stmt(`{"Service":"ec2.amazonaws.com.cn"}`, "*"), true},
		{"ResourceThisSecret", stmt(`{"AWS":"123456789012"}`, "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-*"), true},
		{"ResourceAnyService", stmt(`{"AWS":"123456789012"}`, "arn:aws:*:*:111122223333:*"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.PutResourcePolicy(t.Context(), alice, secrets.PutResourcePolicyInput{SecretID: "app", ResourcePolicy: c.doc, BlockPublicPolicy: c.block})
			if err != nil {
				t.Fatalf("PutResourcePolicy: %v", err)
			}
			if p := policyOf(t, svc, alice, "app"); p != c.doc {
				t.Errorf("policy = %q, want %q", p, c.doc)
			}
		})
	}
}

func TestService_GetDeleteResourcePolicy_Errors(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	ctx := t.Context()
	MustCreateSecret(t, svc, alice, "app")
	mustPutPolicy(t, svc, alice, "app", fixedPolicy)
	MustCreateSecret(t, svc, alice, "gone")
	mustPutPolicy(t, svc, alice, "gone", fixedPolicy)
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "gone"})

	ops := map[string]func(secrets.Caller, string) error{
		"Get": func(c secrets.Caller, id string) error {
			_, err := svc.GetResourcePolicy(ctx, c, id)
			return err
		},
		"Delete": func(c secrets.Caller, id string) error {
			_, err := svc.DeleteResourcePolicy(ctx, c, id)
			return err
		},
	}
	for name, call := range ops {
		t.Run(name, func(t *testing.T) {
			assertError(t, call(alice, "nope"), secrets.NotFound, msgSecretNotFound)
			assertError(t, call(bob, "app"), secrets.NotFound, msgSecretNotFound)
			assertError(t, call(alice, "bad name"), secrets.Validation, msgInvalidName)
			assertError(t, call(alice, "gone"), secrets.InvalidRequest, msgMarkedForDeletion)
		})
	}
	// The scheduled secret keeps its policy, and has it again once restored.
	if _, err := svc.RestoreSecret(ctx, alice, "gone"); err != nil {
		t.Fatal(err)
	}
	if p := policyOf(t, svc, alice, "gone"); p != fixedPolicy {
		t.Errorf("policy after RestoreSecret = %q, want the one put before DeleteSecret", p)
	}
}

func TestService_ValidateResourcePolicy(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	ref := MustCreateSecret(t, svc, alice, "app")
	MustCreateSecret(t, svc, alice, "gone")
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "gone"})
	broad := secrets.ValidationError{Check: "REFLEXIVE_PRINCIPAL_CHECK", Message: msgBroadAccess}
	lockout := secrets.ValidationError{Check: "LOCKOUT_CHECK", Message: msgLockout}
	misfit := func(msg string) secrets.ValidationError {
		return secrets.ValidationError{Check: "VALID_RESOURCE_POLICY", Message: msg}
	}
	other := secrets.Caller{Account: "111122223333", Region: "us-east-1", Principal: "arn:aws:iam::111122223333:user/carol"}
	for _, c := range []struct {
		name   string
		caller secrets.Caller
		id     string
		doc    string
		want   []secrets.ValidationError
	}{
		// The example of AWS's ValidateResourcePolicy documentation passes,
		// with or without a secret.
		{"Fixed", alice, "", fixedPolicy, nil},
		{"FixedForSecret", alice, "app", fixedPolicy, nil},
		{"FixedForSecretARN", alice, ref.ARN, fixedPolicy, nil},
		{"Narrowed", alice, "app", narrowedPolicy, nil},
		{"Public", alice, "app", publicPolicy, []secrets.ValidationError{broad}},
		{"PublicWithoutSecret", alice, "", publicPolicy, []secrets.ValidationError{broad}},
		{"Lockout", alice, "app", lockoutPolicy, []secrets.ValidationError{lockout}},
		{"LockoutWithoutSecret", alice, "", lockoutPolicy, []secrets.ValidationError{lockout}},
		// A Deny of someone else, or of other actions, locks nobody out.
		{"DenyOther", alice, "app", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"*","Resource":"*"}}`, nil},
		{"DenyOtherIsCarol", other, "app", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"*","Resource":"*"}}`, []secrets.ValidationError{lockout}},
		{"DenyRead", alice, "app", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}}`, nil},
		{"PublicAndLockout", alice, "app", `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"secretsmanager:PutResourcePolicy","Resource":"*"}]}`, []secrets.ValidationError{broad, lockout}},
		{"UnsupportedPrincipal", alice, "app", stmt(`{"AWS":"alice"}`, "*"), []secrets.ValidationError{misfit(msgUnsupportedPrincipal)}},
		{"InvalidServicePrincipal", alice, "app", stmt(`{"Service":"invalid-service"}`, "*"), []secrets.ValidationError{misfit(msgInvalidServicePrincipal)}},
		{"ResourceOfAnotherService", alice, "", stmt(`{"AWS":"123456789012"}`, "arn:aws:s3:::bucket"), []secrets.ValidationError{misfit(msgPolicySyntax)}},
		{"MisfitAndPublic", alice, "", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*","Service":"nope"},"Action":"*","Resource":"*"}}`,
			[]secrets.ValidationError{misfit(msgInvalidServicePrincipal), broad}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := svc.ValidateResourcePolicy(t.Context(), c.caller, secrets.ValidateResourcePolicyInput{SecretID: c.id, ResourcePolicy: c.doc})
			if err != nil {
				t.Fatalf("ValidateResourcePolicy: %v", err)
			}
			if got.Passed != (len(c.want) == 0) || !slices.Equal(got.Errors, c.want) {
				t.Errorf("ValidateResourcePolicy = %+v, want passed %v, errors %+v", got, len(c.want) == 0, c.want)
			}
		})
	}
	// Validating attaches nothing.
	if p := policyOf(t, svc, alice, "app"); p != "" {
		t.Errorf("policy after ValidateResourcePolicy = %q, want none", p)
	}

	for _, c := range []struct {
		name string
		id   string
		doc  string
		kind secrets.Kind
		msg  string
	}{
		{"NotJSON", "", "some policy", secrets.MalformedPolicy, msgPolicySyntax},
		{"NoStatement", "", `{"Version":"2012-10-17"}`, secrets.MalformedPolicy, msgPolicySyntax},
		{"NoEffect", "app", `{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`, secrets.MalformedPolicy, msgPolicySyntax},
		{"Missing", "nope", fixedPolicy, secrets.NotFound, msgSecretNotFound},
		// localstack snapshot test_invalid_secret_name ex_log_10, recorded
		// against AWS.
		{"InvalidName", "Inv Name", fixedPolicy, secrets.Validation, msgInvalidName},
		{"Scheduled", "gone", fixedPolicy, secrets.InvalidRequest, msgMarkedForDeletion},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.ValidateResourcePolicy(t.Context(), alice, secrets.ValidateResourcePolicyInput{SecretID: c.id, ResourcePolicy: c.doc})
			assertError(t, err, c.kind, c.msg)
		})
	}
}
