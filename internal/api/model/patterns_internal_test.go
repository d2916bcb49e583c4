package model

import (
	"bufio"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// services lists every generated service; a new go:generate line belongs here.
var services = []*Service{SecretsManager(), KMS(), IAM(), STS()}

// genericSamples are tried against every pattern: the characters where Java
// and RE2 differ (line terminators, \x0B, code points outside the BMP and
// Latin-1) and values that only a partial match would accept.
var genericSamples = []string{
	"", "a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\t", "\n", "\r", "\x0b", "\f",
	"abc\n", "\nabc", "\u0085", "\u2028", "é", "ÿ", "Ā", "😀", "a%", "%a", "x\x00",
}

// patternSamples holds, for each pattern in the models, extra inputs to try
// and the inputs (generic or extra) that java.util.regex accepts with
// Matcher.matches(). The verdicts were recorded by running OpenJDK 17 on
// every input; TestPatterns_AgreeWithJava re-runs Java where it is installed.
var patternSamples = map[string]struct {
	extra       []string
	javaAccepts []string
}{
	// secretsmanager
	`[0-9]+h`: {
		extra:       []string{"12h", "1h", "h", "5x", "x5h", "12hx", "12h\n", "1h2h"},
		javaAccepts: []string{"12h", "1h"},
	},
	`^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`: {
		extra:       []string{"!foo", "foo bar:baz_@/+=.-!", "!!x", "tag-value", "a\\b", "é!"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "!foo", "foo bar:baz_@/+=.-!", "!!x", "tag-value"},
	},
	`^([a-z]+-)+\d+$`: {
		extra:       []string{"us-east-1", "us-east-1\n", "useast1", "us-east-", "-1", "eu-central-12", "US-EAST-1", "us-east-١"},
		javaAccepts: []string{"us-east-1", "eu-central-12"},
	},
	`^[a-zA-Z0-9\-]+$`: {
		extra:       []string{"a-b-C-1", "a_b", "EXAMPLE1-90ab-cdef-fedc-ba987SAMPLE"},
		javaAccepts: []string{"a", "Z", "0", "-", "a-b-C-1", "EXAMPLE1-90ab-cdef-fedc-ba987SAMPLE"},
	},
	`[0-9A-Za-z\(\)#\?\*\-\/, ]+`: {
		extra:       []string{"rate(10 days)", "cron(0 16 1,15 * ? *)", "rate(1 day)!", "cron(0 8 ? * MON#1 *)"},
		javaAccepts: []string{"a", "Z", "0", "-", "/", " ", "a b", "rate(10 days)", "cron(0 16 1,15 * ? *)", "cron(0 8 ? * MON#1 *)"},
	},
	// kms
	`[0-9]{12}`: {
		extra:       []string{"123456789012", "12345678901", "1234567890123", "12345678901a"},
		javaAccepts: []string{"123456789012"},
	},
	`^[a-zA-Z0-9:/_-]+$`: {
		extra:       []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd", "alias/x_y-z", "a b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", "/", "arn:aws:kms:us-east-1:111122223333:key/1234abcd", "alias/x_y-z"},
	},
	`^[a-f0-9]+$`: {
		extra:       []string{"deadbeef", "DEADBEEF", "0f"},
		javaAccepts: []string{"a", "0", "deadbeef", "0f"},
	},
	`cluster-[2-7a-zA-Z]{11,16}`: {
		extra:       []string{"cluster-abcdefghijk", "cluster-abcdefghij", "cluster-2345672345672345", "cluster-23456723456723456", "cluster-abc1defghijk"},
		javaAccepts: []string{"cluster-abcdefghijk", "cluster-2345672345672345"},
	},
	`^[a-zA-Z0-9:/_\s.-]+$`: {
		extra:       []string{"a b\tc\nd", "a\x0bb", "a.b/c:d_e-f", "a\u2028b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", " ", "a b", "\t", "\n", "\r", "\v", "\f", "abc\n", "\nabc", "a b\tc\nd", "a\vb", "a.b/c:d_e-f"},
	},
	`[\u0020-\u00FF]*`: {
		extra:       []string{"hello ÿ", "\u0100", "~\u007f"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\u0085", "\u00e9", "\u00ff", "a%", "%a", "hello \u00ff", "~\x7f"},
	},
	`[\w]+`: {
		extra:       []string{"a_1", "abc-d"},
		javaAccepts: []string{"a", "Z", "0", "_", "a_1"},
	},
	`[\u0009\u000A\u000D\u0020-\u00FF]+`: {
		extra:       []string{"\t\n\r ÿ", "a\x0bb", "line\r\n"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\t", "\n", "\r", "abc\n", "\nabc", "\u0085", "\u00e9", "\u00ff", "a%", "%a", "\t\n\r \u00ff", "line\r\n"},
	},
	`^[\w+=,.@:/-]+$`: {
		extra:       []string{"a+b=c,d.e@f:g/h-i", "a b", "arn:aws:iam::111122223333:role/x"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "a+b=c,d.e@f:g/h-i", "arn:aws:iam::111122223333:role/x"},
	},
	`^([a-z]+-){2,3}\d+$`: {
		extra:       []string{"us-east-1", "us-gov-east-1", "a-1", "a-b-c-d-1"},
		javaAccepts: []string{"us-east-1", "us-gov-east-1"},
	},
	`^[a-zA-Z0-9-_.]+$`: {
		extra:       []string{"a-b_c.d", "a b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "a-b_c.d"},
	},
	`^[A-Z2-7]+$`: {
		extra:       []string{"ABC234", "ABC1", "abc"},
		javaAccepts: []string{"Z", "ABC234"},
	},
	`^[a-zA-Z0-9\/+=]+$`: {
		extra:       []string{"ab/+=", "a-b"},
		javaAccepts: []string{"a", "Z", "0", "/", "ab/+="},
	},
	`^https://[a-zA-Z0-9.-]+$`: {
		extra:       []string{"https://example.com", "http://example.com", "https://ex ample.com", "https://a.b-c"},
		javaAccepts: []string{"https://example.com", "https://a.b-c"},
	},
	`^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$`: {
		extra:       []string{"/kms/xks/v1", "/a/b/kms/xks/v12", "/kms/xks/v123", "/a/kms/xks/v1/", "kms/xks/v1"},
		javaAccepts: []string{"/kms/xks/v1", "/a/b/kms/xks/v12"},
	},
	`^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$`: {
		extra:       []string{"com.amazonaws.vpce.us-east-1.vpce-svc-0abc", "eu.amazonaws.vpce.eu-west-1.vpce-svc-1", "org.amazonaws.vpce.us-east-1.vpce-svc-0abc", "comXamazonaws.vpce.us-east-1.vpce-svc-0"},
		javaAccepts: []string{"com.amazonaws.vpce.us-east-1.vpce-svc-0abc", "eu.amazonaws.vpce.eu-west-1.vpce-svc-1"},
	},
	// iam and sts
	`[\w._-]+`: {
		extra:       []string{"my-provider_1.x", "a b", "a/b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "my-provider_1.x"},
	},
	// The generator rewrites this one without lookahead (gen's
	// patternRewrites); the samples cover each part of the argument.
	`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`: {
		extra:       []string{"abc", "ab", "a-b", "a--b", "-ab", "ab-", "my-alias-1", "ABC", "a" + strings.Repeat("b", 61) + "c", "a" + strings.Repeat("b", 62) + "c", "a-b-c", "a---b", "a-" + strings.Repeat("b", 60) + "c"},
		javaAccepts: []string{"abc", "a-b", "my-alias-1", "a" + strings.Repeat("b", 61) + "c", "a-b-c", "a-" + strings.Repeat("b", 60) + "c"},
	},
	`\d{12}`: {
		extra:       []string{"123456789012", "12345678901", "1234567890123", "12345678901a"},
		javaAccepts: []string{"123456789012"},
	},
	`[\d]+`: {
		extra:       []string{"123456", "12a", "١٢"},
		javaAccepts: []string{"0", "123456"},
	},
	`[\w+=,.@-]+`: {
		extra:       []string{"bob", "a+b=c,d.e@f-g_h", "a b", "a/b", "Ünïcode"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "bob", "a+b=c,d.e@f-g_h"},
	},
	`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`: {
		extra:       []string{"hello world\t\r\n", "\u00a0", "¡", "\x7f", "ÿ", "Ā"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\t", "\n", "\r", "abc\n", "\nabc", "é", "ÿ", "a%", "%a", "hello world\t\r\n", "¡"},
	},
	`[\w-]+`: {
		extra:       []string{"abc-123_x", "a.b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", "abc-123_x"},
	},
	`[\u0020-\u00FF]+`: {
		extra:       []string{"marker ÿ", "Ā", "~\x7f"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\u0085", "é", "ÿ", "a%", "%a", "marker ÿ", "~\x7f"},
	},
	`^[a-zA-Z0-9:_.-]+$`: {
		extra:       []string{"arn:aws:sns:us-east-1:1:x", "a b", "a_b.c-d"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "arn:aws:sns:us-east-1:1:x", "a_b.c-d"},
	},
	`^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*`: {
		extra:       []string{"o-a1b2c3d4e5/r-f6g7", "o-a1b2c3d4e5/r-f6g7/ou-ab12-cdef3456/", "o-a1b2c3d4e/r-f6g7", "o-a1b2c3d4e5/r-f6g", "o-a1b2c3d4e5/r-f6g7h-/x", "o-A1b2c3d4e5/r-f6g7"},
		javaAccepts: []string{"o-a1b2c3d4e5/r-f6g7", "o-a1b2c3d4e5/r-f6g7/ou-ab12-cdef3456/", "o-a1b2c3d4e5/r-f6g7h-/x"},
	},
	`^p-[0-9a-zA-Z_]{8,128}$`: {
		extra:       []string{"p-abcd1234", "p-abc1234", "p-ABCD_1234", "p-abcd-1234"},
		javaAccepts: []string{"p-abcd1234", "p-ABCD_1234"},
	},
	`^[a-zA-Z0-9:/+=,.@_-]+$`: {
		extra:       []string{"AIDAEXAMPLE:session@x", "a b", "arn:aws:iam::1:user/x"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "AIDAEXAMPLE:session@x", "arn:aws:iam::1:user/x"},
	},
	`\u002F[\u0021-\u007F]*`: {
		extra:       []string{"/", "/division_abc/", "/a b/", "a/", "/\x7f"},
		javaAccepts: []string{"/", "/division_abc/", "/\x7f"},
	},
	`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`: {
		extra:       []string{"/", "//", "/a/", "/a", "a/", "/a/b/", "/a b/", "/\x7f/"},
		javaAccepts: []string{"/", "/a/", "/a/b/"},
	},
	`[ -~]+`: {
		extra:       []string{"hello world", "~", "\x7f", "tab\t"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "a%", "%a", "hello world", "~"},
	},
	`((/[A-Za-z0-9\.,\+@=_-]+)*)/`: {
		extra:       []string{"/", "/a/", "/a/b/", "a/", "/a", "//", "/a b/", "/a./b,+@=_-/"},
		javaAccepts: []string{"/", "/a/", "/a/b/", "/a./b,+@=_-/"},
	},
	`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`: {
		extra:       []string{"v1", "v12", "v0", "v1.", "v1.a-B", "v1.a.b", "V1", "v"},
		javaAccepts: []string{"v1", "v12", "v1.", "v1.a-B"},
	},
	`[A-Z0-9]+`: {
		extra:       []string{"APKAEIBAERJR2EXAMPLE", "abc", "A-B"},
		javaAccepts: []string{"Z", "0", "APKAEIBAERJR2EXAMPLE"},
	},
	`^http(s?)://[a-zA-Z0-9._/-]*(\?[a-zA-Z0-9._=&-]*)?(#[a-zA-Z0-9._/-]*)?$`: {
		extra:       []string{"https://example.com/x?a=b&c=d#frag", "http://", "ftp://x", "https://ex ample", "https://x#a?b", "https://x?a#b/c"},
		javaAccepts: []string{"https://example.com/x?a=b&c=d#frag", "http://", "https://x?a#b/c"},
	},
	`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]+`: {
		extra:       []string{"hello\tworld", "\u00a0", "¡"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\t", "\n", "\r", "abc\n", "\nabc", "é", "ÿ", "a%", "%a", "hello\tworld", "¡"},
	},
	`[\w+=/:,.@-]+`: {
		extra:       []string{"arn:aws:iam::123456789012:mfa/bob", "a b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "arn:aws:iam::123456789012:mfa/bob"},
	},
	`[\w-]*`: {
		extra:       []string{"iam", "a-b_c", "a.b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", "iam", "a-b_c"},
	},
	`[\p{L}\p{Z}\p{N}_.:/=+\-@]+`: {
		extra:       []string{"Name", "key with space", "tag:é/ü=+-@_.", "a,b", "a\u00a0b", "٣", "a!b"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", " ", "a b", "\u2028", "é", "ÿ", "Ā", "Name", "key with space", "tag:é/ü=+-@_.", "a\u00a0b", "٣"},
	},
	`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`: {
		extra:       []string{"value", "a,b", "x\u3000y", "Ⅻ", "a*b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", " ", "a b", "\u2028", "é", "ÿ", "Ā", "value", "x\u3000y", "Ⅻ"},
	},
	`[\w]*`: {
		extra:       []string{"ASIAEXAMPLE", "a-b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "ASIAEXAMPLE"},
	},
	// Java reads \u10000 as \u1000 then '0', so the class holds the range
	// '0'-\u10FF (0x7F-0x9F included) and no code point above the BMP.
	`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`: {
		extra:       []string{"arn:aws:iam::123456789012:role/demo", "\x7f", "\u0084", "\u0086", "\u009f", "\u00a0", "\u0fff", "\u1000", "\u10ff", "\u1100", "\ud7ff", "\ue000", "\ufffd", "\ufffe", "F", "😀x"},
		javaAccepts: []string{"a", "Z", "0", "_", "-", ".", "/", "!", " ", "a b", "\t", "\n", "\r", "abc\n", "\nabc", "\u0085", "\u2028", "é", "ÿ", "Ā", "a%", "%a", "arn:aws:iam::123456789012:role/demo", "\x7f", "\u0084", "\u0086", "\u009f", "\u00a0", "\u0fff", "\u1000", "\u10ff", "\u1100", "\ud7ff", "\ue000", "\ufffd", "F"},
	},
	`[\w+=,.@:\/-]*`: {
		extra:       []string{"Ext:ID/1", "a b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", "Ext:ID/1"},
	},
	`[\w+=,.@-]*`: {
		extra:       []string{"session-1", "a b", "a:b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "session-1"},
	},
	`[\w+=/:,.@-]*`: {
		extra:       []string{"arn:aws:iam::123456789012:mfa/bob", "GAHT12345678", "a b"},
		javaAccepts: []string{"", "a", "Z", "0", "_", "-", ".", "/", "arn:aws:iam::123456789012:mfa/bob", "GAHT12345678"},
	},
	`[\d]*`: {
		extra:       []string{"123456", "12a"},
		javaAccepts: []string{"", "0", "123456"},
	},
}

func samplesFor(pattern string) []string {
	return append(slices.Clone(genericSamples), patternSamples[pattern].extra...)
}

// TestPatterns_Compile checks that every pattern in the generated tables has
// an RE2 form that compiles, is anchored at both ends, and is the one the
// table uses.
func TestPatterns_Compile(t *testing.T) {
	n := 0
	for _, svc := range services {
		for _, name := range svc.ShapeNames() {
			s := svc.Shape(name)
			if s.Pattern == "" {
				if s.GoPattern != "" || s.re != nil {
					t.Errorf("%s/%s: RE2 pattern without a model pattern", svc.Name(), name)
				}
				continue
			}
			n++
			re, err := regexp.Compile(s.GoPattern)
			if err != nil {
				t.Errorf("%s/%s: %q does not compile: %v", svc.Name(), name, s.GoPattern, err)
				continue
			}
			if !strings.HasPrefix(s.GoPattern, `\A(?:`) || !strings.HasSuffix(s.GoPattern, `)\z`) {
				t.Errorf("%s/%s: %q is not anchored", svc.Name(), name, s.GoPattern)
			}
			if s.re == nil || s.re.String() != re.String() {
				t.Errorf("%s/%s: table regexp %v differs from GoPattern %q", svc.Name(), name, s.re, s.GoPattern)
			}
			if s.GoExclude != "" || s.reExclude != nil {
				if _, err := regexp.Compile(s.GoExclude); err != nil {
					t.Errorf("%s/%s: exclusion %q does not compile: %v", svc.Name(), name, s.GoExclude, err)
				}
				if s.reExclude == nil || s.reExclude.String() != s.GoExclude {
					t.Errorf("%s/%s: table exclusion %v differs from GoExclude %q", svc.Name(), name, s.reExclude, s.GoExclude)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no patterns in the tables")
	}
}

// TestPatterns_MatchLikeJava checks each translated pattern against Java's
// recorded verdicts on the samples.
func TestPatterns_MatchLikeJava(t *testing.T) {
	for _, svc := range services {
		for _, name := range svc.ShapeNames() {
			s := svc.Shape(name)
			if s.Pattern == "" {
				continue
			}
			ps, ok := patternSamples[s.Pattern]
			if !ok {
				t.Errorf("%s/%s: pattern %q has no samples; add them to patternSamples with Java's verdicts", svc.Name(), name, s.Pattern)
				continue
			}
			for _, in := range samplesFor(s.Pattern) {
				want := slices.Contains(ps.javaAccepts, in)
				if got := s.matches(in); got != want {
					t.Errorf("%s/%s: %q on %q: got %v, Java says %v", svc.Name(), name, s.Pattern, in, got, want)
				}
			}
		}
	}
}

// TestPatterns_AgreeWithJava re-runs java.util.regex on the samples, when a
// JDK is installed, to check the recorded verdicts themselves.
func TestPatterns_AgreeWithJava(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("no java in PATH")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "Check.java")
	if err := os.WriteFile(src, []byte(javaChecker), 0o644); err != nil {
		t.Fatal(err)
	}
	type query struct{ pattern, in string }
	var qs []query
	var stdin strings.Builder
	for pattern := range patternSamples {
		for _, in := range samplesFor(pattern) {
			qs = append(qs, query{pattern, in})
			stdin.WriteString(hex.EncodeToString([]byte(pattern)) + "\t" + hex.EncodeToString([]byte(in)) + "\n")
		}
	}
	cmd := exec.Command(java, src)
	cmd.Stdin = strings.NewReader(stdin.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for i := 0; sc.Scan(); i++ {
		if i >= len(qs) {
			t.Fatalf("java printed more lines than asked")
		}
		q := qs[i]
		got := sc.Text() == "true"
		if want := slices.Contains(patternSamples[q.pattern].javaAccepts, q.in); got != want {
			t.Errorf("Java on %q with %q: %v, recorded %v", q.pattern, q.in, got, want)
		}
	}
}

// javaChecker reads "hex(pattern) TAB hex(input)" lines and prints whether
// Pattern.compile(pattern).matcher(input).matches().
const javaChecker = `import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
public class Check {
  static String unhex(String h) {
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    return new String(b, StandardCharsets.UTF_8);
  }
  public static void main(String[] args) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    for (String line; (line = r.readLine()) != null; ) {
      String[] f = line.split("\t", -1);
      out.println(Pattern.compile(unhex(f[0])).matcher(unhex(f[1])).matches());
    }
  }
}
`
