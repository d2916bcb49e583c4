package policy

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkEvaluate_TenPolicies evaluates GetSecretValue for a user with
// ten attached policies of three statements each, conditions included;
// only the last policy allows, so every statement is examined.
func BenchmarkEvaluate_TenPolicies(b *testing.B) {
	var ps []*Policy
	for i := range 10 {
		res := fmt.Sprintf("arn:aws:secretsmanager:*:*:secret:team%d/*", i)
		if i == 9 {
			res = "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:prod/taskhub/*"
		}
		ps = append(ps, MustParse(doc(
			st("Allow", `["secretsmanager:Describe*","secretsmanager:List*"]`, "*", ""),
			st("Allow", "secretsmanager:Get*", res, `"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:ResourceTag/env":["prod","staging"]}}`),
			st("Deny", "secretsmanager:Delete*", "*", `"Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"ops"}}`),
		), Identity))
	}
	in := &Policies{Identity: ps}
	req := &Request{Principal: alice, Action: getSecret, Resource: secretARN,
		Context: ctx("aws:SecureTransport", "true", "aws:ResourceTag/env", "prod", "aws:SourceIp", "203.0.113.7",
			"aws:CurrentTime", now, "aws:PrincipalTag/team", "dev")}
	if r := Evaluate(req, in); r.Decision != Allow || !strings.Contains(r.Statement.Resource[0], "prod/taskhub") {
		b.Fatalf("setup: %+v", r)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req, in)
	}
}
