package access_test

import (
	"fmt"
	"testing"

	"github.com/coffer-dev/coffer/internal/access"
	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// BenchmarkAuthorize measures the two questions a GetSecretValue by an IAM
// user asks (the read, then kms:Decrypt on aws/secretsmanager through
// Secrets Manager), for a user with ten attached policies like those of
// the api package's GetSecretValue benchmark:
//
//	go test ./internal/access -run '^$' -bench Authorize
func BenchmarkAuthorize(b *testing.B) {
	var pols []*policy.Policy
	for i := range 10 {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["secretsmanager:Describe*","secretsmanager:List*"],"Resource":"arn:aws:secretsmanager:*:%[1]s:secret:team%[2]d/*"},
			{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}},
			{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/classification":"restricted-%[2]d"}}},
			{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:%[1]s:secret:team%[2]d/${aws:username}/*"}]}`, acctA, i)
		if i == 9 {
			doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
		}
		pols = append(pols, pol(b, doc))
	}
	dir := directory{userA: {Exists: true, UserID: "AIDAALICE", UserName: "alice", Policies: pols}}
	az := &access.Authorizer{Directory: dir}
	c := secrets.Caller{Account: acctA, Region: "us-east-1", Principal: userA, SourceIP: "127.0.0.1"}
	if err := az.Prepare(b.Context(), &c); err != nil {
		b.Fatal(err)
	}
	keyPolicy := secrets.KeyPolicy(&secrets.KMSKey{Account: acctA, Region: "us-east-1", Manager: "AWS"})
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		err := az.Authorize(ctx, c, secrets.Access{
			Action: "secretsmanager:GetSecretValue", Resource: secret, ResourceAccount: acctA, Shown: "prod/db",
			Context: map[string][]string{"secretsmanager:SecretId": {secret}},
		})
		if err != nil {
			b.Fatal(err)
		}
		err = az.Authorize(ctx, c, secrets.Access{
			Action: "kms:Decrypt", Resource: keyA, ResourceAccount: acctA, KeyPolicy: keyPolicy, ServiceKey: true,
			Context: map[string][]string{
				"kms:ViaService": {"secretsmanager.us-east-1.amazonaws.com"}, "kms:CallerAccount": {acctA},
				"kms:EncryptionContext:SecretARN": {secret}, "kms:EncryptionContext:SecretVersionId": {"v1"},
			},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
