package model

import (
	"regexp"
	"slices"
	"strconv"
)

// Type is the type of a shape, as the botocore model names it.
type Type uint8

// The shape types. Do not reorder: generated tables use the names only, but
// tests and logs may print the numbers.
const (
	Structure Type = iota + 1
	List
	Map
	String
	Integer
	Long
	Float
	Double
	Boolean
	Blob
	Timestamp
)

var typeNames = [...]string{
	Structure: "structure", List: "list", Map: "map", String: "string",
	Integer: "integer", Long: "long", Float: "float", Double: "double",
	Boolean: "boolean", Blob: "blob", Timestamp: "timestamp",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Service is the input side of one AWS service model: its operations and
// every shape their inputs reach. For a service of the AWS query protocol
// (IAM, STS) it is the output side too: each operation's output shape and
// result wrapper, and the shapes outputs reach. The generated tables are
// shared; nothing may modify a Service or the Shapes it returns.
type Service struct {
	name         string // endpoint prefix, "secretsmanager"
	apiVersion   string
	protocol     string // "json" or "query"
	targetPrefix string // the X-Amz-Target prefix (JSON protocol)
	jsonVersion  string // "1.0" or "1.1" (JSON protocol)
	xmlNamespace string // of responses (query protocol)
	operations   map[string]string
	outputs      map[string]Output // query protocol only
	shapes       map[string]*Shape
}

// Output is an operation's output in the query protocol.
type Output struct {
	// Shape is the output shape, empty for an operation that returns
	// nothing but its request id.
	Shape string
	// ResultWrapper is the element that holds the output in the response,
	// such as "CreateUserResult" inside "CreateUserResponse".
	ResultWrapper string
}

// Name returns the service's endpoint prefix, such as "secretsmanager".
func (s *Service) Name() string { return s.name }

// APIVersion returns the model's API version, such as "2017-10-17".
func (s *Service) APIVersion() string { return s.apiVersion }

// TargetPrefix returns the prefix of the X-Amz-Target header, such as
// "secretsmanager" in "secretsmanager.GetSecretValue".
func (s *Service) TargetPrefix() string { return s.targetPrefix }

// JSONVersion returns the AWS JSON protocol version, "1.0" or "1.1"; empty
// for a query-protocol service.
func (s *Service) JSONVersion() string { return s.jsonVersion }

// Protocol returns the model's protocol: "json" (AWS JSON 1.0 and 1.1) or
// "query" (the AWS query protocol: form-encoded requests, XML responses).
func (s *Service) Protocol() string { return s.protocol }

// XMLNamespace returns the namespace of a query-protocol service's XML
// responses, such as "https://iam.amazonaws.com/doc/2010-05-08/"; empty for
// a JSON service.
func (s *Service) XMLNamespace() string { return s.xmlNamespace }

// Output returns the output of an operation of a query-protocol service: its
// shape (nil for an operation without output) and its result wrapper. ok is
// false for an unknown operation, and for every operation of a JSON service,
// whose outputs are not in the tables.
func (s *Service) Output(operation string) (shape *Shape, resultWrapper string, ok bool) {
	out, ok := s.outputs[operation]
	if !ok {
		return nil, "", false
	}
	if out.Shape == "" {
		return nil, "", true
	}
	return s.shapes[out.Shape], out.ResultWrapper, true
}

// Operations returns the names of the service's operations, sorted.
func (s *Service) Operations() []string {
	ops := make([]string, 0, len(s.operations))
	for op := range s.operations {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Input returns the input shape of an operation. It returns nil and true for
// an operation that takes no input, and nil and false for an unknown one.
func (s *Service) Input(operation string) (*Shape, bool) {
	name, ok := s.operations[operation]
	if !ok {
		return nil, false
	}
	return s.shapes[name], true
}

// Shape returns the named shape, or nil. Only shapes reachable from an
// operation's input are in the table, and for a query-protocol service those
// reachable from its output (the ones only an output reaches carry no
// constraints).
func (s *Service) Shape(name string) *Shape { return s.shapes[name] }

// ShapeNames returns the names of all shapes in the table, sorted.
func (s *Service) ShapeNames() []string {
	names := make([]string, 0, len(s.shapes))
	for n := range s.shapes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Shape is one shape of a model, with the constraints AWS validates.
type Shape struct {
	Type Type

	// Sensitive marks values AWS never echoes in a message, and that audit
	// records must redact.
	Sensitive bool

	// Members of a structure, in the model's order.
	Members []Member

	// ListMember is the shape of a list's elements.
	ListMember string

	// MapKey and MapValue are the shapes of a map's keys and values.
	MapKey, MapValue string

	// Query protocol only. ListMemberName is the name of a list's elements,
	// in a form ("Tags.member.1") and in XML (<Tags><member>): empty means
	// "member". MapKeyName and MapValueName name a map entry's key and value
	// ("Attributes.entry.1.key"; <entry><key>): empty means "key" and
	// "value". A Flattened list or map has no wrapper: "Tags.1",
	// "Attributes.1.key", and one element per entry in XML.
	ListMemberName           string
	MapKeyName, MapValueName string
	Flattened                bool

	// Min and Max bound a string's length (in UTF-16 code units), a blob's
	// decoded length in bytes, a list's or map's number of entries, or a
	// number's value, when HasMin or HasMax is set.
	HasMin, HasMax bool
	Min, Max       int64

	// Pattern is the model's regular expression, in java.util.regex syntax,
	// exactly as AWS prints it. GoPattern is its RE2 translation, anchored
	// at both ends because AWS requires the whole value to match.
	Pattern   string
	GoPattern string
	re        *regexp.Regexp

	// GoExclude, when set, is an RE2 expression that must match nowhere in
	// the value for the pattern to be satisfied: the generator's rewrite of
	// a Java pattern with lookahead (see gen's patternRewrites).
	GoExclude string
	reExclude *regexp.Regexp

	// Enum is the set of allowed string values, in the order AWS prints it.
	Enum []string
}

// Member is a member of a structure.
type Member struct {
	Name     string // as in the model, "SecretId"
	Shape    string // the target shape
	JSONName string // the JSON key, when it differs from Name
	Required bool

	// LocationName is, in a query-protocol service, the member's name in a
	// form and in XML, when it differs from Name. The JSON key of a
	// query-protocol member is always Name.
	LocationName string
}

// Key returns the member's key in the JSON body.
func (m *Member) Key() string {
	if m.JSONName != "" {
		return m.JSONName
	}
	return m.Name
}

// WireName returns the member's name in a query-protocol form or XML
// document: its LocationName, or Name.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// matches reports whether str satisfies the shape's pattern, which must be
// set: the whole of str matches re, and reExclude matches nowhere in it.
func (s *Shape) matches(str string) bool {
	return s.re.MatchString(str) && (s.reExclude == nil || !s.reExclude.MatchString(str))
}
