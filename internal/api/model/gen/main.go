// Command gen writes the shape tables of one AWS service into package model,
// from the botocore service model installed with Python.
//
// It is run by go generate (see ../doc.go):
//
//	go run ./gen -service kms/2014-11-01
//
// The output holds only what validation needs: types, required members,
// member targets, list and map targets, length and range bounds, patterns
// (the Java source and its RE2 translation), enum values and the sensitive
// flag. For a service of the AWS query protocol (IAM, STS) it also holds what
// reading a form and writing an XML response need: the protocol, the XML
// namespace, each operation's output shape and result wrapper, the shapes
// outputs reach (without constraints: nothing validates them), and the
// serialization names (locationName of members, list members, map keys and
// values, and the flattened flag). It holds no documentation text from the
// model. The output depends only on the model file, so running it twice gives
// the same bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// defaultBotocore is where Python 3.11's botocore keeps its service models on
// the project's machines.
const defaultBotocore = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data"

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	botocore := fs.String("botocore", defaultBotocore, "botocore data directory")
	service := fs.String("service", "secretsmanager/2017-10-17", "service model, as NAME/API-VERSION under -botocore")
	in := fs.String("in", "", "service-2.json.gz to read (overrides -botocore and -service)")
	out := fs.String("out", "", "file to write (default zz_NAME_shapes.go)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := *in
	if path == "" {
		path = filepath.Join(*botocore, *service, "service-2.json.gz")
	}
	raw, err := readModel(path)
	if err != nil {
		return err
	}
	m, err := parseModel(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	src, err := generate(m, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *out == "" {
		*out = "zz_" + m.Metadata.EndpointPrefix + "_shapes.go"
	}
	return os.WriteFile(*out, src, 0o644)
}

func readModel(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	return io.ReadAll(r)
}

// model is the part of a botocore service-2.json the generator reads.
type model struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
		Protocol       string `json:"protocol"`
		ServiceID      string `json:"serviceId"`
		TargetPrefix   string `json:"targetPrefix"`
		JSONVersion    string `json:"jsonVersion"`
		XMLNamespace   string `json:"xmlNamespace"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  *ref `json:"input"`
		Output *ref `json:"output"`
	} `json:"operations"`
	Shapes map[string]*shape `json:"shapes"`
}

type ref struct {
	Shape         string `json:"shape"`
	LocationName  string `json:"locationName"`
	JSONName      string `json:"jsonName"`
	ResultWrapper string `json:"resultWrapper"` // an operation's output only

	// Serialization traits a member reference may carry in query and XML
	// models. None of the supported models uses them on a reference; the
	// generator refuses them rather than guess their effect.
	Flattened    bool            `json:"flattened"`
	XMLAttribute bool            `json:"xmlAttribute"`
	XMLNamespace json.RawMessage `json:"xmlNamespace"`
}

type shape struct {
	Type      string       `json:"type"`
	Required  []string     `json:"required"`
	Members   members      `json:"members"`
	Member    *ref         `json:"member"`
	Key       *ref         `json:"key"`
	Value     *ref         `json:"value"`
	Min       *json.Number `json:"min"`
	Max       *json.Number `json:"max"`
	Pattern   *string      `json:"pattern"`
	Enum      []string     `json:"enum"`
	Sensitive bool         `json:"sensitive"`
	Union     bool         `json:"union"`
	Document  bool         `json:"document"`
	Flattened bool         `json:"flattened"`
}

type member struct {
	Name string
	ref
}

// members keeps the order the model declares structure members in; AWS
// walks them in a fixed order, and ours should not depend on map iteration.
type members []member

func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var m member
		m.Name = tok.(string)
		if err := dec.Decode(&m.ref); err != nil {
			return fmt.Errorf("member %s: %w", m.Name, err)
		}
		*ms = append(*ms, m)
	}
	_, err := dec.Token()
	return err
}

func parseModel(raw []byte) (*model, error) {
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	switch m.Metadata.Protocol {
	case "json":
	case "query":
		if m.Metadata.XMLNamespace == "" {
			return nil, errors.New("a query-protocol model without metadata.xmlNamespace")
		}
	default:
		return nil, fmt.Errorf("protocol %q: only the AWS JSON and query protocols are supported", m.Metadata.Protocol)
	}
	return &m, nil
}

// enumOrders lists enum value orders seen in AWS's messages where they differ
// from the model's order, keyed by "endpointPrefix/Shape". AWS prints the set
// in its own order, which the botocore model does not carry, so these come
// from recorded responses. Each must be a permutation of the model's values;
// if the model gains or drops a value, generation fails until this is revisited.
var enumOrders = map[string]struct {
	order  []string
	source string
}{
	// The first five are in the order a real ListSecrets response gave in
	// 2020, when they were the whole set (getmoto/moto#3173, copied into
	// moto/secretsmanager/responses.py _validate_filters). The model's order
	// is description, name, tag-key, tag-value, primary-region,
	// owning-service, all. Where AWS now puts primary-region and
	// owning-service has not been observed: they are appended in model order.
	"secretsmanager/FilterNameStringType": {
		order:  []string{"all", "name", "tag-key", "description", "tag-value", "primary-region", "owning-service"},
		source: "getmoto/moto#3173 (five of seven values observed)",
	},
}

// goType names the model.Type constant for a botocore type.
var goType = map[string]string{
	"structure": "Structure", "list": "List", "map": "Map", "string": "String",
	"integer": "Integer", "long": "Long", "float": "Float", "double": "Double",
	"boolean": "Boolean", "blob": "Blob", "timestamp": "Timestamp",
}

func generate(m *model, raw []byte) ([]byte, error) {
	prefix := m.Metadata.EndpointPrefix
	query := m.Metadata.Protocol == "query"
	// The input closure: every shape reachable from an operation's input.
	// For the query protocol, the output closure too: the shapes a response
	// is written by.
	inputs, outputs := map[string]bool{}, map[string]bool{}
	ops := make([]string, 0, len(m.Operations))
	for name, op := range m.Operations {
		ops = append(ops, name)
		if op.Input != nil {
			if err := reach(m, inputs, op.Input.Shape); err != nil {
				return nil, fmt.Errorf("operation %s: %w", name, err)
			}
		}
		if query && op.Output != nil {
			if err := reach(m, outputs, op.Output.Shape); err != nil {
				return nil, fmt.Errorf("operation %s output: %w", name, err)
			}
		}
	}
	slices.Sort(ops)
	names := make([]string, 0, len(inputs)+len(outputs))
	for n := range inputs {
		names = append(names, n)
	}
	for n := range outputs {
		if !inputs[n] {
			names = append(names, n)
		}
	}
	slices.Sort(names)

	funcName := exportedName(m.Metadata.ServiceID)
	if funcName == "" || prefix == "" {
		return nil, errors.New("metadata lacks serviceId or endpointPrefix")
	}
	varName := prefix + "Service"
	sum := sha256.Sum256(raw)

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/api/model/gen from the botocore model %s/%s (sha256 %s); DO NOT EDIT.\n\n",
		prefix, m.Metadata.APIVersion, hex.EncodeToString(sum[:8]))
	b.WriteString("package model\n\n")
	b.WriteString("import \"regexp\"\n\n")
	what := "input shapes"
	if query {
		what = "input and output shapes"
	}
	fmt.Fprintf(&b, "// %s returns the %s of the %q service (API version %s).\n", funcName, what, m.Metadata.ServiceID, m.Metadata.APIVersion)
	b.WriteString("// The tables are shared: callers must not modify them.\n")
	fmt.Fprintf(&b, "func %s() *Service { return %s }\n\n", funcName, varName)
	fmt.Fprintf(&b, "var %s = &Service{\n", varName)
	fmt.Fprintf(&b, "name: %q,\napiVersion: %q,\nprotocol: %q,\n", prefix, m.Metadata.APIVersion, m.Metadata.Protocol)
	for _, f := range []struct{ field, value string }{
		{"targetPrefix", m.Metadata.TargetPrefix},
		{"jsonVersion", m.Metadata.JSONVersion},
		{"xmlNamespace", m.Metadata.XMLNamespace},
	} {
		if f.value != "" {
			fmt.Fprintf(&b, "%s: %q,\n", f.field, f.value)
		}
	}
	b.WriteString("operations: map[string]string{\n")
	for _, name := range ops {
		in := ""
		if r := m.Operations[name].Input; r != nil {
			in = r.Shape
		}
		fmt.Fprintf(&b, "%q: %q,\n", name, in)
	}
	b.WriteString("},\n")
	if query {
		b.WriteString("outputs: map[string]Output{\n")
		for _, name := range ops {
			r := m.Operations[name].Output
			if r == nil {
				fmt.Fprintf(&b, "%q: {},\n", name)
				continue
			}
			if r.ResultWrapper == "" {
				return nil, fmt.Errorf("operation %s: a query-protocol output without resultWrapper", name)
			}
			fmt.Fprintf(&b, "%q: {Shape: %q, ResultWrapper: %q},\n", name, r.Shape, r.ResultWrapper)
		}
		b.WriteString("},\n")
	}
	b.WriteString("shapes: map[string]*Shape{\n")
	for _, name := range names {
		lit, err := shapeLiteral(prefix, name, m.Shapes[name], query, inputs[name])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q: %s,\n", name, lit)
	}
	b.WriteString("},\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated code: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

// reach adds to set the shape name and every shape it reaches.
func reach(m *model, set map[string]bool, name string) error {
	if set[name] {
		return nil
	}
	s, ok := m.Shapes[name]
	if !ok {
		return fmt.Errorf("shape %s is referenced but not defined", name)
	}
	if s.Union || s.Document {
		return fmt.Errorf("shape %s: unions and documents are not supported yet", name)
	}
	if _, ok := goType[s.Type]; !ok {
		return fmt.Errorf("shape %s: type %q is not supported", name, s.Type)
	}
	set[name] = true
	for _, mem := range s.Members {
		if err := reach(m, set, mem.Shape); err != nil {
			return err
		}
	}
	for _, r := range []*ref{s.Member, s.Key, s.Value} {
		if r != nil {
			if err := reach(m, set, r.Shape); err != nil {
				return err
			}
		}
	}
	return nil
}

// shapeLiteral writes one shape. query adds the query protocol's
// serialization names; constrained (a shape an input reaches) adds the
// constraints validation checks.
func shapeLiteral(prefix, name string, s *shape, query, constrained bool) (string, error) {
	var f []string
	f = append(f, "Type: "+goType[s.Type])
	if s.Sensitive {
		f = append(f, "Sensitive: true")
	}
	if len(s.Members) > 0 {
		required := map[string]bool{}
		for _, r := range s.Required {
			required[r] = true
		}
		var ms []string
		for _, mem := range s.Members {
			lit := fmt.Sprintf("{Name: %q, Shape: %q", mem.Name, mem.Shape)
			if query {
				// The JSON key handlers read and write is the member's name;
				// the form parameter and the XML element are its
				// locationName.
				if mem.Flattened || mem.XMLAttribute || mem.XMLNamespace != nil {
					return "", fmt.Errorf("shape %s member %s: serialization traits on a member reference are not supported yet", name, mem.Name)
				}
				if mem.LocationName != "" && mem.LocationName != mem.Name {
					lit += fmt.Sprintf(", LocationName: %q", mem.LocationName)
				}
			} else {
				jsonName := mem.Name
				switch {
				case mem.JSONName != "":
					jsonName = mem.JSONName
				case mem.LocationName != "":
					jsonName = mem.LocationName
				}
				if jsonName != mem.Name {
					lit += fmt.Sprintf(", JSONName: %q", jsonName)
				}
			}
			if required[mem.Name] {
				lit += ", Required: true"
				delete(required, mem.Name)
			}
			ms = append(ms, lit+"}")
		}
		if len(required) > 0 {
			return "", fmt.Errorf("shape %s: required members %v are not declared", name, required)
		}
		f = append(f, "Members: []Member{\n"+strings.Join(ms, ",\n")+",\n}")
	} else if len(s.Required) > 0 {
		return "", fmt.Errorf("shape %s: required members without members", name)
	}
	if s.Member != nil {
		f = append(f, fmt.Sprintf("ListMember: %q", s.Member.Shape))
		if query && s.Member.LocationName != "" && s.Member.LocationName != "member" {
			f = append(f, fmt.Sprintf("ListMemberName: %q", s.Member.LocationName))
		}
	}
	if s.Key != nil {
		f = append(f, fmt.Sprintf("MapKey: %q", s.Key.Shape))
		if query && s.Key.LocationName != "" && s.Key.LocationName != "key" {
			f = append(f, fmt.Sprintf("MapKeyName: %q", s.Key.LocationName))
		}
	}
	if s.Value != nil {
		f = append(f, fmt.Sprintf("MapValue: %q", s.Value.Shape))
		if query && s.Value.LocationName != "" && s.Value.LocationName != "value" {
			f = append(f, fmt.Sprintf("MapValueName: %q", s.Value.LocationName))
		}
	}
	if s.Flattened {
		if !query {
			return "", fmt.Errorf("shape %s: flattened in a JSON model", name)
		}
		f = append(f, "Flattened: true")
	}
	if !constrained {
		return "{\n" + strings.Join(f, ",\n") + ",\n}", nil
	}
	for _, bound := range []struct {
		field string
		n     *json.Number
	}{{"Min", s.Min}, {"Max", s.Max}} {
		if bound.n == nil {
			continue
		}
		v, err := strconv.ParseInt(bound.n.String(), 10, 64)
		if err != nil {
			return "", fmt.Errorf("shape %s: %s %s: only integer bounds are supported", name, bound.field, bound.n)
		}
		f = append(f, fmt.Sprintf("Has%s: true, %s: %d", bound.field, bound.field, v))
	}
	if s.Pattern != nil {
		goPat, goExclude, err := patternFor(*s.Pattern)
		if err != nil {
			return "", fmt.Errorf("shape %s: %w", name, err)
		}
		f = append(f, "Pattern: "+goString(*s.Pattern), "GoPattern: "+goString(goPat),
			"re: regexp.MustCompile("+goString(goPat)+")")
		if goExclude != "" {
			f = append(f, "GoExclude: "+goString(goExclude), "reExclude: regexp.MustCompile("+goString(goExclude)+")")
		}
	}
	if len(s.Enum) > 0 {
		values := s.Enum
		if o, ok := enumOrders[prefix+"/"+name]; ok {
			if !samePermutation(o.order, s.Enum) {
				return "", fmt.Errorf("shape %s: the enum order recorded from %s is not a permutation of the model's %q; revisit enumOrders",
					name, o.source, s.Enum)
			}
			values = o.order
		}
		var q []string
		for _, v := range values {
			q = append(q, strconv.Quote(v))
		}
		f = append(f, "Enum: []string{"+strings.Join(q, ", ")+"}")
	}
	return "{\n" + strings.Join(f, ",\n") + ",\n}", nil
}

func samePermutation(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// goString quotes s as a raw string when it can, which keeps regular
// expressions readable.
func goString(s string) string {
	if strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

// exportedName turns a serviceId ("Secrets Manager", "KMS") into a Go name.
func exportedName(serviceID string) string {
	var b strings.Builder
	for _, w := range nonIdent.Split(serviceID, -1) {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
