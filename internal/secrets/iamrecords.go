package secrets

import "time"

// IAM records. Users, groups, roles and managed policies each belong to an
// account and are unique there by name without regard to case, as on IAM:
// a store looks them up by account and name case-insensitively and keeps
// the name as it was given. Their sub-parts (inline policies, attachments,
// memberships, tags, policy versions) live inside them, so that one put
// changes an entity and all of its parts at once.

// IAMUser is an IAM user.
type IAMUser struct {
	Account string
	Name    string
	ID      string // unique id, AIDA…
	Path    string // "/" or "/division/…/"
	ARN     string // arn:aws:iam::<account>:user<path><name>

	CreatedAt time.Time
	// Tags are the user's tags in the order they were added; keys are
	// unique without regard to case.
	Tags []Tag
	// Groups holds the IDs (AGPA…) of the groups the user is a member of,
	// in the order the user was added to them.
	Groups []string
	// Inline holds the user's inline policies in the order they were put.
	Inline []IAMInlinePolicy
	// Attached holds the ARNs of the managed policies attached to the user,
	// in the order they were attached.
	Attached []string
}

// IAMGroup is an IAM group. Its members are the users whose Groups name it.
type IAMGroup struct {
	Account string
	Name    string
	ID      string // AGPA…
	Path    string
	ARN     string // arn:aws:iam::<account>:group<path><name>

	CreatedAt time.Time
	Inline    []IAMInlinePolicy
	Attached  []string
}

// IAMRole is an IAM role.
type IAMRole struct {
	Account string
	Name    string
	ID      string // AROA…
	Path    string
	ARN     string // arn:aws:iam::<account>:role<path><name>

	CreatedAt time.Time
	// TrustPolicy is the AssumeRolePolicyDocument as the caller gave it.
	TrustPolicy string
	Description string
	// MaxSessionDuration is the longest session AssumeRole may grant, in
	// seconds (3600 to 43200).
	MaxSessionDuration int
	Tags               []Tag
	Inline             []IAMInlinePolicy
	Attached           []string
}

// IAMInlinePolicy is a policy embedded in a user, group or role.
type IAMInlinePolicy struct {
	Name     string
	Document string // as the caller gave it
}

// IAMPolicy is a customer managed policy.
type IAMPolicy struct {
	Account string
	Name    string
	ID      string // ANPA…
	Path    string
	ARN     string // arn:aws:iam::<account>:policy<path><name>

	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Tags        []Tag
	// DefaultVersion is the ID of the version in effect ("v3").
	DefaultVersion string
	// NextVersion is the number the next version gets: version IDs are
	// never reused.
	NextVersion int
	// Versions are the policy's versions, oldest first (at most 5).
	Versions []IAMPolicyVersion
	// AttachmentCount is the number of users, groups and roles the policy
	// is attached to.
	AttachmentCount int
}

// IAMPolicyVersion is one version of a managed policy.
type IAMPolicyVersion struct {
	ID        string // "v1", "v2", …
	Document  string // as the caller gave it
	CreatedAt time.Time
}

// Version returns the version with the id, or nil.
func (p *IAMPolicy) Version(id string) *IAMPolicyVersion {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}
