package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// translatePattern rewrites a pattern from a botocore model, written for
// java.util.regex, into Go (RE2) syntax with the same meaning, and anchors it
// at both ends.
//
// Why anchor: AWS's Java services check a value with Matcher.matches(), so a
// pattern must match the whole value. DynamoDB rejects 'abc;' for
// [a-zA-Z0-9_.-]+ (aws/aws-cli#790 shows the same for '"smart-dcb-messages"'),
// which a search for the pattern would have accepted. The Smithy spec says
// @pattern is not anchored; the service behaviour is what we copy.
//
// What differs between the dialects, and what this does about it:
//
//   - '.' is any character but a line terminator in Java (\n \r \u0085 \u2028
//     \u2029) and anything but \n in Go: it becomes an explicit class.
//   - \s and \S include \x0B (vertical tab) in Java and not in Go: expanded.
//   - \uXXXX is Java only: becomes \x{XXXX}.
//   - \p{Alpha} and the other POSIX names, and \p{IsL}, are Java only: mapped
//     to [[:alpha:]] and \p{L}.
//   - '-' between a finished range and another character is a literal in
//     Java: written escaped so Go reads it the same way.
//   - '$' is "end, or before a final line terminator" in Java. Under a whole
//     match that is the same as Go's end of text only when nothing can be
//     consumed after it, so '$' is accepted only there.
//
// Anything else Java has and RE2 lacks (lookaround, backreferences,
// possessive quantifiers, nested classes and && in classes, \b, \Z, inline
// flags, repeats above 1000) is refused with an error rather than guessed.
func translatePattern(java string) (string, error) {
	t := translator{src: java}
	body, err := t.run()
	if err != nil {
		return "", fmt.Errorf("pattern %q: %w", java, err)
	}
	goPat := `\A(?:` + body + `)\z`
	if _, err := regexp.Compile(goPat); err != nil {
		return "", fmt.Errorf("pattern %q: translated %q does not compile: %w", java, goPat, err)
	}
	return goPat, nil
}

// patternRewrites holds the model patterns that use a construct RE2 lacks,
// each with a lookaround-free equivalent in Java syntax (match, which must
// match the whole value) and a fragment that must occur nowhere in the value
// (exclude). Each equivalence is argued in why and checked against Java's
// verdicts on samples by the model package's tests; a pattern that is not
// listed here and needs lookaround is refused, not guessed.
var patternRewrites = map[string]struct{ match, exclude, why string }{
	// IAM accountAliasType. The group takes 1 to 61 characters between a
	// first and a last [a-z0-9], so the value has 3 to 63 characters from
	// [a-z0-9-], starting and ending with [a-z0-9]; -(?!-) takes a hyphen
	// only when the next character is not one. The last character is never
	// a hyphen, so that is the same as no "--" anywhere.
	`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`: {
		match:   `^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`,
		exclude: `--`,
		why:     "a hyphen never followed by a hyphen, in a value that ends in [a-z0-9], is a value without --",
	},
}

// patternFor translates a model pattern: goPat must match the whole value,
// and goExclude, when not empty, must not match anywhere in it.
func patternFor(java string) (goPat, goExclude string, err error) {
	rw, ok := patternRewrites[java]
	if !ok {
		goPat, err = translatePattern(java)
		return goPat, "", err
	}
	if goPat, err = translatePattern(rw.match); err != nil {
		return "", "", fmt.Errorf("rewrite of %q: %w", java, err)
	}
	t := translator{src: rw.exclude}
	if goExclude, err = t.run(); err != nil {
		return "", "", fmt.Errorf("rewrite of %q: exclusion %q: %w", java, rw.exclude, err)
	}
	if _, err := regexp.Compile(goExclude); err != nil {
		return "", "", fmt.Errorf("rewrite of %q: exclusion %q does not compile: %w", java, goExclude, err)
	}
	return goPat, goExclude, nil
}

// javaDotClass is Java's '.' without DOTALL: anything but a line terminator.
const javaDotClass = `[^\n\r\x{85}\x{2028}\x{2029}]`

// javaSpace is the set Java's \s matches (without UNICODE_CHARACTER_CLASS).
const javaSpace = `\t\n\x0B\f\r `

// javaNonSpace is the complement of javaSpace, written as ranges so that it
// can also sit inside a character class.
const javaNonSpace = `\x00-\x08\x0E-\x1F\x21-\x{10FFFF}`

// posixNames maps Java's POSIX property names (ASCII only, as in Java
// without UNICODE_CHARACTER_CLASS) to Go's ASCII POSIX classes.
var posixNames = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha",
	"Digit": "digit", "Alnum": "alnum", "Punct": "punct", "Graph": "graph",
	"Print": "print", "Blank": "blank", "Cntrl": "cntrl", "XDigit": "xdigit",
	"Space": "space",
}

type translator struct {
	src string
	pos int
}

func (t *translator) run() (string, error) {
	var out strings.Builder
	depth := 0
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch c {
		case '\\':
			s, err := t.escape(false)
			if err != nil {
				return "", err
			}
			out.WriteString(s)
		case '[':
			s, err := t.class()
			if err != nil {
				return "", err
			}
			out.WriteString(s)
		case '.':
			out.WriteString(javaDotClass)
			t.pos++
		case '(':
			if strings.HasPrefix(t.src[t.pos:], "(?") && !strings.HasPrefix(t.src[t.pos:], "(?:") {
				return "", fmt.Errorf("group construct at offset %d is not supported", t.pos)
			}
			depth++
			out.WriteByte(c)
			t.pos++
		case ')':
			depth--
			out.WriteByte(c)
			t.pos++
		case '$':
			if !t.atEnd(t.pos + 1) {
				return "", fmt.Errorf("'$' at offset %d is followed by more pattern", t.pos)
			}
			out.WriteByte(c)
			t.pos++
		case '{':
			s, err := t.repeat()
			if err != nil {
				return "", err
			}
			out.WriteString(s)
		case '*', '+', '?':
			out.WriteByte(c)
			t.pos++
			if t.pos < len(t.src) && t.src[t.pos] == '+' {
				return "", fmt.Errorf("possessive quantifier at offset %d is not supported", t.pos)
			}
		default:
			_, n := utf8.DecodeRuneInString(t.src[t.pos:])
			out.WriteString(t.src[t.pos : t.pos+n])
			t.pos += n
		}
	}
	if depth != 0 {
		return "", fmt.Errorf("unbalanced parentheses")
	}
	return out.String(), nil
}

// atEnd reports whether nothing can be consumed from offset i on: only
// closing parentheses, then the end of the pattern or a top-level '|'.
func (t *translator) atEnd(i int) bool {
	for i < len(t.src) && t.src[i] == ')' {
		i++
	}
	if i == len(t.src) {
		return true
	}
	if t.src[i] != '|' {
		return false
	}
	depth := 0
	for j := 0; j < i; j++ {
		switch t.src[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	return depth == 0
}

// repeat copies a {n}, {n,} or {n,m} quantifier, refusing counts RE2 cannot
// take (it caps repeats at 1000).
func (t *translator) repeat() (string, error) {
	end := strings.IndexByte(t.src[t.pos:], '}')
	if end < 0 {
		return "", fmt.Errorf("unterminated repeat at offset %d", t.pos)
	}
	inner := t.src[t.pos+1 : t.pos+end]
	for _, part := range strings.Split(inner, ",") {
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return "", fmt.Errorf("repeat %q at offset %d is not a count", inner, t.pos)
		}
		if n > 1000 {
			return "", fmt.Errorf("repeat count %d at offset %d is above RE2's limit of 1000", n, t.pos)
		}
	}
	s := t.src[t.pos : t.pos+end+1]
	t.pos += end + 1
	if t.pos < len(t.src) && t.src[t.pos] == '+' {
		return "", fmt.Errorf("possessive quantifier at offset %d is not supported", t.pos)
	}
	return s, nil
}

// escape translates the escape sequence at t.pos and moves past it. In a
// class (inClass), the result is usable inside brackets.
func (t *translator) escape(inClass bool) (string, error) {
	if t.pos+1 >= len(t.src) {
		return "", fmt.Errorf("trailing backslash")
	}
	c := t.src[t.pos+1]
	two := t.src[t.pos : t.pos+2]
	switch {
	case c == 'd' || c == 'D' || c == 'w' || c == 'W':
		// ASCII in both dialects.
		t.pos += 2
		return two, nil
	case c == 's':
		t.pos += 2
		if inClass {
			return javaSpace, nil
		}
		return "[" + javaSpace + "]", nil
	case c == 'S':
		t.pos += 2
		if inClass {
			return javaNonSpace, nil
		}
		return "[" + javaNonSpace + "]", nil
	case c == 't' || c == 'n' || c == 'r' || c == 'f':
		t.pos += 2
		return two, nil
	case c == 'a':
		t.pos += 2
		return `\x07`, nil
	case c == 'e':
		t.pos += 2
		return `\x1B`, nil
	case c == 'u':
		if t.pos+6 > len(t.src) {
			return "", fmt.Errorf(`short \u escape at offset %d`, t.pos)
		}
		hex := t.src[t.pos+2 : t.pos+6]
		if _, err := strconv.ParseUint(hex, 16, 16); err != nil {
			return "", fmt.Errorf(`bad \u escape %q at offset %d`, hex, t.pos)
		}
		t.pos += 6
		return `\x{` + hex + `}`, nil
	case c == 'x':
		// \xhh and \x{h...h} mean the same in both dialects.
		n := 4
		if t.pos+2 < len(t.src) && t.src[t.pos+2] == '{' {
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return "", fmt.Errorf(`unterminated \x{ at offset %d`, t.pos)
			}
			n = end + 1
		}
		if t.pos+n > len(t.src) {
			return "", fmt.Errorf(`short \x escape at offset %d`, t.pos)
		}
		s := t.src[t.pos : t.pos+n]
		t.pos += n
		return s, nil
	case c == 'p' || c == 'P':
		return t.property(c)
	case c == 'Q':
		if inClass {
			return "", fmt.Errorf(`\Q inside a class is not supported`)
		}
		var lit string
		if end := strings.Index(t.src[t.pos:], `\E`); end < 0 {
			lit = t.src[t.pos+2:]
			t.pos = len(t.src)
		} else {
			lit = t.src[t.pos+2 : t.pos+end]
			t.pos += end + 2
		}
		return regexp.QuoteMeta(lit), nil
	case (c == 'A' || c == 'z') && !inClass:
		t.pos += 2
		return two, nil
	case c < utf8.RuneSelf && !isAlnum(c):
		// An escaped punctuation character is itself in both dialects.
		t.pos += 2
		return two, nil
	default:
		return "", fmt.Errorf(`escape \%c at offset %d is not supported`, c, t.pos)
	}
}

// property translates \p{Name} or \P{Name} (or the one-letter \pL form).
func (t *translator) property(c byte) (string, error) {
	rest := t.src[t.pos+2:]
	var name string
	n := 0
	switch {
	case strings.HasPrefix(rest, "{"):
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return "", fmt.Errorf(`unterminated \%c{ at offset %d`, c, t.pos)
		}
		name, n = rest[1:end], end+1
	case rest != "":
		name, n = rest[:1], 1
	default:
		return "", fmt.Errorf(`\%c without a name`, c)
	}
	t.pos += 2 + n
	if posix, ok := posixNames[name]; ok {
		neg := ""
		if c == 'P' {
			neg = "^"
		}
		return "[[:" + neg + posix + ":]]", nil
	}
	name = strings.TrimPrefix(name, "Is")
	goProp := `\` + string(c) + `{` + name + `}`
	if _, err := regexp.Compile(goProp); err != nil {
		return "", fmt.Errorf("property %q is not supported: %w", name, err)
	}
	return goProp, nil
}

// class translates a bracket expression, parsing it the way Java does and
// writing it back so that Go reads the same set.
func (t *translator) class() (string, error) {
	start := t.pos
	var out strings.Builder
	out.WriteByte('[')
	t.pos++
	if t.pos < len(t.src) && t.src[t.pos] == '^' {
		out.WriteByte('^')
		t.pos++
	}
	first := true
	for {
		if t.pos >= len(t.src) {
			return "", fmt.Errorf("unterminated class at offset %d", start)
		}
		switch {
		case t.src[t.pos] == ']' && !first:
			out.WriteByte(']')
			t.pos++
			return out.String(), nil
		case t.src[t.pos] == '[':
			return "", fmt.Errorf("nested class at offset %d is not supported", t.pos)
		case strings.HasPrefix(t.src[t.pos:], "&&"):
			return "", fmt.Errorf("class intersection at offset %d is not supported", t.pos)
		}
		first = false
		lo, isChar, err := t.classAtom()
		if err != nil {
			return "", err
		}
		out.WriteString(lo)
		if !isChar {
			continue
		}
		// Java makes a range of char '-' char, where the second char is not
		// ']' and not a set escape; otherwise the '-' is a literal.
		if t.pos+1 < len(t.src) && t.src[t.pos] == '-' && t.src[t.pos+1] != ']' {
			save := t.pos
			t.pos++
			hi, hiIsChar, err := t.classAtom()
			if err != nil {
				return "", err
			}
			if !hiIsChar {
				t.pos = save
				continue
			}
			out.WriteString("-" + hi)
		}
	}
}

// classAtom reads one class item. isChar is true for a single character,
// which can be the end of a range.
func (t *translator) classAtom() (s string, isChar bool, err error) {
	c := t.src[t.pos]
	switch {
	case c == '\\':
		isSet := t.pos+1 < len(t.src) && strings.IndexByte("dDwWsSpP", t.src[t.pos+1]) >= 0
		s, err := t.escape(true)
		return s, !isSet, err
	case c == '[':
		return "", false, fmt.Errorf("nested class at offset %d is not supported", t.pos)
	case c == '-' || c == '^' || c == ']':
		// Literal here; escaped so Go cannot read it as syntax.
		t.pos++
		return `\` + string(c), true, nil
	}
	_, n := utf8.DecodeRuneInString(t.src[t.pos:])
	s = t.src[t.pos : t.pos+n]
	t.pos += n
	return s, true, nil
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
