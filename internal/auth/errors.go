package auth

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a SigV4 verification failure as AWS JSON-protocol services (Secrets
// Manager, KMS) report it: Code is the `__type` of the JSON error body, Message
// its `message`, Status the HTTP status code.
//
// Message may quote the Authorization header, dates and the access key id, as
// AWS does. It never holds a secret key, a signing key or a security token.
type Error struct {
	Code    string
	Message string
	Status  int

	err error // one of the sentinels below; see Unwrap
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the sentinel that classifies e, so that
// errors.Is(err, auth.ErrSignatureExpired) works on a Verify error.
func (e *Error) Unwrap() error { return e.err }

// These sentinels classify the *Error values that Verify returns. Several
// share an AWS code (InvalidSignatureException covers most of them), so use
// errors.Is with these to tell the causes apart, for example in audit records.
var (
	// ErrMissingAuthentication means the request carries neither an
	// Authorization header nor presigned query parameters.
	ErrMissingAuthentication = errors.New("auth: missing authentication")

	// ErrMalformedSignature means the Authorization header or the presigned
	// query parameters are incomplete or malformed: a missing part, a date
	// that does not parse, an unsupported algorithm, an unsigned host header.
	ErrMalformedSignature = errors.New("auth: malformed signature")

	// ErrCredentialScope means the credential scope names another service,
	// no region, a wrong terminator, or a date other than the request's.
	ErrCredentialScope = errors.New("auth: credential scope mismatch")

	// ErrUnknownAccessKey means the access key id does not exist or is not
	// active. Credentials.Lookup returns it (wrapped); Verify passes it on as
	// UnrecognizedClientException.
	ErrUnknownAccessKey = errors.New("auth: unknown access key")

	// ErrExpiredToken means a session token (temporary credentials) has
	// expired. SessionCredentials.LookupSession returns it (wrapped).
	ErrExpiredToken = errors.New("auth: expired security token")

	// ErrSignatureMismatch means the signature does not match the request.
	ErrSignatureMismatch = errors.New("auth: signature mismatch")

	// ErrContentSHA256Mismatch means X-Amz-Content-Sha256 does not match the
	// body. AWS reports it as a signature mismatch; so does Verify.
	ErrContentSHA256Mismatch = errors.New("auth: content sha256 mismatch")

	// ErrSignatureExpired means the request time is more than MaxSkew in the
	// past, or a presigned URL is past its X-Amz-Expires.
	ErrSignatureExpired = errors.New("auth: signature expired")

	// ErrSignatureNotYetCurrent means the request time is more than MaxSkew in
	// the future.
	ErrSignatureNotYetCurrent = errors.New("auth: signature not yet current")
)

// Error codes as AWS JSON-protocol services send them in `__type`. Secrets
// Manager and KMS send the bare name; DynamoDB prefixes
// "com.amazon.coral.service#". The API reference's Common Errors pages list the
// Query-protocol names instead (IncompleteSignature, InvalidClientTokenId,
// MissingAuthenticationToken, 403), which is not what these services send.
const (
	codeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	codeIncompleteSignature        = "IncompleteSignatureException"
	codeInvalidSignature           = "InvalidSignatureException"
	codeUnrecognizedClient         = "UnrecognizedClientException"
	codeExpiredToken               = "ExpiredTokenException"
)

// failure names one row of the errors table.
type failure uint8

// Do not reorder this list: it indexes errorTable.
const (
	failMissingAuth      failure = iota // no Authorization header and no presigned query
	failAuthParams                      // Authorization header lacks Credential / SignedHeaders / Signature / a date
	failAuthKeyValue                    // an Authorization header element without '='
	failQueryParams                     // presigned query lacks one of its X-Amz-* parameters
	failBothForms                       // both an Authorization header and X-Amz-Algorithm
	failDateFormat                      // X-Amz-Date (or Date) does not parse
	failExpiresFormat                   // X-Amz-Expires is not an integer in 0..604800
	failAlgorithm                       // algorithm other than AWS4-HMAC-SHA256
	failCredentialParts                 // credential without exactly five parts
	failHostNotSigned                   // host missing from SignedHeaders
	failScope                           // credential scope: region, service, terminator, date
	failUnknownAccessKey                // Credentials.Lookup returned ErrUnknownAccessKey
	failSignature                       // computed signature differs
	failContentSHA256                   // X-Amz-Content-Sha256 differs from the body's hash
	failExpired                         // request time more than MaxSkew in the past
	failNotYetCurrent                   // request time more than MaxSkew in the future
	failPresignExpired                  // presigned URL past X-Amz-Date + X-Amz-Expires
	failTargetNotSigned                 // X-Amz-Target sent but not signed
	failExpiredToken                    // the session token has expired
)

// errorTable is the one place that maps a failure to what AWS sends. format is
// a fmt format for the message; its arguments are documented per row.
//
// Statuses: every row is 400. AWS JSON 1.0/1.1 services answer SigV4 failures
// with 400 (sources per row), unlike S3 and the REST-JSON services, which send
// 403 (e.g. aws/aws-sdk-go#1850, MediaStore), and unlike the Common Errors
// pages, which list 403 for InvalidClientTokenId and MissingAuthenticationToken.
//
// Sources. Every text is copied from a capture of what AWS sent, except the
// rows marked [S3] and [model]:
//
//   - [K] kinesalite, test/connection.js (github.com/mhart/kinesalite), written
//     against Kinesis, an AWS JSON 1.1 service like Secrets Manager and KMS: bare
//     `__type`, status 400, "Missing Authentication Token", the
//     IncompleteSignatureException texts for a missing header part or query
//     parameter, and "Found both 'X-Amz-Algorithm' ...". It also fixes when each
//     form applies: any Authorization header selects the header form (even
//     "Authorization: X"), and the key X-Amz-Algorithm selects the query form.
//   - [D] dynalite, index.js (github.com/architect/dynalite, formerly
//     mhart/dynalite): the order of the checks and the texts of the later ones,
//     recorded against DynamoDB (AWS JSON 1.0), with status 400.
//   - [SM-missing] aws/aws-sdk-cpp#2407 and #2466: Secrets Manager answered
//     "HTTP response code: 400 ... MissingAuthenticationTokenException ...
//     Missing Authentication Token", content-length 89, which is exactly
//     {"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}.
//     (DynamoDB words it "Request is missing Authentication Token" [D].)
//   - [SM-token] aws/aws-sdk-php-laravel#228 and spring-attic/spring-cloud-aws#492:
//     Secrets Manager GetSecretValue, "400 Bad Request",
//     {"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}.
//   - [SM-sig] aws/aws-sdk-net#3978: Secrets Manager InvalidSignatureException
//     "The request signature we calculated does not match ..."; status 400 for
//     the same message from an AWS JSON service in teralytics/prometheus-ecs-discovery#7 (ECS).
//     AWS appends the canonical request and string-to-sign; Verify leaves them
//     out, because a signed X-Amz-Security-Token would be echoed in them.
//   - [SM-skew] boto/botocore#3587: Secrets Manager "InvalidSignatureException ...
//     Signature expired: 20251105T220858Z is now earlier than 20251106T132108Z
//     (20251106T132608Z - 5 min.)"; status 400 in remind101/logspout-kinesis#21
//     and aws/aws-sdk-js#254. Future variant "Signature not yet current:
//     20181017T093750Z is still later than 20181017T093639Z (20181017T093139Z
//   - 5 min.)", status 400, in aws/aws-sdk-go#2194 and s12v/awsbeats#48.
//   - [scope] "Credential should be scoped to correct service: 'sagemaker'. "
//     (with the trailing space), HTTP 400, application/x-amz-json-1.1, in
//     disneystreaming/smithy4s#1568 and JuliaCloud/AWS.jl#334; EMR the same in
//     aws/aws-sdk-ruby#431. The other scope parts and their concatenation: [D].
//   - [kv] iann0036/cloud9-sync#10 (statusCode 400, JSON) and aws/aws-sdk-go#289:
//     "'<element>' not a valid key=value pair (missing equal-sign) in
//     Authorization header: '<header>'."; elements split on commas and spaces.
//   - [S3] X-Amz-Expires limits are S3's (AuthorizationQueryParametersError
//     "X-Amz-Expires must be less than a week (in seconds) that is 604800");
//     no capture from a JSON service was found, so the row borrows the text.
//   - [model] no capture found of a JSON service rejecting an expired presigned
//     URL (STS is reported to ignore X-Amz-Expires, aws/aws-sdk-go#2167). The
//     row reuses the clock-skew wording, with the allowed age in seconds.
var errorTable = [...]struct {
	err    error
	code   string
	status int
	format string
}{
	// [SM-missing], [K]. No arguments.
	failMissingAuth: {ErrMissingAuthentication, codeMissingAuthenticationToken, http.StatusBadRequest,
		"Missing Authentication Token"},
	// [K], [D]. Args: the missing-part sentences
	// (each ends in ". "), the Authorization header as received.
	failAuthParams: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"%sAuthorization=%s"},
	// [kv]. Args: the element, the Authorization header.
	failAuthKeyValue: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'."},
	// [K]. Args: the missing-parameter sentences.
	failQueryParams: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"%sRe-examine the query-string parameters."},
	// [K]. No arguments.
	failBothForms: {ErrMalformedSignature, codeInvalidSignature, http.StatusBadRequest,
		"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
	// [D] index.js. Args: the date as received.
	failDateFormat: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601"},
	// [S3]. Args: the reason sentence.
	failExpiresFormat: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"%s"},
	// [D] index.js, trailing space included. Args: the algorithm.
	failAlgorithm: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). "},
	// [D] index.js. Args: the credential.
	failCredentialParts: {ErrMalformedSignature, codeIncompleteSignature, http.StatusBadRequest,
		"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'"},
	// [D] index.js. No arguments.
	failHostNotSigned: {ErrMalformedSignature, codeInvalidSignature, http.StatusBadRequest,
		"'Host' must be a 'SignedHeader' in the AWS Authorization."},
	// [scope], [D]. Args: the concatenated scope sentences (each ends in ". ").
	failScope: {ErrCredentialScope, codeInvalidSignature, http.StatusBadRequest,
		"%s"},
	// [SM-token]. No arguments.
	failUnknownAccessKey: {ErrUnknownAccessKey, codeUnrecognizedClient, http.StatusBadRequest,
		"The security token included in the request is invalid."},
	// [SM-sig]. No arguments.
	failSignature: {ErrSignatureMismatch, codeInvalidSignature, http.StatusBadRequest,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	// [SM-sig]: AWS signs over the body it received, so a wrong hash surfaces
	// as a signature mismatch. No arguments.
	failContentSHA256: {ErrContentSHA256Mismatch, codeInvalidSignature, http.StatusBadRequest,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	// [SM-skew]. Args: request time, now-skew, now, skew ("5 min.").
	failExpired: {ErrSignatureExpired, codeInvalidSignature, http.StatusBadRequest,
		"Signature expired: %s is now earlier than %s (%s - %s)"},
	// [SM-skew]. Args: request time, now+skew, now, skew ("5 min.").
	failNotYetCurrent: {ErrSignatureNotYetCurrent, codeInvalidSignature, http.StatusBadRequest,
		"Signature not yet current: %s is still later than %s (%s + %s)"},
	// [model]. Args: X-Amz-Date, now-expires, now, expires in seconds.
	failPresignExpired: {ErrSignatureExpired, codeInvalidSignature, http.StatusBadRequest,
		"Signature expired: %s is now earlier than %s (%s - %d sec.)"},
	// [model], worded as [D]'s row for Host: the operation a JSON request
	// runs is its X-Amz-Target, so a signature that does not cover it would
	// let one signed request run any operation. The SDKs sign it. No arguments.
	failTargetNotSigned: {ErrMalformedSignature, codeInvalidSignature, http.StatusBadRequest,
		"'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
	// [expired]: AWS JSON services answer expired temporary credentials
	// with ExpiredTokenException "The security token included in the
	// request is expired" (DynamoDB, 400 Bad Request: aws/aws-sdk-php#1307,
	// aws-samples/sample-sonic-cdk-agent#16; the code name in
	// aws/aws-sdk-go#253). IAM and STS send ExpiredToken, 403
	// (cfn-sphere/cfn-sphere#55); the api package translates. No arguments.
	failExpiredToken: {ErrExpiredToken, codeExpiredToken, http.StatusBadRequest,
		"The security token included in the request is expired"},
}

// newError returns the *Error for failure f, formatting its message with args.
func newError(f failure, args ...any) *Error {
	row := errorTable[f]
	msg := row.format
	if len(args) > 0 {
		msg = fmt.Sprintf(row.format, args...)
	}
	return &Error{Code: row.code, Message: msg, Status: row.status, err: row.err}
}
