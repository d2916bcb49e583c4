package api

import (
	"errors"
	"net/http"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// wireError is an error as it goes on the wire: the `__type`, the message
// and the HTTP status.
type wireError struct {
	Code    string
	Message string
	Status  int
}

func (e *wireError) Error() string { return e.Code + ": " + e.Message }

// codeTable maps each domain Kind to the error one AWS service sends for
// it: the same Kind is ResourceNotFoundException in Secrets Manager and
// NotFoundException in KMS. Wire names live here, not in the domain.
type codeTable map[secrets.Kind]wireError

// codes maps each domain Kind to the error AWS Secrets Manager sends. Every
// client error is HTTP 400, ResourceNotFoundException included (localstack's
// snapshots recorded against AWS); InternalServiceError is the model's only
// fault, 500.
var codes = codeTable{
	secrets.NotFound:         {Code: "ResourceNotFoundException", Status: http.StatusBadRequest},
	secrets.Exists:           {Code: "ResourceExistsException", Status: http.StatusBadRequest},
	secrets.InvalidParameter: {Code: "InvalidParameterException", Status: http.StatusBadRequest},
	secrets.InvalidRequest:   {Code: "InvalidRequestException", Status: http.StatusBadRequest},
	secrets.Precondition:     {Code: "PreconditionNotMetException", Status: http.StatusBadRequest},
	secrets.LimitExceeded:    {Code: "LimitExceededException", Status: http.StatusBadRequest},
	secrets.Denied:           {Code: "AccessDeniedException", Status: http.StatusBadRequest},
	secrets.DecryptionFailed: {Code: "DecryptionFailure", Status: http.StatusBadRequest},
	secrets.EncryptionFailed: {Code: "EncryptionFailure", Status: http.StatusBadRequest},
	secrets.InvalidNextToken: {Code: "InvalidNextTokenException", Status: http.StatusBadRequest},
	secrets.Validation:       {Code: "ValidationException", Status: http.StatusBadRequest},
	secrets.Internal:         {Code: "InternalServiceError", Status: http.StatusInternalServerError},
}

// kmsCodes maps each domain Kind to the error AWS KMS sends: the error
// shapes of the kms service model. Client errors are 400 (localstack's
// snapshots recorded against AWS show 400 for NotFoundException,
// KMSInvalidStateException, InvalidCiphertextException and the rest);
// KMSInternalException is a fault, 500, and DependencyTimeoutException 503.
var kmsCodes = codeTable{
	secrets.NotFound:         {Code: "NotFoundException", Status: http.StatusBadRequest},
	secrets.Exists:           {Code: "AlreadyExistsException", Status: http.StatusBadRequest},
	secrets.InvalidParameter: {Code: "ValidationException", Status: http.StatusBadRequest},
	secrets.InvalidRequest:   {Code: "KMSInvalidStateException", Status: http.StatusBadRequest},
	secrets.Precondition:     {Code: "KMSInvalidStateException", Status: http.StatusBadRequest},
	secrets.LimitExceeded:    {Code: "LimitExceededException", Status: http.StatusBadRequest},
	secrets.Denied:           {Code: "AccessDeniedException", Status: http.StatusBadRequest},
	secrets.DecryptionFailed: {Code: "InvalidCiphertextException", Status: http.StatusBadRequest},
	secrets.EncryptionFailed: {Code: "KMSInvalidStateException", Status: http.StatusBadRequest},
	secrets.InvalidNextToken: {Code: "InvalidMarkerException", Status: http.StatusBadRequest},
	secrets.Validation:       {Code: "ValidationException", Status: http.StatusBadRequest},
	secrets.Disabled:         {Code: "DisabledException", Status: http.StatusBadRequest},
	secrets.IncorrectKey:     {Code: "IncorrectKeyException", Status: http.StatusBadRequest},
	secrets.InvalidAliasName: {Code: "InvalidAliasNameException", Status: http.StatusBadRequest},
	secrets.InvalidARN:       {Code: "InvalidArnException", Status: http.StatusBadRequest},
	secrets.InvalidKeyUsage:  {Code: "InvalidKeyUsageException", Status: http.StatusBadRequest},
	secrets.MalformedPolicy:  {Code: "MalformedPolicyDocumentException", Status: http.StatusBadRequest},
	secrets.InvalidTag:       {Code: "TagException", Status: http.StatusBadRequest},
	secrets.Unsupported:      {Code: "UnsupportedOperationException", Status: http.StatusBadRequest},
	secrets.NotAuthorized:    {Code: "NotAuthorizedException", Status: http.StatusBadRequest},
	secrets.Internal:         {Code: "KMSInternalException", Status: http.StatusInternalServerError},
}

// Protocol-level errors.
var (
	// Other AWS JSON 1.1 services answer an unknown X-Amz-Target with a bare
	// UnknownOperationException, status 400 (aws/aws-sdk-net#1536).
	errUnknownOperation = &wireError{Code: "UnknownOperationException", Status: http.StatusBadRequest}
	// A body that is not JSON: SerializationException, 400 (seen from other
	// Coral JSON services, e.g. pplu/aws-sdk-perl#237).
	errSerialization = &wireError{Code: "SerializationException", Message: "Start of structure or map found where not expected.", Status: http.StatusBadRequest}
	// A body over the limit. No AWS capture was found; 413 with a
	// SerializationException body tells SDKs and people what happened.
	errTooLarge = &wireError{Code: "SerializationException", Message: "Request body is larger than the limit.", Status: http.StatusRequestEntityTooLarge}
	// Anything else unexpected.
	errInternal = &wireError{Code: "InternalServiceError", Message: "internal error", Status: http.StatusInternalServerError}
)

// toWire turns any error into what the client sees. Domain errors go
// through the codes table; errors this package does not know become
// InternalServiceError with a generic message, so that no internal detail
// reaches a client.
func toWire(err error) *wireError { return codes.toWire(err) }

// toWire is toWire for the service whose table t is.
func (t codeTable) toWire(err error) *wireError {
	var we *wireError
	if errors.As(err, &we) {
		if we == errInternal {
			w := t[secrets.Internal]
			w.Message = errInternal.Message
			return &w
		}
		return we
	}
	if w := fromOther(err); w != nil {
		return w
	}
	kind := secrets.KindOf(err)
	w, ok := t[kind]
	if !ok {
		return errInternal
	}
	w.Message = secrets.MessageOf(err)
	return &w
}
