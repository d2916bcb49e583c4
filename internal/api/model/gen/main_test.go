package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// modelPath returns an installed botocore model, or skips the test.
func modelPath(t *testing.T, service string) string {
	t.Helper()
	p := filepath.Join(defaultBotocore, service, "service-2.json.gz")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("botocore model not installed: %v", err)
	}
	return p
}

// TestGenerate_MatchesCommitted regenerates each committed table and checks
// it is byte for byte what is in the package: the output is deterministic and
// nobody edited it by hand.
func TestGenerate_MatchesCommitted(t *testing.T) {
	for _, tc := range []struct{ service, file string }{
		{"secretsmanager/2017-10-17", "zz_secretsmanager_shapes.go"},
		{"kms/2014-11-01", "zz_kms_shapes.go"},
		{"iam/2010-05-08", "zz_iam_shapes.go"},
		{"sts/2011-06-15", "zz_sts_shapes.go"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.file)
			for i := 0; i < 2; i++ {
				if err := run([]string{"-in", modelPath(t, tc.service), "-out", out}, os.Stderr); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(filepath.Join("..", tc.file))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("run %d: generated %s differs from the committed file; run go generate", i+1, tc.file)
				}
			}
		})
	}
}

// TestGenerate_NoDocumentation checks that no model prose reaches the output.
func TestGenerate_NoDocumentation(t *testing.T) {
	raw, err := readModel(modelPath(t, "secretsmanager/2017-10-17"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	src, err := generate(m, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, prose := range []string{"<p>", "documentation", "Secrets Manager uses", "You can"} {
		if bytes.Contains(src, []byte(prose)) {
			t.Errorf("generated code contains %q", prose)
		}
	}
}

func TestGenerate_EnumOrderMustStayAPermutation(t *testing.T) {
	raw := []byte(`{
		"metadata": {"apiVersion": "2017-10-17", "endpointPrefix": "secretsmanager", "protocol": "json", "serviceId": "Secrets Manager", "targetPrefix": "secretsmanager", "jsonVersion": "1.1"},
		"operations": {"ListSecrets": {"input": {"shape": "ListSecretsRequest"}}},
		"shapes": {
			"ListSecretsRequest": {"type": "structure", "members": {"Key": {"shape": "FilterNameStringType"}}},
			"FilterNameStringType": {"type": "string", "enum": ["description", "name", "new-key"]}
		}
	}`)
	m, err := parseModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generate(m, raw); err == nil || !strings.Contains(err.Error(), "revisit enumOrders") {
		t.Fatalf("generate error = %v, want one asking to revisit enumOrders", err)
	}
}

func TestGenerate_KeepsMemberOrder(t *testing.T) {
	raw := []byte(`{
		"metadata": {"apiVersion": "1", "endpointPrefix": "x", "protocol": "json", "serviceId": "X", "targetPrefix": "X", "jsonVersion": "1.1"},
		"operations": {"Op": {"input": {"shape": "In"}}},
		"shapes": {
			"In": {"type": "structure", "required": ["Zeta"], "members": {"Zeta": {"shape": "S"}, "Alpha": {"shape": "S", "locationName": "alpha"}, "Mid": {"shape": "S"}}},
			"S": {"type": "string", "min": 1}
		}
	}`)
	m, err := parseModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	src, err := generate(m, raw)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	z, a, mid := strings.Index(s, `"Zeta"`), strings.Index(s, `"Alpha"`), strings.Index(s, `"Mid"`)
	if !(z < a && a < mid) {
		t.Errorf("members out of model order:\n%s", s)
	}
	if !strings.Contains(s, `{Name: "Alpha", Shape: "S", JSONName: "alpha"}`) {
		t.Errorf("locationName not kept as JSONName:\n%s", s)
	}
	if !strings.Contains(s, `{Name: "Zeta", Shape: "S", Required: true}`) {
		t.Errorf("required member not marked:\n%s", s)
	}
}

// TestGenerate_Query checks what a query-protocol model adds: the protocol
// and namespace, each operation's output and result wrapper, output-only
// shapes without constraints, and the serialization names.
func TestGenerate_Query(t *testing.T) {
	raw := []byte(`{
		"metadata": {"apiVersion": "2010-05-08", "endpointPrefix": "x", "protocol": "query", "serviceId": "X", "xmlNamespace": "https://x.amazonaws.com/doc/2010-05-08/"},
		"operations": {
			"Put": {"input": {"shape": "PutRequest"}, "output": {"shape": "PutResponse", "resultWrapper": "PutResult"}},
			"Drop": {"input": {"shape": "PutRequest"}}
		},
		"shapes": {
			"PutRequest": {"type": "structure", "required": ["Name"], "members": {
				"Name": {"shape": "Name"},
				"Tags": {"shape": "TagList", "locationName": "Tag"},
				"Attrs": {"shape": "AttrMap"}
			}},
			"PutResponse": {"type": "structure", "members": {"Item": {"shape": "Item"}, "Name": {"shape": "Name"}}},
			"Item": {"type": "structure", "members": {"Id": {"shape": "Id"}, "Created": {"shape": "When"}}},
			"Id": {"type": "string", "min": 1, "pattern": "[a-z]+"},
			"When": {"type": "timestamp"},
			"Name": {"type": "string", "min": 1, "max": 8},
			"TagList": {"type": "list", "member": {"shape": "Name", "locationName": "item"}, "flattened": true},
			"AttrMap": {"type": "map", "key": {"shape": "Name", "locationName": "Name"}, "value": {"shape": "Name", "locationName": "Value"}}
		}
	}`)
	m, err := parseModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	src, err := generate(m, raw)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		`protocol:     "query"`,
		`xmlNamespace: "https://x.amazonaws.com/doc/2010-05-08/"`,
		`"Put":  {Shape: "PutResponse", ResultWrapper: "PutResult"}`,
		`"Drop": {}`,
		`{Name: "Tags", Shape: "TagList", LocationName: "Tag"}`,
		`ListMemberName: "item"`,
		`Flattened:      true`,
		`MapKeyName:   "Name"`,
		`MapValueName: "Value"`,
		`"Item": {`,
		`HasMin: true, Min: 1`, // Name, which an input reaches
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated code lacks %q:\n%s", want, s)
		}
	}
	// Id is reached only from the output: no constraints.
	if i := strings.Index(s, `"Id": {`); i < 0 || strings.Contains(s[i:i+strings.Index(s[i:], "},")], "Pattern") {
		t.Errorf("output-only shape Id carries constraints or is missing:\n%s", s)
	}
	if strings.Contains(s, "targetPrefix") || strings.Contains(s, "jsonVersion") || strings.Contains(s, "JSONName") {
		t.Errorf("query service has JSON-only fields:\n%s", s)
	}
}

func TestGenerate_QueryRefusesReferenceTraits(t *testing.T) {
	raw := []byte(`{
		"metadata": {"apiVersion": "1", "endpointPrefix": "x", "protocol": "query", "serviceId": "X", "xmlNamespace": "https://x/"},
		"operations": {"Op": {"input": {"shape": "In"}}},
		"shapes": {
			"In": {"type": "structure", "members": {"L": {"shape": "L", "flattened": true}}},
			"L": {"type": "list", "member": {"shape": "S"}},
			"S": {"type": "string"}
		}
	}`)
	m, err := parseModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generate(m, raw); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("generate error = %v, want a refusal of a flattened member reference", err)
	}
}
