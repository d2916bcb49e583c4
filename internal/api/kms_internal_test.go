package api

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// TestKMSCodes checks the KMS error table: each domain kind reaches the wire
// with KMS's code (not Secrets Manager's), and an internal error is
// KMSInternalException with nothing of its cause.
func TestKMSCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   secrets.Kind
		code   string
		status int
	}{
		{secrets.NotFound, "NotFoundException", 400},
		{secrets.Exists, "AlreadyExistsException", 400},
		{secrets.InvalidRequest, "KMSInvalidStateException", 400},
		{secrets.Disabled, "DisabledException", 400},
		{secrets.DecryptionFailed, "InvalidCiphertextException", 400},
		{secrets.IncorrectKey, "IncorrectKeyException", 400},
		{secrets.InvalidAliasName, "InvalidAliasNameException", 400},
		{secrets.InvalidARN, "InvalidArnException", 400},
		{secrets.InvalidKeyUsage, "InvalidKeyUsageException", 400},
		{secrets.LimitExceeded, "LimitExceededException", 400},
		{secrets.MalformedPolicy, "MalformedPolicyDocumentException", 400},
		{secrets.InvalidTag, "TagException", 400},
		{secrets.Unsupported, "UnsupportedOperationException", 400},
		{secrets.InvalidNextToken, "InvalidMarkerException", 400},
		{secrets.Validation, "ValidationException", 400},
		{secrets.Denied, "AccessDeniedException", 400},
		{secrets.NotAuthorized, "NotAuthorizedException", 400},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			w := kmsCodes.toWire(secrets.Errorf(tc.kind, "op", "msg"))
			if w.Code != tc.code || w.Message != "msg" || w.Status != tc.status {
				t.Errorf("toWire = %+v, want %s %d", *w, tc.code, tc.status)
			}
		})
	}
	for _, err := range []error{
		&secrets.Error{Kind: secrets.Internal, Op: "op", Msg: "detail", Err: errors.New("sql: key table")},
		errors.New("disk on fire"),
		errInternal,
	} {
		w := kmsCodes.toWire(err)
		if w.Code != "KMSInternalException" || w.Message != "internal error" || w.Status != 500 {
			t.Errorf("toWire(%v) = %+v", err, *w)
		}
	}
	// Every kind has a row in each service's table.
	for k := secrets.Internal; k <= secrets.NotAuthorized; k++ {
		if _, ok := kmsCodes[k]; !ok {
			t.Errorf("kmsCodes has no row for %v", k)
		}
	}
}

// TestKMSCodes_InSDK checks that the codes KMS sends are errors
// aws-sdk-go-v2's KMS client knows (it deserializes them into typed errors),
// except AccessDeniedException, a common error of every AWS service, and
// NotAuthorizedException, which emulators that replicate AWS send though
// the model does not list it.
func TestKMSCodes_InSDK(t *testing.T) {
	t.Parallel()
	known := map[string]bool{"ValidationException": true}
	for _, e := range []smithy.APIError{
		&types.NotFoundException{}, &types.AlreadyExistsException{}, &types.KMSInvalidStateException{},
		&types.DisabledException{}, &types.InvalidCiphertextException{}, &types.IncorrectKeyException{},
		&types.InvalidAliasNameException{}, &types.InvalidArnException{}, &types.InvalidKeyUsageException{},
		&types.LimitExceededException{}, &types.MalformedPolicyDocumentException{}, &types.TagException{},
		&types.UnsupportedOperationException{}, &types.InvalidMarkerException{}, &types.KMSInternalException{},
	} {
		known[e.ErrorCode()] = true
	}
	for k, w := range kmsCodes {
		if !known[w.Code] && w.Code != "NotAuthorizedException" && w.Code != "AccessDeniedException" {
			t.Errorf("%v → %s: not an error aws-sdk-go-v2's KMS client knows", k, w.Code)
		}
	}
}
