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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coffer-dev/coffer/internal/policy"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Identity is what evaluation needs to know of a user or role.
type Identity struct {
	Exists   bool
	UserID   string            // AIDA… or AROA…
	UserName string            // users only
	Tags     map[string]string // aws:PrincipalTag/…
	Policies []*policy.Policy  // every identity policy that applies
}

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
	parsed map[string]parsedDoc // documents by text, both kinds
}

var _ secrets.Authorizer = (*Authorizer)(nil)

type parsedDoc struct {
	p   *policy.Policy
	err error
}

// maxParsed bounds the parsed-document cache; past it, it starts over.
const maxParsed = 4096

// parse returns the parsed document, from the cache when it was parsed
// before. Documents are immutable text, so the cache never goes stale.
func (a *Authorizer) parse(doc string, kind policy.Kind) (*policy.Policy, error) {
	key := strconv.Itoa(int(kind)) + doc
	a.mu.Lock()
	d, ok := a.parsed[key]
	a.mu.Unlock()
	if ok {
		return d.p, d.err
	}
	p, err := policy.Parse([]byte(doc), kind)
	a.mu.Lock()
	if a.parsed == nil || len(a.parsed) >= maxParsed {
		a.parsed = make(map[string]parsedDoc)
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
	req, pols, err := a.gather(ctx, c, q, resAccount)
	if err != nil {
		return err
	}
	res := policy.Evaluate(req, pols)
	if res.Allowed() {
		return nil
	}
	return secrets.Errorf(secrets.Denied, "access.Authorize", "%s", a.refusal(c, q, req, pols, res))
}

// gather builds the evaluation request and the policies that apply.
func (a *Authorizer) gather(ctx context.Context, c secrets.Caller, q secrets.Access, resAccount string) (*policy.Request, *policy.Policies, error) {
	req := &policy.Request{
		Principal: policy.Principal{
			ARN:     c.Principal,
			Account: c.Account,
			Root:    c.Root(),
		},
		Action:          q.Action,
		Resource:        q.Resource,
		ResourceAccount: resAccount,
		Context:         make(map[string][]string, len(q.Context)+12),
	}
	for k, v := range q.Context {
		req.Context[k] = v
	}
	pols := &policy.Policies{}

	// The identity whose policies apply: the user, or the session's role.
	idARN := c.Principal
	if c.Session != nil && c.Session.RoleARN != "" {
		idARN = c.Session.RoleARN
		req.Principal.RoleARN = c.Session.RoleARN
	}
	var tags map[string]string
	userID := c.UserID
	if !req.Principal.Root && a.Directory != nil {
		id, err := a.Directory.Identity(ctx, idARN)
		if err != nil {
			return nil, nil, &secrets.Error{Kind: secrets.Internal, Op: "access.Authorize", Err: err}
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
			merged := make(map[string]string, len(tags)+len(c.Session.Tags))
			for k, v := range tags {
				merged[k] = v
			}
			for _, t := range c.Session.Tags {
				merged[t.Key] = t.Value
			}
			tags = merged
		}
		if c.Session.Policy != "" && !q.ServiceKey {
			p, err := a.parse(c.Session.Policy, policy.Identity)
			if err != nil {
				// Checked when the session was made; a token that holds a
				// bad policy grants nothing.
				p = denyAll
			}
			pols.Session = append(pols.Session, p)
		}
		for _, doc := range c.Session.PolicyDocs {
			if q.ServiceKey {
				break
			}
			p, err := a.parse(doc, policy.Identity)
			if err != nil {
				p = denyAll
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

	ctxKeys := req.Context
	for k, f := range q.Lazy {
		if _, ok := ctxKeys[k]; !ok && mentions(pols, k) {
			if v := f(); len(v) > 0 {
				ctxKeys[k] = v
			}
		}
	}
	for k, v := range tags {
		ctxKeys["aws:PrincipalTag/"+k] = []string{v}
	}
	if userID != "" {
		ctxKeys["aws:userid"] = []string{userID}
	}
	if c.SourceIP != "" {
		ctxKeys["aws:SourceIp"] = []string{c.SourceIP}
	}
	ctxKeys["aws:SecureTransport"] = []string{strconv.FormatBool(c.SecureTransport)}
	var now time.Time
	if a.Clock != nil {
		now = a.Clock.Now().UTC()
	} else {
		now = time.Now().UTC()
	}
	ctxKeys["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
	ctxKeys["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	ctxKeys["aws:PrincipalType"] = []string{principalType(c)}
	if c.Session != nil && c.Session.RoleARN != "" {
		ctxKeys["aws:PrincipalArn"] = []string{c.Session.RoleARN}
	}
	if c.Session != nil {
		ctxKeys["aws:TokenIssueTime"] = []string{c.Session.Issued.UTC().Format(time.RFC3339)}
	}
	if strings.HasPrefix(q.Action, "kms:") {
		if _, ok := ctxKeys["kms:CallerAccount"]; !ok {
			ctxKeys["kms:CallerAccount"] = []string{c.Account}
		}
	}
	return req, pols, nil
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
