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
// operation decodes, so that what it reads is what was validated.
func validate(modelName, opName string, body []byte) ([]byte, error) {
	input := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, errSerialization
		}
		if dec.More() {
			return nil, errSerialization
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errSerialization
		}
		input = m
	}
	svc := models[modelName]
	if err := model.Validate(svc, opName, input); err != nil {
		return nil, err
	}
	canonical, changed, err := model.Canonical(svc, opName, input)
	if err != nil {
		return nil, err
	}
	if !changed {
		return body, nil
	}
	return json.Marshal(canonical)
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
// a JSON body, and returns its canonical JSON.
func validateQuery(svc *model.Service, opName string, input map[string]any) ([]byte, error) {
	if input == nil {
		input = map[string]any{}
	}
	if err := model.Validate(svc, opName, input); err != nil {
		return nil, err
	}
	canonical, _, err := model.Canonical(svc, opName, input)
	if err != nil {
		return nil, err
	}
	return json.Marshal(canonical)
}
