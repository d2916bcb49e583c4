package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/coffer-dev/coffer/internal/api/model"
)

// models are the service models input is validated against, by name.
var models = map[string]*model.Service{
	"secretsmanager": model.SecretsManager(),
	"kms":            model.KMS(),
	"iam":            model.IAM(),
	"sts":            model.STS(),
}

// validate checks a request body against the operation's input shape in
// the service model, as AWS does before it runs an operation, and returns
// the body in its canonical form (see model.Canonical): the one the
// operation decodes, so that what it reads is what was validated; and the
// canonical input itself, decoded (for the audit record).
func validate(modelName, opName string, body []byte) ([]byte, map[string]any, error) {
	input := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, errSerialization
		}
		if dec.More() {
			return nil, nil, errSerialization
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil, errSerialization
		}
		input = m
	}
	svc := models[modelName]
	if err := model.Validate(svc, opName, input); err != nil {
		return nil, nil, err
	}
	canonical, changed, err := model.Canonical(svc, opName, input)
	if err != nil {
		return nil, nil, err
	}
	if !changed {
		return body, canonical, nil
	}
	b, err := json.Marshal(canonical)
	return b, canonical, err
}

// fromModel turns the model's validation and serialization errors into
// wire errors.
func fromModel(err error) *wireError {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return &wireError{Code: "ValidationException", Message: ve.Error(), Status: http.StatusBadRequest}
	}
	var se *model.SerializationError
	if errors.As(err, &se) {
		return &wireError{Code: "SerializationException", Message: se.Error(), Status: http.StatusBadRequest}
	}
	return nil
}

// validateQuery checks the input of a query-protocol operation, read from
// its form into the JSON form (nil means none), exactly as validate checks
// a JSON body, and returns its canonical JSON and the canonical input.
func validateQuery(svc *model.Service, opName string, input map[string]any) ([]byte, map[string]any, error) {
	if input == nil {
		input = map[string]any{}
	}
	if err := model.Validate(svc, opName, input); err != nil {
		return nil, nil, err
	}
	canonical, _, err := model.Canonical(svc, opName, input)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.Marshal(canonical)
	return b, canonical, err
}
