package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// Resource policies: PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy and ValidateResourcePolicy through aws-sdk-go-v2.
// The texts are AWS's, from the Secrets Manager User Guide ("Managing a
// resource-based policy for a secret"); see internal/secrets/messages.go.
const (
	msgPolicySyntax = "This resource policy contains a syntax error."
	msgPublicPolicy = "You can't attach a resource-based policy that allows broad access to the secret."
	msgBroadAccess  = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."
)

// docPolicy is the example of AWS's PutResourcePolicy and
// ValidateResourcePolicy documentation, newlines and all.
const docPolicy = "{\n\"Version\":\"2012-10-17\",\n\"Statement\":[{\n\"Effect\":\"Allow\",\n\"Principal\":{\n\"AWS\":\"arn:aws:iam::123456789012:root\"\n},\n\"Action\":\"secretsmanager:GetSecretValue\",\n\"Resource\":\"*\"\n}]\n}"

// wildcardPolicy is localstack's RESOURCE_POLICY (test_secretsmanager.py,
// test_resource_policy, validated against AWS): "Principal": "*".
const wildcardPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}`

func TestResourcePolicy(t *testing.T) {
	s := MustStart(t)
	sm := s.SDK()
	ctx := context.Background()
	const name = "rp/app"
	created := mustCreate(t, sm, name, "s3cr3t")
	arn := aws.ToString(created.ARN)

	// No policy yet: GetResourcePolicy answers ARN and Name only.
	got := rawCall(t, s, "GetResourcePolicy", map[string]any{"SecretId": name})
	if _, ok := got["ResourcePolicy"]; ok || got["ARN"] != arn || got["Name"] != name {
		t.Fatalf("GetResourcePolicy before any put = %v; want ARN and Name only", got)
	}

	// Put, get back byte for byte, by name and by ARN.
	put, err := sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(docPolicy)})
	must(t, err)
	if aws.ToString(put.ARN) != arn || aws.ToString(put.Name) != name {
		t.Errorf("PutResourcePolicy = %s, %s; want %s, %s", aws.ToString(put.ARN), aws.ToString(put.Name), arn, name)
	}
	for _, id := range []string{name, arn} {
		g, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(id)})
		must(t, err)
		if aws.ToString(g.ResourcePolicy) != docPolicy || aws.ToString(g.ARN) != arn || aws.ToString(g.Name) != name {
			t.Errorf("GetResourcePolicy(%s) = %q (%s, %s); want the document as put", id, aws.ToString(g.ResourcePolicy), aws.ToString(g.ARN), aws.ToString(g.Name))
		}
	}

	t.Run("Validate", func(t *testing.T) {
		v, err := sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String(docPolicy)})
		must(t, err)
		if !v.PolicyValidationPassed || len(v.ValidationErrors) != 0 {
			t.Errorf("ValidateResourcePolicy(AWS's example) = %v, %+v; want passed", v.PolicyValidationPassed, v.ValidationErrors)
		}
		// AWS's documented answer holds "ValidationErrors": [].
		raw := rawCall(t, s, "ValidateResourcePolicy", map[string]any{"SecretId": name, "ResourcePolicy": docPolicy})
		if errs, ok := raw["ValidationErrors"].([]any); !ok || len(errs) != 0 || raw["PolicyValidationPassed"] != true {
			t.Errorf("ValidateResourcePolicy raw answer = %v; want passed with ValidationErrors []", raw)
		}

		v, err = sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String(wildcardPolicy)})
		must(t, err)
		if v.PolicyValidationPassed || len(v.ValidationErrors) != 1 ||
			aws.ToString(v.ValidationErrors[0].ErrorMessage) != msgBroadAccess || aws.ToString(v.ValidationErrors[0].CheckName) == "" {
			t.Errorf("ValidateResourcePolicy(Principal \"*\") = %v, %+v; want failed, one broad-access error", v.PolicyValidationPassed, v.ValidationErrors)
		}

		_, err = sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String("some policy")})
		wantAPIError(t, err, "MalformedPolicyDocumentException", msgPolicySyntax)
		var mp *types.MalformedPolicyDocumentException
		if !errors.As(err, &mp) {
			t.Errorf("error %T is not the SDK's MalformedPolicyDocumentException", err)
		}

		// Validating attached nothing.
		g, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
		must(t, err)
		if aws.ToString(g.ResourcePolicy) != docPolicy {
			t.Errorf("policy after ValidateResourcePolicy = %q; want unchanged", aws.ToString(g.ResourcePolicy))
		}
	})

	t.Run("BlockPublicPolicy", func(t *testing.T) {
		_, err := sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
			SecretId: aws.String(name), ResourcePolicy: aws.String(wildcardPolicy), BlockPublicPolicy: aws.Bool(true),
		})
		wantAPIError(t, err, "PublicPolicyException", msgPublicPolicy)
		var pp *types.PublicPolicyException
		if !errors.As(err, &pp) {
			t.Errorf("error %T is not the SDK's PublicPolicyException", err)
		}
		body, err := json.Marshal(map[string]any{"SecretId": name, "ResourcePolicy": wildcardPolicy, "BlockPublicPolicy": true})
		must(t, err)
		status, out, _ := s.Raw(t, RawRequest{Target: "secretsmanager.PutResourcePolicy", Body: string(body)})
		if status != 400 {
			t.Errorf("PublicPolicyException: HTTP %d (%s); want 400", status, out)
		}
		g, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
		must(t, err)
		if aws.ToString(g.ResourcePolicy) != docPolicy {
			t.Errorf("policy after a refused put = %q; want unchanged", aws.ToString(g.ResourcePolicy))
		}

		// Narrowed to one account, "*" is not public.
		narrowed := strings.Replace(wildcardPolicy, `"Resource": "*"`,
			`"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "`+s.Account+`"}}`, 1)
		_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
			SecretId: aws.String(name), ResourcePolicy: aws.String(narrowed), BlockPublicPolicy: aws.Bool(true),
		})
		must(t, err)

		// Without BlockPublicPolicy the public policy is stored, as on AWS
		// (localstack's test_resource_policy).
		_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(wildcardPolicy)})
		must(t, err)
		g, err = sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
		must(t, err)
		if aws.ToString(g.ResourcePolicy) != wildcardPolicy {
			t.Errorf("policy = %q; want the public one", aws.ToString(g.ResourcePolicy))
		}
	})

	t.Run("Malformed", func(t *testing.T) {
		for _, doc := range []string{
			"some policy",
			`{"Version":"2012-10-17"}`,
			// The User Guide's "Syntax Error JSON".
			`{"Version":"2012-10-17","Statement":[{"Effect":"AllowSomething","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`,
		} {
			_, err := sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(doc)})
			wantAPIError(t, err, "MalformedPolicyDocumentException", msgPolicySyntax)
		}
		// The model's limit: 20,480 characters. (The message quotes the
		// value, which is not sensitive.)
		_, err := sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(strings.Repeat(" ", 20481))})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" ||
			!strings.HasSuffix(ae.ErrorMessage(), "' at 'resourcePolicy' failed to satisfy constraint: Member must have length less than or equal to 20480") {
			t.Errorf("PutResourcePolicy of 20,481 characters: %v; want the model's ValidationException", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		d, err := sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(arn)})
		must(t, err)
		if aws.ToString(d.ARN) != arn || aws.ToString(d.Name) != name {
			t.Errorf("DeleteResourcePolicy = %s, %s; want %s, %s", aws.ToString(d.ARN), aws.ToString(d.Name), arn, name)
		}
		got := rawCall(t, s, "GetResourcePolicy", map[string]any{"SecretId": name})
		if _, ok := got["ResourcePolicy"]; ok {
			t.Errorf("GetResourcePolicy after DeleteResourcePolicy = %v; want no ResourcePolicy", got)
		}
		_, err = sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(name)})
		must(t, err)
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("rp/missing")})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
		_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("rp/missing"), ResourcePolicy: aws.String(docPolicy)})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)
		_, err = sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String("rp/missing"), ResourcePolicy: aws.String(docPolicy)})
		wantAPIError(t, err, "ResourceNotFoundException", msgNotFound)

		mustCreate(t, sm, "rp/scheduled", "v")
		_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("rp/scheduled")})
		must(t, err)
		_, err = sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("rp/scheduled")})
		wantAPIError(t, err, "InvalidRequestException", msgMarkedForDeletion)
		_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("rp/scheduled"), ResourcePolicy: aws.String(docPolicy)})
		wantAPIError(t, err, "InvalidRequestException", msgMarkedForDeletion)
		_, err = sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("rp/scheduled")})
		wantAPIError(t, err, "InvalidRequestException", msgMarkedForDeletion)
	})
}
