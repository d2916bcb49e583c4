package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/api/model"
	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// hidden replaces a sensitive value in an audit record, as CloudTrail
// writes it.
const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// record is the audit record of one request, filled in as the request is
// served: who (after authentication), what (after validation), and the
// outcome. Its events go into the store with the request's change (the
// commit hook) or, when the request changed nothing, through the group
// commit writer before the answer is sent.
type record struct {
	ev     *audit.Event
	owner  *audit.Event // the resource owner's copy of a cross-account call
	hook   *audit.Hook
	caller *secrets.Caller
}

type recordKey struct{}

func recordOf(ctx context.Context) *record {
	rec, _ := ctx.Value(recordKey{}).(*record)
	return rec
}

// startRecord begins the audit record of r, and returns r carrying it (and
// its commit hook).
func (s *Server) startRecord(r *http.Request, reqID string, now time.Time) (*http.Request, *record) {
	if s.audit == nil {
		return r, nil
	}
	ev := &audit.Event{
		EventVersion: "1.09", EventTime: now.UTC(), RequestID: reqID, EventID: newRequestID(),
		UserAgent: r.UserAgent(), EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management",
		UserIdentity:      audit.UserIdentity{Type: "Unknown"},
		RequestParameters: json.RawMessage("null"), ResponseElements: json.RawMessage("null"),
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ev.SourceIPAddress = host
	}
	rec := &record{ev: ev}
	// The hook writes what is known when the change commits; the owner's
	// copy, if the call crosses accounts, is known by then too.
	rec.hook = s.audit.HookFunc(rec.hookEvents)
	ctx := context.WithValue(r.Context(), recordKey{}, rec)
	ctx = secrets.WithCommitHook(ctx, rec.hook)
	return r.WithContext(ctx), rec
}

// hookEvents are the events the commit hook writes with a change: none for
// a read, whose bookkeeping writes (LastAccessedDate) are not its change;
// its record goes through the writer once its outcome is known.
func (rec *record) hookEvents() []*audit.Event {
	if rec.ev.ReadOnly || rec.ev.EventName == "" {
		return nil
	}
	return rec.events()
}

// events are the record's events: the caller's, and the owner's copy.
func (rec *record) events() []*audit.Event {
	rec.crossAccount()
	if rec.owner != nil {
		return []*audit.Event{rec.ev, rec.owner}
	}
	return []*audit.Event{rec.ev}
}

// service names the service and operation a request is for.
func (rec *record) service(signingName, op string) {
	if rec == nil {
		return
	}
	rec.ev.EventSource = signingName + ".amazonaws.com"
	rec.ev.EventName = op
	rec.ev.ReadOnly = readOnly(signingName, op)
}

// authenticated records who made the request.
func (rec *record) authenticated(res *auth.Result, c *secrets.Caller) {
	if rec == nil {
		return
	}
	rec.caller = c
	ev := rec.ev
	ev.AWSRegion = res.Region
	ev.RecipientAccountID = c.Account
	id := audit.UserIdentity{ARN: c.Principal, AccountID: c.Account, AccessKeyID: c.AccessKeyID}
	switch {
	case c.Session != nil && c.Session.RoleARN != "":
		id.Type = "AssumedRole"
		id.PrincipalID = c.Session.RoleID + ":" + c.Session.Name
		role := c.Session.RoleARN[strings.LastIndexByte(c.Session.RoleARN, '/')+1:]
		id.SessionContext = &audit.SessionContext{
			SessionIssuer: &audit.SessionIssuer{Type: "Role", PrincipalID: c.Session.RoleID, ARN: c.Session.RoleARN, AccountID: c.Account, UserName: role},
			Attributes:    audit.SessionAttribute{CreationDate: c.Session.Issued, MFAAuthenticated: "false"},
		}
	case c.Root():
		id.Type = "Root"
		id.PrincipalID = c.Account
		if c.Session != nil {
			id.SessionContext = &audit.SessionContext{Attributes: audit.SessionAttribute{CreationDate: c.Session.Issued, MFAAuthenticated: "false"}}
		}
	default:
		id.Type = "IAMUser"
		id.PrincipalID = c.UserID
		id.UserName = c.Principal[strings.LastIndexByte(c.Principal, '/')+1:]
		if c.Session != nil {
			id.SessionContext = &audit.SessionContext{Attributes: audit.SessionAttribute{CreationDate: c.Session.Issued, MFAAuthenticated: "false"}}
		}
	}
	ev.UserIdentity = id
}

// unauthenticated records what an unauthenticated request shows of its
// sender: the access key id of its credential, if any.
func (rec *record) unauthenticated(r *http.Request) {
	if rec == nil {
		return
	}
	if akid, region, _ := credentialScope(r); akid != "" && len(akid) <= 128 {
		rec.ev.UserIdentity.AccessKeyID = akid
		rec.ev.AWSRegion = region
	}
}

// parameters records the validated input, redacted by the service model.
func (rec *record) parameters(m *model.Service, op string, input map[string]any) {
	if rec == nil || input == nil {
		return
	}
	shape, ok := m.Input(op)
	if !ok || shape == nil {
		return
	}
	if b, err := json.Marshal(redact(m, shape, input)); err == nil {
		rec.ev.RequestParameters = b
	}
	rec.resourcesFrom(input)
}

// outcome records how the request ended: the error, or the response's
// identifying elements.
func (rec *record) outcome(resp any, we *wireError) {
	if rec == nil {
		return
	}
	ev := rec.ev
	if we != nil {
		ev.ErrorCode, ev.ErrorMessage = we.Code, we.Message
	} else if resp != nil && ev.ReadOnly {
		// A read's answer may hold a value: only its ARNs are looked at,
		// by reflection, without encoding (and so copying) the value.
		for _, arn := range arnsOf(reflect.ValueOf(resp), 0) {
			rec.addResource(arn)
		}
	} else if resp != nil {
		// responseJSON wipes its encoding, which may hold a secret access
		// key (CreateAccessKey, AssumeRole).
		if v, err := responseJSON(resp); err == nil && v != nil {
			if elems := identifying(v); elems != nil {
				if out, err := json.Marshal(elems); err == nil {
					ev.ResponseElements = out
				}
			}
			rec.resourcesFrom(v)
		}
	}
	rec.crossAccount()
}

// crossAccount adds the resource owner's copy of a call on another
// account's resource, as CloudTrail delivers one to each account.
func (rec *record) crossAccount() {
	ev := rec.ev
	if rec.caller == nil || rec.owner != nil {
		return
	}
	for _, res := range ev.Resources {
		if res.AccountID != "" && res.AccountID != rec.caller.Account {
			ev.SharedEventID = newRequestID()
			cp := *ev
			cp.EventID = newRequestID()
			cp.RecipientAccountID = res.AccountID
			rec.owner = &cp
			return
		}
	}
}

// resourcesFrom records the resources the ARNs in v name.
func (rec *record) resourcesFrom(v any) {
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && strings.HasPrefix(s, "arn:") && isIDKey(k) {
					rec.addResource(s)
				} else {
					walk(e, depth+1)
				}
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
}

func isIDKey(k string) bool {
	switch strings.ToLower(k) {
	case "arn", "secretid", "keyid", "rolearn", "policyarn", "targetkeyid", "destinationkeyid", "sourcekeyid":
		return true
	}
	return false
}

func (rec *record) addResource(arn string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return
	}
	typ := ""
	switch {
	case parts[2] == "secretsmanager" && strings.HasPrefix(parts[5], "secret:"):
		typ = "AWS::SecretsManager::Secret"
	case parts[2] == "kms" && strings.HasPrefix(parts[5], "key/"):
		typ = "AWS::KMS::Key"
	case parts[2] == "kms" && strings.HasPrefix(parts[5], "alias/"):
		typ = "AWS::KMS::Alias"
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "user/"):
		typ = "AWS::IAM::User"
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "role/"):
		typ = "AWS::IAM::Role"
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "group/"):
		typ = "AWS::IAM::Group"
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "policy/"):
		typ = "AWS::IAM::Policy"
	default:
		return
	}
	for _, r := range rec.ev.Resources {
		if r.ARN == arn {
			return
		}
	}
	rec.ev.Resources = append(rec.ev.Resources, audit.Resource{AccountID: parts[4], Type: typ, ARN: arn})
}

// redact copies a validated input for an audit record: keys as CloudTrail
// writes them (lower camel case), every member whose shape the model marks
// sensitive replaced by hidden, unknown members dropped.
func redact(m *model.Service, sh *model.Shape, v any) any {
	if sh == nil {
		return nil
	}
	if sh.Sensitive {
		return hidden
	}
	switch sh.Type {
	case model.Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string]any, len(obj))
		for i := range sh.Members {
			mem := &sh.Members[i]
			val, ok := obj[mem.Key()]
			if !ok {
				continue
			}
			out[lowerCamel(mem.Key())] = redact(m, m.Shape(mem.Shape), val)
		}
		return out
	case model.List:
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		out := make([]any, len(list))
		elem := m.Shape(sh.ListMember)
		for i, e := range list {
			out[i] = redact(m, elem, e)
		}
		return out
	case model.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string]any, len(obj))
		val := m.Shape(sh.MapValue)
		for k, e := range obj {
			out[k] = redact(m, val, e)
		}
		return out
	case model.Blob:
		// Blobs are data (ciphertexts, key material): left out, as
		// CloudTrail leaves them out.
		return nil
	}
	return v
}

// lowerCamel is CloudTrail's spelling of a member name: "SecretId" is
// "secretId", "ARN" is "aRN".
func lowerCamel(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// identifying keeps, of a response, only the members that name what a call
// made or changed (ARNs, names, ids, versions, states), never a value or a
// key: an allowlist, so that a response member no one thought of cannot
// carry a secret into the trail.
func identifying(v any) any {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, e := range obj {
		switch x := e.(type) {
		case string, bool, float64, json.Number:
			if allowedElement[k] {
				out[lowerCamel(k)] = x
			}
		case map[string]any:
			if nestedElement[k] {
				if inner := identifying(x); inner != nil {
					out[lowerCamel(k)] = inner
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var allowedElement = map[string]bool{
	"ARN": true, "Arn": true, "Name": true, "VersionId": true, "KeyId": true, "KeyState": true,
	"UserName": true, "UserId": true, "RoleName": true, "RoleId": true, "GroupName": true, "GroupId": true,
	"PolicyName": true, "PolicyId": true, "PolicyArn": true, "AccessKeyId": true, "Status": true, "Path": true,
	"DeletionDate": true, "AliasName": true, "AliasArn": true, "TargetKeyId": true,
	"AssumedRoleId": true, "DefaultVersionId": true, "IsDefaultVersion": true, "Enabled": true,
	"CreationDate": true, "CreateDate": true, "Expiration": true,
}

var nestedElement = map[string]bool{
	"User": true, "Role": true, "Group": true, "Policy": true, "AccessKey": true, "KeyMetadata": true,
	"AssumedRoleUser": true, "Credentials": true, "PolicyVersion": true,
}

// readOnly is CloudTrail's readOnly: calls that change nothing.
func readOnly(service, op string) bool {
	for _, p := range [...]string{"Get", "Describe", "List", "BatchGet", "Validate"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	if service == "kms" {
		switch op {
		case "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateRandom":
			return true
		}
	}
	return false
}

// finish records a request's outcome (err worded by wire) and makes the
// record durable. Nothing is answered that is not in the trail: when the
// record cannot be written, the answer becomes an internal error.
func (s *Server) finish(ctx context.Context, rec *record, resp any, err error, wire func(error) *wireError) (any, *wireError, error) {
	var we *wireError
	if err != nil {
		we = wire(err)
	}
	rec.outcome(resp, we)
	if aerr := s.commitRecord(ctx, rec); aerr != nil {
		return nil, wire(errInternal), aerr
	}
	return resp, we, err
}

// commitRecord makes the record durable, unless the request's change
// already carried it into the store.
func (s *Server) commitRecord(ctx context.Context, rec *record) error {
	if rec == nil || rec.hook.Written() {
		return nil
	}
	// The request is answered: its own cancellation must not keep its
	// record out of the trail.
	return s.auditW.Append(context.WithoutCancel(ctx), rec.events()...)
}

// arnsOf returns the values of the string fields named ARN or Arn of a
// response struct and of the structs it holds (KeyMetadata, User, …).
func arnsOf(v reflect.Value, depth int) []string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || depth > 2 {
		return nil
	}
	var out []string
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		switch {
		case (f.Name == "ARN" || f.Name == "Arn") && fv.Kind() == reflect.String:
			if s := fv.String(); strings.HasPrefix(s, "arn:") {
				out = append(out, s)
			}
		case fv.Kind() == reflect.Struct || fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct:
			out = append(out, arnsOf(fv, depth+1)...)
		}
	}
	return out
}
