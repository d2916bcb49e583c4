package api

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// place sets the value at a SensitiveMembers path ("A.B[].C{}") in obj,
// making the structures, lists and maps on the way.
func place(obj map[string]any, path string, value any) {
	seg, rest, _ := strings.Cut(path, ".")
	switch {
	case strings.HasSuffix(seg, "[]"):
		name := strings.TrimSuffix(seg, "[]")
		if rest == "" {
			obj[name] = []any{value}
			return
		}
		inner := map[string]any{}
		obj[name] = []any{inner}
		place(inner, rest, value)
	case strings.HasSuffix(seg, "{}"):
		name := strings.TrimSuffix(seg, "{}")
		if rest == "" {
			obj[name] = map[string]any{"k": value}
			return
		}
		inner := map[string]any{}
		obj[name] = map[string]any{"k": inner}
		place(inner, rest, value)
	case rest == "":
		obj[seg] = value
	default:
		inner, ok := obj[seg].(map[string]any)
		if !ok {
			inner = map[string]any{}
			obj[seg] = inner
		}
		place(inner, rest, value)
	}
}

// TestRedact_EverySensitiveMember sets every member each service model
// marks sensitive, in every operation, to a marker, and checks that no
// marker reaches the audit record's requestParameters: an operation added
// with a sensitive member is covered without anyone listing it.
func TestRedact_EverySensitiveMember(t *testing.T) {
	t.Parallel()
	const marker = "SENSITIVE-MARKER-7f3a"
	total := 0
	for name, m := range models {
		for _, op := range m.Operations() {
			paths := m.SensitiveMembers(op)
			if len(paths) == 0 {
				continue
			}
			in := map[string]any{}
			for _, p := range paths {
				place(in, p, marker)
				total++
			}
			shape, _ := m.Input(op)
			b, err := json.Marshal(redact(m, shape, in))
			if err != nil {
				t.Fatalf("%s.%s: %v", name, op, err)
			}
			if strings.Contains(string(b), marker) {
				t.Errorf("%s.%s: requestParameters hold a sensitive value: %s", name, op, b)
			}
			if !strings.Contains(string(b), hidden) {
				t.Errorf("%s.%s: no %s in %s", name, op, hidden, b)
			}
		}
	}
	// SecretString, SecretBinary, RotationToken, RandomPassword's
	// absence… at least the well-known ones must be among them.
	if total < 10 {
		t.Fatalf("only %d sensitive members found: the models are not what they should be", total)
	}
	sm := models["secretsmanager"]
	for _, want := range []string{"SecretString", "SecretBinary"} {
		if !slices.Contains(sm.SensitiveMembers("PutSecretValue"), want) {
			t.Errorf("PutSecretValue's sensitive members lack %s: %v", want, sm.SensitiveMembers("PutSecretValue"))
		}
	}
}

// TestRedact_MatchesInstalledModels checks the generated tables against the
// botocore models installed with Python 3.11: every input member botocore
// marks sensitive (directly or through its shape) is one SensitiveMembers
// lists, so the redaction test above sees them all.
func TestRedact_MatchesInstalledModels(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("python3.11", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("botocore is not installed for python3.11: %v", err)
		}
		t.Skip("botocore is not installed for python3.11")
	}
	root := strings.TrimSpace(string(out))
	for name, dir := range map[string]string{"secretsmanager": "secretsmanager/2017-10-17", "kms": "kms/2014-11-01", "iam": "iam/2010-05-08", "sts": "sts/2011-06-15"} {
		f, err := os.Open(filepath.Join(root, "data", dir, "service-2.json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Operations map[string]struct {
				Input *struct{ Shape string } `json:"input"`
			} `json:"operations"`
			Shapes map[string]struct {
				Type      string `json:"type"`
				Sensitive bool   `json:"sensitive"`
				Members   map[string]struct {
					Shape     string `json:"shape"`
					Sensitive bool   `json:"sensitive"`
				} `json:"members"`
				Member *struct{ Shape string } `json:"member"`
				Value  *struct{ Shape string } `json:"value"`
			} `json:"shapes"`
		}
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		f.Close()
		m := models[name]
		for op, o := range doc.Operations {
			if o.Input == nil {
				continue
			}
			// The top-level members botocore marks sensitive, or whose
			// shape is: each must be hidden in the record.
			for mem, spec := range doc.Shapes[o.Input.Shape].Members {
				if !spec.Sensitive && !doc.Shapes[spec.Shape].Sensitive {
					continue
				}
				if !slices.Contains(m.SensitiveMembers(op), mem) {
					t.Errorf("%s.%s: botocore marks %s sensitive; the generated model does not", name, op, mem)
				}
			}
		}
	}
}
