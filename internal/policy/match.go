package policy

import (
	"strings"
	"unicode/utf8"
)

// pattern is a Resource entry or a condition value, kept ready for
// matching. Without variables it is compiled once at parse time.
type pattern struct {
	raw    string
	hasVar bool
	glob   bool   // compiled form uses the glob language (\ escapes)
	comp   string // compiled form when !hasVar
}

func newPattern(raw string, vars, glob bool) pattern {
	p := pattern{raw: raw, glob: glob}
	if vars && strings.Contains(raw, "${") {
		p.hasVar = true
		return p
	}
	if glob {
		p.comp = strings.ReplaceAll(raw, `\`, `\\`)
	} else {
		p.comp = raw
	}
	return p
}

// resolve returns the pattern with variables substituted; ok is false when
// a variable is undefined (the entry then matches nothing).
func (p *pattern) resolve(e *env) (string, bool) {
	if !p.hasVar {
		return p.comp, true
	}
	return substitute(p.raw, e, p.glob)
}

// substitute replaces ${key}, ${key, 'default'} and the escapes ${*},
// ${?}, ${$}. With glob set, the result is in the glob language: literal
// '*', '?' and '\' from values and escapes are backslash-escaped.
func substitute(raw string, e *env, glob bool) (string, bool) {
	var b strings.Builder
	b.Grow(len(raw) + 16)
	lit := func(s string) {
		if !glob {
			b.WriteString(s)
			return
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '*' || c == '?' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
	}
	for i := 0; i < len(raw); {
		if raw[i] == '$' && i+1 < len(raw) && raw[i+1] == '{' {
			if end := strings.IndexByte(raw[i+2:], '}'); end >= 0 {
				inner := raw[i+2 : i+2+end]
				i += end + 3
				switch inner {
				case "*", "?", "$":
					lit(inner)
					continue
				}
				name, def, hasDef := inner, "", false
				if c := strings.IndexByte(inner, ','); c >= 0 {
					name = inner[:c]
					d := strings.TrimSpace(inner[c+1:])
					if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
						def, hasDef = d[1:len(d)-1], true
					}
				}
				v, ok := e.variable(strings.TrimSpace(name))
				if !ok {
					if !hasDef {
						return "", false
					}
					v = def
				}
				lit(v)
				continue
			}
		}
		if glob && raw[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(raw[i])
		i++
	}
	return b.String(), true
}

// globMatch reports whether s matches p, where in p '*' matches any run of
// characters, '?' exactly one character, and '\x' the literal x.
func globMatch(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += n
				continue
			case '\\':
				if px+1 < len(p) && p[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			default:
				if c == s[sx] {
					px++
					sx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// arnMatch matches an ARN against a glob pattern the way IAM matches
// Resource entries and ArnLike/ArnEquals: each of the six colon-separated
// components separately, so a wildcard never spans a colon of the first
// five. A pattern with fewer components matches its last component against
// the rest of the ARN ("*" matches everything, "arn:aws:kms:*" every KMS ARN).
func arnMatch(p, s string) bool {
	for n := 0; n < 5; n++ {
		pi := strings.IndexByte(p, ':')
		if pi < 0 {
			break
		}
		si := strings.IndexByte(s, ':')
		if si < 0 || !globMatch(p[:pi], s[:si]) {
			return false
		}
		p, s = p[pi+1:], s[si+1:]
	}
	return globMatch(p, s)
}

// actionMatch matches a lower-cased action pattern against a lower-cased
// action name.
func actionMatch(p, a string) bool {
	if p == "*" {
		return true
	}
	return globMatch(p, a)
}
