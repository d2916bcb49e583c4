package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_OK(t *testing.T) {
	p, err := Parse([]byte(`{
		"Version": "2012-10-17",
		"Id": "taskhub",
		"Statement": {
			"Sid": "Read",
			"Effect": "Allow",
			"Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:user/carol"], "Service": "secretsmanager.amazonaws.com"},
			"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
			"Resource": "*",
			"Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"secretsmanager:RecoveryWindowInDays": 10}}
		}
	}`), Resource)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Statement[0]
	if p.ID != "taskhub" || s.Sid != "Read" || s.Effect != EffectAllow || len(s.Action) != 2 ||
		len(s.Principal.AWS) != 2 || s.Principal.Service[0] != "secretsmanager.amazonaws.com" {
		t.Fatalf("unexpected parse: %+v", s)
	}
	want := []Condition{
		{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
		{Operator: "NumericLessThan", Key: "secretsmanager:RecoveryWindowInDays", Values: []string{"10"}},
	}
	for i, c := range want {
		if s.Condition[i].Operator != c.Operator || s.Condition[i].Key != c.Key || s.Condition[i].Values[0] != c.Values[0] {
			t.Fatalf("condition %d = %+v, want %+v", i, s.Condition[i], c)
		}
	}
	// A trust policy has no Resource.
	if _, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`), Resource); err != nil {
		t.Fatal(err)
	}
}

func TestParse_Errors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		kind      Kind
		want      string
	}{
		{"NotJSON", `{`, Identity, "Syntax errors in policy."},
		{"NotObject", `[]`, Identity, "Syntax errors in policy."},
		{"BadVersion", `{"Version":"2020-01-01","Statement":[]}`, Identity, "The policy failed legacy parsing"},
		{"NoStatement", `{"Version":"2012-10-17"}`, Identity, "Missing required field Statement"},
		{"EmptyStatement", `{"Version":"2012-10-17","Statement":[]}`, Identity, "Statement must not be empty"},
		{"UnknownTop", `{"Version":"2012-10-17","Statment":[]}`, Identity, `Unknown element "Statment"`},
		{"UnknownElement", doc(`{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}`), Identity, `Unknown element "Actions"`},
		{"NoEffect", doc(`{"Action":"*","Resource":"*"}`), Identity, "Missing required field Effect"},
		{"BadEffect", doc(`{"Effect":"allow","Action":"*","Resource":"*"}`), Identity, "Invalid effect: allow"},
		{"NoAction", doc(`{"Effect":"Allow","Resource":"*"}`), Identity, "Policy statement must contain actions."},
		{"EmptyAction", doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), Identity, "Policy statement must contain actions."},
		{"ActionAndNotAction", doc(`{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}`), Identity, "both Action and NotAction"},
		{"ActionNoVendor", doc(`{"Effect":"Allow","Action":"GetSecretValue","Resource":"*"}`), Identity, "must be prefaced by a vendor"},
		{"ActionNotString", doc(`{"Effect":"Allow","Action":5,"Resource":"*"}`), Identity, "Action must be a string"},
		{"NoResource", doc(`{"Effect":"Allow","Action":"*"}`), Identity, "Policy statement must contain resources."},
		{"ResourceAndNotResource", doc(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}`), Identity, "both Resource and NotResource"},
		{"ResourceNotARN", doc(`{"Effect":"Allow","Action":"*","Resource":"prod/db"}`), Identity, "must be in ARN format"},
		{"PrincipalInIdentity", doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), Identity, "Policy document should not specify a principal."},
		{"NoPrincipal", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), Resource, "Missing required field Principal"},
		{"PrincipalAndNot", doc(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}`), Resource, "both Principal and NotPrincipal"},
		{"PrincipalBadString", doc(`{"Effect":"Allow","Principal":"alice","Action":"*","Resource":"*"}`), Resource, "Invalid principal in policy"},
		{"PrincipalWildcardARN", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/*"},"Action":"*","Resource":"*"}`), Resource, "Invalid principal in policy"},
		{"PrincipalBadAWS", doc(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"*","Resource":"*"}`), Resource, "Invalid principal in policy"},
		{"PrincipalBadType", doc(`{"Effect":"Allow","Principal":{"Users":"x"},"Action":"*","Resource":"*"}`), Resource, "Invalid principal in policy"},
		{"DuplicateSid", doc(`{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}`), Identity, "Statement IDs (SID) in a single policy must be unique."},
		{"BadOperator", allowIf(`{"StringEqualz":{"aws:username":"x"}}`), Identity, "Invalid Condition type : StringEqualz."},
		{"BadSetOperator", allowIf(`{"ForSomeValues:StringEquals":{"aws:TagKeys":"x"}}`), Identity, "Invalid Condition type"},
		{"NullIfExists", allowIf(`{"NullIfExists":{"aws:TagKeys":"true"}}`), Identity, "Invalid Condition type"},
		{"ConditionKeyNoVendor", allowIf(`{"StringEquals":{"username":"x"}}`), Identity, "must be prefaced by a vendor"},
		{"ConditionNotObject", allowIf(`["x"]`), Identity, "Condition must be an object"},
		{"ConditionValueObject", allowIf(`{"StringEquals":{"aws:username":{"a":"b"}}}`), Identity, "Invalid value for condition key"},
		{"NumericValue", allowIf(`{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"ten"}}`), Identity, "Invalid value for condition NumericLessThan"},
		{"DateValue", allowIf(`{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`), Identity, "Invalid value for condition DateLessThan"},
		{"BoolValue", allowIf(`{"Bool":{"aws:SecureTransport":"yes"}}`), Identity, "Invalid value for condition Bool"},
		{"IPValue", allowIf(`{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}`), Identity, "Invalid value for condition IpAddress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), tc.kind)
			if err == nil {
				t.Fatalf("parsed %s", tc.doc)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
