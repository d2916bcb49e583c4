package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// These tests drive a real coffer server with aws-sdk-go-v2 through every
// operation, checking AWS's semantics. Expected messages name their source:
// "notes §N" is the research notes on AWS's errors (sm-errors.md), section N;
// "Coffer's text" marks a message for which no AWS capture exists.

// AWS's messages that several tests expect.
const (
	// Notes §1: AWS-seen (localstack snapshot test_secret_not_found, many issues).
	msgNotFound = "Secrets Manager can't find the specified secret."
	// Notes §3: AWS-seen (external-secrets/external-secrets#4560).
	msgMarkedForDeletion = "You can't perform this operation on the secret because it was marked for deletion."
	// Notes §6: AWS-seen (localstack snapshot test_no_client_request_token).
	msgNoToken = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
)

// newToken returns a fresh ClientRequestToken: 32 hex characters.
func newToken(tb testing.TB) string {
	tb.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// wantAPIError fails unless err is an AWS error with this code and message.
func wantAPIError(tb testing.TB, err error, code, msg string) {
	tb.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		tb.Fatalf("error = %v; want %s %q", err, code, msg)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		tb.Fatalf("error = %s %q\nwant    %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// must fails the test on an error.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// rawCall sends a signed Secrets Manager request with in as its JSON body,
// requires HTTP 200, and returns the decoded response (numbers as
// json.Number). It is for checks the SDK's types hide, such as whether a
// key is absent or an empty list.
func rawCall(tb testing.TB, s *Server, op string, in any) map[string]any {
	tb.Helper()
	return rawCallAt(tb, s, op, in, time.Time{})
}

// rawCallAt is rawCall signed at time at (zero means now).
func rawCallAt(tb testing.TB, s *Server, op string, in any, at time.Time) map[string]any {
	tb.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	status, out, _ := s.Raw(tb, RawRequest{Target: "secretsmanager." + op, Body: string(body), Time: at})
	if status != 200 {
		tb.Fatalf("%s: HTTP %d: %s", op, status, out)
	}
	m := map[string]any{}
	if len(out) > 0 {
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			tb.Fatalf("%s: decode %q: %v", op, out, err)
		}
	}
	return m
}

// epochOf reads an AWS JSON timestamp (seconds since the epoch).
func epochOf(tb testing.TB, v any) time.Time {
	tb.Helper()
	n, ok := v.(json.Number)
	if !ok {
		tb.Fatalf("timestamp %v (%T) is not a number", v, v)
	}
	f, err := n.Float64()
	if err != nil {
		tb.Fatal(err)
	}
	return time.UnixMilli(int64(f * 1000)).UTC()
}

// wantARN checks a secret ARN: region, account, name and a 6-character suffix.
func wantARN(tb testing.TB, arn, region, account, name string) {
	tb.Helper()
	re := "^arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + regexp.QuoteMeta(name) + "-[A-Za-z0-9]{6}$"
	if !regexp.MustCompile(re).MatchString(arn) {
		tb.Fatalf("ARN %q does not match %s", arn, re)
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// stagesOf returns DescribeSecret's VersionIdsToStages, each list sorted.
func stagesOf(tb testing.TB, sm *secretsmanager.Client, id string) map[string][]string {
	tb.Helper()
	d, err := sm.DescribeSecret(tb.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	must(tb, err)
	for _, v := range d.VersionIdsToStages {
		slices.Sort(v)
	}
	return d.VersionIdsToStages
}

// wantStages compares a secret's labels with want (each list sorted).
func wantStages(tb testing.TB, sm *secretsmanager.Client, id string, want map[string][]string) {
	tb.Helper()
	got := stagesOf(tb, sm, id)
	for _, v := range want {
		slices.Sort(v)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		tb.Fatalf("VersionIdsToStages = %v\nwant                 %v", got, want)
	}
}

func mustCreate(tb testing.TB, sm *secretsmanager.Client, name, value string) *secretsmanager.CreateSecretOutput {
	tb.Helper()
	out, err := sm.CreateSecret(tb.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	must(tb, err)
	return out
}

func mustPut(tb testing.TB, sm *secretsmanager.Client, id, token, value string, stages ...string) *secretsmanager.PutSecretValueOutput {
	tb.Helper()
	out, err := sm.PutSecretValue(tb.Context(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(id), ClientRequestToken: aws.String(token), SecretString: aws.String(value), VersionStages: stages,
	})
	must(tb, err)
	return out
}

func mustGet(tb testing.TB, sm *secretsmanager.Client, in *secretsmanager.GetSecretValueInput) *secretsmanager.GetSecretValueOutput {
	tb.Helper()
	out, err := sm.GetSecretValue(tb.Context(), in)
	must(tb, err)
	return out
}

func TestCreateSecret(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()

	t.Run("String", func(t *testing.T) {
		t.Parallel()
		const value = `{"username":"admin","password":"EXAMPLE-PASSWORD"}`
		out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
			Name: aws.String("create/string"), SecretString: aws.String(value),
			Description: aws.String("database credentials"),
			Tags:        []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}, {Key: aws.String("env"), Value: aws.String("")}},
		})
		must(t, err)
		wantARN(t, aws.ToString(out.ARN), "us-east-1", s.Account, "create/string")
		if aws.ToString(out.Name) != "create/string" || aws.ToString(out.VersionId) == "" {
			t.Fatalf("CreateSecret = name %q version %q", aws.ToString(out.Name), aws.ToString(out.VersionId))
		}
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("create/string")})
		if aws.ToString(got.SecretString) != value || got.SecretBinary != nil ||
			aws.ToString(got.VersionId) != aws.ToString(out.VersionId) || !slices.Equal(got.VersionStages, []string{"AWSCURRENT"}) ||
			aws.ToString(got.ARN) != aws.ToString(out.ARN) || aws.ToString(got.Name) != "create/string" {
			t.Fatalf("GetSecretValue = %+v", got)
		}
		d, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("create/string")})
		must(t, err)
		if aws.ToString(d.Description) != "database credentials" || len(d.Tags) != 2 ||
			aws.ToString(d.Tags[0].Key) != "team" || aws.ToString(d.Tags[0].Value) != "payments" ||
			aws.ToString(d.Tags[1].Key) != "env" || aws.ToString(d.Tags[1].Value) != "" {
			t.Fatalf("DescribeSecret = description %q tags %+v", aws.ToString(d.Description), d.Tags)
		}
	})

	t.Run("Binary", func(t *testing.T) {
		t.Parallel()
		value := []byte{0, 1, 2, 0xfe, 0xff, '"', '\\'}
		out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("create/binary"), SecretBinary: value})
		must(t, err)
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: out.ARN})
		if !bytes.Equal(got.SecretBinary, value) || got.SecretString != nil {
			t.Fatalf("GetSecretValue = binary %x string %v", got.SecretBinary, got.SecretString)
		}
	})

	t.Run("NoValue", func(t *testing.T) {
		t.Parallel()
		out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("create/empty"), Description: aws.String("filled in later")})
		must(t, err)
		// Notes §1: a secret created without a value has no VersionId in the
		// CreateSecret response and no VersionIdsToStages in DescribeSecret.
		if out.VersionId != nil {
			t.Fatalf("VersionId = %q; want none", *out.VersionId)
		}
		if d := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "create/empty"}); d["VersionIdsToStages"] != nil {
			t.Fatalf("DescribeSecret has VersionIdsToStages: %v", d)
		}
		_, err = sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("create/empty")})
		// Notes §1: AWS-seen (localstack snapshot get_secret_value_no_version_ex).
		wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
		// Notes §1: the first PutSecretValue gets AWSCURRENT.
		put := mustPut(t, sm, "create/empty", newToken(t), "now a value")
		if !slices.Equal(put.VersionStages, []string{"AWSCURRENT"}) {
			t.Fatalf("PutSecretValue stages = %v", put.VersionStages)
		}
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("create/empty")})
		if aws.ToString(got.SecretString) != "now a value" {
			t.Fatalf("GetSecretValue = %q", aws.ToString(got.SecretString))
		}
	})

	t.Run("IdempotentRetry", func(t *testing.T) {
		t.Parallel()
		token := newToken(t)
		in := &secretsmanager.CreateSecretInput{Name: aws.String("create/retry"), ClientRequestToken: aws.String(token), SecretString: aws.String("v")}
		first, err := sm.CreateSecret(t.Context(), in)
		must(t, err)
		// The CreateSecret doc: a retry with the same token and value is a no-op
		// that answers the same version.
		again, err := sm.CreateSecret(t.Context(), in)
		must(t, err)
		if aws.ToString(first.VersionId) != token || aws.ToString(again.VersionId) != token || aws.ToString(again.ARN) != aws.ToString(first.ARN) {
			t.Fatalf("first %s %s, retry %s %s; want version %s", aws.ToString(first.ARN), aws.ToString(first.VersionId),
				aws.ToString(again.ARN), aws.ToString(again.VersionId), token)
		}
		vs, err := sm.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("create/retry"), IncludeDeprecated: aws.Bool(true)})
		must(t, err)
		if len(vs.Versions) != 1 {
			t.Fatalf("%d versions after a retry; want 1", len(vs.Versions))
		}
		// Same token, another value. AWS's text ends in a period: moto's
		// aws_verified test_create_different_secret_with_same_token.
		_, err = sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("create/retry"), ClientRequestToken: aws.String(token), SecretString: aws.String("other")})
		wantAPIError(t, err, "ResourceExistsException",
			"You can't use ClientRequestToken "+token+" because that value is already in use for a version of secret "+aws.ToString(first.ARN)+".")
	})

	t.Run("ExistingName", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "create/exists", "v1")
		// Notes §2: AWS-seen (localstack snapshot test_secret_exists_snapshots; getmoto/moto#9700).
		const msg = "The operation failed because the secret create/exists already exists."
		_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("create/exists"), SecretString: aws.String("v2")})
		wantAPIError(t, err, "ResourceExistsException", msg)
		_, err = sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("create/exists")})
		wantAPIError(t, err, "ResourceExistsException", msg)
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("create/exists")})
		if aws.ToString(got.SecretString) != "v1" {
			t.Fatalf("value = %q after refused creates; want v1", aws.ToString(got.SecretString))
		}
	})

	t.Run("SameTokenAcrossSecrets", func(t *testing.T) {
		t.Parallel()
		// The External Secrets Operator sends this token for every secret it
		// creates; version ids are unique within a secret only.
		const eso = "00000000-0000-0000-0000-000000000001"
		for _, name := range []string{"eso/a", "eso/b", "eso/c"} {
			out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
				Name: aws.String(name), ClientRequestToken: aws.String(eso), SecretString: aws.String("value of " + name),
			})
			must(t, err)
			if aws.ToString(out.VersionId) != eso {
				t.Fatalf("%s: VersionId = %q; want %s", name, aws.ToString(out.VersionId), eso)
			}
		}
		for _, name := range []string{"eso/a", "eso/b", "eso/c"} {
			got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: aws.String(eso)})
			if aws.ToString(got.SecretString) != "value of "+name {
				t.Fatalf("%s: value %q", name, aws.ToString(got.SecretString))
			}
		}
	})

	t.Run("NonUUIDTokens", func(t *testing.T) {
		t.Parallel()
		// Notes §6: AWS accepts any 32–64 character token, e.g. Terraform's
		// "terraform-20260323221621262500000001".
		tokens := []string{
			strings.Repeat("0123456789abcdef", 2), // 32, the minimum
			"terraform-20260323221621262500000001",
			strings.Repeat("tok-", 16), // 64, the maximum
		}
		out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
			Name: aws.String("create/tokens"), ClientRequestToken: aws.String(tokens[0]), SecretString: aws.String("v0"),
		})
		must(t, err)
		if aws.ToString(out.VersionId) != tokens[0] {
			t.Fatalf("VersionId = %q; want %q", aws.ToString(out.VersionId), tokens[0])
		}
		for i, tok := range tokens[1:] {
			if p := mustPut(t, sm, "create/tokens", tok, fmt.Sprint("v", i+1)); aws.ToString(p.VersionId) != tok {
				t.Fatalf("VersionId = %q; want %q", aws.ToString(p.VersionId), tok)
			}
		}
		for i, tok := range tokens {
			got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("create/tokens"), VersionId: aws.String(tok)})
			if aws.ToString(got.SecretString) != fmt.Sprint("v", i) {
				t.Fatalf("version %s = %q", tok, aws.ToString(got.SecretString))
			}
		}
	})
}

func TestSecretLookup(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	ctx := t.Context()

	created := mustCreate(t, sm, "lookup/app", "by any id")
	arn := aws.ToString(created.ARN)
	wantARN(t, arn, "us-east-1", s.Account, "lookup/app")
	partial := arn[:len(arn)-7] // without "-" and the six-character suffix
	for _, id := range []string{"lookup/app", arn, partial} {
		got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetSecretValue(%s): %v", id, err)
		}
		if aws.ToString(got.SecretString) != "by any id" || aws.ToString(got.ARN) != arn {
			t.Fatalf("GetSecretValue(%s) = %q %s", id, aws.ToString(got.SecretString), aws.ToString(got.ARN))
		}
		d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		if err != nil || aws.ToString(d.ARN) != arn {
			t.Fatalf("DescribeSecret(%s) = %v, %v", id, d, err)
		}
	}

	// A name ending in "-" and six characters: the partial ARN reads as a
	// full ARN of a secret named "lookup/key", and finds nothing, as on AWS
	// (notes §13; the AWS docs advise against such names for this reason).
	odd := mustCreate(t, sm, "lookup/key-abcdef", "odd name")
	oddARN := aws.ToString(odd.ARN)
	wantARN(t, oddARN, "us-east-1", s.Account, "lookup/key-abcdef")
	for _, id := range []string{"lookup/key-abcdef", oddARN} {
		got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil || aws.ToString(got.SecretString) != "odd name" {
			t.Fatalf("GetSecretValue(%s) = %v, %v", id, got, err)
		}
	}
	_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(oddARN[:len(oddARN)-7])})
	wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)

	for _, id := range []string{
		"lookup/missing",
		partial + "-zzzzzz", // right name, wrong suffix
		"arn:aws:secretsmanager:us-east-1:" + s.Account + ":secret:lookup/missing",
	} {
		_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
	}
	// Another account's ARN: no resource policy there lets this account in,
	// so the answer is a refusal, not whether it exists.
	other := strings.Replace(arn, s.Account, "999999999999", 1)
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(other)})
	wantAPIError(t, err, "AccessDeniedException", "User: arn:aws:iam::"+s.Account+":root is not authorized to perform: secretsmanager:GetSecretValue on resource: "+other+" because no resource-based policy allows the secretsmanager:GetSecretValue action")
}

func TestGetSecretValue(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	before := time.Now().Add(-time.Second)
	t1, t2 := newToken(t), newToken(t)
	_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("get/app"), ClientRequestToken: aws.String(t1), SecretString: aws.String("one")})
	must(t, err)
	mustPut(t, sm, "get/app", t2, "two")
	after := time.Now().Add(time.Second)
	missing := newToken(t)

	tests := []struct {
		name             string
		versionID, stage string
		wantValue        string
		wantVersion      string
		wantStages       []string
		wantCode         string
		wantMsg          string
	}{
		{name: "Default", wantValue: "two", wantVersion: t2, wantStages: []string{"AWSCURRENT"}},
		{name: "VersionId", versionID: t1, wantValue: "one", wantVersion: t1, wantStages: []string{"AWSPREVIOUS"}},
		{name: "VersionStage", stage: "AWSPREVIOUS", wantValue: "one", wantVersion: t1, wantStages: []string{"AWSPREVIOUS"}},
		{name: "Both", versionID: t2, stage: "AWSCURRENT", wantValue: "two", wantVersion: t2, wantStages: []string{"AWSCURRENT"}},
		// Notes §16: AWS-seen (localstack snapshot test_get_secret_value_errors).
		{name: "Mismatch", versionID: t1, stage: "AWSCURRENT", wantCode: "InvalidRequestException",
			wantMsg: "You provided a VersionStage that is not associated to the provided VersionId."},
		// Notes §1: AWS-seen (localstack snapshot test_secret_version_not_found).
		{name: "UnknownVersionId", versionID: missing, wantCode: "ResourceNotFoundException",
			wantMsg: "Secrets Manager can't find the specified secret value for VersionId: " + missing},
		{name: "UnknownStage", stage: "AWSPENDING", wantCode: "ResourceNotFoundException",
			wantMsg: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("get/app")}
			if tt.versionID != "" {
				in.VersionId = aws.String(tt.versionID)
			}
			if tt.stage != "" {
				in.VersionStage = aws.String(tt.stage)
			}
			got, err := sm.GetSecretValue(t.Context(), in)
			if tt.wantCode != "" {
				wantAPIError(t, err, tt.wantCode, tt.wantMsg)
				return
			}
			must(t, err)
			if aws.ToString(got.SecretString) != tt.wantValue || aws.ToString(got.VersionId) != tt.wantVersion || !slices.Equal(got.VersionStages, tt.wantStages) {
				t.Fatalf("got %q version %s stages %v; want %q %s %v", aws.ToString(got.SecretString), aws.ToString(got.VersionId), got.VersionStages,
					tt.wantValue, tt.wantVersion, tt.wantStages)
			}
			// Notes §14: CreatedDate is the version's creation date.
			if got.CreatedDate == nil || got.CreatedDate.Before(before) || got.CreatedDate.After(after) {
				t.Fatalf("CreatedDate = %v; want between %v and %v", got.CreatedDate, before, after)
			}
		})
	}
}

func TestPutSecretValue(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()

	t.Run("CurrentAndPrevious", func(t *testing.T) {
		t.Parallel()
		v1 := aws.ToString(mustCreate(t, sm, "put/rotate", "one").VersionId)
		v2, v3 := newToken(t), newToken(t)
		p := mustPut(t, sm, "put/rotate", v2, "two")
		if aws.ToString(p.VersionId) != v2 || !slices.Equal(p.VersionStages, []string{"AWSCURRENT"}) || aws.ToString(p.Name) != "put/rotate" {
			t.Fatalf("PutSecretValue = %s %v", aws.ToString(p.VersionId), p.VersionStages)
		}
		wantStages(t, sm, "put/rotate", map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}})
		mustPut(t, sm, "put/rotate", v3, "three")
		// v1 loses its label and is deprecated: DescribeSecret lists only
		// labelled versions (notes §15).
		wantStages(t, sm, "put/rotate", map[string][]string{v2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}})
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("put/rotate")})
		if aws.ToString(got.SecretString) != "three" {
			t.Fatalf("current = %q", aws.ToString(got.SecretString))
		}
		// A deprecated version is still readable by id.
		got = mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("put/rotate"), VersionId: aws.String(v1)})
		if aws.ToString(got.SecretString) != "one" || len(got.VersionStages) != 0 {
			t.Fatalf("v1 = %q stages %v", aws.ToString(got.SecretString), got.VersionStages)
		}
	})

	t.Run("CustomStages", func(t *testing.T) {
		t.Parallel()
		v1 := aws.ToString(mustCreate(t, sm, "put/custom", "one").VersionId)
		v2, v3, v4, v5 := newToken(t), newToken(t), newToken(t), newToken(t)
		// A version staged as AWSPENDING does not move AWSCURRENT (notes §17).
		if p := mustPut(t, sm, "put/custom", v2, "pending", "AWSPENDING"); !slices.Equal(p.VersionStages, []string{"AWSPENDING"}) {
			t.Fatalf("stages = %v", p.VersionStages)
		}
		wantStages(t, sm, "put/custom", map[string][]string{v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}})
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("put/custom"), VersionStage: aws.String("AWSPENDING")})
		if aws.ToString(got.SecretString) != "pending" || aws.ToString(got.VersionId) != v2 {
			t.Fatalf("AWSPENDING = %q %s", aws.ToString(got.SecretString), aws.ToString(got.VersionId))
		}
		got = mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("put/custom")})
		if aws.ToString(got.SecretString) != "one" {
			t.Fatalf("AWSCURRENT = %q", aws.ToString(got.SecretString))
		}
		// Custom labels move from the version that held them; a version left
		// without labels is deprecated.
		mustPut(t, sm, "put/custom", v3, "blue-green", "blue", "green")
		mustPut(t, sm, "put/custom", v4, "blue only", "blue", "AWSPENDING")
		wantStages(t, sm, "put/custom", map[string][]string{v1: {"AWSCURRENT"}, v3: {"green"}, v4: {"blue", "AWSPENDING"}})
		// AWSCURRENT with a custom label: AWSCURRENT's old holder gets AWSPREVIOUS.
		mustPut(t, sm, "put/custom", v5, "five", "AWSCURRENT", "canary")
		wantStages(t, sm, "put/custom", map[string][]string{
			v1: {"AWSPREVIOUS"}, v3: {"green"}, v4: {"blue", "AWSPENDING"}, v5: {"AWSCURRENT", "canary"},
		})
		vs, err := sm.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("put/custom"), IncludeDeprecated: aws.Bool(true)})
		must(t, err)
		if len(vs.Versions) != 5 {
			t.Fatalf("%d versions; want 5", len(vs.Versions))
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "put/retry", "one")
		token := newToken(t)
		first := mustPut(t, sm, "put/retry", token, "two")
		again := mustPut(t, sm, "put/retry", token, "two")
		if aws.ToString(again.VersionId) != aws.ToString(first.VersionId) || !slices.Equal(again.VersionStages, []string{"AWSCURRENT"}) {
			t.Fatalf("retry = %s %v; first %s", aws.ToString(again.VersionId), again.VersionStages, aws.ToString(first.VersionId))
		}
		vs, err := sm.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("put/retry"), IncludeDeprecated: aws.Bool(true)})
		must(t, err)
		if len(vs.Versions) != 2 {
			t.Fatalf("%d versions; want 2", len(vs.Versions))
		}
		_, err = sm.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
			SecretId: aws.String("put/retry"), ClientRequestToken: aws.String(token), SecretString: aws.String("changed"),
		})
		// AWS's text ends in a period: moto's aws_verified
		// test_put_different_secret_value_with_same_token.
		wantAPIError(t, err, "ResourceExistsException",
			"You can't use ClientRequestToken "+token+" because that value is already in use for a version of secret "+aws.ToString(first.ARN)+".")
	})

	t.Run("Binary", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "put/binary", "text first")
		value := []byte{0xde, 0xad, 0xbe, 0xef}
		_, err := sm.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("put/binary"), SecretBinary: value})
		must(t, err)
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("put/binary")})
		if !bytes.Equal(got.SecretBinary, value) || got.SecretString != nil {
			t.Fatalf("got binary %x string %v", got.SecretBinary, got.SecretString)
		}
	})
}

func TestUpdateSecret(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	ctx := t.Context()
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("update/app"), Description: aws.String("old"), SecretString: aws.String("v1")})
	must(t, err)
	v1 := aws.ToString(created.VersionId)

	// Description only: no new version, no VersionId (notes §8, localstack
	// snapshot test_update_secret_description).
	out, err := sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("update/app"), Description: aws.String("new")})
	must(t, err)
	if out.VersionId != nil || aws.ToString(out.ARN) != aws.ToString(created.ARN) || aws.ToString(out.Name) != "update/app" {
		t.Fatalf("UpdateSecret = %s %s version %v", aws.ToString(out.ARN), aws.ToString(out.Name), out.VersionId)
	}
	if raw := rawCall(t, s, "UpdateSecret", map[string]any{"SecretId": "update/app", "Description": "newer"}); raw["VersionId"] != nil {
		t.Fatalf("description-only UpdateSecret answered a VersionId: %v", raw)
	}
	d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("update/app")})
	must(t, err)
	if aws.ToString(d.Description) != "newer" {
		t.Fatalf("Description = %q", aws.ToString(d.Description))
	}
	wantStages(t, sm, "update/app", map[string][]string{v1: {"AWSCURRENT"}})

	// With a value: a new AWSCURRENT version, the old one AWSPREVIOUS.
	out, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("update/app"), SecretString: aws.String("v2")})
	must(t, err)
	v2 := aws.ToString(out.VersionId)
	if v2 == "" || v2 == v1 {
		t.Fatalf("UpdateSecret with a value: VersionId %q", v2)
	}
	wantStages(t, sm, "update/app", map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}})
	got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("update/app")})
	if aws.ToString(got.SecretString) != "v2" || aws.ToString(got.VersionId) != v2 {
		t.Fatalf("current = %q %s", aws.ToString(got.SecretString), aws.ToString(got.VersionId))
	}

	// Both at once.
	out, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("update/app"), Description: aws.String("both"), SecretBinary: []byte{1, 2, 3}})
	must(t, err)
	got = mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("update/app")})
	if !bytes.Equal(got.SecretBinary, []byte{1, 2, 3}) || aws.ToString(got.VersionId) != aws.ToString(out.VersionId) {
		t.Fatalf("current = %x %s", got.SecretBinary, aws.ToString(got.VersionId))
	}
	d, err = sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("update/app")})
	must(t, err)
	if aws.ToString(d.Description) != "both" {
		t.Fatalf("Description = %q", aws.ToString(d.Description))
	}
}

func TestDescribeSecret(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()

	t.Run("Fields", func(t *testing.T) {
		t.Parallel()
		before := time.Now().Add(-time.Second)
		created := mustCreate(t, sm, "describe/plain", "v")
		after := time.Now().Add(time.Second)
		d := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "describe/plain"})
		if d["ARN"] != aws.ToString(created.ARN) || d["Name"] != "describe/plain" {
			t.Fatalf("ARN, Name = %v, %v", d["ARN"], d["Name"])
		}
		// Notes §9: no KmsKeyId for a secret on the default key (API doc);
		// notes §11: no Tags for a secret never tagged; notes §14: no
		// LastAccessedDate before the first read.
		for _, k := range []string{"KmsKeyId", "Tags", "LastAccessedDate", "DeletedDate", "Description"} {
			if v, ok := d[k]; ok {
				t.Errorf("DescribeSecret has %s: %v", k, v)
			}
		}
		vs, ok := d["VersionIdsToStages"].(map[string]any)
		if !ok || len(vs) != 1 || fmt.Sprint(vs[aws.ToString(created.VersionId)]) != "[AWSCURRENT]" {
			t.Fatalf("VersionIdsToStages = %v", d["VersionIdsToStages"])
		}
		cd, lc := epochOf(t, d["CreatedDate"]), epochOf(t, d["LastChangedDate"])
		if cd.Before(before) || cd.After(after) || !lc.Equal(cd) {
			t.Fatalf("CreatedDate %v, LastChangedDate %v; want both between %v and %v and equal", cd, lc, before, after)
		}
	})

	t.Run("LastAccessedDate", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "describe/accessed", "v")
		// DescribeSecret is not an access (notes §14).
		rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "describe/accessed"})
		if d := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "describe/accessed"}); d["LastAccessedDate"] != nil {
			t.Fatalf("LastAccessedDate after DescribeSecret only: %v", d["LastAccessedDate"])
		}
		dayBefore := time.Now().UTC().Truncate(24 * time.Hour)
		mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("describe/accessed")})
		d := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "describe/accessed"})
		dayAfter := time.Now().UTC().Truncate(24 * time.Hour)
		// Notes §14: AWS-seen, truncated to midnight UTC.
		la := epochOf(t, d["LastAccessedDate"])
		if !la.Equal(dayBefore) && !la.Equal(dayAfter) {
			t.Fatalf("LastAccessedDate = %v; want midnight UTC today (%v)", la, dayAfter)
		}
		// The version's LastAccessedDate too.
		l := rawCall(t, s, "ListSecretVersionIds", map[string]any{"SecretId": "describe/accessed"})
		v := l["Versions"].([]any)[0].(map[string]any)
		if vla := epochOf(t, v["LastAccessedDate"]); !vla.Equal(la) {
			t.Fatalf("version LastAccessedDate = %v; want %v", vla, la)
		}
	})

	t.Run("TagsRemoved", func(t *testing.T) {
		t.Parallel()
		_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
			Name: aws.String("describe/tagged"), SecretString: aws.String("v"),
			Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}},
		})
		must(t, err)
		_, err = sm.UntagResource(t.Context(), &secretsmanager.UntagResourceInput{SecretId: aws.String("describe/tagged"), TagKeys: []string{"a"}})
		must(t, err)
		// Notes §11: AWS-seen, "Tags": [] once all tags are removed
		// (localstack snapshot test_secret_tags).
		d := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": "describe/tagged"})
		tags, ok := d["Tags"].([]any)
		if !ok || len(tags) != 0 {
			t.Fatalf("Tags = %#v; want []", d["Tags"])
		}
	})
}

func TestListSecretVersionIds(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	ids := []string{aws.ToString(mustCreate(t, sm, "versions/app", "v0").VersionId)}
	for i := 1; i < 5; i++ {
		ids = append(ids, aws.ToString(mustPut(t, sm, "versions/app", newToken(t), fmt.Sprint("v", i)).VersionId))
	}
	list := func(t *testing.T, in map[string]any) (versions []map[string]any, next string) {
		t.Helper()
		out := rawCall(t, s, "ListSecretVersionIds", in)
		if out["Name"] != "versions/app" || !strings.HasPrefix(fmt.Sprint(out["ARN"]), "arn:aws:secretsmanager:us-east-1:") {
			t.Fatalf("ARN, Name = %v, %v", out["ARN"], out["Name"])
		}
		for _, v := range out["Versions"].([]any) {
			versions = append(versions, v.(map[string]any))
		}
		if n, ok := out["NextToken"].(string); ok {
			next = n
		}
		return versions, next
	}
	idsOf := func(vs []map[string]any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v["VersionId"].(string))
		}
		return out
	}

	t.Run("LabelledOnly", func(t *testing.T) {
		t.Parallel()
		// Notes §15: versions without labels are left out unless
		// IncludeDeprecated; oldest first.
		vs, next := list(t, map[string]any{"SecretId": "versions/app"})
		if got := idsOf(vs); !slices.Equal(got, ids[3:]) || next != "" {
			t.Fatalf("versions = %v next %q; want %v", got, next, ids[3:])
		}
		if fmt.Sprint(vs[0]["VersionStages"]) != "[AWSPREVIOUS]" || fmt.Sprint(vs[1]["VersionStages"]) != "[AWSCURRENT]" {
			t.Fatalf("stages = %v, %v", vs[0]["VersionStages"], vs[1]["VersionStages"])
		}
	})

	t.Run("IncludeDeprecated", func(t *testing.T) {
		t.Parallel()
		vs, _ := list(t, map[string]any{"SecretId": "versions/app", "IncludeDeprecated": true})
		if got := idsOf(vs); !slices.Equal(got, ids) {
			t.Fatalf("versions = %v; want %v", got, ids)
		}
		var prev time.Time
		for i, v := range vs {
			// Notes §9: AWS-seen, "DefaultEncryptionKey" for the default key.
			if fmt.Sprint(v["KmsKeyIds"]) != "[DefaultEncryptionKey]" {
				t.Errorf("version %d KmsKeyIds = %v", i, v["KmsKeyIds"])
			}
			// Notes §15: AWS-seen, deprecated versions have no VersionStages key.
			if _, ok := v["VersionStages"]; ok != (i >= 3) {
				t.Errorf("version %d VersionStages = %v", i, v["VersionStages"])
			}
			cd := epochOf(t, v["CreatedDate"])
			if cd.Before(prev) {
				t.Errorf("version %d created %v, before the one listed above it (%v)", i, cd, prev)
			}
			prev = cd
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		t.Parallel()
		var got []string
		var sizes []int
		token := ""
		for page := 0; page < 10; page++ {
			in := map[string]any{"SecretId": "versions/app", "IncludeDeprecated": true, "MaxResults": 2}
			if token != "" {
				in["NextToken"] = token
			}
			vs, next := list(t, in)
			got = append(got, idsOf(vs)...)
			sizes = append(sizes, len(vs))
			if token = next; token == "" {
				break
			}
		}
		if !slices.Equal(got, ids) || fmt.Sprint(sizes) != "[2 2 1]" {
			t.Fatalf("pages %v gave %v; want [2 2 1] giving %v", sizes, got, ids)
		}
		// The SDK's paginator walks the same pages.
		p := secretsmanager.NewListSecretVersionIdsPaginator(sm, &secretsmanager.ListSecretVersionIdsInput{
			SecretId: aws.String("versions/app"), IncludeDeprecated: aws.Bool(true), MaxResults: aws.Int32(2),
		})
		var sdkGot []string
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			must(t, err)
			for _, v := range out.Versions {
				sdkGot = append(sdkGot, aws.ToString(v.VersionId))
			}
		}
		if !slices.Equal(sdkGot, ids) {
			t.Fatalf("paginator = %v; want %v", sdkGot, ids)
		}
	})
}

func TestUpdateSecretVersionStage(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()

	t.Run("Move", func(t *testing.T) {
		t.Parallel()
		const name = "stage/move"
		v1 := aws.ToString(mustCreate(t, sm, name, "one").VersionId)
		v2 := aws.ToString(mustPut(t, sm, name, newToken(t), "two").VersionId)
		_, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v1),
		})
		// Notes §7: AWS-seen (terraform-provider-aws CHANGELOG 5.33.0).
		wantAPIError(t, err, "InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version "+
			v2+", so you must explicitly reference that version in RemoveFromVersionId.")
		out, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v1), RemoveFromVersionId: aws.String(v2),
		})
		must(t, err)
		if aws.ToString(out.Name) != name || !strings.HasPrefix(aws.ToString(out.ARN), "arn:aws:secretsmanager:") {
			t.Fatalf("UpdateSecretVersionStage = %s %s", aws.ToString(out.ARN), aws.ToString(out.Name))
		}
		// Notes §7: AWS-seen, the old holder of AWSCURRENT gets AWSPREVIOUS.
		wantStages(t, sm, name, map[string][]string{v1: {"AWSCURRENT"}, v2: {"AWSPREVIOUS"}})
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if aws.ToString(got.SecretString) != "one" {
			t.Fatalf("current = %q", aws.ToString(got.SecretString))
		}
	})

	t.Run("CustomLabel", func(t *testing.T) {
		t.Parallel()
		const name = "stage/custom"
		v1 := aws.ToString(mustCreate(t, sm, name, "one").VersionId)
		v2 := aws.ToString(mustPut(t, sm, name, newToken(t), "two").VersionId)
		// A label nobody holds needs no RemoveFromVersionId.
		_, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("blue"), MoveToVersionId: aws.String(v1),
		})
		must(t, err)
		// Notes §7: moving a custom label does not touch AWSPREVIOUS.
		wantStages(t, sm, name, map[string][]string{v1: {"AWSPREVIOUS", "blue"}, v2: {"AWSCURRENT"}})
		_, err = sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("blue"), MoveToVersionId: aws.String(v2), RemoveFromVersionId: aws.String(v1),
		})
		must(t, err)
		wantStages(t, sm, name, map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT", "blue"}})
		// Remove it.
		_, err = sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("blue"), RemoveFromVersionId: aws.String(v2),
		})
		must(t, err)
		wantStages(t, sm, name, map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}})
		_, err = sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("blue")})
		wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: blue")
	})

	t.Run("RemoveCurrentRefused", func(t *testing.T) {
		t.Parallel()
		const name = "stage/current"
		v1 := aws.ToString(mustCreate(t, sm, name, "one").VersionId)
		_, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"), RemoveFromVersionId: aws.String(v1),
		})
		// Coffer's text (internal/secrets/messages.go, from emulators); AWS
		// refuses to leave a secret without AWSCURRENT, no capture of its text.
		wantAPIError(t, err, "InvalidParameterException", "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
		wantStages(t, sm, name, map[string][]string{v1: {"AWSCURRENT"}})
	})

	t.Run("LabelLimit", func(t *testing.T) {
		t.Parallel()
		const name = "stage/limit"
		v1 := aws.ToString(mustCreate(t, sm, name, "one").VersionId)
		mustPut(t, sm, name, newToken(t), "two") // AWSCURRENT and AWSPREVIOUS: 2 labels
		for i := 1; i <= 18; i++ {
			_, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
				SecretId: aws.String(name), VersionStage: aws.String(fmt.Sprintf("label-%02d", i)), MoveToVersionId: aws.String(v1),
			})
			if err != nil {
				t.Fatalf("label %d of 20: %v", i+2, err)
			}
		}
		// The quota is 20 staging labels across a secret's versions (notes
		// §7: doc); the message is Coffer's text, AWS's is not captured.
		const msg = "A secret can't have more than 20 staging labels."
		_, err := sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("label-19"), MoveToVersionId: aws.String(v1),
		})
		wantAPIError(t, err, "LimitExceededException", msg)
		_, err = sm.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(name), SecretString: aws.String("three"), VersionStages: []string{"label-19"},
		})
		wantAPIError(t, err, "LimitExceededException", msg)
		// Moving an existing label stays within the limit.
		_, err = sm.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("label-01"), MoveToVersionId: aws.String(v1),
		})
		must(t, err)
		n := 0
		for _, st := range stagesOf(t, sm, name) {
			n += len(st)
		}
		if n != 20 {
			t.Fatalf("%d labels; want 20", n)
		}
	})
}

func TestDeleteSecret(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	// Notes §5: AWS-seen (getmoto/moto#6461).
	const msgRange = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."

	wantDate := func(t *testing.T, got *time.Time, before, after time.Time, d time.Duration) {
		t.Helper()
		// Timestamps go over the wire with millisecond precision.
		lo, hi := before.Add(d).Truncate(time.Millisecond), after.Add(d)
		if got == nil || got.Before(lo) || got.After(hi) {
			t.Fatalf("date = %v; want between %v and %v", got, lo, hi)
		}
	}

	t.Run("DefaultWindow", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "delete/default", "v")
		before := time.Now()
		out, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("delete/default")})
		after := time.Now()
		must(t, err)
		// The DeleteSecret doc: the request time plus the window, 30 days by default.
		wantDate(t, out.DeletionDate, before, after, 30*24*time.Hour)
		if aws.ToString(out.Name) != "delete/default" {
			t.Fatalf("Name = %q", aws.ToString(out.Name))
		}
	})

	t.Run("WindowRange", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "delete/range", "v")
		for _, days := range []int64{0, 6, 31, 365} {
			_, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("delete/range"), RecoveryWindowInDays: aws.Int64(days)})
			wantAPIError(t, err, "InvalidParameterException", msgRange)
		}
		// Notes §5: the range is checked before the combination with Force.
		_, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{
			SecretId: aws.String("delete/range"), RecoveryWindowInDays: aws.Int64(0), ForceDeleteWithoutRecovery: aws.Bool(true),
		})
		wantAPIError(t, err, "InvalidParameterException", msgRange)
		// Notes §5: emulators' text (moto and others agree).
		_, err = sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{
			SecretId: aws.String("delete/range"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true),
		})
		wantAPIError(t, err, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
		mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("delete/range")}) // untouched
		for _, days := range []int64{7, 30} {
			name := fmt.Sprint("delete/window-", days)
			mustCreate(t, sm, name, "v")
			before := time.Now()
			out, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(days)})
			after := time.Now()
			must(t, err)
			wantDate(t, out.DeletionDate, before, after, time.Duration(days)*24*time.Hour)
		}
	})

	t.Run("Force", func(t *testing.T) {
		t.Parallel()
		first := mustCreate(t, sm, "delete/force", "v")
		before := time.Now()
		out, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("delete/force"), ForceDeleteWithoutRecovery: aws.Bool(true)})
		after := time.Now()
		must(t, err)
		wantDate(t, out.DeletionDate, before, after, 0)
		if aws.ToString(out.ARN) != aws.ToString(first.ARN) {
			t.Fatalf("ARN = %q; want %q", aws.ToString(out.ARN), aws.ToString(first.ARN))
		}
		_, err = sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("delete/force")})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
		// The name is free at once, under a new ARN.
		again := mustCreate(t, sm, "delete/force", "v2")
		if aws.ToString(again.ARN) == aws.ToString(first.ARN) {
			t.Fatalf("re-created secret has the old ARN %s", aws.ToString(again.ARN))
		}
		// Notes §5: a forced delete of a secret that does not exist succeeds (doc).
		_, err = sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("delete/never-existed"), ForceDeleteWithoutRecovery: aws.Bool(true)})
		must(t, err)
	})

	t.Run("Scheduled", func(t *testing.T) {
		t.Parallel()
		const name = "delete/scheduled"
		v1 := aws.ToString(mustCreate(t, sm, name, "keep me").VersionId)
		before := time.Now()
		_, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
		after := time.Now()
		must(t, err)

		// Reads and changes are refused (notes §3).
		ctx, id := t.Context(), aws.String(name)
		refused := map[string]error{}
		_, refused["GetSecretValue"] = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
		_, refused["PutSecretValue"] = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: id, SecretString: aws.String("x")})
		_, refused["UpdateSecret"] = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String("x")})
		_, refused["UpdateSecretVersionStage"] = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: id, VersionStage: aws.String("blue"), MoveToVersionId: aws.String(v1),
		})
		_, refused["TagResource"] = sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: id, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		_, refused["UntagResource"] = sm.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: []string{"k"}})
		for op, err := range refused {
			t.Run(op, func(t *testing.T) { wantAPIError(t, err, "InvalidRequestException", msgMarkedForDeletion) })
		}

		// DescribeSecret still works and shows DeletedDate: the time of the
		// DeleteSecret call (notes §14, from the ListSecrets doc).
		d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
		must(t, err)
		wantDate(t, d.DeletedDate, before, after, 0)

		// ListSecrets hides it unless IncludePlannedDeletion.
		listed := func(include bool) []types.SecretListEntry {
			out, err := sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{
				IncludePlannedDeletion: aws.Bool(include),
				Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{name}}},
			})
			must(t, err)
			return out.SecretList
		}
		if l := listed(false); len(l) != 0 {
			t.Fatalf("ListSecrets shows a secret scheduled for deletion: %+v", l)
		}
		if l := listed(true); len(l) != 1 || aws.ToString(l[0].Name) != name || l[0].DeletedDate == nil {
			t.Fatalf("ListSecrets with IncludePlannedDeletion = %+v", l)
		}

		// Its name cannot be taken. Notes §2: AWS-seen (localstack snapshot
		// test_exp_raised_on_creation_of_secret_scheduled_for_deletion).
		_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: id, SecretString: aws.String("x")})
		wantAPIError(t, err, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")

		// RestoreSecret brings it back, value and all.
		r, err := sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: id})
		must(t, err)
		if aws.ToString(r.Name) != name || aws.ToString(r.ARN) != aws.ToString(d.ARN) {
			t.Fatalf("RestoreSecret = %s %s", aws.ToString(r.ARN), aws.ToString(r.Name))
		}
		got := mustGet(t, sm, &secretsmanager.GetSecretValueInput{SecretId: id})
		if aws.ToString(got.SecretString) != "keep me" {
			t.Fatalf("value after restore = %q", aws.ToString(got.SecretString))
		}
		if raw := rawCall(t, s, "DescribeSecret", map[string]any{"SecretId": name}); raw["DeletedDate"] != nil {
			t.Fatalf("DeletedDate after restore: %v", raw["DeletedDate"])
		}
		if l := listed(false); len(l) != 1 {
			t.Fatalf("ListSecrets after restore = %+v", l)
		}
	})
}

// TestDeleteSecret_PurgeAfterWindow moves the server's clock past recovery
// windows. The server then checks signatures against its shifted clock, so
// every request after a shift is signed at the shifted time.
func TestDeleteSecret_PurgeAfterWindow(t *testing.T) {
	t.Parallel()
	s := MustStart(t, ServerOptions{ExtraArgs: []string{"--purge-interval", "50ms"}})
	sm := s.SDK()
	old := mustCreate(t, sm, "purge/thirty", "v")
	mustCreate(t, sm, "purge/seven", "v")
	mustCreate(t, sm, "purge/live", "stays")
	_, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("purge/seven"), RecoveryWindowInDays: aws.Int64(7)})
	must(t, err)
	_, err = sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("purge/thirty")})
	must(t, err)

	// wantNotFound checks that DescribeSecret no longer finds id.
	wantNotFound := func(id string, at time.Time) {
		t.Helper()
		status, body, _ := s.Raw(t, RawRequest{Target: "secretsmanager.DescribeSecret", Body: `{"SecretId":"` + id + `"}`, Time: at})
		var e struct {
			Type    string `json:"__type"`
			Message string
		}
		json.Unmarshal(body, &e)
		if status != 400 || e.Type != "ResourceNotFoundException" || e.Message != msgNotFound {
			t.Fatalf("DescribeSecret(%s) = %d %s; want ResourceNotFoundException", id, status, body)
		}
	}
	// waitPurged waits until the purge job has logged n purges.
	waitPurged := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(s.Logs(), "purged deleted secrets") < n {
			if time.Now().After(deadline) {
				t.Fatalf("the purge job logged %d purges, want %d; logs:\n%s", strings.Count(s.Logs(), "purged deleted secrets"), n, s.Logs())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Eight days on: the 7-day window is over, the 30-day one is not.
	offset := 8 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	now := func() time.Time { return time.Now().Add(offset) }
	wantNotFound("purge/seven", now())
	d := rawCallAt(t, s, "DescribeSecret", map[string]any{"SecretId": "purge/thirty"}, now())
	if d["DeletedDate"] == nil {
		t.Fatalf("purge/thirty: no DeletedDate after 8 days: %v", d)
	}
	waitPurged(1)
	// Its name is free again.
	c := rawCallAt(t, s, "CreateSecret", map[string]any{"Name": "purge/seven", "SecretString": "new", "ClientRequestToken": newToken(t)}, now())
	wantARN(t, c["ARN"].(string), "us-east-1", s.Account, "purge/seven")

	// Thirty-one days on: the 30-day window is over too.
	offset = 31 * 24 * time.Hour
	s.SetClockOffset(t, offset)
	wantNotFound("purge/thirty", now())
	waitPurged(2)
	l := rawCallAt(t, s, "ListSecrets", map[string]any{"IncludePlannedDeletion": true}, now())
	var names []string
	for _, e := range l["SecretList"].([]any) {
		names = append(names, e.(map[string]any)["Name"].(string))
	}
	if !sameSet(names, []string{"purge/live", "purge/seven"}) {
		t.Fatalf("ListSecrets after the windows = %v; want purge/live and the new purge/seven", names)
	}
	c = rawCallAt(t, s, "CreateSecret", map[string]any{"Name": "purge/thirty", "SecretString": "new", "ClientRequestToken": newToken(t)}, now())
	if c["ARN"] == aws.ToString(old.ARN) {
		t.Fatalf("re-created purge/thirty has the purged secret's ARN")
	}
	g := rawCallAt(t, s, "GetSecretValue", map[string]any{"SecretId": "purge/live"}, now())
	if g["SecretString"] != "stays" {
		t.Fatalf("purge/live = %v", g["SecretString"])
	}
}

func TestTagResource(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	tagsOf := func(t *testing.T, id string) map[string]string {
		t.Helper()
		d, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		must(t, err)
		m := map[string]string{}
		for _, tg := range d.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

	t.Run("Merge", func(t *testing.T) {
		t.Parallel()
		_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("tags/merge"), SecretString: aws.String("v"), Tags: []types.Tag{tag("a", "1"), tag("keep", "k")}})
		must(t, err)
		// Notes §11: TagResource merges; omitted keys are kept.
		_, err = sm.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("tags/merge"), Tags: []types.Tag{tag("b", "2"), tag("a", "3")}})
		must(t, err)
		if got := tagsOf(t, "tags/merge"); fmt.Sprint(got) != "map[a:3 b:2 keep:k]" {
			t.Fatalf("tags = %v", got)
		}
		// Absent keys are ignored (notes §11: guess).
		_, err = sm.UntagResource(t.Context(), &secretsmanager.UntagResourceInput{SecretId: aws.String("tags/merge"), TagKeys: []string{"a", "absent"}})
		must(t, err)
		if got := tagsOf(t, "tags/merge"); fmt.Sprint(got) != "map[b:2 keep:k]" {
			t.Fatalf("tags = %v", got)
		}
	})

	t.Run("EmptyBody", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "tags/wire", "v")
		// Notes §0: AWS-seen, TagResource and UntagResource answer 200 with an
		// empty body.
		for _, c := range []struct{ op, body string }{
			{"TagResource", `{"SecretId":"tags/wire","Tags":[{"Key":"k","Value":"v"}]}`},
			{"UntagResource", `{"SecretId":"tags/wire","TagKeys":["k"]}`},
		} {
			status, body, hdr := s.Raw(t, RawRequest{Target: "secretsmanager." + c.op, Body: c.body})
			if status != 200 || len(body) != 0 || hdr.Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Fatalf("%s = %d %q %q", c.op, status, body, hdr.Get("Content-Type"))
			}
		}
	})

	t.Run("SystemTags", func(t *testing.T) {
		t.Parallel()
		mustCreate(t, sm, "tags/system", "v")
		// Notes §11: AWS-seen (cloud-custodian/cloud-custodian#9093).
		_, err := sm.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("tags/system"), Tags: []types.Tag{tag("aws:cloudformation:stack-name", "x")}})
		wantAPIError(t, err, "InvalidParameterException", "You can't modify system tags. Tag key: 'aws:cloudformation:stack-name'.")
		_, err = sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("tags/system2"), SecretString: aws.String("v"), Tags: []types.Tag{tag("aws:x", "y")}})
		wantAPIError(t, err, "InvalidParameterException", "You can't modify system tags. Tag key: 'aws:x'.")
		if got := tagsOf(t, "tags/system"); len(got) != 0 {
			t.Fatalf("tags = %v", got)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		var fifty []types.Tag
		for i := range 50 {
			fifty = append(fifty, tag(fmt.Sprint("k", i), "v"))
		}
		_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("tags/limit"), SecretString: aws.String("v"), Tags: fifty[:49]})
		must(t, err)
		_, err = sm.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("tags/limit"), Tags: fifty[49:]})
		must(t, err)
		// Replacing a value keeps the count at 50.
		_, err = sm.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("tags/limit"), Tags: []types.Tag{tag("k0", "new")}})
		must(t, err)
		// 50 tags per secret is AWS's quota (doc); the error code and text are
		// Coffer's (notes §11: no capture found).
		const msg = "You can't attach more than 50 tags to a secret."
		_, err = sm.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("tags/limit"), Tags: []types.Tag{tag("k50", "v")}})
		wantAPIError(t, err, "InvalidParameterException", msg)
		_, err = sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
			Name: aws.String("tags/limit2"), SecretString: aws.String("v"), Tags: append(slices.Clone(fifty), tag("k50", "v")),
		})
		wantAPIError(t, err, "InvalidParameterException", msg)
		if got := tagsOf(t, "tags/limit"); len(got) != 50 || got["k0"] != "new" {
			t.Fatalf("%d tags, k0 = %q", len(got), got["k0"])
		}
	})
}

func TestGetRandomPassword(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	const (
		upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		lower = "abcdefghijklmnopqrstuvwxyz"
		digit = "0123456789"
		// The API reference's list under ExcludePunctuation.
		punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	)
	has := func(pw, set string) bool { return strings.ContainsAny(pw, set) }
	only := func(pw, set string) bool {
		return strings.IndexFunc(pw, func(r rune) bool { return !strings.ContainsRune(set, r) }) < 0
	}
	get := func(t *testing.T, in *secretsmanager.GetRandomPasswordInput) string {
		t.Helper()
		out, err := sm.GetRandomPassword(t.Context(), in)
		must(t, err)
		return aws.ToString(out.RandomPassword)
	}

	t.Run("Default", func(t *testing.T) {
		t.Parallel()
		// The API reference: 32 characters, all four types, no space, each
		// type present (RequireEachIncludedType defaults to true).
		pw := get(t, &secretsmanager.GetRandomPasswordInput{})
		if len(pw) != 32 || !only(pw, upper+lower+digit+punct) || !has(pw, upper) || !has(pw, lower) || !has(pw, digit) || !has(pw, punct) {
			t.Fatalf("password %q", pw)
		}
	})

	t.Run("Length", func(t *testing.T) {
		t.Parallel()
		for _, n := range []int64{1, 3, 4, 100, 4096} {
			in := &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(n)}
			if n < 4 {
				// Fewer characters than types needs RequireEachIncludedType off.
				in.RequireEachIncludedType = aws.Bool(false)
			}
			if pw := get(t, in); int64(len(pw)) != n {
				t.Fatalf("length %d: got %d characters", n, len(pw))
			}
		}
	})

	t.Run("Exclusions", func(t *testing.T) {
		t.Parallel()
		const excluded = "abcdefABCDEF012345!@#$%^&*()"
		pw := get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(1000), ExcludeCharacters: aws.String(excluded)})
		if has(pw, excluded) {
			t.Fatalf("password holds an excluded character: %q", pw)
		}
		for _, c := range []struct {
			name string
			in   secretsmanager.GetRandomPasswordInput
			gone string
		}{
			{"Numbers", secretsmanager.GetRandomPasswordInput{ExcludeNumbers: aws.Bool(true)}, digit},
			{"Punctuation", secretsmanager.GetRandomPasswordInput{ExcludePunctuation: aws.Bool(true)}, punct},
			{"Uppercase", secretsmanager.GetRandomPasswordInput{ExcludeUppercase: aws.Bool(true)}, upper},
			{"Lowercase", secretsmanager.GetRandomPasswordInput{ExcludeLowercase: aws.Bool(true)}, lower},
		} {
			c.in.PasswordLength = aws.Int64(200)
			pw := get(t, &c.in)
			if has(pw, c.gone) || len(pw) != 200 {
				t.Errorf("%s excluded: %q", c.name, pw)
			}
			for _, set := range []string{upper, lower, digit, punct} {
				if set != c.gone && !has(pw, set) {
					t.Errorf("%s excluded: no character of %q in %q", c.name, set, pw)
				}
			}
		}
		pw = get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(64), ExcludePunctuation: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeLowercase: aws.Bool(true)})
		if !only(pw, digit) {
			t.Fatalf("digits only: %q", pw)
		}
	})

	t.Run("IncludeSpace", func(t *testing.T) {
		t.Parallel()
		// 4096 characters from 95: the chance of no space is about e^-43.
		if pw := get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4096), IncludeSpace: aws.Bool(true)}); !has(pw, " ") {
			t.Fatalf("no space in 4096 characters with IncludeSpace")
		}
		if pw := get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4096)}); has(pw, " ") {
			t.Fatalf("a space without IncludeSpace")
		}
	})

	t.Run("RequireEachIncludedType", func(t *testing.T) {
		t.Parallel()
		// Four characters, one of each type, every time; by chance alone a
		// 4-character password has all four types about 1 time in 10.
		for i := range 30 {
			pw := get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4), RequireEachIncludedType: aws.Bool(true)})
			if !has(pw, upper) || !has(pw, lower) || !has(pw, digit) || !has(pw, punct) {
				t.Fatalf("try %d: %q lacks a type", i, pw)
			}
		}
		pw := get(t, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3), RequireEachIncludedType: aws.Bool(false)})
		if len(pw) != 3 {
			t.Fatalf("password %q", pw)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		// Texts from moto and go-to-k/cdkd PR #3086 (measured on AWS); see
		// internal/secrets/password.go.
		_, err := sm.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3)})
		wantAPIError(t, err, "InvalidParameterException", "Password length is too short based on the required types.")
		_, err = sm.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{
			ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeLowercase: aws.Bool(true),
		})
		wantAPIError(t, err, "InvalidParameterException", "All characters have been excluded from selection.")
	})
}

func TestBatchGetSecretValue(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	a := mustCreate(t, sm, "batch/a", "value a")
	b := mustCreate(t, sm, "batch/b", "value b")
	var filtered []string
	for i := range 5 {
		name := fmt.Sprintf("batch/f-%02d", i)
		mustCreate(t, sm, name, "value "+name)
		filtered = append(filtered, name)
	}

	t.Run("ByID", func(t *testing.T) {
		t.Parallel()
		out, err := sm.BatchGetSecretValue(t.Context(), &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"batch/a", aws.ToString(b.ARN), "batch/missing"}})
		must(t, err)
		if len(out.SecretValues) != 2 ||
			aws.ToString(out.SecretValues[0].Name) != "batch/a" || aws.ToString(out.SecretValues[0].SecretString) != "value a" ||
			aws.ToString(out.SecretValues[0].VersionId) != aws.ToString(a.VersionId) || !slices.Equal(out.SecretValues[0].VersionStages, []string{"AWSCURRENT"}) ||
			aws.ToString(out.SecretValues[1].Name) != "batch/b" || aws.ToString(out.SecretValues[1].SecretString) != "value b" {
			t.Fatalf("SecretValues = %+v", out.SecretValues)
		}
		// Notes §10: a missing secret is reported in Errors, with the id as given.
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].SecretId) != "batch/missing" ||
			aws.ToString(out.Errors[0].ErrorCode) != "ResourceNotFoundException" || aws.ToString(out.Errors[0].Message) != msgNotFound {
			t.Fatalf("Errors = %+v", out.Errors)
		}
	})

	t.Run("ByFilters", func(t *testing.T) {
		t.Parallel()
		var got []string
		var sizes []int
		p := secretsmanager.NewBatchGetSecretValuePaginator(sm, &secretsmanager.BatchGetSecretValueInput{
			Filters:    []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"batch/f-"}}},
			MaxResults: aws.Int32(2),
		})
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			must(t, err)
			sizes = append(sizes, len(out.SecretValues))
			for _, v := range out.SecretValues {
				if aws.ToString(v.SecretString) != "value "+aws.ToString(v.Name) {
					t.Errorf("%s = %q", aws.ToString(v.Name), aws.ToString(v.SecretString))
				}
				got = append(got, aws.ToString(v.Name))
			}
			if len(out.Errors) != 0 {
				t.Errorf("Errors = %+v", out.Errors)
			}
		}
		if !sameSet(got, filtered) || len(got) != len(filtered) || fmt.Sprint(sizes) != "[2 2 1]" {
			t.Fatalf("pages %v gave %v; want [2 2 1] giving %v", sizes, got, filtered)
		}
	})

	t.Run("BothRefused", func(t *testing.T) {
		t.Parallel()
		_, err := sm.BatchGetSecretValue(t.Context(), &secretsmanager.BatchGetSecretValueInput{
			SecretIdList: []string{"batch/a"}, Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"batch/"}}},
		})
		// Notes §10: moto's text (emulator-only); the rule itself is documented.
		wantAPIError(t, err, "InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	})
}

func TestListSecrets_Filters(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	universe := []secretsmanager.CreateSecretInput{
		{Name: aws.String("prod/db"), Description: aws.String("Primary database credentials"), Tags: []types.Tag{tag("team", "payments"), tag("env", "production")}},
		{Name: aws.String("prod/api"), Description: aws.String("API key for the billing service"), Tags: []types.Tag{tag("team", "billing")}},
		{Name: aws.String("dev/db"), Description: aws.String("Development database"), Tags: []types.Tag{tag("env", "dev")}},
		{Name: aws.String("dev/cache")},
		{Name: aws.String("Prod/legacy"), Description: aws.String("old"), Tags: []types.Tag{tag("owner", "Ops")}},
	}
	for i := range universe {
		universe[i].SecretString = aws.String("v")
		_, err := sm.CreateSecret(t.Context(), &universe[i])
		must(t, err)
	}
	f := func(key types.FilterNameStringType, values ...string) types.Filter {
		return types.Filter{Key: key, Values: values}
	}
	const (
		name     = types.FilterNameStringTypeName
		tagKey   = types.FilterNameStringTypeTagKey
		tagValue = types.FilterNameStringTypeTagValue
		desc     = types.FilterNameStringTypeDescription
		all      = types.FilterNameStringTypeAll
	)
	// The matching rules and their sources are in internal/secrets/filter.go
	// (MatchFilters); the cases here follow the API reference and the user
	// guide's examples.
	tests := []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"NamePrefix", []types.Filter{f(name, "prod/")}, []string{"prod/db", "prod/api"}},
		{"NameCaseSensitive", []types.Filter{f(name, "Prod")}, []string{"Prod/legacy"}},
		{"NameNotSubstring", []types.Filter{f(name, "db")}, nil},
		{"NameValuesOred", []types.Filter{f(name, "prod/", "dev/")}, []string{"prod/db", "prod/api", "dev/db", "dev/cache"}},
		{"NameNegated", []types.Filter{f(name, "!prod/")}, []string{"dev/db", "dev/cache", "Prod/legacy"}},
		{"TagKey", []types.Filter{f(tagKey, "team")}, []string{"prod/db", "prod/api"}},
		{"TagKeyPrefix", []types.Filter{f(tagKey, "te")}, []string{"prod/db", "prod/api"}},
		{"TagKeyNegated", []types.Filter{f(tagKey, "!team")}, []string{"dev/db", "dev/cache", "Prod/legacy"}},
		{"TagValue", []types.Filter{f(tagValue, "payments")}, []string{"prod/db"}},
		{"TagValuePrefix", []types.Filter{f(tagValue, "prod")}, []string{"prod/db"}},
		{"TagValueCaseSensitive", []types.Filter{f(tagValue, "ops")}, nil},
		{"Description", []types.Filter{f(desc, "database")}, []string{"prod/db", "dev/db"}},
		{"DescriptionCaseInsensitive", []types.Filter{f(desc, "DATABASE")}, []string{"prod/db", "dev/db"}},
		{"DescriptionWordsAnyOrder", []types.Filter{f(desc, "cred data")}, []string{"prod/db"}},
		{"DescriptionWordPrefixOnly", []types.Filter{f(desc, "base")}, nil},
		{"DescriptionNegated", []types.Filter{f(desc, "!database")}, []string{"prod/api", "dev/cache", "Prod/legacy"}},
		{"AllDescriptionAndTag", []types.Filter{f(all, "billing")}, []string{"prod/api"}},
		{"AllTagValue", []types.Filter{f(all, "payments")}, []string{"prod/db"}},
		{"AllCaseInsensitive", []types.Filter{f(all, "ops")}, []string{"Prod/legacy"}},
		{"AllNameWord", []types.Filter{f(all, "cache")}, []string{"dev/cache"}},
		{"FiltersAnded", []types.Filter{f(name, "prod/"), f(tagKey, "team"), f(desc, "billing")}, []string{"prod/api"}},
		{"None", nil, []string{"prod/db", "prod/api", "dev/db", "dev/cache", "Prod/legacy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := sm.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: tt.filters})
			must(t, err)
			var got []string
			for _, e := range out.SecretList {
				got = append(got, aws.ToString(e.Name))
			}
			if !sameSet(got, tt.want) || len(got) != len(tt.want) {
				t.Fatalf("got %v; want %v", got, tt.want)
			}
		})
	}

	t.Run("Entry", func(t *testing.T) {
		t.Parallel()
		out, err := sm.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: []types.Filter{f(name, "prod/db")}})
		must(t, err)
		if len(out.SecretList) != 1 {
			t.Fatalf("got %d entries", len(out.SecretList))
		}
		e := out.SecretList[0]
		wantARN(t, aws.ToString(e.ARN), "us-east-1", s.Account, "prod/db")
		if aws.ToString(e.Description) != "Primary database credentials" || len(e.Tags) != 2 || e.KmsKeyId != nil ||
			e.CreatedDate == nil || e.LastChangedDate == nil || len(e.SecretVersionsToStages) != 1 {
			t.Fatalf("entry = %+v", e)
		}
		for _, st := range e.SecretVersionsToStages {
			if !slices.Equal(st, []string{"AWSCURRENT"}) {
				t.Fatalf("SecretVersionsToStages = %v", e.SecretVersionsToStages)
			}
		}
	})

	t.Run("Sort", func(t *testing.T) {
		t.Parallel()
		lowercase := []types.Filter{f(name, "prod/", "dev/")}
		for _, c := range []struct {
			by    types.SortByType
			order types.SortOrderType
			want  string
		}{
			{types.SortByTypeName, types.SortOrderTypeAsc, "[dev/cache dev/db prod/api prod/db]"},
			{types.SortByTypeName, types.SortOrderTypeDesc, "[prod/db prod/api dev/db dev/cache]"},
			{types.SortByTypeCreatedDate, types.SortOrderTypeAsc, "[prod/db prod/api dev/db dev/cache]"},
			{types.SortByTypeCreatedDate, types.SortOrderTypeDesc, "[dev/cache dev/db prod/api prod/db]"},
		} {
			out, err := sm.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: lowercase, SortBy: c.by, SortOrder: c.order})
			must(t, err)
			var got []string
			for _, e := range out.SecretList {
				got = append(got, aws.ToString(e.Name))
			}
			if fmt.Sprint(got) != c.want {
				t.Errorf("SortBy %s %s = %v; want %s", c.by, c.order, got, c.want)
			}
		}
	})
}

// TestListSecrets_Pagination walks ListSecrets three at a time while other
// secrets are created and deleted between pages: every secret that exists
// for the whole walk must appear exactly once.
func TestListSecrets_Pagination(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	sm := s.SDK()
	for _, c := range []struct {
		name  string
		by    types.SortByType
		order types.SortOrderType
	}{
		{"CreatedAsc", "", ""}, // the defaults
		{"CreatedDesc", types.SortByTypeCreatedDate, types.SortOrderTypeDesc},
		{"NameAsc", types.SortByTypeName, types.SortOrderTypeAsc},
		{"NameDesc", types.SortByTypeName, types.SortOrderTypeDesc},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			prefix := "walk-" + c.name + "/"
			const n = 12
			// Originals interleaved with others, so that deleting the others
			// shifts every original's position.
			var originals, others []string
			for i := range n {
				o := fmt.Sprintf("%sm-%02d", prefix, i)
				x := fmt.Sprintf("%sm-%02d-x", prefix, i)
				mustCreate(t, sm, o, "v")
				mustCreate(t, sm, x, "v")
				originals, others = append(originals, o), append(others, x)
			}
			seen := map[string]int{}
			in := &secretsmanager.ListSecretsInput{
				MaxResults: aws.Int32(3), SortBy: c.by, SortOrder: c.order,
				Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{prefix}}},
			}
			for page := 0; ; page++ {
				if page > 4*n {
					t.Fatal("the walk does not end")
				}
				out, err := sm.ListSecrets(t.Context(), in)
				must(t, err)
				for _, e := range out.SecretList {
					seen[aws.ToString(e.Name)]++
				}
				if out.NextToken == nil {
					break
				}
				in.NextToken = out.NextToken
				// Between pages: force-delete two of the others, and create
				// two new secrets, one sorting before every original by name
				// ("a-") and one after ("z-").
				for range 2 {
					if len(others) > 0 {
						_, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(others[0]), ForceDeleteWithoutRecovery: aws.Bool(true)})
						must(t, err)
						others = others[1:]
					}
				}
				mustCreate(t, sm, fmt.Sprintf("%sa-%02d", prefix, page), "v")
				mustCreate(t, sm, fmt.Sprintf("%sz-%02d", prefix, page), "v")
			}
			for _, o := range originals {
				if seen[o] != 1 {
					t.Errorf("%s seen %d times; want 1", o, seen[o])
				}
			}
		})
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	east, west := s.SDK("us-east-1"), s.SDK("eu-west-1")
	ctx := t.Context()
	created := mustCreate(t, east, "regional/app", "east value")
	arn := aws.ToString(created.ARN)
	wantARN(t, arn, "us-east-1", s.Account, "regional/app")

	// Invisible from another region, by name or by ARN.
	for _, id := range []string{"regional/app", arn} {
		_, err := west.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
		_, err = west.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
	}
	l, err := west.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	must(t, err)
	if len(l.SecretList) != 0 {
		t.Fatalf("eu-west-1 lists %+v", l.SecretList)
	}

	// The same name is free in the other region, with its own ARN and value.
	w := mustCreate(t, west, "regional/app", "west value")
	wantARN(t, aws.ToString(w.ARN), "eu-west-1", s.Account, "regional/app")
	for _, c := range []struct {
		sm   *secretsmanager.Client
		want string
	}{{east, "east value"}, {west, "west value"}} {
		got := mustGet(t, c.sm, &secretsmanager.GetSecretValueInput{SecretId: aws.String("regional/app")})
		if aws.ToString(got.SecretString) != c.want {
			t.Fatalf("got %q; want %q", aws.ToString(got.SecretString), c.want)
		}
	}
}
