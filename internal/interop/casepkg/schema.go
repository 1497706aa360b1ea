package casepkg

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFiles are the CASE package schemas; schema/README.md gives their
// sources and licences.
//
//go:embed schema/*.json
var schemaFiles embed.FS

// The CASE versions this package reads.
const (
	Version10 = "1.0"
	Version11 = "1.1"
)

type compiledSchemas struct {
	v10, v11 *jsonschema.Schema
}

// schemas compiles the embedded schemas once; a broken embedded schema is a
// build defect, reported on first use.
var schemas = sync.OnceValues(func() (compiledSchemas, error) {
	v11, err := compileSchema("case-v1p1-cfpackage.json", nil)
	if err != nil {
		return compiledSchemas{}, err
	}
	// The 1.0 schema declares no $schema; it was written for draft-04.
	v10, err := compileSchema("case-v1p0-cfpackage.json", jsonschema.Draft4)
	if err != nil {
		return compiledSchemas{}, err
	}
	return compiledSchemas{v10: v10, v11: v11}, nil
})

func compileSchema(file string, draft *jsonschema.Draft) (*jsonschema.Schema, error) {
	b, err := schemaFiles.ReadFile("schema/" + file)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("embedded schema %s: %w", file, err)
	}
	c := jsonschema.NewCompiler()
	if draft != nil {
		c.DefaultDraft(draft)
	}
	// CASE identifiers are UUIDs and its times are RFC 3339: a package that
	// breaks these formats is refused, not merely annotated.
	c.AssertFormat()
	url := "urn:cairn:case:" + file
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("embedded schema %s: %w", file, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("embedded schema %s: %w", file, err)
	}
	return s, nil
}

// violation is one schema error: where in the instance, and why.
type violation struct {
	at     []string // JSON pointer tokens of the offending value
	field  string   // a missing or unknown property below at, or ""
	reason string
}

var printer = message.NewPrinter(language.English)

// validateSchema checks doc (as decoded by jsonschema.UnmarshalJSON)
// against the schema of version.
func validateSchema(doc any, version string) ([]violation, error) {
	s, err := schemas()
	if err != nil {
		return nil, err
	}
	sch := s.v11
	if version == Version10 {
		sch = s.v10
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, err
	}
	var out []violation
	collect(ve, version, &out)
	sort.SliceStable(out, func(i, j int) bool { return lessPointer(out[i].at, out[j].at) })
	return out, nil
}

// collect turns the library's error tree into one violation per real
// problem. Where the schema offers alternatives (oneOf, anyOf) and none
// fits, it keeps the most telling reason of the alternatives instead of one
// message per alternative.
func collect(e *jsonschema.ValidationError, version string, out *[]violation) {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf:
		if len(k.Subschemas) > 1 {
			*out = append(*out, violation{at: e.InstanceLocation, reason: "matches more than one of the forms the schema allows"})
			return
		}
		*out = append(*out, best(e, version))
		return
	case *kind.AnyOf:
		*out = append(*out, best(e, version))
		return
	}
	if len(e.Causes) == 0 {
		*out = append(*out, leaf(e, version)...)
		return
	}
	for _, c := range e.Causes {
		collect(c, version, out)
	}
}

// best picks, among the leaves under an alternative, the one that says most:
// an enumeration beats a missing field, which beats a format or pattern,
// which beats a wrong type.
func best(e *jsonschema.ValidationError, version string) violation {
	var leaves []*jsonschema.ValidationError
	var walk func(*jsonschema.ValidationError)
	walk = func(x *jsonschema.ValidationError) {
		if len(x.Causes) == 0 {
			leaves = append(leaves, x)
			return
		}
		for _, c := range x.Causes {
			walk(c)
		}
	}
	walk(e)
	rank := func(x *jsonschema.ValidationError) int {
		switch x.ErrorKind.(type) {
		case *kind.Enum:
			return 0
		case *kind.Required:
			return 1
		case *kind.Format, *kind.Pattern:
			return 2
		case *kind.Type:
			return 4
		}
		return 3
	}
	sort.SliceStable(leaves, func(i, j int) bool { return rank(leaves[i]) < rank(leaves[j]) })
	if len(leaves) == 0 {
		return violation{at: e.InstanceLocation, reason: "does not match any form the schema allows"}
	}
	v := leaf(leaves[0], version)[0]
	if p, ok := leaves[0].ErrorKind.(*kind.Enum); ok && len(leaves) > 1 {
		for _, l := range leaves[1:] {
			if _, isPattern := l.ErrorKind.(*kind.Pattern); isPattern {
				v.reason = fmt.Sprintf("%s is not one of %s, nor an extension of the form ext:name", jsonValue(p.Got), enumList(p.Want))
				break
			}
		}
	}
	return v
}

func leaf(e *jsonschema.ValidationError, version string) []violation {
	at := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var vs []violation
		for _, m := range k.Missing {
			vs = append(vs, violation{at: at, field: m, reason: "required, but missing"})
		}
		return vs
	case *kind.AdditionalProperties:
		var vs []violation
		for _, p := range k.Properties {
			vs = append(vs, violation{at: at, field: p, reason: fmt.Sprintf("not a field CASE %s allows here", version)})
		}
		return vs
	case *kind.Type:
		return []violation{{at: at, reason: fmt.Sprintf("is %s, want %s", article(k.Got), orList(k.Want))}}
	case *kind.Enum:
		return []violation{{at: at, reason: fmt.Sprintf("%s is not one of %s", jsonValue(k.Got), enumList(k.Want))}}
	case *kind.Format:
		return []violation{{at: at, reason: fmt.Sprintf("%s is not %s", jsonValue(k.Got), formatName(k.Want))}}
	case *kind.Pattern:
		return []violation{{at: at, reason: fmt.Sprintf("%q does not match the pattern %s", k.Got, k.Want)}}
	}
	return []violation{{at: at, reason: e.ErrorKind.LocalizedString(printer)}}
}

func formatName(f string) string {
	switch f {
	case "uuid":
		return "a UUID (8-4-4-4-12 hexadecimal digits)"
	case "date-time":
		return "a date and time such as 2024-05-01T12:00:00Z"
	case "date":
		return "a date such as 2024-05-01"
	case "uri":
		return "an absolute URI"
	}
	return "a valid " + f
}

func article(t string) string {
	switch t {
	case "array", "object", "integer":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

func orList(ts []string) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = article(t)
	}
	return strings.Join(parts, " or ")
}

func enumList(want []any) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = fmt.Sprint(w)
	}
	return strings.Join(parts, ", ")
}

func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// lessPointer orders pointers as the document reads: array indexes by
// number, so that CFItems/2 comes before CFItems/10.
func lessPointer(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		na, ea := atoi(a[i])
		nb, eb := atoi(b[i])
		if ea && eb {
			return na < nb
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
