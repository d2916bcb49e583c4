package api

import (
	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Wire types of the KMS API (TrentService). Blobs are []byte: encoding/json
// reads and writes them as standard base64, as AWS JSON 1.1 sends blobs.

type kmsKeyIDRequest struct {
	KeyId string `json:"KeyId"`
}

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

func kmsTagsIn(ts []kmsTag) []secrets.Tag {
	out := make([]secrets.Tag, len(ts))
	for i, t := range ts {
		out[i] = secrets.Tag{Key: t.TagKey, Value: t.TagValue}
	}
	return out
}

type createKeyRequest struct {
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeySpec               string   `json:"KeySpec"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	Origin                string   `json:"Origin"`
	Policy                string   `json:"Policy"`
	Tags                  []kmsTag `json:"Tags"`
	MultiRegion           bool     `json:"MultiRegion"`
	CustomKeyStoreId      string   `json:"CustomKeyStoreId"`
	BypassLockoutCheck    bool     `json:"BypassPolicyLockoutSafetyCheck"`
}

type keyMetadata struct {
	AWSAccountId          string   `json:"AWSAccountId"`
	KeyId                 string   `json:"KeyId"`
	Arn                   string   `json:"Arn"`
	CreationDate          *epoch   `json:"CreationDate"`
	Enabled               bool     `json:"Enabled"`
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeyState              string   `json:"KeyState"`
	DeletionDate          *epoch   `json:"DeletionDate,omitempty"`
	Origin                string   `json:"Origin"`
	KeyManager            string   `json:"KeyManager"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	KeySpec               string   `json:"KeySpec"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms"`
	MultiRegion           bool     `json:"MultiRegion"`
	CurrentKeyMaterialId  string   `json:"CurrentKeyMaterialId,omitempty"`
}

type keyMetadataResponse struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

// keyMetadataOut is DescribeKey's KeyMetadata for a symmetric key, with
// every field AWS sends for one (localstack snapshot test_create_key,
// recorded against AWS).
func keyMetadataOut(k *secrets.KMSKey) keyMetadata {
	return keyMetadata{
		AWSAccountId: k.Account, KeyId: k.ID, Arn: k.ARN, CreationDate: at(k.CreatedAt),
		Enabled: k.State == kms.StateEnabled, Description: k.Description,
		KeyUsage: cmpOr(k.KeyUsage, "ENCRYPT_DECRYPT"), KeyState: k.State, DeletionDate: at(k.DeletionAt),
		Origin: cmpOr(k.Origin, "AWS_KMS"), KeyManager: cmpOr(k.Manager, kms.ManagerCustomer),
		CustomerMasterKeySpec: cmpOr(k.KeySpec, kms.SymmetricDefault), KeySpec: cmpOr(k.KeySpec, kms.SymmetricDefault),
		EncryptionAlgorithms: []string{kms.SymmetricDefault}, MultiRegion: false,
		CurrentKeyMaterialId: currentMaterial(k),
	}
}

// currentMaterial is the KeyMaterialId of the material that encrypts: the
// model sends it for symmetric keys of AWS_KMS origin.
func currentMaterial(k *secrets.KMSKey) string {
	if len(k.Material) == 0 {
		return ""
	}
	return kms.MaterialID(k.ARN, len(k.Material)-1)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type updateKeyDescriptionRequest struct {
	KeyId       string `json:"KeyId"`
	Description string `json:"Description"`
}

type kmsListRequest struct {
	Limit  int    `json:"Limit"`
	Marker string `json:"Marker"`
}

type listKeysEntry struct {
	KeyId  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listKeysResponse struct {
	Keys       []listKeysEntry `json:"Keys"`
	NextMarker *string         `json:"NextMarker,omitempty"`
	Truncated  bool            `json:"Truncated"`
}

type scheduleKeyDeletionRequest struct {
	KeyId               string `json:"KeyId"`
	PendingWindowInDays int    `json:"PendingWindowInDays"`
}

type scheduleKeyDeletionResponse struct {
	KeyId               string `json:"KeyId"`
	DeletionDate        *epoch `json:"DeletionDate,omitempty"`
	KeyState            string `json:"KeyState"`
	PendingWindowInDays int    `json:"PendingWindowInDays"`
}

type keyIDResponse struct {
	KeyId string `json:"KeyId"`
}

type aliasRequest struct {
	AliasName   string `json:"AliasName"`
	TargetKeyId string `json:"TargetKeyId"`
}

type listAliasesRequest struct {
	KeyId  string `json:"KeyId"`
	Limit  int    `json:"Limit"`
	Marker string `json:"Marker"`
}

type aliasListEntry struct {
	AliasName       string  `json:"AliasName"`
	AliasArn        string  `json:"AliasArn"`
	TargetKeyId     *string `json:"TargetKeyId,omitempty"`
	CreationDate    *epoch  `json:"CreationDate,omitempty"`
	LastUpdatedDate *epoch  `json:"LastUpdatedDate,omitempty"`
}

type listAliasesResponse struct {
	Aliases    []aliasListEntry `json:"Aliases"`
	NextMarker *string          `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

type encryptRequest struct {
	KeyId               string            `json:"KeyId"`
	Plaintext           []byte            `json:"Plaintext"`
	EncryptionContext   map[string]string `json:"EncryptionContext"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	DryRun              bool              `json:"DryRun"`
}

type encryptResponse struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyId               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

type decryptRequest struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob"`
	EncryptionContext   map[string]string `json:"EncryptionContext"`
	KeyId               string            `json:"KeyId"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	DryRun              bool              `json:"DryRun"`
}

type decryptResponse struct {
	KeyId               string `json:"KeyId"`
	Plaintext           []byte `json:"Plaintext"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
	KeyMaterialId       string `json:"KeyMaterialId,omitempty"`
}

type reEncryptRequest struct {
	CiphertextBlob                 []byte            `json:"CiphertextBlob"`
	SourceEncryptionContext        map[string]string `json:"SourceEncryptionContext"`
	SourceKeyId                    string            `json:"SourceKeyId"`
	DestinationKeyId               string            `json:"DestinationKeyId"`
	DestinationEncryptionContext   map[string]string `json:"DestinationEncryptionContext"`
	SourceEncryptionAlgorithm      string            `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm string            `json:"DestinationEncryptionAlgorithm"`
	DryRun                         bool              `json:"DryRun"`
}

type reEncryptResponse struct {
	CiphertextBlob                 []byte `json:"CiphertextBlob"`
	SourceKeyId                    string `json:"SourceKeyId"`
	KeyId                          string `json:"KeyId"`
	SourceEncryptionAlgorithm      string `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm string `json:"DestinationEncryptionAlgorithm"`
	SourceKeyMaterialId            string `json:"SourceKeyMaterialId,omitempty"`
	DestinationKeyMaterialId       string `json:"DestinationKeyMaterialId,omitempty"`
}

type generateDataKeyRequest struct {
	KeyId             string            `json:"KeyId"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	NumberOfBytes     int               `json:"NumberOfBytes"`
	KeySpec           string            `json:"KeySpec"`
	DryRun            bool              `json:"DryRun"`
}

type generateDataKeyResponse struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext,omitempty"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId,omitempty"`
}

type generateRandomRequest struct {
	NumberOfBytes    int    `json:"NumberOfBytes"`
	CustomKeyStoreId string `json:"CustomKeyStoreId"`
}

type generateRandomResponse struct {
	Plaintext []byte `json:"Plaintext"`
}

type enableKeyRotationRequest struct {
	KeyId                string `json:"KeyId"`
	RotationPeriodInDays int    `json:"RotationPeriodInDays"`
}

type keyRotationStatusResponse struct {
	KeyRotationEnabled   bool   `json:"KeyRotationEnabled"`
	KeyId                string `json:"KeyId"`
	RotationPeriodInDays *int   `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate     *epoch `json:"NextRotationDate,omitempty"`
}

type listKeyRotationsRequest struct {
	KeyId              string `json:"KeyId"`
	Limit              int    `json:"Limit"`
	Marker             string `json:"Marker"`
	IncludeKeyMaterial string `json:"IncludeKeyMaterial"`
}

type rotationEntry struct {
	KeyId            string `json:"KeyId"`
	KeyMaterialId    string `json:"KeyMaterialId"`
	KeyMaterialState string `json:"KeyMaterialState"`
	// Absent for the key's first material (IncludeKeyMaterial ALL_KEY_MATERIAL).
	RotationDate *epoch `json:"RotationDate,omitempty"`
	RotationType string `json:"RotationType,omitempty"`
}

type listKeyRotationsResponse struct {
	Rotations  []rotationEntry `json:"Rotations"`
	NextMarker *string         `json:"NextMarker,omitempty"`
	Truncated  bool            `json:"Truncated"`
}

type kmsTagResourceRequest struct {
	KeyId string   `json:"KeyId"`
	Tags  []kmsTag `json:"Tags"`
}

type kmsUntagResourceRequest struct {
	KeyId   string   `json:"KeyId"`
	TagKeys []string `json:"TagKeys"`
}

type listResourceTagsRequest struct {
	KeyId  string `json:"KeyId"`
	Limit  int    `json:"Limit"`
	Marker string `json:"Marker"`
}

type listResourceTagsResponse struct {
	Tags       []kmsTag `json:"Tags"`
	NextMarker *string  `json:"NextMarker,omitempty"`
	Truncated  bool     `json:"Truncated"`
}

type keyPolicyRequest struct {
	KeyId              string `json:"KeyId"`
	PolicyName         string `json:"PolicyName"`
	Policy             string `json:"Policy"`
	BypassLockoutCheck bool   `json:"BypassPolicyLockoutSafetyCheck"`
}

type getKeyPolicyResponse struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

type listKeyPoliciesResponse struct {
	PolicyNames []string `json:"PolicyNames"`
	Truncated   bool     `json:"Truncated"`
}
