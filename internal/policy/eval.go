package policy

import (
	"strings"
)

// Principal is the authenticated caller.
type Principal struct {
	// ARN is the caller: arn:aws:iam::ACCOUNT:root, …:user/PATH/NAME,
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or a role ARN.
	ARN string
	// Account is the caller's 12-digit account id.
	Account string
	// Root is true for the account's root credentials.
	Root bool
	// RoleARN is, for an assumed-role session, the role's ARN with its
	// path. When empty, a session matches a role ARN by account and name.
	RoleARN string
	// Service is set when an AWS service principal makes the request
	// (matches "Principal": {"Service": …}).
	Service string
}

// Request is what is being authorized.
type Request struct {
	Principal Principal
	Action    string // "secretsmanager:GetSecretValue"; case-insensitive
	Resource  string // the resource ARN
	// ResourceAccount owns the resource; empty means the caller's account.
	ResourceAccount string
	// Context holds the request's condition keys (case-insensitive) and
	// their values. aws:PrincipalArn, aws:PrincipalAccount and (for IAM
	// users) aws:username are derived from Principal when absent.
	Context map[string][]string
	// ContextLower promises that every key of Context is lower-case; then
	// Evaluate uses the map as it is, without a copy, and may add the keys
	// it derives (aws:PrincipalArn, aws:PrincipalAccount, aws:username)
	// to it.
	ContextLower bool
}

// Policies are the policies that apply to one request.
type Policies struct {
	// Identity holds the caller's identity-based policies (inline and
	// attached, user, group and role policies alike).
	Identity []*Policy
	// Session holds session policies passed when the session was created.
	// Empty means the session is not narrowed (or it is not a session).
	Session []*Policy
	// Resource is the resource-based policy, if any (secret resource
	// policy, role trust policy).
	Resource *Policy
	// Key is the KMS key policy. When set, KMS rules apply: the key policy
	// must allow the request, directly or by delegating to IAM by allowing
	// the account; Resource is then ignored.
	Key *Policy
}

// Decision is the outcome of an evaluation.
type Decision int

const (
	// ImplicitDeny: nothing allowed the request.
	ImplicitDeny Decision = iota
	// Allow: the request is allowed.
	Allow
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Source says which policy decided.
type Source int

// Sources of a decision.
const (
	SourceNone Source = iota
	SourceIdentity
	SourceSession
	SourceResource
	SourceKey
	SourceRoot // the account root in its own account
)

func (s Source) String() string {
	return [...]string{"none", "identity", "session", "resource", "key", "root"}[s]
}

// Result is a decision with the statement that decided it. For
// ImplicitDeny and root allows Policy and Statement are nil.
type Result struct {
	Decision  Decision
	Source    Source
	Policy    *Policy
	Statement *Statement
}

// Allowed reports whether the decision is Allow.
func (r Result) Allowed() bool { return r.Decision == Allow }

// env is the per-request evaluation state.
type env struct {
	req    *Request
	action string              // lower-case
	ctx    map[string][]string // lower-case keys
}

func (e *env) variable(name string) (string, bool) {
	v := e.ctx[strings.ToLower(name)]
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

func newEnv(req *Request) *env {
	e := &env{req: req, action: strings.ToLower(req.Action)}
	if req.ContextLower && req.Context != nil {
		e.ctx = req.Context
	} else {
		e.ctx = lowerContext(req.Context)
	}
	p := &req.Principal
	setDefault := func(k, v string) {
		if _, ok := e.ctx[k]; !ok && v != "" {
			e.ctx[k] = []string{v}
		}
	}
	switch res := arnField(p.ARN, 5); {
	case p.RoleARN != "":
		setDefault("aws:principalarn", p.RoleARN)
	case arnField(p.ARN, 2) == "sts" && strings.HasPrefix(res, "assumed-role/"):
		// For a session aws:PrincipalArn is the role's ARN; without
		// RoleARN the path is unknown and left out.
		role, _, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		setDefault("aws:principalarn", "arn:"+arnField(p.ARN, 1)+":iam::"+p.Account+":role/"+role)
	default:
		setDefault("aws:principalarn", p.ARN)
	}
	setDefault("aws:principalaccount", p.Account)
	if res := arnField(p.ARN, 5); arnField(p.ARN, 2) == "iam" && strings.HasPrefix(res, "user/") {
		setDefault("aws:username", res[strings.LastIndexByte(res, '/')+1:])
	}
	return e
}

// lowerContext copies a request context with its keys lower-cased.
func lowerContext(in map[string][]string) map[string][]string {
	out := make(map[string][]string, len(in)+3)
	for k, v := range in {
		lk := strings.ToLower(k)
		if prev, ok := out[lk]; ok {
			// The same key in two cases: both sets of values, in a new
			// slice (the request's are read, never written).
			out[lk] = append(append([]string(nil), prev...), v...)
		} else {
			out[lk] = v
		}
	}
	return out
}

// principal match strength, weakest first.
type pmatch int

const (
	pmNone    pmatch = iota
	pmAccount        // the principal's account (delegation to IAM)
	pmDirect         // the principal itself, its role, "*", or its service
	pmSession        // the assumed-role session ARN itself
)

func (e *env) matchPrincipals(ps *Principals) pmatch {
	p := &e.req.Principal
	best := pmNone
	if ps.Any {
		best = pmDirect
	}
	for _, s := range ps.Service {
		if p.Service != "" && s == p.Service {
			best = max(best, pmDirect)
		}
	}
	for _, a := range ps.AWS {
		best = max(best, matchAWSPrincipal(a, p))
	}
	return best
}

func matchAWSPrincipal(a string, p *Principal) pmatch {
	switch {
	case a == "*":
		return pmDirect
	case isAccountID(a):
		if a == p.Account {
			return pmAccount
		}
		return pmNone
	}
	if a == p.ARN {
		if p.Root {
			return pmAccount
		}
		if arnField(p.ARN, 2) == "sts" {
			return pmSession
		}
		return pmDirect
	}
	if arnField(a, 2) == "iam" && arnField(a, 5) == "root" {
		if arnField(a, 4) == p.Account {
			return pmAccount
		}
		return pmNone
	}
	// A role ARN names the role's sessions.
	if p.RoleARN != "" {
		if a == p.RoleARN {
			return pmDirect
		}
		return pmNone
	}
	res := arnField(a, 5)
	sres := arnField(p.ARN, 5)
	if arnField(a, 2) == "iam" && strings.HasPrefix(res, "role/") &&
		arnField(p.ARN, 2) == "sts" && strings.HasPrefix(sres, "assumed-role/") &&
		arnField(a, 4) == p.Account && arnField(a, 1) == arnField(p.ARN, 1) {
		name := res[strings.LastIndexByte(res, '/')+1:]
		rest := strings.TrimPrefix(sres, "assumed-role/")
		if i := strings.IndexByte(rest, '/'); i >= 0 && rest[:i] == name {
			return pmDirect
		}
	}
	return pmNone
}

// applies reports whether s applies to the request, ignoring Effect, and
// how the principal matched (pmDirect for policies without principals).
func (e *env) applies(s *Statement, withPrincipal bool) pmatch {
	pm := pmDirect
	if withPrincipal {
		switch {
		case s.Principal != nil:
			pm = e.matchPrincipals(s.Principal)
			if pm == pmNone {
				return pmNone
			}
		case s.NotPrincipal != nil:
			if e.matchPrincipals(s.NotPrincipal) != pmNone {
				return pmNone
			}
		default:
			return pmNone
		}
	}
	if !e.matchAction(s) || !e.matchResource(s) {
		return pmNone
	}
	for _, c := range s.conds {
		if !c.holds(e) {
			return pmNone
		}
	}
	return pm
}

func (e *env) matchAction(s *Statement) bool { return matchesAction(s, e.action) }

func (e *env) matchResource(s *Statement) bool {
	if s.anyRes {
		return true
	}
	for i := range s.resources {
		p, ok := s.resources[i].resolve(e)
		if ok && arnMatch(p, e.req.Resource) {
			return !s.notRes
		}
	}
	return s.notRes
}

type hit struct {
	policy *Policy
	stmt   *Statement
	pm     pmatch
}

// scan finds, across policies, the first matching Deny and the strongest
// matching Allow.
func (e *env) scan(ps []*Policy, withPrincipal bool) (deny, allow hit) {
	if !withPrincipal {
		return e.scanByCost(ps)
	}
	for _, p := range ps {
		if p == nil {
			continue
		}
		for _, s := range p.Statement {
			if s.Effect == EffectAllow && allow.stmt != nil && (!withPrincipal || allow.pm == pmSession) {
				continue // only a Deny can change the outcome now
			}
			pm := e.applies(s, withPrincipal)
			if pm == pmNone {
				continue
			}
			if s.Effect == EffectDeny {
				if deny.stmt == nil {
					deny = hit{p, s, pm}
				}
				return deny, allow
			}
			if pm > allow.pm {
				allow = hit{p, s, pm}
			}
		}
	}
	return deny, allow
}

// scanByCost is scan for policies without principals, where any matching
// Allow is as good as another: every Deny is looked at, then the Allows,
// cheapest first (no conditions and no variables, then conditions, then
// variables), stopping at the first that matches. The outcome is scan's;
// only the work differs.
func (e *env) scanByCost(ps []*Policy) (deny, allow hit) {
	for _, p := range ps {
		if p == nil {
			continue
		}
		for _, s := range p.Statement {
			if s.Effect == EffectDeny && e.applies(s, false) != pmNone {
				return hit{p, s, pmDirect}, allow
			}
		}
	}
	for cost := uint8(0); cost <= maxCost; cost++ {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, s := range p.Statement {
				if s.Effect == EffectAllow && s.cost == cost && e.applies(s, false) != pmNone {
					return deny, hit{p, s, pmDirect}
				}
			}
		}
	}
	return deny, allow
}

// Evaluate decides req under in, following AWS's policy evaluation logic
// for one account's identity, session and resource (or key) policies; see
// the package documentation for the rules and what is left out.
func Evaluate(req *Request, in *Policies) Result {
	if in == nil {
		in = &Policies{}
	}
	e := newEnv(req)
	idDeny, idAllow := e.scan(in.Identity, false)
	if idDeny.stmt != nil {
		return Result{ExplicitDeny, SourceIdentity, idDeny.policy, idDeny.stmt}
	}
	sessDeny, sessAllow := e.scan(in.Session, false)
	if sessDeny.stmt != nil {
		return Result{ExplicitDeny, SourceSession, sessDeny.policy, sessDeny.stmt}
	}
	resPol, resSrc := in.Resource, SourceResource
	if in.Key != nil {
		resPol, resSrc = in.Key, SourceKey
	}
	resDeny, resAllow := e.scan([]*Policy{resPol}, true)
	if resDeny.stmt != nil {
		return Result{ExplicitDeny, resSrc, resDeny.policy, resDeny.stmt}
	}

	p := &req.Principal
	// A service principal has no account and no identity policies: the
	// resource policy alone decides for it.
	sameAccount := req.ResourceAccount == "" || req.ResourceAccount == p.Account ||
		(p.Service != "" && p.Account == "")
	if p.Root && sameAccount {
		return Result{Decision: Allow, Source: SourceRoot}
	}
	sessOK := len(in.Session) == 0 || sessAllow.stmt != nil
	// Root credentials hold every permission of their own account, so on
	// the identity side of a cross-account request they count as allowed.
	idOK := (idAllow.stmt != nil || p.Root) && sessOK
	allowRes := Result{Decision: Allow, Source: resSrc, Policy: resAllow.policy, Statement: resAllow.stmt}
	allowID := Result{Decision: Allow, Source: SourceIdentity, Policy: idAllow.policy, Statement: idAllow.stmt}

	if !sameAccount {
		// Cross-account: the caller's identity policies (narrowed by any
		// session policy) and the resource's policy must both allow.
		if idOK && resAllow.pm != pmNone {
			return allowRes
		}
		return Result{}
	}
	switch {
	case resAllow.pm == pmSession:
		// A resource policy naming the session ARN is not limited by
		// session policies ("Session policies").
		return allowRes
	case resAllow.pm == pmDirect && sessOK:
		return allowRes
	case in.Key != nil:
		// Key policy allowing the account delegates to IAM ("Default key
		// policy"); without that, identity policies grant nothing.
		if resAllow.pm == pmAccount && idOK {
			return allowID
		}
		return Result{}
	case idOK:
		return allowID
	}
	return Result{}
}
