package policy

import (
	"strings"
	"testing"
)

// publicDocs are the documents the Public cases cite, by tag.
var publicDocs = map[string]string{
	// Amazon S3 User Guide, "Blocking public access to your Amazon S3
	// storage", section "The meaning of 'public'" (awsdocs/amazon-s3-userguide,
	// doc_source/access-control-block-public-access.md): non-public means
	// access granted only to fixed values (no wildcard, no policy variable)
	// of a principal or of the condition keys it lists; its public examples.
	"s3pub": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
	// Secrets Manager User Guide, "Managing a resource-based policy for a
	// secret" (awsdocs/aws-secrets-manager-docs,
	// doc_source/manage_secret-policy.md): Zelkova; acceptable policies grant
	// access only to fixed aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
	// aws:SourceAccount; the "Broad Access JSON" example.
	"smpolicy": "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
	// IAM User Guide, NotPrincipal: an Allow with NotPrincipal grants every
	// principal but those named.
	"notprin": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
	// IAM User Guide, Principal: "*" and {"AWS": "*"} are everyone.
	"principal": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
	// IAM User Guide, condition operators: negated operators and …IfExists
	// match when the key is absent.
	"ops": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
	// IAM User Guide, multivalued keys: ForAllValues: matches when the key is
	// absent.
	"setops": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
}

func TestPolicy_Public(t *testing.T) {
	const anyone, action = `"*"`, "secretsmanager:GetSecretValue"
	cond := func(op, key, val string) string {
		return `"Condition":{"` + op + `":{"` + key + `":` + q(val) + `}}`
	}
	allow := func(principal, extra string) string { return rst("Allow", principal, action, "*", extra) }
	cases := []struct {
		cite   string
		doc    string
		public bool
	}{
		// Rule 2: who the principals are.
		{"s3pub: Principal \"*\" with no limiting condition is public", doc(allow(anyone, "")), true},
		{"smpolicy: the Broad Access JSON example (Principal \"*\", secretsmanager:*) is public",
			doc(rst("Allow", anyone, "secretsmanager:*", "*", "")), true},
		{"principal: {\"AWS\": \"*\"} is everyone, as \"*\" is", doc(allow(awsP("*"), "")), true},
		{"principal: a list with \"*\" among fixed accounts is everyone", doc(allow(awsP(`["111111111111","*"]`), "")), true},
		{"s3pub: a Federated principal ({\"Federated\": \"graph.facebook.com\"}) is public",
			doc(allow(`{"Federated":"graph.facebook.com"}`, "")), true},
		{"notprin: an Allow with NotPrincipal grants everyone not named",
			doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"*","Resource":"*"}`), true},
		{"s3pub: a fixed account is not public", doc(allow(awsP("111111111111"), "")), false},
		{"s3pub: a fixed account root ARN is not public", doc(allow(awsP("arn:aws:iam::222222222222:root"), "")), false},
		{"s3pub: a fixed role ARN is not public", doc(allow(awsP(roleARN), "")), false},
		{"s3pub: a fixed service principal is not public", doc(allow(`{"Service":"lambda.amazonaws.com"}`, "")), false},
		// Rule 1.
		{"s3pub: a Deny for everyone grants nothing, so it is not public",
			doc(rst("Deny", anyone, "secretsmanager:*", "*", "")), false},
		{"s3pub: one public statement makes the whole policy public",
			doc(allow(awsP("111111111111"), ""), rst("Deny", anyone, "secretsmanager:DeleteSecret", "*", ""), allow(anyone, "")), true},

		// Rules 3–4: conditions with fixed values narrow "*".
		{"s3pub: \"*\" with a fixed aws:SourceVpc (StringEquals) is not public",
			doc(allow(anyone, cond("StringEquals", "aws:SourceVpc", "vpc-91237329"))), false},
		{"s3pub: \"*\" with aws:SourceVpc \"vpc-*\" under StringLike is public",
			doc(allow(anyone, cond("StringLike", "aws:SourceVpc", "vpc-*"))), true},
		{"smpolicy: a fixed aws:SourceArn narrows", doc(allow(anyone, cond("ArnEquals", "aws:SourceArn", "arn:aws:lambda:us-east-1:111111111111:function:rotate"))), false},
		{"s3pub: ArnLike with a wildcard in aws:SourceArn does not narrow",
			doc(allow(anyone, cond("ArnLike", "aws:SourceArn", "arn:aws:lambda:*:111111111111:function:*"))), true},
		{"smpolicy: a fixed aws:SourceVpce narrows", doc(allow(anyone, cond("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"))), false},
		{"smpolicy: a fixed aws:SourceAccount narrows", doc(allow(anyone, cond("StringEquals", "aws:SourceAccount", "111111111111"))), false},
		{"s3pub: a fixed aws:SourceOwner narrows", doc(allow(anyone, cond("StringEquals", "aws:SourceOwner", "111111111111"))), false},
		{"s3pub: a fixed aws:PrincipalOrgID narrows (\"e.g. aws:PrincipalOrgID\")",
			doc(allow(anyone, cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"))), false},
		{"s3pub: a fixed aws:PrincipalAccount names a principal", doc(allow(anyone, cond("StringEquals", "aws:PrincipalAccount", "111111111111"))), false},
		{"s3pub: a fixed aws:PrincipalArn names a principal", doc(allow(anyone, cond("ArnEquals", "aws:PrincipalArn", roleARN))), false},
		{"s3pub: a fixed aws:userid outside \"AROLEID:*\" narrows", doc(allow(anyone, cond("StringEquals", "aws:userid", "AIDAEXAMPLEUSER12345"))), false},
		{"s3pub: aws:userid \"AROLEID:*\" (StringLike) is public", doc(allow(anyone, cond("StringLike", "aws:userid", "AROAEXAMPLEROLE12345:*"))), true},
		{"s3pub: StringLike with a fixed value narrows as StringEquals does",
			doc(allow(anyone, cond("StringLike", "aws:SourceAccount", "111111111111"))), false},
		{"s3pub: a policy variable is not a fixed value",
			doc(allow(anyone, cond("StringEquals", "aws:PrincipalAccount", "${aws:SourceAccount}"))), true},
		{"s3pub: every value must be fixed: one wildcard among them lets anyone through",
			doc(allow(anyone, cond("StringLike", "aws:SourceVpc", `["vpc-1","vpc-*"]`))), true},
		{"s3pub: keys keep their meaning whatever their case", doc(allow(anyone, cond("StringEquals", "AWS:SOURCEACCOUNT", "111111111111"))), false},
		{"s3pub: a condition on a key that does not identify the caller does not narrow",
			doc(allow(anyone, cond("Bool", "aws:SecureTransport", "true"))), true},
		{"s3pub: a tag condition does not narrow", doc(allow(anyone, cond("StringEquals", "aws:PrincipalTag/team", "payments"))), true},
		{"s3pub: one narrowing condition among others is enough",
			doc(allow(anyone, `"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceAccount":"111111111111"}}`)), false},
		{"s3pub: a narrowing condition makes Federated non-public too",
			doc(allow(`{"Federated":"graph.facebook.com"}`, cond("StringEquals", "aws:SourceVpc", "vpc-91237329"))), false},
		{"notprin: a narrowing condition makes NotPrincipal non-public too",
			doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"*","Resource":"*",` + cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5") + `}`), false},

		// aws:SourceIp.
		{"s3pub: aws:SourceIp with a fixed CIDR narrows", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"))), false},
		{"s3pub: aws:SourceIp /8 is not broader than /8", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"))), false},
		{"s3pub: aws:SourceIp broader than /8 (0.0.0.0/1) is public", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "0.0.0.0/1"))), true},
		{"s3pub: aws:SourceIp 0.0.0.0/0 is public", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "0.0.0.0/0"))), true},
		{"s3pub: an IPv6 /32 is not broader than /32", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "2001:db8::/32"))), false},
		{"s3pub: an IPv6 range broader than /32 is public", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "2001::/16"))), true},
		{"s3pub: one broad CIDR among narrow ones is public",
			doc(allow(anyone, cond("IpAddress", "aws:SourceIp", `["203.0.113.0/24","0.0.0.0/0"]`))), true},
		{"s3pub: a single address is a fixed /32", doc(allow(anyone, cond("IpAddress", "aws:SourceIp", "203.0.113.7"))), false},

		// Rule 5: operators that hold for requests without the key.
		{"ops: NotIpAddress admits every other address", doc(allow(anyone, cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"))), true},
		{"ops: StringNotEquals admits every other account", doc(allow(anyone, cond("StringNotEquals", "aws:SourceAccount", "111111111111"))), true},
		{"ops: ArnNotLike admits every other ARN", doc(allow(anyone, cond("ArnNotLike", "aws:PrincipalArn", roleARN))), true},
		{"ops: …IfExists matches when the key is absent", doc(allow(anyone, cond("StringEqualsIfExists", "aws:SourceVpc", "vpc-91237329"))), true},
		{"ops: Null tests presence, not who calls", doc(allow(anyone, cond("Null", "aws:SourceVpc", "false"))), true},
		{"setops: ForAllValues: matches when the key is absent", doc(allow(anyone, cond("ForAllValues:StringEquals", "aws:SourceVpc", "vpc-91237329"))), true},
		{"setops: ForAnyValue: needs a value that matches", doc(allow(anyone, cond("ForAnyValue:StringEquals", "aws:SourceVpc", "vpc-91237329"))), false},
	}
	for _, c := range cases {
		tag, _, ok := strings.Cut(c.cite, ": ")
		if _, known := publicDocs[tag]; !ok || !known {
			t.Fatalf("case %q cites no document", c.cite)
		}
		t.Run(c.cite, func(t *testing.T) {
			p, err := Parse([]byte(c.doc), Resource)
			if err != nil {
				t.Fatalf("Parse(%s): %v", c.doc, err)
			}
			if got := p.Public(); got != c.public {
				t.Errorf("Public() = %v, want %v\n%s", got, c.public, c.doc)
			}
		})
	}
}

// TestPolicy_Public_Version2008 checks rule 4's "policy variable" under the
// 2008 version, where "${…}" is literal text and so a fixed value.
func TestPolicy_Public_Version2008(t *testing.T) {
	d := `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"${literal}"}}}}`
	if MustParse(d, Resource).Public() {
		t.Errorf("Public() = true for a literal \"${…}\" under Version 2008-10-17")
	}
}
