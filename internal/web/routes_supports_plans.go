package web

import "github.com/cairn-learning/cairn/internal/roster"

// registerSupportsPlanRoutes lists the routes of support plans and
// teachers' notes: the API, then the pages. Who may read or write a plan
// or a note is decided per student (access.Supports, access.Notes).
func (s *Server) registerSupportsPlanRoutes() {
	s.handle("studentSupportPlans", "GET /api/v1/students/{id}/supports", signedIn(), s.studentSupportPlans)
	s.handle("createSupportPlan", "POST /api/v1/students/{id}/supports", changing(), s.createSupportPlanAPI)
	s.handle("getSupportPlan", "GET /api/v1/supports/{id}", signedIn(), s.getSupportPlan)
	s.handle("patchSupportPlan", "PATCH /api/v1/supports/{id}", changing(), s.patchSupportPlan)
	s.handle("closeSupportPlan", "POST /api/v1/supports/{id}/close", changing(), s.closeSupportPlanAPI)
	s.handle("studentNotes", "GET /api/v1/students/{id}/notes", signedIn(), s.studentNotesAPI)
	s.handle("createNote", "POST /api/v1/students/{id}/notes", changing(), s.createNoteAPI)

	s.page("supportNew", "GET /students/{id}/supports/new", forRoles(recordingRoles...), s.supportNewPage)
	s.page("createPlanForm", "POST /students/{id}/supports", changingFor(recordingRoles...), s.createPlanForm)
	s.page("noteForm", "POST /students/{id}/notes", changingFor(recordingRoles...), s.noteFormPost)
	s.page("supportPlan", "GET /supports/{id}", forRoles(classRoles...), s.supportPlanPage)
	s.page("revisePlanForm", "POST /supports/{id}", changingFor(recordingRoles...), s.revisePlanForm)
	s.page("closePlanForm", "POST /supports/{id}/close", changingFor(recordingRoles...), s.closePlanForm)
	s.page("classSupports", "GET /classes/{id}/supports", forRoles(classRoles...), s.classSupportsPage)
	s.page("schoolSupports", "GET /schools/{id}/supports", forRoles(roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin), s.schoolSupportsPage)
}
