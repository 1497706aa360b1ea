package web

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// schemaMaker derives JSON Schemas from Go types, following the rules of
// encoding/json, so that the OpenAPI document describes exactly what the
// handlers read and write. Named structs become components.
type schemaMaker struct {
	components map[string]any
	names      map[reflect.Type]string
	taken      map[string]reflect.Type
}

func newSchemaMaker() *schemaMaker {
	return &schemaMaker{components: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
}

// enums lists the values of the domain's named string types.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[roster.Role]():           {"student", "teacher", "guardian", "coach", "school_admin", "district_admin"},
	reflect.TypeFor[roster.TermType]():       {"schoolYear", "semester", "term", "gradingPeriod"},
	reflect.TypeFor[roster.EnrollmentRole](): {"student", "teacher"},
	reflect.TypeFor[standards.Kind]():        {"academic", "disposition", "professional"},
	reflect.TypeFor[evidence.Kind]():         stringsOf(evidence.Kinds),
	reflect.TypeFor[mastery.MethodName]():    stringsOf(mastery.Methods),
	reflect.TypeFor[mastery.RollupRule]():    {"mean", "lowest", "all_mastered"},
	reflect.TypeFor[mastery.MasteredBy]():    {"method", "model", "both"},
	reflect.TypeFor[mastery.Verdict]():       {"mastered", "not_yet", "needs_more_evidence"},
}

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// textField is a string field of a struct, by its JSON name.
type textField struct {
	t    reflect.Type
	name string
}

// maxLengths are the limits of internal/limits on the text the API takes,
// written into the schemas as maxLength (in characters, as JSON Schema
// counts them), so that a client can check before sending.
var maxLengths = map[textField]int{
	{reflect.TypeFor[evidenceInput](), "title"}:           limits.Title,
	{reflect.TypeFor[evidenceInput](), "comment"}:         limits.Comment,
	{reflect.TypeFor[evidenceInput](), "artifactUrl"}:     limits.URL,
	{reflect.TypeFor[evidence.Evidence](), "title"}:       limits.Title,
	{reflect.TypeFor[evidence.Evidence](), "comment"}:     limits.Comment,
	{reflect.TypeFor[evidence.Evidence](), "artifactUrl"}: limits.URL,
	{reflect.TypeFor[voidInput](), "reason"}:              limits.Reason,
	{reflect.TypeFor[scoreInput](), "itemKey"}:            limits.ItemKey,
	{reflect.TypeFor[evidence.Score](), "itemKey"}:        limits.ItemKey,
	{reflect.TypeFor[roster.Person](), "givenName"}:       limits.Name,
	{reflect.TypeFor[roster.Person](), "familyName"}:      limits.Name,
	{reflect.TypeFor[roster.Person](), "email"}:           limits.Email,
	{reflect.TypeFor[roster.Person](), "username"}:        limits.Identifier,
	{reflect.TypeFor[roster.Person](), "sourcedId"}:       limits.Identifier,
	{reflect.TypeFor[roster.School](), "name"}:            limits.Name,
	{reflect.TypeFor[roster.Term](), "title"}:             limits.Title,
	{reflect.TypeFor[roster.Course](), "title"}:           limits.Title,
	{reflect.TypeFor[roster.Class](), "title"}:            limits.Title,
	{reflect.TypeFor[standards.Framework](), "title"}:     limits.Statement,
	{reflect.TypeFor[standards.Standard](), "statement"}:  limits.Statement,
	{reflect.TypeFor[standards.Standard](), "code"}:       limits.Identifier,
}

// componentNames names the schemas whose Go names would mislead out of
// their package.
var componentNames = map[reflect.Type]string{
	reflect.TypeFor[problemDetails]():          "Problem",
	reflect.TypeFor[problem.Field]():           "FieldError",
	reflect.TypeFor[mastery.Input]():           "ExplanationInput",
	reflect.TypeFor[mastery.ChildInput]():      "ExplanationChild",
	reflect.TypeFor[masteryJSON]():             "MasteryState",
	reflect.TypeFor[mastery.MasteryEstimate](): "ModelEstimate",
	reflect.TypeFor[mastery.ModelInputs]():     "ModelInputs",
	reflect.TypeFor[rebuildJSON]():             "RebuildResult",
	reflect.TypeFor[caseDocumentsJSON]():       "CFDocumentSet",
	reflect.TypeFor[caseStatusJSON]():          "imsx_StatusInfo",
	reflect.TypeFor[caseCodeMinorJSON]():       "imsx_CodeMinor",
	reflect.TypeFor[caseCodeMinorFieldJSON]():  "imsx_CodeMinorField",
}

// componentName names a struct's schema: the web package's own shapes
// lose their JSON suffix ("classMatrixJSON" is "ClassMatrix").
func componentName(t reflect.Type) string {
	if n, ok := componentNames[t]; ok {
		return n
	}
	n := strings.TrimSuffix(t.Name(), "JSON")
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

var (
	timeType = reflect.TypeFor[time.Time]()
	// rawJSONType is JSON kept as it came (a CASE package's extensions):
	// any value.
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// schema returns the schema of t, registering components as it goes.
func (m *schemaMaker) schema(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawJSONType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(m.schema(t.Elem()))
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		s := map[string]any{"type": "string"}
		if vals, ok := enums[t]; ok {
			s["enum"] = vals
		}
		return s
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": m.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": m.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" || strings.HasPrefix(t.Name(), "list[") {
			return m.object(t)
		}
		return m.ref(t)
	}
	panic(fmt.Sprintf("web: no JSON schema for %s", t))
}

// ref registers t as a component (once) and refers to it.
func (m *schemaMaker) ref(t reflect.Type) map[string]any {
	name, ok := m.names[t]
	if !ok {
		name = componentName(t)
		if other, clash := m.taken[name]; clash && other != t {
			name = componentName(t) + "_" + strings.ReplaceAll(t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:], ".", "_")
		}
		m.names[t], m.taken[name] = name, t
		m.components[name] = map[string]any{} // placeholder against recursion
		m.components[name] = m.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// object is the schema of a struct's JSON object: its fields, embedded
// structs' fields promoted as encoding/json promotes them, and those
// without omitempty required.
func (m *schemaMaker) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := m.schema(f.Type)
			if n, ok := maxLengths[textField{t, name}]; ok && s["type"] == "string" {
				s = withKey(s, "maxLength", n)
			}
			if name == "id" || name == "districtId" || name == "retiredAt" {
				s = withKey(s, "readOnly", true)
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

// nullable allows null besides what s allows.
func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok && s["$ref"] == nil {
		c := withKey(s, "type", []string{typ, "null"})
		if enum, ok := c["enum"].([]string); ok {
			c["enum"] = append(append([]any{}, toAny(enum)...), nil)
		}
		return c
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// withKey returns a copy of s with key set, leaving s (maybe shared)
// alone. A $ref cannot carry siblings in every tool, so it is wrapped.
func withKey(s map[string]any, key string, v any) map[string]any {
	if _, ok := s["$ref"]; ok {
		return map[string]any{"allOf": []any{s}, key: v}
	}
	c := make(map[string]any, len(s)+1)
	for k, x := range s {
		c[k] = x
	}
	c[key] = v
	return c
}
