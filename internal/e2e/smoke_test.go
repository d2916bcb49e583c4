package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestSmoke_CreateAndGet(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := context.Background()
	sm := s.SDK()
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/taskhub/secretmanager"), SecretString: aws.String(`{"Service":"Amazon DynamoDB"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.SecretString) != `{"Service":"Amazon DynamoDB"}` || aws.ToString(got.VersionId) != aws.ToString(created.VersionId) {
		t.Fatalf("got %q version %q", aws.ToString(got.SecretString), aws.ToString(got.VersionId))
	}
}
