package api

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/api/model"
)

// formDecoder reads a query-protocol form into the JSON form of an input
// shape, the map a JSON body decodes to, so that the input is validated and
// canonicalized as a JSON one is. The parameter names are the ones
// botocore's query serializer writes:
//
//   - a member is its name (its locationName, if the model gives one), and
//     a member of a nested structure is "Outer.Inner";
//   - a list's elements are "Name.member.1", "Name.member.2", … (the list
//     member's locationName instead of "member" if the model gives one), from
//     1 and without a gap: reading stops at the first missing index, as the
//     serializer numbers them contiguously. A flattened list is "Name.1", ….
//     An empty list is the parameter itself with an empty value ("Name=");
//   - a map's entries are "Name.entry.N.key" and "Name.entry.N.value" (or
//     the key's and value's locationNames); a flattened map has no "entry";
//   - integers and longs are decimal, floats and doubles decimal or
//     exponent form, booleans true or false, timestamps ISO 8601 (as the
//     serializer writes them: 2026-11-22T04:14:23Z, with a fraction when
//     there is one) or epoch seconds, blobs base64 (checked by Validate).
//
// A scalar's value becomes what a JSON body would hold: a json.Number for
// numbers and timestamps (epoch seconds), a bool, a string. A value that
// does not parse as its shape's type is InvalidParameterValue, 400, the
// Common Errors' code for "an invalid or out-of-range value"; its message
// is ours (no response from AWS was found to quote), and names the
// parameter as sent and, unless the shape is sensitive, the value.
// Parameters the model does not know are ignored, as members are in JSON.
type formDecoder struct {
	shape func(name string) *model.Shape
}

// formNode is one segment of the dotted parameter names: "Tags.member.1.Key"
// is root → Tags → member → 1 → Key.
type formNode struct {
	value    string
	hasValue bool
	children map[string]*formNode
}

func buildFormTree(params url.Values) *formNode {
	root := &formNode{}
	for key, values := range params {
		if len(values) == 0 {
			continue
		}
		n := root
		for _, seg := range strings.Split(key, ".") {
			if n.children == nil {
				n.children = map[string]*formNode{}
			}
			c := n.children[seg]
			if c == nil {
				c = &formNode{}
				n.children[seg] = c
			}
			n = c
		}
		n.value, n.hasValue = values[0], true
	}
	return root
}

func (n *formNode) child(name string) *formNode {
	if n == nil {
		return nil
	}
	return n.children[name]
}

// input reads the members of the input shape in from params.
func (d formDecoder) input(in *model.Shape, params url.Values) (map[string]any, error) {
	return d.structure(in, buildFormTree(params), "", false)
}

func (d formDecoder) structure(s *model.Shape, n *formNode, prefix string, hidden bool) (map[string]any, error) {
	out := map[string]any{}
	for i := range s.Members {
		m := &s.Members[i]
		target := d.shape(m.Shape)
		name := m.WireName()
		if target.Type == model.List && target.Flattened && target.ListMemberName != "" {
			// botocore names a flattened list by its member's locationName.
			name = target.ListMemberName
		}
		c := n.child(name)
		if c == nil {
			continue
		}
		v, err := d.value(target, c, join(prefix, name), hidden)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[m.Key()] = v
		}
	}
	return out, nil
}

// value reads one value; nil means absent.
func (d formDecoder) value(s *model.Shape, n *formNode, key string, hidden bool) (any, error) {
	hidden = hidden || s.Sensitive
	switch s.Type {
	case model.Structure:
		return d.structure(s, n, key, hidden)

	case model.List:
		elem := d.shape(s.ListMember)
		items, itemsKey := n, key
		if !s.Flattened {
			name := s.ListMemberName
			if name == "" {
				name = "member"
			}
			items, itemsKey = n.child(name), key+"."+name
		}
		var out []any
		for i := 1; ; i++ {
			idx := strconv.Itoa(i)
			c := items.child(idx)
			if c == nil {
				break
			}
			v, err := d.value(elem, c, itemsKey+"."+idx, hidden)
			if err != nil {
				return nil, err
			}
			if v != nil { // an element without a value is dropped, as a JSON null one is
				out = append(out, v)
			}
		}
		if out == nil {
			if n.hasValue && n.value == "" {
				return []any{}, nil // "Name=": an empty list
			}
			return nil, nil
		}
		return out, nil

	case model.Map:
		keyName, valueName := s.MapKeyName, s.MapValueName
		if keyName == "" {
			keyName = "key"
		}
		if valueName == "" {
			valueName = "value"
		}
		entries, entriesKey := n, key
		if !s.Flattened {
			entries, entriesKey = n.child("entry"), key+".entry"
		}
		valShape := d.shape(s.MapValue)
		var out map[string]any
		for i := 1; ; i++ {
			idx := strconv.Itoa(i)
			e := entries.child(idx)
			if e == nil {
				break
			}
			k := e.child(keyName)
			if k == nil || !k.hasValue {
				continue
			}
			vn := e.child(valueName)
			if vn == nil {
				continue
			}
			v, err := d.value(valShape, vn, entriesKey+"."+idx+"."+valueName, hidden)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			if out == nil {
				out = map[string]any{}
			}
			out[k.value] = v
		}
		if out == nil {
			if n.hasValue && n.value == "" {
				return map[string]any{}, nil
			}
			return nil, nil
		}
		return out, nil
	}

	if !n.hasValue {
		return nil, nil
	}
	v, ok := scalarFromForm(s, n.value)
	if !ok {
		return nil, invalidParameter(key, n.value, s.Type, hidden)
	}
	return v, nil
}

var decimalInteger = regexp.MustCompile(`\A[+-]?[0-9]+\z`)

// scalarFromForm converts a form value to the JSON value of shape s.
func scalarFromForm(s *model.Shape, text string) (any, bool) {
	switch s.Type {
	case model.String, model.Blob:
		return text, true
	case model.Integer, model.Long:
		if !decimalInteger.MatchString(text) {
			return nil, false
		}
		bits := 64
		if s.Type == model.Integer {
			bits = 32
		}
		i, err := strconv.ParseInt(text, 10, bits)
		if err != nil {
			return nil, false
		}
		return json.Number(strconv.FormatInt(i, 10)), true
	case model.Float, model.Double:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	case model.Boolean:
		switch strings.ToLower(text) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case model.Timestamp:
		if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
			return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), true
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
		}
		return nil, false
	}
	return nil, false
}

var typeExpected = map[model.Type]string{
	model.Integer: "an integer", model.Long: "an integer", model.Float: "a number", model.Double: "a number",
	model.Boolean: "true or false", model.Timestamp: "an ISO 8601 timestamp",
}

// invalidParameter is the error for a form value that is not of its
// shape's type.
func invalidParameter(key, value string, t model.Type, hidden bool) *wireError {
	msg := "Invalid value for parameter " + key
	if !hidden {
		msg = "Invalid value '" + value + "' for parameter " + key
	}
	return &wireError{Code: "InvalidParameterValue", Message: msg + ": expected " + typeExpected[t] + ".", Status: http.StatusBadRequest}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
