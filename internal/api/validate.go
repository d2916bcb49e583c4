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
}

// validate checks a request body against the operation's input shape in
// the service model, as AWS does before it runs an operation.
func validate(modelName, opName string, body []byte) error {
	input := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return errSerialization
		}
		if dec.More() {
			return errSerialization
		}
		m, ok := v.(map[string]any)
		if !ok {
			return errSerialization
		}
		input = m
	}
	return model.Validate(models[modelName], opName, input)
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
