package policy

import (
	"strings"
	"testing"
)

type evalCase struct {
	cite     string // "tag: rule"; tags are the keys of docs
	id, sess []string
	res, key string
	p        Principal // zero means alice
	action   string    // empty means GetSecretValue
	resource string    // empty means secretARN
	racct    string    // resource account; empty means the caller's
	ctx      map[string][]string
	want     Decision
}

// c is a condition case: an identity policy allowing everything under cond.
func c(cite, cond string, ctx map[string][]string, allowed bool) evalCase {
	w := ImplicitDeny
	if allowed {
		w = Allow
	}
	return evalCase{cite: cite, id: []string{allowIf(cond)}, ctx: ctx, want: w}
}

const (
	allowAll  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	allowGet  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}}`
	denyGet   = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}}`
	allowKMS  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`
	now       = "2026-11-22T04:00:00Z"
	tagKeys   = "aws:TagKeys"
	secureKey = "aws:SecureTransport"
)

// defaultKeyPolicy is the "Enable IAM User Permissions" statement of the
// default key policy (kms docs, "Allows access to the AWS account and
// enables IAM policies").
var defaultKeyPolicy = doc(rst("Allow", awsP("arn:aws:iam::111111111111:root"), "kms:*", "*", ""))

func evalCases() []evalCase {
	return []evalCase{
		// ---- Policy evaluation logic: the basics ----
		{cite: "eval: by default all requests are implicitly denied", want: ImplicitDeny},
		{cite: "eval: an identity-based policy allow grants", id: []string{allowGet}, want: Allow},
		{cite: "eval: an explicit deny in any policy overrides any allow", id: []string{doc(st("Allow", "*", "*", ""), st("Deny", getSecret, "*", ""))}, want: ExplicitDeny},
		{cite: "eval: an explicit deny in another identity policy overrides the allow", id: []string{allowAll, denyGet}, want: ExplicitDeny},
		{cite: "eval: an allow for another action does not grant", id: []string{doc(st("Allow", "secretsmanager:ListSecrets", "*", ""))}, want: ImplicitDeny},
		{cite: "eval: a deny for another action does not apply", id: []string{allowAll, doc(st("Deny", "secretsmanager:DeleteSecret", "*", ""))}, want: Allow},
		{cite: "eval: same account, a resource-based policy naming the principal allows without an identity policy", res: doc(rst("Allow", awsP(alice.ARN), getSecret, "*", "")), want: Allow},
		{cite: "eval: an explicit deny in a resource-based policy overrides an identity allow", id: []string{allowAll}, res: doc(rst("Deny", awsP(alice.ARN), getSecret, "*", "")), want: ExplicitDeny},
		{cite: "eval: a resource policy deny for \"*\" denies everyone", id: []string{allowAll}, res: doc(rst("Deny", "*", "*", "*", "")), want: ExplicitDeny},
		{cite: "eval: a resource policy statement for another principal does not apply", res: doc(rst("Allow", awsP(bob.ARN), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "eval: a resource policy deny for another principal does not apply", id: []string{allowAll}, res: doc(rst("Deny", awsP(bob.ARN), "*", "*", "")), want: Allow},
		{cite: "eval: identity allow OR resource allow within one account (the union)", id: []string{doc(st("Allow", "secretsmanager:Describe*", "*", ""))}, res: doc(rst("Allow", awsP(alice.ARN), getSecret, "*", "")), want: Allow},
		{cite: "principal: naming the account in a same-account resource policy delegates to IAM and grants nothing alone", res: doc(rst("Allow", awsP(acctA), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "principal: with the account named, the identity policy grants", id: []string{allowGet}, res: doc(rst("Allow", awsP("arn:aws:iam::111111111111:root"), getSecret, "*", "")), want: Allow},
		{cite: "eval: deny wins even when both identity and resource policies allow", id: []string{allowAll, denyGet}, res: doc(rst("Allow", awsP(alice.ARN), "*", "*", "")), want: ExplicitDeny},
		{cite: "coffer: the account root is allowed without policies in its own account", p: rootA, want: Allow},
		{cite: "coffer: the root is still subject to an explicit deny in a resource policy", p: rootA, res: doc(rst("Deny", "*", "*", "*", "")), want: ExplicitDeny},
		{cite: "coffer: the root of another account is not allowed without a resource policy", p: rootB, racct: acctA, want: ImplicitDeny},
		{cite: "cross: the root of the trusted account is allowed when the resource policy trusts its account", p: rootB, racct: acctA, res: doc(rst("Allow", awsP(acctB), getSecret, "*", "")), want: Allow},

		// ---- Action ----
		{cite: "action: wildcard at the end, secretsmanager:Get*", id: []string{doc(st("Allow", "secretsmanager:Get*", "*", ""))}, want: Allow},
		{cite: "action: action names are case-insensitive", id: []string{doc(st("Allow", "SecretsManager:getsecretVALUE", "*", ""))}, want: Allow},
		{cite: "action: ? matches one character", id: []string{doc(st("Allow", "secretsmanager:Get?ecretValue", "*", ""))}, want: Allow},
		{cite: "action: a wildcard pattern for other actions does not match", id: []string{doc(st("Allow", "secretsmanager:Describe*", "*", ""))}, want: ImplicitDeny},
		{cite: "action: \"*\" is every action of every service", id: []string{doc(st("Allow", "*", "*", ""))}, want: Allow},
		{cite: "action: wildcards in the service prefix", id: []string{doc(st("Allow", "secrets*:GetSecretValue", "*", ""))}, want: Allow},
		{cite: "action: another service's actions do not match", id: []string{doc(st("Allow", "kms:*", "*", ""))}, want: ImplicitDeny},
		{cite: "action: a list of actions, one matches", id: []string{doc(st("Allow", `["kms:Decrypt","secretsmanager:GetSecretValue"]`, "*", ""))}, want: Allow},
		{cite: "action: wildcard in the middle, *SecretValue", id: []string{doc(st("Allow", "secretsmanager:*SecretValue", "*", ""))}, want: Allow},
		{cite: "notaction: Allow with NotAction allows every other action", id: []string{doc(`{"Effect":"Allow","NotAction":"secretsmanager:DeleteSecret","Resource":"*"}`)}, want: Allow},
		{cite: "notaction: Allow with NotAction does not allow the listed action", id: []string{doc(`{"Effect":"Allow","NotAction":"secretsmanager:DeleteSecret","Resource":"*"}`)}, action: "secretsmanager:DeleteSecret", want: ImplicitDeny},
		{cite: "notaction: Deny with NotAction denies everything not listed", id: []string{allowAll, doc(`{"Effect":"Deny","NotAction":"secretsmanager:ListSecrets","Resource":"*"}`)}, want: ExplicitDeny},
		{cite: "notaction: Deny with NotAction does not deny a listed action", id: []string{allowAll, doc(`{"Effect":"Deny","NotAction":"secretsmanager:List*","Resource":"*"}`)}, action: "secretsmanager:ListSecrets", want: Allow},

		// ---- Resource ----
		{cite: "resource: the exact ARN", id: []string{doc(st("Allow", getSecret, secretARN, ""))}, want: Allow},
		{cite: "resource: a wildcard in the resource path, prod/taskhub/*", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/*", ""))}, want: Allow},
		{cite: "resource: a different path does not match", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/other/*", ""))}, want: ImplicitDeny},
		{cite: "resource: a wildcard for the region segment", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:111111111111:secret:prod/*", ""))}, want: Allow},
		{cite: "resource: ARN matching is case-sensitive", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:111111111111:secret:PROD/*", ""))}, want: ImplicitDeny},
		{cite: "resource: ? matches one character of the secret suffix", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/db-??????", ""))}, want: Allow},
		{cite: "resource: ? does not match a missing character", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/taskhub/db-???????", ""))}, want: ImplicitDeny},
		{cite: "resource: a trailing wildcard after the service matches every resource of it", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*", ""))}, want: Allow},
		{cite: "resource: a wildcard does not span the colon between segments", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-*:secret:*", ""))}, want: ImplicitDeny},
		{cite: "resource: another account's ARN does not match", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:us-east-1:222222222222:secret:*", ""))}, want: ImplicitDeny},
		{cite: "resource: a list of ARNs, one matches", id: []string{doc(st("Allow", getSecret, `["`+devARN+`","`+secretARN+`"]`, ""))}, want: Allow},
		{cite: "notres: Allow with NotResource allows other resources", id: []string{doc(`{"Effect":"Allow","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:prod/*"}`)}, resource: devARN, want: Allow},
		{cite: "notres: Allow with NotResource does not allow the listed resource", id: []string{doc(`{"Effect":"Allow","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:prod/*"}`)}, want: ImplicitDeny},
		{cite: "notres: Deny with NotResource denies everything outside the list", id: []string{allowAll, doc(`{"Effect":"Deny","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:dev/*"}`)}, want: ExplicitDeny},

		// ---- Policy variables ----
		{cite: "vars: ${aws:username} in Resource gives each user a home path", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:home/alice/x", want: Allow},
		{cite: "vars: another user's home path does not match", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:home/bob/x", want: ImplicitDeny},
		{cite: "vars: aws:username is absent for role sessions, so the element does not match", p: sess, id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:home/alice/x", want: ImplicitDeny},
		{cite: "vars: under Version 2008-10-17 variables are literal text", id: []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*"}}`}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:home/alice/x", want: ImplicitDeny},
		{cite: "vars: without Version the 2008 rules apply; the literal text matches", id: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*"}}`}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:home/${aws:username}/x", want: Allow},
		{cite: "vars: ${aws:PrincipalTag/team} in Resource", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*", ""))}, ctx: ctx("aws:PrincipalTag/team", "prod"), want: Allow},
		{cite: "vars: a principal tag with another value does not match", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*", ""))}, ctx: ctx("aws:PrincipalTag/team", "dev"), want: ImplicitDeny},
		{cite: "vars: ${aws:PrincipalAccount} in the account segment", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*", ""))}, want: Allow},
		{cite: "vars: ${aws:PrincipalAccount} for a caller of another account does not match", p: carol, racct: acctA, id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*", ""))}, res: doc(rst("Allow", awsP(acctB), "*", "*", "")), want: ImplicitDeny},
		{cite: "vars: ${*} is a literal asterisk", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:a${*}b", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:a*b", want: Allow},
		{cite: "vars: ${*} is not a wildcard", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:a${*}b", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:axxb", want: ImplicitDeny},
		{cite: "vars: ${?} is a literal question mark, not a wildcard", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:a${?}b", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:axb", want: ImplicitDeny},
		{cite: "vars: ${?} matches a literal question mark", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:a${?}b", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:a?b", want: Allow},
		{cite: "vars: ${$} is a literal dollar sign", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:a${$}b", ""))}, resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:a$b", want: Allow},
		{cite: "vars: ${aws:username} as a condition value (tag owner equals the caller)", id: []string{allowIf(`{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`)}, ctx: ctx("aws:ResourceTag/owner", "alice"), want: Allow},
		{cite: "vars: ${aws:username} as a condition value, another owner", id: []string{allowIf(`{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`)}, ctx: ctx("aws:ResourceTag/owner", "bob"), want: ImplicitDeny},
		{cite: "vars: ${aws:userid} in a StringLike value", id: []string{allowIf(`{"StringLike":{"secretsmanager:Name":"${aws:userid}-*"}}`)}, ctx: ctx("aws:userid", "AIDAEXAMPLE", "secretsmanager:Name", "AIDAEXAMPLE-db"), want: Allow},
		{cite: "vars: a default value is used when the key is missing", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team, 'prod'}/*", ""))}, want: Allow},
		{cite: "vars: the key's value wins over the default", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team, 'prod'}/*", ""))}, ctx: ctx("aws:PrincipalTag/team", "dev"), want: ImplicitDeny},
		{cite: "vars: a substituted value is literal, its * is no wildcard", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*", ""))}, ctx: ctx("aws:PrincipalTag/team", "p*"), want: ImplicitDeny},
		{cite: "vars: variable names are case-insensitive", id: []string{doc(st("Allow", getSecret, "arn:aws:secretsmanager:*:*:secret:${AWS:PrincipalTag/Team}/*", ""))}, ctx: ctx("aws:principaltag/team", "prod"), want: Allow},
		{cite: "vars: an undefined variable in a Deny's resource leaves the Deny out", id: []string{allowAll, doc(st("Deny", "*", "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/none}*", ""))}, want: Allow},

		// ---- Condition operators: string ----
		c("ops: StringEquals, exact match", `{"StringEquals":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("ops: StringEquals is case-sensitive", `{"StringEquals":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "Prod"), false),
		c("ops: StringEquals, multiple values for a key are ORed", `{"StringEquals":{"aws:ResourceTag/env":["dev","prod"]}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("ops: StringEquals, a missing key does not match", `{"StringEquals":{"aws:ResourceTag/env":"prod"}}`, nil, false),
		c("ops: StringNotEquals matches another value", `{"StringNotEquals":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "dev"), true),
		c("ops: StringNotEquals does not match the value", `{"StringNotEquals":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "prod"), false),
		c("ops: StringNotEquals with several values: true only if it equals none", `{"StringNotEquals":{"aws:ResourceTag/env":["dev","prod"]}}`, ctx("aws:ResourceTag/env", "dev"), false),
		c("ops: negated operators match a missing key", `{"StringNotEquals":{"aws:ResourceTag/env":"prod"}}`, nil, true),
		c("ops: StringEqualsIgnoreCase ignores case", `{"StringEqualsIgnoreCase":{"aws:ResourceTag/env":"PROD"}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("ops: StringEqualsIgnoreCase, different value", `{"StringEqualsIgnoreCase":{"aws:ResourceTag/env":"PROD"}}`, ctx("aws:ResourceTag/env", "dev"), false),
		c("ops: StringNotEqualsIgnoreCase, same value in other case", `{"StringNotEqualsIgnoreCase":{"aws:ResourceTag/env":"PROD"}}`, ctx("aws:ResourceTag/env", "prod"), false),
		c("ops: StringNotEqualsIgnoreCase, different value", `{"StringNotEqualsIgnoreCase":{"aws:ResourceTag/env":"PROD"}}`, ctx("aws:ResourceTag/env", "dev"), true),
		c("ops: StringLike with *", `{"StringLike":{"secretsmanager:Name":"prod/*"}}`, ctx("secretsmanager:Name", "prod/db"), true),
		c("ops: StringLike with ?", `{"StringLike":{"secretsmanager:Name":"db-?"}}`, ctx("secretsmanager:Name", "db-1"), true),
		c("ops: StringLike is case-sensitive", `{"StringLike":{"secretsmanager:Name":"prod/*"}}`, ctx("secretsmanager:Name", "Prod/db"), false),
		c("ops: StringLike, no match", `{"StringLike":{"secretsmanager:Name":"prod/*"}}`, ctx("secretsmanager:Name", "dev/db"), false),
		c("ops: StringNotLike, no match means true", `{"StringNotLike":{"secretsmanager:Name":"prod/*"}}`, ctx("secretsmanager:Name", "dev/db"), true),
		c("ops: StringNotLike, match means false", `{"StringNotLike":{"secretsmanager:Name":"prod/*"}}`, ctx("secretsmanager:Name", "prod/db"), false),
		c("ops: StringLike, a missing key does not match", `{"StringLike":{"secretsmanager:Name":"*"}}`, nil, false),
		c("ops: StringNotLike, a missing key matches", `{"StringNotLike":{"secretsmanager:Name":"prod/*"}}`, nil, true),

		// ---- numeric ----
		c("ops: NumericEquals", `{"NumericEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "30"), true),
		c("ops: NumericEquals compares numbers, not strings", `{"NumericEquals":{"secretsmanager:RecoveryWindowInDays":30}}`, ctx("secretsmanager:RecoveryWindowInDays", "30.0"), true),
		c("ops: NumericEquals, different", `{"NumericEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "7"), false),
		c("ops: NumericNotEquals", `{"NumericNotEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "7"), true),
		c("ops: NumericNotEquals, equal", `{"NumericNotEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "30"), false),
		c("ops: NumericLessThan", `{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "7"), true),
		c("ops: NumericLessThan, equal is not less", `{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "30"), false),
		c("ops: NumericLessThanEquals, equal", `{"NumericLessThanEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "30"), true),
		c("ops: NumericLessThanEquals, greater", `{"NumericLessThanEquals":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "31"), false),
		c("ops: NumericGreaterThan", `{"NumericGreaterThan":{"secretsmanager:RecoveryWindowInDays":"7"}}`, ctx("secretsmanager:RecoveryWindowInDays", "30"), true),
		c("ops: NumericGreaterThan, equal is not greater", `{"NumericGreaterThan":{"secretsmanager:RecoveryWindowInDays":"7"}}`, ctx("secretsmanager:RecoveryWindowInDays", "7"), false),
		c("ops: NumericGreaterThanEquals, equal", `{"NumericGreaterThanEquals":{"secretsmanager:RecoveryWindowInDays":"7"}}`, ctx("secretsmanager:RecoveryWindowInDays", "7"), true),
		c("ops: NumericGreaterThanEquals, less", `{"NumericGreaterThanEquals":{"secretsmanager:RecoveryWindowInDays":"7"}}`, ctx("secretsmanager:RecoveryWindowInDays", "6"), false),
		c("ops: a numeric operator does not match a non-numeric request value", `{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"30"}}`, ctx("secretsmanager:RecoveryWindowInDays", "seven"), false),
		c("ops: a numeric operator does not match a missing key", `{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"30"}}`, nil, false),

		// ---- date ----
		c("ops: DateLessThan with aws:CurrentTime", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: DateLessThan, after the date", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), false),
		c("ops: DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: DateGreaterThan, before the date", `{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), false),
		c("ops: DateEquals compares instants across zones", `{"DateEquals":{"aws:CurrentTime":"2026-11-22T05:00:00+01:00"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-11-22T04:00:01Z"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: DateLessThanEquals, equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-11-22T04:00:00Z"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: DateGreaterThanEquals, equal", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-11-22T04:00:00Z"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: Date operators accept a date without time", `{"DateGreaterThan":{"aws:CurrentTime":"2026-11-21"}}`, ctx("aws:CurrentTime", now), true),
		c("ops: Date operators accept epoch seconds (aws:EpochTime)", `{"DateLessThan":{"aws:EpochTime":"1800000000"}}`, ctx("aws:EpochTime", "1795000000"), true),
		c("ops: a date operator does not match a missing key", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, nil, false),

		// ---- Bool ----
		c("ops: Bool, aws:SecureTransport true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx(secureKey, "true"), true),
		c("ops: Bool, false is not true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx(secureKey, "false"), false),
		c("ops: Bool accepts a JSON boolean", `{"Bool":{"aws:SecureTransport":false}}`, ctx(secureKey, "false"), true),
		c("ops: Bool compares case-insensitively", `{"Bool":{"aws:SecureTransport":"True"}}`, ctx(secureKey, "TRUE"), true),
		c("ops: Bool does not match a missing key", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false),
		c("ops: BoolIfExists matches a missing key", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, nil, true),

		// ---- IP address ----
		c("ops: IpAddress, IPv4 CIDR contains the source", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "203.0.113.7"), true),
		c("ops: IpAddress, outside the CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "198.51.100.7"), false),
		c("ops: IpAddress, a single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx("aws:SourceIp", "203.0.113.7"), true),
		c("ops: IpAddress, IPv6 CIDR", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db8:1234::1"), true),
		c("ops: IpAddress, IPv6 outside", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db9::1"), false),
		c("ops: IpAddress, IPv4 and IPv6 ranges in one list are ORed", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}`, ctx("aws:SourceIp", "2001:db8::5"), true),
		c("ops: IpAddress, an IPv4-mapped IPv6 source is its IPv4 address", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "::ffff:203.0.113.9"), true),
		c("ops: NotIpAddress, outside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "198.51.100.7"), true),
		c("ops: NotIpAddress, inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "203.0.113.7"), false),
		c("ops: NotIpAddress matches a missing key", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true),
		c("ops: IpAddress does not match a missing key", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, nil, false),

		// ---- ARN ----
		c("ops: ArnLike on aws:PrincipalArn (derived from the caller)", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/*"}}`, nil, true),
		c("ops: ArnLike, wildcard does not span segments", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}`, nil, false),
		c("ops: ArnEquals also accepts wildcards", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:user/alice"}}`, nil, true),
		c("ops: ArnEquals, exact", `{"ArnEquals":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111111111111:function:rotate"}}`, ctx("aws:SourceArn", "arn:aws:lambda:us-east-1:111111111111:function:rotate"), true),
		c("ops: ArnNotEquals, other ARN", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111111111111:function:rotate"}}`, ctx("aws:SourceArn", "arn:aws:lambda:us-east-1:111111111111:function:other"), true),
		c("ops: ArnNotLike, matching ARN", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/*"}}`, nil, false),
		c("ops: ArnLike is case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/ALICE"}}`, nil, false),
		c("ops: ArnLike does not match a missing key", `{"ArnLike":{"aws:SourceArn":"*"}}`, nil, false),
		c("ops: ArnNotLike matches a missing key", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:lambda:*"}}`, nil, true),

		// ---- Null ----
		c("ops: Null true matches an absent key", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true),
		c("ops: Null true does not match a present key", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx("aws:TokenIssueTime", now), false),
		c("ops: Null false matches a present key", `{"Null":{"aws:ResourceTag/env":"false"}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("ops: Null false does not match an absent key", `{"Null":{"aws:ResourceTag/env":"false"}}`, nil, false),
		c("ops: Null accepts a JSON boolean", `{"Null":{"aws:ResourceTag/env":true}}`, nil, true),

		// ---- IfExists ----
		c("ops: StringEqualsIfExists matches a missing key", `{"StringEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, nil, true),
		c("ops: StringEqualsIfExists checks a present key", `{"StringEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "dev"), false),
		c("ops: StringEqualsIfExists, present and equal", `{"StringEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("ops: NumericLessThanIfExists, present", `{"NumericLessThanIfExists":{"secretsmanager:RecoveryWindowInDays":"10"}}`, ctx("secretsmanager:RecoveryWindowInDays", "20"), false),
		c("ops: StringNotEqualsIfExists matches a missing key", `{"StringNotEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, nil, true),
		c("ops: IpAddressIfExists matches a missing key", `{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true),
		c("ops: ArnLikeIfExists checks a present key", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:lambda:*"}}`, ctx("aws:SourceArn", "arn:aws:sns:us-east-1:1:x"), false),
		{cite: "ops: Deny with StringNotEqualsIfExists denies when the key is missing", id: []string{allowAll, doc(st("Deny", "*", "*", `"Condition":{"StringNotEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`))}, want: ExplicitDeny},

		// ---- Multiple keys and values ----
		c("multi: two keys under one operator are ANDed, both true", `{"StringEquals":{"aws:ResourceTag/env":"prod","aws:PrincipalTag/team":"ops"}}`, ctx("aws:ResourceTag/env", "prod", "aws:PrincipalTag/team", "ops"), true),
		c("multi: two keys under one operator are ANDed, one false", `{"StringEquals":{"aws:ResourceTag/env":"prod","aws:PrincipalTag/team":"ops"}}`, ctx("aws:ResourceTag/env", "prod", "aws:PrincipalTag/team", "dev"), false),
		c("multi: two operators are ANDed", `{"StringEquals":{"aws:ResourceTag/env":"prod"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:ResourceTag/env", "prod", secureKey, "false"), false),
		c("multi: two operators, both true", `{"StringEquals":{"aws:ResourceTag/env":"prod"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:ResourceTag/env", "prod", secureKey, "true"), true),
		c("multi: values of one key are ORed", `{"StringEquals":{"aws:PrincipalTag/team":["ops","sec"]}}`, ctx("aws:PrincipalTag/team", "sec"), true),
		c("condition: condition key names are case-insensitive", `{"StringEquals":{"AWS:ResourceTag/Env":"prod"}}`, ctx("aws:resourcetag/env", "prod"), true),
		c("condition: operator names are matched case-insensitively", `{"stringequals":{"aws:ResourceTag/env":"prod"}}`, ctx("aws:ResourceTag/env", "prod"), true),
		c("condition: condition values are case-sensitive for StringEquals", `{"StringEquals":{"aws:PrincipalTag/team":"OPS"}}`, ctx("aws:PrincipalTag/team", "ops"), false),
		{cite: "condition: a tag-based Deny wins over an Allow (issue 4 story)", id: []string{allowGet, doc(st("Deny", "*", "*", `"Condition":{"StringEquals":{"secretsmanager:ResourceTag/classification":"restricted"}}`))}, ctx: ctx("secretsmanager:ResourceTag/classification", "restricted"), want: ExplicitDeny},
		{cite: "condition: the tag-based Deny does not apply to other tags", id: []string{allowGet, doc(st("Deny", "*", "*", `"Condition":{"StringEquals":{"secretsmanager:ResourceTag/classification":"restricted"}}`))}, ctx: ctx("secretsmanager:ResourceTag/classification", "internal"), want: Allow},

		// ---- Set operators ----
		c("setops: ForAnyValue:StringEquals, one request value in the set", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "env", tagKeys, "other"), true),
		c("setops: ForAnyValue:StringEquals, no request value in the set", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "other"), false),
		c("setops: ForAnyValue returns false for a missing key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, nil, false),
		c("setops: ForAllValues:StringEquals, every request value in the set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "env", tagKeys, "team"), true),
		c("setops: ForAllValues:StringEquals, one request value outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "env", tagKeys, "cost"), false),
		c("setops: ForAllValues returns true for a missing key", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, nil, true),
		c("setops: ForAllValues returns true for an empty value list", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, map[string][]string{tagKeys: {}}, true),
		c("setops: ForAllValues:StringLike with a wildcard (Created*)", `{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}`, ctx(tagKeys, "CreatedBy", tagKeys, "CreatedAt"), true),
		c("setops: ForAnyValue:StringNotEquals, one request value outside the set", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx(tagKeys, "env", tagKeys, "cost"), true),
		c("setops: ForAnyValue:StringNotEquals, all inside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx(tagKeys, "env"), false),
		c("setops: ForAllValues:StringNotEquals, none in the set", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "cost", tagKeys, "owner"), true),
		c("setops: ForAllValues:StringNotEquals, one in the set", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env","team"]}}`, ctx(tagKeys, "cost", tagKeys, "env"), false),
		c("setops: ForAnyValue with IfExists matches a missing key", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["env"]}}`, nil, true),
		c("setops: set operator prefixes are case-insensitive", `{"forallvalues:StringEquals":{"aws:TagKeys":["env"]}}`, ctx(tagKeys, "env"), true),
		c("setops: without a set operator a multi-valued key matches if any value does", `{"StringEquals":{"aws:TagKeys":"env"}}`, ctx(tagKeys, "cost", tagKeys, "env"), true),
		{cite: "setops: ForAllValues with Deny and a missing key denies (the documented pitfall)", id: []string{allowAll, doc(st("Deny", "*", "*", `"Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}`))}, want: ExplicitDeny},

		// ---- Principals ----
		{cite: "principal: \"*\" is everyone (anonymous access)", res: doc(rst("Allow", "*", getSecret, "*", "")), want: Allow},
		{cite: "principal: {\"AWS\":\"*\"} is everyone", res: doc(rst("Allow", awsP("*"), getSecret, "*", "")), want: Allow},
		{cite: "principal: a list of user ARNs, one is the caller", res: doc(rst("Allow", awsP(`["`+bob.ARN+`","`+alice.ARN+`"]`), getSecret, "*", "")), want: Allow},
		{cite: "principal: a service principal", p: svc, res: doc(rst("Allow", `{"Service":"secretsmanager.amazonaws.com"}`, getSecret, "*", "")), want: Allow},
		{cite: "principal: another service principal does not match", p: svc, res: doc(rst("Allow", `{"Service":"lambda.amazonaws.com"}`, getSecret, "*", "")), want: ImplicitDeny},
		{cite: "principal: a role ARN names the role's sessions", p: sess, res: doc(rst("Allow", awsP(roleARN), getSecret, "*", "")), want: Allow},
		{cite: "principal: a role ARN with a path matches sessions by RoleARN", p: sessPath, res: doc(rst("Allow", awsP("arn:aws:iam::111111111111:role/team/app"), getSecret, "*", "")), want: Allow},
		{cite: "principal: another role does not match the session", p: sess, res: doc(rst("Allow", awsP("arn:aws:iam::111111111111:role/other"), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "principal: the assumed-role session ARN names that session", p: sess, res: doc(rst("Allow", awsP(sess.ARN), getSecret, "*", "")), want: Allow},
		{cite: "principal: a Principal condition on aws:PrincipalAccount", res: doc(rst("Allow", "*", getSecret, "*", `"Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`)), want: Allow},
		{cite: "notprin: Deny with NotPrincipal does not deny the listed principal", id: []string{allowAll}, res: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice.ARN + `"},"Action":"*","Resource":"*"}`), want: Allow},
		{cite: "notprin: Deny with NotPrincipal denies everyone else", p: bob, id: []string{allowAll}, res: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice.ARN + `"},"Action":"*","Resource":"*"}`), want: ExplicitDeny},

		{cite: "principal: a service principal is allowed by the resource policy alone, whatever the resource account", p: svc, racct: acctA, res: doc(rst("Allow", `{"Service":"secretsmanager.amazonaws.com"}`, getSecret, "*", "")), want: Allow},
		{cite: "ops: for a role session aws:PrincipalArn is the role ARN", p: sess, id: []string{allowIf(`{"ArnEquals":{"aws:PrincipalArn":"` + roleARN + `"}}`)}, want: Allow},
		{cite: "ops: aws:PrincipalArn for a session with RoleARN keeps the role's path", p: sessPath, id: []string{allowIf(`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/team/*"}}`)}, want: Allow},

		// ---- Cross-account ----
		{cite: "cross: both the identity policy and the resource policy (trusting the account) allow", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP(acctB), getSecret, "*", "")), want: Allow},
		{cite: "cross: the resource policy alone is not enough", p: carol, racct: acctA, res: doc(rst("Allow", awsP(acctB), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "cross: the identity policy alone is not enough", p: carol, racct: acctA, id: []string{allowGet}, want: ImplicitDeny},
		{cite: "cross: a resource policy naming the user still needs the identity policy", p: carol, racct: acctA, res: doc(rst("Allow", awsP(carol.ARN), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "cross: a resource policy naming the user plus the identity policy", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP(carol.ARN), getSecret, "*", "")), want: Allow},
		{cite: "cross: a resource policy for a third account does not apply", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP(acctC), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "cross: the account id and the account root ARN are the same principal", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP("arn:aws:iam::222222222222:root"), getSecret, "*", "")), want: Allow},
		{cite: "cross: \"*\" with aws:PrincipalAccount narrowed to the trusted account", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", "*", getSecret, "*", `"Condition":{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}`)), want: Allow},
		{cite: "cross: an explicit deny in the resource policy wins", p: carol, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP(acctB), getSecret, "*", ""), rst("Deny", awsP(carol.ARN), "*", "*", "")), want: ExplicitDeny},
		{cite: "cross: an explicit deny in the caller's identity policy wins", p: carol, racct: acctA, id: []string{allowGet, denyGet}, res: doc(rst("Allow", awsP(acctB), getSecret, "*", "")), want: ExplicitDeny},
		{cite: "cross: a role session of the trusted account, resource policy names the role", p: sessB, racct: acctA, id: []string{allowGet}, res: doc(rst("Allow", awsP("arn:aws:iam::222222222222:role/reader"), getSecret, "*", "")), want: Allow},
		{cite: "cross: the identity policy must allow the action asked for", p: carol, racct: acctA, id: []string{doc(st("Allow", "secretsmanager:Describe*", "*", ""))}, res: doc(rst("Allow", awsP(acctB), "secretsmanager:*", "*", "")), want: ImplicitDeny},

		// ---- Session policies ----
		{cite: "session: a role session without session policies has the role's permissions", p: sess, id: []string{allowGet}, want: Allow},
		{cite: "session: identity and session policies both allow", p: sess, id: []string{allowGet}, sess: []string{allowAll}, want: Allow},
		{cite: "session: the session policy does not allow the action: denied", p: sess, id: []string{allowAll}, sess: []string{doc(st("Allow", "secretsmanager:Describe*", "*", ""))}, want: ImplicitDeny},
		{cite: "session: a session policy cannot grant what the identity policy does not", p: sess, sess: []string{allowAll}, want: ImplicitDeny},
		{cite: "session: a resource policy naming the role is limited by the session policy", p: sess, sess: []string{doc(st("Allow", "kms:*", "*", ""))}, res: doc(rst("Allow", awsP(roleARN), getSecret, "*", "")), want: ImplicitDeny},
		{cite: "session: a resource policy naming the session ARN is not limited by the session policy", p: sess, sess: []string{doc(st("Allow", "kms:*", "*", ""))}, res: doc(rst("Allow", awsP(sess.ARN), getSecret, "*", "")), want: Allow},
		{cite: "session: an explicit deny in a session policy wins", p: sess, id: []string{allowAll}, sess: []string{allowAll, denyGet}, want: ExplicitDeny},
		{cite: "session: a resource policy naming the role with a session policy that allows", p: sess, sess: []string{allowGet}, res: doc(rst("Allow", awsP(roleARN), getSecret, "*", "")), want: Allow},

		// ---- KMS key policies ----
		{cite: "kms: the default key policy delegates to IAM; the identity policy allows", action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: defaultKeyPolicy, want: Allow},
		{cite: "kms: the default key policy alone gives IAM users nothing", action: "kms:Decrypt", resource: keyARN, key: defaultKeyPolicy, want: ImplicitDeny},
		{cite: "kms: without the account statement identity policies do not grant", action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: doc(rst("Allow", awsP(bob.ARN), "kms:*", "*", "")), want: ImplicitDeny},
		{cite: "kms: a key policy naming the user (key users statement) is enough by itself", action: "kms:Decrypt", resource: keyARN, key: doc(rst("Allow", awsP(alice.ARN), `["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"]`, "*", "")), want: Allow},
		{cite: "kms: a key users statement without the action does not allow it", action: "kms:ScheduleKeyDeletion", resource: keyARN, key: doc(rst("Allow", awsP(alice.ARN), `["kms:Encrypt","kms:Decrypt"]`, "*", "")), want: ImplicitDeny},
		{cite: "kms: an explicit deny in the key policy wins over IAM", action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: doc(rst("Allow", awsP(acctA), "kms:*", "*", ""), rst("Deny", "*", "kms:Decrypt", "*", "")), want: ExplicitDeny},
		{cite: "kms: cross-account, the key policy allows the external account and its IAM policy allows", p: carol, racct: acctA, action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: doc(rst("Allow", awsP("arn:aws:iam::222222222222:root"), "kms:Decrypt", "*", "")), want: Allow},
		{cite: "kms: cross-account, without the external account's IAM policy", p: carol, racct: acctA, action: "kms:Decrypt", resource: keyARN, key: doc(rst("Allow", awsP(acctB), "kms:Decrypt", "*", "")), want: ImplicitDeny},
		{cite: "kms: cross-account, the key policy does not mention the account", p: carol, racct: acctA, action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: defaultKeyPolicy, want: ImplicitDeny},
		{cite: "kms: kms:ViaService limits use to requests through Secrets Manager", action: "kms:Decrypt", resource: keyARN, id: []string{doc(st("Allow", "kms:Decrypt", "*", `"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}`))}, key: defaultKeyPolicy, ctx: ctx("kms:ViaService", "secretsmanager.us-east-1.amazonaws.com"), want: Allow},
		{cite: "kms: kms:ViaService, a direct call is not allowed", action: "kms:Decrypt", resource: keyARN, id: []string{doc(st("Allow", "kms:Decrypt", "*", `"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}`))}, key: defaultKeyPolicy, want: ImplicitDeny},
		{cite: "kms: AWS managed key policy style, \"*\" with kms:CallerAccount and kms:ViaService", action: "kms:Decrypt", resource: keyARN, key: doc(rst("Allow", awsP("*"), "kms:Decrypt", "*", `"Condition":{"StringEquals":{"kms:CallerAccount":"111111111111","kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}`)), ctx: ctx("kms:CallerAccount", acctA, "kms:ViaService", "secretsmanager.us-east-1.amazonaws.com"), want: Allow},
		{cite: "kms: AWS managed key policy style, another caller account is not allowed", p: carol, racct: acctA, action: "kms:Decrypt", resource: keyARN, id: []string{allowKMS}, key: doc(rst("Allow", awsP("*"), "kms:Decrypt", "*", `"Condition":{"StringEquals":{"kms:CallerAccount":"111111111111"}}`)), ctx: ctx("kms:CallerAccount", acctB), want: ImplicitDeny},
		{cite: "kms: kms:EncryptionContext:key condition", action: "kms:Decrypt", resource: keyARN, id: []string{doc(st("Allow", "kms:Decrypt", "*", `"Condition":{"StringEquals":{"kms:EncryptionContext:SecretARN":"`+secretARN+`"}}`))}, key: defaultKeyPolicy, ctx: ctx("kms:EncryptionContext:SecretARN", secretARN), want: Allow},
		{cite: "kms: an alias ARN in Resource does not grant operations on the key", action: "kms:Decrypt", resource: keyARN, id: []string{doc(st("Allow", "kms:Decrypt", aliasARN, ""))}, key: defaultKeyPolicy, want: ImplicitDeny},
		{cite: "kms: kms:ResourceAliases matches keys by alias", action: "kms:Decrypt", resource: keyARN, id: []string{doc(st("Allow", "kms:Decrypt", "*", `"Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/taskhub"}}`))}, key: defaultKeyPolicy, ctx: ctx("kms:ResourceAliases", "alias/taskhub", "kms:ResourceAliases", "alias/other"), want: Allow},
		{cite: "coffer: the root is allowed on its account's keys even if the key policy omits it", p: rootA, action: "kms:Decrypt", resource: keyARN, key: doc(rst("Allow", awsP(bob.ARN), "kms:*", "*", "")), want: Allow},
		{cite: "kms: a key policy naming the role is limited by the session policy", p: sess, action: "kms:Decrypt", resource: keyARN, sess: []string{allowGet}, key: doc(rst("Allow", awsP(roleARN), "kms:*", "*", "")), want: ImplicitDeny},
		{cite: "kms: the key policy's Resource \"*\" means this key; a key ARN in Resource also matches", action: "kms:Decrypt", resource: keyARN, key: doc(rst("Allow", awsP(alice.ARN), "kms:Decrypt", keyARN, "")), want: Allow},
	}
}

func TestEvaluate_Table(t *testing.T) {
	cases := evalCases()
	if len(cases) < 150 {
		t.Fatalf("only %d cases; want at least 150", len(cases))
	}
	for i, tc := range cases {
		tag, rule, ok := strings.Cut(tc.cite, ": ")
		if !ok || docs[tag] == "" || rule == "" {
			t.Fatalf("case %d: cite %q does not start with a known doc tag", i, tc.cite)
		}
		t.Run(tc.cite, func(t *testing.T) {
			req := &Request{Principal: tc.p, Action: tc.action, Resource: tc.resource, ResourceAccount: tc.racct, Context: tc.ctx}
			if req.Principal == (Principal{}) {
				req.Principal = alice
			}
			if req.Action == "" {
				req.Action = getSecret
			}
			if req.Resource == "" {
				req.Resource = secretARN
			}
			in := &Policies{Identity: mustParseAll(t, tc.id, Identity), Session: mustParseAll(t, tc.sess, Identity)}
			if tc.res != "" {
				in.Resource = mustParseAll(t, []string{tc.res}, Resource)[0]
			}
			if tc.key != "" {
				in.Key = mustParseAll(t, []string{tc.key}, Resource)[0]
			}
			got := Evaluate(req, in)
			if got.Decision != tc.want {
				t.Fatalf("got %v (source %v), want %v\nsee %s", got.Decision, got.Source, tc.want, docs[tag])
			}
			if got.Decision == ExplicitDeny && (got.Statement == nil || got.Statement.Effect != EffectDeny) {
				t.Fatalf("explicit deny without its Deny statement: %+v", got)
			}
			if got.Decision == Allow && got.Source != SourceRoot && (got.Statement == nil || got.Statement.Effect != EffectAllow) {
				t.Fatalf("allow without its Allow statement: %+v", got)
			}
		})
	}
	t.Logf("%d cases", len(cases))
}
