package auth_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/coffer-dev/coffer/internal/auth"
)

const (
	testAKID    = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testAccount = "123456789012"
	testService = "secretsmanager"
	testRegion  = "us-east-1"
	testBody    = `{"SecretId":"prod/db/password","VersionStage":"AWSCURRENT"}`
)

// signedAt is when the test requests are signed; the verifier's clock reads
// the same unless a case moves it.
var signedAt = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// mockCredentials is an in-memory Credentials store.
type mockCredentials struct {
	mu      sync.Mutex
	secrets map[string]string // access key id -> secret
	err     error             // returned instead, when set
}

func newMockCredentials() *mockCredentials {
	return &mockCredentials{secrets: map[string]string{testAKID: testSecret}}
}

func (m *mockCredentials) Lookup(_ context.Context, akid string) (auth.Identity, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return auth.Identity{}, nil, m.err
	}
	s, ok := m.secrets[akid]
	if !ok {
		return auth.Identity{}, nil, fmt.Errorf("access key %q: %w", akid, auth.ErrUnknownAccessKey)
	}
	return testIdentity(akid), []byte(s), nil
}

// sessionTokens are the session tokens mockCredentials knows, for testAKID;
// expiredToken is one that has expired.
var sessionTokens = map[string]bool{"FwoGZXIvYXdzEXAMPLETOKEN": true, "IQoJb3JpZ2luX2VjEXAMPLE": true}

const expiredToken = "IQoJEXPIREDEXAMPLE"

// LookupSession makes mockCredentials a SessionCredentials.
func (m *mockCredentials) LookupSession(ctx context.Context, akid, token string) (auth.Identity, []byte, error) {
	switch {
	case token == expiredToken:
		return auth.Identity{}, nil, fmt.Errorf("token: %w", auth.ErrExpiredToken)
	case !sessionTokens[token]:
		return auth.Identity{}, nil, fmt.Errorf("token: %w", auth.ErrUnknownAccessKey)
	}
	return m.Lookup(ctx, akid)
}

func (m *mockCredentials) set(akid, secret string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets[akid] = secret
}

func testIdentity(akid string) auth.Identity {
	return auth.Identity{AccessKeyID: akid, Account: testAccount, Principal: "arn:aws:iam::" + testAccount + ":user/alice"}
}

// signOpts describes how the SDK signs a test request.
type signOpts struct {
	akid, secret, token string
	region, service     string
	at                  time.Time
	url                 string      // default https://secretsmanager.us-east-1.amazonaws.com/
	header              http.Header // extra headers, signed
	payloadHash         string      // default: SHA-256 of the body
	presignExpires      int         // presign with this X-Amz-Expires (0 = not presigned, -1 = presigned without it)
}

func (o signOpts) withDefaults() signOpts {
	if o.akid == "" {
		o.akid = testAKID
	}
	if o.secret == "" {
		o.secret = testSecret
	}
	if o.region == "" {
		o.region = testRegion
	}
	if o.service == "" {
		o.service = testService
	}
	if o.at.IsZero() {
		o.at = signedAt
	}
	if o.url == "" {
		o.url = "https://secretsmanager.us-east-1.amazonaws.com/"
	}
	return o
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// MustSignRequest builds a Secrets Manager GetSecretValue request, signs it
// with aws-sdk-go-v2's SigV4 signer, sends it through the wire format, and
// returns the request as a Go HTTP server would see it, and its body.
func MustSignRequest(tb testing.TB, o signOpts) (*http.Request, []byte) {
	tb.Helper()
	o = o.withDefaults()
	body := []byte(testBody)
	req, err := http.NewRequest(http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	for k, vs := range o.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	hash := o.payloadHash
	if hash == "" {
		hash = sha256Hex(body)
	}
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret, SessionToken: o.token}
	signer := v4.NewSigner()
	if o.presignExpires == 0 {
		if err := signer.SignHTTP(context.Background(), creds, req, hash, o.service, o.region, o.at); err != nil {
			tb.Fatal(err)
		}
		return MustServerRequest(tb, req), body
	}
	if o.presignExpires > 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", fmt.Sprint(o.presignExpires))
		req.URL.RawQuery = q.Encode()
	}
	signedURL, signedHeaders, err := signer.PresignHTTP(context.Background(), creds, req, hash, o.service, o.region, o.at)
	if err != nil {
		tb.Fatal(err)
	}
	pre, err := http.NewRequest(http.MethodPost, signedURL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range signedHeaders {
		if strings.EqualFold(k, "Host") {
			continue
		}
		pre.Header[k] = vs
	}
	return MustServerRequest(tb, pre), body
}

// MustServerRequest writes a client request in HTTP/1.1 wire format and reads
// it back the way net/http's server does.
func MustServerRequest(tb testing.TB, req *http.Request) *http.Request {
	tb.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func newVerifier(creds auth.Credentials, now time.Time) *auth.Verifier {
	return &auth.Verifier{Creds: creds, Now: func() time.Time { return now }}
}

// setAuthz rewrites the Authorization header with a string replacement.
func setAuthz(old, new string) func(*http.Request, *[]byte) {
	return func(r *http.Request, _ *[]byte) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

// dropAuthzPart removes one "Name=value" element from the Authorization header.
func dropAuthzPart(name string) func(*http.Request, *[]byte) {
	return func(r *http.Request, _ *[]byte) {
		alg, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		var keep []string
		for _, p := range strings.Split(rest, ", ") {
			if !strings.HasPrefix(p, name+"=") {
				keep = append(keep, p)
			}
		}
		r.Header.Set("Authorization", alg+" "+strings.Join(keep, ", "))
	}
}

const msgMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func TestVerifier_Verify(t *testing.T) {
	t.Parallel()

	type testCase struct {
		name   string
		sign   signOpts
		mutate func(r *http.Request, body *[]byte)
		now    time.Time // default signedAt
		// wantMsg may use {authz} for the Authorization header as received.
		wantCode, wantMsg string
		wantStatus        int // default 400 when wantCode is set
		wantIs            error
		check             func(t *testing.T, res *auth.Result)
	}
	tests := []testCase{
		{
			name: "OK",
			check: func(t *testing.T, res *auth.Result) {
				if res.Identity != testIdentity(testAKID) || res.Region != testRegion || res.Service != testService ||
					!res.Time.Equal(signedAt) || res.SecurityToken != "" || res.Presigned {
					t.Errorf("Result = %+v", *res)
				}
			},
		},
		{
			name: "OKOtherRegion",
			sign: signOpts{region: "eu-west-1"},
			check: func(t *testing.T, res *auth.Result) {
				if res.Region != "eu-west-1" {
					t.Errorf("Region = %q, want eu-west-1", res.Region)
				}
			},
		},
		{name: "OKSkewPlus4m", now: signedAt.Add(-4 * time.Minute)},
		{name: "OKSkewMinus4m", now: signedAt.Add(4 * time.Minute)},
		{
			name: "OKContentSHA256Header",
			sign: signOpts{header: http.Header{"X-Amz-Content-Sha256": {sha256Hex([]byte(testBody))}}},
		},
		{
			// UNSIGNED-PAYLOAD is S3's: the JSON services sign over the body
			// received, so a request that did not sign its body fails.
			name:     "ErrUnsignedPayload",
			sign:     signOpts{header: http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, payloadHash: "UNSIGNED-PAYLOAD"},
			mutate:   func(_ *http.Request, body *[]byte) { *body = []byte(`{"SecretId":"other"}`) },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch, wantIs: auth.ErrSignatureMismatch,
		},
		{
			// A signature that does not cover X-Amz-Target would let one
			// signed request run any operation.
			name: "ErrTargetNotSigned",
			mutate: func(r *http.Request, _ *[]byte) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-amz-target", "", 1))
			},
			wantCode: "InvalidSignatureException", wantMsg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
			wantIs: auth.ErrMalformedSignature,
		},
		{
			// The region goes into ARNs: it must look like a region.
			name:     "ErrRegionNotARegion",
			sign:     signOpts{region: "us-east-1:999999999999"},
			wantCode: "InvalidSignatureException", wantMsg: "Credential should be scoped to a valid region, not 'us-east-1:999999999999'. ",
			wantIs: auth.ErrCredentialScope,
		},
		{
			name: "OKSecurityTokenPassedThrough",
			sign: signOpts{token: "FwoGZXIvYXdzEXAMPLETOKEN"},
			check: func(t *testing.T, res *auth.Result) {
				if res.SecurityToken != "FwoGZXIvYXdzEXAMPLETOKEN" {
					t.Errorf("SecurityToken = %q", res.SecurityToken)
				}
			},
		},
		{
			name:     "ErrUnknownSecurityToken",
			sign:     signOpts{token: "FwoGZXIvYXdzFORGED"},
			wantCode: "UnrecognizedClientException", wantMsg: "The security token included in the request is invalid.",
		},
		{
			name:     "ErrExpiredSecurityToken",
			sign:     signOpts{token: expiredToken},
			wantCode: "ExpiredTokenException", wantMsg: "The security token included in the request is expired",
		},
		{
			name:   "OKUnsignedHeaderChanged",
			mutate: func(r *http.Request, _ *[]byte) { r.Header.Set("User-Agent", "something-else/1.0") },
		},
		{
			name: "OKHeaderSpacesCollapsed",
			sign: signOpts{header: http.Header{"X-Amz-Meta-Note": {"  a   b    c  "}}},
		},
		{
			name: "OKHeaderMultipleValues",
			sign: signOpts{header: http.Header{"X-Amz-Meta-Multi": {"one", "two  three", "four"}}},
		},
		{
			name: "OKQueryEncodedAndSorted",
			sign: signOpts{url: "https://secretsmanager.us-east-1.amazonaws.com/?b=2&a=1&a=0&c=x%20y&d=a%2Fb&e&f=%E2%9C%93&g=a-b&g=a%2Fb&h=%2A~"},
		},
		{
			name: "OKPathEncoded",
			sign: signOpts{url: "https://secretsmanager.us-east-1.amazonaws.com/a%20b/c~d/%C3%A4/e%2Ff/$x"},
		},
		{
			name: "OKHostWithPort",
			sign: signOpts{url: "http://127.0.0.1:8200/"},
		},
		{
			name:     "ErrMissingAuthentication",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Del("Authorization") },
			wantCode: "MissingAuthenticationTokenException", wantMsg: "Missing Authentication Token",
			wantIs: auth.ErrMissingAuthentication,
		},
		{
			name:     "ErrMissingCredential",
			mutate:   dropAuthzPart("Credential"),
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'Credential' parameter. Authorization={authz}",
			wantIs: auth.ErrMalformedSignature,
		},
		{
			name:     "ErrMissingSignedHeaders",
			mutate:   dropAuthzPart("SignedHeaders"),
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'SignedHeaders' parameter. Authorization={authz}",
		},
		{
			name:     "ErrMissingSignature",
			mutate:   dropAuthzPart("Signature"),
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'Signature' parameter. Authorization={authz}",
		},
		{
			name: "ErrEmptySignature",
			mutate: func(r *http.Request, b *[]byte) {
				dropAuthzPart("Signature")(r, b)
				setAuthz("aws4_request,", "aws4_request, Signature=,")(r, b)
			},
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'Signature' parameter. Authorization={authz}",
		},
		{
			name: "ErrOnlyAlgorithm",
			mutate: func(r *http.Request, _ *[]byte) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
				r.Header.Del("X-Amz-Date")
			},
			wantCode: "IncompleteSignatureException",
			wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
		},
		{
			name:     "ErrNotSigV4",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Set("Authorization", "X") },
			wantCode: "IncompleteSignatureException",
			wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization=X",
		},
		{
			name:     "ErrMissingDate",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Del("X-Amz-Date") },
			wantCode: "IncompleteSignatureException",
			wantMsg:  "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authz}",
		},
		{
			name:     "ErrNotKeyValue",
			mutate:   setAuthz("Credential=", "Credential= "),
			wantCode: "IncompleteSignatureException",
			wantMsg:  "'" + testAKID + "/20260314/us-east-1/secretsmanager/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{authz}'.",
		},
		{
			name:     "ErrDateFormat",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "2026-03-14T12:00:00Z") },
			wantCode: "IncompleteSignatureException",
			wantMsg:  "Date must be in ISO-8601 'basic format'. Got '2026-03-14T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
			wantIs:   auth.ErrMalformedSignature,
		},
		{
			name:     "ErrAlgorithm",
			mutate:   setAuthz("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
			wantCode: "IncompleteSignatureException",
			wantMsg:  "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name:     "ErrCredentialParts",
			mutate:   setAuthz("/secretsmanager/aws4_request", "/aws4_request"),
			wantCode: "IncompleteSignatureException",
			wantMsg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + testAKID + "/20260314/us-east-1/aws4_request'",
		},
		{
			name:     "ErrHostNotSigned",
			mutate:   setAuthz(";host;", ";"),
			wantCode: "InvalidSignatureException", wantMsg: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
			wantIs: auth.ErrMalformedSignature,
		},
		{
			name: "ErrBothForms",
			mutate: func(r *http.Request, _ *[]byte) {
				r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name:     "ErrWrongService",
			sign:     signOpts{service: "s3"},
			wantCode: "InvalidSignatureException", wantMsg: "Credential should be scoped to correct service: 'secretsmanager'. ",
			wantIs: auth.ErrCredentialScope,
		},
		{
			name:     "ErrTerminator",
			mutate:   setAuthz("/aws4_request", "/aws4_reques"),
			wantCode: "InvalidSignatureException", wantMsg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. ",
			wantIs: auth.ErrCredentialScope,
		},
		{
			name:     "ErrEmptyRegionAndService",
			mutate:   setAuthz("/us-east-1/secretsmanager/", "//kms/"),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Credential should be scoped to a valid region, not ''. Credential should be scoped to correct service: 'secretsmanager'. ",
		},
		{
			// Signed just before midnight, with X-Amz-Date moved past it: the
			// scope's day no longer matches the request's.
			name:     "ErrScopeDate",
			sign:     signOpts{at: time.Date(2026, 3, 14, 23, 58, 0, 0, time.UTC)},
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "20260315T000100Z") },
			now:      time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260314' != '20260315', from '20260315T000100Z'. ",
			wantIs:   auth.ErrCredentialScope,
		},
		{
			name:     "ErrUnknownAccessKey",
			sign:     signOpts{akid: "AKIANOTINTHESTORE00"},
			wantCode: "UnrecognizedClientException", wantMsg: "The security token included in the request is invalid.",
			wantIs: auth.ErrUnknownAccessKey,
		},
		{
			name:     "ErrWrongSecret",
			sign:     signOpts{secret: "not-the-secret"},
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch, wantIs: auth.ErrSignatureMismatch,
		},
		{
			name: "ErrSignatureFlipped",
			mutate: func(r *http.Request, _ *[]byte) {
				h := r.Header.Get("Authorization")
				last := h[len(h)-1]
				flip := byte('0')
				if last == '0' {
					flip = '1'
				}
				r.Header.Set("Authorization", h[:len(h)-1]+string(flip))
			},
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch, wantIs: auth.ErrSignatureMismatch,
		},
		{
			name: "ErrBodyChanged",
			mutate: func(_ *http.Request, body *[]byte) {
				*body = []byte(`{"SecretId":"prod/db/other","VersionStage":"AWSCURRENT"}`)
			},
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch, wantIs: auth.ErrSignatureMismatch,
		},
		{
			name:     "ErrBodyChangedContentSHA256",
			sign:     signOpts{header: http.Header{"X-Amz-Content-Sha256": {sha256Hex([]byte(testBody))}}},
			mutate:   func(_ *http.Request, body *[]byte) { *body = []byte(`{}`) },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch, wantIs: auth.ErrContentSHA256Mismatch,
		},
		{
			name:     "ErrSignedHeaderChanged",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Target", "secretsmanager.DeleteSecret") },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrSignedHeaderRemoved",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Del("X-Amz-Target") },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrHostChanged",
			mutate:   func(r *http.Request, _ *[]byte) { r.Host = "kms.us-east-1.amazonaws.com" },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrQueryAdded",
			mutate:   func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "x=1" },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrPathChanged",
			mutate:   func(r *http.Request, _ *[]byte) { r.URL.Path = "/x" },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrMethodChanged",
			mutate:   func(r *http.Request, _ *[]byte) { r.Method = http.MethodPut },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrDateChangedSameDay",
			mutate:   func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "20260314T120001Z") },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "ErrSkewPlus6m",
			now:      signedAt.Add(-6 * time.Minute),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature not yet current: 20260314T120000Z is still later than 20260314T115900Z (20260314T115400Z + 5 min.)",
			wantIs:   auth.ErrSignatureNotYetCurrent,
		},
		{
			name:     "ErrSkewMinus6m",
			now:      signedAt.Add(6 * time.Minute),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired: 20260314T120000Z is now earlier than 20260314T120100Z (20260314T120600Z - 5 min.)",
			wantIs:   auth.ErrSignatureExpired,
		},

		// Presigned query form.
		{
			name: "PresignOK",
			sign: signOpts{presignExpires: 300},
			now:  signedAt.Add(time.Minute),
			check: func(t *testing.T, res *auth.Result) {
				if !res.Presigned || res.Identity.AccessKeyID != testAKID || res.Region != testRegion {
					t.Errorf("Result = %+v", *res)
				}
			},
		},
		{
			name: "PresignOKLongExpiry",
			sign: signOpts{presignExpires: 3600},
			now:  signedAt.Add(59 * time.Minute),
		},
		{
			name: "PresignOKWithoutExpires",
			sign: signOpts{presignExpires: -1},
			now:  signedAt.Add(4 * time.Minute),
		},
		{
			name: "PresignOKSecurityToken",
			sign: signOpts{presignExpires: 60, token: "IQoJb3JpZ2luX2VjEXAMPLE"},
			check: func(t *testing.T, res *auth.Result) {
				if res.SecurityToken != "IQoJb3JpZ2luX2VjEXAMPLE" {
					t.Errorf("SecurityToken = %q", res.SecurityToken)
				}
			},
		},
		{
			name:     "PresignErrExpired",
			sign:     signOpts{presignExpires: 300},
			now:      signedAt.Add(6 * time.Minute),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired: 20260314T120000Z is now earlier than 20260314T120100Z (20260314T120600Z - 300 sec.)",
			wantIs:   auth.ErrSignatureExpired,
		},
		{
			name:     "PresignErrWithoutExpiresSkew",
			sign:     signOpts{presignExpires: -1},
			now:      signedAt.Add(6 * time.Minute),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired: 20260314T120000Z is now earlier than 20260314T120100Z (20260314T120600Z - 5 min.)",
		},
		{
			name:     "PresignErrNotYetCurrent",
			sign:     signOpts{presignExpires: 300},
			now:      signedAt.Add(-6 * time.Minute),
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature not yet current: 20260314T120000Z is still later than 20260314T115900Z (20260314T115400Z + 5 min.)",
		},
		{
			name:     "PresignErrSignatureTampered",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-Signature", strings.Repeat("0", 64)) },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "PresignErrExpiresTampered",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-Expires", "3600") },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "PresignErrBodyChanged",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(_ *http.Request, body *[]byte) { *body = []byte(`{}`) },
			wantCode: "InvalidSignatureException", wantMsg: msgMismatch,
		},
		{
			name:     "PresignErrMissingSignedHeaders",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-SignedHeaders", "") },
			wantCode: "IncompleteSignatureException",
			wantMsg:  "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
		},
		{
			name: "PresignErrOnlyAlgorithmKey",
			mutate: func(r *http.Request, _ *[]byte) {
				r.Header.Del("Authorization")
				r.URL.RawQuery = "X-Amz-Algorithm"
			},
			wantCode: "IncompleteSignatureException",
			wantMsg: "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
		},
		{
			name:     "PresignErrNoAlgorithmKey",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-Algorithm", "\x00delete") },
			wantCode: "MissingAuthenticationTokenException", wantMsg: "Missing Authentication Token",
		},
		{
			name:     "PresignErrExpiresNotANumber",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-Expires", "soon") },
			wantCode: "IncompleteSignatureException", wantMsg: "X-Amz-Expires should be a number",
		},
		{
			name:     "PresignErrExpiresTooLong",
			sign:     signOpts{presignExpires: 300},
			mutate:   func(r *http.Request, _ *[]byte) { replaceQuery(r, "X-Amz-Expires", "604801") },
			wantCode: "IncompleteSignatureException", wantMsg: "X-Amz-Expires must be less than a week (in seconds) that is 604800",
		},
		{
			name:     "PresignErrWrongService",
			sign:     signOpts{presignExpires: 300, service: "kms"},
			wantCode: "InvalidSignatureException", wantMsg: "Credential should be scoped to correct service: 'secretsmanager'. ",
		},
		{
			name:     "PresignErrUnknownAccessKey",
			sign:     signOpts{presignExpires: 300, akid: "AKIANOTINTHESTORE00"},
			wantCode: "UnrecognizedClientException", wantMsg: "The security token included in the request is invalid.",
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, body := MustSignRequest(t, tc.sign)
			if tc.mutate != nil {
				tc.mutate(r, &body)
			}
			now := tc.now
			if now.IsZero() {
				now = signedAt
			}
			v := newVerifier(newMockCredentials(), now)
			res, err := v.Verify(r, body, testService)

			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tc.check != nil {
					tc.check(t, res)
				}
				return
			}
			if res != nil {
				t.Errorf("Verify returned a result with an error: %+v", res)
			}
			var ae *auth.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Verify error = %v (%T), want *auth.Error", err, err)
			}
			if ae.Code != tc.wantCode {
				t.Errorf("Code = %q, want %q (message %q)", ae.Code, tc.wantCode, ae.Message)
			}
			wantMsg := strings.ReplaceAll(tc.wantMsg, "{authz}", r.Header.Get("Authorization"))
			if ae.Message != wantMsg {
				t.Errorf("Message =\n\t%q\nwant\n\t%q", ae.Message, wantMsg)
			}
			wantStatus := tc.wantStatus
			if wantStatus == 0 {
				wantStatus = http.StatusBadRequest
			}
			if ae.Status != wantStatus {
				t.Errorf("Status = %d, want %d", ae.Status, wantStatus)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("errors.Is(err, %v) = false", tc.wantIs)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error mentions the secret key: %v", err)
			}
		})
	}
}

// replaceQuery sets (or, for "\x00delete", removes) one raw query parameter,
// keeping the others as they are.
func replaceQuery(r *http.Request, key, value string) {
	var out []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if k != key {
			out = append(out, p)
		}
	}
	if value != "\x00delete" {
		out = append(out, key+"="+value)
	}
	r.URL.RawQuery = strings.Join(out, "&")
}

func TestVerifier_Verify_DateHeaderWhenNoAmzDate(t *testing.T) {
	t.Parallel()
	// A Date header alone satisfies the presence check; it must then parse.
	r, body := MustSignRequest(t, signOpts{})
	r.Header.Del("X-Amz-Date")
	r.Header.Set("Date", "a")
	_, err := newVerifier(newMockCredentials(), signedAt).Verify(r, body, testService)
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Code != "IncompleteSignatureException" ||
		ae.Message != "Date must be in ISO-8601 'basic format'. Got 'a'. See http://en.wikipedia.org/wiki/ISO_8601" {
		t.Fatalf("Verify error = %v", err)
	}
}

func TestVerifier_Verify_LookupFailure(t *testing.T) {
	t.Parallel()
	creds := newMockCredentials()
	creds.err = errors.New("database is locked")
	r, body := MustSignRequest(t, signOpts{})
	_, err := newVerifier(creds, signedAt).Verify(r, body, testService)
	var ae *auth.Error
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("Verify error = %v, want a plain (internal) error", err)
	}
	if !errors.Is(err, creds.err) {
		t.Errorf("Verify error %v does not wrap the store's error", err)
	}
}

// TestVerifier_Cache_SecretRotation checks that a cached signing key stops
// working as soon as the store returns another secret for the same key id.
func TestVerifier_Cache_SecretRotation(t *testing.T) {
	t.Parallel()
	creds := newMockCredentials()
	v := newVerifier(creds, signedAt)

	oldReq, oldBody := MustSignRequest(t, signOpts{})
	if _, err := v.Verify(oldReq, oldBody, testService); err != nil {
		t.Fatalf("old secret, first request: %v", err)
	}
	// Same scope again: served from the cache.
	if _, err := v.Verify(oldReq, oldBody, testService); err != nil {
		t.Fatalf("old secret, cached: %v", err)
	}

	creds.set(testAKID, "rotated-secret-value")
	if _, err := v.Verify(oldReq, oldBody, testService); !errors.Is(err, auth.ErrSignatureMismatch) {
		t.Fatalf("old secret after rotation: err = %v, want signature mismatch", err)
	}
	newReq, newBody := MustSignRequest(t, signOpts{secret: "rotated-secret-value"})
	for i := range 2 {
		if _, err := v.Verify(newReq, newBody, testService); err != nil {
			t.Fatalf("new secret, attempt %d: %v", i, err)
		}
	}

	// And back: the entry for the new secret must not shadow the old one.
	creds.set(testAKID, testSecret)
	if _, err := v.Verify(newReq, newBody, testService); !errors.Is(err, auth.ErrSignatureMismatch) {
		t.Fatalf("new secret after rollback: err = %v, want signature mismatch", err)
	}
	if _, err := v.Verify(oldReq, oldBody, testService); err != nil {
		t.Fatalf("old secret after rollback: %v", err)
	}
}

// TestVerifier_Cache_Scopes interleaves requests for several days, regions,
// services and access keys through one Verifier. A cache keyed on less than
// the full scope would hand one scope's key to another and fail a valid
// request; a cache that ignored the access key would accept a forged one.
func TestVerifier_Cache_Scopes(t *testing.T) {
	t.Parallel()
	day1 := signedAt
	day2 := signedAt.Add(24 * time.Hour)
	creds := newMockCredentials()
	creds.set("AKIASECONDKEY0000000", "second-secret")

	type scope struct {
		akid, secret, region, service string
		at                            time.Time
	}
	scopes := []scope{
		{testAKID, testSecret, "us-east-1", "secretsmanager", day1},
		{testAKID, testSecret, "eu-west-1", "secretsmanager", day1},
		{testAKID, testSecret, "us-east-1", "kms", day1},
		{testAKID, testSecret, "us-east-1", "secretsmanager", day2},
		{testAKID, testSecret, "eu-west-1", "kms", day2},
		{"AKIASECONDKEY0000000", "second-secret", "us-east-1", "secretsmanager", day1},
	}

	var clock time.Time
	var mu sync.Mutex
	v := &auth.Verifier{Creds: creds, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }}
	setClock := func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }

	for round := range 3 {
		for _, s := range scopes {
			setClock(s.at)
			r, body := MustSignRequest(t, signOpts{akid: s.akid, secret: s.secret, region: s.region, service: s.service, at: s.at})
			res, err := v.Verify(r, body, s.service)
			if err != nil {
				t.Fatalf("round %d, scope %+v: %v", round, s, err)
			}
			if res.Region != s.region || res.Service != s.service || res.Identity.AccessKeyID != s.akid {
				t.Errorf("round %d: Result = %+v, want scope %+v", round, *res, s)
			}
		}
	}

	// A request signed with the second key's secret but naming the first key
	// must fail, though both keys have cached entries for this scope.
	setClock(day1)
	r, body := MustSignRequest(t, signOpts{akid: testAKID, secret: "second-secret"})
	if _, err := v.Verify(r, body, testService); !errors.Is(err, auth.ErrSignatureMismatch) {
		t.Errorf("cross-key forgery: err = %v, want signature mismatch", err)
	}
}

// TestVerifier_Cache_Bounded runs more scopes than the cache holds, twice
// over, concurrently; evictions must never break verification.
func TestVerifier_Cache_Bounded(t *testing.T) {
	t.Parallel()
	v := &auth.Verifier{Creds: newMockCredentials(), Now: func() time.Time { return signedAt }, CacheSize: 2}
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	type signed struct {
		r    *http.Request
		body []byte
	}
	var reqs []signed
	for _, region := range regions {
		r, body := MustSignRequest(t, signOpts{region: region})
		reqs = append(reqs, signed{r, body})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(reqs))
	for range 4 {
		for _, s := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Verify only reads the request, so sharing it is safe.
				if _, err := v.Verify(s.r, s.body, testService); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestVerifier_SDKClient points a real Secrets Manager client at a server that
// verifies with auth.Verifier, so the SDK's own request building (headers,
// user agent, retry and clock-skew middleware) is covered, and the SDK parses
// the error bodies the way an API layer would write them.
func TestVerifier_SDKClient(t *testing.T) {
	t.Parallel()
	v := &auth.Verifier{Creds: newMockCredentials()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		res, err := v.Verify(r, body, testService)
		var ae *auth.Error
		switch {
		case errors.As(err, &ae):
			w.WriteHeader(ae.Status)
			json.NewEncoder(w).Encode(map[string]string{"__type": ae.Code, "message": ae.Message})
		case err != nil:
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"__type": "InternalFailure", "message": "internal error"})
		default:
			json.NewEncoder(w).Encode(map[string]string{"Name": "prod/db", "SecretString": res.Identity.Principal})
		}
	}))
	t.Cleanup(srv.Close)

	newClient := func(akid, secret string) *secretsmanager.Client {
		return secretsmanager.New(secretsmanager.Options{
			Region:       testRegion,
			BaseEndpoint: aws.String(srv.URL),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, nil
			}),
			RetryMaxAttempts: 1,
		})
	}
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		out, err := newClient(testAKID, testSecret).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.SecretString); got != testIdentity(testAKID).Principal {
			t.Errorf("SecretString = %q", got)
		}
	})
	for _, tc := range []struct {
		name, akid, secret, wantCode, wantMsg string
	}{
		{"ErrWrongSecret", testAKID, "wrong", "InvalidSignatureException", msgMismatch},
		{"ErrUnknownAccessKey", "AKIANOTINTHESTORE00", testSecret, "UnrecognizedClientException", "The security token included in the request is invalid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newClient(tc.akid, tc.secret).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want a smithy.APIError", err)
			}
			if apiErr.ErrorCode() != tc.wantCode || apiErr.ErrorMessage() != tc.wantMsg {
				t.Errorf("got %s: %q, want %s: %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), tc.wantCode, tc.wantMsg)
			}
		})
	}
}

func BenchmarkVerifier_Verify(b *testing.B) {
	for _, bc := range []struct {
		name      string
		cacheSize int
	}{
		{"Cached", 0},
		{"NoCache", -1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v := &auth.Verifier{Creds: newMockCredentials(), Now: func() time.Time { return signedAt }, CacheSize: bc.cacheSize}
			r, body := MustSignRequest(b, signOpts{})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(r, body, testService); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
