package policy_test

import (
	"fmt"

	"github.com/coffer-dev/coffer/internal/policy"
)

func ExampleEvaluate() {
	identity := policy.MustParse(`{
		"Version": "2012-10-17",
		"Statement": [
			{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
			 "Resource": "arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"},
			{"Sid": "NoRestricted", "Effect": "Deny", "Action": "*", "Resource": "*",
			 "Condition": {"StringEquals": {"aws:ResourceTag/classification": "restricted"}}}
		]
	}`, policy.Identity)
	in := &policy.Policies{Identity: []*policy.Policy{identity}}
	alice := policy.Principal{ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111"}

	for _, r := range []policy.Request{
		{Resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/db-AbCdEf"},
		{Resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/billing/db-AbCdEf"},
		{Resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/root-AbCdEf",
			Context: map[string][]string{"aws:ResourceTag/classification": {"restricted"}}},
	} {
		r.Principal, r.Action = alice, "secretsmanager:GetSecretValue"
		res := policy.Evaluate(&r, in)
		if res.Statement != nil && res.Statement.Sid != "" {
			fmt.Println(res.Decision, res.Source, res.Statement.Sid)
			continue
		}
		fmt.Println(res.Decision, res.Source)
	}
	// Output:
	// Allow identity
	// ImplicitDeny none
	// ExplicitDeny identity NoRestricted
}
