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
var services = []*Service{SecretsManager(), KMS()}

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
				if got := s.re.MatchString(in); got != want {
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
