package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validate checks the input of an operation against the service model the
// way AWS does. input is the request body decoded by a json.Decoder with
// UseNumber (float64 and int values are accepted too); nil means {}.
//
// It returns nil when the input is valid; a *SerializationError when a value
// has the wrong JSON type or a blob is not base64, which AWS reports before
// any constraint; or a *ValidationError listing the broken constraints. For
// an operation the model lacks it returns an error wrapping
// ErrUnknownOperation. Members the model does not know are ignored, and a
// null member counts as absent, as on AWS.
func Validate(svc *Service, operation string, input map[string]any) error {
	shape, ok := svc.Input(operation)
	if !ok {
		return fmt.Errorf("%w %s.%s", ErrUnknownOperation, svc.name, operation)
	}
	if shape == nil {
		return nil
	}
	w := walker{svc: svc}
	if err := w.structure(shape, input, "", false); err != nil {
		return err
	}
	if len(w.violations) > 0 {
		return newValidationError(w.violations)
	}
	return nil
}

// walker visits a value depth first, members in model order and list
// elements in order, collecting violations. It stops at the first type
// mismatch, since AWS fails to deserialize before it validates anything.
type walker struct {
	svc        *Service
	violations []Violation
}

func (w *walker) shape(name string) *Shape {
	s := w.svc.shapes[name]
	if s == nil {
		// The generator only emits closed tables; this is a bug, not input.
		panic("model: shape " + name + " missing from " + w.svc.name)
	}
	return s
}

// add records a violation. hidden (a sensitive value, or one inside a
// sensitive value) drops the value from the message; AWS writes
// "Value at 'secretString' ..." for those.
func (w *walker) add(path, constraint string, s *Shape, v any, hidden bool) {
	prefix := "Value"
	if !hidden {
		if text, ok := w.render(s, v); ok {
			prefix = "Value '" + text + "'"
		}
	}
	w.violations = append(w.violations, Violation{Path: path, Constraint: constraint, value: prefix})
}

func (w *walker) structure(s *Shape, obj map[string]any, path string, hidden bool) error {
	for i := range s.Members {
		m := &s.Members[i]
		target := w.shape(m.Shape)
		p := memberPath(path, m.Name)
		v, present := obj[m.Key()]
		if !present || v == nil {
			if m.Required {
				prefix := "Value null"
				if hidden || target.Sensitive {
					// Even null is not echoed for a sensitive member:
					// "Value at 'username' ... Member must not be null" (Cognito).
					prefix = "Value"
				}
				w.violations = append(w.violations, Violation{Path: p, Constraint: "Member must not be null", value: prefix})
			}
			continue
		}
		if err := w.value(target, v, p, hidden); err != nil {
			return err
		}
	}
	return nil
}

// value checks one non-null value against its shape.
func (w *walker) value(s *Shape, v any, path string, hidden bool) error {
	hidden = hidden || s.Sensitive
	switch s.Type {
	case Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		return w.structure(s, obj, path, hidden)

	case List:
		list, ok := v.([]any)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		// A null element is dropped: Athena took ExecutionParameters [null]
		// without a validation error, though each element has a minimum length.
		list = withoutNulls(list)
		w.checkCount(s, list, len(list), path, hidden)
		elem := w.shape(s.ListMember)
		for i, e := range list {
			if err := w.value(elem, e, path+"."+strconv.Itoa(i+1)+".member", hidden); err != nil {
				return err
			}
		}
		return nil

	case Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		return w.mapValue(s, obj, path, hidden)

	case String:
		str, ok := v.(string)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		w.checkString(s, str, path, hidden)
		return nil

	case Blob:
		str, ok := v.(string)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		n, err := decodedLen(str)
		if err != nil {
			msg := "STRING_VALUE can not be converted to a Blob"
			if !hidden {
				msg = "'" + str + "' can not be converted to a Blob: " + err.Error()
			}
			return &SerializationError{Path: path, Message: msg}
		}
		w.checkCount(s, blobValue(n), n, path, hidden)
		return nil

	case Integer, Long, Float, Double:
		num, ok := number(v)
		if !ok {
			return mismatch(path, v, s.Type)
		}
		if s.Type == Integer || s.Type == Long {
			// AWS takes 1.5 for an integer and uses 1 (measured on Athena).
			num = truncate(num)
		}
		if s.HasMax && num.Cmp(new(big.Float).SetInt64(s.Max)) > 0 {
			w.add(path, "Member must have value less than or equal to "+strconv.FormatInt(s.Max, 10), s, num, hidden)
		} else if s.HasMin && num.Cmp(new(big.Float).SetInt64(s.Min)) < 0 {
			w.add(path, "Member must have value greater than or equal to "+strconv.FormatInt(s.Min, 10), s, num, hidden)
		}
		return nil

	case Boolean:
		if _, ok := v.(bool); !ok {
			return mismatch(path, v, s.Type)
		}
		return nil

	case Timestamp:
		// AWS JSON sends timestamps as epoch seconds.
		if _, ok := number(v); !ok {
			return mismatch(path, v, s.Type)
		}
		return nil
	}
	panic("model: shape type " + s.Type.String() + " not handled")
}

// checkCount checks the length bounds of a list, map or blob, whose size is n.
func (w *walker) checkCount(s *Shape, v any, n int, path string, hidden bool) {
	if c := lengthConstraint(s, n); c != "" {
		w.add(path, c, s, v, hidden)
	}
}

// checkString checks a string's length, pattern and enum, in that order.
// Where one value breaks several, the order AWS lists them in is not fixed
// across services (Cognito lists length first, Kinesis and DynamoDB the
// pattern); this follows the order AWS uses when it spells out all of a
// shape's constraints ("Map keys must satisfy constraint: [length, length,
// pattern]", QuickSight).
func (w *walker) checkString(s *Shape, str string, path string, hidden bool) {
	if c := lengthConstraint(s, utf16Len(str)); c != "" {
		w.add(path, c, s, str, hidden)
	}
	if s.re != nil && !s.matches(str) {
		w.add(path, "Member must satisfy regular expression pattern: "+s.Pattern, s, str, hidden)
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		w.add(path, enumConstraint(s.Enum), s, str, hidden)
	}
}

// mapValue checks a map. AWS reports bad keys or values once for the map, at
// the map's path, listing every constraint of the key or value shape:
// "Map keys must satisfy constraint: [...]" (QuickSight) and "Map value
// must satisfy constraint: [...]" (CodePipeline).
func (w *walker) mapValue(s *Shape, obj map[string]any, path string, hidden bool) error {
	keys := make([]string, 0, len(obj))
	for k, v := range obj {
		if v != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	w.checkCount(s, obj, len(keys), path, hidden)

	keyShape, valShape := w.shape(s.MapKey), w.shape(s.MapValue)
	badKey, badValue := false, false
	for _, k := range keys {
		if !badKey && !scalarOK(keyShape, k) {
			badKey = true
		}
		v := obj[k]
		if isScalar(valShape.Type) {
			// Type errors still come first: probe with a throwaway walker.
			probe := walker{svc: w.svc}
			if err := probe.value(valShape, v, path, true); err != nil {
				return err
			}
			if len(probe.violations) > 0 {
				badValue = true
			}
			continue
		}
		if err := w.value(valShape, v, path+"."+k, hidden || valShape.Sensitive); err != nil {
			return err
		}
	}
	if badKey {
		w.add(path, "Map keys must satisfy constraint: ["+strings.Join(allConstraints(keyShape), ", ")+"]", s, obj, hidden)
	}
	if badValue {
		w.add(path, "Map value must satisfy constraint: ["+strings.Join(allConstraints(valShape), ", ")+"]", s, obj, hidden)
	}
	return nil
}

func scalarOK(s *Shape, str string) bool {
	w := walker{}
	w.checkString(s, str, "", true)
	return len(w.violations) == 0
}

func isScalar(t Type) bool { return t != Structure && t != List && t != Map }

// allConstraints spells out every constraint of a shape, maximum first, the
// way AWS does inside "Map keys must satisfy constraint: [...]".
func allConstraints(s *Shape) []string {
	what := "length"
	switch s.Type {
	case Integer, Long, Float, Double:
		what = "value"
	}
	var cs []string
	if s.HasMax {
		cs = append(cs, "Member must have "+what+" less than or equal to "+strconv.FormatInt(s.Max, 10))
	}
	if s.HasMin {
		cs = append(cs, "Member must have "+what+" greater than or equal to "+strconv.FormatInt(s.Min, 10))
	}
	if s.Pattern != "" {
		cs = append(cs, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		cs = append(cs, enumConstraint(s.Enum))
	}
	return cs
}

func lengthConstraint(s *Shape, n int) string {
	switch {
	case s.HasMax && int64(n) > s.Max:
		return "Member must have length less than or equal to " + strconv.FormatInt(s.Max, 10)
	case s.HasMin && int64(n) < s.Min:
		return "Member must have length greater than or equal to " + strconv.FormatInt(s.Min, 10)
	}
	return ""
}

func enumConstraint(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// memberPath appends a member to a path, with the first letter lowercased
// and the rest kept: AWSAccountId becomes aWSAccountId (SNS AddPermission),
// SAMLOptions sAMLOptions (OpenSearch).
func memberPath(path, name string) string {
	r, n := utf8.DecodeRuneInString(name)
	name = string(unicode.ToLower(r)) + name[n:]
	if path == "" {
		return name
	}
	return path + "." + name
}

// utf16Len is the length of s in UTF-16 code units: AWS's services are Java,
// where a length bound is checked with String.length(). (Smithy counts
// Unicode scalar values; the two differ only outside the BMP.)
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func withoutNulls(list []any) []any {
	if !slices.Contains(list, nil) {
		return list
	}
	out := make([]any, 0, len(list))
	for _, v := range list {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// number reads a JSON number. Strings, booleans and the rest are not numbers.
func number(v any) (*big.Float, bool) {
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, false
		}
		return new(big.Float).SetFloat64(n), true
	case int:
		return new(big.Float).SetInt64(int64(n)), true
	case int64:
		return new(big.Float).SetInt64(n), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(text, 10, 256, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return f, true
}

func truncate(f *big.Float) *big.Float {
	i, _ := f.Int(nil)
	return new(big.Float).SetInt(i)
}

// mismatch builds AWS's SerializationException for a value of the wrong JSON
// type. The wording was measured against Athena, another AWS JSON 1.1 service
// (a 2026 record of real responses: "STRING_VALUE can not be converted to an
// Integer", "NUMBER_VALUE can not be converted to a String", "Start of list
// found where not expected", "Start of structure or map found where not
// expected.", "Expected list or null", "Expected null"); "Expected map or
// null" is from kinesalite. The article before types not measured there
// ("a Long", "a Boolean", "a Blob") is our assumption.
func mismatch(path string, v any, want Type) *SerializationError {
	var msg string
	switch v := v.(type) {
	case []any:
		msg = "Start of list found where not expected"
	case map[string]any:
		msg = "Start of structure or map found where not expected."
	default:
		switch want {
		case List:
			msg = "Expected list or null"
		case Map:
			msg = "Expected map or null"
		case Structure:
			msg = "Expected null"
		default:
			msg = token(v) + " can not be converted to " + typeWithArticle[want]
		}
	}
	return &SerializationError{Path: path, Message: msg}
}

func token(v any) string {
	switch v := v.(type) {
	case string:
		return "STRING_VALUE"
	case bool:
		if v {
			return "TRUE_VALUE"
		}
		return "FALSE_VALUE"
	}
	return "NUMBER_VALUE"
}

var typeWithArticle = map[Type]string{
	String: "a String", Integer: "an Integer", Long: "a Long", Float: "a Float",
	Double: "a Double", Boolean: "a Boolean", Blob: "a Blob", Timestamp: "a Timestamp",
}

// blobValue stands for a decoded blob of n bytes when rendering it.
type blobValue int

// render writes a value the way AWS's Java prints it in "Value '...'": the
// string itself, a number's decimal form, a blob as Java's ByteBuffer
// ("java.nio.HeapByteBuffer[pos=0 lim=51201 cap=51201]", Kinesis and
// Rekognition), a list as "[a, b]" and a map as "{k=v}". A structure prints
// as a Java object identity that cannot be reproduced, so a value that holds
// one is left out, as are sensitive values.
func (w *walker) render(s *Shape, v any) (string, bool) {
	if s.Sensitive {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case blobValue:
		n := strconv.Itoa(int(v))
		return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]", true
	case *big.Float:
		if s.Type == Float || s.Type == Double {
			f, _ := v.Float64()
			return javaDouble(f), true
		}
		i, _ := v.Int(nil)
		return i.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case []any:
		if s.Type != List {
			return "", false
		}
		elem := w.shape(s.ListMember)
		parts := make([]string, 0, len(v))
		for _, e := range v {
			text, ok := w.render(elem, w.normalize(elem, e))
			if !ok {
				return "", false
			}
			parts = append(parts, text)
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case map[string]any:
		if s.Type != Map {
			return "", false
		}
		keys := make([]string, 0, len(v))
		for k, e := range v {
			if e != nil {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		val := w.shape(s.MapValue)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			text, ok := w.render(val, w.normalize(val, v[k]))
			if !ok {
				return "", false
			}
			parts = append(parts, k+"="+text)
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}

// normalize turns a raw element into what render expects for its shape.
func (w *walker) normalize(s *Shape, v any) any {
	switch s.Type {
	case Integer, Long, Float, Double:
		if n, ok := number(v); ok {
			if s.Type == Integer || s.Type == Long {
				n = truncate(n)
			}
			return n
		}
	case Blob:
		if str, ok := v.(string); ok {
			if n, err := decodedLen(str); err == nil {
				return blobValue(n)
			}
		}
	}
	return v
}

// javaDouble formats f as Java's Double.toString does: plain decimals with at
// least one fractional digit from 10^-3 up to 10^7, "1.0E10" style outside.
func javaDouble(f float64) string {
	switch abs := math.Abs(f); {
	case abs == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	case abs >= 1e-3 && abs < 1e7:
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
