package secrets

import (
	"errors"
	"fmt"
)

// Kind classifies an Error. The protocol layer maps each Kind to a wire error
// code in one table; the domain never names wire codes itself.
//
// Do not reorder this list: stores and tests may persist or compare the values.
type Kind uint8

const (
	Internal         Kind = iota // an unexpected failure; the client sees only "internal error"
	NotFound                     // the named resource does not exist (or is invisible to the caller)
	Exists                       // the resource or version already exists
	InvalidParameter             // a parameter value is not valid for this operation
	InvalidRequest               // the request is not valid in the resource's current state
	Precondition                 // a precondition (such as a policy check) was not met
	LimitExceeded                // a quota or a per-resource limit would be exceeded
	Denied                       // the caller is not allowed
	DecryptionFailed             // the value could not be decrypted
	EncryptionFailed             // the value could not be encrypted
	InvalidNextToken             // a pagination token is not valid
	Validation                   // the input breaks a rule of the API (ValidationException)
	Disabled                     // the key is disabled (KMS)
	IncorrectKey                 // the key named does not match the one a ciphertext names (KMS)
	InvalidAliasName             // an alias name is reserved or not valid (KMS)
	InvalidARN                   // an ARN is not valid (KMS)
	InvalidKeyUsage              // the key cannot be used this way (KMS)
	MalformedPolicy              // a policy document is not valid
	InvalidTag                   // a tag is not valid (KMS TagException)
	Unsupported                  // the operation is not supported for this resource
	NotAuthorized                // the resource is reserved for AWS (KMS NotAuthorizedException)
	Conflict                     // the resource is in use by others and cannot be deleted (IAM DeleteConflict)
	PublicPolicy                 // a resource policy would grant public access (PublicPolicyException)
	Expired                      // a credential or token has expired (STS ExpiredTokenException)
)

var kindNames = [...]string{
	Internal:         "Internal",
	NotFound:         "NotFound",
	Exists:           "Exists",
	InvalidParameter: "InvalidParameter",
	InvalidRequest:   "InvalidRequest",
	Precondition:     "Precondition",
	LimitExceeded:    "LimitExceeded",
	Denied:           "Denied",
	DecryptionFailed: "DecryptionFailed",
	EncryptionFailed: "EncryptionFailed",
	InvalidNextToken: "InvalidNextToken",
	Validation:       "Validation",
	Disabled:         "Disabled",
	IncorrectKey:     "IncorrectKey",
	InvalidAliasName: "InvalidAliasName",
	InvalidARN:       "InvalidARN",
	InvalidKeyUsage:  "InvalidKeyUsage",
	MalformedPolicy:  "MalformedPolicy",
	InvalidTag:       "InvalidTag",
	Unsupported:      "Unsupported",
	NotAuthorized:    "NotAuthorized",
	Conflict:         "Conflict",
	PublicPolicy:     "PublicPolicy",
	Expired:          "Expired",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Error is the domain's error. Msg is what a client may see: it never holds a
// secret value, a key or any other secret material. Err, when set, is the
// underlying cause for logs; it must obey the same rule.
type Error struct {
	Kind Kind
	Op   string // the operation, "secrets.PutSecretValue"
	Msg  string
	Err  error
}

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, op, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += e.Kind.String()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, and Internal for
// anything else.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// MessageOf returns the client-visible message of the first *Error in err's
// chain, and "internal error" for anything else, so that an unexpected error's
// text never reaches a client.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Msg
	}
	return "internal error"
}

// ErrNotFound is returned by Store implementations when a record does not exist.
var ErrNotFound = errors.New("not found")

// newError returns an *Error with msg as its message, taken literally.
func newError(kind Kind, op, msg string) *Error {
	return &Error{Kind: kind, Op: op, Msg: msg}
}
