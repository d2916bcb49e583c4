package api

import (
	"context"
	"encoding/json"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// handler runs one operation on a request body that has passed validation.
// A nil response with a nil error is an empty 200 body.
type handler func(ctx context.Context, c secrets.Caller, body []byte) (any, error)

// op wraps a typed operation as a handler.
func op[Req any](fn func(ctx context.Context, c secrets.Caller, req *Req) (any, error)) handler {
	return func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
		var req Req
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req); err != nil {
				return nil, errSerialization
			}
		}
		return fn(ctx, c, &req)
	}
}

// secretsManagerOps is the Secrets Manager operation table, keyed by the
// operation name in X-Amz-Target.
func secretsManagerOps(svc *secrets.Service) map[string]handler {
	return map[string]handler{
		"CreateSecret": op(func(ctx context.Context, c secrets.Caller, r *createSecretRequest) (any, error) {
			v, err := value(r.SecretString, r.SecretBinary)
			if err != nil {
				return nil, err
			}
			if len(r.AddReplicaRegions) > 0 {
				return nil, errReplication
			}
			ref, err := svc.CreateSecret(ctx, c, secrets.CreateSecretInput{
				Name: r.Name, Description: r.Description, KMSKeyID: r.KmsKeyId,
				Token: r.ClientRequestToken, Value: v, Tags: tagsIn(r.Tags),
			})
			if err != nil {
				return nil, err
			}
			return refOut(ref), nil
		}),
		"GetSecretValue": op(func(ctx context.Context, c secrets.Caller, r *getSecretValueRequest) (any, error) {
			v, err := svc.GetSecretValue(ctx, c, secrets.GetSecretValueInput{SecretID: r.SecretId, VersionID: r.VersionId, Stage: r.VersionStage})
			if err != nil {
				return nil, err
			}
			return secretValueOut(v), nil
		}),
		"PutSecretValue": op(func(ctx context.Context, c secrets.Caller, r *putSecretValueRequest) (any, error) {
			v, err := value(r.SecretString, r.SecretBinary)
			if err != nil {
				return nil, err
			}
			out, err := svc.PutSecretValue(ctx, c, secrets.PutSecretValueInput{
				SecretID: r.SecretId, Token: r.ClientRequestToken, Value: v, Stages: r.VersionStages, RotationToken: r.RotationToken,
			})
			if err != nil {
				return nil, err
			}
			return putSecretValueResponse{ARN: out.ARN, Name: out.Name, VersionId: out.VersionID, VersionStages: out.Stages}, nil
		}),
		"UpdateSecret": op(func(ctx context.Context, c secrets.Caller, r *updateSecretRequest) (any, error) {
			v, err := value(r.SecretString, r.SecretBinary)
			if err != nil {
				return nil, err
			}
			ref, err := svc.UpdateSecret(ctx, c, secrets.UpdateSecretInput{
				SecretID: r.SecretId, Token: r.ClientRequestToken, Description: r.Description, KMSKeyID: r.KmsKeyId, Value: v,
			})
			if err != nil {
				return nil, err
			}
			return refOut(ref), nil
		}),
		"DescribeSecret": op(func(ctx context.Context, c secrets.Caller, r *secretIDRequest) (any, error) {
			d, err := svc.DescribeSecret(ctx, c, r.SecretId)
			if err != nil {
				return nil, err
			}
			return describeOut(d), nil
		}),
		"ListSecrets": op(func(ctx context.Context, c secrets.Caller, r *listSecretsRequest) (any, error) {
			out, err := svc.ListSecrets(ctx, c, secrets.ListSecretsInput{
				Filters: filtersIn(r.Filters), IncludePlannedDeletion: r.IncludePlannedDeletion,
				SortBy: r.SortBy, SortOrder: r.SortOrder, MaxResults: r.MaxResults, NextToken: r.NextToken,
			})
			if err != nil {
				return nil, err
			}
			resp := listSecretsResponse{SecretList: make([]secretListEntry, 0, len(out.Secrets)), NextToken: str(out.NextToken)}
			for _, s := range out.Secrets {
				d := describeOut(&secrets.Description{Secret: s.Secret, VersionStages: s.VersionStages})
				resp.SecretList = append(resp.SecretList, secretListEntry{
					ARN: d.ARN, Name: d.Name, Description: d.Description, KmsKeyId: d.KmsKeyId,
					LastChangedDate: d.LastChangedDate, LastAccessedDate: d.LastAccessedDate, DeletedDate: d.DeletedDate,
					Tags: d.Tags, SecretVersionsToStages: d.VersionIdsToStages, OwningService: d.OwningService, CreatedDate: d.CreatedDate,
				})
			}
			return resp, nil
		}),
		"ListSecretVersionIds": op(func(ctx context.Context, c secrets.Caller, r *listVersionsRequest) (any, error) {
			out, err := svc.ListSecretVersionIds(ctx, c, secrets.ListVersionsInput{
				SecretID: r.SecretId, IncludeDeprecated: r.IncludeDeprecated, MaxResults: r.MaxResults, NextToken: r.NextToken,
			})
			if err != nil {
				return nil, err
			}
			resp := listVersionsResponse{ARN: out.ARN, Name: out.Name, NextToken: str(out.NextToken), Versions: make([]versionEntry, 0, len(out.Versions))}
			for _, v := range out.Versions {
				resp.Versions = append(resp.Versions, versionEntry{
					VersionId: v.ID, VersionStages: v.Stages, LastAccessedDate: at(v.LastAccessedAt),
					CreatedDate: at(v.CreatedAt), KmsKeyIds: kmsKeyIDs(out.KMSKeyID),
				})
			}
			return resp, nil
		}),
		"UpdateSecretVersionStage": op(func(ctx context.Context, c secrets.Caller, r *updateStageRequest) (any, error) {
			ref, err := svc.UpdateSecretVersionStage(ctx, c, secrets.UpdateSecretVersionStageInput{
				SecretID: r.SecretId, Stage: r.VersionStage, MoveTo: r.MoveToVersionId, RemoveFrom: r.RemoveFromVersionId,
			})
			if err != nil {
				return nil, err
			}
			return secretRefResponse{ARN: ref.ARN, Name: ref.Name}, nil
		}),
		"DeleteSecret": op(func(ctx context.Context, c secrets.Caller, r *deleteSecretRequest) (any, error) {
			out, err := svc.DeleteSecret(ctx, c, secrets.DeleteSecretInput{
				SecretID: r.SecretId, RecoveryWindowDays: r.RecoveryWindowInDays, Force: r.ForceDeleteWithoutRecovery,
			})
			if err != nil {
				return nil, err
			}
			return deleteSecretResponse{ARN: out.ARN, Name: out.Name, DeletionDate: at(out.DeletionDate)}, nil
		}),
		"RestoreSecret": op(func(ctx context.Context, c secrets.Caller, r *secretIDRequest) (any, error) {
			ref, err := svc.RestoreSecret(ctx, c, r.SecretId)
			if err != nil {
				return nil, err
			}
			return secretRefResponse{ARN: ref.ARN, Name: ref.Name}, nil
		}),
		"TagResource": op(func(ctx context.Context, c secrets.Caller, r *tagResourceRequest) (any, error) {
			return nil, svc.TagResource(ctx, c, r.SecretId, tagsIn(r.Tags))
		}),
		"UntagResource": op(func(ctx context.Context, c secrets.Caller, r *untagResourceRequest) (any, error) {
			return nil, svc.UntagResource(ctx, c, r.SecretId, r.TagKeys)
		}),
		"PutResourcePolicy": op(func(ctx context.Context, c secrets.Caller, r *putResourcePolicyRequest) (any, error) {
			ref, err := svc.PutResourcePolicy(ctx, c, secrets.PutResourcePolicyInput{
				SecretID: r.SecretId, ResourcePolicy: r.ResourcePolicy, BlockPublicPolicy: r.BlockPublicPolicy != nil && *r.BlockPublicPolicy,
			})
			if err != nil {
				return nil, err
			}
			return secretRefResponse{ARN: ref.ARN, Name: ref.Name}, nil
		}),
		"GetResourcePolicy": op(func(ctx context.Context, c secrets.Caller, r *secretIDRequest) (any, error) {
			p, err := svc.GetResourcePolicy(ctx, c, r.SecretId)
			if err != nil {
				return nil, err
			}
			return resourcePolicyOut(p), nil
		}),
		"DeleteResourcePolicy": op(func(ctx context.Context, c secrets.Caller, r *secretIDRequest) (any, error) {
			ref, err := svc.DeleteResourcePolicy(ctx, c, r.SecretId)
			if err != nil {
				return nil, err
			}
			return secretRefResponse{ARN: ref.ARN, Name: ref.Name}, nil
		}),
		"ValidateResourcePolicy": op(func(ctx context.Context, c secrets.Caller, r *validateResourcePolicyRequest) (any, error) {
			v, err := svc.ValidateResourcePolicy(ctx, c, secrets.ValidateResourcePolicyInput{SecretID: r.SecretId, ResourcePolicy: r.ResourcePolicy})
			if err != nil {
				return nil, err
			}
			return validationOut(v), nil
		}),
		"GetRandomPassword": op(func(ctx context.Context, c secrets.Caller, r *getRandomPasswordRequest) (any, error) {
			spec := secrets.DefaultPasswordSpec()
			if r.PasswordLength != nil {
				spec.Length = int(*r.PasswordLength)
			}
			spec.ExcludeCharacters = r.ExcludeCharacters
			setBool(&spec.ExcludeNumbers, r.ExcludeNumbers)
			setBool(&spec.ExcludePunctuation, r.ExcludePunctuation)
			setBool(&spec.ExcludeUppercase, r.ExcludeUppercase)
			setBool(&spec.ExcludeLowercase, r.ExcludeLowercase)
			setBool(&spec.IncludeSpace, r.IncludeSpace)
			setBool(&spec.RequireEachIncludedType, r.RequireEachIncludedType)
			pw, err := svc.GetRandomPassword(ctx, c, spec)
			if err != nil {
				return nil, err
			}
			return getRandomPasswordResponse{RandomPassword: pw}, nil
		}),
		"BatchGetSecretValue": op(func(ctx context.Context, c secrets.Caller, r *batchGetRequest) (any, error) {
			out, err := svc.BatchGetSecretValue(ctx, c, secrets.BatchGetInput{
				SecretIDs: r.SecretIdList, Filters: filtersIn(r.Filters), HasFilters: r.Filters != nil,
				MaxResults: r.MaxResults, NextToken: r.NextToken,
			})
			if err != nil {
				return nil, err
			}
			resp := batchGetResponse{SecretValues: make([]secretValueResponse, 0, len(out.Values)), Errors: make([]apiErrorEntry, 0, len(out.Errors)), NextToken: str(out.NextToken)}
			for _, v := range out.Values {
				resp.SecretValues = append(resp.SecretValues, secretValueOut(v))
			}
			for _, e := range out.Errors {
				w := toWire(e.Err)
				resp.Errors = append(resp.Errors, apiErrorEntry{SecretId: e.SecretID, ErrorCode: w.Code, Message: w.Message})
			}
			return resp, nil
		}),
	}
}

// errReplication answers a request to replicate a secret to other regions,
// which Coffer does not do: every region is served by the same server.
var errReplication = &wireError{Code: "InvalidRequestException", Status: 400,
	Message: "Coffer does not replicate secrets to other Regions: every Region is served by the same server."}

// kmsKeyIDs is ListSecretVersionIds' KmsKeyIds for a secret's key: AWS shows
// "DefaultEncryptionKey" for the AWS-managed key (localstack snapshots
// recorded against AWS).
func kmsKeyIDs(keyID string) []string {
	if keyID == "" {
		return []string{"DefaultEncryptionKey"}
	}
	return []string{keyID}
}

func setBool(dst *bool, src *bool) {
	if src != nil {
		*dst = *src
	}
}
