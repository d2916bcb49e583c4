// Package policy parses IAM JSON policy documents and evaluates requests
// against them the way AWS IAM does. It is pure: no I/O, no clock, no
// globals beyond static tables. The caller gathers the policies and the
// request context; [Evaluate] returns a [Result].
//
// # Documents
//
// [Parse] accepts Version "2012-10-17" or "2008-10-17" (or none, which
// means 2008-10-17), Id, and Statement as an object or an array. A
// statement has Sid (unique within an identity policy), Effect (Allow or Deny,
// case-sensitive), exactly one of Action/NotAction, Resource/NotResource
// (required for [Identity] policies, optional for [Resource] policies where
// absence means every resource, as in role trust policies), Principal or
// NotPrincipal (forbidden in [Identity] policies, required in [Resource]
// ones), and Condition. Wherever IAM allows a list a single string is also
// accepted. Errors wrap [ErrMalformed] and carry IAM's wording where IAM
// has one ("Policy document should not specify a principal.", "Policy
// statement must contain actions.", "Invalid principal in policy", …).
// Unknown elements are errors.
//
// # Matching
//
// Action patterns are case-insensitive; '*' matches any run of characters
// and '?' one character, service prefix included ("secretsmanager:Get*",
// "*:Describe*"). Resource entries and ArnLike/ArnEquals values are
// case-sensitive and matched per ARN component: each of the six
// colon-separated parts separately, so wildcards do not cross the first
// five colons; an entry with fewer parts matches its last part against the
// rest of the ARN ("*" matches everything). As on AWS, ArnEquals and
// ArnLike are the same operator.
//
// Under Version 2012-10-17 policy variables are substituted in Resource
// entries and in String*/Arn* condition values: ${aws:username},
// ${aws:userid}, ${aws:PrincipalAccount}, ${aws:PrincipalTag/k} and any
// other single-valued key of the request context (names are
// case-insensitive), with an optional default ${key, 'value'}, and the
// escapes ${*}, ${?} and ${$} for literal '*', '?' and '$'. Substituted
// text is literal (a '*' in a user name is not a wildcard). An undefined
// or multi-valued variable makes that one entry or value match nothing.
//
// # Conditions
//
// Operators: String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,
// Like,NotLike}, Numeric{Equals,NotEquals,LessThan,LessThanEquals,
// GreaterThan,GreaterThanEquals}, Date{same six}, Bool, IpAddress,
// NotIpAddress (IPv4 and IPv6 CIDRs or single addresses), ArnEquals,
// ArnLike, ArnNotEquals, ArnNotLike, Null; each but Null with the IfExists
// suffix; ForAnyValue: and ForAllValues: prefixes. Operator names and
// condition keys are case-insensitive. Values under one key are ORed; keys
// under one operator and operators in a block are ANDed. Dates are ISO 8601
// (date, date-time, with or without zone) or epoch seconds.
//
// A key missing from the request context (or present with no values):
// positive operators do not match; negated operators (…Not…, NotIpAddress)
// match; …IfExists matches; ForAllValues: matches; ForAnyValue: does not;
// Null "true" matches, Null "false" does not. With a key present, a
// positive operator matches when any request value matches any policy
// value, a negated one when none does; ForAnyValue: needs one request value
// to satisfy the operator, ForAllValues: every one.
//
// # Evaluation
//
// [Evaluate] follows "Policy evaluation logic" for the policies one request
// brings together, in this order:
//
//  1. A matching Deny in any identity, session, resource or key policy is
//     an explicit deny. Resource and key policy statements apply only when
//     their Principal matches (or NotPrincipal does not).
//  2. The account root in its own account is allowed (Coffer's rule for
//     root credentials; it also holds for KMS keys, unlike AWS where a key
//     policy can lock the root out).
//  3. Across accounts (ResourceAccount differs from the caller's), the
//     resource (or key) policy must allow the caller, by any principal
//     form, and the caller's identity policies must allow, narrowed by the
//     session policies if any. Root credentials count as an identity allow
//     in their own account.
//  4. In the same account, without a key policy: allowed when the resource
//     policy names the principal directly (its ARN, its role for a
//     session, its service, or "*"), or when an identity policy allows. A
//     resource policy naming only the account ("123456789012" or
//     "arn:aws:iam::123456789012:root") delegates to IAM and grants nothing
//     by itself. Session policies narrow both, except that a resource
//     policy naming the session ARN itself is not limited ("Session
//     policies").
//  5. With a key policy (KMS), identity policies count only if the key
//     policy allows the account ("Default key policy"); a key policy
//     statement naming the principal directly is enough by itself.
//
// Otherwise the result is an implicit deny. A service principal (Service
// set, no Account) is decided by the resource policy alone.
//
// The request context is the caller's to fill (tags, aws:SourceIp,
// aws:SecureTransport, aws:CurrentTime, aws:userid, service keys…); only
// aws:PrincipalArn (the role's ARN for a session), aws:PrincipalAccount and,
// for IAM users, aws:username are derived from the Principal when absent.
//
// Principals: "*" and {"AWS": "*"} match anyone; a 12-digit account id and
// the account's root ARN match every principal of that account; a user or
// role ARN matches that user or role; a role ARN matches the sessions of
// the role (by Principal.RoleARN, or by account and role name when that is
// empty); an assumed-role session ARN matches that session;
// {"Service": …} matches Principal.Service. Wildcards inside principal ARNs
// are rejected at parse time, as IAM does.
//
// # Not supported
//
// Service control policies, resource control policies, permission
// boundaries and VPC endpoint policies; NotPrincipal's subtleties (here it
// simply inverts the Principal match; AWS's advice to list the session,
// role and account together is not enforced, and Federated and
// CanonicalUser principals are parsed but never match); the
// cross-account exception for session ARNs (across accounts, session
// policies always narrow); policy size and character limits; BinaryEquals;
// multi-valued keys as variables; the newer "${…}" forms in condition keys
// themselves. [Policy.Public] tells whether a resource policy grants broad
// access (BlockPublicPolicy, the rules are on it); other policy validation
// (ValidateResourcePolicy's) is left to the callers, which can inspect the
// exported fields of [Policy] and [Statement].
package policy
