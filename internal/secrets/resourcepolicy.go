package secrets

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/coffer-dev/coffer/internal/policy"
)

// A secret's resource-based policy: PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy and ValidateResourcePolicy.
//
// A document is checked in three steps, as the Secrets Manager User Guide
// describes ("Managing a resource-based policy for a secret"):
//
//  1. Grammar: policy.Parse with the resource-policy rules. A document that
//     is not JSON or breaks the grammar is MalformedPolicyDocumentException
//     ("This resource policy contains a syntax error."), from both
//     PutResourcePolicy and ValidateResourcePolicy (the model lists the
//     error for both; moto answers ValidateResourcePolicy so).
//  2. Fit for a secret: principals Secrets Manager accepts, and resources
//     that can name a secret. PutResourcePolicy refuses a misfit with
//     MalformedPolicyDocumentException; ValidateResourcePolicy reports it
//     as a ValidationErrors entry.
//  3. Breadth: policy.Policy.Public (Zelkova on AWS). PutResourcePolicy
//     refuses a public policy with PublicPolicyException when
//     BlockPublicPolicy is true, and stores it otherwise (the default: the
//     model's "By default, public policies aren't blocked", and localstack's
//     AWS-validated test_resource_policy stores a "Principal": "*" policy);
//     ValidateResourcePolicy reports it, and also a policy that would deny
//     the caller PutResourcePolicy on the secret (a lockout).
//
// Put, Get and Delete refuse a secret scheduled for deletion with
// InvalidRequestException, as on AWS: the Terraform AWS provider treats
// that answer from GetResourcePolicy and DeleteResourcePolicy as "gone"
// (internal/service/secretsmanager/secret_policy.go).

// PutResourcePolicyInput is PutResourcePolicy's request.
type PutResourcePolicyInput struct {
	SecretID string
	// ResourcePolicy is the JSON document; it is stored as given.
	ResourcePolicy    string
	BlockPublicPolicy bool
}

// ResourcePolicyOutput is GetResourcePolicy's response.
type ResourcePolicyOutput struct {
	ARN  string
	Name string
	// ResourcePolicy is the document as it was put; empty when the secret
	// has none (the response then leaves it out).
	ResourcePolicy string
}

// PutResourcePolicy attaches a resource-based policy to a secret,
// replacing any it had.
func (s *Service) PutResourcePolicy(ctx context.Context, c Caller, in PutResourcePolicyInput) (*SecretRef, error) {
	const op = "secrets.PutResourcePolicy"
	var out *SecretRef
	err := s.Store.Update(ctx, func(tx Tx) error {
		// secretsmanager:BlockPublicPolicy is PutResourcePolicy's condition
		// key (Service Authorization Reference, AWS Secrets Manager).
		extra := map[string][]string{"secretsmanager:BlockPublicPolicy": {strconv.FormatBool(in.BlockPublicPolicy)}}
		sec, err := s.findLive(ctx, tx, op, c, in.SecretID, extra)
		if err != nil {
			return err
		}
		p, misfits, err := inspectPolicy(op, in.ResourcePolicy)
		if err != nil {
			return err
		}
		if len(misfits) > 0 {
			return newError(MalformedPolicy, op, misfits[0].Message)
		}
		if in.BlockPublicPolicy && p.Public() {
			return newError(PublicPolicy, op, msgPublicPolicy)
		}
		sec.ResourcePolicy = in.ResourcePolicy
		sec.LastChangedAt = s.now()
		if err := tx.PutSecret(ctx, sec); err != nil {
			return internal(op, err)
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetResourcePolicy returns a secret's resource-based policy.
func (s *Service) GetResourcePolicy(ctx context.Context, c Caller, secretID string) (*ResourcePolicyOutput, error) {
	const op = "secrets.GetResourcePolicy"
	var out *ResourcePolicyOutput
	err := s.Store.View(ctx, func(tx Tx) error {
		sec, err := s.findLive(ctx, tx, op, c, secretID, nil)
		if err != nil {
			return err
		}
		out = &ResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name, ResourcePolicy: sec.ResourcePolicy}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteResourcePolicy removes a secret's resource-based policy. Removing
// the policy of a secret that has none is not an error.
func (s *Service) DeleteResourcePolicy(ctx context.Context, c Caller, secretID string) (*SecretRef, error) {
	const op = "secrets.DeleteResourcePolicy"
	var out *SecretRef
	err := s.Store.Update(ctx, func(tx Tx) error {
		sec, err := s.findLive(ctx, tx, op, c, secretID, nil)
		if err != nil {
			return err
		}
		out = &SecretRef{ARN: sec.ARN, Name: sec.Name}
		if sec.ResourcePolicy == "" {
			return nil
		}
		sec.ResourcePolicy = ""
		sec.LastChangedAt = s.now()
		return internal(op, tx.PutSecret(ctx, sec))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ValidateResourcePolicyInput is ValidateResourcePolicy's request.
type ValidateResourcePolicyInput struct {
	// SecretID is optional: with it, the policy is checked as the policy of
	// that secret (which must exist); it is not attached.
	SecretID       string
	ResourcePolicy string
}

// PolicyValidation is ValidateResourcePolicy's response.
type PolicyValidation struct {
	Passed bool
	Errors []ValidationError
}

// ValidationError is one check a policy failed.
type ValidationError struct {
	Check   string
	Message string
}

// ValidateResourcePolicy checks a resource-based policy without attaching
// it: a malformed document is an error; a policy that does not fit a
// secret, grants broad access or would lock the caller out fails
// validation.
func (s *Service) ValidateResourcePolicy(ctx context.Context, c Caller, in ValidateResourcePolicyInput) (*PolicyValidation, error) {
	const op = "secrets.ValidateResourcePolicy"
	// Without a secret, the lockout check asks about the resource
	// "…:secret:*" of the caller's account and region: a Deny whose
	// Resource is "*" (or a pattern that covers it) is a lockout, one that
	// names particular secrets is not.
	arn, account := "arn:aws:secretsmanager:"+c.Region+":"+c.Account+":secret:*", c.Account
	if in.SecretID != "" {
		err := s.Store.View(ctx, func(tx Tx) error {
			sec, err := s.findLive(ctx, tx, op, c, in.SecretID, nil)
			if err != nil {
				return err
			}
			arn, account = sec.ARN, sec.Account
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else if err := s.authorizeAny(ctx, c, op); err != nil {
		return nil, err
	}
	p, errs, err := inspectPolicy(op, in.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	if p != nil && p.Public() {
		errs = append(errs, ValidationError{Check: checkBroadAccess, Message: msgBroadAccess})
	}
	if p != nil && lockedOut(p, c, arn, account) {
		errs = append(errs, ValidationError{Check: checkLockout, Message: msgLockout})
	}
	return &PolicyValidation{Passed: len(errs) == 0, Errors: errs}, nil
}

// inspectPolicy parses doc as a secret's resource policy (steps 1
// and 2 above). A document that does not parse is a MalformedPolicy
// *Error, unless only its principal is at fault: that is a misfit, as are
// principals and resources a secret's policy cannot have. p is nil when
// doc did not parse.
func inspectPolicy(op, doc string) (p *policy.Policy, misfits []ValidationError, err error) {
	p, err = policy.Parse([]byte(doc), policy.Resource)
	var pe *policy.Error
	switch {
	case errors.As(err, &pe) && principalError(pe):
		return nil, []ValidationError{{Check: checkResourcePolicy, Message: msgUnsupportedPrincipal}}, nil
	case err != nil:
		return nil, nil, newError(MalformedPolicy, op, msgPolicySyntax)
	}
	add := func(msg string) {
		for _, m := range misfits {
			if m.Message == msg {
				return
			}
		}
		misfits = append(misfits, ValidationError{Check: checkResourcePolicy, Message: msg})
	}
	for _, st := range p.Statement {
		for _, ps := range []*policy.Principals{st.Principal, st.NotPrincipal} {
			if ps == nil {
				continue
			}
			if len(ps.CanonicalUser) > 0 {
				// Amazon S3's principal; no other service takes it.
				add(msgUnsupportedPrincipal)
			}
			for _, svc := range ps.Service {
				if !servicePrincipal.MatchString(svc) {
					add(msgInvalidServicePrincipal)
				}
			}
		}
		for _, r := range st.Resource {
			if foreignResource(r) {
				add(msgPolicySyntax)
			}
		}
	}
	return p, misfits, nil
}

// principalError reports whether a parse error is about a principal: the
// policy package words those "Invalid principal in policy…", as IAM does.
func principalError(e *policy.Error) bool {
	return strings.HasPrefix(e.Msg, "Invalid principal in policy")
}

// servicePrincipal is the form of an AWS service principal:
// "lambda.amazonaws.com", "identity.bedrock-agentcore.amazonaws.com", and
// in the China regions "….amazonaws.com.cn".
var servicePrincipal = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com(\.cn)?$`)

// foreignResource reports whether a Resource entry names only resources of
// another service, so that it can never name a secret: an ARN whose
// service field is fixed and not secretsmanager. Entries with fewer than
// six fields match their last field against the rest of an ARN and are
// left alone.
func foreignResource(r string) bool {
	f := strings.SplitN(r, ":", 6)
	return len(f) == 6 && !strings.ContainsAny(f[2], "*?") && f[2] != "secretsmanager"
}

// lockedOut reports whether p, as the resource policy of the secret arn
// owned by account, would explicitly deny c secretsmanager:PutResourcePolicy,
// so that c could not change the policy again (the User Guide's "Lockout
// JSON"). The caller's own IAM policies do not enter: only p's Deny
// statements can lock a caller out of a secret they may manage now.
func lockedOut(p *policy.Policy, c Caller, arn, account string) bool {
	pr := policy.Principal{ARN: c.Principal, Account: c.Account, Root: c.Root()}
	if c.Session != nil {
		pr.RoleARN = c.Session.RoleARN
	}
	keys := map[string][]string{"aws:SecureTransport": {strconv.FormatBool(c.SecureTransport)}}
	if c.SourceIP != "" {
		keys["aws:SourceIp"] = []string{c.SourceIP}
	}
	if c.UserID != "" {
		keys["aws:userid"] = []string{c.UserID}
	}
	r := policy.Evaluate(&policy.Request{
		Principal: pr, Action: "secretsmanager:PutResourcePolicy",
		Resource: arn, ResourceAccount: account, Context: keys,
	}, &policy.Policies{Resource: p})
	return r.Decision == policy.ExplicitDeny
}
