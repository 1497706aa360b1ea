package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/roster"
)

// TestOpenAPICoversEveryRoute holds the registered routes and the
// document's operations equal, both ways, and checks that each operation
// says what it takes and gives.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	f := newFixture(t)
	res := f.do("GET", "/api/v1/openapi.json", nil)
	wantStatus(t, res, http.StatusOK)
	var doc map[string]any
	res.json(t, &doc)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}

	var registered, documented []string
	for _, rt := range f.srv.routes {
		if rt.Page {
			continue // pages are for browsers, not API clients
		}
		p, _ := openAPIPath(rt.Path)
		registered = append(registered, rt.Method+" "+p)
	}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(registered)
	sort.Strings(documented)
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("registered routes (-) and documented operations (+) differ:\n%s", diff)
	}

	names := map[string]bool{}
	for _, rt := range f.srv.routes {
		if names[rt.Name] {
			t.Errorf("route name %q used twice", rt.Name)
		}
		names[rt.Name] = true
		if rt.Page {
			continue
		}
		apiPath, params := openAPIPath(rt.Path)
		op, ok := lookup(doc, "paths", apiPath, strings.ToLower(rt.Method)).(map[string]any)
		if !ok {
			continue // reported above
		}
		t.Run(rt.Name, func(t *testing.T) {
			if op["operationId"] != rt.Name {
				t.Errorf("operationId %v, want %s", op["operationId"], rt.Name)
			}
			if s, _ := op["summary"].(string); s == "" {
				t.Error("no summary")
			}
			// Every path parameter is declared, and nothing else in the path.
			declared := map[string]bool{}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, p := range params {
				if !declared[p] {
					t.Errorf("path parameter %q not declared", p)
				}
				delete(declared, p)
			}
			if len(declared) > 0 {
				t.Errorf("declared path parameters %v are not in the path", declared)
			}
			// A success answer with its body's schema, and problem answers.
			responses, _ := op["responses"].(map[string]any)
			var success bool
			for code, r := range responses {
				rm := r.(map[string]any)
				if ref, ok := rm["$ref"].(string); ok {
					rm = resolve(doc, ref).(map[string]any)
				}
				switch {
				case code >= "200" && code < "300":
					success = true
					if code == "204" {
						break
					}
					content, _ := rm["content"].(map[string]any)
					if len(content) == 0 {
						t.Errorf("%s answer has no body schema", code)
					}
				case code >= "400" && strings.HasPrefix(rt.Path, casePrefix+"/"):
					// The CASE service answers its own failures as CASE
					// clients expect, the mux's 405 included.
					schema := lookup(rm, "content", "application/json", "schema")
					if ref, _ := lookup(schema, "$ref").(string); ref != "#/components/schemas/imsx_StatusInfo" {
						t.Errorf("%s answer of the CASE service is not an imsx_StatusInfo: %v", code, schema)
					}
				case code >= "400":
					if lookup(rm, "content", "application/problem+json", "schema") == nil {
						t.Errorf("%s answer is not a problem document", code)
					}
				}
			}
			if !success {
				t.Error("no success answer")
			}
			if (rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH") && rt.Name != "rebuildMastery" {
				if lookup(op, "requestBody", "content") == nil {
					t.Error("no request body")
				}
			}
		})
	}

	// The problem schema names every field a problem carries.
	props, _ := lookup(doc, "components", "schemas", "Problem", "properties").(map[string]any)
	for _, k := range []string{"type", "title", "status", "detail", "instance", "errors", "record"} {
		if _, ok := props[k]; !ok {
			t.Errorf("Problem schema lacks %q", k)
		}
	}
	// Every $ref points at something.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && resolve(doc, ref) == nil {
				t.Errorf("dangling $ref %s", ref)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// TestOpenAPIFailsOnUndocumentedRoute shows the completeness test has
// teeth: an operation missing from the table is missing from the
// document, and one without a route is still in it.
func TestOpenAPIFailsOnUndocumentedRoute(t *testing.T) {
	ops := map[string]operation{}
	for k, v := range operations {
		ops[k] = v
	}
	delete(ops, "GET /api/v1/classes/{id}/mastery")
	ops["GET /api/v1/sections"] = operation{Summary: "no such route", Tag: "roster", Response: map[string]any{}}
	b, err := buildOpenAPI(ops, nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if lookup(doc, "paths", "/api/v1/classes/{id}/mastery", "get") != nil {
		t.Error("a deleted operation is still documented")
	}
	if lookup(doc, "paths", "/api/v1/sections", "get") == nil {
		t.Error("an operation without a route is not in the document")
	}
}

func TestOpenAPIPath(t *testing.T) {
	tests := []struct {
		in, want string
		params   []string
	}{
		{"/{$}", "/", nil},
		{"/api/v1/classes/{id}/standards/{standardId}/mastery", "/api/v1/classes/{id}/standards/{standardId}/mastery", []string{"id", "standardId"}},
		{"/static/{name...}", "/static/{name}", []string{"name"}},
	}
	for _, tt := range tests {
		got, params := openAPIPath(tt.in)
		if got != tt.want || !cmp.Equal(params, tt.params) {
			t.Errorf("openAPIPath(%q) = %q %v, want %q %v", tt.in, got, params, tt.want, tt.params)
		}
	}
}

// TestOpenAPIMaxLength writes the limits of internal/limits into the
// schemas the API takes.
func TestOpenAPIMaxLength(t *testing.T) {
	m := newSchemaMaker()
	m.schema(reflect.TypeFor[evidenceInput]())
	m.schema(reflect.TypeFor[roster.Person]())
	props := func(name string) map[string]any {
		return m.components[name].(map[string]any)["properties"].(map[string]any)
	}
	for _, tt := range []struct {
		component, field string
		want             int
	}{
		{"EvidenceInput", "title", limits.Title},
		{"EvidenceInput", "comment", limits.Comment},
		{"Person", "givenName", limits.Name},
	} {
		if got := props(tt.component)[tt.field].(map[string]any)["maxLength"]; got != tt.want {
			t.Errorf("%s.%s maxLength = %v, want %d", tt.component, tt.field, got, tt.want)
		}
	}
}
