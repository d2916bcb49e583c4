// Package access answers the domain's authorization questions
// (secrets.Access) for every service with one policy engine
// (internal/policy): it gathers the caller's identity policies, session
// policies, the resource's policy or the key's policy and the request
// context, evaluates them as AWS does, and words a refusal as AWS words it.
//
// It holds no storage of its own: identity policies come from a
// [Directory] (the IAM service), resource and key policies from the
// question itself.
package access

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Identity is what evaluation needs to know of a user or role.
type Identity = secrets.ResolvedIdentity

// Directory finds the identity policies of users and roles.
type Directory interface {
	// Identity returns the user or role with this ARN; an unknown ARN
	// gives Exists false and a nil error.
	Identity(ctx context.Context, arn string) (*Identity, error)
}

// Authorizer implements secrets.Authorizer.
type Authorizer struct {
	Directory Directory
	Clock     secrets.Clock

	mu     sync.Mutex
	parsed map[parsedKey]parsedDoc // documents by text and kind
	// narrowed holds policies narrowed to one action (policy.ForAction).
	// Policies are immutable once parsed, and the directory and the parsed
	// cache hand out the same *Policy until a document changes, so an
	// entry never goes stale; a changed document is a new *Policy.
	narrowed     map[narrowKey]*policy.Policy
	narrowedSets map[narrowSetKey][]*policy.Policy

	clockNow atomic.Pointer[clockValues] // see times
}

// denyOnly is policy.DenyOnly, cached like narrowed policies.
func (a *Authorizer) denyOnly(p *policy.Policy) *policy.Policy {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.narrowed == nil || len(a.narrowed) >= maxNarrowed {
		a.narrowed = make(map[narrowKey]*policy.Policy)
	}
	k := narrowKey{p, "\x00deny-only"}
	d, ok := a.narrowed[k]
	if !ok {
		d = p.DenyOnly()
		a.narrowed[k] = d
	}
	return d
}

type narrowSetKey struct {
	first  **policy.Policy
	n      int
	action string
}

type narrowKey struct {
	p      *policy.Policy
	action string
}

// maxNarrowed bounds the narrowed-policy cache; past it, it starts over.
const maxNarrowed = 1 << 14

// narrow returns the policies narrowed to action, leaving out identity
// policies with nothing left (they can neither allow nor deny it).
//
// sharedIdentity says pols.Identity is the directory's own slice (kept by
// its backing array); a slice built for this request is narrowed afresh.
func (a *Authorizer) narrow(pols *policy.Policies, action string, sharedIdentity bool) *policy.Policies {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.narrowed == nil || len(a.narrowed) >= maxNarrowed {
		a.narrowed = make(map[narrowKey]*policy.Policy)
	}
	one := func(p *policy.Policy) *policy.Policy {
		if p == nil {
			return nil
		}
		k := narrowKey{p, action}
		n, ok := a.narrowed[k]
		if !ok {
			n = p.ForAction(action)
			a.narrowed[k] = n
		}
		return n
	}
	out := &policy.Policies{Resource: one(pols.Resource), Key: one(pols.Key)}
	if len(pols.Identity) > 0 {
		// The identity policies arrive as one slice per identity (the
		// directory's, immutable): its narrowed form is kept by the
		// slice's backing array.
		sk := narrowSetKey{&pols.Identity[0], len(pols.Identity), action}
		ids, ok := a.narrowedSets[sk]
		if !ok || !sharedIdentity {
			ids = nil
			for _, p := range pols.Identity {
				if n := one(p); n != nil && len(n.Statement) > 0 {
					ids = append(ids, n)
				}
			}
			if sharedIdentity {
				if a.narrowedSets == nil || len(a.narrowedSets) >= maxNarrowed {
					a.narrowedSets = make(map[narrowSetKey][]*policy.Policy)
				}
				a.narrowedSets[sk] = ids
			}
		}
		out.Identity = ids
	}
	for _, p := range pols.Session {
		out.Session = append(out.Session, one(p))
	}
	return out
}

var _ secrets.Authorizer = (*Authorizer)(nil)

type parsedKey struct {
	kind policy.Kind
	doc  string
}

type parsedDoc struct {
	p   *policy.Policy
	err error
}

// maxParsed bounds the parsed-document cache; past it, it starts over.
const maxParsed = 4096

// parse returns the parsed document, from the cache when it was parsed
// before. Documents are immutable text, so the cache never goes stale.
func (a *Authorizer) parse(doc string, kind policy.Kind) (*policy.Policy, error) {
	key := parsedKey{kind, doc}
	a.mu.Lock()
	d, ok := a.parsed[key]
	a.mu.Unlock()
	if ok {
		return d.p, d.err
	}
	p, err := policy.Parse([]byte(doc), kind)
	a.mu.Lock()
	if a.parsed == nil || len(a.parsed) >= maxParsed {
		a.parsed = make(map[parsedKey]parsedDoc)
	}
	a.parsed[key] = parsedDoc{p, err}
	a.mu.Unlock()
	return p, err
}

// Authorize implements secrets.Authorizer.
func (a *Authorizer) Authorize(ctx context.Context, c secrets.Caller, q secrets.Access) error {
	resAccount := q.ResourceAccount
	if resAccount == "" {
		resAccount = c.Account
	}
	// The account root in its own account may do everything (fast path;
	// policy.Evaluate would say the same after a Deny check, and Coffer's
	// root is not subject to its own account's policies).
	if c.Root() && c.Session == nil && resAccount == c.Account {
		return nil
	}
	req, pols, ambiguous, err := a.gather(ctx, c, q, resAccount)
	if err != nil {
		return err
	}
	defer putContext(req.Context) // nothing keeps req past this call
	pols = a.narrow(pols, q.Action, !q.ServiceKey || c.Session == nil)
	for _, k := range ambiguous {
		if mentions(pols, k) {
			// Fail closed: neither value may decide.
			return secrets.Errorf(secrets.Denied, "access.Authorize", "%s",
				a.refusal(c, q, req, pols, policy.Result{Decision: policy.ImplicitDeny}))
		}
	}
	res := policy.Evaluate(req, pols)
	if res.Allowed() {
		return nil
	}
	return secrets.Errorf(secrets.Denied, "access.Authorize", "%s", a.refusal(c, q, req, pols, res))
}

// Prepare loads what authorization needs to know of the caller's identity
// into c.Resolved. Call it once per request, before any store transaction:
// Authorize then reads no store (a caller without Resolved is looked up on
// each Authorize, which must then not run inside a transaction).
func (a *Authorizer) Prepare(ctx context.Context, c *secrets.Caller) error {
	if a.Directory == nil || c.Root() && c.Session == nil || c.Resolved != nil {
		return nil
	}
	arn := c.Principal
	if c.Session != nil && c.Session.RoleARN != "" {
		arn = c.Session.RoleARN
	} else if c.Root() {
		return nil // root's GetSessionToken session: no identity policies
	}
	id, err := a.Directory.Identity(ctx, arn)
	if err != nil {
		return &secrets.Error{Kind: secrets.Internal, Op: "access.Prepare", Err: err}
	}
	c.Resolved = sameIdentity(c, id)
	if c.Session == nil && id.Exists && c.UserID == "" {
		c.UserID = id.UserID
	}
	return nil
}

// noIdentity stands for a user or role that is not the one a session was
// issued for.
var noIdentity = &Identity{}

// sameIdentity returns id when it is the user or role c's session was
// issued for (by unique id, as AWS ties sessions to the role's or user's
// id, not its name), and noIdentity when the name now belongs to another.
func sameIdentity(c *secrets.Caller, id *Identity) *Identity {
	if c.Session == nil || !id.Exists {
		return id
	}
	want := c.Session.PrincipalID
	if c.Session.RoleARN != "" {
		want = c.Session.RoleID
	}
	if want != "" && id.UserID != want {
		return noIdentity
	}
	return id
}

// gather builds the evaluation request and the policies that apply.
func (a *Authorizer) gather(ctx context.Context, c secrets.Caller, q secrets.Access, resAccount string) (req *policy.Request, pols *policy.Policies, ambiguous []string, err error) {
	req = &policy.Request{
		Principal: policy.Principal{
			ARN:     c.Principal,
			Account: c.Account,
			Root:    c.Root(),
		},
		Action:          q.Action,
		Resource:        q.Resource,
		ResourceAccount: resAccount,
		Context:         getContext(),
		// Keys go in lower-cased (condition keys are case-insensitive), so
		// that evaluation can use the map as it is.
		ContextLower: true,
	}
	var seen map[string]string // tag keys: lower-cased → as given
	for k, v := range q.Context {
		lk := strings.ToLower(k)
		if isTagKey(lk) {
			// Tags whose keys differ only in case (Secrets Manager and KMS
			// keep both) would give one single-valued key two values, and
			// a condition on it could then be met by either: ambiguous.
			if seen == nil {
				seen = make(map[string]string)
			}
			if orig, ok := seen[lk]; ok && orig != k {
				ambiguous = append(ambiguous, lk)
			}
			seen[lk] = k
		}
		if prev, ok := req.Context[lk]; ok {
			v = append(append([]string(nil), prev...), v...)
		}
		req.Context[lk] = v
	}
	pols = &policy.Policies{}

	// The identity whose policies apply: the user, or the session's role.
	idARN := c.Principal
	if c.Session != nil && c.Session.RoleARN != "" {
		idARN = c.Session.RoleARN
		req.Principal.RoleARN = c.Session.RoleARN
	}
	var tags map[string]string
	userID := c.UserID
	if !req.Principal.Root && (c.Resolved != nil || a.Directory != nil) {
		id := c.Resolved
		if id == nil {
			var err error
			if id, err = a.Directory.Identity(ctx, idARN); err != nil {
				return nil, nil, nil, &secrets.Error{Kind: secrets.Internal, Op: "access.Authorize", Err: err}
			}
			id = sameIdentity(&c, id)
		}
		if id.Exists {
			pols.Identity = id.Policies
			tags = id.Tags
			if userID == "" {
				userID = id.UserID
				if c.Session != nil && c.Session.RoleARN != "" {
					userID = id.UserID + ":" + c.Session.Name
				}
			}
		}
	}
	if req.Principal.Root && userID == "" {
		userID = c.Account
	}
	if c.Session != nil {
		if len(c.Session.Tags) > 0 {
			// Session tags override the role's tags of the same key.
			// Tag keys compare without regard to case.
			merged := make(map[string]string, len(tags)+len(c.Session.Tags))
			for k, v := range tags {
				merged[strings.ToLower(k)] = v
			}
			for _, t := range c.Session.Tags {
				merged[strings.ToLower(t.Key)] = t.Value
			}
			tags = merged
		}
		docs := c.Session.PolicyDocs
		if c.Session.Policy != "" {
			docs = append([]string{c.Session.Policy}, docs...)
		}
		for _, doc := range docs {
			p, err := a.parse(doc, policy.Identity)
			if err != nil {
				// Checked when the session was made; a token that holds a
				// bad policy grants nothing.
				p = denyAll
			}
			if q.ServiceKey {
				// The service's own key is not narrowed by the session's
				// allows, but its denials still apply.
				// (Clipped: the slice is the directory's, shared.)
				pols.Identity = append(slices.Clip(pols.Identity), a.denyOnly(p))
				continue
			}
			pols.Session = append(pols.Session, p)
		}
	}
	if q.ResourcePolicy != "" {
		p, err := a.parse(q.ResourcePolicy, policy.Resource)
		if err != nil {
			p = nil // a stored policy that no longer parses grants nothing
		}
		pols.Resource = p
	}
	if q.KeyPolicy != "" {
		p, err := a.parse(q.KeyPolicy, policy.Resource)
		if err != nil {
			p = denyEveryone
		}
		pols.Key = p
	}

	ctxKeys := req.Context // keys lower-cased
	for k, f := range q.Lazy {
		lk := strings.ToLower(k)
		if _, ok := ctxKeys[lk]; !ok && mentions(pols, k) {
			if v := f(); len(v) > 0 {
				ctxKeys[lk] = v
			}
		}
	}
	for k, v := range tags {
		ctxKeys["aws:principaltag/"+strings.ToLower(k)] = []string{v}
	}
	if userID != "" {
		ctxKeys["aws:userid"] = []string{userID}
	}
	if c.SourceIP != "" {
		ctxKeys["aws:sourceip"] = []string{c.SourceIP}
	}
	if c.SecureTransport {
		ctxKeys["aws:securetransport"] = boolTrue
	} else {
		ctxKeys["aws:securetransport"] = boolFalse
	}
	t := a.times()
	ctxKeys["aws:currenttime"], ctxKeys["aws:epochtime"] = t.current, t.epoch
	ctxKeys["aws:principaltype"] = principalTypes[principalType(c)]
	if c.Session != nil && c.Session.RoleARN != "" {
		ctxKeys["aws:principalarn"] = []string{c.Session.RoleARN}
	}
	if c.Session != nil {
		ctxKeys["aws:tokenissuetime"] = []string{c.Session.Issued.UTC().Format(time.RFC3339)}
	}
	if strings.HasPrefix(q.Action, "kms:") {
		if _, ok := ctxKeys["kms:calleraccount"]; !ok {
			ctxKeys["kms:calleraccount"] = []string{c.Account}
		}
	}
	return req, pols, ambiguous, nil
}

// Shared, never-written values of condition keys.
var (
	boolTrue       = []string{"true"}
	boolFalse      = []string{"false"}
	principalTypes = map[string][]string{"AssumedRole": {"AssumedRole"}, "Account": {"Account"}, "User": {"User"}}
)

// clockValues are aws:CurrentTime and aws:EpochTime for one second.
type clockValues struct {
	unix           int64
	current, epoch []string
}

// times returns the clock's condition keys, formatted once a second.
func (a *Authorizer) times() *clockValues {
	var now time.Time
	if a.Clock != nil {
		now = a.Clock.Now().UTC()
	} else {
		now = time.Now().UTC()
	}
	if t := a.clockNow.Load(); t != nil && t.unix == now.Unix() {
		return t
	}
	t := &clockValues{
		unix:    now.Unix(),
		current: []string{now.Format(time.RFC3339)},
		epoch:   []string{strconv.FormatInt(now.Unix(), 10)},
	}
	a.clockNow.Store(t)
	return t
}

// principalType is aws:PrincipalType.
func principalType(c secrets.Caller) string {
	switch {
	case c.Session != nil && c.Session.RoleARN != "":
		return "AssumedRole"
	case c.Root():
		return "Account"
	}
	return "User"
}

var (
	denyAll = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, policy.Identity)
	// denyEveryone stands for a stored key policy that no longer parses:
	// it grants nothing.
	denyEveryone = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, policy.Resource)
)

// refusal words a denial as AWS does:
//
//	User: <arn> is not authorized to perform: <action> on resource: <resource> because no identity-based policy allows the <action> action
//	User: <arn> is not authorized to perform: <action> on resource: <resource> with an explicit deny in an identity-based policy
//
// with "on resource: …" left out for actions on "*" (ListSecrets:
// Kralizek/AWSSecretsManagerConfigurationExtensions#78). The resource is
// named as the caller named it (mongodb/awscdk-resources-mongodbatlas#207
// shows a secret's name, binbashar/le-tf-infra-aws#874 its ARN). The
// reasons are those of IAM's "Access denied error messages" page:
// identity-based, resource-based and session policies.
func (a *Authorizer) refusal(c secrets.Caller, q secrets.Access, req *policy.Request, pols *policy.Policies, res policy.Result) string {
	shown := q.Shown
	if shown == "" {
		shown = q.Resource
	}
	msg := "User: " + c.Principal + " is not authorized to perform: " + q.Action
	if shown != "" && shown != "*" {
		msg += " on resource: " + shown
	}
	if res.Decision == policy.ExplicitDeny {
		switch res.Source {
		case policy.SourceIdentity:
			return msg + " with an explicit deny in an identity-based policy"
		case policy.SourceSession:
			return msg + " with an explicit deny in a session policy"
		default:
			return msg + " with an explicit deny in a resource-based policy"
		}
	}
	return msg + " because no " + a.missing(req, pols) + " policy allows the " + q.Action + " action"
}

// missing names the kind of policy whose allow was lacking in an implicit
// deny: across accounts or for a key, the resource's (key's) policy when it
// does not allow the caller; else the identity's; else the session's.
func (a *Authorizer) missing(req *policy.Request, pols *policy.Policies) string {
	crossAccount := req.ResourceAccount != "" && req.ResourceAccount != req.Principal.Account
	if crossAccount || pols.Key != nil {
		resOnly := *req
		probe := &policy.Policies{Resource: pols.Resource, Key: pols.Key}
		// Would the resource policy allow the principal were the identity
		// side granted everything?
		probe.Identity = []*policy.Policy{allowAll}
		if !policy.Evaluate(&resOnly, probe).Allowed() {
			return "resource-based"
		}
	}
	idOnly := *req
	idOnly.ResourceAccount = ""
	if !policy.Evaluate(&idOnly, &policy.Policies{Identity: pols.Identity}).Allowed() || req.Principal.Root {
		if req.Principal.Root {
			return "resource-based"
		}
		return "identity-based"
	}
	if len(pols.Session) > 0 {
		return "session"
	}
	return "identity-based"
}

var allowAll = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)

// contexts recycles request-context maps: one is built for every
// authorization question, on the hot path of every request.
var contexts = sync.Pool{New: func() any { return make(map[string][]string, 24) }}

func getContext() map[string][]string { return contexts.Get().(map[string][]string) }

func putContext(m map[string][]string) {
	if len(m) > 64 {
		return // an unusually large one is left to the collector
	}
	clear(m)
	contexts.Put(m)
}

// isTagKey reports whether a lower-cased condition key is a single-valued
// tag key (aws:ResourceTag/…, aws:RequestTag/…, aws:PrincipalTag/…,
// secretsmanager:ResourceTag/…).
func isTagKey(lk string) bool {
	for _, p := range [...]string{"aws:resourcetag/", "aws:requesttag/", "aws:principaltag/", "secretsmanager:resourcetag/"} {
		if strings.HasPrefix(lk, p) {
			return true
		}
	}
	return false
}

// mentions reports whether any of the policies has a condition on key
// (condition keys are case-insensitive).
func mentions(pols *policy.Policies, key string) bool {
	check := func(p *policy.Policy) bool {
		if p == nil {
			return false
		}
		for _, st := range p.Statement {
			for _, c := range st.Condition {
				if strings.EqualFold(c.Key, key) {
					return true
				}
			}
		}
		return false
	}
	for _, p := range pols.Identity {
		if check(p) {
			return true
		}
	}
	for _, p := range pols.Session {
		if check(p) {
			return true
		}
	}
	return check(pols.Resource) || check(pols.Key)
}
