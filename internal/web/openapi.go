package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// operation describes one route for the OpenAPI document. Bodies are
// given as values of their Go types; their schemas are derived from the
// types, so they cannot drift from what the handlers decode and encode.
type operation struct {
	Summary     string
	Description string
	Tag         string
	Query       []queryParam
	// Body is a value of the request body's type, nil when there is none.
	Body any
	// Status is the success status (200 when zero).
	Status int
	// Response is a value of the success body's type; nil for no body.
	Response any
	// List says the success body is a list envelope of Response items.
	List bool
	// ContentType is the success body's media type when it is not JSON;
	// several are separated by ", ".
	ContentType string
	// Conflict says the operation may answer 409 (a sourcedId in use, a
	// state that does not allow it).
	Conflict bool
	// Location says a 201 carries the new record's address.
	Location bool
	// CASE says the operation is of the CASE service, which answers its
	// own failures with CASE status bodies (imsx_StatusInfo).
	CASE bool
	// Errors are statuses the operation may answer beyond those every
	// operation of its kind may (live updates: 404, 429, 503).
	Errors []int
}

// queryParam is one query string parameter.
type queryParam struct {
	Name, Description string
	Schema            map[string]any
	Required          bool
}

var (
	limitParam = queryParam{"limit", "Most items on the page (1 to 500; 50 when absent).",
		map[string]any{"type": "integer", "minimum": 1, "maximum": 500}, false}
	afterParam = queryParam{"after", "The `next` cursor of the previous page.",
		map[string]any{"type": "string"}, false}
	paging = []queryParam{limitParam, afterParam}
	// includeRetiredParam brings back what an import has retired.
	includeRetiredParam = queryParam{"includeRetired", "Include records an import has retired (they carry retiredAt).",
		map[string]any{"type": "boolean"}, false}
	rosterPaging = []queryParam{includeRetiredParam, limitParam, afterParam}
)

func idQuery(name, desc string, required bool) queryParam {
	return queryParam{name, desc, map[string]any{"type": "integer", "format": "int64", "minimum": 1}, required}
}

// operations describes every route by its pattern.
var operations = map[string]operation{
	"GET /healthz": {Tag: "operations", Summary: "Whether the process is up",
		Description: "Answers 200 while the process runs, whatever the database does.", Response: map[string]string{}},
	"GET /readyz": {Tag: "operations", Summary: "Whether the server can serve",
		Description: "Answers 200 when the database answers, and 503 with a problem document when it does not.", Response: map[string]string{}},
	"GET /metrics": {Tag: "operations", Summary: "Prometheus metrics",
		Description: "Request latency by route (cairn_http_request_duration_seconds), evidence recorded (cairn_evidence_recorded_total), mastery states updated (cairn_mastery_updates_total), and the Go runtime and process.",
		Response:    "", ContentType: "text/plain"},
	"GET /static/{name}": {Tag: "pages", Summary: "A static asset of the pages",
		Description: "Assets (the stylesheet and the optional script of the pages) are served under names that carry a hash of their content, and may be cached for a year; gzip-compressed when the client accepts it.",
		Response:    "", ContentType: "text/css, text/javascript"},
	"GET /api/v1/openapi.json": {Tag: "operations", Summary: "This document", Response: map[string]any{}},

	"GET /api/v1/schools":        {Tag: "roster", Summary: "List schools", Query: rosterPaging, Response: roster.School{}, List: true},
	"POST /api/v1/schools":       {Tag: "roster", Summary: "Create a school", Body: roster.School{}, Status: 201, Response: roster.School{}, Conflict: true, Location: true},
	"GET /api/v1/schools/{id}":   {Tag: "roster", Summary: "Get a school", Response: roster.School{}},
	"PATCH /api/v1/schools/{id}": {Tag: "roster", Summary: "Change a school", Description: patchDescription, Body: roster.School{}, Response: roster.School{}, Conflict: true},
	"GET /api/v1/terms":          {Tag: "roster", Summary: "List terms", Query: rosterPaging, Response: roster.Term{}, List: true},
	"POST /api/v1/terms":         {Tag: "roster", Summary: "Create a term", Body: roster.Term{}, Status: 201, Response: roster.Term{}, Conflict: true, Location: true},
	"GET /api/v1/terms/{id}":     {Tag: "roster", Summary: "Get a term", Response: roster.Term{}},
	"PATCH /api/v1/terms/{id}":   {Tag: "roster", Summary: "Change a term", Description: patchDescription, Body: roster.Term{}, Response: roster.Term{}, Conflict: true},
	"GET /api/v1/courses":        {Tag: "roster", Summary: "List courses", Query: rosterPaging, Response: roster.Course{}, List: true},
	"POST /api/v1/courses":       {Tag: "roster", Summary: "Create a course", Body: roster.Course{}, Status: 201, Response: roster.Course{}, Conflict: true, Location: true},
	"GET /api/v1/courses/{id}":   {Tag: "roster", Summary: "Get a course", Response: roster.Course{}},
	"PATCH /api/v1/courses/{id}": {Tag: "roster", Summary: "Change a course", Description: patchDescription, Body: roster.Course{}, Response: roster.Course{}, Conflict: true},
	"GET /api/v1/classes":        {Tag: "roster", Summary: "List classes", Query: rosterPaging, Response: roster.Class{}, List: true},
	"POST /api/v1/classes":       {Tag: "roster", Summary: "Create a class", Body: roster.Class{}, Status: 201, Response: roster.Class{}, Conflict: true, Location: true},
	"GET /api/v1/classes/{id}":   {Tag: "roster", Summary: "Get a class", Response: roster.Class{}},
	"PATCH /api/v1/classes/{id}": {Tag: "roster", Summary: "Change a class", Description: patchDescription, Body: roster.Class{}, Response: roster.Class{}, Conflict: true},
	"GET /api/v1/people": {Tag: "roster", Summary: "List people",
		Query: []queryParam{
			{"role", "Only people holding this role.", map[string]any{"type": "string", "enum": enums[reflect.TypeFor[roster.Role]()]}, false},
			idQuery("school", "Only people of this school.", false),
			includeRetiredParam, limitParam, afterParam,
		},
		Response: roster.Person{}, List: true},
	"POST /api/v1/people":             {Tag: "roster", Summary: "Create a person", Body: roster.Person{}, Status: 201, Response: roster.Person{}, Conflict: true, Location: true},
	"GET /api/v1/people/{id}":         {Tag: "roster", Summary: "Get a person", Response: roster.Person{}},
	"PATCH /api/v1/people/{id}":       {Tag: "roster", Summary: "Change a person", Description: patchDescription, Body: roster.Person{}, Response: roster.Person{}, Conflict: true},
	"GET /api/v1/people/{id}/classes": {Tag: "roster", Summary: "Classes a person teaches or attends", Response: roster.Class{}, List: true},

	"GET /api/v1/classes/{id}/enrollments": {Tag: "roster", Summary: "A class's enrollments",
		Description: "Every enrollment the class ever had, ended, future and retired ones included; a student's only when the caller may see that student.",
		Response:    roster.Enrollment{}, List: true},
	"POST /api/v1/classes/{id}/enrollments": {Tag: "roster", Summary: "Enroll a student or a teacher in a class",
		Description: "The person must hold the role they are enrolled with. classId may be left out; it comes from the URL.",
		Body:        roster.Enrollment{}, Status: 201, Response: roster.Enrollment{}, Conflict: true},
	"GET /api/v1/classes/{id}/students": {Tag: "roster", Summary: "A class's students, by family then given name",
		Description: "The students whose enrollment in the class is active today (from 14 days before it begins to a day after it ends) and whom the caller may see.",
		Response:    roster.Person{}, List: true},

	"GET /api/v1/students/{id}/guardians": {Tag: "roster", Summary: "A student's guardians", Response: roster.Person{}, List: true},
	"POST /api/v1/students/{id}/guardians": {Tag: "roster", Summary: "Link a guardian to a student",
		Description: "The guardian must hold the guardian role.", Body: guardianLinkInput{}, Status: 201, Response: roster.GuardianLink{}, Conflict: true},
	"GET /api/v1/guardians/{id}/children": {Tag: "roster", Summary: "The students a guardian is responsible for", Response: roster.Person{}, List: true},

	"GET /api/v1/scales": {Tag: "standards", Summary: "List proficiency scales", Response: standards.Scale{}, List: true},
	"POST /api/v1/scales": {Tag: "standards", Summary: "Create a proficiency scale",
		Description: "Levels must increase, and the mastery cut must be one of them.", Body: standards.Scale{}, Status: 201, Response: standards.Scale{}, Location: true},
	"GET /api/v1/scales/{id}":       {Tag: "standards", Summary: "Get a proficiency scale", Response: standards.Scale{}},
	"GET /api/v1/frameworks":        {Tag: "standards", Summary: "List frameworks", Response: standards.Framework{}, List: true},
	"POST /api/v1/frameworks":       {Tag: "standards", Summary: "Create a framework", Body: standards.Framework{}, Status: 201, Response: standards.Framework{}, Conflict: true, Location: true},
	"GET /api/v1/frameworks/{id}":   {Tag: "standards", Summary: "Get a framework", Response: standards.Framework{}},
	"PATCH /api/v1/frameworks/{id}": {Tag: "standards", Summary: "Change a framework", Description: patchDescription, Body: standards.Framework{}, Response: standards.Framework{}, Conflict: true},
	"GET /api/v1/frameworks/{id}/standards": {Tag: "standards", Summary: "A framework's standards",
		Description: "By id a page at a time, or with order=hierarchy the whole framework depth-first in hierarchy order (not paged).",
		Query: []queryParam{
			{"order", "id (the default, paged) or hierarchy (the whole framework).", map[string]any{"type": "string", "enum": []string{"id", "hierarchy"}}, false},
			limitParam, afterParam,
		},
		Response: standards.Standard{}, List: true},
	"POST /api/v1/standards": {Tag: "standards", Summary: "Create a standard",
		Description: "A parent must be in the same framework.", Body: standards.Standard{}, Status: 201, Response: standards.Standard{}, Conflict: true, Location: true},
	"GET /api/v1/standards/{id}": {Tag: "standards", Summary: "Get a standard", Response: standards.Standard{}},
	"PATCH /api/v1/standards/{id}": {Tag: "standards", Summary: "Change a standard",
		Description: patchDescription + " The framework cannot change, and the hierarchy cannot loop.", Body: standards.Standard{}, Response: standards.Standard{}, Conflict: true},
	"GET /api/v1/standards/{id}/prerequisites": {Tag: "standards", Summary: "The standards to master before this one", Response: standards.Standard{}, List: true},
	"GET /api/v1/standards/{id}/items": {Tag: "standards", Summary: "The items (reusable questions) of a standard, by key",
		Description: "A score names an item by itemId or itemKey; cairn makes an item the first time a key is used. difficulty is the item's rating in the ability model as last fitted.",
		Response:    itemView{}, List: true},
	"POST /api/v1/standards/{id}/prerequisites": {Tag: "standards", Summary: "Add a prerequisite",
		Description: "A prerequisite that would make a cycle is refused.", Body: prerequisiteInput{}, Status: 201, Response: standards.Prerequisite{}, Conflict: true},
	"GET /api/v1/courses/{id}/standards": {Tag: "standards", Summary: "A course's standards, in hierarchy order", Response: standards.Standard{}, List: true},
	"PUT /api/v1/courses/{id}/standards": {Tag: "standards", Summary: "Replace a course's standards",
		Body: courseStandardsInput{}, Response: standards.Standard{}, List: true},

	"POST /api/v1/evidence": {Tag: "evidence", Summary: "Record a piece of evidence",
		Description: "Each score gives a level of the standard's scale or points between minPoints and maxPoints. A classId must name a class the student was enrolled in on the day assessed. The student's mastery of each scored standard and its ancestors is updated in the same transaction.",
		Body:        evidenceInput{}, Status: 201, Response: evidence.Evidence{}, Location: true},
	"POST /api/v1/evidence/batch": {Tag: "evidence", Summary: "Record many pieces of evidence, all or nothing",
		Description: "A refusal names the record (its zero-based position, in `record`) and the field; nothing is written.",
		Body:        []evidenceInput{}, Status: 201, Response: evidence.Evidence{}, List: true},
	"GET /api/v1/evidence/{id}": {Tag: "evidence", Summary: "Get a piece of evidence", Response: evidence.Evidence{}},
	"POST /api/v1/evidence/{id}/void": {Tag: "evidence", Summary: "Void a piece of evidence",
		Description: "Voided evidence stays on record but no longer counts toward mastery, which is recomputed. Voiding twice is a conflict.",
		Body:        voidInput{}, Response: evidence.Evidence{}, Conflict: true},
	"GET /api/v1/students/{id}/evidence": {Tag: "evidence", Summary: "A student's evidence, newest assessed first",
		Query: []queryParam{
			idQuery("standard", "Only evidence scored on this standard.", false),
			{"includeVoided", "Include voided evidence.", map[string]any{"type": "boolean"}, false},
			limitParam, afterParam,
		},
		Response: evidence.Evidence{}, List: true},

	"GET /api/v1/students/{id}/mastery": {Tag: "mastery", Summary: "A student's mastery of every standard with evidence",
		Description: "Without explanations; ask for one standard to get its explanation. stalledBelow names the prerequisites of a standard not mastered yet that the student has worked on and not mastered either: what to master first.",
		Response:    masteryJSON{}, List: true},
	"GET /api/v1/students/{id}/standards/{standardId}/mastery": {Tag: "mastery", Summary: "A student's mastery of one standard, and why",
		Description: "State is null and assessed false while there is no evidence. Summary says in plain words how the state was reached.",
		Response:    standardMasteryJSON{}},
	"GET /api/v1/classes/{id}/mastery": {Tag: "mastery", Summary: "A class's mastery matrix",
		Description: "The class's students of today whom the caller may see, against its course's standards: cells[i][j] is students[i] on standards[j], or null when there is no evidence yet.",
		Response:    classMatrixJSON{}},
	"GET /api/v1/classes/{id}/standards/{standardId}/mastery": {Tag: "mastery", Summary: "A class's students' mastery of one standard",
		Description: "One item per student of the class of today, whom the caller may see, with evidence on the standard.", Response: classStandardMasteryJSON{}},

	"GET /api/v1/classes/{id}/pace": {Tag: "pace", Summary: "A class's pace against the plan and the term",
		Description: "For each student of the class of today whom the caller may see: the plan's targets mastered against those expected by today, the status (ahead, on_track, behind) by the district's thresholds, and the projected date of the last target with its 80% range (earliest, latest), absent when there is too little to project from. A student without a plan of their own follows the course's standards spread evenly across the class's term.",
		Response:    classPaceJSON{}},

	"GET /api/v1/policy": {Tag: "policy", Summary: "The district's mastery policy", Response: mastery.Policy{}},
	"PUT /api/v1/policy": {Tag: "policy", Summary: "Change the district's mastery policy",
		Description: "The change is recorded with who made it and why, and every mastery state it affects is recomputed.",
		Body:        policyInput{}, Response: mastery.Policy{}},
	"GET /api/v1/policy/changes": {Tag: "policy", Summary: "Every recorded change of a mastery policy", Response: policyChangeJSON{}, List: true},
	"GET /api/v1/courses/{id}/policy": {Tag: "policy", Summary: "The mastery policy in force for a course",
		Description: "The course's own policy (source course) or the district's (source district).", Response: coursePolicyJSON{}},
	"PUT /api/v1/courses/{id}/policy": {Tag: "policy", Summary: "Give a course its own mastery policy",
		Body: policyInput{}, Response: coursePolicyJSON{}},
	"DELETE /api/v1/courses/{id}/policy": {Tag: "policy", Summary: "Remove a course's own mastery policy",
		Description: "The district's policy applies again; the change is recorded and mastery recomputed.",
		Query:       []queryParam{idQuery("changedBy", "The person removing the policy: you, if given.", false)},
		Status:      204},
	"POST /api/v1/mastery/rebuild": {Tag: "policy", Summary: "Rebuild the district's mastery from its evidence",
		Description: "Recomputes every mastery state in one transaction and answers when done.", Response: rebuildJSON{}},

	"GET " + casePrefix + "/CFDocuments": {Tag: "case", CASE: true, Summary: "The frameworks' CASE documents, by title",
		Description: caseDescription + " X-Total-Count gives the number of documents that match the filter, and Link the first, previous, next and last pages (RFC 8288).",
		Query: []queryParam{
			{"limit", "Most documents in the answer (100 when absent).", map[string]any{"type": "integer", "minimum": 1}, false},
			{"offset", "How many documents to skip.", map[string]any{"type": "integer", "minimum": 0}, false},
			{"sort", "The CFDocument field to order by (title when absent); another name is refused (invalid_sort_field).", map[string]any{"type": "string"}, false},
			{"orderBy", "asc (when absent) or desc.", map[string]any{"type": "string", "enum": []string{"asc", "desc"}}, false},
			{"filter", "Conditions field<predicate>'value' joined by \" AND \" or by \" OR \", the predicates = != > >= < <= ~ (contains), as the CASE 1.1 REST binding writes them: title~'math' AND adoptionStatus='Adopted'. A filter that cannot be read, or names no CFDocument field, is refused (invalid_selection_field).", map[string]any{"type": "string"}, false},
			{"fields", "The CFDocument fields to answer, separated by commas; each document then holds only those. An unknown field is refused (invalid_selection_field).", map[string]any{"type": "string"}, false},
		},
		Response: caseDocumentsJSON{}},
	"GET " + casePrefix + "/CFDocuments/{sourcedId}": {Tag: "case", CASE: true, Summary: "One framework's CASE document",
		Description: caseDescription, Response: casepkg.CFDocument{}},
	"GET " + casePrefix + "/CFPackages/{sourcedId}": {Tag: "case", CASE: true, Summary: "One framework as a whole CASE package",
		Description: caseDescription + " The package is what `cairn export case` writes, and what `cairn import case URL` reads.",
		Response:    casepkg.CFPackage{}},
	"GET " + casePrefix + "/CFItems/{sourcedId}": {Tag: "case", CASE: true, Summary: "One standard as a CASE item",
		Description: caseDescription, Response: casepkg.CFItem{}},
	"GET " + casePrefix + "/CFAssociations/{sourcedId}": {Tag: "case", CASE: true, Summary: "One CASE association: a standard's parent, a prerequisite, a crosswalk",
		Description: caseDescription, Response: casepkg.CFAssociation{}},
}

// caseDescription is said of every operation of the CASE service.
const caseDescription = "The CASE 1.1 service: public and read-only, in the district the server serves (or the caller's, with a token). " +
	"Failures answer a CASE status (imsx_StatusInfo), not a problem document."

const patchDescription = "A partial update: the fields sent replace the record's, the others stay. id and districtId cannot change."

// pathParamDocs describes the parameters in route paths.
var pathParamDocs = map[string]string{
	"id":         "The record's id. An id that is not a positive number names nothing (404).",
	"standardId": "The standard's id.",
	"name":       "The asset's hashed name.",
	"sourcedId":  "The CASE identifier, a UUID. One that is not a UUID is refused (400, invalid_uuid); one that names nothing answers 404 (unknownobject).",
}

// caseErrorResponses are the CASE service's own failures, by status.
var caseErrorResponses = map[int]string{
	400: "A sourcedId that is not a UUID (invalid_uuid), a bad limit, offset, filter or fields (invalid_selection_field), or a bad sort or orderBy (invalid_sort_field).",
	404: "No such object on this server (unknownobject).",
	401: "A token was sent and is not valid (unauthorisedrequest): the service needs none, but one sent must be good.",
	405: "The service only reads: any method but GET is refused (forbidden); Allow lists GET.",
	500: "The server failed (internal_server_error); the cause is logged under the request id.",
}

// errorResponses are the problem answers, by status.
var errorResponses = map[int]string{
	400: "Malformed request: JSON that does not parse (with its line and column), an unknown field, a value of the wrong type, a bad query parameter.",
	401: "No valid credentials: send a personal access token as Authorization: Bearer cairn_pat_... (or sign in, in a browser).",
	403: "Forbidden: none of your roles may do this, a read-only token tried to change something, or a browser request came from another site or without the form token.",
	404: "No such record in this district (or an id in the URL that is not a number).",
	405: "The method is not allowed on this path; Allow lists those that are.",
	409: "Conflict: a sourcedId already in use, or a state that does not allow the change.",
	413: "The request body is too large.",
	415: "The request body is not JSON.",
	422: "Invalid input: errors names each field and why; record names the record of a batch.",
	429: "Too many requests: a limit of this server, named in detail; Retry-After says when to try again.",
	500: "The server failed; the cause is logged under the request id.",
	503: "The database does not answer.",
}

// buildOpenAPI writes the OpenAPI 3.1 document for ops, naming each
// operation after its registered route and saying which need a token.
func buildOpenAPI(ops map[string]operation, routes map[string]route) ([]byte, error) {
	sm := newSchemaMaker()
	problemRef := sm.schema(reflect.TypeFor[problemDetails]())
	paths := map[string]map[string]any{}
	patterns := make([]string, 0, len(ops))
	for p := range ops {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		op := ops[pattern]
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			return nil, fmt.Errorf("operation %q has no method", pattern)
		}
		apiPath, params := openAPIPath(path)
		o := map[string]any{"summary": op.Summary, "tags": []string{op.Tag}}
		if op.Description != "" {
			o["description"] = op.Description
		}
		rt, registered := routes[pattern]
		if registered {
			o["operationId"] = rt.Name
		} else {
			o["operationId"] = strings.ToLower(method) + strings.NewReplacer("/", "_", "{", "", "}", "", "$", "", ".", "_").Replace(path)
		}
		var parameters []any
		for _, p := range params {
			schema := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
			switch p {
			case "name":
				schema = map[string]any{"type": "string"}
			case "sourcedId":
				schema = map[string]any{"type": "string", "format": "uuid"}
			}
			parameters = append(parameters, map[string]any{"name": p, "in": "path", "required": true,
				"description": pathParamDocs[p], "schema": schema})
		}
		for _, q := range op.Query {
			parameters = append(parameters, map[string]any{"name": q.Name, "in": "query", "required": q.Required,
				"description": q.Description, "schema": q.Schema})
		}
		if len(parameters) > 0 {
			o["parameters"] = parameters
		}
		if op.Body != nil {
			ct := "application/json"
			if method == http.MethodPatch {
				ct = "application/merge-patch+json"
			}
			content := map[string]any{ct: map[string]any{"schema": sm.schema(reflect.TypeOf(op.Body))}}
			if ct != "application/json" {
				content["application/json"] = content[ct]
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		success := map[string]any{"description": http.StatusText(status)}
		switch {
		case op.Response == nil:
		case op.ContentType != "":
			content := map[string]any{}
			for _, ct := range strings.Split(op.ContentType, ", ") {
				content[ct] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			success["content"] = content
		case op.List:
			success["content"] = map[string]any{"application/json": map[string]any{"schema": listSchema(sm.schema(reflect.TypeOf(op.Response)))}}
		default:
			success["content"] = map[string]any{"application/json": map[string]any{"schema": sm.schema(reflect.TypeOf(op.Response))}}
		}
		if op.Location {
			success["headers"] = map[string]any{"Location": map[string]any{"description": "The new record's address.", "schema": map[string]any{"type": "string"}}}
		}
		responses := map[string]any{strconv.Itoa(status): success}
		errs := []int{405, 500}
		if len(params) > 0 {
			errs = append(errs, 404)
		}
		if len(op.Query) > 0 || op.Body != nil || op.CASE {
			errs = append(errs, 400)
		}
		if op.Body != nil || pattern == "DELETE /api/v1/courses/{id}/policy" {
			errs = append(errs, 422)
		}
		if op.Body != nil {
			errs = append(errs, 413, 415)
		}
		if op.Conflict {
			errs = append(errs, 409)
		}
		if pattern == "GET /readyz" {
			errs = append(errs, 503)
		}
		errs = append(errs, op.Errors...)
		if registered && rt.Policy.public {
			o["security"] = []any{}
			if op.CASE {
				errs = append(errs, 401) // a token sent must be good
			}
		} else {
			errs = append(errs, 401, 403)
		}
		for _, code := range errs {
			name := strconv.Itoa(code)
			if _, own := caseErrorResponses[code]; own && op.CASE {
				name = "case" + name
			}
			responses[strconv.Itoa(code)] = map[string]any{"$ref": "#/components/responses/" + name}
		}
		o["responses"] = responses
		if paths[apiPath] == nil {
			paths[apiPath] = map[string]any{}
		}
		paths[apiPath][strings.ToLower(method)] = o
	}
	respComponents := map[string]any{}
	for code, desc := range errorResponses {
		respComponents[strconv.Itoa(code)] = map[string]any{"description": desc,
			"content": map[string]any{"application/problem+json": map[string]any{"schema": problemRef}}}
	}
	// With fields, each document of the CASE list holds only the fields
	// asked for: a CFDocument, or some of its fields.
	if set, ok := sm.components["CFDocumentSet"].(map[string]any); ok {
		docRef := sm.schema(reflect.TypeFor[casepkg.CFDocument]())
		name := strings.TrimPrefix(docRef["$ref"].(string), "#/components/schemas/")
		partial := map[string]any{"minProperties": 1}
		for k, v := range sm.components[name].(map[string]any) {
			if k != "required" {
				partial[k] = v
			}
		}
		partial["description"] = "Some fields of a CFDocument: those the fields parameter asked for."
		set["properties"].(map[string]any)["CFDocuments"] = map[string]any{"type": "array",
			"items": map[string]any{"anyOf": []any{docRef, partial}}}
	}
	caseStatus := sm.schema(reflect.TypeFor[caseStatusJSON]())
	for code, desc := range caseErrorResponses {
		respComponents["case"+strconv.Itoa(code)] = map[string]any{"description": desc,
			"content": map[string]any{"application/json": map[string]any{"schema": caseStatus}}}
	}
	problemTypeURIs := make([]string, 0, len(problemTypes))
	for _, t := range problemTypes {
		problemTypeURIs = append(problemTypeURIs, problemTypeBase+t.slug)
	}
	sort.Strings(problemTypeURIs)
	if p, ok := sm.components["Problem"].(map[string]any); ok {
		p["description"] = "An RFC 9457 problem document. errors and record are cairn's extensions."
		props := p["properties"].(map[string]any)
		props["type"] = map[string]any{"type": "string", "enum": problemTypeURIs}
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "cairn API",
			"version": "1",
			"description": "The JSON API of a cairn server. Every request is made on behalf of a person: send one of their personal access tokens " +
				"(made on the page /account/tokens) as Authorization: Bearer cairn_pat_.... The token sees and changes only what its owner may, " +
				"in its owner's district, and a read-only token changes nothing. A student's record the owner has no relation to answers 404, like one that does not exist. " +
				"Lists answer {\"items\": [...], \"next\": \"...\"}: pass next back as ?after= for the following page. " +
				"Every error is an RFC 9457 problem document (application/problem+json).",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{"schemas": sm.components, "responses": respComponents,
			"securitySchemes": map[string]any{"token": map[string]any{"type": "http", "scheme": "bearer",
				"description": "A personal access token, cairn_pat_ followed by 43 characters."}}},
		"security": []any{map[string]any{"token": []any{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// listSchema is the schema of the list envelope around items.
func listSchema(items map[string]any) map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []string{"items"},
		"properties": map[string]any{
			"items": map[string]any{"type": "array", "items": items},
			"next":  map[string]any{"type": "string", "description": "Cursor of the next page, absent on the last; pass it as ?after=."},
		},
	}
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_$]+)(\.\.\.)?\}`)

// openAPIPath turns a ServeMux path into an OpenAPI path and its
// parameters: "/{$}" is "/", "{name...}" is "{name}".
func openAPIPath(p string) (string, []string) {
	var params []string
	out := wildcard.ReplaceAllStringFunc(p, func(m string) string {
		name := wildcard.FindStringSubmatch(m)[1]
		if name == "$" {
			return ""
		}
		params = append(params, name)
		return "{" + name + "}"
	})
	return out, params
}

// openAPI serves the document built at start.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(s.openapi)))
	w.WriteHeader(http.StatusOK)
	w.Write(s.openapi)
	return nil
}
