package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Policy documents are kept as the caller gave them and parsed by package
// policy, whose errors carry IAM's wording.

// malformed turns a policy.Parse error into MalformedPolicyDocument.
func malformed(op string, err error) error {
	msg := msgSyntax
	var pe *policy.Error
	if errors.As(err, &pe) && pe.Msg != "" {
		msg = pe.Msg
	}
	return &secrets.Error{Kind: secrets.MalformedPolicy, Op: op, Msg: msg, Err: err}
}

// docSize is the size of a document as IAM counts it against its quotas:
// characters, not counting white space outside strings.
func docSize(doc string) int {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return utf8.RuneCountInString(doc)
	}
	return utf8.RuneCount(b.Bytes())
}

// docVersion returns the Version element of a document that is a JSON
// object, and whether it is one.
func docVersion(doc string) (string, bool) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil || top == nil {
		return "", false
	}
	var v string
	if raw, ok := top["Version"]; ok {
		if json.Unmarshal(raw, &v) != nil {
			return "", true
		}
	}
	return v, true
}

// parseIdentityDoc checks an inline policy document: an identity policy
// (no Principal; Resource in every statement).
func parseIdentityDoc(op, doc string) (*policy.Policy, error) {
	p, err := policy.Parse([]byte(doc), policy.Identity)
	if err != nil {
		return nil, malformed(op, err)
	}
	return p, nil
}

// parseManagedDoc checks a managed policy document: an identity policy
// of Version 2012-10-17 (IAM refuses others for managed policies: localstack
// snapshot test_iam_policies, invalid-1 and invalid-2), within the size
// quota.
func parseManagedDoc(op, doc string) (*policy.Policy, error) {
	v, isObject := docVersion(doc)
	if !isObject {
		return nil, errorf(secrets.MalformedPolicy, op, msgSyntax)
	}
	if v != policy.Version2012 {
		if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil && strings.HasPrefix(errMsg(err), "Syntax errors") {
			return nil, malformed(op, err)
		}
		return nil, errorf(secrets.MalformedPolicy, op, msgPolicyVersion)
	}
	p, err := parseIdentityDoc(op, doc)
	if err != nil {
		return nil, err
	}
	if docSize(doc) > MaxManagedPolicySize {
		return nil, errorf(secrets.LimitExceeded, op, msgPolicySizeQuota)
	}
	return p, nil
}

func errMsg(err error) string {
	var pe *policy.Error
	if errors.As(err, &pe) {
		return pe.Msg
	}
	return ""
}

// trustActions are the actions a role trust policy may name: the STS
// operations that assume a role or accompany assuming one.
var trustActions = map[string]bool{
	"sts:assumerole":                true,
	"sts:assumerolewithsaml":        true,
	"sts:assumerolewithwebidentity": true,
	"sts:tagsession":                true,
	"sts:setsourceidentity":         true,
	"sts:setcontext":                true,
}

// trustAction reports whether a trust policy may name action: one of
// trustActions, or a wildcard pattern within sts.
func trustAction(action string) bool {
	a := strings.ToLower(action)
	if trustActions[a] {
		return true
	}
	return strings.HasPrefix(a, "sts:") && strings.ContainsAny(a, "*?")
}

// parseTrustDoc checks a role's trust policy (AssumeRolePolicyDocument): a
// resource policy without Resource whose actions are STS AssumeRole
// actions, within the size quota. Its errors are IAM's (localstack
// snapshot test_iam_roles, test_update_assume_role_policy_errors).
func parseTrustDoc(op, doc string) (*policy.Policy, error) {
	if !json.Valid([]byte(doc)) {
		return nil, errorf(secrets.MalformedPolicy, op, msgTrustInvalidJSON)
	}
	p, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		return nil, malformed(op, err)
	}
	for _, st := range p.Statement {
		if len(st.Resource) > 0 || len(st.NotResource) > 0 {
			return nil, errorf(secrets.MalformedPolicy, op, msgTrustResource)
		}
	}
	for _, st := range p.Statement {
		for _, a := range st.Action {
			if !trustAction(a) {
				return nil, errorf(secrets.MalformedPolicy, op, msgTrustActions)
			}
		}
		if len(st.NotAction) > 0 {
			return nil, errorf(secrets.MalformedPolicy, op, msgTrustActions)
		}
	}
	if docSize(doc) > MaxTrustPolicySize {
		return nil, errorf(secrets.LimitExceeded, op, msgTrustSizeQuota)
	}
	return p, nil
}

// inlineSize is the size of a set of inline policies as IAM counts it
// against the per-identity quota: their documents together.
func inlineSize(ps []secrets.IAMInlinePolicy) int {
	n := 0
	for _, p := range ps {
		n += docSize(p.Document)
	}
	return n
}
