package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Error cases the SDKs would refuse to send, as raw signed requests. Each
// expected code and message names its source: "notes §N" is the research
// notes on AWS's errors (sm-errors.md), section N; "model" is botocore's
// service model (service-2.json) with the message format described in
// internal/api/model/doc.go; "Coffer's text" marks a message for which no
// AWS capture exists.

// wantWireError checks an error response: status, Content-Type, and a JSON
// body with __type and, when msg is not empty, Message (capital M); with an
// empty msg the body must carry no message at all.
func wantWireError(tb testing.TB, status int, body []byte, hdr http.Header, wantStatus int, typ, msg string) {
	tb.Helper()
	if status != wantStatus {
		tb.Errorf("status %d; want %d (body %.300s)", status, wantStatus, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		tb.Errorf("Content-Type %q; want application/x-amz-json-1.1", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("error body is not a JSON object: %v: %.300s", err, body)
	}
	if m["__type"] != typ {
		tb.Errorf("__type %v; want %s", m["__type"], typ)
	}
	if msg == "" {
		if _, ok := m["Message"]; ok {
			tb.Errorf("Message %q; want none", m["Message"])
		}
		if _, ok := m["message"]; ok {
			tb.Errorf("message %q; want none", m["message"])
		}
		return
	}
	if m["Message"] != msg {
		tb.Errorf("Message %.400q\nwant    %.400q", m["Message"], msg)
	}
}

// validation is AWS's ValidationException message for one violation
// (model doc: "1 validation error detected: ...").
func validation(violation string) string {
	return "1 validation error detected: " + violation
}

func TestErrors_Request(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	mustCreate(t, s.SDK(), "errors/app", "v")
	long := strings.Repeat("n", 513)
	tok31 := strings.Repeat("t", 31)
	tok := newToken(t)

	tests := []struct {
		name   string
		target string // without "secretsmanager."; "" sends no X-Amz-Target
		body   string
		status int
		typ    string
		msg    string
	}{
		// Model: NameType is 1..512.
		{"NameTooLong", "CreateSecret", `{"Name":"` + long + `"}`, 400, "ValidationException",
			validation("Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512")},
		// Notes §13: AWS-seen (localstack snapshot test_invalid_secret_name); the trailing "!" is AWS's.
		{"NameInvalidCharacters", "CreateSecret", `{"Name":"Inv Name","SecretString":"v","ClientRequestToken":"` + tok + `"}`, 400, "ValidationException",
			"Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{"SecretIdInvalidCharacters", "DescribeSecret", `{"SecretId":" Inv*Name? "}`, 400, "ValidationException",
			"Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		// Model: SecretIdType is 1..2048.
		{"SecretIdEmpty", "GetSecretValue", `{"SecretId":""}`, 400, "ValidationException",
			validation("Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// Model: SecretId is required; the text is real Secrets Manager's (model doc).
		{"SecretIdMissing", "GetSecretValue", `{}`, 400, "ValidationException",
			validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null")},
		{"SecretIdNull", "DescribeSecret", `{"SecretId":null}`, 400, "ValidationException",
			validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null")},
		{"EmptyBody", "DeleteSecret", ``, 400, "ValidationException",
			validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null")},
		// Model: MaxResultsType is 1..100.
		{"MaxResults0", "ListSecrets", `{"MaxResults":0}`, 400, "ValidationException",
			validation("Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"MaxResults101", "ListSecrets", `{"MaxResults":101}`, 400, "ValidationException",
			validation("Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100")},
		// Model: SortOrderType is the enum [asc, desc].
		{"SortOrderInvalid", "ListSecrets", `{"SortOrder":"up"}`, 400, "ValidationException",
			validation("Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]")},
		// Model: FilterNameStringType; the path and the order of the set are a
		// real ListSecrets answer's (getmoto/moto#3173), with the two keys
		// added since appended.
		{"FilterKeyInvalid", "ListSecrets", `{"Filters":[{"Key":"colour","Values":["x"]}]}`, 400, "ValidationException",
			validation("Value 'colour' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]")},
		// Model: ClientRequestTokenType is 32..64.
		{"ClientRequestToken31", "PutSecretValue", `{"SecretId":"errors/app","ClientRequestToken":"` + tok31 + `","SecretString":"v"}`, 400, "ValidationException",
			validation("Value '" + tok31 + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32")},
		// Model: SecretStringType is sensitive, 1..65536. Notes §6: AWS-seen
		// format for a sensitive value, "Value at 'x'" with no value echoed
		// (kubernetes-sigs/cluster-api-provider-aws#1531, then a 10240 limit).
		{"SecretStringTooLong", "CreateSecret", `{"Name":"errors/big","ClientRequestToken":"` + tok + `","SecretString":"` + strings.Repeat("s", 65537) + `"}`, 400, "ValidationException",
			validation("Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536")},
		{"SecretBinaryTooLong", "PutSecretValue", `{"SecretId":"errors/app","ClientRequestToken":"` + tok + `","SecretBinary":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'b'}, 65537)) + `"}`, 400, "ValidationException",
			validation("Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536")},
		{"SecretStringEmpty", "PutSecretValue", `{"SecretId":"errors/app","ClientRequestToken":"` + tok + `","SecretString":""}`, 400, "ValidationException",
			validation("Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// Model: PasswordLengthType is 1..4096; moto mirrors AWS's text (internal/secrets/password.go).
		{"PasswordLength5000", "GetRandomPassword", `{"PasswordLength":5000}`, 400, "ValidationException",
			validation("Value '5000' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096")},

		// A body that is not JSON. Notes §12: AWS-seen from other Coral JSON
		// services (pplu/aws-sdk-perl#237, Firehose), with this text.
		{"MalformedJSON", "GetSecretValue", `{"SecretId":`, 400, "SerializationException", "Start of structure or map found where not expected."},
		{"NotJSON", "ListSecrets", `secretId=x`, 400, "SerializationException", "Start of structure or map found where not expected."},
		// A value of the wrong type: texts measured on Athena, an AWS JSON 1.1
		// service (model doc, "Serialization errors").
		{"WrongTypeString", "GetSecretValue", `{"SecretId":5}`, 400, "SerializationException", "NUMBER_VALUE can not be converted to a String"},
		{"WrongTypeInteger", "ListSecrets", `{"MaxResults":"ten"}`, 400, "SerializationException", "STRING_VALUE can not be converted to an Integer"},
		{"WrongTypeList", "ListSecrets", `{"Filters":{"Key":"name"}}`, 400, "SerializationException", "Start of structure or map found where not expected."},

		// Notes §12: AWS-seen from other AWS JSON 1.1 services (aws/aws-sdk-net#1536):
		// 400 and a bare {"__type":"UnknownOperationException"}.
		{"UnknownTarget", "LaunchRockets", `{}`, 400, "UnknownOperationException", ""},
		// Notes §12: guess, the same for a missing X-Amz-Target.
		{"MissingTarget", "", `{}`, 400, "UnknownOperationException", ""},

		// Notes §6: AWS-seen (localstack snapshot test_no_client_request_token[*]).
		{"PutSecretValueNoToken", "PutSecretValue", `{"SecretId":"errors/app","SecretString":"v"}`, 400, "InvalidRequestException", msgNoToken},
		{"CreateSecretNoToken", "CreateSecret", `{"Name":"errors/notoken","SecretString":"v"}`, 400, "InvalidRequestException", msgNoToken},
		{"UpdateSecretNoToken", "UpdateSecret", `{"SecretId":"errors/app","SecretString":"v"}`, 400, "InvalidRequestException", msgNoToken},
		// Notes §6: emulators' text (mock-aws tests assert it); no AWS capture.
		{"BothValues", "PutSecretValue", `{"SecretId":"errors/app","ClientRequestToken":"` + tok + `","SecretString":"v","SecretBinary":"AAEC"}`, 400, "InvalidParameterException",
			"You can't specify both a binary secret value and a string secret value in the same secret."},
		{"BothValuesCreate", "CreateSecret", `{"Name":"errors/both","ClientRequestToken":"` + tok + `","SecretString":"v","SecretBinary":"AAEC"}`, 400, "InvalidParameterException",
			"You can't specify both a binary secret value and a string secret value in the same secret."},
		// Notes §6: localstack's provider text; no AWS capture.
		{"NeitherValue", "PutSecretValue", `{"SecretId":"errors/app","ClientRequestToken":"` + tok + `"}`, 400, "InvalidRequestException",
			"You must provide either SecretString or SecretBinary."},
		// Notes §1: AWS-seen.
		{"NotFound", "GetSecretValue", `{"SecretId":"errors/missing"}`, 400, "ResourceNotFoundException", msgNotFound},
		// Notes §10: the model's description of InvalidNextTokenException (text: guess/doc).
		{"InvalidNextToken", "ListSecrets", `{"NextToken":"bm90IGEgdG9rZW4"}`, 400, "InvalidNextTokenException", "The NextToken value is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := ""
			if tt.target != "" {
				target = "secretsmanager." + tt.target
			}
			status, body, hdr := s.Raw(t, RawRequest{Target: target, Body: tt.body})
			wantWireError(t, status, body, hdr, tt.status, tt.typ, tt.msg)
			if bytes.Contains(body, []byte(strings.Repeat("s", 64))) || bytes.Contains(body, []byte("YmJiYmJi")) {
				t.Errorf("the error echoes the secret value: %.300s", body)
			}
		})
	}

	t.Run("SeveralViolations", func(t *testing.T) {
		t.Parallel()
		status, body, hdr := s.Raw(t, RawRequest{Target: "secretsmanager.ListSecrets",
			Body: `{"MaxResults":0,"SortOrder":"up","Filters":[{"Key":"colour","Values":["x"]}]}`})
		wantWireError(t, status, body, hdr, 400, "ValidationException", decodeMessage(t, body))
		// Model doc: "N validation errors detected: " and the violations
		// joined by "; ". The count and each violation are AWS's; AWS's order
		// between members is not known, so any order is accepted.
		var m map[string]string
		json.Unmarshal(body, &m)
		const prefix = "3 validation errors detected: "
		msg, ok := strings.CutPrefix(m["Message"], prefix)
		if !ok {
			t.Fatalf("Message %q; want prefix %q", m["Message"], prefix)
		}
		want := []string{
			"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
			"Value 'colour' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]",
		}
		if got := strings.Split(msg, "; "); !sameSet(got, want) {
			t.Fatalf("violations %q\nwant       %q", got, want)
		}
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		t.Parallel()
		// Over 1 MiB, more than the largest legal request (internal/api
		// MaxBodyBytes). No AWS capture (notes §12); 413 and Coffer's text.
		body := `{"Name":"errors/huge","SecretString":"` + strings.Repeat("h", 1<<20) + `"}`
		status, resp, hdr := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: body})
		wantWireError(t, status, resp, hdr, 413, "SerializationException", "Request body is larger than the limit.")
	})
}

// TestErrors_LargestRequest sends the largest legal values: a SecretString
// of 65,536 characters each escaped as \uXXXX (six bytes of JSON apiece),
// and a 65,536-byte SecretBinary (87,384 bytes of base64).
func TestErrors_LargestRequest(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()

	t.Run("EscapedString", func(t *testing.T) {
		t.Parallel()
		var want, escaped strings.Builder
		for i := range 65536 {
			c := rune(' ' + i%95) // printable ASCII, quotes and backslash included
			want.WriteRune(c)
			fmt.Fprintf(&escaped, `\u%04x`, c)
		}
		body := `{"Name":"largest/string","ClientRequestToken":"` + newToken(t) + `","SecretString":"` + escaped.String() + `"}`
		status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: body})
		if status != 200 {
			t.Fatalf("CreateSecret with %d bytes of body: %d %.300s", len(body), status, resp)
		}
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("largest/string")})
		if aws.ToString(got.SecretString) != want.String() {
			t.Fatalf("value read back differs (%d characters)", len(aws.ToString(got.SecretString)))
		}
	})

	t.Run("Binary", func(t *testing.T) {
		t.Parallel()
		want := make([]byte, 65536)
		for i := range want {
			want[i] = byte(i * 7)
		}
		body := `{"Name":"largest/binary","ClientRequestToken":"` + newToken(t) + `","SecretBinary":"` + base64.StdEncoding.EncodeToString(want) + `"}`
		status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.CreateSecret", Body: body})
		if status != 200 {
			t.Fatalf("CreateSecret: %d %.300s", status, resp)
		}
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("largest/binary")})
		if !bytes.Equal(got.SecretBinary, want) {
			t.Fatalf("value read back differs (%d bytes)", len(got.SecretBinary))
		}
	})
}

func TestErrors_Auth(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	const body = `{"SecretId":"auth/missing"}`
	const target = "secretsmanager.DescribeSecret"
	// [SM-sig] in internal/auth/errors.go: aws/aws-sdk-net#3978.
	const msgSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	tests := []struct {
		name   string
		req    RawRequest
		status int
		typ    string
		msg    string
	}{
		// [SM-missing] (internal/auth/errors.go): Secrets Manager's answer in
		// aws/aws-sdk-cpp#2407 and #2466.
		{"NoAuthorization", RawRequest{Unsigned: true}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		// [SM-token]: aws/aws-sdk-php-laravel#228, spring-attic/spring-cloud-aws#492.
		{"UnknownAccessKey", RawRequest{AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, 400,
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"BadSignature", RawRequest{SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, 400, "InvalidSignatureException", msgSignature},
		// [scope]: disneystreaming/smithy4s#1568, JuliaCloud/AWS.jl#334; the trailing space is AWS's.
		{"ScopedToS3", RawRequest{Service: "s3"}, 400, "InvalidSignatureException", "Credential should be scoped to correct service: 'secretsmanager'. "},
		// [kv] in internal/auth/errors.go: iann0036/cloud9-sync#10, aws/aws-sdk-go#289.
		{"BasicAuth", RawRequest{Unsigned: true, Header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}}, 400, "IncompleteSignatureException",
			"'dXNlcjpwYXNz' not a valid key=value pair (missing equal-sign) in Authorization header: 'Basic dXNlcjpwYXNz'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Target, tt.req.Body = target, body
			status, resp, hdr := s.Raw(t, tt.req)
			wantWireError(t, status, resp, hdr, tt.status, tt.typ, tt.msg)
		})
	}

	// [SM-skew]: boto/botocore#3587 (Secrets Manager), aws/aws-sdk-go#2194.
	const stamp = `(\d{8}T\d{6}Z)`
	for _, c := range []struct {
		name string
		skew time.Duration
		re   *regexp.Regexp
		sign time.Duration // how the second stamp relates to the third
	}{
		{"SkewPast", -6 * time.Minute, regexp.MustCompile(`^Signature expired: ` + stamp + ` is now earlier than ` + stamp + ` \(` + stamp + ` - 5 min\.\)$`), -5 * time.Minute},
		{"SkewFuture", 6 * time.Minute, regexp.MustCompile(`^Signature not yet current: ` + stamp + ` is still later than ` + stamp + ` \(` + stamp + ` \+ 5 min\.\)$`), 5 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			at := time.Now().Add(c.skew).UTC()
			status, resp, hdr := s.Raw(t, RawRequest{Target: target, Body: body, Time: at})
			msg := decodeMessage(t, resp)
			wantWireError(t, status, resp, hdr, 400, "InvalidSignatureException", msg)
			m := c.re.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("Message %q does not match %s", msg, c.re)
			}
			parse := func(s string) time.Time {
				tm, err := time.Parse("20060102T150405Z", s)
				if err != nil {
					t.Fatal(err)
				}
				return tm
			}
			if m[1] != at.Format("20060102T150405Z") {
				t.Errorf("request time %s; want %s", m[1], at.Format("20060102T150405Z"))
			}
			if now := parse(m[3]); !parse(m[2]).Equal(now.Add(c.sign)) || now.Sub(time.Now()).Abs() > time.Minute {
				t.Errorf("bound %s, server time %s", m[2], m[3])
			}
		})
	}

	t.Run("WithinSkew", func(t *testing.T) {
		t.Parallel()
		for _, skew := range []time.Duration{-4 * time.Minute, 4 * time.Minute} {
			status, resp, _ := s.Raw(t, RawRequest{Target: "secretsmanager.ListSecrets", Body: `{}`, Time: time.Now().Add(skew)})
			if status != 200 {
				t.Fatalf("skew %v: %d %s", skew, status, resp)
			}
		}
	})

	t.Run("Presigned", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, s.SDK(), "auth/presigned", "presigned value")
		for _, hoist := range []bool{true, false} {
			t.Run(fmt.Sprint("HeaderHoisting=", hoist), func(t *testing.T) {
				body := `{"SecretId":"auth/presigned"}`
				req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
				must(t, err)
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
				sum := sha256.Sum256([]byte(body))
				signed, signedHeaders, err := v4.NewSigner().PresignHTTP(context.Background(),
					aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}, req,
					hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now(),
					func(o *v4.SignerOptions) { o.DisableHeaderHoisting = !hoist })
				must(t, err)
				if !strings.Contains(signed, "X-Amz-Signature=") {
					t.Fatalf("not a presigned URL: %s", signed)
				}
				preq, err := http.NewRequest(http.MethodPost, signed, strings.NewReader(body))
				must(t, err)
				for k, vs := range signedHeaders {
					if k != "Host" {
						preq.Header[k] = vs
					}
				}
				preq.Header.Set("Content-Type", "application/x-amz-json-1.1")
				preq.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
				status, resp, _ := do(t, preq)
				var out struct{ SecretString string }
				json.Unmarshal(resp, &out)
				if status != 200 || out.SecretString != "presigned value" {
					t.Fatalf("presigned GetSecretValue = %d %s", status, resp)
				}
				// The same URL with another body is refused.
				preq, _ = http.NewRequest(http.MethodPost, signed, strings.NewReader(`{"SecretId":"auth/other"}`))
				for k, vs := range signedHeaders {
					if k != "Host" {
						preq.Header[k] = vs
					}
				}
				preq.Header.Set("Content-Type", "application/x-amz-json-1.1")
				preq.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
				status, resp, hdr := do(t, preq)
				wantWireError(t, status, resp, hdr, 400, "InvalidSignatureException", msgSignature)
			})
		}
	})

	t.Run("UnauthenticatedPaths", func(t *testing.T) {
		t.Parallel()
		// The README: /healthz and /metrics are the only paths that need no signature.
		for _, path := range []string{"/healthz", "/metrics"} {
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			status, resp, _ := do(t, req)
			if status != 200 {
				t.Errorf("GET %s = %d %s", path, status, resp)
			}
			if path == "/metrics" && !bytes.Contains(resp, []byte("# TYPE ")) {
				t.Errorf("GET /metrics is not Prometheus text: %.300s", resp)
			}
		}
		for _, c := range []struct{ method, path string }{
			{"GET", "/"}, {"POST", "/"}, {"GET", "/secrets"}, {"POST", "/anything"}, {"GET", "/healthz/x"},
			{"POST", "/healthz"}, {"PUT", "/metrics"}, {"GET", "/debug/pprof/"},
		} {
			req, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(body))
			req.Header.Set("X-Amz-Target", target)
			status, resp, hdr := do(t, req)
			t.Run(c.method+c.path, func(t *testing.T) {
				wantWireError(t, status, resp, hdr, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")
			})
		}
	})
}

// decodeMessage returns an error body's Message.
func decodeMessage(tb testing.TB, body []byte) string {
	tb.Helper()
	var m struct {
		Message string `json:"Message"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("error body %q: %v", body, err)
	}
	return m.Message
}

// do sends req and returns the status, the body and the headers.
func do(tb testing.TB, req *http.Request) (int, []byte, http.Header) {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}
