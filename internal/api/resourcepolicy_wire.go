package api

import "github.com/coffer-dev/coffer/internal/secrets"

// Wire types of Secrets Manager's resource-policy operations
// (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy,
// ValidateResourcePolicy). Get and Delete take a secretIDRequest; Put and
// Delete answer a secretRefResponse (ARN and Name).

type putResourcePolicyRequest struct {
	SecretId          string `json:"SecretId"`
	ResourcePolicy    string `json:"ResourcePolicy"`
	BlockPublicPolicy *bool  `json:"BlockPublicPolicy"`
}

type getResourcePolicyResponse struct {
	ARN            string  `json:"ARN"`
	Name           string  `json:"Name"`
	ResourcePolicy *string `json:"ResourcePolicy,omitempty"` // absent when the secret has none
}

func resourcePolicyOut(p *secrets.ResourcePolicyOutput) getResourcePolicyResponse {
	return getResourcePolicyResponse{ARN: p.ARN, Name: p.Name, ResourcePolicy: str(p.ResourcePolicy)}
}

type validateResourcePolicyRequest struct {
	SecretId       string `json:"SecretId"`
	ResourcePolicy string `json:"ResourcePolicy"`
}

type validationErrorEntry struct {
	CheckName    string `json:"CheckName"`
	ErrorMessage string `json:"ErrorMessage"`
}

type validateResourcePolicyResponse struct {
	PolicyValidationPassed bool                   `json:"PolicyValidationPassed"`
	ValidationErrors       []validationErrorEntry `json:"ValidationErrors"` // [] when it passed, as AWS answers
}

func validationOut(v *secrets.PolicyValidation) validateResourcePolicyResponse {
	out := validateResourcePolicyResponse{PolicyValidationPassed: v.Passed, ValidationErrors: make([]validationErrorEntry, 0, len(v.Errors))}
	for _, e := range v.Errors {
		out.ValidationErrors = append(out.ValidationErrors, validationErrorEntry{CheckName: e.Check, ErrorMessage: e.Message})
	}
	return out
}
