package model

import (
	"encoding/json"
	"fmt"
)

// Canonical returns the input of an operation as AWS reads it, for input
// that Validate accepted: only the members the model names, matched by
// exact key (AWS's JSON reader is case-sensitive, so "secretstring" is not
// SecretString but an unknown member, and ignored); no null members or
// list elements; integers truncated as AWS truncates them (1.5 is 1).
//
// Decoding the canonical form with encoding/json, which matches keys
// without regard to case, then yields exactly the values Validate checked.
// changed reports whether it differs from input; when it does not, the
// request body itself can be decoded.
func Canonical(svc *Service, operation string, input map[string]any) (canonical map[string]any, changed bool, err error) {
	shape, ok := svc.Input(operation)
	if !ok {
		return nil, false, fmt.Errorf("%w %s.%s", ErrUnknownOperation, svc.name, operation)
	}
	if shape == nil {
		return map[string]any{}, len(input) > 0, nil
	}
	c := &canonicalizer{svc: svc}
	out := c.structure(shape, input)
	return out, c.changed, nil
}

type canonicalizer struct {
	svc     *Service
	changed bool
}

func (c *canonicalizer) structure(s *Shape, obj map[string]any) map[string]any {
	out := make(map[string]any, len(s.Members))
	for i := range s.Members {
		m := &s.Members[i]
		v, ok := obj[m.Key()]
		if !ok || v == nil {
			continue
		}
		out[m.Key()] = c.value(c.svc.shapes[m.Shape], v)
	}
	if len(out) != len(obj) {
		c.changed = true // unknown, case-folded or null members dropped
	}
	return out
}

func (c *canonicalizer) value(s *Shape, v any) any {
	switch s.Type {
	case Structure:
		if obj, ok := v.(map[string]any); ok {
			return c.structure(s, obj)
		}
	case List:
		if list, ok := v.([]any); ok {
			elem := c.svc.shapes[s.ListMember]
			out := make([]any, 0, len(list))
			for _, e := range withoutNulls(list) {
				out = append(out, c.value(elem, e))
			}
			if len(out) != len(list) {
				c.changed = true
			}
			return out
		}
	case Map:
		if obj, ok := v.(map[string]any); ok {
			val := c.svc.shapes[s.MapValue]
			out := make(map[string]any, len(obj))
			for k, e := range obj {
				if e != nil {
					out[k] = c.value(val, e)
				} else {
					c.changed = true
				}
			}
			return out
		}
	case Integer, Long:
		if num, ok := number(v); ok {
			i, _ := truncate(num).Int(nil)
			n := json.Number(i.String())
			if n != v {
				c.changed = true
			}
			return n
		}
	}
	return v
}
