package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Policy language versions. Policy variables are substituted only under
// Version2012; under Version2008 (and when Version is absent) "${...}" is
// literal text, as on AWS.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Kind says which element rules Parse enforces.
type Kind int

const (
	// Identity is an identity-based or session policy: no Principal, and
	// every statement needs Resource or NotResource.
	Identity Kind = iota
	// Resource is a resource-based policy (secret resource policy, key
	// policy, role trust policy): every statement needs Principal or
	// NotPrincipal; Resource is optional and absent means every resource.
	Resource
)

// Effect is a statement's effect.
type Effect string

// The two effects IAM knows.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// ErrMalformed is wrapped by every error Parse returns; callers map it to
// MalformedPolicyDocumentException.
var ErrMalformed = errors.New("malformed policy document")

// Error is a parse error. Msg is IAM-like and safe to show to clients.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *Error) Unwrap() error { return ErrMalformed }

func malformed(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Policy is a parsed policy document.
type Policy struct {
	// Name is a label for the caller (for example the managed policy's
	// ARN); it is not part of the document and only appears in results.
	Name      string
	Version   string
	ID        string
	Statement []*Statement

	vars bool // policy variables are substituted (Version 2012-10-17)
}

// Statement is one statement of a policy. The exported fields hold the
// document as written; matching uses compiled forms kept alongside.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principals // nil when absent
	NotPrincipal *Principals // nil when absent
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // sorted by operator, then key

	actions   []string // lower-cased glob patterns
	notAction bool
	resources []pattern
	notRes    bool
	anyRes    bool // no Resource element (resource policies)
	conds     []*condition
	cost      uint8 // how much work matching takes: see statementCost
}

// maxCost is the highest statementCost.
const maxCost = 2

// statementCost ranks how much work matching a statement takes: 0 with no
// conditions and no policy variables in Resource, 1 with conditions, 2
// with variables to substitute.
func statementCost(s *Statement) uint8 {
	for i := range s.resources {
		if s.resources[i].hasVar {
			return 2
		}
	}
	if len(s.conds) > 0 {
		return 1
	}
	return 0
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	Any           bool // "Principal": "*" or {"AWS": "*"}
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one condition key under one operator, as written.
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Parse parses an IAM JSON policy document and checks it against the
// rules of kind. Errors wrap ErrMalformed.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil || top == nil {
		return nil, malformed("Syntax errors in policy.")
	}
	p := &Policy{}
	for k, v := range top {
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &p.Version); err != nil {
				return nil, malformed("The policy failed legacy parsing")
			}
		case "Id":
			if err := json.Unmarshal(v, &p.ID); err != nil {
				return nil, malformed("Syntax errors in policy.")
			}
		case "Statement":
		default:
			return nil, malformed("Syntax errors in policy. Unknown element %q.", k)
		}
	}
	switch p.Version {
	case Version2012:
		p.vars = true
	case Version2008, "":
	default:
		return nil, malformed("The policy failed legacy parsing")
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformed("Syntax errors in policy. Missing required field Statement.")
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(raw, &raws); err != nil {
			return nil, malformed("Syntax errors in policy.")
		}
	} else {
		raws = []json.RawMessage{raw}
	}
	if len(raws) == 0 {
		return nil, malformed("Syntax errors in policy. Statement must not be empty.")
	}
	sids := map[string]bool{}
	for _, r := range raws {
		s, err := parseStatement(r, kind, p.vars)
		if err != nil {
			return nil, err
		}
		// IAM requires unique Sids in identity policies; resource-based
		// policies are checked by their own services, and AWS's own key
		// policy for aws/secretsmanager repeats a Sid.
		if s.Sid != "" && kind == Identity {
			if sids[s.Sid] {
				return nil, malformed("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		p.Statement = append(p.Statement, s)
	}
	return p, nil
}

// MustParse is Parse that panics; for tests and static policies.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		panic(err)
	}
	return p
}

func parseStatement(raw json.RawMessage, kind Kind, vars bool) (*Statement, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, malformed("Syntax errors in policy. Statement must be an object.")
	}
	s := &Statement{}
	for k, v := range m {
		var err error
		switch k {
		case "Sid":
			if json.Unmarshal(v, &s.Sid) != nil {
				err = malformed("Syntax errors in policy. Sid must be a string.")
			}
		case "Effect":
			var e string
			if json.Unmarshal(v, &e) != nil || (e != string(EffectAllow) && e != string(EffectDeny)) {
				err = malformed("Invalid effect: %s", strings.Trim(string(v), `"`))
			}
			s.Effect = Effect(e)
		case "Principal":
			s.Principal, err = parsePrincipals(v)
		case "NotPrincipal":
			s.NotPrincipal, err = parsePrincipals(v)
		case "Action":
			s.Action, err = stringList(v, k)
		case "NotAction":
			s.NotAction, err = stringList(v, k)
		case "Resource":
			s.Resource, err = stringList(v, k)
		case "NotResource":
			s.NotResource, err = stringList(v, k)
		case "Condition":
			s.Condition, s.conds, err = parseConditions(v, vars)
		default:
			err = malformed("Syntax errors in policy. Unknown element %q in statement.", k)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.Effect == "" {
		return nil, malformed("Syntax errors in policy. Missing required field Effect.")
	}
	_, hasA := m["Action"]
	_, hasNA := m["NotAction"]
	switch {
	case hasA && hasNA:
		return nil, malformed("Syntax errors in policy. Statement cannot contain both Action and NotAction.")
	case !hasA && !hasNA, len(s.Action)+len(s.NotAction) == 0:
		return nil, malformed("Policy statement must contain actions.")
	}
	_, hasR := m["Resource"]
	_, hasNR := m["NotResource"]
	switch {
	case hasR && hasNR:
		return nil, malformed("Syntax errors in policy. Statement cannot contain both Resource and NotResource.")
	case hasR || hasNR:
		if len(s.Resource)+len(s.NotResource) == 0 {
			return nil, malformed("Policy statement must contain resources.")
		}
	case kind == Identity:
		return nil, malformed("Policy statement must contain resources.")
	default:
		s.anyRes = true
	}
	switch {
	case s.Principal != nil && s.NotPrincipal != nil:
		return nil, malformed("Syntax errors in policy. Statement cannot contain both Principal and NotPrincipal.")
	case kind == Identity && (s.Principal != nil || s.NotPrincipal != nil):
		return nil, malformed("Policy document should not specify a principal.")
	case kind == Resource && s.Principal == nil && s.NotPrincipal == nil:
		return nil, malformed("Missing required field Principal")
	}

	acts := s.Action
	if hasNA {
		acts, s.notAction = s.NotAction, true
	}
	for _, a := range acts {
		if a != "*" && !strings.Contains(a, ":") {
			return nil, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
		s.actions = append(s.actions, strings.ToLower(a))
	}
	res := s.Resource
	if hasNR {
		res, s.notRes = s.NotResource, true
	}
	for _, r := range res {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
		s.resources = append(s.resources, newPattern(r, vars, true))
	}
	s.cost = statementCost(s)
	return s, nil
}

func parsePrincipals(raw json.RawMessage) (*Principals, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		if str != "*" {
			return nil, malformed("Invalid principal in policy: %s", str)
		}
		return &Principals{Any: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return nil, malformed("Invalid principal in policy")
	}
	p := &Principals{}
	for k, v := range m {
		vals, err := stringList(v, "Principal")
		if err != nil {
			return nil, err
		}
		for _, val := range vals {
			if strings.ContainsAny(val, "*?") && val != "*" {
				return nil, malformed("Invalid principal in policy: %q:%q", k, val)
			}
		}
		switch k {
		case "AWS":
			for _, val := range vals {
				switch {
				case val == "*":
					p.Any = true
				case isAccountID(val):
				case strings.HasPrefix(val, "arn:") && (arnField(val, 2) == "iam" || arnField(val, 2) == "sts") && isAccountID(arnField(val, 4)):
				default:
					return nil, malformed("Invalid principal in policy: \"AWS\":%q", val)
				}
			}
			p.AWS = vals
		case "Service":
			p.Service = vals
		case "Federated":
			p.Federated = vals
		case "CanonicalUser":
			p.CanonicalUser = vals
		default:
			return nil, malformed("Invalid principal in policy: %q", k)
		}
	}
	return p, nil
}

// stringList decodes a string or an array of strings.
func stringList(raw json.RawMessage, elem string) ([]string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l, nil
	}
	return nil, malformed("Syntax errors in policy. %s must be a string or an array of strings.", elem)
}

// conditionValues decodes a condition value: a string, boolean or number,
// or an array of them.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	scalar := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := scalar(x)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func parseConditions(raw json.RawMessage, vars bool) ([]Condition, []*condition, error) {
	var ops map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, nil, malformed("Syntax errors in policy. Condition must be an object of objects.")
	}
	var out []Condition
	var compiled []*condition
	for op, keys := range ops {
		for key, v := range keys {
			vals, ok := conditionValues(v)
			if !ok {
				return nil, nil, malformed("Syntax errors in policy. Invalid value for condition key %s.", key)
			}
			c, err := compileCondition(op, key, vals, vars)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, Condition{Operator: op, Key: key, Values: vals})
			compiled = append(compiled, c)
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		x, y := out[idx[a]], out[idx[b]]
		if x.Operator != y.Operator {
			return x.Operator < y.Operator
		}
		return x.Key < y.Key
	})
	so := make([]Condition, len(out))
	sc := make([]*condition, len(out))
	for i, j := range idx {
		so[i], sc[i] = out[j], compiled[j]
	}
	return so, sc, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// arnField returns the i-th colon-separated field of an ARN (0 is "arn",
// 5 the resource, which keeps any further colons), or "".
// ARNAccount is the account field of an ARN, or "" when arn has fewer than
// six colon-separated fields.
func ARNAccount(arn string) string {
	if strings.Count(arn, ":") < 5 {
		return ""
	}
	return arnField(arn, 4)
}

func arnField(arn string, i int) string {
	// strings.SplitN(arn, ":", 6)[i], without building the slice.
	for f := 0; f < 5; f++ {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			if f == i {
				return arn
			}
			return ""
		}
		if f == i {
			return arn[:j]
		}
		arn = arn[j+1:]
	}
	if i == 5 {
		return arn
	}
	return ""
}
