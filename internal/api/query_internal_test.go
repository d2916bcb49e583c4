package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/coffer-dev/coffer/internal/api/model"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// formShapes is a made-up service: neither IAM's nor STS's inputs have a
// map, a flattened list or a renamed member, which the decoder supports.
var formShapes = map[string]*model.Shape{
	"In": {Type: model.Structure, Members: []model.Member{
		{Name: "Name", Shape: "Str"},
		{Name: "Count", Shape: "Int"},
		{Name: "Big", Shape: "Long"},
		{Name: "Ratio", Shape: "Double"},
		{Name: "On", Shape: "Bool"},
		{Name: "When", Shape: "Time"},
		{Name: "Data", Shape: "Blob"},
		{Name: "Tags", Shape: "TagList"},
		{Name: "Names", Shape: "FlatList"},
		{Name: "Items", Shape: "RenamedList"},
		{Name: "Attrs", Shape: "Attrs"},
		{Name: "Flat", Shape: "FlatAttrs"},
		{Name: "Inner", Shape: "Inner", LocationName: "Nested"},
		{Name: "Pin", Shape: "SecretInt"},
		{Name: "Grid", Shape: "Grid"},
	}},
	"Str":         {Type: model.String},
	"Int":         {Type: model.Integer},
	"Long":        {Type: model.Long},
	"Double":      {Type: model.Double},
	"Bool":        {Type: model.Boolean},
	"Time":        {Type: model.Timestamp},
	"Blob":        {Type: model.Blob},
	"SecretInt":   {Type: model.Integer, Sensitive: true},
	"Tag":         {Type: model.Structure, Members: []model.Member{{Name: "Key", Shape: "Str"}, {Name: "Value", Shape: "Str"}}},
	"TagList":     {Type: model.List, ListMember: "Tag"},
	"FlatList":    {Type: model.List, ListMember: "Str", Flattened: true},
	"RenamedList": {Type: model.List, ListMember: "Str", ListMemberName: "item"},
	"Attrs":       {Type: model.Map, MapKey: "Str", MapValue: "Int"},
	"FlatAttrs":   {Type: model.Map, MapKey: "Str", MapValue: "Str", MapKeyName: "Name", MapValueName: "Value", Flattened: true},
	"Inner":       {Type: model.Structure, Members: []model.Member{{Name: "Deep", Shape: "Str", LocationName: "deep"}, {Name: "On", Shape: "Bool"}}},
	"Grid":        {Type: model.List, ListMember: "Row"},
	"Row":         {Type: model.List, ListMember: "Int"},
}

func formShape(name string) *model.Shape { return formShapes[name] }

// canonicalJSON marshals v with sorted keys, for comparison.
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFormDecoder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, form, want string
		wantErr          string // the message of an InvalidParameterValue
	}{
		{
			name: "Scalars",
			form: "Name=a+b%26c&Count=-42&Big=9007199254740993&Ratio=1.5e3&On=TRUE&When=2026-11-22T04:14:23.5Z&Data=aGk%3D",
			want: `{"Big":9007199254740993,"Count":-42,"Data":"aGk=","Name":"a b\u0026c","On":true,"Ratio":1500,"When":1795320863.5}`,
		},
		{name: "LeadingZerosAndPlus", form: "Count=%2B007", want: `{"Count":7}`},
		{name: "EpochSeconds", form: "When=1795320863", want: `{"When":1795320863}`},
		{
			name: "ListOfStructures",
			form: "Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=",
			want: `{"Tags":[{"Key":"k1","Value":"v1"},{"Key":"k2","Value":""}]}`,
		},
		{ // botocore numbers elements contiguously: reading stops at a gap
			name: "ListStopsAtGap",
			form: "Tags.member.1.Key=k1&Tags.member.3.Key=k3&Tags.member.0.Key=k0",
			want: `{"Tags":[{"Key":"k1"}]}`,
		},
		{name: "EmptyList", form: "Tags=", want: `{"Tags":[]}`},
		{name: "ListWithoutElements", form: "Tags.1.Key=k", want: `{}`},
		{name: "FlattenedList", form: "Names.1=a&Names.2=b", want: `{"Names":["a","b"]}`},
		{name: "RenamedListMember", form: "Items.item.1=x&Items.member.2=y", want: `{"Items":["x"]}`},
		{name: "ListOfLists", form: "Grid.member.1.member.1=1&Grid.member.1.member.2=2&Grid.member.2.member.1=3", want: `{"Grid":[[1,2],[3]]}`},
		{
			name: "Map",
			form: "Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2",
			want: `{"Attrs":{"a":1,"b":2}}`,
		},
		{name: "EmptyMap", form: "Attrs=", want: `{"Attrs":{}}`},
		{name: "FlattenedRenamedMap", form: "Flat.1.Name=k&Flat.1.Value=v", want: `{"Flat":{"k":"v"}}`},
		{name: "NestedStructureByLocationName", form: "Nested.deep=x&Nested.On=false&Inner.deep=ignored", want: `{"Inner":{"Deep":"x","On":false}}`},
		{name: "UnknownParametersIgnored", form: "Action=Op&Version=1&Other=1&name=lower", want: `{}`},
		{name: "FirstOfRepeated", form: "Name=first&Name=second", want: `{"Name":"first"}`},

		{name: "NotAnInteger", form: "Count=abc", wantErr: "Invalid value 'abc' for parameter Count: expected an integer."},
		{name: "FractionForInteger", form: "Count=1.5", wantErr: "Invalid value '1.5' for parameter Count: expected an integer."},
		{name: "IntegerOverflow", form: "Count=2147483648", wantErr: "Invalid value '2147483648' for parameter Count: expected an integer."},
		{name: "LongAcceptsBig", form: "Big=2147483648", want: `{"Big":2147483648}`},
		{name: "NotABoolean", form: "On=yes", wantErr: "Invalid value 'yes' for parameter On: expected true or false."},
		{name: "NotANumber", form: "Ratio=NaN", wantErr: "Invalid value 'NaN' for parameter Ratio: expected a number."},
		{name: "NotATimestamp", form: "When=yesterday", wantErr: "Invalid value 'yesterday' for parameter When: expected an ISO 8601 timestamp."},
		{name: "DeepPath", form: "Grid.member.1.member.1=x", wantErr: "Invalid value 'x' for parameter Grid.member.1.member.1: expected an integer."},
		{name: "SensitiveValueNotEchoed", form: "Pin=12ab", wantErr: "Invalid value for parameter Pin: expected an integer."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params, err := url.ParseQuery(tc.form)
			if err != nil {
				t.Fatal(err)
			}
			got, err := formDecoder{shape: formShape}.input(formShapes["In"], params)
			if tc.wantErr != "" {
				var we *wireError
				if !errors.As(err, &we) || we.Code != "InvalidParameterValue" || we.Status != 400 || we.Message != tc.wantErr {
					t.Fatalf("error = %v, want InvalidParameterValue %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := canonicalJSON(t, got); s != tc.want {
				t.Errorf("decoded %s\nwant    %s", s, tc.want)
			}
		})
	}
}

// TestFormDecoder_Models decodes what botocore sends for real IAM and STS
// operations, and checks the result validates and canonicalizes.
func TestFormDecoder_Models(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		svc, op, form, want string
	}{
		{
			svc: "iam", op: "CreateUser",
			form: "Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fops%2F&Tags.member.1.Key=team&Tags.member.1.Value=a&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
			want: `{"Path":"/ops/","PermissionsBoundary":"arn:aws:iam::aws:policy/ReadOnlyAccess","Tags":[{"Key":"team","Value":"a"}],"UserName":"bob"}`,
		},
		{
			svc: "iam", op: "ListUsers", form: "Action=ListUsers&Version=2010-05-08&MaxItems=100&Marker=abc",
			want: `{"Marker":"abc","MaxItems":100}`,
		},
		{
			svc: "iam", op: "UpdateAccountPasswordPolicy",
			form: "MinimumPasswordLength=12&RequireSymbols=true&AllowUsersToChangePassword=false",
			want: `{"AllowUsersToChangePassword":false,"MinimumPasswordLength":12,"RequireSymbols":true}`,
		},
		{
			svc: "sts", op: "AssumeRole",
			form: "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=s1&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB&TransitiveTagKeys.member.1=project&DurationSeconds=900",
			want: `{"DurationSeconds":900,"PolicyArns":[{"arn":"arn:aws:iam::aws:policy/A"},{"arn":"arn:aws:iam::aws:policy/B"}],"RoleArn":"arn:aws:iam::123456789012:role/demo","RoleSessionName":"s1","TransitiveTagKeys":["project"]}`,
		},
		{svc: "sts", op: "GetCallerIdentity", form: "Action=GetCallerIdentity&Version=2011-06-15", want: `{}`},
	} {
		t.Run(tc.svc+"/"+tc.op, func(t *testing.T) {
			m := models[tc.svc]
			params, err := url.ParseQuery(tc.form)
			if err != nil {
				t.Fatal(err)
			}
			in, _ := m.Input(tc.op)
			input, err := formDecoder{shape: m.Shape}.input(in, params)
			if err != nil {
				t.Fatal(err)
			}
			body, _, err := validateQuery(m, tc.op, input)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tc.want {
				t.Errorf("canonical %s\nwant      %s", body, tc.want)
			}
		})
	}
}

func TestWriteQueryResponse(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 11, 22, 4, 14, 23, 999_000_000, time.UTC)
	type tag struct{ Key, Value string }
	for _, tc := range []struct {
		name, svc, op string
		resp          any
		want          string
	}{
		{
			name: "GetCallerIdentity", svc: "sts", op: "GetCallerIdentity",
			resp: map[string]string{"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice"},
			want: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
				`<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/alice</Arn>` +
				`</GetCallerIdentityResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		},
		{
			name: "AssumeRoleCredentials", svc: "sts", op: "AssumeRole",
			resp: map[string]any{
				"PackedPolicySize": 6,
				"Credentials": map[string]any{
					"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "k/<&>\"'", "SessionToken": "tok",
					"Expiration": time.Date(2026, 11, 22, 5, 14, 23, 0, time.FixedZone("CET", 3600)),
				},
				"AssumedRoleUser": map[string]any{"Arn": "arn:aws:sts::123456789012:assumed-role/demo/s1", "AssumedRoleId": "AROAEXAMPLE:s1"},
			},
			want: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
				`<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>k/&lt;&amp;&gt;&#34;'</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2026-11-22T04:14:23Z</Expiration></Credentials>` +
				`<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s1</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/demo/s1</Arn></AssumedRoleUser>` +
				`<PackedPolicySize>6</PackedPolicySize>` +
				`</AssumeRoleResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		},
		{
			name: "ListUsersWithTags", svc: "iam", op: "ListUsers",
			resp: struct {
				Users       []any
				IsTruncated bool
				Marker      *string
			}{
				Users: []any{
					map[string]any{"UserName": "alice", "Path": "/", "UserId": "AIDA1", "Arn": "arn:aws:iam::1:user/alice", "CreateDate": created,
						"Tags": []tag{{"a", "1"}, {"b", ""}}, "Unknown": "dropped", "PasswordLastUsed": nil},
					nil,
					map[string]any{"UserName": "bob", "Path": "/", "UserId": "AIDA2", "Arn": "arn:aws:iam::1:user/bob", "CreateDate": epoch(created)},
				},
			},
			want: `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users>` +
				`<member><Path>/</Path><UserName>alice</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::1:user/alice</Arn><CreateDate>2026-11-22T04:14:23Z</CreateDate>` +
				`<Tags><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value></Value></member></Tags></member>` +
				`<member><Path>/</Path><UserName>bob</UserName><UserId>AIDA2</UserId><Arn>arn:aws:iam::1:user/bob</Arn><CreateDate>2026-11-22T04:14:23Z</CreateDate></member>` +
				`</Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>`,
		},
		{
			name: "EmptyList", svc: "iam", op: "ListUsers", resp: map[string]any{"Users": []string{}, "IsTruncated": false},
			want: `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>` +
				`<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>`,
		},
		{
			name: "Map", svc: "iam", op: "GetAccountSummary", resp: map[string]any{"SummaryMap": map[string]int{"Users": 2, "Groups": 0}},
			want: `<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap>` +
				`<entry><key>Groups</key><value>0</value></entry><entry><key>Users</key><value>2</value></entry>` +
				`</SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetAccountSummaryResponse>`,
		},
		{
			name: "NoOutputShape", svc: "iam", op: "DeleteUser", resp: map[string]string{"ignored": "x"},
			want: `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteUserResponse>`,
		},
		{
			name: "NilResponseWithOutputShape", svc: "sts", op: "GetCallerIdentity", resp: nil,
			want: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult></GetCallerIdentityResult>` +
				`<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		},
		{
			name: "ControlCharacters", svc: "sts", op: "GetCallerIdentity", resp: map[string]string{"UserId": "a\tb\r\nc\x00d"},
			want: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>a&#x9;b&#xD;&#xA;c` + "\uFFFD" + `d</UserId></GetCallerIdentityResult>` +
				`<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeQueryResponse(&b, models[tc.svc], tc.op, tc.resp, "rid"); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestXMLEncoder_Serialization covers the names IAM's and STS's outputs do
// not use: flattened lists and maps, renamed list members, map keys and
// values, and members.
func TestXMLEncoder_Serialization(t *testing.T) {
	t.Parallel()
	obj := map[string]any{
		"Names": []any{"a", "b"}, "Items": []any{"x"}, "Flat": map[string]any{"k": "v"},
		"Inner": map[string]any{"Deep": "d"}, "Attrs": map[string]any{"z": json.Number("1")},
		"When": json.Number("1795320863.999"), "On": true,
	}
	var b bytes.Buffer
	if err := (xmlEncoder{b: &b, shape: formShape}).members(formShapes["In"], obj, "In"); err != nil {
		t.Fatal(err)
	}
	want := `<On>true</On><When>2026-11-22T04:14:23Z</When><Names>a</Names><Names>b</Names><Items><item>x</item></Items>` +
		`<Attrs><entry><key>z</key><value>1</value></entry></Attrs><Flat><Name>k</Name><Value>v</Value></Flat><Nested><deep>d</deep></Nested>`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestXMLEncoder_ContractBroken(t *testing.T) {
	t.Parallel()
	for _, resp := range []any{
		map[string]any{"Users": "not a list"},
		map[string]any{"Users": []any{map[string]any{"CreateDate": "yesterday"}}},
		map[string]any{"IsTruncated": "yes"},
		[]string{"not an object"},
	} {
		var b bytes.Buffer
		if err := writeQueryResponse(&b, models["iam"], "ListUsers", resp, "rid"); err == nil {
			t.Errorf("%v: no error", resp)
		}
	}
}

func TestQueryWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		table      codeTable
		err        error
		code, msg  string
		wantStatus int
	}{
		{"IAMNotFound", iamCodes, secrets.Errorf(secrets.NotFound, "op", "The user with name x cannot be found."), "NoSuchEntity", "The user with name x cannot be found.", 404},
		{"IAMExists", iamCodes, secrets.Errorf(secrets.Exists, "op", "dup"), "EntityAlreadyExists", "dup", 409},
		{"IAMLimit", iamCodes, secrets.Errorf(secrets.LimitExceeded, "op", "many"), "LimitExceeded", "many", 409},
		{"IAMConflict", iamCodes, secrets.Errorf(secrets.Conflict, "op", "in use"), "DeleteConflict", "in use", 409},
		{"IAMMalformedPolicy", iamCodes, secrets.Errorf(secrets.MalformedPolicy, "op", "bad"), "MalformedPolicyDocument", "bad", 400},
		{"IAMInvalidParameter", iamCodes, secrets.Errorf(secrets.InvalidParameter, "op", "bad"), "InvalidInput", "bad", 400},
		{"IAMInvalidRequest", iamCodes, secrets.Errorf(secrets.InvalidRequest, "op", "bad"), "InvalidInput", "bad", 400},
		{"IAMValidation", iamCodes, secrets.Errorf(secrets.Validation, "op", "v"), "ValidationError", "v", 400},
		{"IAMDenied", iamCodes, secrets.Errorf(secrets.Denied, "op", "no"), "AccessDenied", "no", 403},
		{"IAMExpired", iamCodes, secrets.Errorf(secrets.Expired, "op", "The security token included in the request is expired"), "ExpiredToken", "The security token included in the request is expired", 403},
		{"IAMInternal", iamCodes, &secrets.Error{Kind: secrets.Internal, Op: "op", Msg: "detail", Err: errors.New("sql")}, "ServiceFailure", "internal error", 500},
		{"IAMUnknownError", iamCodes, errors.New("disk on fire"), "ServiceFailure", "internal error", 500},
		{"IAMKindWithoutCode", iamCodes, secrets.Errorf(secrets.DecryptionFailed, "op", "x"), "ServiceFailure", "internal error", 500},
		{"IAMPanic", iamCodes, errInternal, "ServiceFailure", "internal error", 500},
		{"STSDenied", stsCodes, secrets.Errorf(secrets.Denied, "op", "no"), "AccessDenied", "no", 403},
		{"STSExpired", stsCodes, secrets.Errorf(secrets.Expired, "op", "exp"), "ExpiredToken", "exp", 403},
		{"STSMalformedPolicy", stsCodes, secrets.Errorf(secrets.MalformedPolicy, "op", "bad"), "MalformedPolicyDocument", "bad", 400},
		{"STSPackedPolicy", stsCodes, secrets.Errorf(secrets.LimitExceeded, "op", "big"), "PackedPolicyTooLarge", "big", 400},
		{"STSInvalidParameter", stsCodes, secrets.Errorf(secrets.InvalidParameter, "op", "Request ARN is invalid"), "ValidationError", "Request ARN is invalid", 400},
		{"STSInternal", stsCodes, errors.New("x"), "InternalFailure", "internal error", 500},
		{"Validation", iamCodes, &model.ValidationError{Message: "1 validation error detected: x"}, "ValidationError", "1 validation error detected: x", 400},
		{"Serialization", stsCodes, &model.SerializationError{Message: "'x' can not be converted to a Blob"}, "InvalidParameterValue", "'x' can not be converted to a Blob", 400},
		{"TooLarge", stsCodes, errTooLarge, "RequestEntityTooLarge", "Request body is larger than the limit.", 413},
		{"Protocol", iamCodes, errInvalidAction("X", "1"), "InvalidAction", "Could not find operation X for version 1", 400},
		{"AuthMissing", stsCodes, &auth.Error{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", Status: 400},
			"MissingAuthenticationToken", "Request is missing Authentication Token", 403},
		{"AuthUnknownKey", stsCodes, &auth.Error{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", Status: 400},
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"AuthSignature", iamCodes, &auth.Error{Code: "InvalidSignatureException", Message: "Signature expired: a is now earlier than b (c - 5 min.)", Status: 400},
			"SignatureDoesNotMatch", "Signature expired: a is now earlier than b (c - 5 min.)", 403},
		{"AuthIncomplete", iamCodes, &auth.Error{Code: "IncompleteSignatureException", Message: "Authorization header requires 'Signature' parameter. Authorization=x", Status: 400},
			"IncompleteSignature", "Authorization header requires 'Signature' parameter. Authorization=x", 400},
		{"AuthExpiredToken", stsCodes, &auth.Error{Code: "ExpiredTokenException", Message: "x", Status: 400},
			"ExpiredToken", "The security token included in the request is expired", 403},
		{"AuthOther", stsCodes, &auth.Error{Code: "SomethingNew", Message: "m", Status: 400}, "SomethingNew", "m", 400},
		{"AuthWrapped", stsCodes, fmt.Errorf("verify: %w", &auth.Error{Code: "UnrecognizedClientException", Status: 400}),
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.table.queryWire(tc.err)
			if w.Code != tc.code || w.Message != tc.msg || w.Status != tc.wantStatus {
				t.Errorf("queryWire = %+v, want %s %q %d", *w, tc.code, tc.msg, tc.wantStatus)
			}
		})
	}
}

// TestWriteQueryError checks the layout against STS's body, quoted byte for
// byte in aws-azure-login/aws-azure-login#251.
func TestWriteQueryError(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	writeQueryError(rec, "https://sts.amazonaws.com/doc/2011-06-15/",
		&wireError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid", Status: 403},
		"16fc956c-311e-4199-bee1-1680236e9698")
	want := "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidClientTokenId</Code>\n" +
		"    <Message>The security token included in the request is invalid</Message>\n  </Error>\n  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n</ErrorResponse>\n"
	if rec.Code != 403 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "text/xml" || rec.Header().Get("X-Amzn-ErrorType") != "" {
		t.Errorf("%d %q %v\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Header(), rec.Body.String())
	}
	if len(want) != 305 { // the capture's Content-Length
		t.Errorf("layout is %d bytes, the capture 305", len(want))
	}
	rec = httptest.NewRecorder()
	writeQueryError(rec, "ns", &wireError{Code: "ServiceFailure", Message: "a<b", Status: 500}, "r")
	if !strings.Contains(rec.Body.String(), "<Type>Receiver</Type>") || !strings.Contains(rec.Body.String(), "<Message>a&lt;b</Message>") {
		t.Errorf("fault: %s", rec.Body.String())
	}
}

// signFor signs req for service, as an SDK would, with allowAll's key.
func signFor(tb testing.TB, req *http.Request, body, service string) *http.Request {
	tb.Helper()
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

func formRequest(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req
}

func TestServer_Query(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := newWithQueryOps(Options{
		Verifier: &auth.Verifier{Creds: allowAll{}},
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
	}, map[string]handler{
		"ListUsers": func(context.Context, secrets.Caller, []byte) (any, error) {
			return map[string]any{"Users": "broken"}, nil
		},
		"GetUser": func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
			panic("value-in-panic-" + string(body))
		},
	}, fakeSTS(&recorder{}))
	const stsNS, iamNS = "https://sts.amazonaws.com/doc/2011-06-15/", "https://iam.amazonaws.com/doc/2010-05-08/"
	for _, tc := range []struct {
		name    string
		req     func() *http.Request
		status  int
		ns      string // the ErrorResponse's namespace; "" for a success
		code    string
		message string
		body    string // for a success, a part of the body
	}{
		{
			name: "Success",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=GetCallerIdentity&Version=2011-06-15"), "Action=GetCallerIdentity&Version=2011-06-15", "sts")
			},
			status: 200, body: "<GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>",
		},
		{
			name: "ParametersInTheURL",
			req: func() *http.Request {
				req := httptest.NewRequest(http.MethodPost, "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return signFor(t, req, "", "sts")
			},
			status: 200, body: "<Account>123456789012</Account>",
		},
		{
			name: "UnknownAction",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=Nope&Version=2011-06-15"), "Action=Nope&Version=2011-06-15", "sts")
			},
			status: 400, ns: stsNS, code: "InvalidAction", message: "Could not find operation Nope for version 2011-06-15",
		},
		{
			name: "ModelOperationWithoutHandler",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=ListRoles&Version=2010-05-08"), "Action=ListRoles&Version=2010-05-08", "iam")
			},
			status: 400, ns: iamNS, code: "InvalidAction", message: "Could not find operation ListRoles for version 2010-05-08",
		},
		{
			name: "WrongVersion",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=GetCallerIdentity&Version=2011-06-14"), "Action=GetCallerIdentity&Version=2011-06-14", "sts")
			},
			status: 400, ns: stsNS, code: "InvalidAction", message: "Could not find operation GetCallerIdentity for version 2011-06-14",
		},
		{
			name: "MissingAction",
			req: func() *http.Request {
				return signFor(t, formRequest("Version=2011-06-15"), "Version=2011-06-15", "sts")
			},
			status: 400, ns: stsNS, code: "MissingAction", message: "The request is missing an action or a required parameter.",
		},
		{
			name:   "MalformedForm",
			req:    func() *http.Request { return signFor(t, formRequest("Action=%zz"), "Action=%zz", "sts") },
			status: 404, ns: stsNS, code: "MalformedQueryString", message: "The query string contains a syntax error.",
		},
		{
			name: "Validation",
			req: func() *http.Request {
				body := "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s"
				return signFor(t, formRequest(body), body, "sts")
			},
			status: 400, ns: stsNS, code: "ValidationError",
			message: "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
		},
		{
			name: "BadInteger",
			req: func() *http.Request {
				body := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=1h"
				return signFor(t, formRequest(body), body, "sts")
			},
			status: 400, ns: stsNS, code: "InvalidParameterValue", message: "Invalid value '1h' for parameter DurationSeconds: expected an integer.",
		},
		{ // Unsigned: the Action chooses the namespace.
			name:   "UnsignedSTS",
			req:    func() *http.Request { return formRequest("Action=GetCallerIdentity&Version=2011-06-15") },
			status: 403, ns: stsNS, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token",
		},
		{
			name:   "UnsignedIAM",
			req:    func() *http.Request { return formRequest("Action=ListUsers&Version=2010-05-08") },
			status: 403, ns: iamNS, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token",
		},
		{
			name: "SignedForTheOtherService",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=GetCallerIdentity&Version=2011-06-15"), "Action=GetCallerIdentity&Version=2011-06-15", "iam")
			},
			status: 400, ns: iamNS, code: "InvalidAction", message: "Could not find operation GetCallerIdentity for version 2011-06-15",
		},
		{
			name: "BodyTamperedAfterSigning",
			req: func() *http.Request {
				req := signFor(t, formRequest("Action=GetCallerIdentity&Version=2011-06-15"), "Action=GetCallerIdentity&Version=2011-06-15", "sts")
				req.Body = io.NopCloser(strings.NewReader("Action=AssumeRole&Version=2011-06-15"))
				return req
			},
			status: 403, ns: stsNS, code: "SignatureDoesNotMatch",
			message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
		},
		{
			name: "ResponseBreaksContract",
			req: func() *http.Request {
				return signFor(t, formRequest("Action=ListUsers&Version=2010-05-08"), "Action=ListUsers&Version=2010-05-08", "iam")
			},
			status: 500, ns: iamNS, code: "ServiceFailure", message: "internal error",
		},
		{
			name: "Panic",
			req: func() *http.Request {
				body := "Action=GetUser&Version=2010-05-08&UserName=hunter2-body-value"
				return signFor(t, formRequest(body), body, "iam")
			},
			status: 500, ns: iamNS, code: "ServiceFailure", message: "internal error",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, tc.req())
			reqID := rec.Header().Get("X-Amzn-RequestId")
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != "text/xml" || reqID == "" {
				t.Fatalf("%d %q %q\n%s", rec.Code, rec.Header().Get("Content-Type"), reqID, rec.Body.String())
			}
			if rec.Header().Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
				t.Errorf("Content-Length %s for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
			}
			if tc.ns == "" {
				if !strings.Contains(rec.Body.String(), tc.body) || !strings.Contains(rec.Body.String(), "<RequestId>"+reqID+"</RequestId>") {
					t.Errorf("body %s", rec.Body.String())
				}
				return
			}
			typ := "Sender"
			if tc.status >= 500 {
				typ = "Receiver"
			}
			want := `<ErrorResponse xmlns="` + tc.ns + "\">\n  <Error>\n    <Type>" + typ + "</Type>\n    <Code>" + tc.code + "</Code>\n    <Message>" +
				tc.message + "</Message>\n  </Error>\n  <RequestId>" + reqID + "</RequestId>\n</ErrorResponse>\n"
			if rec.Body.String() != want {
				t.Errorf("got\n%s\nwant\n%s", rec.Body.String(), want)
			}
		})
	}
	for _, leak := range []string{"value-in-panic", "hunter2-body-value"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("%q reached the log", leak)
		}
	}
	if !strings.Contains(logs.String(), "panic serving request") || !strings.Contains(logs.String(), "encode response") {
		t.Errorf("the panic or the encoding failure was not logged:\n%s", logs.String())
	}
}

// TestServer_QueryFallback checks that what is not a query request, or is
// for an absent query service, is served as before.
func TestServer_QueryFallback(t *testing.T) {
	t.Parallel()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	withSTS := newWithQueryOps(Options{Verifier: &auth.Verifier{Creds: allowAll{}}, Logger: discard}, nil, fakeSTS(&recorder{}))
	withoutQuery := New(Options{Verifier: &auth.Verifier{Creds: allowAll{}}, Logger: discard})
	for _, tc := range []struct {
		name     string
		s        *Server
		req      func() *http.Request
		status   int
		contains string
	}{
		{
			name: "JSONRequest", s: withSTS,
			req: func() *http.Request {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
				req.Header.Set("X-Amz-Target", "secretsmanager.Nope")
				return signFor(t, req, "{}", "secretsmanager")
			},
			status: 400, contains: `{"__type":"UnknownOperationException"}`,
		},
		{ // a form with X-Amz-Target is a JSON-protocol request
			name: "FormWithTarget", s: withSTS,
			req: func() *http.Request {
				req := formRequest("Action=GetCallerIdentity&Version=2011-06-15")
				req.Header.Set("X-Amz-Target", "secretsmanager.Nope")
				return signFor(t, req, "Action=GetCallerIdentity&Version=2011-06-15", "secretsmanager")
			},
			status: 400, contains: `"__type":"`,
		},
		{
			name: "FormSignedForAnotherService", s: withSTS,
			req: func() *http.Request {
				return signFor(t, formRequest("Action=GetCallerIdentity&Version=2011-06-15"), "Action=GetCallerIdentity&Version=2011-06-15", "secretsmanager")
			},
			status: 400, contains: `{"__type":"UnknownOperationException"}`,
		},
		{
			name: "QueryServiceAbsent", s: withSTS,
			req: func() *http.Request {
				return signFor(t, formRequest("Action=ListUsers&Version=2010-05-08"), "Action=ListUsers&Version=2010-05-08", "iam")
			},
			status: 400, contains: `Credential should be scoped to correct service: 'secretsmanager'. `,
		},
		{
			name: "NoQueryServices", s: withoutQuery,
			req:    func() *http.Request { return formRequest("Action=GetCallerIdentity&Version=2011-06-15") },
			status: 400, contains: `"__type":"MissingAuthenticationTokenException"`,
		},
		{
			name: "UnsignedGET", s: withSTS,
			req:    func() *http.Request { return httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity", nil) },
			status: 400, contains: `"__type":"MissingAuthenticationTokenException"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.s.ServeHTTP(rec, tc.req())
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Errorf("%d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
		})
	}
}

func TestScopeService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		authz, query, want string
	}{
		{"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x", "", "sts"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-3/iam/aws4_request/,SignedHeaders=host,Signature=x", "", "iam"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261122/iam/aws4_request, Signature=x", "", ""},
		{"", "X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Fsts%2Faws4_request&Action=GetCallerIdentity", "sts"},
		{"", "Action=GetCallerIdentity", ""},
		{"Bearer x", "X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Fsts%2Faws4_request", ""},
	} {
		req := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
		if tc.authz != "" {
			req.Header.Set("Authorization", tc.authz)
		}
		if got := scopeService(req); got != tc.want {
			t.Errorf("scopeService(%q, %q) = %q, want %q", tc.authz, tc.query, got, tc.want)
		}
	}
}
