package secrets

import "fmt"

// AWS's messages, in one place: users grep for them, so they are kept
// byte-for-byte. Each names where it was seen.

const (
	// Seen from AWS in many issue threads (e.g. aws/aws-cli, boto3).
	msgSecretNotFound = "Secrets Manager can't find the specified secret."
	// Seen from AWS when the caller may not use the secret's customer key
	// (GetSecretValue: aws-samples/aws-secrets-manager-rotation-lambdas#53,
	// external-secrets/kubernetes-external-secrets#838; CreateSecret:
	// aws/aws-cdk#7677).
	msgKMSNotAllowed = "Access to KMS is not allowed"
	// Seen from AWS (GetSecretValue on a secret scheduled for deletion).
	msgMarkedForDeletion = "You can't perform this operation on the secret because it was marked for deletion."
	// Seen from AWS (CreateSecret with the name of a secret scheduled for deletion).
	msgCreateScheduled = "You can't create this secret because a secret with this name is already scheduled for deletion."
	// moto mirrors AWS's text.
	msgRecoveryWindowRange = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
	// moto mirrors AWS's text.
	msgForceAndWindow = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
	// Seen from AWS (localstack's AWS-recorded snapshot test_invalid_secret_name);
	// the trailing '!' is AWS's. Sent as ValidationException.
	msgInvalidName = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
	// localstack's provider; no AWS capture found.
	msgNoValue = "You must provide either SecretString or SecretBinary."
	// Seen from AWS (localstack snapshot test_no_client_request_token).
	msgNoToken = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
	// Seen from AWS (localstack snapshot test_get_secret_value_errors).
	msgStageMismatch = "You provided a VersionStage that is not associated to the provided VersionId."
	// Emulators' text (no AWS capture found) for DeleteSecret of a secret already scheduled.
	msgAlreadyScheduled = "You can't perform this operation on the secret because it was already scheduled for deletion."
	msgLabelLimit       = "A secret can't have more than 20 staging labels."
	msgInvalidNextToken = "The NextToken value is invalid."
	msgTagLimit         = "You can't attach more than 50 tags to a secret."
	// moto's texts (no AWS capture found).
	msgBatchBoth       = "Either 'SecretIdList' or 'Filters' must be provided, but not both."
	msgBatchMaxResults = "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."
)

func msgResourceExists(name string) string {
	return fmt.Sprintf("The operation failed because the secret %s already exists.", name)
}

// Seen from AWS (cloud-custodian#9093).
func msgSystemTag(key string) string {
	return "You can't modify system tags. Tag key: '" + key + "'."
}

// Seen from AWS: moto's tests marked aws_verified
// (tests/test_secretsmanager/test_secretsmanager.py
// test_create_different_secret_with_same_token,
// test_put_different_secret_value_with_same_token,
// test_update_different_secret_value_with_same_token) expect this text, with
// its final period, for CreateSecret, PutSecretValue and UpdateSecret alike.
func msgTokenInUse(token, arn string) string {
	return "You can't use ClientRequestToken " + token + " because that value is already in use for a version of secret " + arn + "."
}

// Seen from AWS for a version that was pruned (hashicorp/terraform-provider-aws#36607).
func msgVersionDeleted(id string) string {
	return "You can't perform this operation on secret version " + id + " because it was deleted."
}

func msgNoValueForStage(stage string) string {
	return "Secrets Manager can't find the specified secret value for staging label: " + stage
}

func msgNoValueForVersion(id string) string {
	return "Secrets Manager can't find the specified secret value for VersionId: " + id
}

func msgStageAttached(stage, version string) string {
	return fmt.Sprintf("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, version)
}

// UpdateSecretVersionStage's texts come from emulators (moto, floci); no
// AWS capture was found.
const (
	msgRemoveCurrent = "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."
	msgMoveOrRemove  = "You must specify MoveToVersionId or RemoveFromVersionId."
)

func msgNoVersion(id string) string {
	return "Not a valid version: " + id
}

func msgStageNotOn(stage, id string) string {
	return fmt.Sprintf("Version stage %s not found in version %s", stage, id)
}

func msgRemoveFromMismatch(stage string) string {
	return fmt.Sprintf("When you move staging label %s, if you specify RemoveFromVersionId, it must be set to the version that currently has the staging label %s.", stage, stage)
}

// Resource policies (PutResourcePolicy, ValidateResourcePolicy). "The docs"
// is the Secrets Manager User Guide, "Managing a resource-based policy for
// a secret" (awsdocs/aws-secrets-manager-docs,
// doc_source/manage_secret-policy.md), which lists the texts AWS answers
// for each kind of bad policy.
const (
	// MalformedPolicyDocumentException for a document that is not JSON or
	// breaks the policy grammar. The docs ("Syntax Error JSON"); seen from
	// AWS's PutResourcePolicy in terraform-aws-modules/terraform-aws-secrets-manager#2.
	// (In 2020 AWS answered "This policy has invalid syntax." instead:
	// awsdocs/aws-cloudformation-user-guide#623.)
	msgPolicySyntax = "This resource policy contains a syntax error."
	// MalformedPolicyDocumentException for a principal Secrets Manager does
	// not accept. The docs ("Invalid Principal Policy JSON"); seen from AWS
	// by hashicorp/terraform-provider-aws, which retries PutResourcePolicy
	// on this text (internal/service/secretsmanager/secret_policy.go).
	msgUnsupportedPrincipal = "This resource policy contains an unsupported principal."
	// For a service principal that is not an AWS service's. The docs
	// ("Invalid Service Principal JSON").
	msgInvalidServicePrincipal = "This resource policy contains an invalid service principal."
	// PublicPolicyException: BlockPublicPolicy with a policy that grants
	// broad access. The docs quote AWS's response to put-resource-policy
	// --block-public-policy (naming the error BlockPublicPolicyException,
	// where the service model and SDKs have PublicPolicyException).
	msgPublicPolicy = "You can't attach a resource-based policy that allows broad access to the secret."
	// ValidateResourcePolicy's text for a policy that grants broad access.
	// The docs ("Broad Access JSON"), as the console shows it; no capture
	// of the API's ValidationErrors entry was found.
	msgBroadAccess = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."
	// ValidateResourcePolicy's text for a policy that would deny the caller
	// PutResourcePolicy on the secret. The docs ("Lockout JSON").
	msgLockout = "Your requested changes will not allow you to manage this secret in the future."
)

// ValidateResourcePolicy's check names (ValidationErrors' CheckName). No
// AWS capture of a failed validation was found. checkBroadAccess is the
// name the floci emulator gives as the one AWS uses
// (floci-io/floci ResourcePolicyValidator.java, unverified); the others are
// Coffer's.
const (
	checkBroadAccess    = "REFLEXIVE_PRINCIPAL_CHECK"
	checkResourcePolicy = "VALID_RESOURCE_POLICY"
	checkLockout        = "LOCKOUT_CHECK"
)
