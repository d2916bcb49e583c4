// Package api serves the AWS JSON 1.1 protocol: it routes X-Amz-Target to
// operations, authenticates every request with SigV4, validates input
// against the service model, and writes responses and errors as AWS does.
// On the same endpoint it serves the AWS query protocol of IAM and STS
// (query.go), routed by the credential scope's service.
// Wire names live here and nowhere else.
package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/sts"
)

// MaxBodyBytes is the largest request body accepted. The largest legal
// request is a CreateSecret with a 65,536-character SecretString in which
// every character is JSON-escaped as \uXXXX (393,216 bytes), a
// 2,048-character description and 50 tags, also escaped: about 530,000
// bytes. One MiB admits it with room to spare.
const MaxBodyBytes = 1 << 20

// Server is the API's HTTP handler.
type Server struct {
	verifier *auth.Verifier
	logger   *slog.Logger
	metrics  *Metrics
	services map[string]*service // by X-Amz-Target prefix
	query    map[string]*service // query-protocol services, by SigV4 signing name
	prepare  func(ctx context.Context, c *secrets.Caller) error
	audit    *audit.Log    // nil: no audit trail (tests, benchmarks)
	auditW   *audit.Writer // group commit of events without a change
}

// service is one AWS service served on the endpoint.
type service struct {
	signingName string // the service in the SigV4 credential scope
	model       string // the service model that validates its input
	codes       codeTable
	ops         map[string]handler
}

// Options configures a Server.
type Options struct {
	Secrets  *secrets.Service
	KMS      *kms.Service // nil means no KMS API
	Verifier *auth.Verifier
	Logger   *slog.Logger // nil means slog.Default()
	Metrics  *Metrics     // nil means no metrics

	// Audit and AuditWriter, when set, record every request in the audit
	// trail: with its change when it makes one (in the same transaction),
	// else through AuditWriter, before it is answered. A request whose
	// event cannot be written is answered with an internal error.
	Audit       *audit.Log
	AuditWriter *audit.Writer

	// Prepare, when set, completes the caller of every authenticated
	// request before its operation runs, outside any store transaction
	// (access.Authorizer.Prepare loads the identity's policies).
	Prepare func(ctx context.Context, c *secrets.Caller) error

	// IAM and STS, when set, serve those services' operations in the AWS
	// query protocol on the same endpoint, by Action. A query handler gets
	// the input as canonical JSON with the model's member names as keys,
	// as a JSON-protocol handler does; its response is marshaled to JSON
	// and written as XML by the operation's output shape, so its JSON names
	// must be the output shape's member names (see xmlEncoder for how
	// lists, maps and timestamps must look). Its errors go through the
	// service's code table (iamCodes, stsCodes).
	IAM *iam.Service
	STS *sts.Service
}

// New returns a Server.
func New(o Options) *Server {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{
		verifier: o.Verifier,
		logger:   logger,
		metrics:  o.Metrics,
		services: map[string]*service{
			"secretsmanager": {signingName: "secretsmanager", model: "secretsmanager", codes: codes, ops: secretsManagerOps(o.Secrets)},
		},
		query:   queryServices(o),
		prepare: o.Prepare,
		audit:   o.Audit,
		auditW:  o.AuditWriter,
	}
	if o.KMS != nil {
		s.services["TrentService"] = &service{signingName: "kms", model: "kms", codes: kmsCodes, ops: kmsOps(o.KMS)}
	}
	return s
}

// Handler returns the server's routes: the API at /, and the only paths
// that need no signature, /healthz and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	if s.metrics != nil {
		mux.Handle("GET /metrics", s.metrics.Handler())
	}
	mux.Handle("/", s)
	return mux
}

// ServeHTTP serves one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	w.Header().Set("X-Amzn-RequestId", reqID)
	r, rec := s.startRecord(r, reqID, start)
	if svc, ok := s.queryService(r); ok {
		s.serveQueryHTTP(w, r, svc, reqID, start, rec)
		return
	}
	opName, resp, err := s.serveSafely(r, reqID)
	table := codes
	if svc := s.services[targetPrefix(r)]; svc != nil {
		table = svc.codes
	}
	resp, we, err := s.finish(r.Context(), rec, resp, err, table.toWire)
	if err != nil {
		s.log(r.Context(), reqID, opName, we, err, start)
		s.metrics.observe(opName, we.Code, time.Since(start))
		writeError(w, we)
		return
	}
	s.log(r.Context(), reqID, opName, nil, nil, start)
	s.metrics.observe(opName, "", time.Since(start))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if resp == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		s.logger.Error("encode response", "request_id", reqID, "operation", opName, "err", err)
		writeError(w, errInternal)
		return
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	// Wipe this copy of a response that may hold a secret value. It is a
	// best effort: the decoded strings it was built from stay on the heap
	// until collected; Go gives no way to wipe those.
	clear(buf.Bytes())
}

// serveSafely is serve with a panic turned into an internal error. The
// panic's value is not logged: it could hold request data. Its stack is,
// with the request id: a stack shows only machine words of arguments.
func (s *Server) serveSafely(r *http.Request, reqID string) (opName string, resp any, err error) {
	opName = "unknown"
	defer func() {
		if p := recover(); p != nil {
			s.logger.Error("panic serving request", "request_id", reqID, "operation", opName,
				"panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
			resp, err = nil, errInternal
		}
	}()
	resp, err = s.serve(r, &opName)
	return opName, resp, err
}

// serve authenticates, validates and runs one request. It sets *opName, the
// operation's name for logs and metrics, once the target is known.
func (s *Server) serve(r *http.Request, opName *string) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	defer clear(body) // best effort, as for the response: other copies remain until collected
	prefix, name, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	svc := s.services[prefix]
	signingName := "secretsmanager"
	if svc != nil {
		signingName = svc.signingName
	}
	rec := recordOf(r.Context())
	rec.service(signingName, name)
	// Authenticate before anything about the request is answered.
	res, err := s.verifier.Verify(r, body, signingName)
	if err != nil {
		rec.unauthenticated(r)
		return nil, err
	}
	if r.Method != http.MethodPost || svc == nil {
		return nil, errUnknownOperation
	}
	h, ok := svc.ops[name]
	if !ok {
		return nil, errUnknownOperation
	}
	*opName = name
	c, err := s.caller(r, res)
	if err != nil {
		return nil, err
	}
	rec.authenticated(res, &c)
	input, params, err := validate(svc.model, name, body)
	if err != nil {
		return nil, err
	}
	defer clear(input) // best effort, as above
	rec.parameters(models[svc.model], name, params)
	return h(r.Context(), c, input)
}

// targetPrefix is the service part of a request's X-Amz-Target.
func targetPrefix(r *http.Request) string {
	prefix, _, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	return prefix
}

func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, errReadBody
	}
	if len(body) > MaxBodyBytes {
		return nil, errTooLarge
	}
	return body, nil
}

// writeError writes an error as AWS JSON services do: the code in
// X-Amzn-ErrorType and __type, the message in Message.
func writeError(w http.ResponseWriter, we *wireError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", we.Code)
	body := map[string]string{"__type": we.Code}
	if we.Message != "" {
		body["Message"] = we.Message
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(we.Status)
	w.Write(b)
}

// log writes one line per request. It names the operation, the outcome and
// the internal cause of a server error; never a request body or a value.
func (s *Server) log(ctx context.Context, reqID, opName string, we *wireError, cause error, start time.Time) {
	if we == nil && !s.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", reqID),
		slog.String("operation", opName),
		slog.Duration("duration", time.Since(start)),
	}
	switch {
	case we == nil:
		s.logger.LogAttrs(ctx, slog.LevelDebug, "request", attrs...)
	case we.Status >= 500:
		attrs = append(attrs, slog.String("error_code", we.Code), slog.String("cause", cause.Error()))
		s.logger.LogAttrs(ctx, slog.LevelError, "request failed", attrs...)
	default:
		attrs = append(attrs, slog.String("error_code", we.Code))
		s.logger.LogAttrs(ctx, slog.LevelInfo, "request refused", attrs...)
	}
}

// newRequestID returns a random id in UUID form, as AWS's request ids are.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// fromOther translates errors of the packages this one calls into wire
// errors: SigV4 failures and input validation failures.
func fromOther(err error) *wireError {
	var ae *auth.Error
	if errors.As(err, &ae) {
		return &wireError{Code: ae.Code, Message: ae.Message, Status: ae.Status}
	}
	return fromModel(err)
}
