package secrets_test

import (
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// TestFind_OtherPartition: Coffer is the aws partition; an ARN of another
// names nothing.
func TestFind_OtherPartition(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	ref := MustCreateSecret(t, svc, alice, "app")
	for _, id := range []string{
		"arn:aws-cn:secretsmanager:us-east-1:111122223333:secret:app",
		"arn:bogus:secretsmanager:us-east-1:111122223333:secret:app",
		"arn:aws-cn" + ref.ARN[len("arn:aws"):],
	} {
		_, err := svc.DescribeSecret(t.Context(), alice, id)
		if secrets.KindOf(err) != secrets.NotFound {
			t.Errorf("DescribeSecret(%q) = %v, want NotFound", id, err)
		}
	}
	if _, err := svc.DescribeSecret(t.Context(), alice, "arn:aws:secretsmanager:us-east-1:111122223333:secret:app"); err != nil {
		t.Errorf("partial ARN in the aws partition: %v", err)
	}
}

// TestUpdateSecretVersionStage_RemoveFromWithoutLabel: RemoveFromVersionId
// must name the version that holds the label (moto's text, which it checks
// against AWS).
func TestUpdateSecretVersionStage_RemoveFromWithoutLabel(t *testing.T) {
	t.Parallel()
	svc, _ := MustService(t)
	MustCreateSecret(t, svc, alice, "app")
	MustPutSecretValue(t, svc, alice, "app", tok(1), "v1", "custom")
	MustPutSecretValue(t, svc, alice, "app", tok(2), "v2", "other")
	for _, tc := range []struct{ stage, moveTo, from string }{
		{"new-label", tok(1), tok(2)}, // held nowhere
		{"custom", tok(1), tok(2)},    // already on the target
	} {
		_, err := svc.UpdateSecretVersionStage(t.Context(), alice, secrets.UpdateSecretVersionStageInput{
			SecretID: "app", Stage: tc.stage, MoveTo: tc.moveTo, RemoveFrom: tc.from,
		})
		want := "Version stage " + tc.stage + " not found in version " + tc.from
		if secrets.KindOf(err) != secrets.InvalidParameter || secrets.MessageOf(err) != want {
			t.Errorf("%+v: err = %v, want InvalidParameter %q", tc, err, want)
		}
	}
}
