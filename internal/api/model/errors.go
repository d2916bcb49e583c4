package model

import (
	"errors"
	"strconv"
	"strings"
)

// Wire codes (the JSON body's __type) of the errors this package returns.
const (
	// CodeValidation is sent with a *ValidationError, status 400.
	CodeValidation = "ValidationException"
	// CodeSerialization is sent with a *SerializationError, status 400.
	CodeSerialization = "SerializationException"
)

// MaxListed is the most violations AWS lists in one message. With more, it
// lists the first ten and says "10 validation errors detected"
// (kinesalite's PutRecords test of 501 invalid records, and dynalite's
// CreateTable test of nine empty indexes, both copied from real responses).
const MaxListed = 10

// ErrUnknownOperation is returned, wrapped, by Validate for an operation the
// service model does not have. It is not a client input error of the kind
// this package describes: the router answers it (UnknownOperationException).
var ErrUnknownOperation = errors.New("model: unknown operation")

// ValidationError reports input that breaks the model's constraints. AWS
// answers it with 400 and __type ValidationException; Message is AWS's
// message, byte for byte where the format is known (see the package doc).
type ValidationError struct {
	Message string

	// Violations are all the violations found, in the order they are
	// listed; Message lists at most MaxListed of them.
	Violations []Violation
}

func (e *ValidationError) Error() string { return e.Message }

// Code returns CodeValidation.
func (e *ValidationError) Code() string { return CodeValidation }

// Violation is one broken constraint.
type Violation struct {
	// Path names the member the way AWS does: member names with a lowercase
	// first letter, joined by dots, and ".N.member" (from 1) for the N-th
	// element of a list, as in "filters.1.member.values.2.member".
	Path string

	// Constraint is AWS's wording of the constraint, such as "Member must
	// have length less than or equal to 512".
	Constraint string

	// value is the rendered "Value ..." prefix: "Value 'x'", "Value null",
	// or just "Value" when the value must not be echoed.
	value string
}

// String returns the violation as AWS writes it inside a message.
func (v Violation) String() string {
	return v.value + " at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
}

// newValidationError builds the error for vs, which must not be empty.
func newValidationError(vs []Violation) *ValidationError {
	listed := vs[:min(len(vs), MaxListed)]
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(listed)))
	if len(listed) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range listed {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return &ValidationError{Message: b.String(), Violations: vs}
}

// SerializationError reports a body that does not fit the model's types,
// such as a string where a number belongs or a blob that is not base64. AWS
// answers it with 400 and __type SerializationException, before checking any
// constraint, and puts the text under "Message" with a capital M
// (kinesalite's assertSerialization).
type SerializationError struct {
	// Path locates the value for logs; AWS's message does not include it.
	Path string
	// Message is AWS's message, such as "STRING_VALUE can not be converted
	// to an Integer". It never holds a sensitive value.
	Message string
}

func (e *SerializationError) Error() string { return e.Message }

// Code returns CodeSerialization.
func (e *SerializationError) Code() string { return CodeSerialization }
