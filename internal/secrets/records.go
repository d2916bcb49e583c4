package secrets

import "time"

// Secret is a secret's metadata. Its values live in Versions.
type Secret struct {
	ARN     string
	Account string
	Region  string
	Name    string

	Description string
	// KMSKeyID is the key the caller chose, as they named it (an id, ARN or
	// alias); empty for the account's default key aws/secretsmanager.
	KMSKeyID      string
	Tags          []Tag
	OwningService string
	// ResourcePolicy is the secret's resource-based policy document as the
	// caller gave it; empty when it has none.
	ResourcePolicy string

	CreatedAt     time.Time
	LastChangedAt time.Time
	// LastAccessedAt is the day (midnight UTC) the secret was last read; zero
	// when it never was.
	LastAccessedAt time.Time
	// DeletedAt is when DeleteSecret was called; zero unless the secret is
	// scheduled for deletion.
	DeletedAt time.Time
	// PurgeAt is when the secret will be removed for good; zero unless the
	// secret is scheduled for deletion.
	PurgeAt time.Time

	// NextSeq is the Seq the next version will get.
	NextSeq int64
}

// Scheduled reports whether the secret is scheduled for deletion.
func (s *Secret) Scheduled() bool { return !s.PurgeAt.IsZero() }

// Tag is a key/value pair on a resource.
type Tag struct {
	Key   string
	Value string
}

// Version is one version of a secret's value.
type Version struct {
	SecretARN string
	ID        string
	// Seq orders versions by creation within their secret.
	Seq    int64
	Stages []string

	CreatedAt      time.Time
	LastAccessedAt time.Time // day granularity, as Secret.LastAccessedAt
	// KMSKeyARN is the key that wraps this version's data key.
	KMSKeyARN string
	// Binary reports whether the value was given as SecretBinary.
	Binary bool
	// Sealed is the encrypted value; see package keyring. Never plaintext.
	Sealed []byte
	// PrunedAt is when the version was pruned as deprecated; zero while it
	// lives. A pruned version keeps only its id, so that reading it is
	// answered as AWS answers it; its value and labels are gone.
	PrunedAt time.Time
}

// Pruned reports whether the version was pruned.
func (v *Version) Pruned() bool { return !v.PrunedAt.IsZero() }

// HasStage reports whether the version carries the staging label.
func (v *Version) HasStage(stage string) bool {
	for _, s := range v.Stages {
		if s == stage {
			return true
		}
	}
	return false
}

// KMSKey is a KMS key. Its key material is stored wrapped by the root key.
type KMSKey struct {
	ARN     string
	ID      string
	Account string
	Region  string

	Description string
	// Manager is "AWS" for AWS-managed keys such as aws/secretsmanager and
	// "CUSTOMER" for customer keys.
	Manager   string
	State     string // "Enabled", "Disabled", "PendingDeletion"
	CreatedAt time.Time
	// Material holds the key material versions, each wrapped by the root
	// key; the last one encrypts.
	Material [][]byte

	KeyUsage string // "ENCRYPT_DECRYPT"
	KeySpec  string // "SYMMETRIC_DEFAULT"
	Origin   string // "AWS_KMS"
	Tags     []Tag
	// Policy is the key policy document (the policy named "default").
	Policy string
	// RotationPeriodDays is the period of automatic rotation; 0 when
	// automatic rotation is off.
	RotationPeriodDays int
	// NextRotationAt is when automatic rotation next runs; zero when off.
	NextRotationAt time.Time
	// DeletionAt is when a key pending deletion is deleted; zero otherwise.
	DeletionAt time.Time
	// Rotations records how each material version after the first came to
	// be: Rotations[i] made Material[i+1].
	Rotations []KeyRotation
}

// KeyRotation is one rotation of a KMS key's material.
type KeyRotation struct {
	At       time.Time
	OnDemand bool // RotateKeyOnDemand rather than automatic rotation
}

// KMSAlias names a KMS key.
type KMSAlias struct {
	ARN       string // arn:aws:kms:<region>:<account>:alias/<name>
	Name      string // alias/<name>
	Account   string
	Region    string
	TargetKey string // key ARN
	CreatedAt time.Time
}

// Account is a 12-digit account.
type Account struct {
	ID        string
	CreatedAt time.Time
}

// AccessKey is a long-term credential. The secret part is stored sealed
// under the root key, never in plaintext.
type AccessKey struct {
	ID      string
	Account string
	// Principal is the ARN the key acts as, e.g. arn:aws:iam::<account>:root.
	Principal    string
	Status       string // "Active" or "Inactive"
	SealedSecret []byte
	CreatedAt    time.Time
}
