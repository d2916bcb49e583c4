// Package auth verifies AWS Signature Version 4 (SigV4) requests on the
// server side, so that the AWS CLI and every AWS SDK can authenticate to Coffer
// with an access key id and a secret access key.
//
// The package has no global mutable state. A [Verifier] holds the injected
// [Credentials] store, the clock and a bounded cache of derived signing keys.
// The SigV4 steps themselves are small pure functions, split the way minio's
// cmd/signature-v4.go splits them: canonicalRequest, stringToSign, signingKey
// and signature.
//
// # Forms
//
// Two forms are accepted:
//
//   - the Authorization header: "AWS4-HMAC-SHA256 Credential=AKID/20060102/region/service/aws4_request,
//     SignedHeaders=host;x-amz-date, Signature=<64 hex>", with the time in X-Amz-Date (or Date)
//     and, optionally, X-Amz-Content-Sha256 (a hex SHA-256 of the body, or UNSIGNED-PAYLOAD);
//   - presigned query parameters: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
//     X-Amz-SignedHeaders, X-Amz-Signature, and optionally X-Amz-Expires and
//     X-Amz-Security-Token.
//
// # Order of checks
//
// The checks run in the order AWS's JSON-protocol services run them, so that a
// request with several faults gets the same error from Coffer as from AWS
// (dynalite, which was written against DynamoDB, records the order):
//
//  1. some authentication is present (else MissingAuthenticationTokenException);
//  2. every part of the Authorization header or the query is present (IncompleteSignatureException);
//  3. the date parses, and lies within MaxSkew of now, or before X-Amz-Expires for a presigned URL;
//  4. the host header is signed;
//  5. the algorithm is AWS4-HMAC-SHA256;
//  6. the credential has five parts, and its scope names the right service, a
//     region, the aws4_request terminator and the request's date;
//  7. the access key id is known (UnrecognizedClientException);
//  8. X-Amz-Content-Sha256, when given, matches the body;
//  9. the signature matches, compared in constant time.
//
// Every failure is an *[Error] carrying the AWS error code, message and HTTP
// status; errors.Is matches it against the sentinels in errors.go.
//
// # Signing-key cache
//
// Deriving a signing key costs four HMAC-SHA256 operations. The Verifier
// caches derived keys per (access key id, date, region, service). A cache
// entry also records a SHA-256 fingerprint of the secret it was derived from,
// and every Verify looks the secret up again and compares fingerprints, so a
// rotated or deactivated secret stops working on the next request. The cache
// never holds the secret itself, is never keyed by it, and is never logged.
//
// # Temporary credentials
//
// A request that carries X-Amz-Security-Token (header or presigned query)
// is looked up with [SessionCredentials.LookupSession], which checks the
// token and returns the temporary secret key it holds; a token the
// Credentials cannot check, or one that does not belong to the access key
// id, is UnrecognizedClientException, and an expired one
// ExpiredTokenException. The token is also passed through in
// [Result.SecurityToken].
package auth
