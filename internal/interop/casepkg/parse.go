package casepkg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

// MaxPackageSize is the largest CASE package Parse reads, in bytes
// (limits.CASEPackageBytes says why).
const MaxPackageSize = limits.CASEPackageBytes

// Package is a CASE package that passed its schema and cairn's own checks,
// with the framework it describes.
type Package struct {
	// Name is where the package came from: a file name or a URL.
	Name string
	// Version is the CASE version it was validated against: "1.0" or "1.1".
	Version string
	// CFPackage is the package as published.
	CFPackage CFPackage
	// Framework is the package in cairn's terms, keyed by CASE identifiers.
	Framework Framework
	// Notes say what was imported differently from how the package has it,
	// or left out, without being an error: associations cairn does not
	// model, an item with two parents.
	Notes []string
}

// Parse reads a CASE 1.0 or 1.1 package (a CFPackage JSON document) from r,
// validates it against the CASE JSON Schema of its version and against
// cairn's own rules (no duplicate identifiers, no loops in the hierarchy or
// the prerequisites, a statement on every item), and converts it to a
// Framework. name is used in error messages (a file name or a URL).
//
// When anything is wrong, Parse returns a *badinput.Error listing every
// problem with its line and column in the JSON text, the item and the
// field, and no Package.
func Parse(r io.Reader, name string) (*Package, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPackageSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading CASE package %s: %w", name, err)
	}
	if len(data) > MaxPackageSize {
		return nil, oneProblem(name, 0, 0, "", fmt.Sprintf("larger than the %s a CASE package may be", limits.Bytes(MaxPackageSize)))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if off, reason := scanJSON(data); reason != "" {
		line, col := lineColumn(data, off)
		return nil, oneProblem(name, line, col, "", reason)
	}

	tree, err := decodeTree(data, name)
	if err != nil {
		return nil, err
	}
	root, ok := tree.(map[string]any)
	if !ok {
		line, col := lineColumn(data, valueStart(data, 0))
		return nil, oneProblem(name, line, col, "", "a CASE package is a JSON object with a CFDocument, not "+jsonKind(tree))
	}
	rep := &report{name: name, data: data, tree: root}
	if checkBounds(root, rep); len(rep.issues) > 0 {
		return nil, rep.err()
	}
	version := detectVersion(root, name)
	vs, err := validateSchema(tree, version)
	if err != nil {
		return nil, fmt.Errorf("validating CASE package %s: %w", name, err)
	}
	for _, v := range vs {
		if len(v.at) == 2 && v.at[0] == "CFDocument" && v.at[1] == "caseVersion" {
			got, _ := root["CFDocument"].(map[string]any)["caseVersion"].(string)
			v.reason = fmt.Sprintf("%q is not a CASE version cairn reads: it reads 1.1 (caseVersion \"1.1\") and 1.0 (no caseVersion)", got)
		}
		rep.add(v.at, v.field, "%s", v.reason)
	}
	if len(rep.issues) > 0 {
		return nil, rep.err()
	}

	pkg := &Package{Name: name, Version: version}
	if err := json.Unmarshal(data, &pkg.CFPackage); err != nil {
		// The schema accepted the document, so this is a shape the typed
		// reading cannot hold (a number too large for sequenceNumber).
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			line, col := lineColumn(data, int(te.Offset))
			return nil, oneProblem(name, line, col, te.Field, fmt.Sprintf("cannot be read as %s", te.Type))
		}
		return nil, oneProblem(name, 0, 0, "", err.Error())
	}
	c := converter{pkg: &pkg.CFPackage, rep: rep}
	pkg.Framework = c.run()
	pkg.Notes = append(rep.warningLines(), c.notes...)
	if len(rep.issues) > 0 {
		return nil, rep.err()
	}
	return pkg, nil
}

// decodeTree decodes data into the generic form the schema validator
// reads, reporting a syntax error with its line and column.
func decodeTree(data []byte, name string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		off := int(dec.InputOffset())
		var se *json.SyntaxError
		reason := err.Error()
		switch {
		case errors.As(err, &se):
			off = int(se.Offset) - 1 // Offset counts the offending byte

			reason = "not valid JSON: " + se.Error()
		case errors.Is(err, io.EOF):
			reason = "empty: a CASE package is a JSON object with a CFDocument"
		case errors.Is(err, io.ErrUnexpectedEOF):
			off = len(data)
			reason = "not valid JSON: the text ends before the package does"
		default:
			reason = "not valid JSON: " + reason
		}
		line, col := lineColumn(data, off)
		return nil, oneProblem(name, line, col, "", reason)
	}
	off := valueStart(data, int(dec.InputOffset()))
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := lineColumn(data, off)
		return nil, oneProblem(name, line, col, "", "more text after the end of the package")
	}
	// This is the tree jsonschema.UnmarshalJSON would give (numbers as
	// json.Number), decoded here so that a syntax error has its place.
	return tree, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "an object"
}

// detectVersion says which schema a package is validated against.
// caseVersion is the field CASE 1.1 added to say a document is 1.1, so a
// package that has it is read as 1.1 (any value but "1.1" then fails the
// 1.1 schema's enum, which says so). Without it, a field only CASE 1.1
// has (frameworkType, extensions, an item's subject or subjectURI, an
// association's notes, a node's targetType) makes it 1.1, and a field only
// CASE 1.0 has (CFPackageURI, CFDocumentURI, CFDefinitions as an array)
// makes it 1.0; then an address under /v1p1/ or /v1p0/. A package with
// none of these is a CASE 1.0 package: every field it has is in 1.0, and a
// 1.1 publisher says caseVersion.
func detectVersion(root map[string]any, name string) string {
	doc, _ := root["CFDocument"].(map[string]any)
	if _, ok := doc["caseVersion"]; ok {
		return Version11
	}
	has := func(m map[string]any, keys ...string) bool {
		for _, k := range keys {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
	records := func(list string) []map[string]any {
		arr, _ := root[list].([]any)
		out := make([]map[string]any, 0, len(arr))
		for _, x := range arr {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	items, assocs := records("CFItems"), records("CFAssociations")
	only11 := has(root, "extensions") || has(doc, "frameworkType", "extensions")
	for _, it := range items {
		only11 = only11 || has(it, "subject", "subjectURI", "extensions")
	}
	for _, a := range assocs {
		only11 = only11 || has(a, "notes", "extensions")
		for _, end := range []string{"originNodeURI", "destinationNodeURI"} {
			n, _ := a[end].(map[string]any)
			only11 = only11 || has(n, "targetType")
		}
	}
	if d, ok := root["CFDefinitions"].(map[string]any); ok {
		only11 = only11 || has(d, "extensions")
	}
	if only11 {
		return Version11
	}
	if has(doc, "CFPackageURI") {
		return Version10
	}
	if _, ok := root["CFDefinitions"].([]any); ok {
		return Version10
	}
	for _, m := range append(items, assocs...) {
		if has(m, "CFDocumentURI") {
			return Version10
		}
	}
	uri, _ := doc["uri"].(string)
	for _, s := range []string{uri, name} {
		switch {
		case strings.Contains(s, "/v1p1/"):
			return Version11
		case strings.Contains(s, "/v1p0/"):
			return Version10
		}
	}
	return Version10
}

func oneProblem(name string, line, col int, field, reason string) error {
	var l badinput.List
	l.Add(badinput.Problem{File: name, Line: line, Column: col, Field: field, Reason: reason})
	return l.Err()
}

// report collects the problems of one package by JSON pointer and turns
// them into located problems at the end, when the text is walked once.
type report struct {
	name     string
	data     []byte
	tree     map[string]any
	issues   []issue
	warnings []issue
}

type issue struct {
	at     []string
	field  string
	reason string
}

func (r *report) add(at []string, field, format string, args ...any) {
	r.issues = append(r.issues, issue{at: append([]string(nil), at...), field: field, reason: fmt.Sprintf(format, args...)})
}

// warn records something imported differently from how the package has
// it that is not an error; warningLines gives it located, in the shape of
// a problem.
func (r *report) warn(at []string, field, format string, args ...any) {
	r.warnings = append(r.warnings, issue{at: append([]string(nil), at...), field: field, reason: fmt.Sprintf(format, args...)})
}

// warningLines are the warnings as "file:line:column: field: reason".
func (r *report) warningLines() []string {
	if len(r.warnings) == 0 {
		return nil
	}
	ps := r.located(r.warnings)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func (r *report) err() error {
	var l badinput.List
	for _, p := range r.located(r.issues) {
		l.Add(p)
	}
	return l.Err()
}

// located finds the line and column of each issue, walking the text once,
// and returns them in the order a person reads the file.
func (r *report) located(issues []issue) []badinput.Problem {
	want := make(map[string]bool, 2*len(issues))
	for _, is := range issues {
		want[pointer(is.at...)] = true
		if is.field != "" {
			want[pointer(append(append([]string(nil), is.at...), is.field)...)] = true
		}
	}
	found := locate(r.data, want)
	located := make([]badinput.Problem, 0, len(issues))
	for _, is := range issues {
		off, ok := -1, false
		if is.field != "" {
			off, ok = found[pointer(append(append([]string(nil), is.at...), is.field)...)]
		}
		if !ok {
			off, ok = found[pointer(is.at...)]
		}
		line, col := 0, 0
		if ok {
			line, col = lineColumn(r.data, off)
		}
		reason := is.reason
		if who := r.describe(is.at); who != "" {
			reason = who + ": " + reason
		}
		located = append(located, badinput.Problem{File: r.name, Line: line, Column: col, Field: fieldName(is.at, is.field), Reason: reason})
	}
	// In the order a person reads the file.
	sort.SliceStable(located, func(i, j int) bool {
		a, b := located[i], located[j]
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	return located
}

// describe names the item, association or document a pointer is in, so a
// person can find it by its identifier and code as well as by its place.
func (r *report) describe(at []string) string {
	if len(at) == 0 {
		return ""
	}
	get := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	if at[0] == "CFDocument" {
		doc, _ := r.tree["CFDocument"].(map[string]any)
		if id := get(doc, "identifier"); id != "" {
			return fmt.Sprintf("CFDocument %q", id)
		}
		return ""
	}
	if len(at) < 2 {
		return ""
	}
	i, ok := atoi(at[1])
	arr, _ := r.tree[at[0]].([]any)
	if !ok || i >= len(arr) {
		return ""
	}
	m, _ := arr[i].(map[string]any)
	id := get(m, "identifier")
	switch at[0] {
	case "CFItems":
		s := fmt.Sprintf("item %d", i)
		if id != "" {
			s = fmt.Sprintf("item %q", id)
		}
		if code := get(m, "humanCodingScheme"); code != "" {
			s += " (" + code + ")"
		}
		return s
	case "CFAssociations":
		s := fmt.Sprintf("association %d", i)
		if id != "" {
			s = fmt.Sprintf("association %q", id)
		}
		if t := get(m, "associationType"); t != "" {
			s += " (" + t + ")"
		}
		return s
	}
	return ""
}

// fieldName writes a pointer as people read paths: CFItems[3].fullStatement.
func fieldName(at []string, field string) string {
	var b strings.Builder
	for i, t := range at {
		if _, isIndex := atoi(t); isIndex && i > 0 {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	if field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(field)
	}
	return b.String()
}
