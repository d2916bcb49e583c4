package model_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/coffer-dev/coffer/internal/api/model"
)

func TestCanonical(t *testing.T) {
	t.Parallel()
	sm := model.SecretsManager()
	for _, tc := range []struct {
		name string
		op   string
		in   string
		want string
	}{
		{"CaseFoldedKeysDropped", "PutSecretValue",
			`{"SecretId":"a","secretstring":"x","SECRETSTRING":"y","ClientRequestToken":"` + token + `"}`,
			`{"SecretId":"a","ClientRequestToken":"` + token + `"}`},
		{"UnknownDropped", "GetSecretValue", `{"SecretId":"a","Extra":1}`, `{"SecretId":"a"}`},
		{"NullDropped", "GetSecretValue", `{"SecretId":"a","VersionId":null}`, `{"SecretId":"a"}`},
		{"IntegerTruncated", "ListSecrets", `{"MaxResults":1.5}`, `{"MaxResults":1}`},
		{"NestedStructures", "ListSecrets", `{"Filters":[{"Key":"name","values":["x"],"Values":["a",null]},null]}`,
			`{"Filters":[{"Key":"name","Values":["a"]}]}`},
		{"Tags", "TagResource", `{"SecretId":"a","Tags":[{"Key":"k","value":"bad","Value":"v"}]}`,
			`{"SecretId":"a","Tags":[{"Key":"k","Value":"v"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := decode(t, tc.in)
			if err := model.Validate(sm, tc.op, in); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got, err := model.Canonical(sm, tc.op, in)
			if err != nil {
				t.Fatal(err)
			}
			if want := decode(t, tc.want); !reflect.DeepEqual(roundTrip(t, got), roundTrip(t, want)) {
				t.Errorf("Canonical = %v, want %v", got, want)
			}
		})
	}
}

const token = "00000000-0000-4000-8000-000000000001"

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
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
