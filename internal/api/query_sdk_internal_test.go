package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// These tests prove that the AWS SDK for Go v2 reads what the query
// protocol writes: its own serializers make the requests, its own
// deserializers read the XML responses and errors.

// recorder keeps the canonical JSON bodies the fake handlers received.
type recorder struct {
	mu     sync.Mutex
	bodies map[string]string
}

func (r *recorder) record(op string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bodies == nil {
		r.bodies = map[string]string{}
	}
	r.bodies[op] = string(body)
}

func (r *recorder) body(op string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[op]
}

var (
	created  = time.Date(2026, 11, 22, 4, 14, 23, 0, time.UTC)
	lastUsed = time.Date(2026, 11, 23, 8, 0, 1, 0, time.UTC)
	expires  = time.Date(2026, 11, 22, 5, 14, 23, 0, time.UTC)
)

// fakeSTS is a small STS operation table.
func fakeSTS(rec *recorder) map[string]handler {
	return map[string]handler{
		"GetCallerIdentity": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			rec.record("GetCallerIdentity", body)
			return map[string]any{"Account": c.Account, "Arn": "arn:aws:iam::" + c.Account + ":user/alice", "UserId": "AIDAEXAMPLE"}, nil
		},
		"AssumeRole": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			rec.record("AssumeRole", body)
			var in struct {
				RoleArn         string
				RoleSessionName string
			}
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, err
			}
			if strings.HasSuffix(in.RoleArn, "/forbidden") {
				return nil, secrets.Errorf(secrets.Denied, "AssumeRole", "User: arn:aws:iam::%s:user/alice is not authorized to perform: sts:AssumeRole on resource: %s", c.Account, in.RoleArn)
			}
			type credentials struct {
				AccessKeyId, SecretAccessKey, SessionToken string
				Expiration                                 time.Time
			}
			return struct {
				Credentials      credentials
				AssumedRoleUser  struct{ AssumedRoleId, Arn string }
				PackedPolicySize int
			}{
				Credentials: credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s3cr3t/<&>", SessionToken: "token", Expiration: expires},
				AssumedRoleUser: struct{ AssumedRoleId, Arn string }{
					AssumedRoleId: "AROAEXAMPLE:" + in.RoleSessionName,
					Arn:           "arn:aws:sts::" + c.Account + ":assumed-role/demo/" + in.RoleSessionName,
				},
				PackedPolicySize: 6,
			}, nil
		},
	}
}

// fakeIAM is a small IAM operation table.
func fakeIAM(rec *recorder) map[string]handler {
	type tag struct{ Key, Value string }
	type user struct {
		Path, UserName, UserId, Arn string
		CreateDate                  time.Time
		PasswordLastUsed            *time.Time `json:",omitempty"`
		Tags                        []tag      `json:",omitempty"`
	}
	return map[string]handler{
		"ListUsers": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			rec.record("ListUsers", body)
			return map[string]any{
				"Users": []user{
					{Path: "/", UserName: "alice", UserId: "AIDAALICE", Arn: "arn:aws:iam::" + c.Account + ":user/alice", CreateDate: created,
						PasswordLastUsed: &lastUsed, Tags: []tag{{"team", "a & b"}, {"env", "<prod>"}}},
					{Path: "/ops/", UserName: "bob", UserId: "AIDABOB", Arn: "arn:aws:iam::" + c.Account + ":user/ops/bob", CreateDate: created.Add(time.Hour)},
				},
				"IsTruncated": true,
				"Marker":      "next-page",
			}, nil
		},
		"GetUser": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			var in struct{ UserName string }
			json.Unmarshal(body, &in)
			return nil, secrets.Errorf(secrets.NotFound, "GetUser", "The user with name %s cannot be found.", in.UserName)
		},
		"CreateUser": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			rec.record("CreateUser", body)
			var in struct {
				UserName string
				Tags     []tag
			}
			json.Unmarshal(body, &in)
			return map[string]any{"User": user{Path: "/", UserName: in.UserName, UserId: "AIDANEW", Arn: "arn:aws:iam::" + c.Account + ":user/" + in.UserName, CreateDate: created, Tags: in.Tags}}, nil
		},
		"DeleteUser": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			rec.record("DeleteUser", body)
			return nil, nil
		},
		"GetAccountSummary": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			return map[string]any{"SummaryMap": map[string]int{"Users": 2, "UsersQuota": 5000}}, nil
		},
	}
}

// queryTestServer serves the fake IAM and STS (and the real Secrets Manager
// table, unused) over loopback HTTP.
func queryTestServer(t *testing.T) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	s := newWithQueryOps(Options{Verifier: &auth.Verifier{Creds: allowAll{}}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		fakeIAM(rec), fakeSTS(rec))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, rec
}

func sdkConfig(srv *httptest.Server) aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		}),
		BaseEndpoint:     aws.String(srv.URL),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
}

func TestQuerySDK_STS(t *testing.T) {
	t.Parallel()
	srv, rec := queryTestServer(t)
	client := sts.NewFromConfig(sdkConfig(srv))
	ctx := context.Background()

	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "123456789012" || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/alice" || aws.ToString(id.UserId) != "AIDAEXAMPLE" {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}

	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::123456789012:role/demo"),
		RoleSessionName: aws.String("sess-1"),
		DurationSeconds: aws.Int32(3600),
		PolicyArns:      []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
		Tags:            []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("coffer")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if c == nil || aws.ToString(c.AccessKeyId) != "ASIAEXAMPLE" || aws.ToString(c.SecretAccessKey) != "s3cr3t/<&>" ||
		aws.ToString(c.SessionToken) != "token" || c.Expiration == nil || !c.Expiration.Equal(expires) {
		t.Errorf("Credentials = %+v", c)
	}
	if u := out.AssumedRoleUser; u == nil || aws.ToString(u.AssumedRoleId) != "AROAEXAMPLE:sess-1" || aws.ToString(u.Arn) != "arn:aws:sts::123456789012:assumed-role/demo/sess-1" {
		t.Errorf("AssumedRoleUser = %+v", out.AssumedRoleUser)
	}
	if aws.ToInt32(out.PackedPolicySize) != 6 {
		t.Errorf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	// The handler got the SDK's form as canonical JSON.
	want := `{"DurationSeconds":3600,"PolicyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}],"RoleArn":"arn:aws:iam::123456789012:role/demo","RoleSessionName":"sess-1","Tags":[{"Key":"project","Value":"coffer"}]}`
	if got := rec.body("AssumeRole"); got != want {
		t.Errorf("AssumeRole handler got\n%s\nwant\n%s", got, want)
	}

	// A domain error, as the SDK sees it.
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/forbidden"), RoleSessionName: aws.String("s2")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.Contains(ae.ErrorMessage(), "is not authorized to perform: sts:AssumeRole") {
		t.Errorf("AssumeRole(forbidden) error = %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Errorf("AssumeRole(forbidden) status: %v", err)
	}

	// A validation error: one character is below RoleSessionName's minimum.
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" ||
		ae.ErrorMessage() != "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2" {
		t.Errorf("AssumeRole(short session name) error = %v", err)
	}
}

// TestQuerySDK_STSPresignedGet checks the presigned GetCallerIdentity GET
// that Kubernetes' aws-iam-authenticator and Vault-style logins send.
func TestQuerySDK_STSPresignedGet(t *testing.T) {
	t.Parallel()
	srv, _ := queryTestServer(t)
	presigned, err := sts.NewPresignClient(sts.NewFromConfig(sdkConfig(srv))).PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if presigned.Method != http.MethodGet {
		t.Fatalf("presigned method %s", presigned.Method)
	}
	req, _ := http.NewRequest(presigned.Method, presigned.URL, nil)
	for k, v := range presigned.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = v
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Account>123456789012</Account>") {
		t.Errorf("presigned GET: %d %s", resp.StatusCode, body)
	}
}

func TestQuerySDK_IAM(t *testing.T) {
	t.Parallel()
	srv, rec := queryTestServer(t)
	client := iam.NewFromConfig(sdkConfig(srv))
	ctx := context.Background()

	list, err := client.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/"), MaxItems: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.body("ListUsers"); got != `{"MaxItems":10,"PathPrefix":"/"}` {
		t.Errorf("ListUsers handler got %s", got)
	}
	if !list.IsTruncated || aws.ToString(list.Marker) != "next-page" || len(list.Users) != 2 {
		t.Fatalf("ListUsers = truncated %v marker %v, %d users", list.IsTruncated, aws.ToString(list.Marker), len(list.Users))
	}
	alice, bob := list.Users[0], list.Users[1]
	if aws.ToString(alice.UserName) != "alice" || aws.ToString(alice.Arn) != "arn:aws:iam::123456789012:user/alice" ||
		aws.ToString(alice.Path) != "/" || aws.ToString(alice.UserId) != "AIDAALICE" {
		t.Errorf("alice = %+v", alice)
	}
	if alice.CreateDate == nil || !alice.CreateDate.Equal(created) || alice.PasswordLastUsed == nil || !alice.PasswordLastUsed.Equal(lastUsed) {
		t.Errorf("alice's dates = %v, %v", alice.CreateDate, alice.PasswordLastUsed)
	}
	if len(alice.Tags) != 2 || aws.ToString(alice.Tags[0].Key) != "team" || aws.ToString(alice.Tags[0].Value) != "a & b" ||
		aws.ToString(alice.Tags[1].Key) != "env" || aws.ToString(alice.Tags[1].Value) != "<prod>" {
		t.Errorf("alice's tags = %+v", alice.Tags)
	}
	if aws.ToString(bob.Path) != "/ops/" || bob.CreateDate == nil || !bob.CreateDate.Equal(created.Add(time.Hour)) || bob.PasswordLastUsed != nil || len(bob.Tags) != 0 {
		t.Errorf("bob = %+v", bob)
	}

	// Input lists and the echo of them.
	cu, err := client.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("carol"),
		Tags:     []iamtypes.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("k2"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rec.body("CreateUser"), `{"Tags":[{"Key":"k1","Value":"v1"},{"Key":"k2","Value":""}],"UserName":"carol"}`; got != want {
		t.Errorf("CreateUser handler got %s, want %s", got, want)
	}
	if u := cu.User; u == nil || aws.ToString(u.UserName) != "carol" || len(u.Tags) != 2 || aws.ToString(u.Tags[1].Key) != "k2" {
		t.Errorf("CreateUser = %+v", cu.User)
	}

	// An operation without output.
	if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")}); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}
	if got := rec.body("DeleteUser"); got != `{"UserName":"carol"}` {
		t.Errorf("DeleteUser handler got %s", got)
	}

	// A map in the output.
	sum, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["Users"] != 2 || sum.SummaryMap["UsersQuota"] != 5000 || len(sum.SummaryMap) != 2 {
		t.Errorf("SummaryMap = %v", sum.SummaryMap)
	}

	// A modeled error reaches the SDK as its type.
	_, err = client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The user with name nobody cannot be found." {
		t.Errorf("GetUser(nobody) error = %v, want a NoSuchEntityException", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
		t.Errorf("GetUser(nobody) status: %v", err)
	}

	// A validation error, with IAM's member path.
	_, err = client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" ||
		ae.ErrorMessage() != `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+` {
		t.Errorf("CreateUser(bad name) error = %v", err)
	}

	// An operation the table lacks.
	_, err = client.ListRoles(ctx, &iam.ListRolesInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" || ae.ErrorMessage() != "Could not find operation ListRoles for version 2010-05-08" {
		t.Errorf("ListRoles error = %v", err)
	}
}

// TestQuerySDK_AuthErrors checks the query protocol's authentication codes
// as the SDK reads them.
func TestQuerySDK_AuthErrors(t *testing.T) {
	t.Parallel()
	srv, _ := queryTestServer(t)
	cfg := sdkConfig(srv)
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wrong"}, nil
	})
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "SignatureDoesNotMatch" || !strings.HasPrefix(ae.ErrorMessage(), "The request signature we calculated does not match") {
		t.Errorf("wrong secret: %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Errorf("wrong secret status: %v", err)
	}
}
