package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 constants.
const (
	algorithm       = "AWS4-HMAC-SHA256"
	scopeTerminator = "aws4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	iso8601Basic    = "20060102T150405Z" // X-Amz-Date
	yyyymmdd        = "20060102"         // the date in the credential scope

	// maxPresignExpires is the longest X-Amz-Expires AWS accepts: seven days,
	// which is also how long a signing key stays valid.
	maxPresignExpires = 7 * 24 * 60 * 60
)

// Header and query names.
const (
	hdrAuthorization = "Authorization"
	hdrAmzDate       = "X-Amz-Date"
	hdrDate          = "Date"
	hdrContentSHA256 = "X-Amz-Content-Sha256"
	hdrSecurityToken = "X-Amz-Security-Token"

	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
	qContentSHA256 = "X-Amz-Content-Sha256"
)

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// canonicalRequest returns the SigV4 canonical request:
//
//	METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// canonicalHeaders already ends in a newline, as AWS's does, which gives the
// blank line between the headers and the signed-header list.
func canonicalRequest(method, uri, query, canonicalHeaders, signedHeaders, payloadHash string) string {
	var b strings.Builder
	b.Grow(len(method) + len(uri) + len(query) + len(canonicalHeaders) + len(signedHeaders) + len(payloadHash) + 5)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	b.WriteString(canonicalHeaders)
	b.WriteByte('\n')
	b.WriteString(signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// stringToSign returns "AWS4-HMAC-SHA256 \n <time> \n <scope> \n hex(sha256(canonicalRequest))".
func stringToSign(t time.Time, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	var b strings.Builder
	b.Grow(len(algorithm) + len(iso8601Basic) + len(scope) + 2*sha256.Size + 3)
	b.WriteString(algorithm)
	b.WriteByte('\n')
	b.WriteString(t.UTC().Format(iso8601Basic))
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// credentialScope returns "date/region/service/aws4_request".
func credentialScope(date, region, service string) string {
	return date + "/" + region + "/" + service + "/" + scopeTerminator
}

// signingKey derives the SigV4 signing key:
//
//	kDate    = HMAC("AWS4" + secret, date)
//	kRegion  = HMAC(kDate, region)
//	kService = HMAC(kRegion, service)
//	kSigning = HMAC(kService, "aws4_request")
//
// The result is as sensitive as the secret for that day, region and service.
func signingKey(secret []byte, date, region, service string) [sha256.Size]byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(k, "AWS4"...)
	k = append(k, secret...)
	kDate := hmacSHA256(k, date)
	clear(k)
	kRegion := hmacSHA256(kDate[:], region)
	kService := hmacSHA256(kRegion[:], service)
	return hmacSHA256(kService[:], scopeTerminator)
}

// signature returns hex(HMAC(signingKey, stringToSign)).
func signature(key []byte, stringToSign string) string {
	sum := hmacSHA256(key, stringToSign)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// canonicalURI returns the canonical form of an escaped request path: every
// byte outside the unreserved set (A-Z a-z 0-9 - . _ ~) and '/' is
// percent-encoded with uppercase hex. Applied to the path as sent on the wire
// (already escaped once), this is the double encoding AWS uses for every
// service but S3, and what aws-sdk-go-v2's signer computes. An empty path is "/".
func canonicalURI(escapedPath string) string {
	if escapedPath == "" {
		return "/"
	}
	return awsEscape(escapedPath, false)
}

// queryParam is one decoded query parameter.
type queryParam struct{ key, value string }

// parseQuery splits a raw query into decoded parameters, keeping their order,
// empty values and keys without '='. Unlike url.ParseQuery it never fails: a
// component that does not unescape is kept as it is (and the signature will
// then not match).
func parseQuery(raw string) []queryParam {
	var params []queryParam
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		params = append(params, queryParam{unescapeQuery(k), unescapeQuery(v)})
	}
	return params
}

func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// canonicalQuery returns the canonical query string: each name and value
// AWS-encoded, the pairs sorted by encoded name and then encoded value (AWS
// sorts after encoding), joined with '&'. The parameter named skip (the
// presigned X-Amz-Signature) is left out.
func canonicalQuery(params []queryParam, skip string) string {
	enc := make([]queryParam, 0, len(params))
	for _, p := range params {
		if skip != "" && p.key == skip {
			continue
		}
		enc = append(enc, queryParam{awsEscape(p.key, true), awsEscape(p.value, true)})
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].key != enc[j].key {
			return enc[i].key < enc[j].key
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// awsEscape percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ with
// uppercase hex; '/' is left alone unless encodeSlash.
func awsEscape(s string, encodeSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (encodeSlash || s[i] != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexUpper = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// canonicalHeaders returns the canonical header block for the signed header
// names (lowercase, in the order given), each "name:value\n". A header's values
// are trimmed, runs of spaces inside them collapsed to one, and several values
// joined with ','. Go's server moves Host, and for chunked bodies
// Transfer-Encoding, out of r.Header, and requests built in memory have no
// Content-Length header, so those three are read from the request fields.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		switch values := r.Header.Values(name); {
		case name == "host":
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			b.WriteString(trimHeaderValue(host))
		case len(values) > 0:
			for i, v := range values {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(trimHeaderValue(v))
			}
		case name == "content-length" && r.ContentLength >= 0:
			b.WriteString(strconv.FormatInt(r.ContentLength, 10))
		case name == "transfer-encoding":
			b.WriteString(strings.Join(r.TransferEncoding, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trimHeaderValue trims leading and trailing white space and collapses each
// run of spaces to one space.
func trimHeaderValue(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return string(b)
}

// splitSignedHeaders lowercases a SignedHeaders value and splits it on ';',
// keeping the client's order (the canonical request lists headers in that
// order). It also returns the list joined again, as it goes into the canonical
// request.
func splitSignedHeaders(s string) (names []string, joined string) {
	joined = strings.ToLower(s)
	for _, n := range strings.Split(joined, ";") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, joined
}

// payloadHash returns the hex SHA-256 of body.
func payloadHash(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
