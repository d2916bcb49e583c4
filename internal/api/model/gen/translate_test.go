package main

import (
	"strings"
	"testing"
)

func TestTranslatePattern(t *testing.T) {
	for _, tc := range []struct {
		name, java, want string
	}{
		{"Plain", `[0-9]+h`, `[0-9]+h`},
		{"AnchorsKept", `^[a-f0-9]+$`, `^[a-f0-9]+$`},
		{"EscapedPunctuation", `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`, `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`},
		{"DotIsNotLineTerminator", `a.b`, `a[^\n\r\x{85}\x{2028}\x{2029}]b`},
		{"DotInClassIsLiteral", `[.]`, `[.]`},
		{"SpaceIncludesVT", `\s`, `[\t\n\x0B\f\r ]`},
		{"SpaceInClass", `[a\s]`, `[a\t\n\x0B\f\r ]`},
		{"NonSpace", `\S+`, `[\x00-\x08\x0E-\x1F\x21-\x{10FFFF}]+`},
		{"NonSpaceInClass", `[\S]+`, `[\x00-\x08\x0E-\x1F\x21-\x{10FFFF}]+`},
		{"UnicodeEscape", `[\u0020-\u00FF]*`, `[\x{0020}-\x{00FF}]*`},
		{"HyphenAfterRangeIsLiteral", `^[a-zA-Z0-9-_.]+$`, `^[a-zA-Z0-9\-_.]+$`},
		{"HyphenLast", `[\w+=,.@:/-]`, `[\w+=,.@:/\-]`},
		{"HyphenBeforeSetEscape", `[a-\d]`, `[a\-\d]`},
		{"PosixName", `\p{Alpha}+`, `[[:alpha:]]+`},
		{"NegatedPosix", `\P{Digit}`, `[[:^digit:]]`},
		{"IsCategory", `\p{IsL}`, `\p{L}`},
		{"Category", `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"Quote", `\Qa.b\E`, `a\.b`},
		{"NonCapturing", `(?:ab)+`, `(?:ab)+`},
		{"DollarBeforeAlternative", `^(a)$|^(b)$`, `^(a)$|^(b)$`},
		{"Repeat", `v\d{1,2}`, `v\d{1,2}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := translatePattern(tc.java)
			if err != nil {
				t.Fatal(err)
			}
			if want := `\A(?:` + tc.want + `)\z`; got != want {
				t.Errorf("translatePattern(%q) = %q, want %q", tc.java, got, want)
			}
		})
	}
}

func TestTranslatePattern_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name, java, why string
	}{
		{"Lookahead", `(?=a)b`, "group construct"},
		{"InlineFlags", `(?i)abc`, "group construct"},
		{"Backreference", `(a)\1`, `escape \1`},
		{"Possessive", `a++`, "possessive"},
		{"PossessiveRepeat", `a{2}+`, "possessive"},
		{"NestedClass", `[a[b]]`, "nested class"},
		{"Intersection", `[a-z&&[^x]]`, "intersection"},
		{"WordBoundary", `\bword`, `escape \b`},
		{"EndBeforeTerminator", `a\Z`, `escape \Z`},
		{"DollarInside", `a$b`, "followed by more"},
		{"DollarInGroupAlternative", `(a$|b)c`, "followed by more"},
		{"BigRepeat", `.{1,2048}`, "limit of 1000"},
		{"JavaOnlyProperty", `\p{javaLowerCase}`, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := translatePattern(tc.java)
			if err == nil || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("translatePattern(%q) error = %v, want one about %q", tc.java, err, tc.why)
			}
		})
	}
}

func TestPatternFor_Rewrite(t *testing.T) {
	goPat, goExclude, err := patternFor(`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `\A(?:^[a-z0-9][a-z0-9\-]{1,61}[a-z0-9]$)\z`; goPat != want || goExclude != "--" {
		t.Errorf("patternFor = %q, %q; want %q, %q", goPat, goExclude, want, "--")
	}
	// Any other lookahead is still refused.
	if _, _, err := patternFor(`a(?!b)`); err == nil || !strings.Contains(err.Error(), "group construct") {
		t.Errorf("patternFor(a(?!b)) error = %v, want a refusal", err)
	}
	// Without a rewrite, no exclusion.
	if _, goExclude, err := patternFor(`[a-z]+`); err != nil || goExclude != "" {
		t.Errorf("patternFor([a-z]+) = exclusion %q, %v", goExclude, err)
	}
}
