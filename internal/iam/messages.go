package iam

import "fmt"

// AWS's IAM messages, in one place: users grep for them, so they are kept
// byte for byte. Each names where it was seen. "localstack snapshot" means
// a file tests/aws/services/iam/*.snapshot.json of localstack/localstack,
// recorded against AWS.

// Not found (NoSuchEntity).

// localstack snapshot test_iam_users (get-nonexistent-user-error).
func msgNoUser(name string) string {
	return "The user with name " + name + " cannot be found."
}

// localstack snapshot test_iam_groups (get-group-not-found).
func msgNoGroup(name string) string {
	return "The group with name " + name + " cannot be found."
}

// localstack snapshot test_iam_roles (get-role-error).
func msgNoRole(name string) string {
	return "The role with name " + name + " cannot be found."
}

// localstack snapshots: "The role policy with name … cannot be found."
// (test_iam_roles, get-deleted-policy-error) and "The group policy with
// name …" (test_iam_groups, get-nonexistent-policy); the user form follows
// them (no capture found).
func msgNoInline(kind Kind, name string) string {
	return "The " + kind.word() + " policy with name " + name + " cannot be found."
}

// localstack snapshot test_iam_users (update-nonexistent-access-key-error).
func msgNoAccessKey(id string) string {
	return "The Access Key with id " + id + " cannot be found."
}

// localstack snapshots test_iam_users and test_iam_roles
// (attach-nonexistent-policy-error).
func msgNotAttachable(arn string) string {
	return "Policy " + arn + " does not exist or is not attachable."
}

// localstack snapshots test_iam_users (detach-unattached-policy-error) and
// test_iam_policies (err-tag-nonexistent-policy): the same text for a policy
// that is not attached and one that does not exist.
func msgPolicyNotFound(arn string) string {
	return "Policy " + arn + " was not found."
}

// localstack snapshot test_iam_policies (err-get-version-nonexistent-policy,
// err-get-nonexistent-version, err-delete-nonexistent-version,
// err-set-default-nonexistent-version).
func msgNoPolicyVersion(arn, version string) string {
	return "Policy " + arn + " version " + version + " does not exist or is not attachable."
}

// Already exists (EntityAlreadyExists).

// localstack snapshots test_iam_users, test_iam_groups, test_iam_roles
// (create-duplicate-*-error).
func msgExists(kind Kind, name string) string {
	return kind.title() + " with name " + name + " already exists."
}

// localstack snapshot test_iam_policies (policy-already-exists).
func msgPolicyExists(name string) string {
	return "A policy called " + name + " already exists. Duplicate names are not allowed."
}

// Delete conflicts (DeleteConflict).
const (
	// Terraform and AWS CLI reports from AWS (e.g. "Error: deleting IAM
	// User: DeleteConflict: Cannot delete entity, must delete access keys
	// first.").
	msgDeleteKeysFirst = "Cannot delete entity, must delete access keys first."
	// localstack snapshots test_iam_users and test_iam_roles
	// (delete-*-with-inline-policy-error).
	msgDeleteInlineFirst = "Cannot delete entity, must delete policies first."
	// localstack snapshots test_iam_users and test_iam_roles
	// (delete-*-with-attached-policy-error).
	msgDetachFirst = "Cannot delete entity, must detach all policies first."
	// Seen from AWS for DeleteGroup with members and for DeleteUser of a
	// member (ceph's AWS-compatibility tests, n8n's AWS IAM node).
	msgRemoveUsersFirst = "Cannot delete entity, must remove users from group first."
	// Seen from AWS in many Terraform/CDK reports.
	msgPolicyAttached = "Cannot delete a policy attached to entities."
	// Seen from AWS in many reports (aws-samples, ACK's iam-controller).
	msgPolicyHasVersions = "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
	// localstack snapshot test_iam_policies (err-delete-default-version).
	msgDeleteDefaultVersion = "Cannot delete the default version of a policy."
)

// Quotas (LimitExceeded).
const (
	// localstack snapshot test_iam_users (create-third-access-key-error).
	msgAccessKeyQuota = "Cannot exceed quota for AccessKeysPerUser: 2"
	// localstack snapshot test_iam_policies (err-version-limit-exceeded).
	msgVersionQuota = "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."
	// AWS's quota wording ("Cannot exceed quota for <Quota>: <n>"); seen for
	// PoliciesPerRole in many reports, for GroupsPerUser, PolicySize and
	// ACLSizePerRole in fewer.
	msgGroupsPerUserQuota = "Cannot exceed quota for GroupsPerUser: 10"
	msgPolicySizeQuota    = "Cannot exceed quota for PolicySize: 6144"
	msgTrustSizeQuota     = "Cannot exceed quota for ACLSizePerRole: 2048"
)

// "Cannot exceed quota for PoliciesPerRole: 10" is seen from AWS in many
// reports; the user and group forms follow it.
func msgAttachQuota(kind Kind) string {
	return fmt.Sprintf("Cannot exceed quota for PoliciesPer%s: %d", kind.title(), MaxAttachedPolicies)
}

// The tag quota in AWS's wording; no capture of this exact text was found.
func msgTagQuota(what string) string {
	return fmt.Sprintf("Cannot exceed quota for TagsPer%s: %d", what, MaxTags)
}

// "Maximum policy size of 2048 bytes exceeded for user <name>" is seen from
// AWS (PutUserPolicy, CDK and CLI reports); groups and roles follow it with
// their own limits.
func msgInlineSize(kind Kind, name string) string {
	return fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", kind.inlineLimit(), kind.word(), name)
}

// Documents (MalformedPolicyDocument).
const (
	// localstack snapshot test_iam_policies (invalid-1, invalid-2).
	msgPolicyVersion = "Policy document must be version 2012-10-17 or greater."
	// localstack snapshot test_iam_policies (invalid-0).
	msgSyntax = "Syntax errors in policy."
	// localstack snapshot test_iam_roles (test_update_assume_role_policy_errors).
	msgTrustInvalidJSON = "This policy contains invalid Json"
	msgTrustActions     = "AssumeRole policy may only specify STS AssumeRole actions."
	msgTrustResource    = "Has prohibited field Resource"
)

// Input (InvalidInput, ValidationError).
const (
	// localstack snapshot test_iam_roles (create-role-duplicate-tags): users
	// and roles compare tag keys without regard to case.
	msgDuplicateTagsFold = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	// localstack snapshot test_iam_policies (err-duplicate-keys): policies
	// compare them exactly.
	msgDuplicateTags = "Duplicate tag keys found."
	// localstack snapshot test_iam_users (delete-access-key-without-username-error).
	msgNeedUserName = "Must specify userName when calling with non-User credentials"
	// Coffer's own: permissions boundaries are not enforced, so they are
	// refused rather than stored and ignored.
	msgNoBoundaries = "Coffer does not support permissions boundaries: PermissionsBoundary cannot be set."
	// Coffer's own: no AWS capture of a bad Marker was found.
	msgBadMarker = "Invalid value for Marker."
	// Coffer's own, for a Status other than Active or Inactive.
	msgBadStatus = "The value of Status must be Active or Inactive."
)

// localstack snapshot test_iam_roles (non-existent-malformed-policy-arn).
func msgBadARN(arn string) string {
	return "ARN " + arn + " is not valid."
}

// The model's ValidationError texts as IAM words them (localstack
// snapshots test_iam_policies and test_iam_roles: "1 validation error
// detected: Value at 'tags' failed to satisfy constraint: Member must have
// length less than or equal to 50"). IAM leaves the value out for tags and
// puts it in for other members.
func msgValidation(value *string, member, constraint string) string {
	if value == nil {
		return "1 validation error detected: Value at '" + member + "' failed to satisfy constraint: " + constraint
	}
	return "1 validation error detected: Value '" + *value + "' at '" + member + "' failed to satisfy constraint: " + constraint
}

// The security token of GetSessionToken credentials is not accepted by IAM
// without MFA; AWS answers InvalidClientTokenId with this text
// (99designs/aws-vault#328, cloudyr/aws.iam#15, aws/aws-cli#8918).
const msgSessionNoMFA = "The security token included in the request is invalid"
