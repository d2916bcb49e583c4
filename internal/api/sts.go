package api

import (
	"context"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/sts"
)

// STS wire shapes: member names as the sts 2011-06-15 model names them.
type (
	stsTag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	stsPolicyARN struct {
		ARN string `json:"arn"`
	}
	assumeRoleRequest struct {
		RoleArn           string
		RoleSessionName   string
		PolicyArns        []stsPolicyARN
		Policy            string
		DurationSeconds   *int64
		Tags              []stsTag
		TransitiveTagKeys []string
		ExternalId        string
		SerialNumber      string
		TokenCode         string
		SourceIdentity    string
	}
	getSessionTokenRequest struct {
		DurationSeconds *int64
		SerialNumber    string
		TokenCode       string
	}
	stsCredentials struct {
		AccessKeyId     string    `json:"AccessKeyId"`
		SecretAccessKey string    `json:"SecretAccessKey"`
		SessionToken    string    `json:"SessionToken"`
		Expiration      time.Time `json:"Expiration"`
	}
	assumedRoleUser struct {
		AssumedRoleId string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	}
	assumeRoleResponse struct {
		Credentials      stsCredentials  `json:"Credentials"`
		AssumedRoleUser  assumedRoleUser `json:"AssumedRoleUser"`
		PackedPolicySize *int            `json:"PackedPolicySize,omitempty"`
		SourceIdentity   string          `json:"SourceIdentity,omitempty"`
	}
	getSessionTokenResponse struct {
		Credentials stsCredentials `json:"Credentials"`
	}
	getCallerIdentityResponse struct {
		UserId  string `json:"UserId"`
		Account string `json:"Account"`
		Arn     string `json:"Arn"`
	}
)

// errMFA answers a request that names an MFA device: Coffer has none, so
// no serial number is associated with the user. The text is AWS's for that
// case (aws/aws-cli#6325, broamski/aws-mfa#25; two spaces included).
var errMFA = secrets.Errorf(secrets.Denied, "sts", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")

// stsOps is the STS operation table, keyed by the query protocol's Action.
func stsOps(svc *sts.Service) map[string]handler {
	return map[string]handler{
		"GetCallerIdentity": op(func(ctx context.Context, c secrets.Caller, _ *struct{}) (any, error) {
			id, err := svc.GetCallerIdentity(ctx, c)
			if err != nil {
				return nil, err
			}
			return getCallerIdentityResponse{UserId: id.UserID, Account: id.Account, Arn: id.ARN}, nil
		}),
		"AssumeRole": op(func(ctx context.Context, c secrets.Caller, r *assumeRoleRequest) (any, error) {
			if r.SerialNumber != "" || r.TokenCode != "" {
				return nil, errMFA
			}
			in := sts.AssumeRoleInput{
				RoleARN: r.RoleArn, SessionName: r.RoleSessionName, Policy: r.Policy,
				ExternalID: r.ExternalId, SourceIdentity: r.SourceIdentity,
			}
			if r.DurationSeconds != nil {
				in.Duration = time.Duration(*r.DurationSeconds) * time.Second
			}
			for _, p := range r.PolicyArns {
				in.PolicyARNs = append(in.PolicyARNs, p.ARN)
			}
			for _, t := range r.Tags {
				in.Tags = append(in.Tags, secrets.Tag{Key: t.Key, Value: t.Value})
			}
			out, err := svc.AssumeRole(ctx, c, in)
			if err != nil {
				return nil, err
			}
			return assumeRoleResponse{
				Credentials:      credentialsOut(&out.Credentials),
				AssumedRoleUser:  assumedRoleUser{AssumedRoleId: out.AssumedRoleID, Arn: out.AssumedRoleARN},
				PackedPolicySize: out.PackedPolicySize,
				SourceIdentity:   out.SourceIdentity,
			}, nil
		}),
		"GetSessionToken": op(func(ctx context.Context, c secrets.Caller, r *getSessionTokenRequest) (any, error) {
			if r.SerialNumber != "" || r.TokenCode != "" {
				return nil, errMFA
			}
			var d time.Duration
			if r.DurationSeconds != nil {
				d = time.Duration(*r.DurationSeconds) * time.Second
			}
			out, err := svc.GetSessionToken(ctx, c, d)
			if err != nil {
				return nil, err
			}
			return getSessionTokenResponse{Credentials: credentialsOut(out)}, nil
		}),
	}
}

func credentialsOut(c *sts.Credentials) stsCredentials {
	return stsCredentials{
		AccessKeyId: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: c.Expiration.UTC(),
	}
}
