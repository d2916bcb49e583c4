package policy

import (
	"strings"
	"testing"
)

// Documentation the test cases cite, by tag. Every case's cite starts with
// one of these tags followed by ": " and the rule or example it encodes.
var docs = map[string]string{
	"eval":      "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
	"cross":     "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
	"ops":       "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
	"multi":     "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html",
	"setops":    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
	"vars":      "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html",
	"session":   "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session",
	"kms":       "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
	"action":    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
	"notaction": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
	"resource":  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
	"notres":    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
	"principal": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
	"notprin":   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
	"version":   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
	"condition": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html",
	"coffer":    "Coffer rule (issue 4): root credentials are allowed everything in their own account",
}

const (
	acctA = "111111111111"
	acctB = "222222222222"
	acctC = "333333333333"

	secretARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/db-AbCdEf"
	devARN    = "arn:aws:secretsmanager:us-east-1:111111111111:secret:dev/taskhub/db-XyZ123"
	keyARN    = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	aliasARN  = "arn:aws:kms:us-east-1:111111111111:alias/taskhub"
	getSecret = "secretsmanager:GetSecretValue"
)

var (
	alice = Principal{ARN: "arn:aws:iam::111111111111:user/alice", Account: acctA}
	bob   = Principal{ARN: "arn:aws:iam::111111111111:user/bob", Account: acctA}
	carol = Principal{ARN: "arn:aws:iam::222222222222:user/carol", Account: acctB}
	rootA = Principal{ARN: "arn:aws:iam::111111111111:root", Account: acctA, Root: true}
	rootB = Principal{ARN: "arn:aws:iam::222222222222:root", Account: acctB, Root: true}
	sess  = Principal{ARN: "arn:aws:sts::111111111111:assumed-role/rotator/s1", Account: acctA}
	// a session of a role with a path, with RoleARN given
	sessPath = Principal{ARN: "arn:aws:sts::111111111111:assumed-role/app/s2", Account: acctA,
		RoleARN: "arn:aws:iam::111111111111:role/team/app"}
	sessB = Principal{ARN: "arn:aws:sts::222222222222:assumed-role/reader/s3", Account: acctB}
	svc   = Principal{Service: "secretsmanager.amazonaws.com"}
)

const roleARN = "arn:aws:iam::111111111111:role/rotator"

// q quotes s as a JSON string unless it already is JSON (a list or object).
func q(s string) string {
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") || strings.HasPrefix(s, `"`) {
		return s
	}
	return `"` + s + `"`
}

// st is an identity-policy statement; extra is appended raw (",Condition…").
func st(effect, action, resource, extra string) string {
	s := `{"Effect":"` + effect + `","Action":` + q(action) + `,"Resource":` + q(resource)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// rst is a resource-policy statement with a Principal.
func rst(effect, principal, action, resource, extra string) string {
	s := `{"Effect":"` + effect + `","Principal":` + q(principal) + `,"Action":` + q(action) + `,"Resource":` + q(resource)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// allowIf is an identity policy allowing everything under cond.
func allowIf(cond string) string {
	return doc(st("Allow", "*", "*", `"Condition":`+cond))
}

// awsP is a Principal element {"AWS": v}.
func awsP(v string) string { return `{"AWS":` + q(v) + `}` }

func mustParseAll(t testing.TB, docs []string, kind Kind) []*Policy {
	t.Helper()
	var out []*Policy
	for _, d := range docs {
		p, err := Parse([]byte(d), kind)
		if err != nil {
			t.Fatalf("parse %s: %v", d, err)
		}
		out = append(out, p)
	}
	return out
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}
