// Command gen writes the input-shape tables of one AWS service into package
// model, from the botocore service model installed with Python.
//
// It is run by go generate (see ../doc.go):
//
//	go run ./gen -service kms/2014-11-01
//
// The output holds only what validation needs: types, required members,
// member targets, list and map targets, length and range bounds, patterns
// (the Java source and its RE2 translation), enum values and the sensitive
// flag. It holds no documentation text from the model. The output depends only
// on the model file, so running it twice gives the same bytes.
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
	} `json:"metadata"`
	Operations map[string]struct {
		Input *ref `json:"input"`
	} `json:"operations"`
	Shapes map[string]*shape `json:"shapes"`
}

type ref struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	JSONName     string `json:"jsonName"`
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
	if m.Metadata.Protocol != "json" {
		return nil, fmt.Errorf("protocol %q: only the AWS JSON protocols are supported", m.Metadata.Protocol)
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
	// The input closure: every shape reachable from an operation's input.
	inputs := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		if inputs[name] {
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
		inputs[name] = true
		for _, mem := range s.Members {
			if err := visit(mem.Shape); err != nil {
				return err
			}
		}
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if r != nil {
				if err := visit(r.Shape); err != nil {
					return err
				}
			}
		}
		return nil
	}
	ops := make([]string, 0, len(m.Operations))
	for name, op := range m.Operations {
		ops = append(ops, name)
		if op.Input != nil {
			if err := visit(op.Input.Shape); err != nil {
				return nil, fmt.Errorf("operation %s: %w", name, err)
			}
		}
	}
	slices.Sort(ops)
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
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
	fmt.Fprintf(&b, "// %s returns the input shapes of the %q service (API version %s).\n", funcName, m.Metadata.ServiceID, m.Metadata.APIVersion)
	b.WriteString("// The tables are shared: callers must not modify them.\n")
	fmt.Fprintf(&b, "func %s() *Service { return %s }\n\n", funcName, varName)
	fmt.Fprintf(&b, "var %s = &Service{\n", varName)
	fmt.Fprintf(&b, "name: %q,\napiVersion: %q,\ntargetPrefix: %q,\njsonVersion: %q,\n",
		prefix, m.Metadata.APIVersion, m.Metadata.TargetPrefix, m.Metadata.JSONVersion)
	b.WriteString("operations: map[string]string{\n")
	for _, name := range ops {
		in := ""
		if r := m.Operations[name].Input; r != nil {
			in = r.Shape
		}
		fmt.Fprintf(&b, "%q: %q,\n", name, in)
	}
	b.WriteString("},\nshapes: map[string]*Shape{\n")
	for _, name := range names {
		lit, err := shapeLiteral(prefix, name, m.Shapes[name])
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

func shapeLiteral(prefix, name string, s *shape) (string, error) {
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
			jsonName := mem.Name
			switch {
			case mem.JSONName != "":
				jsonName = mem.JSONName
			case mem.LocationName != "":
				jsonName = mem.LocationName
			}
			lit := fmt.Sprintf("{Name: %q, Shape: %q", mem.Name, mem.Shape)
			if jsonName != mem.Name {
				lit += fmt.Sprintf(", JSONName: %q", jsonName)
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
	}
	if s.Key != nil {
		f = append(f, fmt.Sprintf("MapKey: %q", s.Key.Shape))
	}
	if s.Value != nil {
		f = append(f, fmt.Sprintf("MapValue: %q", s.Value.Shape))
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
		goPat, err := translatePattern(*s.Pattern)
		if err != nil {
			return "", fmt.Errorf("shape %s: %w", name, err)
		}
		f = append(f, "Pattern: "+goString(*s.Pattern), "GoPattern: "+goString(goPat),
			"re: regexp.MustCompile("+goString(goPat)+")")
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
