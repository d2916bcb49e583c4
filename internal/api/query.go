package api

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/coffer-dev/coffer/internal/api/model"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// The AWS query protocol, as IAM and STS speak it (botocore's "query"
// protocol). A request is a form, in a POST body with Content-Type
// application/x-www-form-urlencoded (or, for a GET such as a presigned STS
// GetCallerIdentity, in the URL): Action names the operation, Version the
// API version, and the other parameters the input, flattened
// ("Tags.member.1.Key=k"; see decodeForm). It has no X-Amz-Target: the
// service is the one its SigV4 credential scope names. The handler gets
// the input in the same canonical JSON form as a JSON-protocol handler, and
// its response is written as XML by the operation's output shape (see
// xmlEncoder); errors are an XML ErrorResponse (writeQueryError).

// Query-protocol errors that are not a domain Kind's. InvalidAction,
// MissingAction, MalformedQueryString and InvalidParameterValue are codes of
// the Common Errors that the IAM and STS API References list, with their
// statuses (MalformedQueryString is 404 there).
var (
	// No Action parameter. The message is the Common Errors description;
	// no response from AWS was found to quote.
	errMissingAction = &wireError{Code: "MissingAction", Message: "The request is missing an action or a required parameter.", Status: http.StatusBadRequest}
	// A body that is not a form.
	errMalformedQuery = &wireError{Code: "MalformedQueryString", Message: "The query string contains a syntax error.", Status: http.StatusNotFound}
	// The body could not be read.
	errQueryReadBody = &wireError{Code: "MalformedQueryString", Message: "Could not read the request body.", Status: http.StatusNotFound}
	// A body over MaxBodyBytes. No AWS capture was found; 413, as on the
	// JSON services.
	errQueryTooLarge = &wireError{Code: "RequestEntityTooLarge", Message: "Request body is larger than the limit.", Status: http.StatusRequestEntityTooLarge}
)

// errInvalidAction is the answer to an Action the service does not have, or
// a Version it does not speak: "Could not find operation GetSendStatistics
// for version 2012-12-01", code InvalidAction, Type Sender (aws/aws-cli#37
// quotes the ErrorResponse of SES, a query service); 400, as the Common
// Errors list it.
func errInvalidAction(action, version string) *wireError {
	return &wireError{Code: "InvalidAction", Message: "Could not find operation " + action + " for version " + version, Status: http.StatusBadRequest}
}

// queryAuthCodes translates the auth package's failures, which carry the
// JSON protocol's codes, into what IAM and STS send. A row without a
// message keeps the verifier's.
//
//   - MissingAuthenticationToken, "Request is missing Authentication Token",
//     403: STS's ErrorResponse quoted in amzn/selling-partner-api-docs#3081.
//   - InvalidClientTokenId, "The security token included in the request is
//     invalid.", 403: sts:GetCallerIdentity with an unknown key in
//     hashicorp/terraform-provider-aws#24197 and #13695 ("status code:
//     403"); aws-azure-login/aws-azure-login#251 quotes the whole STS
//     ErrorResponse, for a rejected session token, without the final period.
//   - SignatureDoesNotMatch, 403: STS sends it for a signature that does not
//     match (devsecops/bootcamp#118, AssumeRole), for clock skew ("Signature
//     expired: ...", aws/aws-cli#6676, GetCallerIdentity) and for a bad
//     credential scope ("Credential should be scoped to a valid region",
//     cognitect-labs/aws-api#27): every case the verifier reports as
//     InvalidSignatureException.
//   - IncompleteSignature, 400: STS GetCallerIdentity in
//     jenkinsci/aws-credentials-plugin#72 ("'...' not a valid key=value pair
//     (missing equal-sign) in Authorization header"); the status is the
//     Common Errors'.
//   - ExpiredToken, "The security token included in the request is
//     expired", 403 (cfn-sphere/cfn-sphere#55, IAM; aws/aws-sdk-java-v2#1649,
//     STS).
var queryAuthCodes = map[string]wireError{
	"MissingAuthenticationTokenException": {Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", Status: http.StatusForbidden},
	"UnrecognizedClientException":         {Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden},
	"InvalidSignatureException":           {Code: "SignatureDoesNotMatch", Status: http.StatusForbidden},
	"IncompleteSignatureException":        {Code: "IncompleteSignature", Status: http.StatusBadRequest},
	"ExpiredTokenException":               {Code: "ExpiredToken", Message: "The security token included in the request is expired", Status: http.StatusForbidden},
}

// jsonToQuery maps the JSON protocol's own errors that the shared code
// returns to their query-protocol forms.
var jsonToQuery = map[*wireError]*wireError{
	errTooLarge: errQueryTooLarge,
	errReadBody: errQueryReadBody,
}

// queryWire turns any error into what a query-protocol service whose table
// is t sends. It is codeTable.toWire with the query protocol's codes for
// authentication, validation and protocol errors.
func (t codeTable) queryWire(err error) *wireError {
	internal := func() *wireError {
		w := t[secrets.Internal]
		w.Message = errInternal.Message
		return &w
	}
	var we *wireError
	if errors.As(err, &we) {
		if we == errInternal {
			return internal()
		}
		if q, ok := jsonToQuery[we]; ok {
			return q
		}
		return we
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		w, ok := queryAuthCodes[ae.Code]
		if !ok {
			return &wireError{Code: ae.Code, Message: ae.Message, Status: ae.Status}
		}
		if w.Message == "" {
			w.Message = ae.Message
		}
		return &w
	}
	// AWS's IAM and STS validation messages have the JSON services' format
	// under the code ValidationError (NixOS/nixops#328, IAM CreateRole).
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return &wireError{Code: "ValidationError", Message: ve.Error(), Status: http.StatusBadRequest}
	}
	var se *model.SerializationError
	if errors.As(err, &se) {
		return &wireError{Code: "InvalidParameterValue", Message: se.Error(), Status: http.StatusBadRequest}
	}
	kind := secrets.KindOf(err)
	w, ok := t[kind]
	if !ok || kind == secrets.Internal {
		return internal()
	}
	w.Message = secrets.MessageOf(err)
	return &w
}

// queryService returns the query-protocol service r is for, and whether r
// is a query-protocol request at all. A request with X-Amz-Target is not.
// One whose credential scope names a query service is, when it is a form or
// a GET. One that is a form without a readable credential scope is too, for
// some query service, which serveQuery chooses by its Action (nil here):
// its answer, an authentication failure, is then an XML ErrorResponse its
// client can read. Anything else is not, and is served as today.
func (s *Server) queryService(r *http.Request) (svc *service, ok bool) {
	if len(s.query) == 0 || r.Header.Get("X-Amz-Target") != "" {
		return nil, false
	}
	form := isForm(r)
	if name := scopeService(r); name != "" {
		svc = s.query[name]
		return svc, svc != nil && (form || r.Method == http.MethodGet)
	}
	return nil, form
}

// isForm reports whether r's body is a form.
func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// scopeService returns the service of r's SigV4 credential scope
// (Credential=AKID/date/region/SERVICE/aws4_request in the Authorization
// header, or the X-Amz-Credential query parameter), or "". It only routes
// the request: Verify checks the scope.
func scopeService(r *http.Request) string {
	_, _, service := credentialScope(r)
	return service
}

// credentialScope reads, without checking anything, the access key id,
// region and service of a request's credential scope, or empty strings.
func credentialScope(r *http.Request) (akid, region, service string) {
	var cred string
	if authz := r.Header.Get("Authorization"); authz != "" {
		for _, f := range strings.FieldsFunc(authz, func(c rune) bool { return c == ',' || unicode.IsSpace(c) }) {
			if v, ok := strings.CutPrefix(f, "Credential="); ok {
				cred = v
				break
			}
		}
	} else if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		cred = q.Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimRight(cred, "/"), "/")
	if len(parts) != 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

// serveQueryHTTP serves one query-protocol request; svc is nil when the
// request's credential scope does not name the service.
func (s *Server) serveQueryHTTP(w http.ResponseWriter, r *http.Request, svc *service, reqID string, start time.Time, rec *record) {
	opName, svc, resp, err := s.serveQuerySafely(r, svc, reqID)
	m := models[svc.model]
	resp, we, err := s.finish(r.Context(), rec, resp, err, svc.codes.queryWire)
	if err != nil {
		s.log(r.Context(), reqID, opName, we, err, start)
		s.metrics.observe(opName, we.Code, time.Since(start))
		writeQueryError(w, m.XMLNamespace(), we, reqID)
		return
	}
	var buf bytes.Buffer
	if err := writeQueryResponse(&buf, m, opName, resp, reqID); err != nil {
		clear(buf.Bytes())
		s.logger.Error("encode response", "request_id", reqID, "operation", opName, "err", err)
		we := svc.codes.queryWire(errInternal)
		s.metrics.observe(opName, we.Code, time.Since(start))
		writeQueryError(w, m.XMLNamespace(), we, reqID)
		return
	}
	s.log(r.Context(), reqID, opName, nil, nil, start)
	s.metrics.observe(opName, "", time.Since(start))
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	// Wipe this copy: a response may hold a secret access key.
	clear(buf.Bytes())
}

// serveQuerySafely is serveQuery with a panic turned into an internal
// error, logged as serveSafely logs it. It returns the service that
// answered, which serveQuery chooses when svc is nil.
func (s *Server) serveQuerySafely(r *http.Request, svc *service, reqID string) (opName string, answered *service, resp any, err error) {
	opName = "unknown"
	answered = svc
	defer func() {
		if p := recover(); p != nil {
			s.logger.Error("panic serving request", "request_id", reqID, "operation", opName,
				"panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
			resp, err = nil, errInternal
		}
		if answered == nil {
			answered = s.queryFallback("")
		}
	}()
	resp, err = s.serveQuery(r, &answered, &opName)
	return opName, answered, resp, err
}

// queryFallback returns the query service that has the operation action,
// or else the first by signing name. It chooses the namespace and error
// table of an answer when the credential scope named no service: the answer
// can only be an authentication failure.
func (s *Server) queryFallback(action string) *service {
	names := make([]string, 0, len(s.query))
	for name := range s.query {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, ok := models[s.query[name].model].Input(action); ok {
			return s.query[name]
		}
	}
	return s.query[names[0]]
}

// serveQuery authenticates, decodes, validates and runs one query-protocol
// request. It sets *svc when it was nil, and *opName once the operation is
// known.
func (s *Server) serveQuery(r *http.Request, svc **service, opName *string) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	defer clear(body) // best effort: the form's strings remain until collected
	params, formErr := queryParams(r, body)
	if *svc == nil {
		*svc = s.queryFallback(firstValue(params, "Action"))
	}
	rec := recordOf(r.Context())
	rec.service((*svc).signingName, firstValue(params, "Action"))
	// Authenticate before anything about the request is answered.
	res, err := s.verifier.Verify(r, body, (*svc).signingName)
	if err != nil {
		rec.unauthenticated(r)
		return nil, err
	}
	if (*svc).signingName == "iam" && res.Identity.Session != nil && res.Identity.Session.RoleARN == "" {
		// GetSessionToken credentials cannot call IAM without MFA, and
		// Coffer has no MFA: IAM answers InvalidClientTokenId
		// (aws/aws-sdk-js#460, cloudyr/aws.iam#15), as for a bad token.
		return nil, &wireError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden}
	}
	if formErr != nil {
		return nil, formErr
	}
	action, version := firstValue(params, "Action"), firstValue(params, "Version")
	if action == "" {
		return nil, errMissingAction
	}
	m := models[(*svc).model]
	h, ok := (*svc).ops[action]
	if !ok || version != m.APIVersion() || r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, errInvalidAction(action, version)
	}
	*opName = action
	in, _ := m.Input(action)
	var input map[string]any
	if in != nil {
		if input, err = (formDecoder{shape: m.Shape}).input(in, params); err != nil {
			return nil, err
		}
	}
	c, err := s.caller(r, res)
	if err != nil {
		return nil, err
	}
	rec.authenticated(res, &c)
	canonical, validated, err := validateQuery(m, action, input)
	if err != nil {
		return nil, err
	}
	defer clear(canonical) // best effort, as above
	rec.parameters(m, action, validated)
	return h(r.Context(), c, canonical)
}

// queryParams returns a request's parameters: those of the URL other than
// SigV4's own (X-Amz-*), and those of a form body, which win when both have
// one. A body that is not a valid form is errMalformedQuery, returned with
// what could be read.
func queryParams(r *http.Request, body []byte) (url.Values, error) {
	var formErr error
	params := url.Values{}
	if isForm(r) && len(body) > 0 {
		params, formErr = url.ParseQuery(string(body))
		if formErr != nil {
			formErr = errMalformedQuery
		}
	}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil && formErr == nil {
			formErr = errMalformedQuery
		}
		for k, v := range q {
			if len(k) >= 6 && strings.EqualFold(k[:6], "X-Amz-") {
				continue
			}
			if _, ok := params[k]; !ok {
				params[k] = v
			}
		}
	}
	return params, formErr
}

// firstValue returns the first value of a parameter: a parameter given
// twice is read as its first occurrence.
func firstValue(params url.Values, key string) string {
	if v := params[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// caller is callerOf, completed by Options.Prepare.
func (s *Server) caller(r *http.Request, res *auth.Result) (secrets.Caller, error) {
	c := callerOf(r, res)
	if s.prepare != nil {
		if err := s.prepare(r.Context(), &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// callerOf is who a verified request comes from, and over what: the
// client's address (aws:SourceIp) and whether it used TLS
// (aws:SecureTransport).
func callerOf(r *http.Request, res *auth.Result) secrets.Caller {
	c := secrets.Caller{
		Account: res.Identity.Account, Region: res.Region, Principal: res.Identity.Principal,
		AccessKeyID: res.Identity.AccessKeyID, Session: res.Identity.Session,
		SecureTransport: r.TLS != nil,
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.SourceIP = host
	}
	return c
}

// writeQueryError writes an error as IAM and STS do: an ErrorResponse with
// Type Sender for a client error and Receiver for a fault, laid out as
// AWS lays it out (aws-azure-login/aws-azure-login#251 quotes STS's body
// byte for byte), with Content-Type text/xml and no X-Amzn-ErrorType.
func writeQueryError(w http.ResponseWriter, namespace string, we *wireError, reqID string) {
	typ := "Sender"
	if we.Status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse xmlns="`)
	escapeXML(&b, namespace)
	b.WriteString("\">\n  <Error>\n    <Type>" + typ + "</Type>\n    <Code>")
	escapeXML(&b, we.Code)
	b.WriteString("</Code>\n")
	if we.Message != "" {
		b.WriteString("    <Message>")
		escapeXML(&b, we.Message)
		b.WriteString("</Message>\n")
	}
	b.WriteString("  </Error>\n  <RequestId>")
	escapeXML(&b, reqID)
	b.WriteString("</RequestId>\n</ErrorResponse>\n")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(we.Status)
	w.Write(b.Bytes())
}

// queryServices returns the query-protocol services o asks for, by signing
// name, each with its model and error table.
func queryServices(o Options) map[string]*service {
	var iamTable, stsTable map[string]handler
	if o.IAM != nil {
		iamTable = iamOps(o.IAM)
	}
	if o.STS != nil {
		stsTable = stsOps(o.STS)
	}
	return queryTables(iamTable, stsTable)
}

// queryTables are the query-protocol services with these operation
// tables; a nil table means the service is absent.
func queryTables(iamTable, stsTable map[string]handler) map[string]*service {
	out := map[string]*service{}
	if iamTable != nil {
		out["iam"] = &service{signingName: "iam", model: "iam", codes: iamCodes, ops: iamTable}
	}
	if stsTable != nil {
		out["sts"] = &service{signingName: "sts", model: "sts", codes: stsCodes, ops: stsTable}
	}
	return out
}
