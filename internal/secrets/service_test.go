package secrets_test

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// AWS's messages, copied here rather than from the package so that a change
// to one of them shows up as a failing test. Sources are in
// /tmp/research/sm-errors.md and in messages.go.
const (
	msgSecretNotFound      = "Secrets Manager can't find the specified secret."                                                         // AWS-seen
	msgMarkedForDeletion   = "You can't perform this operation on the secret because it was marked for deletion."                       // AWS-seen
	msgCreateScheduled     = "You can't create this secret because a secret with this name is already scheduled for deletion."          // AWS-seen
	msgInvalidName         = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!" // AWS-seen
	msgRecoveryWindowRange = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."                                // AWS-seen
	msgForceAndWindow      = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."                       // moto
	msgAlreadyScheduled    = "You can't perform this operation on the secret because it was already scheduled for deletion."            // emulators
	msgNoToken             = "You must provide a ClientRequestToken value. We recommend a UUID-type value."                             // AWS-seen
	msgNoValue             = "You must provide either SecretString or SecretBinary."                                                    // LocalStack
	msgStageMismatch       = "You provided a VersionStage that is not associated to the provided VersionId."                            // AWS-seen
	msgLabelLimit          = "A secret can't have more than 20 staging labels."                                                         // guess (AWS text unknown)
	msgTagLimit            = "You can't attach more than 50 tags to a secret."                                                          // guess (AWS text unknown)
	msgInvalidNextToken    = "The NextToken value is invalid."                                                                          // model description
	msgBatchBoth           = "Either 'SecretIdList' or 'Filters' must be provided, but not both."                                       // moto
	msgBatchMaxResults     = "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."                 // moto
	msgRemoveCurrent       = "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."
	msgMoveOrRemove        = "You must specify MoveToVersionId or RemoveFromVersionId."
)

func msgResourceExists(name string) string { // AWS-seen
	return "The operation failed because the secret " + name + " already exists."
}

func msgTokenInUse(token, arn string) string { // AWS-seen: moto's aws_verified test_*_different_secret*_with_same_token
	return "You can't use ClientRequestToken " + token + " because that value is already in use for a version of secret " + arn + "."
}

func msgNoValueForStage(stage string) string { // AWS-seen
	return "Secrets Manager can't find the specified secret value for staging label: " + stage
}

func msgNoValueForVersion(id string) string { // AWS-seen
	return "Secrets Manager can't find the specified secret value for VersionId: " + id
}

func msgSystemTag(key string) string { // AWS-seen
	return "You can't modify system tags. Tag key: '" + key + "'."
}

func msgStageAttached(stage, version string) string { // AWS-seen
	return "The parameter RemoveFromVersionId can't be empty. Staging label " + stage + " is currently attached to version " + version + ", so you must explicitly reference that version in RemoveFromVersionId."
}

func msgRemoveFromMismatch(stage string) string { // floci
	return "When you move staging label " + stage + ", if you specify RemoveFromVersionId, it must be set to the version that currently has the staging label " + stage + "."
}

func msgStageNotOn(stage, id string) string {
	return "Version stage " + stage + " not found in version " + id
}                                   // moto
func msgNoVersion(id string) string { return "Not a valid version: " + id } // moto

// t0 is when every test starts: mid-afternoon, so that day truncation shows.
var t0 = time.Date(2024, 5, 10, 15, 30, 0, 0, time.UTC)

var (
	alice      = secrets.Caller{Account: "111122223333", Region: "us-east-1", Principal: "arn:aws:iam::111122223333:root"}
	aliceWest  = secrets.Caller{Account: "111122223333", Region: "us-west-2", Principal: "arn:aws:iam::111122223333:root"}
	bob        = secrets.Caller{Account: "444455556666", Region: "us-east-1", Principal: "arn:aws:iam::444455556666:root"}
	arnPattern = regexp.MustCompile(`^arn:aws:secretsmanager:([a-z0-9-]+):([0-9]{12}):secret:(.+)-([A-Za-z]{6})$`)
)

// MustService returns a Service on a SQLite store in tb.TempDir, a keyring
// under a random root key and a fake clock set to t0.
func MustService(tb testing.TB) (*secrets.Service, *clock.Fake) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	root, err := keyring.NewRootKey(randomBytes(tb, 32))
	if err != nil {
		tb.Fatalf("NewRootKey: %v", err)
	}
	clk := clock.NewFake(t0)
	return &secrets.Service{
		Store:    st,
		Sealer:   keyring.New(root, clk, nil),
		Clock:    clk,
		TokenKey: randomBytes(tb, 32),
	}, clk
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// tok returns the n-th ClientRequestToken of a test: 36 characters, as the
// SDKs' UUIDs are.
func tok(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func val(s string) *secrets.Value { return &secrets.Value{Bytes: []byte(s)} }

func ptr[T any](v T) *T { return &v }

// MustCreateSecret creates a secret named name with value "v0" as version tok(0).
func MustCreateSecret(tb testing.TB, svc *secrets.Service, c secrets.Caller, name string) *secrets.SecretRef {
	tb.Helper()
	ref, err := svc.CreateSecret(tb.Context(), c, secrets.CreateSecretInput{Name: name, Token: tok(0), Value: val("v0")})
	if err != nil {
		tb.Fatalf("CreateSecret(%q): %v", name, err)
	}
	return ref
}

// MustPutSecretValue stores value as version token of secret id with stages.
func MustPutSecretValue(tb testing.TB, svc *secrets.Service, c secrets.Caller, id, token, value string, stages ...string) *secrets.PutSecretValueOutput {
	tb.Helper()
	out, err := svc.PutSecretValue(tb.Context(), c, secrets.PutSecretValueInput{SecretID: id, Token: token, Value: val(value), Stages: stages})
	if err != nil {
		tb.Fatalf("PutSecretValue(%q, %q): %v", id, token, err)
	}
	return out
}

func MustDescribeSecret(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string) *secrets.Description {
	tb.Helper()
	d, err := svc.DescribeSecret(tb.Context(), c, id)
	if err != nil {
		tb.Fatalf("DescribeSecret(%q): %v", id, err)
	}
	return d
}

func MustGetSecretValue(tb testing.TB, svc *secrets.Service, c secrets.Caller, in secrets.GetSecretValueInput) *secrets.SecretValue {
	tb.Helper()
	v, err := svc.GetSecretValue(tb.Context(), c, in)
	if err != nil {
		tb.Fatalf("GetSecretValue(%+v): %v", in, err)
	}
	return v
}

func MustDeleteSecret(tb testing.TB, svc *secrets.Service, c secrets.Caller, in secrets.DeleteSecretInput) *secrets.DeleteSecretOutput {
	tb.Helper()
	out, err := svc.DeleteSecret(tb.Context(), c, in)
	if err != nil {
		tb.Fatalf("DeleteSecret(%+v): %v", in, err)
	}
	return out
}

func MustUpdateStage(tb testing.TB, svc *secrets.Service, c secrets.Caller, in secrets.UpdateSecretVersionStageInput) {
	tb.Helper()
	if _, err := svc.UpdateSecretVersionStage(tb.Context(), c, in); err != nil {
		tb.Fatalf("UpdateSecretVersionStage(%+v): %v", in, err)
	}
}

// MustListAllVersions walks every page of ListSecretVersionIds.
func MustListAllVersions(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string, includeDeprecated bool, pageSize int) []*secrets.Version {
	tb.Helper()
	var all []*secrets.Version
	in := secrets.ListVersionsInput{SecretID: id, IncludeDeprecated: includeDeprecated, MaxResults: pageSize}
	for {
		out, err := svc.ListSecretVersionIds(tb.Context(), c, in)
		if err != nil {
			tb.Fatalf("ListSecretVersionIds(%+v): %v", in, err)
		}
		all = append(all, out.Versions...)
		if out.NextToken == "" {
			return all
		}
		in.NextToken = out.NextToken
	}
}

// assertError checks err's Kind and client-visible message exactly.
func assertError(tb testing.TB, err error, kind secrets.Kind, msg string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err = nil, want %v %q", kind, msg)
	}
	if got := secrets.KindOf(err); got != kind {
		tb.Errorf("KindOf(err) = %v, want %v (err: %v)", got, kind, err)
	}
	if got := secrets.MessageOf(err); got != msg {
		tb.Errorf("MessageOf(err) =\n\t%q\nwant\n\t%q", got, msg)
	}
}

// stagesOf returns the labels of each labelled version, each list sorted.
func stagesOf(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for v, st := range MustDescribeSecret(tb, svc, c, id).VersionStages {
		out[v] = slices.Sorted(slices.Values(st))
	}
	return out
}

func assertStages(tb testing.TB, svc *secrets.Service, c secrets.Caller, id string, want map[string][]string) {
	tb.Helper()
	got := stagesOf(tb, svc, c, id)
	for _, st := range want {
		slices.Sort(st)
	}
	if !mapsEqual(got, want) {
		tb.Errorf("VersionStages = %v, want %v", got, want)
	}
	assertLabelsUnique(tb, got)
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// assertLabelsUnique checks that no staging label is on two versions.
func assertLabelsUnique(tb testing.TB, stages map[string][]string) {
	tb.Helper()
	seen := map[string]string{}
	for v, st := range stages {
		for _, s := range st {
			if other, ok := seen[s]; ok {
				tb.Errorf("label %s is on versions %s and %s", s, other, v)
			}
			seen[s] = v
		}
	}
}

func TestService_CreateSecret(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		ref, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{
			Name: "prod/db/password", Description: ptr("the db"), Token: tok(1), Value: val("hunter2"),
		})
		if err != nil {
			t.Fatal(err)
		}
		m := arnPattern.FindStringSubmatch(ref.ARN)
		if m == nil {
			t.Fatalf("ARN %q does not match %v", ref.ARN, arnPattern)
		}
		if m[1] != alice.Region || m[2] != alice.Account || m[3] != "prod/db/password" {
			t.Errorf("ARN %q: region %q account %q name %q", ref.ARN, m[1], m[2], m[3])
		}
		if ref.Name != "prod/db/password" || ref.VersionID != tok(1) {
			t.Errorf("ref = %+v", ref)
		}
		d := MustDescribeSecret(t, svc, alice, ref.ARN)
		if d.Description != "the db" || !d.CreatedAt.Equal(t0) || !d.LastChangedAt.Equal(t0) || d.KMSKeyID != "" {
			t.Errorf("Describe = %+v", d.Secret)
		}
		assertStages(t, svc, alice, ref.ARN, map[string][]string{tok(1): {"AWSCURRENT"}})
		got := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "prod/db/password"})
		if string(got.Value.Bytes) != "hunter2" || got.Value.Binary || got.VersionID != tok(1) || !got.CreatedAt.Equal(t0) {
			t.Errorf("GetSecretValue = %+v", got)
		}
	})

	t.Run("OKBinary", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		bin := []byte{0, 1, 2, 255}
		if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "bin", Token: tok(1), Value: &secrets.Value{Bytes: bin, Binary: true}}); err != nil {
			t.Fatal(err)
		}
		got := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "bin"})
		if !bytes.Equal(got.Value.Bytes, bin) || !got.Value.Binary {
			t.Errorf("Value = %+v", got.Value)
		}
	})

	t.Run("OKNoValue", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		ref, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "empty"})
		if err != nil {
			t.Fatal(err)
		}
		if ref.VersionID != "" {
			t.Errorf("VersionID = %q, want none", ref.VersionID)
		}
		if d := MustDescribeSecret(t, svc, alice, "empty"); len(d.VersionStages) != 0 {
			t.Errorf("VersionStages = %v, want none", d.VersionStages)
		}
		// AWS-seen: boto/boto3#2794.
		_, err = svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: "empty"})
		assertError(t, err, secrets.NotFound, msgNoValueForStage("AWSCURRENT"))
		// The first version is AWSCURRENT.
		out := MustPutSecretValue(t, svc, alice, "empty", tok(1), "v1")
		if !slices.Equal(out.Stages, []string{"AWSCURRENT"}) {
			t.Errorf("Stages = %v", out.Stages)
		}
	})

	t.Run("OKNameLooksLikeSuffix", func(t *testing.T) {
		t.Parallel()
		// AWS-seen: such names are accepted (localstack test_create_and_update_secret).
		svc, _ := MustService(t)
		for _, name := range []string{"Invalid/_+=.@-Name-a1b2c3", "Valid/_+=.@-Name-a1b2c3-"} {
			MustCreateSecret(t, svc, alice, name)
		}
	})

	t.Run("OKRetry", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		first := MustCreateSecret(t, svc, alice, "retried")
		clk.Advance(time.Minute)
		again, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "retried", Token: tok(0), Value: val("v0")})
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if *again != *first {
			t.Errorf("retry = %+v, want %+v", again, first)
		}
		assertStages(t, svc, alice, "retried", map[string][]string{tok(0): {"AWSCURRENT"}})
		if d := MustDescribeSecret(t, svc, alice, "retried"); !d.LastChangedAt.Equal(t0) {
			t.Errorf("LastChangedAt = %v, want %v: a retry changes nothing", d.LastChangedAt, t0)
		}
	})

	t.Run("OKSameNameElsewhere", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		a := MustCreateSecret(t, svc, alice, "shared")
		w := MustCreateSecret(t, svc, aliceWest, "shared")
		b := MustCreateSecret(t, svc, bob, "shared")
		if a.ARN == w.ARN || a.ARN == b.ARN || !strings.Contains(w.ARN, ":us-west-2:") || !strings.Contains(b.ARN, ":444455556666:") {
			t.Errorf("ARNs %q %q %q", a.ARN, w.ARN, b.ARN)
		}
	})

	t.Run("OKTokenReusedAcrossSecrets", func(t *testing.T) {
		t.Parallel()
		// Version ids are unique within a secret only (External Secrets
		// Operator sends the same token for every secret).
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "one")
		MustCreateSecret(t, svc, alice, "two")
		if got := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "two", VersionID: tok(0)}); got.Name != "two" {
			t.Errorf("got %+v", got)
		}
	})

	type createTest struct {
		name    string
		setup   func(t *testing.T, svc *secrets.Service) string // returns the ARN of "taken", if made
		in      secrets.CreateSecretInput
		kind    secrets.Kind
		message func(arn string) string
	}
	scheduled := func(t *testing.T, svc *secrets.Service) string {
		ref := MustCreateSecret(t, svc, alice, "taken")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "taken"})
		return ref.ARN
	}
	tests := []createTest{
		{
			name:    "ErrExists",
			setup:   func(t *testing.T, svc *secrets.Service) string { return MustCreateSecret(t, svc, alice, "taken").ARN },
			in:      secrets.CreateSecretInput{Name: "taken", Token: tok(1), Value: val("v0")},
			kind:    secrets.Exists,
			message: func(string) string { return msgResourceExists("taken") },
		},
		{
			name:    "ErrExistsNoValue",
			setup:   func(t *testing.T, svc *secrets.Service) string { return MustCreateSecret(t, svc, alice, "taken").ARN },
			in:      secrets.CreateSecretInput{Name: "taken"},
			kind:    secrets.Exists,
			message: func(string) string { return msgResourceExists("taken") },
		},
		{
			name:    "ErrTokenInUse",
			setup:   func(t *testing.T, svc *secrets.Service) string { return MustCreateSecret(t, svc, alice, "taken").ARN },
			in:      secrets.CreateSecretInput{Name: "taken", Token: tok(0), Value: val("other")},
			kind:    secrets.Exists,
			message: func(arn string) string { return msgTokenInUse(tok(0), arn) },
		},
		{
			name:    "ErrScheduledName",
			setup:   scheduled,
			in:      secrets.CreateSecretInput{Name: "taken", Token: tok(1), Value: val("v0")},
			kind:    secrets.InvalidRequest,
			message: func(string) string { return msgCreateScheduled },
		},
		{
			name:    "ErrScheduledNameSameToken",
			setup:   scheduled,
			in:      secrets.CreateSecretInput{Name: "taken", Token: tok(0), Value: val("v0")},
			kind:    secrets.InvalidRequest,
			message: func(string) string { return msgCreateScheduled },
		},
		{
			name:    "ErrNoToken",
			in:      secrets.CreateSecretInput{Name: "x", Value: val("v")},
			kind:    secrets.InvalidRequest,
			message: func(string) string { return msgNoToken },
		},
		{
			name:    "ErrSystemTag",
			in:      secrets.CreateSecretInput{Name: "x", Tags: []secrets.Tag{{Key: "aws:cloudformation:stack-name", Value: "s"}}},
			kind:    secrets.InvalidParameter,
			message: func(string) string { return msgSystemTag("aws:cloudformation:stack-name") },
		},
		{
			name:    "ErrTagLimit",
			in:      secrets.CreateSecretInput{Name: "x", Tags: nTags(51)},
			kind:    secrets.InvalidParameter,
			message: func(string) string { return msgTagLimit },
		},
		{
			name:    "ErrKMSKeyUnknown",
			in:      secrets.CreateSecretInput{Name: "x", KMSKeyID: "alias/nope", Token: tok(0), Value: val("v")},
			kind:    secrets.InvalidParameter,
			message: func(string) string { return keyring.MsgKeyNotFound },
		},
		{
			name:    "ErrKMSKeyIDUnknown",
			in:      secrets.CreateSecretInput{Name: "x", KMSKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"},
			kind:    secrets.InvalidParameter,
			message: func(string) string { return keyring.MsgKeyNotFound },
		},
	}
	// AWS-seen: localstack test_invalid_secret_name; sent as ValidationException.
	for _, name := range []string{"Inv Name", " Inv*Name? ", "", "a#b", "tab\there", "é", "a,b", "semi;colon"} {
		tests = append(tests, createTest{
			name:    "ErrNameInvalid/" + name,
			in:      secrets.CreateSecretInput{Name: name, Token: tok(0), Value: val("v")},
			kind:    secrets.Validation,
			message: func(string) string { return msgInvalidName },
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := MustService(t)
			var arn string
			if tt.setup != nil {
				arn = tt.setup(t, svc)
			}
			var before map[string][]string
			if arn != "" {
				before = stagesOf(t, svc, alice, arn)
			}
			_, err := svc.CreateSecret(t.Context(), alice, tt.in)
			assertError(t, err, tt.kind, tt.message(arn))
			if arn != "" {
				assertStages(t, svc, alice, arn, before)
			}
		})
	}
}

func nTags(n int) []secrets.Tag {
	tags := make([]secrets.Tag, n)
	for i := range tags {
		tags[i] = secrets.Tag{Key: fmt.Sprintf("k%02d", i), Value: fmt.Sprintf("v%02d", i)}
	}
	return tags
}

func TestService_Lookup(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	db := MustCreateSecret(t, svc, alice, "prod/db")
	odd := MustCreateSecret(t, svc, alice, "app-a1b2c3") // a name that ends like a suffix
	MustCreateSecret(t, svc, aliceWest, "west-only")
	partial := func(c secrets.Caller, name string) string {
		return "arn:aws:secretsmanager:" + c.Region + ":" + c.Account + ":secret:" + name
	}
	suffix := db.ARN[len(db.ARN)-6:]
	wrongSuffix := "aaaaaa"
	if suffix == wrongSuffix {
		wrongSuffix = "bbbbbb"
	}

	tests := []struct {
		name    string
		caller  secrets.Caller
		id      string
		wantARN string // empty: not found
		kind    secrets.Kind
		message string
	}{
		{name: "OKName", caller: alice, id: "prod/db", wantARN: db.ARN},
		{name: "OKFullARN", caller: alice, id: db.ARN, wantARN: db.ARN},
		{name: "OKPartialARN", caller: alice, id: partial(alice, "prod/db"), wantARN: db.ARN},
		{name: "OKNameEndingLikeSuffix", caller: alice, id: "app-a1b2c3", wantARN: odd.ARN},
		{name: "OKFullARNOfNameEndingLikeSuffix", caller: alice, id: odd.ARN, wantARN: odd.ARN},
		// As on AWS: the partial ARN is taken for a full one.
		{name: "ErrPartialARNOfNameEndingLikeSuffix", caller: alice, id: partial(alice, "app-a1b2c3"), kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrWrongSuffix", caller: alice, id: partial(alice, "prod/db-"+wrongSuffix), kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrNamePrefix", caller: alice, id: "prod", kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrARNOtherAccount", caller: alice, id: strings.Replace(db.ARN, alice.Account, bob.Account, 1), kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrARNOtherRegion", caller: alice, id: strings.Replace(db.ARN, alice.Region, aliceWest.Region, 1), kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrPartialARNOtherRegion", caller: alice, id: partial(aliceWest, "west-only"), kind: secrets.NotFound, message: msgSecretNotFound},
		// Another account's secret is named by its ARN; whether the caller
		// may use it is the Authorizer's to decide (none here).
		{name: "OKCallerOtherAccountByARN", caller: bob, id: db.ARN, wantARN: db.ARN},
		{name: "OKCallerOtherAccountByPartialARN", caller: bob, id: partial(alice, "prod/db"), wantARN: db.ARN},
		{name: "ErrCallerOtherAccountByName", caller: bob, id: "prod/db", kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrCallerOtherRegion", caller: aliceWest, id: db.ARN, kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrCallerOtherRegionByName", caller: aliceWest, id: "prod/db", kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrNotSecretARN", caller: alice, id: "arn:aws:s3:::bucket", kind: secrets.NotFound, message: msgSecretNotFound},
		{name: "ErrNameInvalid", caller: alice, id: "Inv Name", kind: secrets.Validation, message: msgInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := svc.DescribeSecret(t.Context(), tt.caller, tt.id)
			g, gerr := svc.GetSecretValue(t.Context(), tt.caller, secrets.GetSecretValueInput{SecretID: tt.id})
			if tt.wantARN == "" {
				assertError(t, err, tt.kind, tt.message)
				assertError(t, gerr, tt.kind, tt.message)
				return
			}
			if err != nil || gerr != nil {
				t.Fatalf("Describe: %v; Get: %v", err, gerr)
			}
			if d.ARN != tt.wantARN || g.ARN != tt.wantARN {
				t.Errorf("Describe.ARN = %q, Get.ARN = %q, want %q", d.ARN, g.ARN, tt.wantARN)
			}
		})
	}
}

func TestService_GetSecretValue(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	MustCreateSecret(t, svc, alice, "s")
	MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")

	tests := []struct {
		name      string
		in        secrets.GetSecretValueInput
		wantValue string
		kind      secrets.Kind
		message   string
	}{
		{name: "OKCurrent", in: secrets.GetSecretValueInput{SecretID: "s"}, wantValue: "v1"},
		{name: "OKStageCurrent", in: secrets.GetSecretValueInput{SecretID: "s", Stage: "AWSCURRENT"}, wantValue: "v1"},
		{name: "OKStagePrevious", in: secrets.GetSecretValueInput{SecretID: "s", Stage: "AWSPREVIOUS"}, wantValue: "v0"},
		{name: "OKVersionID", in: secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(0)}, wantValue: "v0"},
		{name: "OKVersionIDAndStage", in: secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(0), Stage: "AWSPREVIOUS"}, wantValue: "v0"},
		{name: "ErrStageNotFound", in: secrets.GetSecretValueInput{SecretID: "s", Stage: "AWSPENDING"}, kind: secrets.NotFound, message: msgNoValueForStage("AWSPENDING")},
		{name: "ErrVersionNotFound", in: secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(9)}, kind: secrets.NotFound, message: msgNoValueForVersion(tok(9))},
		{name: "ErrStageMismatch", in: secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(0), Stage: "AWSCURRENT"}, kind: secrets.InvalidRequest, message: msgStageMismatch},
		{name: "ErrNotFound", in: secrets.GetSecretValueInput{SecretID: "nope"}, kind: secrets.NotFound, message: msgSecretNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.GetSecretValue(t.Context(), alice, tt.in)
			if tt.message != "" {
				assertError(t, err, tt.kind, tt.message)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Value.Bytes) != tt.wantValue {
				t.Errorf("value = %q, want %q", got.Value.Bytes, tt.wantValue)
			}
		})
	}
}

func TestService_PutSecretValue(t *testing.T) {
	t.Parallel()

	t.Run("OKCurrentMovesPrevious", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		out := MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")
		if out.VersionID != tok(1) || !slices.Equal(out.Stages, []string{"AWSCURRENT"}) {
			t.Errorf("out = %+v", out)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(1): {"AWSCURRENT"}, tok(0): {"AWSPREVIOUS"}})
		MustPutSecretValue(t, svc, alice, "s", tok(2), "v2")
		// tok(0) lost AWSPREVIOUS and is deprecated: not in VersionIdsToStages.
		assertStages(t, svc, alice, "s", map[string][]string{tok(2): {"AWSCURRENT"}, tok(1): {"AWSPREVIOUS"}})
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(0)}); string(v.Value.Bytes) != "v0" || len(v.Stages) != 0 {
			t.Errorf("deprecated version = %+v", v)
		}
	})

	t.Run("OKCustomStages", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustPutSecretValue(t, svc, alice, "s", tok(1), "v1", "AWSPENDING", "blue")
		// Only the named labels move; AWSCURRENT stays, AWSPREVIOUS is not made.
		assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}, tok(1): {"AWSPENDING", "blue"}})
		MustPutSecretValue(t, svc, alice, "s", tok(2), "v2", "blue")
		assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}, tok(1): {"AWSPENDING"}, tok(2): {"blue"}})
		MustPutSecretValue(t, svc, alice, "s", tok(3), "v3", "AWSPENDING", "blue")
		// tok(1) and tok(2) lost every label: deprecated, but still listed
		// with IncludeDeprecated (AWS-seen: test_non_versioning_version_stages_no_replacement).
		assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}, tok(3): {"AWSPENDING", "blue"}})
		all := MustListAllVersions(t, svc, alice, "s", true, 0)
		if len(all) != 4 {
			t.Errorf("%d versions, want 4", len(all))
		}
		// AWSCURRENT via VersionStages moves AWSPREVIOUS too, and leaves other labels.
		MustPutSecretValue(t, svc, alice, "s", tok(4), "v4", "AWSCURRENT")
		assertStages(t, svc, alice, "s", map[string][]string{tok(4): {"AWSCURRENT"}, tok(0): {"AWSPREVIOUS"}, tok(3): {"AWSPENDING", "blue"}})
	})

	t.Run("OKFirstVersionIsCurrent", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s"}); err != nil {
			t.Fatal(err)
		}
		out := MustPutSecretValue(t, svc, alice, "s", tok(1), "v1", "AWSPENDING")
		if got := slices.Sorted(slices.Values(out.Stages)); !slices.Equal(got, []string{"AWSCURRENT", "AWSPENDING"}) {
			t.Errorf("Stages = %v", out.Stages)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(1): {"AWSCURRENT", "AWSPENDING"}})
	})

	t.Run("OKRetry", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")
		clk.Advance(time.Hour)
		out := MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")
		if out.VersionID != tok(1) || !slices.Equal(out.Stages, []string{"AWSCURRENT"}) {
			t.Errorf("retry = %+v", out)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(1): {"AWSCURRENT"}, tok(0): {"AWSPREVIOUS"}})
	})

	tests := []struct {
		name    string
		in      secrets.PutSecretValueInput
		kind    secrets.Kind
		message func(arn string) string
	}{
		{"ErrTokenInUse", secrets.PutSecretValueInput{SecretID: "s", Token: tok(0), Value: val("other")}, secrets.Exists, func(arn string) string { return msgTokenInUse(tok(0), arn) }},
		{"ErrTokenInUseBinary", secrets.PutSecretValueInput{SecretID: "s", Token: tok(0), Value: &secrets.Value{Bytes: []byte("v0"), Binary: true}}, secrets.Exists, func(arn string) string { return msgTokenInUse(tok(0), arn) }},
		{"ErrNoToken", secrets.PutSecretValueInput{SecretID: "s", Value: val("v")}, secrets.InvalidRequest, func(string) string { return msgNoToken }},
		{"ErrNoValue", secrets.PutSecretValueInput{SecretID: "s", Token: tok(1)}, secrets.InvalidRequest, func(string) string { return msgNoValue }},
		{"ErrNotFound", secrets.PutSecretValueInput{SecretID: "nope", Token: tok(1), Value: val("v")}, secrets.NotFound, func(string) string { return msgSecretNotFound }},
		{"ErrNameInvalid", secrets.PutSecretValueInput{SecretID: "Inv Name", Token: tok(1), Value: val("v")}, secrets.Validation, func(string) string { return msgInvalidName }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := MustService(t)
			ref := MustCreateSecret(t, svc, alice, "s")
			_, err := svc.PutSecretValue(t.Context(), alice, tt.in)
			assertError(t, err, tt.kind, tt.message(ref.ARN))
			assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}})
		})
	}
}

func TestService_UpdateSecret(t *testing.T) {
	t.Parallel()

	t.Run("OKValue", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		ref, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Token: tok(1), Value: val("v1")})
		if err != nil {
			t.Fatal(err)
		}
		if ref.VersionID != tok(1) {
			t.Errorf("VersionID = %q", ref.VersionID)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(1): {"AWSCURRENT"}, tok(0): {"AWSPREVIOUS"}})
	})

	t.Run("OKDescriptionOnly", func(t *testing.T) {
		t.Parallel()
		// AWS-seen: {ARN, Name}, no VersionId, no new version.
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		ref, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Description: ptr("new")})
		if err != nil {
			t.Fatal(err)
		}
		if ref.VersionID != "" {
			t.Errorf("VersionID = %q, want none", ref.VersionID)
		}
		if d := MustDescribeSecret(t, svc, alice, "s"); d.Description != "new" {
			t.Errorf("Description = %q", d.Description)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}})
	})

	t.Run("ErrTokenInUse", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		ref := MustCreateSecret(t, svc, alice, "s")
		_, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Token: tok(0), Value: val("other")})
		assertError(t, err, secrets.Exists, msgTokenInUse(tok(0), ref.ARN))
	})

	t.Run("ErrNoToken", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		_, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Value: val("other")})
		assertError(t, err, secrets.InvalidRequest, msgNoToken)
	})
}

func TestService_UpdateSecretVersionStage(t *testing.T) {
	t.Parallel()
	type stages = map[string][]string
	// Every case starts from: tok(0) AWSPREVIOUS, tok(1) AWSCURRENT,
	// tok(2) AWSPENDING and blue, tok(3) deprecated.
	start := stages{tok(0): {"AWSPREVIOUS"}, tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING", "blue"}}
	tests := []struct {
		name    string
		in      secrets.UpdateSecretVersionStageInput
		want    stages // with no error
		kind    secrets.Kind
		message string
	}{
		{
			// AWS-seen: the old holder gets AWSPREVIOUS, the old AWSPREVIOUS is dropped, others stay.
			name: "OKMoveCurrent",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(2), RemoveFrom: tok(1)},
			want: stages{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT", "AWSPENDING", "blue"}},
		},
		{
			name: "OKMoveCurrentToPrevious",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(0), RemoveFrom: tok(1)},
			want: stages{tok(0): {"AWSCURRENT"}, tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSPENDING", "blue"}},
		},
		{
			name: "OKMoveCurrentToDeprecated",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(3), RemoveFrom: tok(1)},
			want: stages{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSPENDING", "blue"}, tok(3): {"AWSCURRENT"}},
		},
		{
			// AWS-seen: moving a custom label does not touch AWSPREVIOUS.
			name: "OKMoveCustom",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "blue", MoveTo: tok(3), RemoveFrom: tok(2)},
			want: stages{tok(0): {"AWSPREVIOUS"}, tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}, tok(3): {"blue"}},
		},
		{
			name: "OKAttachNewLabel",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "green", MoveTo: tok(0)},
			want: stages{tok(0): {"AWSPREVIOUS", "green"}, tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING", "blue"}},
		},
		{
			name: "OKMoveToHolder",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(1)},
			want: start,
		},
		{
			name: "OKRemoveCustom",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "blue", RemoveFrom: tok(2)},
			want: stages{tok(0): {"AWSPREVIOUS"}, tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}},
		},
		{
			name: "OKRemovePending",
			in:   secrets.UpdateSecretVersionStageInput{Stage: "AWSPENDING", RemoveFrom: tok(2)},
			want: stages{tok(0): {"AWSPREVIOUS"}, tok(1): {"AWSCURRENT"}, tok(2): {"blue"}},
		},
		{
			name:    "ErrRemoveFromEmpty",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(2)},
			kind:    secrets.InvalidParameter,
			message: msgStageAttached("AWSCURRENT", tok(1)),
		},
		{
			name:    "ErrRemoveFromEmptyCustom",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "blue", MoveTo: tok(1)},
			kind:    secrets.InvalidParameter,
			message: msgStageAttached("blue", tok(2)),
		},
		{
			name:    "ErrRemoveFromNotHolder",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(2), RemoveFrom: tok(0)},
			kind:    secrets.InvalidParameter,
			message: msgRemoveFromMismatch("AWSCURRENT"),
		},
		{
			name:    "ErrMoveToUnknown",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(9), RemoveFrom: tok(1)},
			kind:    secrets.InvalidParameter,
			message: msgNoVersion(tok(9)),
		},
		{
			name:    "ErrRemoveFromUnknown",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", MoveTo: tok(2), RemoveFrom: tok(9)},
			kind:    secrets.InvalidParameter,
			message: msgNoVersion(tok(9)),
		},
		{
			name:    "ErrRemoveOnlyUnknown",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "blue", RemoveFrom: tok(9)},
			kind:    secrets.InvalidParameter,
			message: msgNoVersion(tok(9)),
		},
		{
			name:    "ErrRemoveNotOnVersion",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "blue", RemoveFrom: tok(1)},
			kind:    secrets.InvalidParameter,
			message: msgStageNotOn("blue", tok(1)),
		},
		{
			name:    "ErrRemoveCurrent",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "AWSCURRENT", RemoveFrom: tok(1)},
			kind:    secrets.InvalidParameter,
			message: msgRemoveCurrent,
		},
		{
			name:    "ErrNeitherMoveNorRemove",
			in:      secrets.UpdateSecretVersionStageInput{Stage: "blue"},
			kind:    secrets.InvalidParameter,
			message: msgMoveOrRemove,
		},
		{
			name:    "ErrNotFound",
			in:      secrets.UpdateSecretVersionStageInput{SecretID: "nope", Stage: "blue", MoveTo: tok(1)},
			kind:    secrets.NotFound,
			message: msgSecretNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, clk := MustService(t)
			MustCreateSecret(t, svc, alice, "s")
			MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")
			MustPutSecretValue(t, svc, alice, "s", tok(2), "v2", "AWSPENDING", "blue")
			MustPutSecretValue(t, svc, alice, "s", tok(3), "v3", "tmp")
			MustUpdateStage(t, svc, alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: "tmp", RemoveFrom: tok(3)})
			assertStages(t, svc, alice, "s", start)
			clk.Advance(time.Minute)
			in := tt.in
			if in.SecretID == "" {
				in.SecretID = "s"
			}
			ref, err := svc.UpdateSecretVersionStage(t.Context(), alice, in)
			if tt.message != "" {
				assertError(t, err, tt.kind, tt.message)
				assertStages(t, svc, alice, "s", start)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ref.Name != "s" || ref.VersionID != "" {
				t.Errorf("ref = %+v, want {ARN, Name} only", ref)
			}
			assertStages(t, svc, alice, "s", tt.want)
			if got := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"}); !slices.Contains(tt.want[got.VersionID], "AWSCURRENT") {
				t.Errorf("GetSecretValue read %s, which is not AWSCURRENT", got.VersionID)
			}
		})
	}
}

func TestService_StageLimit(t *testing.T) {
	t.Parallel()

	t.Run("ErrUpdateSecretVersionStage", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		for i := 1; i < 20; i++ { // AWSCURRENT and 19 more: 20 labels
			MustUpdateStage(t, svc, alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: fmt.Sprintf("L%02d", i), MoveTo: tok(0)})
		}
		before := stagesOf(t, svc, alice, "s")
		if n := len(before[tok(0)]); n != 20 {
			t.Fatalf("%d labels, want 20", n)
		}
		_, err := svc.UpdateSecretVersionStage(t.Context(), alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: "L20", MoveTo: tok(0)})
		assertError(t, err, secrets.LimitExceeded, msgLabelLimit)
		assertStages(t, svc, alice, "s", before)
		// Moving a label keeps the count: allowed at the limit.
		MustPutSecretValue(t, svc, alice, "s", tok(1), "v1", "L01")
	})

	t.Run("ErrPutSecretValue", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		labels := make([]string, 19)
		for i := range labels {
			labels[i] = fmt.Sprintf("L%02d", i)
		}
		MustPutSecretValue(t, svc, alice, "s", tok(1), "v1", labels...)
		before := stagesOf(t, svc, alice, "s")
		_, err := svc.PutSecretValue(t.Context(), alice, secrets.PutSecretValueInput{SecretID: "s", Token: tok(2), Value: val("v2"), Stages: []string{"extra"}})
		assertError(t, err, secrets.LimitExceeded, msgLabelLimit)
		assertStages(t, svc, alice, "s", before)
		if _, err := svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(2)}); secrets.KindOf(err) != secrets.NotFound {
			t.Errorf("refused version was stored: %v", err)
		}
	})
}

func TestService_PruneVersions(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	MustCreateSecret(t, svc, alice, "s")
	for i := 1; i < 130; i++ {
		clk.Advance(time.Minute)
		MustPutSecretValue(t, svc, alice, "s", tok(i), fmt.Sprintf("v%d", i))
	}
	// All 130 are younger than a day: none is pruned, although more than 100.
	all := MustListAllVersions(t, svc, alice, "s", true, 0)
	if len(all) != 130 {
		t.Fatalf("%d versions after 130 puts within a day, want 130", len(all))
	}
	for i, v := range all {
		if v.ID != tok(i) {
			t.Fatalf("version %d is %s, want %s (oldest first)", i, v.ID, tok(i))
		}
	}
	// A label keeps the oldest version from pruning.
	MustUpdateStage(t, svc, alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: "keep", MoveTo: tok(0)})

	clk.Advance(48 * time.Hour)
	MustPutSecretValue(t, svc, alice, "s", tok(130), "v130")

	// 131 versions: the 31 oldest deprecated ones (tok(1)..tok(31)) go.
	all = MustListAllVersions(t, svc, alice, "s", true, 0)
	var ids []string
	for _, v := range all {
		ids = append(ids, v.ID)
	}
	want := []string{tok(0)}
	for i := 32; i <= 130; i++ {
		want = append(want, tok(i))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("%d versions after pruning, want %d:\n got %v\nwant %v", len(ids), len(want), ids, want)
	}
	assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"keep"}, tok(129): {"AWSPREVIOUS"}, tok(130): {"AWSCURRENT"}})
	if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s", Stage: "keep"}); string(v.Value.Bytes) != "v0" {
		t.Errorf("labelled version value = %q", v.Value.Bytes)
	}
	t.Run("ErrReadPrunedVersion", func(t *testing.T) {
		// AWS-seen (hashicorp/terraform-provider-aws#36607): a pruned
		// version is reported as deleted, not as never having existed.
		_, err := svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(1)})
		assertError(t, err, secrets.InvalidRequest, "You can't perform this operation on secret version "+tok(1)+" because it was deleted.")
	})
}

func TestService_DeleteSecret(t *testing.T) {
	t.Parallel()

	t.Run("OKDefaultWindow", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		ref := MustCreateSecret(t, svc, alice, "s")
		clk.Advance(time.Hour)
		now := clk.Now()
		out := MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		if out.ARN != ref.ARN || out.Name != "s" || !out.DeletionDate.Equal(now.Add(30*24*time.Hour)) {
			t.Errorf("DeleteSecret = %+v", out)
		}
		d := MustDescribeSecret(t, svc, alice, "s") // allowed while scheduled
		if !d.DeletedAt.Equal(now) || !d.PurgeAt.Equal(now.Add(30*24*time.Hour)) || !d.Scheduled() {
			t.Errorf("DeletedAt %v PurgeAt %v", d.DeletedAt, d.PurgeAt)
		}
		// ListSecretVersionIds declares no InvalidRequestException in the
		// model: like DescribeSecret, it works on a secret scheduled for deletion.
		if _, err := svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "s"}); err != nil {
			t.Errorf("ListSecretVersionIds while scheduled: %v", err)
		}
	})

	for _, days := range []int64{7, 30} {
		t.Run(fmt.Sprintf("OKWindow%d", days), func(t *testing.T) {
			t.Parallel()
			svc, _ := MustService(t)
			MustCreateSecret(t, svc, alice, "s")
			out := MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr(days)})
			if !out.DeletionDate.Equal(t0.Add(time.Duration(days) * 24 * time.Hour)) {
				t.Errorf("DeletionDate = %v", out.DeletionDate)
			}
		})
	}

	errTests := []struct {
		name    string
		in      secrets.DeleteSecretInput
		kind    secrets.Kind
		message string
	}{
		{"ErrWindow0", secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](0)}, secrets.InvalidParameter, msgRecoveryWindowRange},
		{"ErrWindow6", secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](6)}, secrets.InvalidParameter, msgRecoveryWindowRange},
		{"ErrWindow31", secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](31)}, secrets.InvalidParameter, msgRecoveryWindowRange},
		// AWS-seen (moto#6461): the range is checked before the conflict.
		{"ErrWindow0AndForce", secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](0), Force: ptr(true)}, secrets.InvalidParameter, msgRecoveryWindowRange},
		{"ErrWindowAndForce", secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](7), Force: ptr(true)}, secrets.InvalidParameter, msgForceAndWindow},
		{"ErrNotFound", secrets.DeleteSecretInput{SecretID: "nope"}, secrets.NotFound, msgSecretNotFound},
		{"ErrNameInvalidForce", secrets.DeleteSecretInput{SecretID: "Inv Name", Force: ptr(true)}, secrets.Validation, msgInvalidName},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := MustService(t)
			MustCreateSecret(t, svc, alice, "s")
			_, err := svc.DeleteSecret(t.Context(), alice, tt.in)
			assertError(t, err, tt.kind, tt.message)
			if d := MustDescribeSecret(t, svc, alice, "s"); d.Scheduled() {
				t.Errorf("secret scheduled after a refused DeleteSecret")
			}
		})
	}

	t.Run("ErrAlreadyScheduled", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		_, err := svc.DeleteSecret(t.Context(), alice, secrets.DeleteSecretInput{SecretID: "s"})
		assertError(t, err, secrets.InvalidRequest, msgAlreadyScheduled)
	})

	t.Run("OKForce", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		ref := MustCreateSecret(t, svc, alice, "s")
		clk.Advance(time.Hour)
		out := MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s", Force: ptr(true)})
		if out.ARN != ref.ARN || out.Name != "s" || !out.DeletionDate.Equal(clk.Now()) {
			t.Errorf("DeleteSecret = %+v", out)
		}
		_, err := svc.DescribeSecret(t.Context(), alice, "s")
		assertError(t, err, secrets.NotFound, msgSecretNotFound)
		MustCreateSecret(t, svc, alice, "s") // the name is free at once
	})

	t.Run("OKForceScheduled", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s", Force: ptr(true)})
		_, err := svc.DescribeSecret(t.Context(), alice, "s")
		assertError(t, err, secrets.NotFound, msgSecretNotFound)
	})

	t.Run("OKForceMissing", func(t *testing.T) {
		t.Parallel()
		// Doc: a forced delete of a nonexistent secret is not ResourceNotFoundException.
		svc, _ := MustService(t)
		out := MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "nope", Force: ptr(true)})
		if out.Name != "nope" || !out.DeletionDate.Equal(t0) {
			t.Errorf("DeleteSecret = %+v", out)
		}
	})

	t.Run("ErrScheduledRefusesReadsAndWrites", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		ctx := t.Context()
		ops := []struct {
			name string
			call func() error
		}{
			{"GetSecretValue", func() error {
				_, err := svc.GetSecretValue(ctx, alice, secrets.GetSecretValueInput{SecretID: "s"})
				return err
			}},
			{"PutSecretValue", func() error {
				_, err := svc.PutSecretValue(ctx, alice, secrets.PutSecretValueInput{SecretID: "s", Token: tok(1), Value: val("v")})
				return err
			}},
			{"UpdateSecret", func() error {
				_, err := svc.UpdateSecret(ctx, alice, secrets.UpdateSecretInput{SecretID: "s", Description: ptr("d")})
				return err
			}},
			{"UpdateSecretVersionStage", func() error {
				_, err := svc.UpdateSecretVersionStage(ctx, alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: "x", MoveTo: tok(0)})
				return err
			}},
			{"TagResource", func() error { return svc.TagResource(ctx, alice, "s", []secrets.Tag{{Key: "k", Value: "v"}}) }},
			{"UntagResource", func() error { return svc.UntagResource(ctx, alice, "s", []string{"k"}) }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				assertError(t, op.call(), secrets.InvalidRequest, msgMarkedForDeletion)
			})
		}
	})

	t.Run("OKRestore", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		ref := MustCreateSecret(t, svc, alice, "s")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		clk.Advance(29 * 24 * time.Hour)
		out, err := svc.RestoreSecret(t.Context(), alice, "s")
		if err != nil {
			t.Fatal(err)
		}
		if out.ARN != ref.ARN || out.Name != "s" {
			t.Errorf("RestoreSecret = %+v", out)
		}
		d := MustDescribeSecret(t, svc, alice, "s")
		if d.Scheduled() || !d.DeletedAt.IsZero() {
			t.Errorf("restored secret: DeletedAt %v PurgeAt %v", d.DeletedAt, d.PurgeAt)
		}
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"}); string(v.Value.Bytes) != "v0" {
			t.Errorf("value = %q", v.Value.Bytes)
		}
		// Restoring a secret that is not scheduled is a no-op (emulators; no AWS capture).
		if _, err := svc.RestoreSecret(t.Context(), alice, "s"); err != nil {
			t.Errorf("RestoreSecret again: %v", err)
		}
		// After Restore the purge job leaves it alone.
		clk.Advance(30 * 24 * time.Hour)
		if n, err := svc.Purge(t.Context()); err != nil || n != 0 {
			t.Errorf("Purge = %d, %v", n, err)
		}
		MustDescribeSecret(t, svc, alice, "s")
	})

	t.Run("OKExpiry", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		old := MustCreateSecret(t, svc, alice, "s")
		MustCreateSecret(t, svc, alice, "other")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s", RecoveryWindowDays: ptr[int64](7)})

		// A second before the end of the window: still there, still scheduled.
		clk.Advance(7*24*time.Hour - time.Second)
		MustDescribeSecret(t, svc, alice, "s")
		_, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Token: tok(1), Value: val("new")})
		assertError(t, err, secrets.InvalidRequest, msgCreateScheduled)
		if n, err := svc.Purge(t.Context()); err != nil || n != 0 {
			t.Errorf("Purge before the window ends = %d, %v", n, err)
		}

		// At the end of the window it is gone, before and after the purge job.
		clk.Advance(time.Second)
		gone := func(t *testing.T) {
			t.Helper()
			for _, id := range []string{"s", old.ARN} {
				_, err := svc.DescribeSecret(t.Context(), alice, id)
				assertError(t, err, secrets.NotFound, msgSecretNotFound)
				_, err = svc.RestoreSecret(t.Context(), alice, id)
				assertError(t, err, secrets.NotFound, msgSecretNotFound)
				_, err = svc.GetSecretValue(t.Context(), alice, secrets.GetSecretValueInput{SecretID: id})
				assertError(t, err, secrets.NotFound, msgSecretNotFound)
			}
			list, err := svc.ListSecrets(t.Context(), alice, secrets.ListSecretsInput{IncludePlannedDeletion: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Secrets) != 1 || list.Secrets[0].Name != "other" {
				t.Errorf("ListSecrets lists %d secrets, want only other", len(list.Secrets))
			}
		}
		gone(t)
		if n, err := svc.Purge(t.Context()); err != nil || n != 1 {
			t.Errorf("Purge = %d, %v; want 1", n, err)
		}
		gone(t)
		if n, err := svc.Purge(t.Context()); err != nil || n != 0 {
			t.Errorf("second Purge = %d, %v; want 0", n, err)
		}
		MustDescribeSecret(t, svc, alice, "other")

		// The name can be used again.
		ref, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Token: tok(0), Value: val("new")})
		if err != nil {
			t.Fatal(err)
		}
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"}); string(v.Value.Bytes) != "new" || v.ARN != ref.ARN {
			t.Errorf("new secret = %+v", v)
		}
	})

	t.Run("OKCreateAfterExpiryBeforePurge", func(t *testing.T) {
		t.Parallel()
		svc, clk := MustService(t)
		MustCreateSecret(t, svc, alice, "s")
		MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "s"})
		clk.Advance(31 * 24 * time.Hour)
		ref, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Token: tok(0), Value: val("other value")})
		if err != nil {
			t.Fatal(err)
		}
		if v := MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"}); string(v.Value.Bytes) != "other value" || v.ARN != ref.ARN {
			t.Errorf("new secret = %+v", v)
		}
		assertStages(t, svc, alice, "s", map[string][]string{tok(0): {"AWSCURRENT"}})
		if n, err := svc.Purge(t.Context()); err != nil || n != 0 {
			t.Errorf("Purge = %d, %v; the new secret must survive", n, err)
		}
		MustDescribeSecret(t, svc, alice, "s")
	})
}

func TestService_Tags(t *testing.T) {
	t.Parallel()
	sorted := func(tags []secrets.Tag) []secrets.Tag {
		return slices.SortedFunc(slices.Values(tags), func(a, b secrets.Tag) int { return strings.Compare(a.Key, b.Key) })
	}

	t.Run("OKMerge", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Tags: []secrets.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "b", Value: "3"}, {Key: "c", Value: "4"}}); err != nil {
			t.Fatal(err)
		}
		want := []secrets.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "3"}, {Key: "c", Value: "4"}}
		if got := sorted(MustDescribeSecret(t, svc, alice, "s").Tags); !slices.Equal(got, want) {
			t.Errorf("Tags = %v, want %v", got, want)
		}
		// Untagging an absent key is a no-op.
		if err := svc.UntagResource(t.Context(), alice, "s", []string{"a", "zzz"}); err != nil {
			t.Fatal(err)
		}
		want = want[1:]
		if got := sorted(MustDescribeSecret(t, svc, alice, "s").Tags); !slices.Equal(got, want) {
			t.Errorf("Tags = %v, want %v", got, want)
		}
	})

	t.Run("OKEmptyAfterRemoval", func(t *testing.T) {
		t.Parallel()
		// AWS-seen (localstack test_secret_tags): "Tags": [] once all were
		// removed; no Tags key on a secret never tagged.
		svc, _ := MustService(t)
		MustCreateSecret(t, svc, alice, "never")
		MustCreateSecret(t, svc, alice, "s")
		if got := MustDescribeSecret(t, svc, alice, "never").Tags; got != nil {
			t.Errorf("never tagged: Tags = %#v, want nil", got)
		}
		if err := svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "a", Value: "1"}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.UntagResource(t.Context(), alice, "s", []string{"a"}); err != nil {
			t.Fatal(err)
		}
		if got := MustDescribeSecret(t, svc, alice, "s").Tags; got == nil || len(got) != 0 {
			t.Errorf("all tags removed: Tags = %#v, want empty and not nil", got)
		}
	})

	t.Run("OKLimit", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Tags: nTags(49)}); err != nil {
			t.Fatal(err)
		}
		if err := svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "k00", Value: "new"}, {Key: "fifty", Value: "x"}}); err != nil {
			t.Fatalf("50th tag: %v", err)
		}
		// Replacing a value at the limit adds no tag.
		if err := svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "fifty", Value: "y"}}); err != nil {
			t.Fatalf("retag at the limit: %v", err)
		}
		err := svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "fifty-one", Value: "x"}})
		assertError(t, err, secrets.InvalidParameter, msgTagLimit)
		if n := len(MustDescribeSecret(t, svc, alice, "s").Tags); n != 50 {
			t.Errorf("%d tags, want 50", n)
		}
	})

	tests := []struct {
		name string
		call func(svc *secrets.Service, t *testing.T) error
	}{
		{"ErrSystemTagTagResource", func(svc *secrets.Service, t *testing.T) error {
			return svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "ok", Value: "1"}, {Key: "aws:cloudformation:stack-name", Value: "x"}})
		}},
		{"ErrSystemTagUntagResource", func(svc *secrets.Service, t *testing.T) error {
			return svc.UntagResource(t.Context(), alice, "s", []string{"ok", "aws:cloudformation:stack-name"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := MustService(t)
			if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "s", Tags: []secrets.Tag{{Key: "ok", Value: "0"}}}); err != nil {
				t.Fatal(err)
			}
			assertError(t, tt.call(svc, t), secrets.InvalidParameter, msgSystemTag("aws:cloudformation:stack-name"))
			if got := MustDescribeSecret(t, svc, alice, "s").Tags; !slices.Equal(got, []secrets.Tag{{Key: "ok", Value: "0"}}) {
				t.Errorf("Tags = %v after a refused call", got)
			}
		})
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		svc, _ := MustService(t)
		assertError(t, svc.TagResource(t.Context(), alice, "nope", []secrets.Tag{{Key: "a", Value: "1"}}), secrets.NotFound, msgSecretNotFound)
		assertError(t, svc.UntagResource(t.Context(), alice, "nope", []string{"a"}), secrets.NotFound, msgSecretNotFound)
	})
}

// listNames lists every page of ListSecrets and returns the names in order.
func listNames(tb testing.TB, svc *secrets.Service, c secrets.Caller, in secrets.ListSecretsInput) []string {
	tb.Helper()
	var names []string
	for {
		out, err := svc.ListSecrets(tb.Context(), c, in)
		if err != nil {
			tb.Fatalf("ListSecrets(%+v): %v", in, err)
		}
		for _, s := range out.Secrets {
			names = append(names, s.Name)
		}
		if out.NextToken == "" {
			return names
		}
		in.NextToken = out.NextToken
	}
}

func TestService_ListSecrets(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	// Created c, a, d, b; changed d, b, c, a; read b, a, d, c on later days.
	for _, n := range []string{"c", "a", "d", "b"} {
		clk.Advance(time.Hour)
		MustCreateSecret(t, svc, alice, n)
	}
	for _, n := range []string{"d", "b", "c", "a"} {
		clk.Advance(time.Hour)
		if err := svc.TagResource(t.Context(), alice, n, []secrets.Tag{{Key: "team", Value: "x" + n}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"b", "a", "d", "c"} {
		clk.Advance(24 * time.Hour)
		MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: n})
	}
	MustCreateSecret(t, svc, bob, "bobs")
	MustCreateSecret(t, svc, aliceWest, "west")

	sortTests := []struct {
		by   string
		want []string // ascending
	}{
		{"", []string{"c", "a", "d", "b"}}, // created-date, oldest first
		{secrets.SortCreated, []string{"c", "a", "d", "b"}},
		{secrets.SortName, []string{"a", "b", "c", "d"}},
		{secrets.SortLastChanged, []string{"d", "b", "c", "a"}},
		{secrets.SortLastAccessed, []string{"b", "a", "d", "c"}},
	}
	for _, tt := range sortTests {
		for _, order := range []string{"", secrets.SortAsc, secrets.SortDesc} {
			want := tt.want
			if order == secrets.SortDesc {
				want = slices.Clone(want)
				slices.Reverse(want)
			}
			t.Run(fmt.Sprintf("OKSort/%s/%s", cmp.Or(tt.by, "default"), cmp.Or(order, "default")), func(t *testing.T) {
				t.Parallel()
				for _, size := range []int{0, 1, 3} {
					got := listNames(t, svc, alice, secrets.ListSecretsInput{SortBy: tt.by, SortOrder: order, MaxResults: size})
					if !slices.Equal(got, want) {
						t.Errorf("MaxResults %d: %v, want %v", size, got, want)
					}
				}
			})
		}
	}

	t.Run("OKEntries", func(t *testing.T) {
		t.Parallel()
		out, err := svc.ListSecrets(t.Context(), alice, secrets.ListSecretsInput{Filters: []secrets.Filter{{Key: secrets.FilterName, Values: []string{"a"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Secrets) != 1 || out.NextToken != "" {
			t.Fatalf("ListSecrets = %+v", out)
		}
		e := out.Secrets[0]
		if e.Name != "a" || !mapsEqual(e.VersionStages, map[string][]string{tok(0): {"AWSCURRENT"}}) || !slices.Equal(e.Tags, []secrets.Tag{{Key: "team", Value: "xa"}}) {
			t.Errorf("entry = %+v", e)
		}
	})

	filterTests := []struct {
		name    string
		filters []secrets.Filter
		want    []string
	}{
		{"OKFilterName", []secrets.Filter{{Key: secrets.FilterName, Values: []string{"b", "c"}}}, []string{"c", "b"}},
		{"OKFilterNegated", []secrets.Filter{{Key: secrets.FilterName, Values: []string{"!a"}}}, []string{"c", "d", "b"}},
		{"OKFilterTagValue", []secrets.Filter{{Key: secrets.FilterTagValue, Values: []string{"xd"}}}, []string{"d"}},
		{"OKFilterAnded", []secrets.Filter{{Key: secrets.FilterTagKey, Values: []string{"team"}}, {Key: secrets.FilterName, Values: []string{"d"}}}, []string{"d"}},
		{"OKFilterNone", []secrets.Filter{{Key: secrets.FilterName, Values: []string{"zzz"}}}, nil},
	}
	for _, tt := range filterTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := listNames(t, svc, alice, secrets.ListSecretsInput{Filters: tt.filters, MaxResults: 1}); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("OKScope", func(t *testing.T) {
		t.Parallel()
		if got := listNames(t, svc, bob, secrets.ListSecretsInput{}); !slices.Equal(got, []string{"bobs"}) {
			t.Errorf("bob sees %v", got)
		}
		if got := listNames(t, svc, aliceWest, secrets.ListSecretsInput{}); !slices.Equal(got, []string{"west"}) {
			t.Errorf("us-west-2 lists %v", got)
		}
	})
}

func TestService_ListSecrets_IncludePlannedDeletion(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	for _, n := range []string{"a", "b", "c"} {
		clk.Advance(time.Minute)
		MustCreateSecret(t, svc, alice, n)
	}
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "b"})
	if got := listNames(t, svc, alice, secrets.ListSecretsInput{}); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("default: %v", got)
	}
	out, err := svc.ListSecrets(t.Context(), alice, secrets.ListSecretsInput{IncludePlannedDeletion: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range out.Secrets {
		names = append(names, s.Name)
		if s.Name == "b" && s.DeletedAt.IsZero() {
			t.Errorf("b listed without DeletedAt")
		}
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("IncludePlannedDeletion: %v", names)
	}
}

func TestService_ListSecrets_NextToken(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	for _, n := range []string{"a", "b", "c"} {
		clk.Advance(time.Minute)
		MustCreateSecret(t, svc, alice, n)
		MustCreateSecret(t, svc, aliceWest, n)
	}
	first, err := svc.ListSecrets(t.Context(), alice, secrets.ListSecretsInput{MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	token := first.NextToken
	if token == "" {
		t.Fatal("no NextToken")
	}
	other, _ := MustService(t)
	MustCreateSecret(t, other, alice, "a")

	t.Run("OKOtherPageSize", func(t *testing.T) {
		t.Parallel()
		out, err := svc.ListSecrets(t.Context(), alice, secrets.ListSecretsInput{MaxResults: 5, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Secrets) != 2 || out.Secrets[0].Name != "b" || out.NextToken != "" {
			t.Errorf("second page = %+v", out)
		}
	})

	tests := []struct {
		name   string
		svc    *secrets.Service
		caller secrets.Caller
		in     secrets.ListSecretsInput
	}{
		{"ErrGarbage", svc, alice, secrets.ListSecretsInput{NextToken: "not-a-token"}},
		{"ErrNotBase64", svc, alice, secrets.ListSecretsInput{NextToken: "!!!!"}},
		{"ErrTamperedFirst", svc, alice, secrets.ListSecretsInput{NextToken: flipChar(token, 0)}},
		{"ErrTamperedMiddle", svc, alice, secrets.ListSecretsInput{NextToken: flipChar(token, len(token)/2)}},
		// Not the very last character: its low bits may be padding, which
		// decodes to the same bytes.
		{"ErrTamperedNearEnd", svc, alice, secrets.ListSecretsInput{NextToken: flipChar(token, len(token)-2)}},
		{"ErrTruncated", svc, alice, secrets.ListSecretsInput{NextToken: token[:len(token)-4]}},
		{"ErrOtherSortOrder", svc, alice, secrets.ListSecretsInput{SortOrder: secrets.SortDesc, NextToken: token}},
		{"ErrOtherSortBy", svc, alice, secrets.ListSecretsInput{SortBy: secrets.SortName, NextToken: token}},
		{"ErrOtherFilters", svc, alice, secrets.ListSecretsInput{Filters: []secrets.Filter{{Key: secrets.FilterName, Values: []string{"b"}}}, NextToken: token}},
		{"ErrOtherIncludePlannedDeletion", svc, alice, secrets.ListSecretsInput{IncludePlannedDeletion: true, NextToken: token}},
		{"ErrOtherRegion", svc, aliceWest, secrets.ListSecretsInput{NextToken: token}},
		{"ErrOtherTokenKey", other, alice, secrets.ListSecretsInput{NextToken: token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.svc.ListSecrets(t.Context(), tt.caller, tt.in)
			assertError(t, err, secrets.InvalidNextToken, msgInvalidNextToken)
		})
	}
}

// flipChar returns s with its i-th character changed.
func flipChar(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestService_ListSecrets_PageWalk checks, over random interleavings of page
// walks with creations and deletions between pages, that every secret that
// exists, unchanged, throughout a walk appears in it exactly once.
func TestService_ListSecrets_PageWalk(t *testing.T) {
	t.Parallel()
	const walks = 200
	svc, clk := MustService(t)
	sorts := []string{"", secrets.SortCreated, secrets.SortName, secrets.SortLastChanged, secrets.SortLastAccessed}
	orders := []string{"", secrets.SortAsc, secrets.SortDesc}
	for w := range walks {
		rng := mrand.New(mrand.NewPCG(0xC0FFEE, uint64(w)))
		c := secrets.Caller{Account: fmt.Sprintf("%012d", w+1), Region: "eu-west-1"}
		create := func(name string) string {
			// Ties in the sort key happen: the clock does not always move.
			clk.Advance(time.Duration(rng.IntN(3)) * time.Second)
			ref, err := svc.CreateSecret(t.Context(), c, secrets.CreateSecretInput{Name: name})
			if err != nil {
				t.Fatalf("walk %d: CreateSecret: %v", w, err)
			}
			return ref.ARN
		}
		alive := map[string]string{} // name → ARN
		for i := range 2 + rng.IntN(8) {
			name := fmt.Sprintf("s%c%02d", 'a'+rng.IntN(26), i)
			alive[name] = create(name)
		}
		// Some secrets change before the walk, on different days, for last-changed-date.
		touched := map[string]bool{} // ARNs changed during the walk: not checked
		for name := range alive {
			if rng.IntN(3) == 0 {
				clk.Advance(time.Duration(rng.IntN(2)) * 24 * time.Hour)
				if err := svc.TagResource(t.Context(), c, name, []secrets.Tag{{Key: "k", Value: "v"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		stable := map[string]bool{}
		for _, arn := range alive {
			stable[arn] = true
		}
		in := secrets.ListSecretsInput{
			SortBy: sorts[rng.IntN(len(sorts))], SortOrder: orders[rng.IntN(len(orders))],
			IncludePlannedDeletion: rng.IntN(2) == 0,
		}
		seen := map[string]int{}
		next := len(alive)
		for page := 0; ; page++ {
			in.MaxResults = 1 + rng.IntN(3)
			out, err := svc.ListSecrets(t.Context(), c, in)
			if err != nil {
				t.Fatalf("walk %d page %d: %v", w, page, err)
			}
			for _, s := range out.Secrets {
				seen[s.ARN]++
			}
			if out.NextToken == "" {
				break
			}
			in.NextToken = out.NextToken
			for range rng.IntN(3) {
				if rng.IntN(2) == 0 || len(alive) == 0 {
					name := fmt.Sprintf("s%c%02d", 'a'+rng.IntN(26), next)
					next++
					alive[name] = create(name)
					continue
				}
				names := slices.Sorted(func(yield func(string) bool) {
					for n := range alive {
						if !yield(n) {
							return
						}
					}
				})
				name := names[rng.IntN(len(names))]
				clk.Advance(time.Duration(rng.IntN(3)) * time.Second)
				force := rng.IntN(2) == 0
				if _, err := svc.DeleteSecret(t.Context(), c, secrets.DeleteSecretInput{SecretID: name, Force: &force}); err != nil {
					t.Fatalf("walk %d: DeleteSecret: %v", w, err)
				}
				touched[alive[name]] = true
				delete(alive, name)
			}
			if page > 100 {
				t.Fatalf("walk %d: more than 100 pages", w)
			}
		}
		for arn := range stable {
			if !touched[arn] && seen[arn] != 1 {
				t.Errorf("walk %d (SortBy %q, SortOrder %q, IncludePlannedDeletion %v): %s seen %d times, want 1",
					w, in.SortBy, in.SortOrder, in.IncludePlannedDeletion, arn, seen[arn])
			}
		}
		for arn, n := range seen {
			if n > 1 && !touched[arn] {
				t.Errorf("walk %d: %s seen %d times", w, arn, n)
			}
		}
	}
}

func TestService_ListSecretVersionIds(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	MustCreateSecret(t, svc, alice, "s")
	for i := 1; i < 5; i++ {
		clk.Advance(time.Minute)
		MustPutSecretValue(t, svc, alice, "s", tok(i), fmt.Sprintf("v%d", i))
	}
	MustCreateSecret(t, svc, alice, "other")
	ids := func(vs []*secrets.Version) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}

	t.Run("OKLabelledOnly", func(t *testing.T) {
		t.Parallel()
		out, err := svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(out.Versions); !slices.Equal(got, []string{tok(3), tok(4)}) || out.NextToken != "" {
			t.Errorf("versions %v, NextToken %q", got, out.NextToken)
		}
		if out.Name != "s" || out.KMSKeyID != "" {
			t.Errorf("out = %+v", out)
		}
	})

	t.Run("OKPagesOldestFirst", func(t *testing.T) {
		t.Parallel()
		for _, size := range []int{0, 1, 2, 3, 5, 6} {
			got := MustListAllVersions(t, svc, alice, "s", true, size)
			if want := []string{tok(0), tok(1), tok(2), tok(3), tok(4)}; !slices.Equal(ids(got), want) {
				t.Errorf("MaxResults %d: %v, want %v", size, ids(got), want)
			}
			for i, v := range got {
				if !v.CreatedAt.Equal(t0.Add(time.Duration(i) * time.Minute)) {
					t.Errorf("version %d CreatedAt %v", i, v.CreatedAt)
				}
				if i < 3 && len(v.Stages) != 0 {
					t.Errorf("deprecated version %s has stages %v", v.ID, v.Stages)
				}
			}
		}
	})

	t.Run("OKPageSizes", func(t *testing.T) {
		t.Parallel()
		out, err := svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, MaxResults: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Versions) != 2 || out.NextToken == "" {
			t.Fatalf("first page %v, token %q", ids(out.Versions), out.NextToken)
		}
		out, err = svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, MaxResults: 3, NextToken: out.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(out.Versions); !slices.Equal(got, []string{tok(2), tok(3), tok(4)}) || out.NextToken != "" {
			t.Errorf("second page %v, token %q", got, out.NextToken)
		}
	})

	first, err := svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	token := first.NextToken
	tests := []struct {
		name string
		in   secrets.ListVersionsInput
	}{
		{"ErrGarbage", secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, NextToken: "garbage"}},
		{"ErrTampered", secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, NextToken: flipChar(token, len(token)/2)}},
		{"ErrTamperedNearEnd", secrets.ListVersionsInput{SecretID: "s", IncludeDeprecated: true, NextToken: flipChar(token, len(token)-2)}},
		{"ErrOtherIncludeDeprecated", secrets.ListVersionsInput{SecretID: "s", NextToken: token}},
		{"ErrOtherSecret", secrets.ListVersionsInput{SecretID: "other", IncludeDeprecated: true, NextToken: token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := svc.ListSecretVersionIds(t.Context(), alice, tt.in)
			assertError(t, err, secrets.InvalidNextToken, msgInvalidNextToken)
		})
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		_, err := svc.ListSecretVersionIds(t.Context(), alice, secrets.ListVersionsInput{SecretID: "nope"})
		assertError(t, err, secrets.NotFound, msgSecretNotFound)
	})
}

func TestService_BatchGetSecretValue(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	for _, n := range []string{"app/one", "app/two", "db/three", "app/gone"} {
		clk.Advance(time.Minute)
		MustCreateSecret(t, svc, alice, n)
		MustPutSecretValue(t, svc, alice, n, tok(1), "value of "+n)
	}
	MustDeleteSecret(t, svc, alice, secrets.DeleteSecretInput{SecretID: "app/gone"})
	if _, err := svc.CreateSecret(t.Context(), alice, secrets.CreateSecretInput{Name: "app/empty"}); err != nil {
		t.Fatal(err)
	}

	t.Run("OKIDs", func(t *testing.T) {
		t.Parallel()
		out, err := svc.BatchGetSecretValue(t.Context(), alice, secrets.BatchGetInput{SecretIDs: []string{"db/three", "missing", "app/one", "app/gone", "app/empty"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.Values {
			got = append(got, v.Name+"="+string(v.Value.Bytes))
		}
		if want := []string{"db/three=value of db/three", "app/one=value of app/one"}; !slices.Equal(got, want) {
			t.Errorf("Values = %v, want %v", got, want)
		}
		if len(out.Errors) != 3 {
			t.Fatalf("Errors = %v, want 3", out.Errors)
		}
		wantErrs := []struct {
			id      string
			kind    secrets.Kind
			message string
		}{
			{"missing", secrets.NotFound, msgSecretNotFound},
			{"app/gone", secrets.InvalidRequest, msgMarkedForDeletion},
			{"app/empty", secrets.NotFound, msgNoValueForStage("AWSCURRENT")},
		}
		for i, w := range wantErrs {
			if out.Errors[i].SecretID != w.id {
				t.Errorf("Errors[%d].SecretID = %q, want %q", i, out.Errors[i].SecretID, w.id)
			}
			assertError(t, out.Errors[i].Err, w.kind, w.message)
		}
	})

	t.Run("OKFilters", func(t *testing.T) {
		t.Parallel()
		in := secrets.BatchGetInput{Filters: []secrets.Filter{{Key: secrets.FilterName, Values: []string{"app/"}}}, HasFilters: true, MaxResults: 1}
		var got []string
		var errs []string
		for page := 0; ; page++ {
			out, err := svc.BatchGetSecretValue(t.Context(), alice, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out.Values {
				got = append(got, v.Name)
			}
			for _, e := range out.Errors {
				errs = append(errs, e.SecretID)
			}
			if out.NextToken == "" {
				break
			}
			in.NextToken = out.NextToken
		}
		// app/gone is scheduled for deletion: not listed, so not read.
		if want := []string{"app/one", "app/two"}; !slices.Equal(got, want) {
			t.Errorf("Values = %v, want %v", got, want)
		}
		if len(errs) != 1 || !strings.Contains(errs[0], ":secret:app/empty-") {
			t.Errorf("Errors for %v, want app/empty's ARN", errs)
		}
	})

	tests := []struct {
		name    string
		in      secrets.BatchGetInput
		kind    secrets.Kind
		message string
	}{
		{"ErrBoth", secrets.BatchGetInput{SecretIDs: []string{"app/one"}, Filters: []secrets.Filter{{Key: secrets.FilterName, Values: []string{"a"}}}, HasFilters: true}, secrets.InvalidParameter, msgBatchBoth},
		// AWS rejects it too (cloudemu PR #744); its text is unknown.
		{"ErrNeither", secrets.BatchGetInput{}, secrets.InvalidParameter, msgBatchBoth},
		{"ErrMaxResultsWithoutFilters", secrets.BatchGetInput{SecretIDs: []string{"app/one"}, MaxResults: 5}, secrets.InvalidParameter, msgBatchMaxResults},
		{"ErrNextToken", secrets.BatchGetInput{Filters: []secrets.Filter{{Key: secrets.FilterName, Values: []string{"a"}}}, HasFilters: true, NextToken: "bogus"}, secrets.InvalidNextToken, msgInvalidNextToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := svc.BatchGetSecretValue(t.Context(), alice, tt.in)
			assertError(t, err, tt.kind, tt.message)
		})
	}
}

func TestService_LastAccessedAt(t *testing.T) {
	t.Parallel()
	svc, clk := MustService(t)
	MustCreateSecret(t, svc, alice, "s")
	MustPutSecretValue(t, svc, alice, "s", tok(1), "v1")
	midnight := time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC)

	// DescribeSecret and ListSecrets are not reads of the value.
	MustDescribeSecret(t, svc, alice, "s")
	listNames(t, svc, alice, secrets.ListSecretsInput{})
	if d := MustDescribeSecret(t, svc, alice, "s"); !d.LastAccessedAt.IsZero() {
		t.Fatalf("LastAccessedAt = %v before any read, want zero", d.LastAccessedAt)
	}

	MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"})
	d := MustDescribeSecret(t, svc, alice, "s")
	if !d.LastAccessedAt.Equal(midnight) || d.LastAccessedAt.Location() != time.UTC {
		t.Errorf("LastAccessedAt = %v, want %v", d.LastAccessedAt, midnight)
	}
	if !d.LastChangedAt.Equal(t0) {
		t.Errorf("LastChangedAt = %v: a read changed it", d.LastChangedAt)
	}
	versionAccess := func() map[string]time.Time {
		m := map[string]time.Time{}
		for _, v := range MustListAllVersions(t, svc, alice, "s", true, 0) {
			m[v.ID] = v.LastAccessedAt
		}
		return m
	}
	if got := versionAccess(); !got[tok(1)].Equal(midnight) || !got[tok(0)].IsZero() {
		t.Errorf("versions' LastAccessedAt = %v", got)
	}

	// Ten hours later it is the next day (UTC).
	clk.Advance(10 * time.Hour)
	MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s", VersionID: tok(0)})
	next := midnight.Add(24 * time.Hour)
	if d := MustDescribeSecret(t, svc, alice, "s"); !d.LastAccessedAt.Equal(next) {
		t.Errorf("LastAccessedAt = %v, want %v", d.LastAccessedAt, next)
	}
	if got := versionAccess(); !got[tok(1)].Equal(midnight) || !got[tok(0)].Equal(next) {
		t.Errorf("versions' LastAccessedAt = %v", got)
	}
}

func TestService_LastChangedAt(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name string
		call func(t *testing.T, svc *secrets.Service) error
	}{
		{"PutSecretValue", func(t *testing.T, svc *secrets.Service) error {
			_, err := svc.PutSecretValue(t.Context(), alice, secrets.PutSecretValueInput{SecretID: "s", Token: tok(1), Value: val("v1")})
			return err
		}},
		{"UpdateSecretValue", func(t *testing.T, svc *secrets.Service) error {
			_, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Token: tok(1), Value: val("v1")})
			return err
		}},
		{"UpdateSecretDescription", func(t *testing.T, svc *secrets.Service) error {
			_, err := svc.UpdateSecret(t.Context(), alice, secrets.UpdateSecretInput{SecretID: "s", Description: ptr("d")})
			return err
		}},
		{"UpdateSecretVersionStage", func(t *testing.T, svc *secrets.Service) error {
			_, err := svc.UpdateSecretVersionStage(t.Context(), alice, secrets.UpdateSecretVersionStageInput{SecretID: "s", Stage: "blue", MoveTo: tok(0)})
			return err
		}},
		{"TagResource", func(t *testing.T, svc *secrets.Service) error {
			return svc.TagResource(t.Context(), alice, "s", []secrets.Tag{{Key: "k", Value: "v"}})
		}},
		{"UntagResource", func(t *testing.T, svc *secrets.Service) error {
			return svc.UntagResource(t.Context(), alice, "s", []string{"k"})
		}},
	}
	for _, op := range ops {
		t.Run("OK"+op.name, func(t *testing.T) {
			t.Parallel()
			svc, clk := MustService(t)
			MustCreateSecret(t, svc, alice, "s")
			d := MustDescribeSecret(t, svc, alice, "s")
			if !d.LastChangedAt.Equal(d.CreatedAt) {
				t.Fatalf("LastChangedAt %v != CreatedAt %v at creation", d.LastChangedAt, d.CreatedAt)
			}
			clk.Advance(3 * time.Hour)
			MustGetSecretValue(t, svc, alice, secrets.GetSecretValueInput{SecretID: "s"})
			if d := MustDescribeSecret(t, svc, alice, "s"); !d.LastChangedAt.Equal(t0) {
				t.Fatalf("GetSecretValue moved LastChangedAt to %v", d.LastChangedAt)
			}
			clk.Advance(time.Hour)
			if err := op.call(t, svc); err != nil {
				t.Fatal(err)
			}
			if d := MustDescribeSecret(t, svc, alice, "s"); !d.LastChangedAt.Equal(clk.Now()) {
				t.Errorf("LastChangedAt = %v, want %v", d.LastChangedAt, clk.Now())
			}
		})
	}
}
