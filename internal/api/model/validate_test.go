package model_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/api/model"
)

// Sources for the expected formats. Each case names the one its message
// follows; "real" means a response from AWS itself, quoted in the source.
//
//	[sts]       tenesys/awsconsole#2 (real STS): "1 validation error detected: Value '...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32"
//	[empty]     a real DynamoDB table in an emulator's notes, and a Cognito comment: "Value '' at 'backupName' ...", "Value '' at 'clientId' ..."
//	[cognito0]  aws/aws-cli#5843 (real Cognito): "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
//	[appconfig] rebuy-de/aws-nuke#1074 (real AppConfig): "Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"
//	[enum]      mhart/dynalite tests (copied from DynamoDB): "Member must satisfy enum value set: [TOTAL, NONE]"
//	[filters]   getmoto/moto#3173 (from a real ListSecrets): "Value '...' at 'filters.N.member.key' ... enum value set: [all, name, tag-key, description, tag-value]"
//	[pattern]   aws/aws-cli#790 (real DynamoDB): "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", failing on a value a partial match accepts
//	[elements]  mhart/kinesalite tests (copied from Kinesis): "Value '' at 'records.1.member.partitionKey' ...", and the cap at 10
//	[tags]      ballerina SNS test (real SNS): "Value '...' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"
//	[null]      a Lambda's notes (real Secrets Manager): "Value null at 'secretId' failed to satisfy constraint: Member must not be null"
//	[secret]    CDK notes (real Secrets Manager): "Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"
//	[binary]    a blog post (real Secrets Manager): "Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536"
//	[several]   amazon-cognito-identity-js#388 (real Cognito): "4 validation errors detected: Value at 'password' ... ; Value at 'password' ...", length before pattern
//	[list]      remind101/ssm-env#10 (real SSM): "Value '[list, of, ten, items]' at 'names' ... Member must have length less than or equal to 10"
//	[bytebuf]   real Rekognition, quoted in several repos: "Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'image.bytes' ..."
//	[hidnull]   a recorded Cognito test: "Value null at 'groupName' ...; Value at 'username' failed to satisfy constraint: Member must not be null"
//	[plaintext] real KMS, quoted in several repos: "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
//	[athena]    a 2026 record of real Athena (AWS JSON 1.1) responses: SerializationException wording, null as absent, unknown keys ignored, type errors first, 1.5 taken as 1
//	[base64]    mhart/kinesalite tests (copied from Kinesis): "'23456' can not be converted to a Blob: ..."
//	[ours]      no public record found; our choice, explained in the package doc
func TestValidate(t *testing.T) {
	var (
		name513 = strings.Repeat("x", 513)
		tok31   = strings.Repeat("t", 31)
		key129  = strings.Repeat("k", 129)
		ids21   = make([]string, 21)
	)
	for i := range ids21 {
		ids21[i] = "s" + strconv.Itoa(i+1)
	}

	for _, tc := range []struct {
		name string
		svc  *model.Service
		op   string
		body string
		want string // "" for valid input
	}{
		// One case per constraint type.
		{ // [sts]
			name: "LengthMax", op: "CreateSecret", body: `{"Name":"` + name513 + `"}`,
			want: "1 validation error detected: Value '" + name513 + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512",
		},
		{ // [empty]
			name: "LengthMinEmpty", op: "GetSecretValue", body: `{"SecretId":""}`,
			want: "1 validation error detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{ // [cognito0]
			name: "RangeMin", op: "ListSecrets", body: `{"MaxResults":0}`,
			want: "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{ // [appconfig]
			name: "RangeMax", op: "ListSecrets", body: `{"MaxResults":101}`,
			want: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
		},
		{ // [enum]
			name: "Enum", op: "ListSecrets", body: `{"SortOrder":"up"}`,
			want: "1 validation error detected: Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
		},
		{ // [enum]; values are case sensitive
			name: "EnumCase", op: "ListSecrets", body: `{"SortOrder":"ASC"}`,
			want: "1 validation error detected: Value 'ASC' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
		},
		{ // [filters]: AWS's order, not the model's; the last two are placed by us
			name: "EnumFilterKey", op: "ListSecrets", body: `{"Filters":[{"Key":"bad","Values":["x"]}]}`,
			want: "1 validation error detected: Value 'bad' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]",
		},
		{ // [pattern] with [elements] paths, counted from 1
			name: "PatternInNestedList", op: "ListSecrets",
			body: `{"Filters":[{"Key":"name","Values":["ok"]},{"Key":"tag-key","Values":["ok","a%"]}]}`,
			want: `1 validation error detected: Value 'a%' at 'filters.2.member.values.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`,
		},
		{ // [pattern]
			name: "PatternDuration", op: "RotateSecret", body: `{"SecretId":"s","RotationRules":{"Duration":"5x"}}`,
			want: "1 validation error detected: Value '5x' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h",
		},
		{ // [pattern]: the whole value must match, though the model's pattern has no anchors
			name: "PatternIsAnchored", op: "RotateSecret", body: `{"SecretId":"s","RotationRules":{"Duration":"x5h"}}`,
			want: "1 validation error detected: Value 'x5h' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h",
		},
		{ // [pattern] with [elements]
			name: "PatternRegion", op: "ReplicateSecretToRegions", body: `{"SecretId":"s","AddReplicaRegions":[{"Region":"US-EAST-1"}]}`,
			want: `1 validation error detected: Value 'US-EAST-1' at 'addReplicaRegions.1.member.region' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-)+\d+$`,
		},
		{ // [sts]
			name: "ClientRequestTokenShort", op: "CreateSecret", body: `{"Name":"n","ClientRequestToken":"` + tok31 + `"}`,
			want: "1 validation error detected: Value '" + tok31 + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32",
		},
		{ // [cognito0]
			name: "PasswordLengthZero", op: "GetRandomPassword", body: `{"PasswordLength":0}`,
			want: "1 validation error detected: Value '0' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{ // [tags]
			name: "TagKeyLong", op: "TagResource", body: `{"SecretId":"s","Tags":[{"Key":"` + key129 + `","Value":"v"}]}`,
			want: "1 validation error detected: Value '" + key129 + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
		},
		{ // [null]
			name: "RequiredMissing", op: "DescribeSecret", body: `{}`,
			want: "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
		},
		{ // [null] and [athena]: null is the same as absent
			name: "RequiredNull", op: "DescribeSecret", body: `{"SecretId":null}`,
			want: "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
		},
		{ // [secret]: a sensitive value is not echoed
			name: "SensitiveStringTooLong", op: "CreateSecret", body: `{"Name":"n","SecretString":"` + strings.Repeat("s", 65537) + `"}`,
			want: "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
		},
		{ // [secret]
			name: "SensitiveStringEmpty", op: "PutSecretValue", body: `{"SecretId":"s","SecretString":""}`,
			want: "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{ // [ours]: lengths count UTF-16 code units, as Java's String.length(); 32769 emoji are 65538 units
			name: "LengthCountsUTF16", op: "CreateSecret", body: `{"Name":"n","SecretString":"` + strings.Repeat("😀", 32769) + `"}`,
			want: "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
		},
		{ // [ours]: 32768 emoji are 65536 units, the maximum
			name: "LengthUTF16AtMax", op: "CreateSecret", body: `{"Name":"n","SecretString":"` + strings.Repeat("😀", 32768) + `"}`,
		},
		{ // [binary]: the decoded length counts
			name: "SensitiveBlobTooLong", op: "CreateSecret",
			body: `{"Name":"n","SecretBinary":"` + base64.StdEncoding.EncodeToString(make([]byte, 65537)) + `"}`,
			want: "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536",
		},
		{ // [binary]
			name: "SensitiveBlobAtMax", op: "CreateSecret",
			body: `{"Name":"n","SecretBinary":"` + base64.StdEncoding.EncodeToString(make([]byte, 65536)) + `"}`,
		},
		{ // [secret] and [several]: length, then pattern, for the same member
			name: "SensitiveTwoConstraints", op: "PutSecretValue", body: `{"SecretId":"s","RotationToken":"bad token!"}`,
			want: `2 validation errors detected: Value at 'rotationToken' failed to satisfy constraint: Member must have length greater than or equal to 36; Value at 'rotationToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\-]+$`,
		},
		{ // [several]: length before pattern
			name: "LengthAndPattern", op: "RotateSecret", body: `{"SecretId":"s","RotationRules":{"Duration":"12345"}}`,
			want: "2 validation errors detected: Value '12345' at 'rotationRules.duration' failed to satisfy constraint: Member must have length less than or equal to 3; Value '12345' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h",
		},
		{ // [list]: a list of strings prints as Java's List.toString
			name: "ListTooLong", op: "BatchGetSecretValue", body: `{"SecretIdList":["` + strings.Join(ids21, `","`) + `"]}`,
			want: "1 validation error detected: Value '[s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21]' at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20",
		},
		{ // [list]
			name: "ListEmpty", op: "RemoveRegionsFromReplication", body: `{"SecretId":"s","RemoveReplicaRegions":[]}`,
			want: "1 validation error detected: Value '[]' at 'removeReplicaRegions' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{ // [ours]: Java prints a structure as an object identity we cannot reproduce, so the value is left out
			name: "ListOfStructuresTooLong", op: "ListSecrets",
			body: `{"Filters":[` + strings.TrimSuffix(strings.Repeat(`{"Key":"name","Values":["a"]},`, 11), ",") + `]}`,
			want: "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10",
		},

		// Several violations: "; " between them, members in model order.
		{ // [several]
			name: "Several", op: "ListSecrets", body: `{"SortBy":"size","SortOrder":"up","MaxResults":0}`,
			want: "3 validation errors detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]; Value 'size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]",
		},
		{ // [several], [null], [secret]
			name: "SeveralKinds", op: "PutSecretValue", body: `{"SecretString":"","ClientRequestToken":"short"}`,
			want: "3 validation errors detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null; Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32; Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{ // [elements]: at most ten are listed, and the count says ten; the list's own error comes first
			name: "CappedAtTen", op: "BatchGetSecretValue", body: `{"SecretIdList":[` + strings.TrimSuffix(strings.Repeat(`"",`, 21), ",") + `]}`,
			want: "10 validation errors detected: " +
				"Value '[, , , , , , , , , , , , , , , , , , , , ]' at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20; " +
				"Value '' at 'secretIdList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.3.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.4.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.5.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.6.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.7.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.8.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'secretIdList.9.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},

		// What is accepted.
		{name: "ValidMinimal", op: "CreateSecret", body: `{"Name":"n"}`},
		{
			name: "ValidFull", op: "ListSecrets",
			body: `{"IncludePlannedDeletion":true,"MaxResults":100,"NextToken":"t","SortOrder":"desc","SortBy":"name","Filters":[{"Key":"tag-key","Values":["!prod","a b:c_d@e/f+g=h.i-j"]}]}`,
		},
		{name: "ValidRotation", op: "RotateSecret", body: `{"SecretId":"s","RotationRules":{"AutomaticallyAfterDays":1000,"Duration":"12h","ScheduleExpression":"cron(0 16 1,15 * ? *)"}}`},
		{name: "UnknownMembersIgnored", op: "GetSecretValue", body: `{"SecretId":"s","Bogus":{"x":[1]}}`},       // [athena]
		{name: "FractionTruncated", op: "ListSecrets", body: `{"MaxResults":100.9}`},                            // [athena]
		{name: "NoInputMembers", op: "GetRandomPassword", body: `{}`},                                           // optional members only
		{name: "NullListElementSkipped", op: "BatchGetSecretValue", body: `{"SecretIdList":["s",null]}`},        // [ours]
		{name: "OptionalNullIsAbsent", op: "CreateSecret", body: `{"Name":"n","Description":null,"Tags":null}`}, // [athena]
		{name: "FractionTruncatedBelowMin", op: "ListSecrets", body: `{"MaxResults":0.5}`, // [athena], [cognito0]
			want: "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},

		// KMS, the second service.
		{ // [null] and [hidnull]: a missing sensitive member prints no "null"
			name: "KMSRequiredSensitive", svc: model.KMS(), op: "Encrypt", body: `{}`,
			want: "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value at 'plaintext' failed to satisfy constraint: Member must not be null",
		},
		{ // [plaintext]
			name: "KMSPlaintextTooLong", svc: model.KMS(), op: "Encrypt",
			body: `{"KeyId":"k","Plaintext":"` + base64.StdEncoding.EncodeToString(make([]byte, 4097)) + `"}`,
			want: "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
		},
		{ // [bytebuf]: a blob prints as Java's ByteBuffer
			name: "KMSEmptyBlob", svc: model.KMS(), op: "Decrypt", body: `{"CiphertextBlob":""}`,
			want: "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := tc.svc
			if svc == nil {
				svc = model.SecretsManager()
			}
			err := model.Validate(svc, tc.op, mustDecode(t, tc.body))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var verr *model.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %T %v, want a *ValidationError", err, err)
			}
			if verr.Message != tc.want || err.Error() != tc.want {
				t.Errorf("message:\n got %s\nwant %s", clip(verr.Message), clip(tc.want))
			}
			if verr.Code() != "ValidationException" {
				t.Errorf("Code() = %q", verr.Code())
			}
		})
	}
}

func TestValidate_KeepsAllViolations(t *testing.T) {
	body := `{"SecretIdList":[` + strings.TrimSuffix(strings.Repeat(`"",`, 21), ",") + `]}`
	err := model.Validate(model.SecretsManager(), "BatchGetSecretValue", mustDecode(t, body))
	var verr *model.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Validate() = %v", err)
	}
	if got := len(verr.Violations); got != 22 {
		t.Errorf("len(Violations) = %d, want 22 (1 for the list, 21 for its elements)", got)
	}
	if v := verr.Violations[21]; v.Path != "secretIdList.21.member" || v.Constraint != "Member must have length greater than or equal to 1" {
		t.Errorf("last violation = %+v", v)
	}
}

func TestValidate_Serialization(t *testing.T) {
	for _, tc := range []struct {
		name string
		svc  *model.Service
		op   string
		body string
		want string
	}{
		{"StringForInteger", nil, "ListSecrets", `{"MaxResults":"1"}`, "STRING_VALUE can not be converted to an Integer"},                // [athena]
		{"NumberForString", nil, "GetSecretValue", `{"SecretId":5}`, "NUMBER_VALUE can not be converted to a String"},                    // [athena]
		{"TrueForString", nil, "GetSecretValue", `{"SecretId":true}`, "TRUE_VALUE can not be converted to a String"},                     // [athena]
		{"FalseForLong", nil, "GetRandomPassword", `{"PasswordLength":false}`, "FALSE_VALUE can not be converted to a Long"},             // [athena] token; [ours] article
		{"StringForBoolean", nil, "GetRandomPassword", `{"ExcludeNumbers":"false"}`, "STRING_VALUE can not be converted to a Boolean"},   // [athena] token; [ours] article
		{"ListForString", nil, "GetSecretValue", `{"SecretId":["a"]}`, "Start of list found where not expected"},                         // [athena]
		{"ObjectForString", nil, "GetSecretValue", `{"SecretId":{}}`, "Start of structure or map found where not expected."},             // [athena]
		{"ObjectForList", nil, "ListSecrets", `{"Filters":{}}`, "Start of structure or map found where not expected."},                   // [athena]
		{"StringForList", nil, "ListSecrets", `{"Filters":"name"}`, "Expected list or null"},                                             // [athena]
		{"StringForStructure", nil, "RotateSecret", `{"SecretId":"s","RotationRules":"x"}`, "Expected null"},                             // [athena]
		{"DeepInList", nil, "ListSecrets", `{"Filters":[{"Key":"name","Values":[1]}]}`, "NUMBER_VALUE can not be converted to a String"}, // [athena]
		// [athena]: a type error wins over constraint violations and missing members.
		{"BeforeValidation", nil, "ListSecrets", `{"SortOrder":"up","MaxResults":"1"}`, "STRING_VALUE can not be converted to an Integer"},
		{"BeforeRequired", nil, "PutSecretValue", `{"VersionStages":"AWSCURRENT"}`, "Expected list or null"},
		// [ours]: a sensitive blob's text is not echoed.
		{"SensitiveBadBase64", nil, "CreateSecret", `{"Name":"n","SecretBinary":"not base64!"}`, "STRING_VALUE can not be converted to a Blob"},
		// [base64]
		{"Base64Length", model.KMS(), "Decrypt", `{"CiphertextBlob":"23456"}`, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"Base64Char", model.KMS(), "Decrypt", `{"CiphertextBlob":"=+/="}`, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{"Base64LastChar", model.KMS(), "Decrypt", `{"CiphertextBlob":"+/+="}`, "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := tc.svc
			if svc == nil {
				svc = model.SecretsManager()
			}
			err := model.Validate(svc, tc.op, mustDecode(t, tc.body))
			var serr *model.SerializationError
			if !errors.As(err, &serr) {
				t.Fatalf("Validate() = %T %v, want a *SerializationError", err, err)
			}
			if serr.Message != tc.want || err.Error() != tc.want {
				t.Errorf("message = %q, want %q", serr.Message, tc.want)
			}
			if serr.Code() != "SerializationException" {
				t.Errorf("Code() = %q", serr.Code())
			}
		})
	}
}

func TestValidate_AcceptsDecodedWithoutUseNumber(t *testing.T) {
	var in map[string]any
	if err := json.Unmarshal([]byte(`{"MaxResults":101}`), &in); err != nil {
		t.Fatal(err)
	}
	err := model.Validate(model.SecretsManager(), "ListSecrets", in)
	want := "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
	if err := model.Validate(model.SecretsManager(), "ListSecrets", nil); err != nil {
		t.Errorf("Validate(nil input) = %v", err)
	}
}

func TestValidate_UnknownOperation(t *testing.T) {
	err := model.Validate(model.SecretsManager(), "Frobnicate", nil)
	if !errors.Is(err, model.ErrUnknownOperation) {
		t.Fatalf("Validate() = %v, want ErrUnknownOperation", err)
	}
	var verr *model.ValidationError
	if errors.As(err, &verr) {
		t.Error("an unknown operation is not a ValidationError")
	}
}

func TestService_SensitiveMembers(t *testing.T) {
	for _, tc := range []struct {
		svc  *model.Service
		op   string
		want []string
	}{
		{model.SecretsManager(), "CreateSecret", []string{"SecretBinary", "SecretString"}},
		{model.SecretsManager(), "PutSecretValue", []string{"SecretBinary", "SecretString", "RotationToken"}},
		{model.SecretsManager(), "UpdateSecret", []string{"SecretBinary", "SecretString"}},
		{model.SecretsManager(), "GetSecretValue", nil},
		{model.SecretsManager(), "NoSuchOperation", nil},
		{model.KMS(), "Encrypt", []string{"Plaintext"}},
		{model.KMS(), "CreateCustomKeyStore", []string{"KeyStorePassword", "XksProxyAuthenticationCredential.AccessKeyId", "XksProxyAuthenticationCredential.RawSecretAccessKey"}},
	} {
		t.Run(tc.svc.Name()+"."+tc.op, func(t *testing.T) {
			if got := tc.svc.SensitiveMembers(tc.op); !slices.Equal(got, tc.want) {
				t.Errorf("SensitiveMembers(%q) = %q, want %q", tc.op, got, tc.want)
			}
		})
	}
}

func TestService_Metadata(t *testing.T) {
	sm := model.SecretsManager()
	if sm.Name() != "secretsmanager" || sm.APIVersion() != "2017-10-17" || sm.TargetPrefix() != "secretsmanager" || sm.JSONVersion() != "1.1" {
		t.Errorf("metadata = %s %s %s %s", sm.Name(), sm.APIVersion(), sm.TargetPrefix(), sm.JSONVersion())
	}
	if ops := sm.Operations(); !slices.Contains(ops, "GetSecretValue") || !slices.IsSorted(ops) {
		t.Errorf("Operations() = %v", ops)
	}
	if in, ok := sm.Input("GetSecretValue"); !ok || in.Type != model.Structure || !in.Members[0].Required {
		t.Errorf("Input(GetSecretValue) = %+v, %v", in, ok)
	}
	if sm.Shape("GetSecretValueResponse") != nil {
		t.Error("output shapes must not be in the table")
	}
	if k := model.KMS(); k.TargetPrefix() != "TrentService" {
		t.Errorf("KMS target prefix = %q", k.TargetPrefix())
	}
}

func mustDecode(t *testing.T, body string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("decode %s: %v", clip(body), err)
	}
	return in
}

// clip shortens long strings in failure output.
func clip(s string) string {
	if len(s) > 600 {
		return s[:300] + " ... " + s[len(s)-300:]
	}
	return s
}
