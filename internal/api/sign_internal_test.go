package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signForTest signs req as an SDK would, with allowAll's key.
func signForTest(tb testing.TB, req *http.Request, body []byte) *http.Request {
	tb.Helper()
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return req
}
