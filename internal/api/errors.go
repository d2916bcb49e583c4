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
	secrets.MalformedPolicy:  {Code: "MalformedPolicyDocumentException", Status: http.StatusBadRequest},
	secrets.PublicPolicy:     {Code: "PublicPolicyException", Status: http.StatusBadRequest},
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

// iamCodes maps each domain Kind to the error AWS IAM sends: the code and
// HTTP status of the error shapes in the iam service model (their "error"
// traits): NoSuchEntityException is NoSuchEntity, 404;
// EntityAlreadyExistsException EntityAlreadyExists, 409;
// LimitExceededException LimitExceeded, 409; DeleteConflictException
// DeleteConflict, 409; MalformedPolicyDocumentException
// MalformedPolicyDocument, 400; InvalidInputException InvalidInput, 400;
// ServiceFailureException ServiceFailure, 500. ValidationError (400) and
// AccessDenied (403) are not model shapes: they are the codes real IAM sends
// (NixOS/nixops#328 quotes a ValidationError ErrorResponse; the IAM API
// Reference's Common Errors list AccessDenied with 403). An expired session
// token is ExpiredToken, 403 (cfn-sphere/cfn-sphere#55 quotes IAM's
// ErrorResponse, "403 Forbidden", "The security token included in the
// request is expired").
var iamCodes = codeTable{
	secrets.NotFound:         {Code: "NoSuchEntity", Status: http.StatusNotFound},
	secrets.Exists:           {Code: "EntityAlreadyExists", Status: http.StatusConflict},
	secrets.LimitExceeded:    {Code: "LimitExceeded", Status: http.StatusConflict},
	secrets.Conflict:         {Code: "DeleteConflict", Status: http.StatusConflict},
	secrets.MalformedPolicy:  {Code: "MalformedPolicyDocument", Status: http.StatusBadRequest},
	secrets.InvalidParameter: {Code: "InvalidInput", Status: http.StatusBadRequest},
	secrets.InvalidRequest:   {Code: "InvalidInput", Status: http.StatusBadRequest},
	secrets.Validation:       {Code: "ValidationError", Status: http.StatusBadRequest},
	secrets.Denied:           {Code: "AccessDenied", Status: http.StatusForbidden},
	secrets.Expired:          {Code: "ExpiredToken", Status: http.StatusForbidden},
	secrets.Internal:         {Code: "ServiceFailure", Status: http.StatusInternalServerError},
}

// stsCodes maps each domain Kind to the error AWS STS sends. From the sts
// service model's error shapes: MalformedPolicyDocumentException is
// MalformedPolicyDocument, 400, and PackedPolicyTooLargeException, the
// model's only size limit, PackedPolicyTooLarge, 400. The model has no
// shape for bad input: STS answers it with ValidationError, 400 (real
// AssumeRole responses quoted in kreuzwerker/awsu#27, "ValidationError: The
// requested DurationSeconds exceeds the MaxSessionDuration set for this
// role. status code: 400"), for a parameter's value as for a constraint.
// Expired is the session token of the request, ExpiredToken with 403
// (aws/aws-sdk-java-v2#1649 quotes STS's "The security token included in the
// request is expired (Service: Sts, Status Code: 403)"); the model's
// ExpiredTokenException (400) is an expired web identity token, which no
// Kind names. InternalFailure, 500, is the Common Errors code for a fault.
var stsCodes = codeTable{
	secrets.Denied:           {Code: "AccessDenied", Status: http.StatusForbidden},
	secrets.Expired:          {Code: "ExpiredToken", Status: http.StatusForbidden},
	secrets.MalformedPolicy:  {Code: "MalformedPolicyDocument", Status: http.StatusBadRequest},
	secrets.LimitExceeded:    {Code: "PackedPolicyTooLarge", Status: http.StatusBadRequest},
	secrets.Validation:       {Code: "ValidationError", Status: http.StatusBadRequest},
	secrets.InvalidParameter: {Code: "ValidationError", Status: http.StatusBadRequest},
	secrets.Internal:         {Code: "InternalFailure", Status: http.StatusInternalServerError},
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
	// A body that could not be read.
	errReadBody = &wireError{Code: "SerializationException", Message: "Could not read the request body.", Status: http.StatusBadRequest}
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
