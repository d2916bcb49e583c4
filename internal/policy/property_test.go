package policy

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Randomized property tests over generated scenarios, with a fixed seed so
// failures reproduce. Each property is one of the invariants AWS's
// "Policy evaluation logic" implies.

type genStmt struct {
	effect, action, resource, cond, principal string
}

type genPolicy []genStmt

type scenario struct {
	id, sess []genPolicy
	res, key genPolicy // nil when absent
	req      Request
}

var (
	genActions   = []string{"*", "secretsmanager:*", "secretsmanager:Get*", getSecret, "kms:Decrypt", "kms:*", "secretsmanager:Describe*", `["kms:Decrypt","secretsmanager:GetSecretValue"]`}
	genResources = []string{"*", secretARN, "arn:aws:secretsmanager:*:*:secret:prod/*", "arn:aws:secretsmanager:*:*:secret:dev/*", keyARN, "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*"}
	genConds     = []string{"", "", "",
		`{"StringEquals":{"aws:ResourceTag/env":"prod"}}`,
		`{"Bool":{"aws:SecureTransport":"true"}}`,
		`{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`,
		`{"StringNotEquals":{"aws:PrincipalTag/team":"ops"}}`,
		`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
		`{"StringEqualsIfExists":{"aws:ResourceTag/env":"dev"}}`,
	}
	genPrincipals = []string{`"*"`, awsP(acctA), awsP(acctB), awsP(alice.ARN), awsP(carol.ARN), awsP(roleARN), awsP(sess.ARN), awsP("arn:aws:iam::222222222222:role/reader")}
	genCallers    = []Principal{alice, bob, carol, sess, rootA, sessB}
	genReqActions = []string{getSecret, "kms:Decrypt", "secretsmanager:DescribeSecret"}
	genReqRes     = []string{secretARN, devARN, keyARN}
	genCtxs       = []map[string][]string{
		nil,
		ctx("aws:ResourceTag/env", "prod", secureKey, "true", "aws:SourceIp", "203.0.113.5"),
		ctx("aws:ResourceTag/env", "dev", "aws:PrincipalTag/team", "ops", tagKeys, "env"),
		ctx(secureKey, "false", tagKeys, "cost", "aws:SourceIp", "198.51.100.1"),
	}
)

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

func genStatement(r *rand.Rand, effectAllowBias int) genStmt {
	eff := "Allow"
	if r.IntN(100) >= effectAllowBias {
		eff = "Deny"
	}
	return genStmt{eff, pick(r, genActions), pick(r, genResources), pick(r, genConds), pick(r, genPrincipals)}
}

func genPol(r *rand.Rand) genPolicy {
	n := 1 + r.IntN(3)
	p := make(genPolicy, n)
	for i := range p {
		p[i] = genStatement(r, 85)
	}
	return p
}

func genScenario(r *rand.Rand) scenario {
	var s scenario
	for range r.IntN(4) {
		s.id = append(s.id, genPol(r))
	}
	if r.IntN(4) == 0 {
		for range 1 + r.IntN(2) {
			s.sess = append(s.sess, genPol(r))
		}
	}
	switch r.IntN(3) {
	case 0:
		s.res = genPol(r)
	case 1:
		s.key = genPol(r)
	}
	s.req = Request{
		Principal: pick(r, genCallers),
		Action:    pick(r, genReqActions),
		Resource:  pick(r, genReqRes),
		Context:   pick(r, genCtxs),
	}
	if r.IntN(2) == 0 {
		s.req.ResourceAccount = acctA
	}
	return s
}

func (p genPolicy) render(kind Kind) string {
	var parts []string
	for _, s := range p {
		extra := ""
		if s.cond != "" {
			extra = `"Condition":` + s.cond
		}
		if kind == Resource {
			parts = append(parts, rst(s.effect, s.principal, s.action, s.resource, extra))
		} else {
			parts = append(parts, st(s.effect, s.action, s.resource, extra))
		}
	}
	return doc(parts...)
}

func (s scenario) evaluate(t *testing.T) Result {
	t.Helper()
	in := &Policies{}
	for _, p := range s.id {
		in.Identity = append(in.Identity, MustParse(p.render(Identity), Identity))
	}
	for _, p := range s.sess {
		in.Session = append(in.Session, MustParse(p.render(Identity), Identity))
	}
	if s.res != nil {
		in.Resource = MustParse(s.res.render(Resource), Resource)
	}
	if s.key != nil {
		in.Key = MustParse(s.key.render(Resource), Resource)
	}
	req := s.req
	return Evaluate(&req, in)
}

func (s scenario) String() string {
	return fmt.Sprintf("req=%+v\nidentity=%v\nsession=%v\nresource=%v\nkey=%v", s.req, s.id, s.sess, s.res, s.key)
}

// clone deep-copies the policies so a property can change one copy.
func (s scenario) clone() scenario {
	cp := func(ps []genPolicy) []genPolicy {
		var out []genPolicy
		for _, p := range ps {
			out = append(out, append(genPolicy(nil), p...))
		}
		return out
	}
	n := s
	n.id, n.sess = cp(s.id), cp(s.sess)
	if s.res != nil {
		n.res = append(genPolicy{}, s.res...)
	}
	if s.key != nil {
		n.key = append(genPolicy{}, s.key...)
	}
	return n
}

const propRuns = 4000

// TestProperty_ForActionSameDecision: narrowing every policy to the
// request's action never changes the decision.
func TestProperty_ForActionSameDecision(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range propRuns {
		s := genScenario(r)
		want := s.evaluate(t)
		in := &Policies{}
		for _, p := range s.id {
			in.Identity = append(in.Identity, MustParse(p.render(Identity), Identity).ForAction(s.req.Action))
		}
		for _, p := range s.sess {
			in.Session = append(in.Session, MustParse(p.render(Identity), Identity).ForAction(s.req.Action))
		}
		if s.res != nil {
			in.Resource = MustParse(s.res.render(Resource), Resource).ForAction(s.req.Action)
		}
		if s.key != nil {
			in.Key = MustParse(s.key.render(Resource), Resource).ForAction(s.req.Action)
		}
		req := s.req
		if got := Evaluate(&req, in); got.Decision != want.Decision {
			t.Fatalf("run %d: narrowed %v, whole %v\n%s", i, got.Decision, want.Decision, s)
		}
	}
}

func TestProperty_ExplicitDenyWins(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	deny := genStmt{"Deny", "*", "*", "", `"*"`}
	for i := range propRuns {
		s := genScenario(r)
		n := s.clone()
		// Put a matching Deny into a random existing policy, or a new
		// identity policy when there is none.
		var targets []*genPolicy
		for j := range n.id {
			targets = append(targets, &n.id[j])
		}
		for j := range n.sess {
			targets = append(targets, &n.sess[j])
		}
		if n.res != nil {
			targets = append(targets, &n.res)
		}
		if n.key != nil {
			targets = append(targets, &n.key)
		}
		if len(targets) == 0 {
			n.id = append(n.id, genPolicy{})
			targets = append(targets, &n.id[0])
		}
		tp := pick(r, targets)
		pos := r.IntN(len(*tp) + 1)
		*tp = append((*tp)[:pos], append(genPolicy{deny}, (*tp)[pos:]...)...)
		if got := n.evaluate(t); got.Decision != ExplicitDeny {
			t.Fatalf("run %d: added a matching Deny, got %v\n%v", i, got.Decision, n)
		}
	}
}

func TestProperty_OrderDoesNotMatter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	counts := map[Decision]int{}
	for i := range propRuns {
		s := genScenario(r)
		want := s.evaluate(t).Decision
		counts[want]++
		n := s.clone()
		shuffle := func(p genPolicy) {
			r.Shuffle(len(p), func(a, b int) { p[a], p[b] = p[b], p[a] })
		}
		for _, p := range n.id {
			shuffle(p)
		}
		for _, p := range n.sess {
			shuffle(p)
		}
		shuffle(n.res)
		shuffle(n.key)
		r.Shuffle(len(n.id), func(a, b int) { n.id[a], n.id[b] = n.id[b], n.id[a] })
		r.Shuffle(len(n.sess), func(a, b int) { n.sess[a], n.sess[b] = n.sess[b], n.sess[a] })
		if got := n.evaluate(t).Decision; got != want {
			t.Fatalf("run %d: reordering changed %v to %v\nbefore: %v\nafter: %v", i, want, got, s, n)
		}
	}
	for _, d := range []Decision{Allow, ImplicitDeny, ExplicitDeny} {
		if counts[d] < propRuns/20 {
			t.Fatalf("generator too skewed: %v", counts)
		}
	}
	t.Logf("decisions: %v", counts)
}

func TestProperty_AddingAllowKeepsAllow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for i := 0; checked < propRuns/4 && i < propRuns*20; i++ {
		s := genScenario(r)
		if s.evaluate(t).Decision != Allow {
			continue
		}
		checked++
		n := s.clone()
		for range 1 + r.IntN(3) {
			add := genStatement(r, 100)
			var targets []*genPolicy
			for j := range n.id {
				targets = append(targets, &n.id[j])
			}
			for j := range n.sess {
				targets = append(targets, &n.sess[j])
			}
			if n.res != nil {
				targets = append(targets, &n.res)
			}
			if n.key != nil {
				targets = append(targets, &n.key)
			}
			if len(targets) == 0 || r.IntN(4) == 0 {
				n.id = append(n.id, genPolicy{add}) // a new identity policy
				continue
			}
			tp := pick(r, targets)
			*tp = append(*tp, add)
		}
		if got := n.evaluate(t); got.Decision != Allow {
			t.Fatalf("run %d: adding Allow statements turned Allow into %v\nbefore: %v\nafter: %v", i, got.Decision, s, n)
		}
	}
	if checked < propRuns/4 {
		t.Fatalf("only %d allowed scenarios generated", checked)
	}
}

func TestGlobMatch(t *testing.T) {
	// Cross-checked against a naive recursive matcher on random inputs.
	var naive func(p, s string) bool
	naive = func(p, s string) bool {
		if p == "" {
			return s == ""
		}
		switch p[0] {
		case '*':
			return naive(p[1:], s) || (s != "" && naive(p, s[1:]))
		case '?':
			return s != "" && naive(p[1:], s[1:])
		}
		return s != "" && p[0] == s[0] && naive(p[1:], s[1:])
	}
	r := rand.New(rand.NewPCG(7, 8))
	alpha := "ab*?"
	for range 20000 {
		var p, s strings.Builder
		for range r.IntN(7) {
			p.WriteByte(alpha[r.IntN(4)])
		}
		for range r.IntN(7) {
			s.WriteByte(alpha[r.IntN(2)])
		}
		if got, want := globMatch(p.String(), s.String()), naive(p.String(), s.String()); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, want %v", p.String(), s.String(), got, want)
		}
	}
}
