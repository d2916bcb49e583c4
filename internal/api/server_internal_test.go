package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// TestToWire checks the error table: every domain kind reaches the wire with
// AWS's code and status, and an unknown error reveals nothing.
func TestToWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		err        error
		code, msg  string
		wantStatus int
	}{
		{"NotFound", secrets.Errorf(secrets.NotFound, "op", "gone"), "ResourceNotFoundException", "gone", 400},
		{"Exists", secrets.Errorf(secrets.Exists, "op", "dup"), "ResourceExistsException", "dup", 400},
		{"InvalidParameter", secrets.Errorf(secrets.InvalidParameter, "op", "bad"), "InvalidParameterException", "bad", 400},
		{"InvalidRequest", secrets.Errorf(secrets.InvalidRequest, "op", "state"), "InvalidRequestException", "state", 400},
		{"LimitExceeded", secrets.Errorf(secrets.LimitExceeded, "op", "many"), "LimitExceededException", "many", 400},
		{"Decryption", secrets.Errorf(secrets.DecryptionFailed, "op", "no"), "DecryptionFailure", "no", 400},
		{"Encryption", secrets.Errorf(secrets.EncryptionFailed, "op", "no"), "EncryptionFailure", "no", 400},
		{"InvalidNextToken", secrets.Errorf(secrets.InvalidNextToken, "op", "tok"), "InvalidNextTokenException", "tok", 400},
		{"Validation", secrets.Errorf(secrets.Validation, "op", "v"), "ValidationException", "v", 400},
		{"Wrapped", fmt.Errorf("outer: %w", secrets.Errorf(secrets.NotFound, "op", "gone")), "ResourceNotFoundException", "gone", 400},
		// An internal error's text may name files, keys or SQL: none of it leaks.
		{"Internal", &secrets.Error{Kind: secrets.Internal, Op: "op", Msg: "detail", Err: errors.New("sql: secret table")}, "InternalServiceError", "internal error", 500},
		{"Unknown", errors.New("disk on fire"), "InternalServiceError", "internal error", 500},
		{"Auth", &auth.Error{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", Status: 400},
			"UnrecognizedClientException", "The security token included in the request is invalid.", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := toWire(tc.err)
			if w.Code != tc.code || w.Message != tc.msg || w.Status != tc.wantStatus {
				t.Errorf("toWire = %+v, want %s %q %d", *w, tc.code, tc.msg, tc.wantStatus)
			}
		})
	}
}

// TestEpoch_MarshalJSON checks timestamps go out as AWS JSON 1.1 sends
// them: epoch seconds with milliseconds as a fraction.
func TestEpoch_MarshalJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1795314596813), "1795314596.813"},
		{time.Unix(1795305600, 0), "1795305600"},
		{time.UnixMilli(1795314596010), "1795314596.01"},
	} {
		b, err := json.Marshal(epoch(tc.t))
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.t, b, err, tc.want)
		}
	}
	if at(time.Time{}) != nil {
		t.Error("at(zero time) is not nil: an unset time would be sent")
	}
}

type allowAll struct{}

func (allowAll) Lookup(context.Context, string) (auth.Identity, []byte, error) {
	return auth.Identity{AccessKeyID: "AKIDEXAMPLE", Account: "123456789012"}, []byte("secret"), nil
}

// TestServer_Panic checks that a panicking operation answers
// InternalServiceError and that the log holds neither the panic's value
// nor the request body.
func TestServer_Panic(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := New(Options{Verifier: &auth.Verifier{Creds: allowAll{}}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	// A real operation (the model validates its input) made to panic.
	s.services["secretsmanager"].ops["GetRandomPassword"] = func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
		panic("value-in-panic-" + string(body))
	}
	body := `{"ExcludeCharacters":"hunter2-body-value"}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "secretsmanager.GetRandomPassword")
	signed := signForTest(t, req, []byte(body))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, signed)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"__type":"InternalServiceError"`) {
		t.Fatalf("response %d %s, want a 500 InternalServiceError", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "panic serving request") {
		t.Errorf("the panic was not logged:\n%s", logs.String())
	}
	for _, leak := range []string{"value-in-panic", "hunter2-body-value"} {
		if strings.Contains(logs.String()+rec.Body.String(), leak) {
			t.Errorf("%q reached the log or the response", leak)
		}
	}
}
