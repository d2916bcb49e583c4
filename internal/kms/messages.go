package kms

import "fmt"

// AWS's messages, in one place, each with where it was seen. "localstack
// snapshot" means tests/aws/services/kms/test_kms.snapshot.json in
// localstack/localstack, recorded against AWS; "localstack provider" means
// localstack-core/localstack/services/kms/provider.py, which replicates AWS
// but was not necessarily recorded; "moto" means moto/kms/responses.py.
// Texts marked "Coffer's" were not found from AWS.

// Seen from AWS (localstack snapshot test_get_key_does_not_exist).
func msgKeyNotExist(keyARN string) string { return "Key '" + keyARN + "' does not exist" }

// Seen from AWS (localstack snapshot test_get_key_invalid_uuid).
func msgInvalidKeyID(id string) string { return "Invalid keyId '" + id + "'" }

// Seen from AWS for a key ARN of another region (localstack snapshot
// test_get_key_in_different_region: "Invalid arn ap-southeast-1").
func msgInvalidARNRegion(region string) string { return "Invalid arn " + region }

// localstack provider and moto ("AWS itself uses AliasArn instead of
// AliasName in this exception").
func msgAliasNotFound(aliasARN string) string { return "Alias " + aliasARN + " is not found." }

// localstack provider and moto.
func msgAliasExists(aliasARN string) string {
	return "An alias with the name " + aliasARN + " already exists"
}

// localstack provider; AWS's key-state page quoted there: "KMSInvalidStateException
// : <key ARN> is pending deletion."
func msgPendingDeletion(keyARN string) string { return keyARN + " is pending deletion." }

// localstack provider (DisabledException).
func msgDisabled(keyARN string) string { return keyARN + " is disabled." }

// Coffer's: CancelKeyDeletion of a key that is not pending deletion, in the
// form of the state messages above.
func msgNotPendingDeletion(keyARN string) string { return keyARN + " is not pending deletion." }

// Seen from AWS (localstack snapshot test_error_messaging_for_invalid_keys,
// decrypt-invalid-key-id).
const msgIncorrectKey = "The key ID in the request does not identify a CMK that can perform this operation."

// Seen from AWS (localstack snapshot test_create_alias).
const msgAliasPrefix = `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`

// Seen from AWS (localstack snapshot test_generate_random_invalid_number_of_bytes[None]).
const msgNumberOfBytesRequired = "NumberOfBytes is required."

// moto (GenerateDataKey with neither KeySpec nor NumberOfBytes).
const msgKeySpecOrBytes = "Please specify either number of bytes or key spec."

// moto (CreateAlias whose TargetKeyId is an alias).
const msgAliasTarget = "Aliases must refer to keys. Not aliases"

// localstack provider (ScheduleKeyDeletion window outside 7–30 days).
func msgPendingWindow(days int) string {
	return fmt.Sprintf("PendingWindowInDays should be between 7 and 30, but it is %d", days)
}

// localstack utils.py validate_tag.
const msgReservedTag = "Tags beginning with aws: are reserved"

// localstack provider (GetKeyPolicy with a name other than "default").
const msgNoSuchPolicy = "No such policy exists"

// localstack provider (PutKeyPolicy with a name other than "default").
const msgOnlyDefaultPolicy = "Only default policy is supported"

// Seen from AWS in the form of localstack snapshot test_invalid_generate_mac
// ("Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.").
func msgAlgorithm(alg, spec string) string {
	return "Algorithm " + alg + " is incompatible with key spec " + spec + "."
}

// Seen from AWS: the form of IAM's denial when no policy allows an action
// (AWS-managed keys' policies allow only Describe*, Get*, List* to the
// account). Sent as AccessDeniedException.
func msgNotAuthorizedAction(principal, action, keyARN string) string {
	return "User: " + principal + " is not authorized to perform: kms:" + action + " on resource: " + keyARN +
		" because no resource-based policy allows the kms:" + action + " action"
}

// Seen from AWS for a key policy that would not let the caller change it
// again (CreateKey and PutKeyPolicy without BypassPolicyLockoutSafetyCheck):
// terraform-aws-modules/terraform-aws-kms#14, widdix/aws-cf-templates#259
// (MalformedPolicyDocumentException, 400).
const msgPolicyLockout = "The new key policy will not allow you to update the key policy in the future."

// Coffer's texts.
const (
	msgMalformedPolicy   = "The key policy is not a valid JSON document."
	msgSymmetricOnly     = "Coffer supports only symmetric encryption keys: KeySpec SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT."
	msgOriginUnsupported = "Coffer supports only keys with Origin AWS_KMS."
	msgMultiRegion       = "Coffer does not create multi-Region keys: every Region is served by the same server."
	msgCustomKeyStore    = "Coffer does not support custom key stores."
	msgInvalidMarker     = "The marker is not valid."
	msgTagLimit          = "A KMS key can't have more than 50 tags."
	msgRotationLimit     = "The on-demand rotation limit (25) for this KMS key has been reached."
	msgManagedRotation   = "You cannot change or start the rotation of an AWS managed key: AWS rotates it every year."
	msgInvalidARN        = "The ARN is not a valid KMS key or alias ARN."
)

// Coffer's: an AWS-managed key cannot be the target of a customer alias.
func msgManagedKey(keyARN string) string {
	return keyARN + " is an AWS managed key."
}
