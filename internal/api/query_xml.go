package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/coffer-dev/coffer/internal/api/model"
)

// writeQueryResponse writes the XML response of a query-protocol operation:
//
//	<OpResponse xmlns="NS"><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
//
// OpResult, the model's result wrapper, holds resp written by the
// operation's output shape; an operation without an output shape has only
// the ResponseMetadata, whatever resp is.
func writeQueryResponse(b *bytes.Buffer, m *model.Service, op string, resp any, reqID string) error {
	out, wrapper, _ := m.Output(op)
	b.WriteString("<" + op + `Response xmlns="`)
	escapeXML(b, m.XMLNamespace())
	b.WriteString(`">`)
	if out != nil {
		obj, err := responseJSON(resp)
		if err != nil {
			return err
		}
		b.WriteString("<" + wrapper + ">")
		if err := (xmlEncoder{b: b, shape: m.Shape}).members(out, obj, wrapper); err != nil {
			return err
		}
		b.WriteString("</" + wrapper + ">")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	escapeXML(b, reqID)
	b.WriteString("</RequestId></ResponseMetadata></" + op + "Response>")
	return nil
}

// responseJSON is a handler's response as JSON decodes it: nil for none.
func responseJSON(resp any) (map[string]any, error) {
	if resp == nil {
		return nil, nil
	}
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	defer clear(raw) // may hold a secret access key
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	}
	return nil, fmt.Errorf("response is a JSON %T, not an object", v)
}

// xmlEncoder writes a value as XML by its shape, the way IAM and STS write
// responses and botocore's and the SDKs' query parsers read them. The value
// is a handler's response as JSON decodes it, so that a response type
// needs no XML annotations; what its JSON must look like:
//
//   - a structure is an object whose keys are the member names of the
//     model (not their locationNames); members come out in the model's
//     order, each as <LocationName-or-Name>, and keys the model does not
//     name, and null members, are left out;
//   - a list is an array, written <Name><member>…</member></Name> (the list
//     member's locationName instead of member when the model gives one); a
//     flattened list repeats <Name> per element; null elements are left out;
//   - a map is an object, written <Name><entry><key>k</key><value>v</value>
//     </entry></Name> in key order (the key's and value's locationNames when
//     the model gives them); a flattened map repeats <Name> per entry;
//   - a timestamp is a string in RFC 3339 (what time.Time marshals to) or
//     a number of epoch seconds (what wire.go's epoch marshals to), written
//     in UTC to the second, as IAM and STS print them: 2026-11-22T04:14:23Z;
//   - a boolean is true or false, a number as JSON wrote it, a blob a base64
//     string (what []byte marshals to), a string as it is, XML-escaped.
//
// A value of the wrong JSON type for its shape is an error: the handler
// broke the contract, and the client gets an internal error. The error
// names the member's path, never the value, for the log.
type xmlEncoder struct {
	b     *bytes.Buffer
	shape func(name string) *model.Shape
}

// members writes the members of structure s found in obj.
func (e xmlEncoder) members(s *model.Shape, obj map[string]any, path string) error {
	for i := range s.Members {
		m := &s.Members[i]
		v, ok := obj[m.Key()]
		if !ok || v == nil {
			continue
		}
		target := e.shape(m.Shape)
		name, p := m.WireName(), path+"."+m.Name
		if target.Flattened && (target.Type == model.List || target.Type == model.Map) {
			if target.Type == model.List && target.ListMemberName != "" {
				name = target.ListMemberName
			}
			if err := e.flattened(name, target, v, p); err != nil {
				return err
			}
			continue
		}
		if err := e.element(name, target, v, p); err != nil {
			return err
		}
	}
	return nil
}

// element writes <name>v</name>.
func (e xmlEncoder) element(name string, s *model.Shape, v any, path string) error {
	e.b.WriteString("<" + name + ">")
	if err := e.value(s, v, path); err != nil {
		return err
	}
	e.b.WriteString("</" + name + ">")
	return nil
}

// value writes the content of an element of shape s.
func (e xmlEncoder) value(s *model.Shape, v any, path string) error {
	switch s.Type {
	case model.Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatchOut(path, s, v)
		}
		return e.members(s, obj, path)

	case model.List:
		list, ok := v.([]any)
		if !ok {
			return mismatchOut(path, s, v)
		}
		name := s.ListMemberName
		if name == "" {
			name = "member"
		}
		elem := e.shape(s.ListMember)
		for i, x := range list {
			if x == nil {
				continue
			}
			if err := e.element(name, elem, x, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil

	case model.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatchOut(path, s, v)
		}
		return e.entries(s, obj, path, "entry")
	}
	text, err := scalarText(s, v)
	if err != nil {
		return fmt.Errorf("response %s: %w", path, err)
	}
	escapeXML(e.b, text)
	return nil
}

// entries writes a map's entries, each in an element named wrap.
func (e xmlEncoder) entries(s *model.Shape, obj map[string]any, path, wrap string) error {
	keyName, valueName := s.MapKeyName, s.MapValueName
	if keyName == "" {
		keyName = "key"
	}
	if valueName == "" {
		valueName = "value"
	}
	keys := make([]string, 0, len(obj))
	for k, x := range obj {
		if x != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	valShape := e.shape(s.MapValue)
	for _, k := range keys {
		e.b.WriteString("<" + wrap + "><" + keyName + ">")
		escapeXML(e.b, k)
		e.b.WriteString("</" + keyName + ">")
		if err := e.element(valueName, valShape, obj[k], path+"{}"); err != nil {
			return err
		}
		e.b.WriteString("</" + wrap + ">")
	}
	return nil
}

// flattened writes a flattened list or map: one element named name per
// list element or map entry, with no wrapper.
func (e xmlEncoder) flattened(name string, s *model.Shape, v any, path string) error {
	if s.Type == model.Map {
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatchOut(path, s, v)
		}
		return e.entries(s, obj, path, name)
	}
	list, ok := v.([]any)
	if !ok {
		return mismatchOut(path, s, v)
	}
	elem := e.shape(s.ListMember)
	for i, x := range list {
		if x == nil {
			continue
		}
		if err := e.element(name, elem, x, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

// queryTimeLayout is how IAM and STS print a timestamp: UTC, to the second.
const queryTimeLayout = "2006-01-02T15:04:05Z"

// scalarText is the text of a scalar of shape s.
func scalarText(s *model.Shape, v any) (string, error) {
	switch s.Type {
	case model.Timestamp:
		var t time.Time
		switch x := v.(type) {
		case string:
			var err error
			if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
				return "", errors.New("a timestamp string that is not RFC 3339") // the value is not logged
			}
		case json.Number:
			f, err := x.Float64()
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return "", errors.New("a timestamp number that is not epoch seconds")
			}
			t = time.UnixMilli(int64(math.Round(f * 1000)))
		default:
			return "", fmt.Errorf("a %s for a timestamp", jsonKind(v))
		}
		return t.UTC().Truncate(time.Second).Format(queryTimeLayout), nil
	case model.Boolean:
		if x, ok := v.(bool); ok {
			return strconv.FormatBool(x), nil
		}
	case model.Integer, model.Long, model.Float, model.Double:
		if x, ok := v.(json.Number); ok {
			return x.String(), nil
		}
	case model.String, model.Blob:
		if x, ok := v.(string); ok {
			return x, nil
		}
	}
	return "", fmt.Errorf("a %s for a %s", jsonKind(v), s.Type)
}

func mismatchOut(path string, s *model.Shape, v any) error {
	return fmt.Errorf("response %s: a %s for a %s", path, jsonKind(v), s.Type)
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "JSON object"
	case []any:
		return "JSON array"
	case string:
		return "JSON string"
	case json.Number:
		return "JSON number"
	case bool:
		return "JSON boolean"
	}
	return fmt.Sprintf("%T", v)
}

// escapeXML writes s as XML character data or a double-quoted attribute
// value, escaped as encoding/xml's EscapeText escapes it but for the
// apostrophe, which AWS's messages hold verbatim ("Credential should be
// scoped to a valid region, not 'ap-southeast-2'. "), and without its copy
// of s, which may be a secret: &, <, > and " as entities; tab, newline and
// carriage return as character references; what XML 1.0 cannot hold
// (invalid UTF-8 included) as U+FFFD.
func escapeXML(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r)
		default:
			b.WriteRune('\uFFFD')
		}
	}
}
