package policy

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type opFamily int

const (
	famString opFamily = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famIP
	famArn
	famNull
)

type cmpOp int

const (
	cmpEq cmpOp = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type opInfo struct {
	fam opFamily
	cmp cmpOp
	neg bool
}

// operators is the static table of base condition operators (without
// ForAnyValue:/ForAllValues: and IfExists), keyed lower-case.
var operators = map[string]opInfo{
	"stringequals":              {famString, cmpEq, false},
	"stringnotequals":           {famString, cmpEq, true},
	"stringequalsignorecase":    {famStringIgnoreCase, cmpEq, false},
	"stringnotequalsignorecase": {famStringIgnoreCase, cmpEq, true},
	"stringlike":                {famStringLike, cmpEq, false},
	"stringnotlike":             {famStringLike, cmpEq, true},
	"numericequals":             {famNumeric, cmpEq, false},
	"numericnotequals":          {famNumeric, cmpEq, true},
	"numericlessthan":           {famNumeric, cmpLT, false},
	"numericlessthanequals":     {famNumeric, cmpLE, false},
	"numericgreaterthan":        {famNumeric, cmpGT, false},
	"numericgreaterthanequals":  {famNumeric, cmpGE, false},
	"dateequals":                {famDate, cmpEq, false},
	"datenotequals":             {famDate, cmpEq, true},
	"datelessthan":              {famDate, cmpLT, false},
	"datelessthanequals":        {famDate, cmpLE, false},
	"dategreaterthan":           {famDate, cmpGT, false},
	"dategreaterthanequals":     {famDate, cmpGE, false},
	"bool":                      {famBool, cmpEq, false},
	"ipaddress":                 {famIP, cmpEq, false},
	"notipaddress":              {famIP, cmpEq, true},
	"arnequals":                 {famArn, cmpEq, false},
	"arnlike":                   {famArn, cmpEq, false},
	"arnnotequals":              {famArn, cmpEq, true},
	"arnnotlike":                {famArn, cmpEq, true},
	"null":                      {famNull, cmpEq, false},
}

type setQual int

const (
	setNone setQual = iota
	setAny
	setAll
)

// condition is one compiled (operator, key, values) triple.
type condition struct {
	opInfo
	set      setQual
	ifExists bool
	key      string // lower-case
	pats     []pattern
	nums     []float64
	dates    []time.Time
	prefixes []netip.Prefix
	want     []bool // Null and Bool
}

func compileCondition(op, key string, vals []string, vars bool) (*condition, error) {
	c := &condition{key: strings.ToLower(key)}
	base := op
	if i := strings.IndexByte(op, ':'); i >= 0 {
		switch strings.ToLower(op[:i]) {
		case "foranyvalue":
			c.set = setAny
		case "forallvalues":
			c.set = setAll
		default:
			return nil, malformed("Invalid Condition type : %s.", op)
		}
		base = op[i+1:]
	}
	lb := strings.ToLower(base)
	if strings.HasSuffix(lb, "ifexists") {
		c.ifExists = true
		lb = strings.TrimSuffix(lb, "ifexists")
	}
	info, ok := operators[lb]
	if !ok || (info.fam == famNull && c.ifExists) {
		return nil, malformed("Invalid Condition type : %s.", op)
	}
	c.opInfo = info
	if !strings.Contains(key, ":") {
		return nil, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	}
	bad := func(v string) error {
		return malformed("Invalid value for condition %s, key %s: %q.", op, key, v)
	}
	for _, v := range vals {
		switch info.fam {
		case famString, famStringIgnoreCase:
			c.pats = append(c.pats, newPattern(v, vars, false))
		case famStringLike, famArn:
			c.pats = append(c.pats, newPattern(v, vars, true))
		case famNumeric:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(n) {
				return nil, bad(v)
			}
			c.nums = append(c.nums, n)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return nil, bad(v)
			}
			c.dates = append(c.dates, t)
		case famBool, famNull:
			lv := strings.ToLower(v)
			if lv != "true" && lv != "false" {
				return nil, bad(v)
			}
			c.want = append(c.want, lv == "true")
		case famIP:
			pfx, ok := parsePrefix(v)
			if !ok {
				return nil, bad(v)
			}
			c.prefixes = append(c.prefixes, pfx)
		}
	}
	return c, nil
}

func parsePrefix(v string) (netip.Prefix, bool) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate accepts the ISO 8601 forms IAM documents and epoch seconds.
func parseDate(v string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}

// holds evaluates the condition against the request context.
func (c *condition) holds(e *env) bool {
	vals := e.ctx[c.key]
	if c.fam == famNull {
		absent := len(vals) == 0
		for _, w := range c.want {
			if w == absent {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		// "Conditions with multiple context keys or values" and the
		// condition operators page: IfExists and ForAllValues match a
		// missing key, ForAnyValue does not, a negated operator does.
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true
		case c.set == setAny:
			return false
		default:
			return c.neg
		}
	}
	// ok(v): v matches at least one policy value (the positive form).
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.matchOne(v, e) != c.neg {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.matchOne(v, e) == c.neg {
				return false
			}
		}
		return true
	default:
		for _, v := range vals {
			if c.matchOne(v, e) {
				return !c.neg
			}
		}
		return c.neg
	}
}

// matchOne reports whether one request value matches any policy value
// (values within a key are ORed).
func (c *condition) matchOne(v string, e *env) bool {
	switch c.fam {
	case famString, famStringIgnoreCase, famStringLike, famArn:
		for i := range c.pats {
			p, ok := c.pats[i].resolve(e)
			if !ok {
				continue
			}
			var m bool
			switch c.fam {
			case famString:
				m = p == v
			case famStringIgnoreCase:
				m = strings.EqualFold(p, v)
			case famStringLike:
				m = globMatch(p, v)
			case famArn:
				m = arnMatch(p, v)
			}
			if m {
				return true
			}
		}
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, p := range c.nums {
			if compare(cmpFloat(n, p), c.cmp) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range c.dates {
			if compare(t.Compare(p), c.cmp) {
				return true
			}
		}
	case famBool:
		lv := strings.ToLower(v)
		if lv != "true" && lv != "false" {
			return false
		}
		for _, w := range c.want {
			if w == (lv == "true") {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(r int, op cmpOp) bool {
	switch op {
	case cmpLT:
		return r < 0
	case cmpLE:
		return r <= 0
	case cmpGT:
		return r > 0
	case cmpGE:
		return r >= 0
	}
	return r == 0
}
