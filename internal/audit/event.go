// Package audit keeps the audit trail: one CloudTrail-shaped event for
// every API request, allowed or denied, authenticated or not, with nothing
// secret in it, chained by HMAC so that editing, removing, reordering or
// truncating events is detected.
package audit

import (
	"encoding/json"
	"time"
)

// Event is one API call in CloudTrail's record shape ("CloudTrail record
// contents" in the AWS CloudTrail User Guide), so that tools that read
// CloudTrail read an export. Field names are CloudTrail's.
type Event struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          time.Time       `json:"eventTime"`
	EventSource        string          `json:"eventSource"` // "secretsmanager.amazonaws.com"
	EventName          string          `json:"eventName"`   // "GetSecretValue"
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"` // redacted; JSON null when none
	ResponseElements   json.RawMessage `json:"responseElements"`  // redacted; JSON null when none
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []Resource      `json:"resources,omitempty"`
	EventType          string          `json:"eventType"` // "AwsApiCall"
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	// SharedEventID links the two copies of a cross-account call: the
	// caller's account's and the resource owner's.
	SharedEventID string `json:"sharedEventID,omitempty"`
	EventCategory string `json:"eventCategory"` // "Management"
}

// UserIdentity is who made the call.
type UserIdentity struct {
	Type           string          `json:"type"` // "Root", "IAMUser", "AssumedRole", "AWSAccount", "Unknown"
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer *SessionIssuer   `json:"sessionIssuer,omitempty"`
	Attributes    SessionAttribute `json:"attributes"`
}

// SessionIssuer is the role (or user) that issued a session.
type SessionIssuer struct {
	Type        string `json:"type"` // "Role"
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttribute holds a session's attributes.
type SessionAttribute struct {
	CreationDate     time.Time `json:"creationDate"`
	MFAAuthenticated string    `json:"mfaAuthenticated"` // "false"
}

// Resource is one resource an event is about.
type Resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"` // "AWS::SecretsManager::Secret", "AWS::KMS::Key", …
	ARN       string `json:"ARN"`
}
