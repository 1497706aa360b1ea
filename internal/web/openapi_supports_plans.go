package web

import (
	"reflect"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/supports"
)

// supportsPlansDescription says who may read and change support plans.
const supportsPlansDescription = "Support plans are a student record of their own: the student, their guardians and the staff who teach, lead or coach them read them; " +
	"the student's teachers and the school's and district's administrators write them. A plan of a student the caller may not change is refused like a student who does not exist, and the refusal is logged."

// notesDescription says who may read and write teachers' notes.
const notesDescription = "Teachers' notes are for the staff who act on them: the student's teachers and the school's administrators read and write them, the district's administrators too; " +
	"students and guardians do not read them. A student the caller may not see is answered like one that does not exist."

// supportPlanOperations describe the routes of support plans and notes
// (api_supports_plans.go) for the OpenAPI document.
var supportPlanOperations = map[string]operation{
	"GET /api/v1/students/{id}/supports": {Tag: "supports", Summary: "A student's support plans",
		Description: "Every plan, open and closed, the most recently started first, each with its standards and, once closed, its outcome. " + supportsPlansDescription,
		Response:    supports.Plan{}, List: true},
	"POST /api/v1/students/{id}/supports": {Tag: "supports", Summary: "Plan a support",
		Description: "tier is 1, 2 or 3; kind one of reteach, tutoring, extension, referral; standardIds the standards worked on (at most 20; none only for a referral); providerId who gives it; " +
			"startsOn and endsOn days written as 2026-12-04, within a year. Each field refused is named. " + supportsPlansDescription,
		Body: supportPlanInput{}, Status: 201, Response: supportPlanJSON{}, Location: true},
	"GET /api/v1/supports/{id}": {Tag: "supports", Summary: "Get a support plan, with its progress",
		Description: "progress holds the scores on the plan's standards from the student's evidence assessed since the plan started, against the goal level (the scale's mastery cut), and a status: no_evidence, flat, rising or at_goal. " + supportsPlansDescription,
		Response:    supportPlanJSON{}},
	"PATCH /api/v1/supports/{id}": {Tag: "supports", Summary: "Edit an open support plan",
		Description: "Fields left out keep their value; endsOn \"\" removes the end. A closed plan is kept as it closed (409). The student cannot be changed. " + supportsPlansDescription,
		Body:        supportPlanPatch{}, Response: supportPlanJSON{}, Conflict: true},
	"POST /api/v1/supports/{id}/close": {Tag: "supports", Summary: "Close a support plan with its outcome",
		Description: "outcome is met, partly_met, not_met or discontinued; note says what happened. A plan closes once (409). " + supportsPlansDescription,
		Body:        supportCloseInput{}, Response: supportPlanJSON{}, Conflict: true},
	"GET /api/v1/students/{id}/notes": {Tag: "supports", Summary: "Teachers' notes about a student",
		Description: "Comments and behaviour notes, the latest first, at most 200. " + notesDescription,
		Response:    supports.Note{}, List: true},
	"POST /api/v1/students/{id}/notes": {Tag: "supports", Summary: "Write a note about a student",
		Description: "kind is comment or behaviour; text what happened or what to know. at is set by the server. " + notesDescription,
		Body:        noteInput{}, Status: 201, Response: supports.Note{}},
}

func init() {
	for k, v := range supportPlanOperations {
		operations[k] = v
	}
	for t, fields := range map[reflect.Type]map[string]int{
		reflect.TypeFor[supportPlanInput]():   {"schedule": limits.Title, "goal": limits.Comment},
		reflect.TypeFor[supportPlanPatch]():   {"schedule": limits.Title, "goal": limits.Comment},
		reflect.TypeFor[supports.PlanDraft](): {"schedule": limits.Title, "goal": limits.Comment},
		reflect.TypeFor[supports.Plan]():      {"outcomeNote": limits.Comment},
		reflect.TypeFor[supportCloseInput]():  {"note": limits.Comment},
		reflect.TypeFor[noteInput]():          {"text": limits.Comment},
		reflect.TypeFor[supports.Note]():      {"text": limits.Comment},
	} {
		for name, n := range fields {
			maxLengths[textField{t, name}] = n
		}
	}
	enums[reflect.TypeFor[supports.Kind]()] = []string{"reteach", "tutoring", "extension", "referral"}
	enums[reflect.TypeFor[supports.Outcome]()] = []string{"met", "partly_met", "not_met", "discontinued"}
	enums[reflect.TypeFor[supports.NoteKind]()] = []string{"comment", "behaviour"}
	enums[reflect.TypeFor[supports.ProgressStatus]()] = []string{"no_evidence", "flat", "rising", "at_goal"}
}
