package model_test

import (
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/api/model"
)

// TestService_QueryMetadata checks what the tables of the query-protocol
// services hold beyond the input side.
func TestService_QueryMetadata(t *testing.T) {
	iam, sts := model.IAM(), model.STS()
	if iam.Protocol() != "query" || iam.XMLNamespace() != "https://iam.amazonaws.com/doc/2010-05-08/" || iam.TargetPrefix() != "" || iam.JSONVersion() != "" {
		t.Errorf("IAM metadata = %q %q %q %q", iam.Protocol(), iam.XMLNamespace(), iam.TargetPrefix(), iam.JSONVersion())
	}
	if sts.Protocol() != "query" || sts.XMLNamespace() != "https://sts.amazonaws.com/doc/2011-06-15/" || sts.APIVersion() != "2011-06-15" {
		t.Errorf("STS metadata = %q %q %q", sts.Protocol(), sts.XMLNamespace(), sts.APIVersion())
	}
	if p := model.SecretsManager().Protocol(); p != "json" {
		t.Errorf("Secrets Manager protocol = %q", p)
	}

	out, wrapper, ok := iam.Output("CreateUser")
	if !ok || wrapper != "CreateUserResult" || out == nil || out.Members[0].Name != "User" {
		t.Fatalf("Output(CreateUser) = %+v, %q, %v", out, wrapper, ok)
	}
	user := iam.Shape(out.Members[0].Shape)
	if user == nil || user.Type != model.Structure || user.Members[1].Name != "UserName" {
		t.Fatalf("User shape = %+v", user)
	}
	// Output-only shapes are in the table, without constraints.
	if idType := iam.Shape("idType"); idType == nil || idType.HasMin || idType.Pattern != "" {
		t.Errorf("output-only idType = %+v", idType)
	}
	// An operation without output is known, with no shape.
	if out, wrapper, ok := iam.Output("DeleteUser"); !ok || out != nil || wrapper != "" {
		t.Errorf("Output(DeleteUser) = %+v, %q, %v", out, wrapper, ok)
	}
	if _, _, ok := iam.Output("NoSuchOperation"); ok {
		t.Error("Output of an unknown operation is ok")
	}
	// JSON services carry no outputs.
	if _, _, ok := model.SecretsManager().Output("GetSecretValue"); ok {
		t.Error("a JSON service has outputs")
	}
	if out, wrapper, ok := sts.Output("GetCallerIdentity"); !ok || wrapper != "GetCallerIdentityResult" || len(out.Members) != 3 {
		t.Errorf("Output(GetCallerIdentity) = %+v, %q, %v", out, wrapper, ok)
	}
}

// TestValidate_Query checks that the query services' inputs give the
// messages real IAM and STS send: the same format as the JSON services.
func TestValidate_Query(t *testing.T) {
	longRole := "charon-31f85414-3f74-11e5-b275-f23c91ae92d9-DynamoReadOnlyPermission"
	tagValue := "SourceIP: 10.0.0.1, UserAgent: aws-cli/2.1.17 Python/3.7.4 Darwin/20.3.0 exe/x86_64 prompt/off command/iam.create-user"
	for _, tc := range []struct {
		name string
		svc  *model.Service
		op   string
		in   map[string]any
		want string
	}{
		{ // NixOS/nixops#328 (real IAM, the whole ErrorResponse quoted)
			name: "RoleNameLength", svc: model.IAM(), op: "CreateRole",
			in:   map[string]any{"RoleName": longRole, "AssumeRolePolicyDocument": "{}"},
			want: "1 validation error detected: Value '" + longRole + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64",
		},
		{ // SWO-GS/auto-tag#90 (real IAM CreateUser, statusCode 400)
			name: "TagValuePattern", svc: model.IAM(), op: "CreateUser",
			in: map[string]any{"UserName": "bob", "Tags": []any{
				map[string]any{"Key": "a", "Value": "1"}, map[string]any{"Key": "b", "Value": "2"},
				map[string]any{"Key": "c", "Value": "3"}, map[string]any{"Key": "d", "Value": "4"},
				map[string]any{"Key": "e", "Value": "5"}, map[string]any{"Key": "f", "Value": tagValue},
			}},
			want: `1 validation error detected: Value '` + tagValue + `' at 'tags.6.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`,
		},
		{
			name: "AccountAliasDoubleHyphen", svc: model.IAM(), op: "CreateAccountAlias",
			in:   map[string]any{"AccountAlias": "my--alias"},
			want: "1 validation error detected: Value 'my--alias' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
		},
		{
			name: "AccountAliasValid", svc: model.IAM(), op: "CreateAccountAlias",
			in: map[string]any{"AccountAlias": "my-alias"},
		},
		{
			name: "DurationSecondsMin", svc: model.STS(), op: "AssumeRole",
			in:   map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s", "DurationSeconds": 899},
			want: "2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := model.Validate(tc.svc, tc.op, tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Validate = %v\nwant       %s", err, tc.want)
			}
		})
	}
	if strings.Contains(model.IAM().Shape("accountAliasType").GoPattern, "?!") {
		t.Error("the lookahead reached the RE2 pattern")
	}
}
