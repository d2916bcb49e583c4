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
// every shape their inputs reach. The generated tables are shared; nothing
// may modify a Service or the Shapes it returns.
type Service struct {
	name         string // endpoint prefix, "secretsmanager"
	apiVersion   string
	targetPrefix string // the X-Amz-Target prefix
	jsonVersion  string // "1.0" or "1.1"
	operations   map[string]string
	shapes       map[string]*Shape
}

// Name returns the service's endpoint prefix, such as "secretsmanager".
func (s *Service) Name() string { return s.name }

// APIVersion returns the model's API version, such as "2017-10-17".
func (s *Service) APIVersion() string { return s.apiVersion }

// TargetPrefix returns the prefix of the X-Amz-Target header, such as
// "secretsmanager" in "secretsmanager.GetSecretValue".
func (s *Service) TargetPrefix() string { return s.targetPrefix }

// JSONVersion returns the AWS JSON protocol version, "1.0" or "1.1".
func (s *Service) JSONVersion() string { return s.jsonVersion }

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
// operation's input are in the table.
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

	// Enum is the set of allowed string values, in the order AWS prints it.
	Enum []string
}

// Member is a member of a structure.
type Member struct {
	Name     string // as in the model, "SecretId"
	Shape    string // the target shape
	JSONName string // the JSON key, when it differs from Name
	Required bool
}

// Key returns the member's key in the JSON body.
func (m *Member) Key() string {
	if m.JSONName != "" {
		return m.JSONName
	}
	return m.Name
}
