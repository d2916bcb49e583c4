package api

import (
	"strconv"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Wire types of the Secrets Manager API. Field names are AWS's; they live in
// this package only.

// epoch is a timestamp as AWS JSON 1.1 sends it: seconds since the epoch,
// with milliseconds as a fraction.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// at returns a pointer to t as an epoch, or nil for the zero time, so that
// an unset time is left out of a response.
func at(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

func tagsIn(ts []tag) []secrets.Tag {
	out := make([]secrets.Tag, 0, len(ts))
	for _, t := range ts {
		var st secrets.Tag
		if t.Key != nil {
			st.Key = *t.Key
		}
		if t.Value != nil {
			st.Value = *t.Value
		}
		out = append(out, st)
	}
	return out
}

func tagsOut(ts []secrets.Tag) []tag {
	if ts == nil {
		return nil
	}
	out := make([]tag, len(ts))
	for i := range ts {
		out[i] = tag{Key: &ts[i].Key, Value: &ts[i].Value}
	}
	return out
}

type filter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

func filtersIn(fs []filter) []secrets.Filter {
	out := make([]secrets.Filter, len(fs))
	for i, f := range fs {
		out[i] = secrets.Filter{Key: f.Key, Values: f.Values}
	}
	return out
}

// maxValueBytes is the largest secret value, in bytes (AWS's quota).
const maxValueBytes = 65536

// value turns SecretString/SecretBinary into a domain Value; both given is
// an error, neither gives nil.
func value(str *string, bin []byte) (*secrets.Value, error) {
	switch {
	case str != nil && bin != nil:
		return nil, &wireError{Code: "InvalidParameterException", Status: 400,
			// Emulators' text; no AWS capture found.
			Message: "You can't specify both a binary secret value and a string secret value in the same secret."}
	case str != nil && len(*str) > maxValueBytes:
		// The model bounds SecretString in characters (UTF-16 units, as
		// Java counts); the quota is 65,536 bytes, so multi-byte text can
		// pass the first and break the second. Answered as the model's own
		// length violation, without the value.
		return nil, &wireError{Code: "ValidationException", Status: 400,
			Message: "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"}
	case str != nil:
		return &secrets.Value{Bytes: []byte(*str)}, nil
	case bin != nil:
		return &secrets.Value{Bytes: bin, Binary: true}, nil
	}
	return nil, nil
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type createSecretRequest struct {
	Name               string  `json:"Name"`
	ClientRequestToken string  `json:"ClientRequestToken"`
	Description        *string `json:"Description"`
	KmsKeyId           string  `json:"KmsKeyId"`
	SecretBinary       []byte  `json:"SecretBinary"`
	SecretString       *string `json:"SecretString"`
	Tags               []tag   `json:"Tags"`
	AddReplicaRegions  []struct {
		Region   string `json:"Region"`
		KmsKeyId string `json:"KmsKeyId"`
	} `json:"AddReplicaRegions"`
	ForceOverwriteReplicaSecret bool `json:"ForceOverwriteReplicaSecret"`
}

type secretRefResponse struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

func refOut(r *secrets.SecretRef) secretRefResponse {
	return secretRefResponse{ARN: r.ARN, Name: r.Name, VersionId: str(r.VersionID)}
}

type getSecretValueRequest struct {
	SecretId     string `json:"SecretId"`
	VersionId    string `json:"VersionId"`
	VersionStage string `json:"VersionStage"`
}

type secretValueResponse struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	SecretString  *string  `json:"SecretString,omitempty"`
	VersionStages []string `json:"VersionStages"`
	CreatedDate   *epoch   `json:"CreatedDate,omitempty"`
}

func secretValueOut(v *secrets.SecretValue) secretValueResponse {
	out := secretValueResponse{
		ARN: v.ARN, Name: v.Name, VersionId: v.VersionID,
		VersionStages: v.Stages, CreatedDate: at(v.CreatedAt),
	}
	if out.VersionStages == nil {
		out.VersionStages = []string{}
	}
	if v.Value.Binary {
		out.SecretBinary = v.Value.Bytes
	} else {
		s := string(v.Value.Bytes)
		out.SecretString = &s
	}
	return out
}

type putSecretValueRequest struct {
	SecretId           string   `json:"SecretId"`
	ClientRequestToken string   `json:"ClientRequestToken"`
	SecretBinary       []byte   `json:"SecretBinary"`
	SecretString       *string  `json:"SecretString"`
	VersionStages      []string `json:"VersionStages"`
	RotationToken      string   `json:"RotationToken"`
}

type putSecretValueResponse struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	VersionStages []string `json:"VersionStages"`
}

type updateSecretRequest struct {
	SecretId           string  `json:"SecretId"`
	ClientRequestToken string  `json:"ClientRequestToken"`
	Description        *string `json:"Description"`
	KmsKeyId           *string `json:"KmsKeyId"`
	SecretBinary       []byte  `json:"SecretBinary"`
	SecretString       *string `json:"SecretString"`
}

type secretIDRequest struct {
	SecretId string `json:"SecretId"`
}

type describeSecretResponse struct {
	ARN                string              `json:"ARN"`
	Name               string              `json:"Name"`
	Description        *string             `json:"Description,omitempty"`
	KmsKeyId           *string             `json:"KmsKeyId,omitempty"`
	LastChangedDate    *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate   *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate        *epoch              `json:"DeletedDate,omitempty"`
	Tags               []tag               `json:"Tags,omitzero"` // nil: never tagged; empty: all tags removed
	VersionIdsToStages map[string][]string `json:"VersionIdsToStages,omitempty"`
	OwningService      *string             `json:"OwningService,omitempty"`
	CreatedDate        *epoch              `json:"CreatedDate,omitempty"`
}

func describeOut(d *secrets.Description) describeSecretResponse {
	out := describeSecretResponse{
		ARN: d.ARN, Name: d.Name, Description: str(d.Description), KmsKeyId: str(d.KMSKeyID),
		LastChangedDate: at(d.LastChangedAt), LastAccessedDate: at(d.LastAccessedAt),
		DeletedDate: at(d.DeletedAt), Tags: tagsOut(d.Tags), OwningService: str(d.OwningService),
		CreatedDate: at(d.CreatedAt),
	}
	if len(d.VersionStages) > 0 {
		out.VersionIdsToStages = d.VersionStages
	}
	return out
}

type listSecretsRequest struct {
	IncludePlannedDeletion bool     `json:"IncludePlannedDeletion"`
	MaxResults             int      `json:"MaxResults"`
	NextToken              string   `json:"NextToken"`
	Filters                []filter `json:"Filters"`
	SortOrder              string   `json:"SortOrder"`
	SortBy                 string   `json:"SortBy"`
}

type secretListEntry struct {
	ARN                    string              `json:"ARN"`
	Name                   string              `json:"Name"`
	Description            *string             `json:"Description,omitempty"`
	KmsKeyId               *string             `json:"KmsKeyId,omitempty"`
	LastChangedDate        *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epoch              `json:"DeletedDate,omitempty"`
	Tags                   []tag               `json:"Tags,omitzero"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	OwningService          *string             `json:"OwningService,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
}

type listSecretsResponse struct {
	SecretList []secretListEntry `json:"SecretList"`
	NextToken  *string           `json:"NextToken,omitempty"`
}

type listVersionsRequest struct {
	SecretId          string `json:"SecretId"`
	MaxResults        int    `json:"MaxResults"`
	NextToken         string `json:"NextToken"`
	IncludeDeprecated bool   `json:"IncludeDeprecated"`
}

type versionEntry struct {
	VersionId        string   `json:"VersionId"`
	VersionStages    []string `json:"VersionStages,omitempty"`
	LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
	KmsKeyIds        []string `json:"KmsKeyIds,omitempty"`
}

type listVersionsResponse struct {
	Versions  []versionEntry `json:"Versions"`
	NextToken *string        `json:"NextToken,omitempty"`
	ARN       string         `json:"ARN"`
	Name      string         `json:"Name"`
}

type updateStageRequest struct {
	SecretId            string `json:"SecretId"`
	VersionStage        string `json:"VersionStage"`
	RemoveFromVersionId string `json:"RemoveFromVersionId"`
	MoveToVersionId     string `json:"MoveToVersionId"`
}

type deleteSecretRequest struct {
	SecretId                   string `json:"SecretId"`
	RecoveryWindowInDays       *int64 `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery *bool  `json:"ForceDeleteWithoutRecovery"`
}

type deleteSecretResponse struct {
	ARN          string `json:"ARN"`
	Name         string `json:"Name"`
	DeletionDate *epoch `json:"DeletionDate,omitempty"`
}

type tagResourceRequest struct {
	SecretId string `json:"SecretId"`
	Tags     []tag  `json:"Tags"`
}

type untagResourceRequest struct {
	SecretId string   `json:"SecretId"`
	TagKeys  []string `json:"TagKeys"`
}

type getRandomPasswordRequest struct {
	PasswordLength          *int64 `json:"PasswordLength"`
	ExcludeCharacters       string `json:"ExcludeCharacters"`
	ExcludeNumbers          *bool  `json:"ExcludeNumbers"`
	ExcludePunctuation      *bool  `json:"ExcludePunctuation"`
	ExcludeUppercase        *bool  `json:"ExcludeUppercase"`
	ExcludeLowercase        *bool  `json:"ExcludeLowercase"`
	IncludeSpace            *bool  `json:"IncludeSpace"`
	RequireEachIncludedType *bool  `json:"RequireEachIncludedType"`
}

type getRandomPasswordResponse struct {
	RandomPassword string `json:"RandomPassword"`
}

type batchGetRequest struct {
	SecretIdList []string `json:"SecretIdList"`
	Filters      []filter `json:"Filters"`
	MaxResults   int      `json:"MaxResults"`
	NextToken    string   `json:"NextToken"`
}

type apiErrorEntry struct {
	SecretId  string `json:"SecretId"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

type batchGetResponse struct {
	SecretValues []secretValueResponse `json:"SecretValues"`
	NextToken    *string               `json:"NextToken,omitempty"`
	Errors       []apiErrorEntry       `json:"Errors"`
}
