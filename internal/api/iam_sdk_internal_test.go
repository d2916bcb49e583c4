package api

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// iamTestServer serves the real IAM operations (iamOps on a SQLite store)
// over loopback HTTP, with SigV4 against real access keys, and returns a
// client signed with the account root's key.
func iamTestServer(t *testing.T) (*awsiam.Client, *httptest.Server, *identity.Manager) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	material := make([]byte, 32)
	rand.Read(material)
	rk, err := keyring.NewRootKey(material)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	keys := &identity.Manager{Store: st, Root: rk, Clock: secretsClock{}}
	ctx := context.Background()
	if _, err := keys.CreateAccount(ctx, "123456789012"); err != nil {
		t.Fatal(err)
	}
	rootKey, err := keys.CreateAccessKey(ctx, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	svc := &iam.Service{Store: st, Keys: keys, Clock: clk}
	s := newWithQueryOps(Options{Verifier: &auth.Verifier{Creds: keys}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, iamOps(svc), nil)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return awsiam.NewFromConfig(iamSDKConfig(srv, rootKey.AccessKeyID, rootKey.SecretAccessKey)), srv, keys
}

// secretsClock is the real clock: SigV4 checks request times against it.
type secretsClock struct{}

func (secretsClock) Now() time.Time { return time.Now() }

func iamSDKConfig(srv *httptest.Server, id, secret string) aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
		}),
		BaseEndpoint:     aws.String(srv.URL),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
}

// apiError returns the code and HTTP status of an SDK error.
func apiError(err error) (string, int) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", 0
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func TestIAMSDK_Users(t *testing.T) {
	t.Parallel()
	client, srv, keys := iamTestServer(t)
	ctx := context.Background()

	cu, err := client.CreateUser(ctx, &awsiam.CreateUserInput{
		UserName: aws.String("alice"), Path: aws.String("/eng/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a b:c=d")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := cu.User
	if aws.ToString(u.UserName) != "alice" || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/eng/alice" ||
		aws.ToString(u.Path) != "/eng/" || len(aws.ToString(u.UserId)) != 21 || u.CreateDate == nil ||
		len(u.Tags) != 1 || aws.ToString(u.Tags[0].Value) != "a b:c=d" {
		t.Errorf("CreateUser = %+v", u)
	}
	_, err = client.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ALICE")})
	if code, status := apiError(err); code != "EntityAlreadyExists" || status != 409 {
		t.Errorf("CreateUser taken: %v (%s %d)", err, code, status)
	}
	_, err = client.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	if code, status := apiError(err); code != "NoSuchEntity" || status != 404 {
		t.Errorf("GetUser nobody: %v (%s %d)", err, code, status)
	}
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || aws.ToString(nse.Message) != "The user with name nobody cannot be found." {
		t.Errorf("GetUser nobody: %v, want a NoSuchEntityException", err)
	}

	me, err := client.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(me.User.Arn) != "arn:aws:iam::123456789012:root" || aws.ToString(me.User.UserId) != "123456789012" {
		t.Errorf("GetUser as root = %+v", me.User)
	}

	// The user's own key signs as the user.
	ak, err := client.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	k := ak.AccessKey
	if aws.ToString(k.UserName) != "alice" || k.Status != iamtypes.StatusTypeActive || len(aws.ToString(k.SecretAccessKey)) != 40 {
		t.Errorf("CreateAccessKey = %+v", k)
	}
	alice := awsiam.NewFromConfig(iamSDKConfig(srv, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)))
	self, err := alice.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(self.User.UserName) != "alice" {
		t.Errorf("GetUser as alice = %+v", self.User)
	}
	lk, err := alice.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lk.AccessKeyMetadata) != 1 || aws.ToString(lk.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(k.AccessKeyId) || lk.IsTruncated {
		t.Errorf("ListAccessKeys = %+v", lk)
	}
	// Inactive at once.
	if _, err := client.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{
		UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId, Status: iamtypes.StatusTypeInactive,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.GetUser(ctx, &awsiam.GetUserInput{}); err == nil {
		t.Error("an inactive key still works")
	}
	_ = keys

	_, err = client.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
	var dc *iamtypes.DeleteConflictException
	if !errors.As(err, &dc) || aws.ToString(dc.Message) != "Cannot delete entity, must delete access keys first." {
		t.Errorf("DeleteUser with a key: %v", err)
	}
	if _, err := client.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}); err != nil {
		t.Fatal(err)
	}

	for _, n := range []string{"bob", "carol"} {
		if _, err := client.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := awsiam.NewListUsersPaginator(client, &awsiam.ListUsersInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
			if len(u.Tags) != 0 {
				t.Errorf("ListUsers shows tags of %s", aws.ToString(u.UserName))
			}
		}
	}
	if len(names) != 3 || names[0] != "alice" || names[2] != "carol" {
		t.Errorf("ListUsers pages = %v", names)
	}

	// Inline policies come back URL-encoded, as from AWS.
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/a+b c"}]}`
	if _, err := client.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	gp, err := client.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: aws.String("BOB"), PolicyName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := url.QueryUnescape(aws.ToString(gp.PolicyDocument))
	if err != nil || decoded != doc || aws.ToString(gp.UserName) != "bob" || aws.ToString(gp.PolicyName) != "p" {
		t.Errorf("GetUserPolicy = %q (decoded %q, %v), user %s", aws.ToString(gp.PolicyDocument), decoded, err, aws.ToString(gp.UserName))
	}
	lp, err := client.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String("bob")})
	if err != nil || len(lp.PolicyNames) != 1 {
		t.Errorf("ListUserPolicies = %+v, %v", lp, err)
	}
	_, err = client.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[]}`)})
	if code, status := apiError(err); code != "MalformedPolicyDocument" || status != 400 {
		t.Errorf("PutUserPolicy malformed: %v (%s %d)", err, code, status)
	}
}

func TestIAMSDK_GroupsRolesPolicies(t *testing.T) {
	t.Parallel()
	client, _, _ := iamTestServer(t)
	ctx := context.Background()

	if _, err := client.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	gg, err := client.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil || aws.ToString(gg.Group.GroupName) != "devs" || len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "alice" {
		t.Errorf("GetGroup = %+v, %v", gg, err)
	}
	lg, err := client.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("alice")})
	if err != nil || len(lg.Groups) != 1 {
		t.Errorf("ListGroupsForUser = %+v, %v", lg, err)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	cr, err := client.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("CI")})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Role.MaxSessionDuration != nil || cr.Role.RoleLastUsed != nil || aws.ToString(cr.Role.Description) != "CI" {
		t.Errorf("CreateRole = %+v", cr.Role)
	}
	gr, err := client.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("CI")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(gr.Role.MaxSessionDuration) != 3600 || gr.Role.RoleLastUsed == nil {
		t.Errorf("GetRole = %+v", gr.Role)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); d != trust {
		t.Errorf("AssumeRolePolicyDocument = %s", d)
	}
	if _, err := client.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("ci"), MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	lr, err := client.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil || len(lr.Roles) != 1 || aws.ToInt32(lr.Roles[0].MaxSessionDuration) != 7200 {
		t.Errorf("ListRoles = %+v, %v", lr, err)
	}

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	cp, err := client.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(doc), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	pol := cp.Policy
	if aws.ToString(pol.DefaultVersionId) != "v1" || !pol.IsAttachable || aws.ToInt32(pol.AttachmentCount) != 0 || pol.Description != nil {
		t.Errorf("CreatePolicy = %+v", pol)
	}
	for _, attach := range []func() error{
		func() error {
			_, err := client.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: pol.Arn})
			return err
		},
		func() error {
			_, err := client.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Arn})
			return err
		},
		func() error {
			_, err := client.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: pol.Arn})
			return err
		},
	} {
		if err := attach(); err != nil {
			t.Fatal(err)
		}
	}
	gp, err := client.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: pol.Arn})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 3 || aws.ToString(gp.Policy.Description) != "d" || gp.Policy.Tags == nil {
		t.Errorf("GetPolicy = %+v, %v", gp, err)
	}
	le, err := client.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: pol.Arn})
	if err != nil || len(le.PolicyUsers) != 1 || len(le.PolicyGroups) != 1 || len(le.PolicyRoles) != 1 {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", le, err)
	}
	la, err := client.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("ci")})
	if err != nil || len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyName) != "read" {
		t.Errorf("ListAttachedRolePolicies = %+v, %v", la, err)
	}
	_, err = client.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: pol.Arn})
	if code, status := apiError(err); code != "DeleteConflict" || status != 409 {
		t.Errorf("DeletePolicy attached: %v (%s %d)", err, code, status)
	}

	cv, err := client.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(doc), SetAsDefault: true})
	if err != nil || aws.ToString(cv.PolicyVersion.VersionId) != "v2" || !cv.PolicyVersion.IsDefaultVersion || cv.PolicyVersion.Document != nil {
		t.Errorf("CreatePolicyVersion = %+v, %v", cv, err)
	}
	gv, err := client.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: pol.Arn, VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); d != doc || gv.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion = %+v", gv.PolicyVersion)
	}
	lv, err := client.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: pol.Arn})
	if err != nil || len(lv.Versions) != 2 || aws.ToString(lv.Versions[0].VersionId) != "v2" {
		t.Errorf("ListPolicyVersions = %+v, %v", lv, err)
	}
	lp, err := client.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, OnlyAttached: true})
	if err != nil || len(lp.Policies) != 1 {
		t.Errorf("ListPolicies = %+v, %v", lp, err)
	}
	_, err = client.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	if code, status := apiError(err); code != "NoSuchEntity" || status != 404 {
		t.Errorf("AttachUserPolicy of an AWS managed policy: %v (%s %d)", err, code, status)
	}
}
