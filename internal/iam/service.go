// Package iam implements the subset of AWS IAM that Coffer serves: users
// and their access keys, groups, roles, inline and customer managed
// policies, and what authorization needs to know of a principal
// ([Service.Principal], [Service.Role]). It holds the rules (names unique
// without regard to case, quotas, delete conflicts, policy versions) and
// AWS's messages (messages.go); records live in package secrets' Store,
// access keys through package identity. There is no HTTP and no SQL here.
//
// IAM is global: an account's users, groups, roles and policies are the
// same in every region, and the region of a request plays no part.
package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Quotas, as AWS's defaults.
const (
	MaxAccessKeysPerUser = 2
	MaxGroupsPerUser     = 10
	MaxAttachedPolicies  = 10 // managed policies per user, group or role
	MaxPolicyVersions    = 5
	MaxTags              = 50
	MaxManagedPolicySize = 6144 // characters, without white space
	MaxTrustPolicySize   = 2048
	DefaultMaxSession    = 3600
	MinMaxSession        = 3600
	MaxMaxSession        = 43200
	DefaultMaxItems      = 100
	MaxMaxItems          = 1000
)

// DefaultCacheTTL is how long Principal may answer from memory.
const DefaultCacheTTL = 5 * time.Second

// maxCached bounds the principal cache; past it, the cache starts over.
const maxCached = 10000

// Service implements the IAM operations. Its exported fields are set once,
// before use; the zero value of the others is ready.
type Service struct {
	Store secrets.Store
	// Keys creates and changes access keys (CreateAccessKey and the other
	// access key operations fail without it).
	Keys   *identity.Manager
	Clock  secrets.Clock
	Random io.Reader // nil means crypto/rand
	// Authorizer decides who may do what; nil allows everything (tests).
	Authorizer secrets.Authorizer
	// CacheTTL is how long Principal may answer from memory; zero means
	// DefaultCacheTTL, negative turns the cache off. Every IAM write made
	// through this Service empties the cache at once; writes made
	// elsewhere (another process) are seen within CacheTTL.
	CacheTTL time.Duration

	gen    atomic.Uint64 // bumped by every write
	mu     sync.RWMutex
	cached map[string]cachedPrincipal
}

// Kind is a kind of IAM identity that holds policies.
type Kind int

// The kinds of identity.
const (
	KindUser Kind = iota + 1
	KindGroup
	KindRole
)

// word is the kind as AWS's messages name it in lower case.
func (k Kind) word() string {
	switch k {
	case KindUser:
		return "user"
	case KindGroup:
		return "group"
	case KindRole:
		return "role"
	}
	return "entity"
}

// title is the kind capitalized, as in "User" and in action names.
func (k Kind) title() string {
	w := k.word()
	return strings.ToUpper(w[:1]) + w[1:]
}

// String returns "user", "group" or "role".
func (k Kind) String() string { return k.word() }

// inlineLimit is the most characters (without white space) the inline
// policies of one identity of the kind may hold together.
func (k Kind) inlineLimit() int {
	switch k {
	case KindUser:
		return 2048
	case KindGroup:
		return 5120
	}
	return 10240
}

// ErrSessionCredentials is the cause of the Denied error every operation
// answers to temporary credentials from GetSessionToken, which AWS does not
// accept for IAM without MFA (and Coffer has no MFA): the API layer sends
// it as AWS does, InvalidClientTokenId.
var ErrSessionCredentials = errors.New("iam: GetSessionToken credentials cannot call IAM without MFA")

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now().UTC()
}

// Unique id prefixes ("Unique identifiers" in the IAM User Guide).
const (
	prefixUser   = "AIDA"
	prefixGroup  = "AGPA"
	prefixRole   = "AROA"
	prefixPolicy = "ANPA"
)

// newID returns a unique id: prefix and 17 random characters, 21 in all.
func (s *Service) newID(prefix string) (string, error) {
	r, err := secrets.RandomString(s.Random, secrets.KeyIDAlphabet, 17)
	if err != nil {
		return "", err
	}
	return prefix + r, nil
}

// arnOf returns the ARN of an IAM entity: arn:aws:iam::<account>:<kind><path><name>.
func arnOf(account, kind, path, name string) string {
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// Errors.

func errorf(kind secrets.Kind, op, msg string) error {
	return &secrets.Error{Kind: kind, Op: op, Msg: msg}
}

// internal wraps an unexpected error as an Internal *secrets.Error; a
// domain *secrets.Error passes through, and nil stays nil.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *secrets.Error
	if errors.As(err, &e) {
		return err
	}
	return &secrets.Error{Kind: secrets.Internal, Op: op, Err: err}
}

// missing reports whether err says a record does not exist.
func missing(err error) bool { return errors.Is(err, secrets.ErrNotFound) }

// Transactions.

func (s *Service) view(ctx context.Context, op string, fn func(tx secrets.Tx) error) error {
	return internal(op, s.Store.View(ctx, fn))
}

// update runs fn in a write transaction and then empties the principal
// cache, so that a change made here takes effect at once in this process.
func (s *Service) update(ctx context.Context, op string, fn func(tx secrets.Tx) error) error {
	defer s.invalidate()
	return internal(op, s.Store.Update(ctx, fn))
}

// Authorization.

// gate refuses callers that may not call IAM at all: temporary credentials
// from GetSessionToken (a Session without a role), which AWS accepts for
// IAM only with MFA.
func gate(op string, c secrets.Caller) error {
	if c.Session != nil && c.Session.RoleARN == "" {
		return &secrets.Error{Kind: secrets.Denied, Op: op, Msg: msgSessionNoMFA, Err: ErrSessionCredentials}
	}
	return nil
}

// actionOf is the IAM action of an operation: "iam.CreateUser" is
// "iam:CreateUser".
func actionOf(op string) string { return "iam:" + strings.TrimPrefix(op, "iam.") }

// authorize asks the Authorizer whether c may perform op on resource (an
// ARN, or "*"). tags are the resource's tags (aws:ResourceTag/… and
// iam:ResourceTag/…, the condition keys of IAM's user, role and policy
// resources); extra holds the request's own keys (aws:RequestTag/…,
// aws:TagKeys, iam:PolicyARN).
func (s *Service) authorize(ctx context.Context, c secrets.Caller, op, resource string, tags []secrets.Tag, extra map[string][]string) error {
	if s.Authorizer == nil {
		return nil
	}
	var keys map[string][]string
	if len(tags)+len(extra) > 0 {
		keys = make(map[string][]string, 2*len(tags)+len(extra))
		for k, v := range extra {
			keys[k] = v
		}
		for _, t := range tags {
			keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
			keys["iam:ResourceTag/"+t.Key] = []string{t.Value}
		}
	}
	return internal(op, s.Authorizer.Authorize(ctx, c, secrets.Access{
		Action: actionOf(op), Resource: resource, ResourceAccount: c.Account, Context: keys,
	}))
}

// Validation. The API layer validates input against the service model
// first; these checks keep the domain's records sound on their own and
// word failures as IAM's ValidationError does.

var (
	namePattern       = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern       = regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`)
	policyPathPattern = regexp.MustCompile(`^((/[A-Za-z0-9.,+@=_-]+)*)/$`)
)

// checkName checks a user, group, role or policy name.
func checkName(op, member, name string, max int) error {
	switch {
	case len(name) < 1:
		return errorf(secrets.Validation, op, msgValidation(&name, member, "Member must have length greater than or equal to 1"))
	case len(name) > max:
		return errorf(secrets.Validation, op, msgValidation(&name, member, "Member must have length less than or equal to "+itoa(max)))
	case !namePattern.MatchString(name):
		return errorf(secrets.Validation, op, msgValidation(&name, member, `Member must satisfy regular expression pattern: [\w+=,.@-]+`))
	}
	return nil
}

// checkPath checks a path and returns it, "/" when empty.
func checkPath(op, path string, policy bool) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > 512 {
		return "", errorf(secrets.Validation, op, msgValidation(&path, "path", "Member must have length less than or equal to 512"))
	}
	if policy && !policyPathPattern.MatchString(path) {
		return "", errorf(secrets.Validation, op, msgValidation(&path, "path", `Member must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/`))
	}
	if !policy && !pathPattern.MatchString(path) {
		return "", errorf(secrets.Validation, op, msgValidation(&path, "path", `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`))
	}
	return path, nil
}

// checkPathPrefix checks a PathPrefix and returns it, "/" when empty.
func checkPathPrefix(op, prefix string) (string, error) {
	if prefix == "" {
		return "/", nil
	}
	if len(prefix) > 512 || prefix[0] != '/' {
		return "", errorf(secrets.Validation, op, msgValidation(&prefix, "pathPrefix", `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`))
	}
	return prefix, nil
}

// tagKeyOK reports whether s matches IAM's tag pattern
// [\p{L}\p{Z}\p{N}_.:/=+\-@]* (keys also need one character).
func tagTextOK(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return utf8.ValidString(s)
}

const tagPattern = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`

// checkTags checks the tags a request sets. fold says whether keys are
// compared without regard to case (users and roles) or exactly (policies).
func checkTags(op string, tags []secrets.Tag, fold bool) error {
	if len(tags) > MaxTags {
		return errorf(secrets.Validation, op, msgValidation(nil, "tags", "Member must have length less than or equal to 50"))
	}
	for i, t := range tags {
		member := "tags." + itoa(i+1) + ".member."
		switch {
		case utf8.RuneCountInString(t.Key) > 128:
			return errorf(secrets.Validation, op, msgValidation(nil, member+"key", "Member must have length less than or equal to 128"))
		case t.Key == "" || !tagTextOK(t.Key):
			return errorf(secrets.Validation, op, msgValidation(nil, member+"key", "Member must satisfy regular expression pattern: "+tagPattern))
		case utf8.RuneCountInString(t.Value) > 256:
			return errorf(secrets.Validation, op, msgValidation(nil, member+"value", "Member must have length less than or equal to 256"))
		case !tagTextOK(t.Value):
			return errorf(secrets.Validation, op, msgValidation(nil, member+"value", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"))
		}
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := t.Key
		if fold {
			k = strings.ToLower(k)
		}
		if seen[k] {
			if fold {
				return errorf(secrets.InvalidParameter, op, msgDuplicateTagsFold)
			}
			return errorf(secrets.InvalidParameter, op, msgDuplicateTags)
		}
		seen[k] = true
	}
	return nil
}

// checkTagKeys checks the keys of an untag request.
func checkTagKeys(op string, keys []string) error {
	if len(keys) > MaxTags {
		return errorf(secrets.Validation, op, msgValidation(nil, "tagKeys", "Member must have length less than or equal to 50"))
	}
	for _, k := range keys {
		if k == "" || utf8.RuneCountInString(k) > 128 || !tagTextOK(k) {
			return errorf(secrets.Validation, op, msgValidation(nil, "tagKeys",
				"Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "+tagPattern+", Member must not be null]"))
		}
	}
	return nil
}

func sameKey(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// mergeTags returns have with tags added: a tag whose key is already there
// replaces that tag. what names the quota ("User", "Role", "Policy").
func mergeTags(op, what string, have, tags []secrets.Tag, fold bool) ([]secrets.Tag, error) {
	out := append([]secrets.Tag(nil), have...)
next:
	for _, t := range tags {
		for i := range out {
			if sameKey(out[i].Key, t.Key, fold) {
				out[i] = t
				continue next
			}
		}
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, errorf(secrets.LimitExceeded, op, msgTagQuota(what))
	}
	return out, nil
}

// removeTags returns have without the tags with the keys; a key that is not
// there is not an error.
func removeTags(have []secrets.Tag, keys []string, fold bool) []secrets.Tag {
	out := have[:0:0]
next:
	for _, t := range have {
		for _, k := range keys {
			if sameKey(t.Key, k, fold) {
				continue next
			}
		}
		out = append(out, t)
	}
	return out
}

// sortedTags returns a copy of tags ordered by key, as the List*Tags
// operations answer (localstack snapshot test_iam_policies,
// list-case-sensitive-tags: "A" before "a").
func sortedTags(tags []secrets.Tag) []secrets.Tag {
	out := append([]secrets.Tag(nil), tags...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Pagination.

// PageInput is the Marker and MaxItems of a list operation.
type PageInput struct {
	Marker   string
	MaxItems int // 0 means DefaultMaxItems
}

// Page says where a list operation stopped.
type Page struct {
	// Truncated reports that there is more; Marker is then the value to
	// pass to get it.
	Truncated bool
	Marker    string
}

// paginate returns the page of items (ordered by key, keys unique) that
// in asks for. A marker is the key of the last item of the page before,
// encoded, so that a page stays right when items come and go in between.
func paginate[T any](op string, items []T, key func(T) string, in PageInput) ([]T, Page, error) {
	n := in.MaxItems
	switch {
	case n <= 0:
		n = DefaultMaxItems
	case n > MaxMaxItems:
		n = MaxMaxItems
	}
	start := 0
	if in.Marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.Marker)
		if err != nil || len(b) == 0 {
			return nil, Page{}, errorf(secrets.Validation, op, msgBadMarker)
		}
		after := string(b)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := start + n
	if end >= len(items) {
		return items[start:], Page{}, nil
	}
	page := items[start:end]
	return page, Page{Truncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(key(page[len(page)-1])))}, nil
}

// nameKey orders and pages entities by name without regard to case, as
// the store lists them.
func nameKey(name string) string { return strings.ToLower(name) }

func itoa(n int) string { return strconv.Itoa(n) }
