package api

import (
	"context"

	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// errDryRun answers a request with DryRun set whose checks all passed. The
// text is the DryRunOperationException documentation in AWS's kms model.
var errDryRun = &wireError{Code: "DryRunOperationException", Status: 400,
	Message: "The request was rejected because the DryRun parameter was specified."}

// kmsOps is the KMS operation table, keyed by the operation name in
// X-Amz-Target (TrentService.<Operation>).
func kmsOps(svc *kms.Service) map[string]handler {
	keyOp := func(fn func(ctx context.Context, c secrets.Caller, keyID string) error) handler {
		return op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			return nil, fn(ctx, c, r.KeyId)
		})
	}
	return map[string]handler{
		"CreateKey": op(func(ctx context.Context, c secrets.Caller, r *createKeyRequest) (any, error) {
			k, err := svc.CreateKey(ctx, c, kms.CreateKeyInput{
				Description: r.Description, KeyUsage: r.KeyUsage, KeySpec: cmpOr(r.KeySpec, r.CustomerMasterKeySpec),
				Origin: r.Origin, Policy: r.Policy, Tags: kmsTagsIn(r.Tags), MultiRegion: r.MultiRegion,
				CustomKeyStore: r.CustomKeyStoreId, BypassLockoutCheck: r.BypassLockoutCheck,
			})
			if err != nil {
				return nil, err
			}
			return keyMetadataResponse{KeyMetadata: keyMetadataOut(k)}, nil
		}),
		"DescribeKey": op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			k, err := svc.DescribeKey(ctx, c, r.KeyId)
			if err != nil {
				return nil, err
			}
			return keyMetadataResponse{KeyMetadata: keyMetadataOut(k)}, nil
		}),
		"UpdateKeyDescription": op(func(ctx context.Context, c secrets.Caller, r *updateKeyDescriptionRequest) (any, error) {
			return nil, svc.UpdateKeyDescription(ctx, c, r.KeyId, r.Description)
		}),
		"ListKeys": op(func(ctx context.Context, c secrets.Caller, r *kmsListRequest) (any, error) {
			keys, p, err := svc.ListKeys(ctx, c, kms.ListInput{Limit: r.Limit, Marker: r.Marker})
			if err != nil {
				return nil, err
			}
			resp := listKeysResponse{Keys: make([]listKeysEntry, len(keys)), NextMarker: str(p.NextMarker), Truncated: p.Truncated}
			for i, k := range keys {
				resp.Keys[i] = listKeysEntry{KeyId: k.ID, KeyArn: k.ARN}
			}
			return resp, nil
		}),
		"EnableKey":  keyOp(svc.EnableKey),
		"DisableKey": keyOp(svc.DisableKey),
		"ScheduleKeyDeletion": op(func(ctx context.Context, c secrets.Caller, r *scheduleKeyDeletionRequest) (any, error) {
			k, days, err := svc.ScheduleKeyDeletion(ctx, c, r.KeyId, r.PendingWindowInDays)
			if err != nil {
				return nil, err
			}
			return scheduleKeyDeletionResponse{KeyId: k.ARN, DeletionDate: at(k.DeletionAt), KeyState: k.State, PendingWindowInDays: days}, nil
		}),
		"CancelKeyDeletion": op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			k, err := svc.CancelKeyDeletion(ctx, c, r.KeyId)
			if err != nil {
				return nil, err
			}
			return keyIDResponse{KeyId: k.ARN}, nil
		}),
		"CreateAlias": op(func(ctx context.Context, c secrets.Caller, r *aliasRequest) (any, error) {
			return nil, svc.CreateAlias(ctx, c, r.AliasName, r.TargetKeyId)
		}),
		"UpdateAlias": op(func(ctx context.Context, c secrets.Caller, r *aliasRequest) (any, error) {
			return nil, svc.UpdateAlias(ctx, c, r.AliasName, r.TargetKeyId)
		}),
		"DeleteAlias": op(func(ctx context.Context, c secrets.Caller, r *aliasRequest) (any, error) {
			return nil, svc.DeleteAlias(ctx, c, r.AliasName)
		}),
		"ListAliases": op(func(ctx context.Context, c secrets.Caller, r *listAliasesRequest) (any, error) {
			as, p, err := svc.ListAliases(ctx, c, r.KeyId, kms.ListInput{Limit: r.Limit, Marker: r.Marker})
			if err != nil {
				return nil, err
			}
			resp := listAliasesResponse{Aliases: make([]aliasListEntry, len(as)), NextMarker: str(p.NextMarker), Truncated: p.Truncated}
			for i, a := range as {
				resp.Aliases[i] = aliasListEntry{AliasName: a.Name, AliasArn: a.ARN, TargetKeyId: str(a.TargetKeyID),
					CreationDate: at(a.CreatedAt), LastUpdatedDate: at(a.CreatedAt)}
			}
			return resp, nil
		}),
		"Encrypt": op(func(ctx context.Context, c secrets.Caller, r *encryptRequest) (any, error) {
			defer clear(r.Plaintext)
			out, err := svc.Encrypt(ctx, c, r.KeyId, r.Plaintext, r.EncryptionContext, r.EncryptionAlgorithm)
			if err != nil {
				return nil, err
			}
			if r.DryRun {
				// Every check passed; a dry run stops before answering.
				return nil, errDryRun
			}
			return encryptResponse{CiphertextBlob: out.CiphertextBlob, KeyId: out.KeyARN, EncryptionAlgorithm: kms.SymmetricDefault}, nil
		}),
		"Decrypt": op(func(ctx context.Context, c secrets.Caller, r *decryptRequest) (any, error) {
			out, err := svc.Decrypt(ctx, c, r.CiphertextBlob, r.EncryptionContext, r.KeyId, r.EncryptionAlgorithm)
			if err != nil {
				return nil, err
			}
			if r.DryRun {
				// Every check passed; a dry run stops before answering.
				clear(out.Plaintext)
				return nil, errDryRun
			}
			return decryptResponse{KeyId: out.KeyARN, Plaintext: out.Plaintext, EncryptionAlgorithm: kms.SymmetricDefault, KeyMaterialId: out.MaterialID}, nil
		}),
		"ReEncrypt": op(func(ctx context.Context, c secrets.Caller, r *reEncryptRequest) (any, error) {
			out, err := svc.ReEncrypt(ctx, c, kms.ReEncryptInput{
				CiphertextBlob: r.CiphertextBlob, SourceEncryptionContext: r.SourceEncryptionContext, SourceKeyID: r.SourceKeyId,
				DestinationKeyID: r.DestinationKeyId, DestinationEncryptionContext: r.DestinationEncryptionContext,
				SourceAlgorithm: r.SourceEncryptionAlgorithm, DestinationAlgorithm: r.DestinationEncryptionAlgorithm,
			})
			if err != nil {
				return nil, err
			}
			if r.DryRun {
				// Every check passed; a dry run stops before answering.
				return nil, errDryRun
			}
			return reEncryptResponse{CiphertextBlob: out.CiphertextBlob, SourceKeyId: out.SourceKeyARN, KeyId: out.KeyARN,
				SourceEncryptionAlgorithm: kms.SymmetricDefault, DestinationEncryptionAlgorithm: kms.SymmetricDefault,
				SourceKeyMaterialId: out.SourceMaterialID, DestinationKeyMaterialId: out.DestinationMaterialID}, nil
		}),
		"GenerateDataKey": op(func(ctx context.Context, c secrets.Caller, r *generateDataKeyRequest) (any, error) {
			out, err := svc.GenerateDataKey(ctx, c, kms.DataKeyInput{KeyID: r.KeyId, KeySpec: r.KeySpec, NumberOfBytes: r.NumberOfBytes, Context: r.EncryptionContext})
			if err != nil {
				return nil, err
			}
			if r.DryRun {
				// Every check passed; a dry run stops before answering.
				clear(out.Plaintext)
				return nil, errDryRun
			}
			return generateDataKeyResponse{CiphertextBlob: out.CiphertextBlob, Plaintext: out.Plaintext, KeyId: out.KeyARN, KeyMaterialId: out.MaterialID}, nil
		}),
		"GenerateDataKeyWithoutPlaintext": op(func(ctx context.Context, c secrets.Caller, r *generateDataKeyRequest) (any, error) {
			out, err := svc.GenerateDataKeyWithoutPlaintext(ctx, c, kms.DataKeyInput{KeyID: r.KeyId, KeySpec: r.KeySpec, NumberOfBytes: r.NumberOfBytes, Context: r.EncryptionContext})
			if err != nil {
				return nil, err
			}
			if r.DryRun {
				// Every check passed; a dry run stops before answering.
				return nil, errDryRun
			}
			return generateDataKeyResponse{CiphertextBlob: out.CiphertextBlob, KeyId: out.KeyARN, KeyMaterialId: out.MaterialID}, nil
		}),
		"GenerateRandom": op(func(ctx context.Context, c secrets.Caller, r *generateRandomRequest) (any, error) {
			b, err := svc.GenerateRandom(ctx, c, r.NumberOfBytes, r.CustomKeyStoreId)
			if err != nil {
				return nil, err
			}
			return generateRandomResponse{Plaintext: b}, nil
		}),
		"EnableKeyRotation": op(func(ctx context.Context, c secrets.Caller, r *enableKeyRotationRequest) (any, error) {
			return nil, svc.EnableKeyRotation(ctx, c, r.KeyId, r.RotationPeriodInDays)
		}),
		"DisableKeyRotation": keyOp(svc.DisableKeyRotation),
		"GetKeyRotationStatus": op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			st, err := svc.GetKeyRotationStatus(ctx, c, r.KeyId)
			if err != nil {
				return nil, err
			}
			resp := keyRotationStatusResponse{KeyRotationEnabled: st.Enabled, KeyId: st.KeyARN, NextRotationDate: at(st.NextRotation)}
			if st.Enabled {
				resp.RotationPeriodInDays = &st.PeriodDays
			}
			return resp, nil
		}),
		"RotateKeyOnDemand": op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			k, err := svc.RotateKeyOnDemand(ctx, c, r.KeyId)
			if err != nil {
				return nil, err
			}
			return keyIDResponse{KeyId: k.ARN}, nil
		}),
		"ListKeyRotations": op(func(ctx context.Context, c secrets.Caller, r *listKeyRotationsRequest) (any, error) {
			all := r.IncludeKeyMaterial == "ALL_KEY_MATERIAL"
			ms, keyARN, p, err := svc.ListKeyRotations(ctx, c, r.KeyId, all, kms.ListInput{Limit: r.Limit, Marker: r.Marker})
			if err != nil {
				return nil, err
			}
			resp := listKeyRotationsResponse{Rotations: make([]rotationEntry, len(ms)), NextMarker: str(p.NextMarker), Truncated: p.Truncated}
			for i, m := range ms {
				e := rotationEntry{KeyId: keyARN, KeyMaterialId: m.ID, KeyMaterialState: "NON_CURRENT"}
				if m.Current {
					e.KeyMaterialState = "CURRENT"
				}
				if m.Rotation != nil {
					e.RotationDate, e.RotationType = at(m.Rotation.At), "AUTOMATIC"
					if m.Rotation.OnDemand {
						e.RotationType = "ON_DEMAND"
					}
				}
				resp.Rotations[i] = e
			}
			return resp, nil
		}),
		"TagResource": op(func(ctx context.Context, c secrets.Caller, r *kmsTagResourceRequest) (any, error) {
			return nil, svc.TagResource(ctx, c, r.KeyId, kmsTagsIn(r.Tags))
		}),
		"UntagResource": op(func(ctx context.Context, c secrets.Caller, r *kmsUntagResourceRequest) (any, error) {
			return nil, svc.UntagResource(ctx, c, r.KeyId, r.TagKeys)
		}),
		"ListResourceTags": op(func(ctx context.Context, c secrets.Caller, r *listResourceTagsRequest) (any, error) {
			tags, p, err := svc.ListResourceTags(ctx, c, r.KeyId, kms.ListInput{Limit: r.Limit, Marker: r.Marker})
			if err != nil {
				return nil, err
			}
			resp := listResourceTagsResponse{Tags: make([]kmsTag, len(tags)), NextMarker: str(p.NextMarker), Truncated: p.Truncated}
			for i, t := range tags {
				resp.Tags[i] = kmsTag{TagKey: t.Key, TagValue: t.Value}
			}
			return resp, nil
		}),
		"GetKeyPolicy": op(func(ctx context.Context, c secrets.Caller, r *keyPolicyRequest) (any, error) {
			p, err := svc.GetKeyPolicy(ctx, c, r.KeyId, r.PolicyName)
			if err != nil {
				return nil, err
			}
			return getKeyPolicyResponse{Policy: p, PolicyName: kms.DefaultPolicyName}, nil
		}),
		"PutKeyPolicy": op(func(ctx context.Context, c secrets.Caller, r *keyPolicyRequest) (any, error) {
			return nil, svc.PutKeyPolicy(ctx, c, r.KeyId, r.PolicyName, r.Policy, r.BypassLockoutCheck)
		}),
		"ListKeyPolicies": op(func(ctx context.Context, c secrets.Caller, r *kmsKeyIDRequest) (any, error) {
			names, err := svc.ListKeyPolicies(ctx, c, r.KeyId)
			if err != nil {
				return nil, err
			}
			return listKeyPoliciesResponse{PolicyNames: names}, nil
		}),
	}
}
