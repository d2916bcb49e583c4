package model_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/api/model"
)

func TestCanonical(t *testing.T) {
	t.Parallel()
	sm := model.SecretsManager()
	for _, tc := range []struct {
		name      string
		op        string
		in        string
		want      string
		unchanged bool
	}{
		{"Unchanged", "ListSecrets", `{"MaxResults":3,"Filters":[{"Key":"name","Values":["a"]}],"SortOrder":"asc"}`,
			`{"MaxResults":3,"Filters":[{"Key":"name","Values":["a"]}],"SortOrder":"asc"}`, true},
		{"CaseFoldedKeysDropped", "PutSecretValue",
			`{"SecretId":"a","secretstring":"x","SECRETSTRING":"y","ClientRequestToken":"` + token + `"}`,
			`{"SecretId":"a","ClientRequestToken":"` + token + `"}`, false},
		{"UnknownDropped", "GetSecretValue", `{"SecretId":"a","Extra":1}`, `{"SecretId":"a"}`, false},
		{"NullDropped", "GetSecretValue", `{"SecretId":"a","VersionId":null}`, `{"SecretId":"a"}`, false},
		{"IntegerTruncated", "ListSecrets", `{"MaxResults":1.5}`, `{"MaxResults":1}`, false},
		{"NestedStructures", "ListSecrets", `{"Filters":[{"Key":"name","values":["x"],"Values":["a",null]},null]}`,
			`{"Filters":[{"Key":"name","Values":["a"]}]}`, false},
		{"Tags", "TagResource", `{"SecretId":"a","Tags":[{"Key":"k","value":"bad","Value":"v"}]}`,
			`{"SecretId":"a","Tags":[{"Key":"k","Value":"v"}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := decode(t, tc.in)
			if err := model.Validate(sm, tc.op, in); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got, changed, err := model.Canonical(sm, tc.op, in)
			if err != nil {
				t.Fatal(err)
			}
			if changed == tc.unchanged {
				t.Errorf("changed = %v, want %v", changed, !tc.unchanged)
			}
			if want := decode(t, tc.want); !reflect.DeepEqual(roundTrip(t, got), roundTrip(t, want)) {
				t.Errorf("Canonical = %v, want %v", got, want)
			}
		})
	}
}

const token = "00000000-0000-4000-8000-000000000001"

// decode reads JSON as the server does, numbers as json.Number.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
