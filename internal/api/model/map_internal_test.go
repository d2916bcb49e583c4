package model

import (
	"regexp"
	"testing"
)

// mapService is a made-up service with a constrained map: neither generated
// model constrains its maps' keys or values, so this covers the code that a
// later model will need.
var mapService = &Service{
	name: "example",
	operations: map[string]string{
		"Put": "PutRequest",
	},
	shapes: map[string]*Shape{
		"PutRequest": {Type: Structure, Members: []Member{{Name: "PhysicalTableMap", Shape: "TableMap"}}},
		"TableMap":   {Type: Map, MapKey: "TableKey", MapValue: "TableValue", HasMax: true, Max: 2},
		"TableKey": {
			Type: String, HasMin: true, Min: 1, HasMax: true, Max: 4,
			Pattern: `[0-9a-zA-Z-]*`, GoPattern: `\A(?:[0-9a-zA-Z\-]*)\z`, re: regexp.MustCompile(`\A(?:[0-9a-zA-Z\-]*)\z`),
		},
		"TableValue": {Type: String, HasMin: true, Min: 1, HasMax: true, Max: 3},
	},
}

func TestValidate_Map(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input map[string]any
		want  string
	}{
		{ // boto/boto3#2601 (real QuickSight): "Value '{table_map1=...}' at 'physicalTableMap' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 64, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9a-zA-Z-]*]"
			name:  "BadKey",
			input: map[string]any{"PhysicalTableMap": map[string]any{"k_1": "v", "ok": "v"}},
			want:  "1 validation error detected: Value '{k_1=v, ok=v}' at 'physicalTableMap' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 4, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9a-zA-Z-]*]",
		},
		{ // hashicorp/terraform-provider-aws#41023 (real CodePipeline): "... Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]", reported once per map
			name:  "BadValues",
			input: map[string]any{"PhysicalTableMap": map[string]any{"a": "", "b": "long"}},
			want:  "1 validation error detected: Value '{a=, b=long}' at 'physicalTableMap' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 3, Member must have length greater than or equal to 1]",
		},
		{ // the map's own size, worded like a list's
			name:  "TooMany",
			input: map[string]any{"PhysicalTableMap": map[string]any{"a": "v", "b": "v", "c": "v"}},
			want:  "1 validation error detected: Value '{a=v, b=v, c=v}' at 'physicalTableMap' failed to satisfy constraint: Member must have length less than or equal to 2",
		},
		{name: "Valid", input: map[string]any{"PhysicalTableMap": map[string]any{"a": "v", "b-2": "vvv"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(mapService, "Put", tc.input)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() =\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
	// A value of the wrong type is a SerializationException, not a violation.
	err := Validate(mapService, "Put", map[string]any{"PhysicalTableMap": map[string]any{"a": true}})
	if se, ok := err.(*SerializationError); !ok || se.Message != "TRUE_VALUE can not be converted to a String" {
		t.Errorf("Validate() = %T %v", err, err)
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 5: "5.0", 1.5: "1.5", -2.25: "-2.25", 0.001: "0.001", 1e7: "1.0E7", 1.5e-5: "1.5E-5", 123456789.5: "1.234567895E8",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}
