package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The example from AWS's SigV4 documentation ("Create a canonical request",
// "Create a string to sign", "Calculate the signature"): IAM ListUsers,
// signed on 2015-08-30 with the documentation's example secret.
const (
	docSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	docCanon  = "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	docCanonHash  = "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
	docSigningKey = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
	docSignature  = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
)

func docRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	return r
}

func TestSigV4_AWSDocumentationExample(t *testing.T) {
	t.Parallel()
	r := docRequest()
	names, signed := splitSignedHeaders("content-type;host;x-amz-date")
	creq := canonicalRequest(r.Method, canonicalURI(r.URL.EscapedPath()), canonicalQuery(parseQuery(r.URL.RawQuery), ""),
		canonicalHeaders(r, names), signed, payloadHash(nil))
	if creq != docCanon {
		t.Fatalf("canonical request =\n%s\nwant\n%s", creq, docCanon)
	}
	if sum := sha256.Sum256([]byte(creq)); hex.EncodeToString(sum[:]) != docCanonHash {
		t.Errorf("hash(canonical request) = %x", sum)
	}
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	sts := stringToSign(at, credentialScope("20150830", "us-east-1", "iam"), creq)
	if want := "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n" + docCanonHash; sts != want {
		t.Errorf("string to sign =\n%s\nwant\n%s", sts, want)
	}
	key := signingKey([]byte(docSecret), "20150830", "us-east-1", "iam")
	if got := hex.EncodeToString(key[:]); got != docSigningKey {
		t.Errorf("signing key = %s, want %s", got, docSigningKey)
	}
	if got := signature(key[:], sts); got != docSignature {
		t.Errorf("signature = %s, want %s", got, docSignature)
	}
}

type staticCredentials struct{ secret string }

func (c staticCredentials) Lookup(_ context.Context, akid string) (Identity, []byte, error) {
	return Identity{AccessKeyID: akid}, []byte(c.secret), nil
}

// TestVerifier_DateHeader verifies the documentation example signed with a
// Date header instead of X-Amz-Date.
func TestVerifier_DateHeader(t *testing.T) {
	t.Parallel()
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	r := docRequest()
	r.Header.Del("X-Amz-Date")
	r.Header.Set("Date", at.Format(http.TimeFormat))
	names, signed := splitSignedHeaders("content-type;date;host")
	creq := canonicalRequest(r.Method, "/", canonicalQuery(parseQuery(r.URL.RawQuery), ""), canonicalHeaders(r, names), signed, payloadHash(nil))
	key := signingKey([]byte(docSecret), "20150830", "us-east-1", "iam")
	sig := signature(key[:], stringToSign(at, credentialScope("20150830", "us-east-1", "iam"), creq))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders="+signed+", Signature="+sig)

	v := &Verifier{Creds: staticCredentials{docSecret}, Now: func() time.Time { return at }}
	res, err := v.Verify(r, nil, "iam")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Time.Equal(at) {
		t.Errorf("Time = %v, want %v", res.Time, at)
	}
}

// TestVerifier_CacheUse checks from the inside that the cache is used: one
// derivation per scope, hits afterwards, re-derivation when the secret
// changes, and the size bound.
func TestVerifier_CacheUse(t *testing.T) {
	t.Parallel()
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	creds := &staticCredentials{docSecret}
	v := &Verifier{Creds: creds, Now: func() time.Time { return at }, CacheSize: 2}
	sign := func(region string) *http.Request {
		r := docRequest()
		names, signed := splitSignedHeaders("content-type;host;x-amz-date")
		creq := canonicalRequest(r.Method, "/", canonicalQuery(parseQuery(r.URL.RawQuery), ""), canonicalHeaders(r, names), signed, payloadHash(nil))
		key := signingKey([]byte(creds.secret), "20150830", region, "iam")
		sig := signature(key[:], stringToSign(at, credentialScope("20150830", region, "iam"), creq))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"+region+"/iam/aws4_request, SignedHeaders="+signed+", Signature="+sig)
		return r
	}
	stats := func() (hits, misses uint64, n int) {
		v.cache.mu.Lock()
		defer v.cache.mu.Unlock()
		return v.cache.hits, v.cache.misses, len(v.cache.entries)
	}
	verify := func(r *http.Request) {
		t.Helper()
		if _, err := v.Verify(r, nil, "iam"); err != nil {
			t.Fatal(err)
		}
	}

	east := sign("us-east-1")
	verify(east)
	verify(east)
	verify(east)
	if h, m, n := stats(); h != 2 || m != 1 || n != 1 {
		t.Fatalf("after 3 verifies of one scope: hits=%d misses=%d entries=%d, want 2 1 1", h, m, n)
	}

	verify(sign("us-west-2"))
	verify(sign("eu-west-1")) // evicts one of the two
	if h, m, n := stats(); h != 2 || m != 3 || n != 2 {
		t.Fatalf("after 3 scopes with CacheSize 2: hits=%d misses=%d entries=%d, want 2 3 2", h, m, n)
	}

	// A new secret makes the cached entry a miss, and replaces it.
	creds.secret = "rotated"
	r := sign("eu-west-1")
	verify(r)
	verify(r)
	if h, m, n := stats(); h != 3 || m != 4 || n != 2 {
		t.Fatalf("after rotation: hits=%d misses=%d entries=%d, want 3 4 2", h, m, n)
	}

	// Nothing in the cache is the secret or contains it.
	v.cache.mu.Lock()
	defer v.cache.mu.Unlock()
	for k, e := range v.cache.entries {
		for _, b := range [][]byte{[]byte(k.accessKeyID + k.date + k.region + k.service), e.key[:], e.fingerprint[:]} {
			if strings.Contains(string(b), "rotated") || strings.Contains(string(b), docSecret) {
				t.Errorf("cache entry %+v holds the secret", k)
			}
		}
	}
}
