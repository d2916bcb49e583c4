package secrets

import (
	"context"
	"time"
)

// Store persists Coffer's records. Implementations see only sealed values:
// a Version's value and every key record are ciphertext by the time they
// reach a Store, so a Store is untrusted with respect to confidentiality.
//
// Every read and write happens inside a transaction. Update commits when fn
// returns nil and rolls back when it returns an error or panics; an
// acknowledged Update is durable (it survives a crash of the process and of
// the machine). Other parts of Coffer (audit, rotation, leases) join the same
// transaction through the same Tx, so a change and its records commit together.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. Update transactions are
	// serialized.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store. It is safe to call once after a failed Open.
	Close() error
}

// Tx is a transaction on a Store. A Tx is used by one goroutine at a time and
// must not be used after the function it was passed to returns.
//
// Methods that look up a single record return an error wrapping ErrNotFound
// when it does not exist. Records returned are copies: changing them changes
// nothing until they are put back.
type Tx interface {
	SecretTx
	KeyTx
	IdentityTx
	IAMTx
	MetaTx
	AuditTx
}

// SecretTx holds secrets and their versions.
type SecretTx interface {
	// SecretByARN returns the secret with exactly this ARN.
	SecretByARN(ctx context.Context, arn string) (*Secret, error)
	// SecretByName returns the secret with this name in the account and region.
	SecretByName(ctx context.Context, account, region, name string) (*Secret, error)
	// Secrets returns every secret of the account and region, including those
	// scheduled for deletion, ordered by ARN.
	Secrets(ctx context.Context, account, region string) ([]*Secret, error)
	// SecretsDueForPurge returns the ARNs of the secrets, in any account and
	// region, whose PurgeAt is set and not after t.
	SecretsDueForPurge(ctx context.Context, t time.Time) ([]string, error)
	// PutSecret inserts the secret or replaces the one with the same ARN. It
	// fails with an Exists *Error when another secret of the account and
	// region has the same name.
	PutSecret(ctx context.Context, s *Secret) error
	// DeleteSecret removes the secret and all its versions. Deleting a
	// secret that does not exist is not an error.
	DeleteSecret(ctx context.Context, arn string) error

	// Versions returns the versions of the secret ordered by Seq.
	Versions(ctx context.Context, secretARN string) ([]*Version, error)
	// Version returns one version of the secret.
	Version(ctx context.Context, secretARN, id string) (*Version, error)
	// VersionByStage returns the version of the secret that carries the
	// staging label.
	VersionByStage(ctx context.Context, secretARN, stage string) (*Version, error)
	// PutVersion inserts the version or replaces the one with the same
	// secret ARN and ID. It fails when the secret does not exist: put a
	// secret before its versions.
	PutVersion(ctx context.Context, v *Version) error
	// DeleteVersion removes one version; removing a missing one is not an error.
	DeleteVersion(ctx context.Context, secretARN, id string) error
}

// SecretKey names a secret in a store: by ARN, or by account, region and
// name when ARN is empty.
type SecretKey struct {
	ARN     string
	Account string
	Region  string
	Name    string
}

// StageReader is an optional capability of a Tx, found by type assertion:
// it reads a secret and its version with a staging label in one lookup,
// the read path of GetSecretValue.
type StageReader interface {
	// SecretWithStage returns the secret the key names and its version that
	// carries stage, or a nil version when none does. It returns an error
	// wrapping ErrNotFound when the secret does not exist.
	SecretWithStage(ctx context.Context, key SecretKey, stage string) (*Secret, *Version, error)
}

// KeyTx holds KMS keys and aliases.
type KeyTx interface {
	// KMSKey returns the key with this ARN.
	KMSKey(ctx context.Context, arn string) (*KMSKey, error)
	// PutKMSKey inserts the key or replaces the one with the same ARN.
	PutKMSKey(ctx context.Context, k *KMSKey) error
	// KMSAlias returns the alias with this ARN.
	KMSAlias(ctx context.Context, arn string) (*KMSAlias, error)
	// PutKMSAlias inserts the alias or replaces the one with the same ARN.
	PutKMSAlias(ctx context.Context, a *KMSAlias) error
	// KMSKeys returns the keys of the account and region ordered by ARN;
	// an empty account means every key of every account and region.
	KMSKeys(ctx context.Context, account, region string) ([]*KMSKey, error)
	// DeleteKMSKey removes a key; removing a missing one is not an error.
	DeleteKMSKey(ctx context.Context, arn string) error
	// KMSAliases returns the aliases of the account and region ordered by
	// name; an empty account means every alias.
	KMSAliases(ctx context.Context, account, region string) ([]*KMSAlias, error)
	// DeleteKMSAlias removes an alias; removing a missing one is not an error.
	DeleteKMSAlias(ctx context.Context, arn string) error
}

// MetaTx holds named values about the data dir itself, such as the check
// value that tells whether a root key is the one the data was sealed with.
type MetaTx interface {
	// Meta returns the value stored under name.
	Meta(ctx context.Context, name string) ([]byte, error)
	// PutMeta stores value under name, replacing any earlier value.
	PutMeta(ctx context.Context, name string, value []byte) error
}

// IdentityTx holds accounts and access keys.
type IdentityTx interface {
	// Account returns the account with this 12-digit id.
	Account(ctx context.Context, id string) (*Account, error)
	// Accounts returns every account ordered by id.
	Accounts(ctx context.Context) ([]*Account, error)
	// PutAccount inserts the account or replaces the one with the same id.
	PutAccount(ctx context.Context, a *Account) error
	// AccessKey returns the access key with this id.
	AccessKey(ctx context.Context, id string) (*AccessKey, error)
	// AccessKeys returns the access keys of the account ordered by id.
	AccessKeys(ctx context.Context, account string) ([]*AccessKey, error)
	// PutAccessKey inserts the access key or replaces the one with the same id.
	PutAccessKey(ctx context.Context, k *AccessKey) error
	// AccessKeysByPrincipal returns the access keys that act as the
	// principal (exactly this ARN), ordered by CreatedAt, then id.
	AccessKeysByPrincipal(ctx context.Context, principal string) ([]*AccessKey, error)
	// DeleteAccessKey removes an access key; removing a missing one is not
	// an error.
	DeleteAccessKey(ctx context.Context, id string) error
}

// IAMTx holds IAM users, groups, roles and customer managed policies (see
// IAMUser). Each is unique in its account by name without regard to case:
// lookups by name ignore case, and a put fails with an Exists *Error when
// another record of the same kind and account (another ID) has the name in
// any case. Lists are ordered by name without regard to case. A record is
// replaced by ID, so a put may rename it.
type IAMTx interface {
	// IAMUser returns the user of the account with this name.
	IAMUser(ctx context.Context, account, name string) (*IAMUser, error)
	// IAMUsers returns every user of the account.
	IAMUsers(ctx context.Context, account string) ([]*IAMUser, error)
	// PutIAMUser inserts the user or replaces the one with the same ID.
	PutIAMUser(ctx context.Context, u *IAMUser) error
	// DeleteIAMUser removes the user with this ID; removing a missing one
	// is not an error.
	DeleteIAMUser(ctx context.Context, id string) error

	// IAMGroup returns the group of the account with this name.
	IAMGroup(ctx context.Context, account, name string) (*IAMGroup, error)
	// IAMGroups returns every group of the account.
	IAMGroups(ctx context.Context, account string) ([]*IAMGroup, error)
	// PutIAMGroup inserts the group or replaces the one with the same ID.
	PutIAMGroup(ctx context.Context, g *IAMGroup) error
	// DeleteIAMGroup removes the group with this ID; removing a missing one
	// is not an error.
	DeleteIAMGroup(ctx context.Context, id string) error

	// IAMRole returns the role of the account with this name.
	IAMRole(ctx context.Context, account, name string) (*IAMRole, error)
	// IAMRoles returns every role of the account.
	IAMRoles(ctx context.Context, account string) ([]*IAMRole, error)
	// PutIAMRole inserts the role or replaces the one with the same ID.
	PutIAMRole(ctx context.Context, r *IAMRole) error
	// DeleteIAMRole removes the role with this ID; removing a missing one
	// is not an error.
	DeleteIAMRole(ctx context.Context, id string) error

	// IAMPolicy returns the customer managed policy of the account with
	// this name.
	IAMPolicy(ctx context.Context, account, name string) (*IAMPolicy, error)
	// IAMPolicies returns every customer managed policy of the account.
	IAMPolicies(ctx context.Context, account string) ([]*IAMPolicy, error)
	// PutIAMPolicy inserts the policy or replaces the one with the same ID.
	PutIAMPolicy(ctx context.Context, p *IAMPolicy) error
	// DeleteIAMPolicy removes the policy with this ID; removing a missing
	// one is not an error.
	DeleteIAMPolicy(ctx context.Context, id string) error
}

// Sealer encrypts and decrypts secret values (see package keyring). It reads
// and creates KMS key records through the caller's transaction.
type Sealer interface {
	// Seal encrypts plaintext as version versionID of secret s under s's KMS
	// key (the account's default key aws/secretsmanager when s.KMSKeyID is
	// empty, created on first use) and returns the sealed bytes and the ARN
	// of the key used. It fails with an *Error when the key cannot be used.
	Seal(ctx context.Context, tx Tx, s *Secret, versionID string, plaintext []byte) (sealed []byte, keyARN string, err error)
	// Open decrypts the value of version v of secret s. It fails with a
	// DecryptionFailed *Error when the value cannot be decrypted.
	Open(ctx context.Context, tx Tx, s *Secret, v *Version) ([]byte, error)
	// ResolveKey checks that the KmsKeyId a caller gave names a key in the
	// account and region, and returns the form a secret records and
	// DescribeSecret shows: empty for the account's default key.
	// keyARN is the ARN of the key it names now (an alias's target), or
	// empty for a default key not created yet.
	ResolveKey(ctx context.Context, tx Tx, account, region, kmsKeyID string) (shown, keyARN string, err error)
}
