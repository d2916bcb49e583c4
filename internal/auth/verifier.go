package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Credentials finds the secret access key for an access key id. The server
// implements it over its store.
type Credentials interface {
	// Lookup returns the identity that owns accessKeyID and its secret access
	// key. It returns an error wrapping ErrUnknownAccessKey when the key does
	// not exist or is not active; any other error is treated as an internal
	// failure and passed on wrapped.
	//
	// Verify neither keeps nor modifies the returned secret; it derives a
	// signing key from it and compares a fingerprint of it with its cache.
	Lookup(ctx context.Context, accessKeyID string) (id Identity, secretKey []byte, err error)
}

// SessionCredentials is implemented by Credentials that also know
// temporary credentials: an access key id that comes with a session token
// (X-Amz-Security-Token). Verify calls LookupSession for every request that
// carries a token, and Lookup for the rest.
type SessionCredentials interface {
	// LookupSession returns the identity and secret access key the token
	// holds for accessKeyID. It returns an error wrapping ErrUnknownAccessKey
	// when the token is not valid or does not belong to accessKeyID, and
	// one wrapping ErrExpiredToken when it has expired.
	LookupSession(ctx context.Context, accessKeyID, token string) (id Identity, secretKey []byte, err error)
}

// Identity is the principal an access key belongs to.
type Identity struct {
	AccessKeyID string
	Account     string // 12-digit account id
	Principal   string // the principal's ARN, e.g. arn:aws:iam::123456789012:user/alice
	// Session describes temporary credentials; nil for long-term keys.
	Session *secrets.Session
}

// Result is what a verified request proves.
type Result struct {
	Identity Identity
	Region   string    // from the credential scope; not checked against anything
	Service  string    // from the credential scope; equal to the service passed to Verify
	Time     time.Time // the signed request time (X-Amz-Date or Date)

	// SecurityToken is X-Amz-Security-Token (header or query), passed through
	// unchecked. It is a credential: do not log it.
	SecurityToken string

	// Presigned is true when the request was authenticated by presigned query
	// parameters instead of an Authorization header.
	Presigned bool
}

// DefaultMaxSkew is how far a request's time may lie from the server's clock,
// in either direction, when Verifier.MaxSkew is zero. AWS allows 5 minutes.
const DefaultMaxSkew = 5 * time.Minute

// Verifier checks SigV4 signatures. Its exported fields are read-only once
// Verify has been called; Verify is safe for concurrent use. A Verifier must
// not be copied after first use (it holds the signing-key cache).
type Verifier struct {
	// Creds looks up access keys. Required.
	Creds Credentials

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// MaxSkew is the largest allowed difference between the request time and
	// Now; zero means DefaultMaxSkew.
	MaxSkew time.Duration

	// CacheSize bounds the signing-key cache; zero means DefaultCacheSize and
	// a negative value turns the cache off.
	CacheSize int

	cache keyCache
}

// sigInput is the signature material found in a request, in either form.
type sigInput struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
	date          time.Time
	expires       int64 // presigned X-Amz-Expires in seconds; -1 when absent
	token         string
	query         []queryParam
}

// Verify checks that r, whose body has been read into body, is signed with
// SigV4 for service (for example "secretsmanager") by a known access key. On
// success it returns who signed it. On failure it returns an *Error carrying
// the AWS error code, message and status; when Creds.Lookup fails for another
// reason than ErrUnknownAccessKey, it returns that error wrapped instead.
//
// Verify reads r's method, URL, Host, headers and ContentLength; it does not
// read r.Body.
func (v *Verifier) Verify(r *http.Request, body []byte, service string) (*Result, error) {
	query := parseQuery(r.URL.RawQuery)
	authz := r.Header.Get(hdrAuthorization)
	_, presigned := lookupQuery(query, qAlgorithm)

	var in *sigInput
	var ae *Error
	switch {
	case authz != "" && presigned:
		return nil, newError(failBothForms)
	case authz != "":
		in, ae = parseHeaderAuth(r, authz)
	case presigned:
		in, ae = parseQueryAuth(query)
	default:
		return nil, newError(failMissingAuth)
	}
	if ae != nil {
		return nil, ae
	}
	in.query = query

	if ae := v.checkTime(in); ae != nil {
		return nil, ae
	}

	names, signedHeaders := splitSignedHeaders(in.signedHeaders)
	if !slices.Contains(names, "host") {
		return nil, newError(failHostNotSigned)
	}
	if target, ok := r.Header["X-Amz-Target"]; ok && !slices.Contains(names, "x-amz-target") {
		// A presigned URL may carry it as a signed query parameter instead
		// (the SDKs hoist X-Amz-* headers into the query when presigning).
		if q, inQuery := lookupQuery(query, "X-Amz-Target"); !inQuery || len(target) != 1 || q != target[0] {
			return nil, newError(failTargetNotSigned)
		}
	}
	if in.algorithm != algorithm {
		return nil, newError(failAlgorithm, in.algorithm)
	}

	// The credential is keyid/date/region/service/aws4_request; AWS ignores
	// trailing slashes.
	parts := strings.Split(strings.TrimRight(in.credential, "/"), "/")
	if len(parts) != 5 {
		return nil, newError(failCredentialParts, in.credential)
	}
	accessKeyID, scopeDate, region, scopeService, terminator := parts[0], parts[1], parts[2], parts[3], parts[4]
	if ae := checkScope(in.date, scopeDate, region, scopeService, terminator, service); ae != nil {
		return nil, ae
	}

	var id Identity
	var secret []byte
	var err error
	if sc, ok := v.Creds.(SessionCredentials); ok && in.token != "" {
		id, secret, err = sc.LookupSession(r.Context(), accessKeyID, in.token)
	} else if in.token != "" {
		err = ErrUnknownAccessKey
	} else {
		id, secret, err = v.Creds.Lookup(r.Context(), accessKeyID)
	}
	if errors.Is(err, ErrUnknownAccessKey) {
		return nil, newError(failUnknownAccessKey)
	}
	if errors.Is(err, ErrExpiredToken) {
		return nil, newError(failExpiredToken)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: look up access key: %w", err)
	}

	hash, ae := contentHash(r, in, body)
	if ae != nil {
		return nil, ae
	}

	skip := ""
	if in.presigned {
		skip = qSignature
	}
	creq := canonicalRequest(
		r.Method,
		canonicalURI(r.URL.EscapedPath()),
		canonicalQuery(in.query, skip),
		canonicalHeaders(r, names),
		signedHeaders,
		hash,
	)
	sts := stringToSign(in.date, credentialScope(scopeDate, region, scopeService), creq)
	key := v.signingKey(accessKeyID, secret, scopeDate, region, scopeService)
	want := signature(key[:], sts)
	clear(key[:])
	if subtle.ConstantTimeCompare([]byte(want), []byte(in.signature)) != 1 {
		return nil, newError(failSignature)
	}

	return &Result{
		Identity:      id,
		Region:        region,
		Service:       scopeService,
		Time:          in.date,
		SecurityToken: in.token,
		Presigned:     in.presigned,
	}, nil
}

// parseHeaderAuth reads the Authorization header form. AWS splits the header
// on commas and white space; the first element is the algorithm, every other
// must be name=value.
func parseHeaderAuth(r *http.Request, authz string) (*sigInput, *Error) {
	elems := strings.FieldsFunc(authz, func(c rune) bool { return c == ',' || unicode.IsSpace(c) })
	in := &sigInput{expires: -1}
	if len(elems) > 0 {
		in.algorithm = elems[0]
		elems = elems[1:]
	}
	for _, e := range elems {
		name, value, ok := strings.Cut(e, "=")
		if !ok {
			return nil, newError(failAuthKeyValue, e, authz)
		}
		switch name {
		case "Credential":
			in.credential = value
		case "SignedHeaders":
			in.signedHeaders = value
		case "Signature":
			in.signature = value
		}
	}

	amzDate, date := r.Header.Get(hdrAmzDate), r.Header.Get(hdrDate)
	var missing strings.Builder
	for _, p := range [...]struct{ name, value string }{
		{"Credential", in.credential}, {"Signature", in.signature}, {"SignedHeaders", in.signedHeaders},
	} {
		if p.value == "" {
			missing.WriteString("Authorization header requires '" + p.name + "' parameter. ")
		}
	}
	if amzDate == "" && date == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return nil, newError(failAuthParams, missing.String(), authz)
	}

	var err error
	if amzDate != "" {
		in.date, err = time.Parse(iso8601Basic, amzDate)
	} else {
		amzDate = date
		in.date, err = http.ParseTime(date)
	}
	if err != nil {
		return nil, newError(failDateFormat, amzDate)
	}
	in.date = in.date.UTC()
	in.token = r.Header.Get(hdrSecurityToken)
	return in, nil
}

// parseQueryAuth reads the presigned form.
func parseQueryAuth(query []queryParam) (*sigInput, *Error) {
	in := &sigInput{presigned: true, expires: -1}
	in.algorithm, _ = lookupQuery(query, qAlgorithm)
	in.credential, _ = lookupQuery(query, qCredential)
	in.signature, _ = lookupQuery(query, qSignature)
	in.signedHeaders, _ = lookupQuery(query, qSignedHeaders)
	rawDate, _ := lookupQuery(query, qDate)

	var missing strings.Builder
	for _, p := range [...]struct{ name, value string }{
		{qAlgorithm, in.algorithm}, {qCredential, in.credential}, {qSignature, in.signature},
		{qSignedHeaders, in.signedHeaders}, {qDate, rawDate},
	} {
		if p.value == "" {
			missing.WriteString("AWS query-string parameters must include '" + p.name + "'. ")
		}
	}
	if missing.Len() > 0 {
		return nil, newError(failQueryParams, missing.String())
	}

	t, err := time.Parse(iso8601Basic, rawDate)
	if err != nil {
		return nil, newError(failDateFormat, rawDate)
	}
	in.date = t.UTC()

	if raw, ok := lookupQuery(query, qExpires); ok {
		n, err := strconv.ParseInt(raw, 10, 64)
		switch {
		case err != nil:
			return nil, newError(failExpiresFormat, "X-Amz-Expires should be a number")
		case n < 0:
			return nil, newError(failExpiresFormat, "X-Amz-Expires must be non-negative")
		case n > maxPresignExpires:
			return nil, newError(failExpiresFormat, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		in.expires = n
	}
	in.token, _ = lookupQuery(query, qSecurityToken)
	return in, nil
}

// checkTime rejects a request time more than MaxSkew away from now or, for a
// presigned URL with X-Amz-Expires, a URL past its expiry.
func (v *Verifier) checkTime(in *sigInput) *Error {
	now := v.now().UTC()
	skew := v.maxSkew()
	t := in.date
	if t.After(now.Add(skew)) {
		return newError(failNotYetCurrent,
			t.Format(iso8601Basic), now.Add(skew).Format(iso8601Basic), now.Format(iso8601Basic), formatSkew(skew))
	}
	if in.expires >= 0 {
		exp := time.Duration(in.expires) * time.Second
		if now.After(t.Add(exp)) {
			return newError(failPresignExpired,
				t.Format(iso8601Basic), now.Add(-exp).Format(iso8601Basic), now.Format(iso8601Basic), in.expires)
		}
		return nil
	}
	if t.Before(now.Add(-skew)) {
		return newError(failExpired,
			t.Format(iso8601Basic), now.Add(-skew).Format(iso8601Basic), now.Format(iso8601Basic), formatSkew(skew))
	}
	return nil
}

// checkScope checks the credential scope against the request, collecting
// every fault into one message as AWS does.
func checkScope(t time.Time, date, region, service, terminator, wantService string) *Error {
	var msg strings.Builder
	if !validRegion(region) {
		// The region becomes part of every ARN the request makes: it must
		// look like one (the model's RegionType pattern, ^([a-z]+-)+\d+$).
		msg.WriteString("Credential should be scoped to a valid region, not '" + region + "'. ")
	}
	if service != wantService {
		msg.WriteString("Credential should be scoped to correct service: '" + wantService + "'. ")
	}
	if terminator != scopeTerminator {
		msg.WriteString("Credential should be scoped with a valid terminator: '" + scopeTerminator + "', not '" + terminator + "'. ")
	}
	if day := t.Format(yyyymmdd); date != day {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			date + "' != '" + day + "', from '" + t.Format(iso8601Basic) + "'. ")
	}
	if msg.Len() > 0 {
		return newError(failScope, msg.String())
	}
	return nil
}

// contentHash returns the payload hash for the canonical request: always
// the hash of the body received, so the signature covers the body. AWS's
// JSON services do not take UNSIGNED-PAYLOAD (an S3 option): a request
// signed that way fails as a signature mismatch. A X-Amz-Content-Sha256
// that names another hash is refused at once.
func contentHash(r *http.Request, in *sigInput, body []byte) (string, *Error) {
	claimed := r.Header.Get(hdrContentSHA256)
	if claimed == "" && in.presigned {
		claimed, _ = lookupQuery(in.query, qContentSHA256)
	}
	actual := payloadHash(body)
	if claimed == "" || claimed == unsignedPayload {
		return actual, nil
	}
	if !strings.EqualFold(claimed, actual) {
		return "", newError(failContentSHA256)
	}
	return claimed, nil
}

// signingKey returns the signing key for the scope, from the cache when it
// holds one derived from this very secret.
func (v *Verifier) signingKey(accessKeyID string, secret []byte, date, region, service string) [sha256.Size]byte {
	if v.CacheSize < 0 {
		return signingKey(secret, date, region, service)
	}
	k := keyCacheKey{accessKeyID: accessKeyID, date: date, region: region, service: service}
	fp := secretFingerprint(secret)
	if key, ok := v.cache.get(k, &fp); ok {
		return key
	}
	key := signingKey(secret, date, region, service)
	size := v.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	v.cache.put(k, &fp, &key, size)
	return key
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// formatSkew renders a skew the way AWS does in its messages: "5 min.".
func formatSkew(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}

// lookupQuery returns the first value of the query parameter named key.
func lookupQuery(params []queryParam, key string) (string, bool) {
	for _, p := range params {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}

// validRegion reports whether a region has the form of an AWS region:
// lower-case words joined by hyphens, ending in a number (us-east-1,
// us-gov-west-1).
func validRegion(region string) bool {
	words := strings.Split(region, "-")
	if len(words) < 2 {
		return false
	}
	for i, w := range words {
		if w == "" {
			return false
		}
		last := i == len(words)-1
		for _, c := range w {
			if last && (c < '0' || c > '9') || !last && (c < 'a' || c > 'z') {
				return false
			}
		}
	}
	return true
}
