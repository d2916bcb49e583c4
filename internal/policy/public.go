package policy

import "strings"

// Public reports whether the policy grants broad access: whether, read as a
// resource-based policy, it lets principals that nobody named reach the
// resource. It is the test behind Secrets Manager's BlockPublicPolicy and
// ValidateResourcePolicy, which AWS runs through Zelkova and documents by
// reference to Amazon S3's "The meaning of 'public'" (Secrets Manager User
// Guide, "Managing a resource-based policy for a secret"). Coffer's reading
// of those rules, each case cited in public_test.go:
//
//  1. Only Allow statements make a policy public; a Deny never does.
//  2. A statement's principals are broad when they include everyone
//     ("Principal": "*" or {"AWS": "*"}), a Federated principal (S3's
//     example {"Federated": "graph.facebook.com"} is public), or when the
//     statement uses NotPrincipal (an Allow for everyone but those named).
//     Account ids, user, role and session ARNs, service principals and
//     canonical users are fixed: a statement naming only those is not
//     public, whatever its conditions.
//  3. A statement with broad principals is still not public when one of its
//     conditions limits it to fixed values of a key that identifies who
//     calls or from where: aws:PrincipalAccount, aws:PrincipalArn,
//     aws:PrincipalOrgID, aws:userid, aws:SourceAccount, aws:SourceArn,
//     aws:SourceOwner, aws:SourceVpc, aws:SourceVpce, or aws:SourceIp with
//     CIDRs no broader than /8 (IPv4) or /32 (IPv6). Conditions on other
//     keys (aws:SecureTransport, tags, …) do not narrow who may call.
//  4. A value is fixed when it holds no policy variable (Version
//     2012-10-17) and, under StringLike, ArnLike or ArnEquals (the same
//     operator as ArnLike), no '*' or '?' wildcard; every value under the
//     key must be fixed, as any one of them lets a request through.
//  5. Only a condition that fails when the key is absent or different
//     narrows: StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals
//     and ArnLike (IpAddress for aws:SourceIp), bare or with ForAnyValue:.
//     Negated operators, Null, …IfExists and ForAllValues: (which hold when
//     the key is missing) do not.
//
// Public looks at principals and conditions only: a statement's actions
// and resources do not make it less public.
func (p *Policy) Public() bool {
	for _, s := range p.Statement {
		if s.public() {
			return true
		}
	}
	return false
}

// public reports whether the statement grants broad access (rules 1–5).
func (s *Statement) public() bool {
	if s.Effect != EffectAllow || !s.broadPrincipal() {
		return false
	}
	for _, c := range s.conds {
		if c.narrows() {
			return false
		}
	}
	return true
}

// broadPrincipal is rule 2.
func (s *Statement) broadPrincipal() bool {
	switch {
	case s.NotPrincipal != nil:
		return true
	case s.Principal == nil:
		return false
	}
	return s.Principal.Any || len(s.Principal.Federated) > 0
}

// narrowingKeys are the condition keys of rule 3, lower-case.
var narrowingKeys = map[string]bool{
	"aws:principalaccount": true,
	"aws:principalarn":     true,
	"aws:principalorgid":   true,
	"aws:userid":           true,
	"aws:sourceaccount":    true,
	"aws:sourcearn":        true,
	"aws:sourceowner":      true,
	"aws:sourcevpc":        true,
	"aws:sourcevpce":       true,
	"aws:sourceip":         true,
}

// narrows reports whether the condition limits a statement to fixed values
// of a key that identifies the caller (rules 3–5).
func (c *condition) narrows() bool {
	if !narrowingKeys[c.key] || c.neg || c.ifExists || c.set == setAll {
		return false
	}
	if c.key == "aws:sourceip" {
		if c.fam != famIP || len(c.prefixes) == 0 {
			return false
		}
		for _, p := range c.prefixes {
			if p.Addr().Is4() && p.Bits() < 8 || !p.Addr().Is4() && p.Bits() < 32 {
				return false
			}
		}
		return true
	}
	switch c.fam {
	case famString, famStringIgnoreCase, famStringLike, famArn:
	default:
		return false
	}
	if len(c.pats) == 0 {
		return false
	}
	for _, p := range c.pats {
		if p.hasVar || p.glob && strings.ContainsAny(p.raw, "*?") {
			return false
		}
	}
	return true
}
