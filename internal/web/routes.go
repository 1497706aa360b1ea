package web

import (
	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
)

// registerRoutes lists every route the server answers. Each goes through
// s.handle (the API) or s.page (pages) with a name and its access policy
// (policy.go), which registration cannot do without. The OpenAPI document
// (openapi.go) describes each API pattern, and a test holds the two lists
// equal.
func (s *Server) registerRoutes() {
	// Operations.
	s.handle("healthz", "GET /healthz", operational(), s.healthz)
	s.handle("readyz", "GET /readyz", operational(), s.readyz)
	s.handle("metrics", "GET /metrics", operational(), s.metricsHandler)

	// Live updates: the event stream a page follows (live.go).
	s.handle("liveEvents", liveEventsRoute, signedIn(), s.liveEvents)

	// The pages' assets.
	s.handle("staticAsset", "GET /static/{name}", operational(), s.staticAsset)

	// The API's own description.
	s.handle("openapi", "GET /api/v1/openapi.json", operational(), s.openAPI)

	// Roster.
	s.handle("listSchools", "GET /api/v1/schools", signedIn(), s.listSchools)
	s.handle("createSchool", "POST /api/v1/schools", onResource(access.Change, access.Roster), s.createSchool)
	s.handle("getSchool", "GET /api/v1/schools/{id}", signedIn(), s.getSchool)
	s.handle("patchSchool", "PATCH /api/v1/schools/{id}", onResource(access.Change, access.Roster), s.patchSchool)

	s.handle("listTerms", "GET /api/v1/terms", signedIn(), s.listTerms)
	s.handle("createTerm", "POST /api/v1/terms", onResource(access.Change, access.Roster), s.createTerm)
	s.handle("getTerm", "GET /api/v1/terms/{id}", signedIn(), s.getTerm)
	s.handle("patchTerm", "PATCH /api/v1/terms/{id}", onResource(access.Change, access.Roster), s.patchTerm)

	s.handle("listCourses", "GET /api/v1/courses", signedIn(), s.listCourses)
	s.handle("createCourse", "POST /api/v1/courses", onResource(access.Change, access.Roster), s.createCourse)
	s.handle("getCourse", "GET /api/v1/courses/{id}", signedIn(), s.getCourse)
	s.handle("patchCourse", "PATCH /api/v1/courses/{id}", onResource(access.Change, access.Roster), s.patchCourse)

	s.handle("listClasses", "GET /api/v1/classes", signedIn(), s.listClasses)
	s.handle("createClass", "POST /api/v1/classes", onResource(access.Change, access.Roster), s.createClass)
	s.handle("getClass", "GET /api/v1/classes/{id}", signedIn(), s.getClass)
	s.handle("patchClass", "PATCH /api/v1/classes/{id}", onResource(access.Change, access.Roster), s.patchClass)

	s.handle("listPeople", "GET /api/v1/people", onResource(access.View, access.Roster), s.listPeople)
	s.handle("createPerson", "POST /api/v1/people", onResource(access.Change, access.Roster), s.createPerson)
	s.handle("getPerson", "GET /api/v1/people/{id}", signedIn(), s.getPerson)
	s.handle("patchPerson", "PATCH /api/v1/people/{id}", onResource(access.Change, access.Roster), s.patchPerson)

	s.handle("listEnrollments", "GET /api/v1/classes/{id}/enrollments", signedIn(), s.listEnrollments)
	s.handle("createEnrollment", "POST /api/v1/classes/{id}/enrollments", onResource(access.Change, access.Roster), s.createEnrollment)
	s.handle("classStudents", "GET /api/v1/classes/{id}/students", signedIn(), s.classStudents)
	s.handle("personClasses", "GET /api/v1/people/{id}/classes", signedIn(), s.personClasses)

	s.handle("listGuardians", "GET /api/v1/students/{id}/guardians", signedIn(), s.listGuardians)
	s.handle("linkGuardian", "POST /api/v1/students/{id}/guardians", onResource(access.Change, access.Roster), s.linkGuardian)
	s.handle("guardianChildren", "GET /api/v1/guardians/{id}/children", signedIn(), s.guardianChildren)

	// Standards.
	s.handle("listScales", "GET /api/v1/scales", signedIn(), s.listScales)
	s.handle("createScale", "POST /api/v1/scales", onResource(access.Change, access.Scales), s.createScale)
	s.handle("getScale", "GET /api/v1/scales/{id}", signedIn(), s.getScale)

	s.handle("listFrameworks", "GET /api/v1/frameworks", signedIn(), s.listFrameworks)
	s.handle("createFramework", "POST /api/v1/frameworks", onResource(access.Change, access.Standards), s.createFramework)
	s.handle("getFramework", "GET /api/v1/frameworks/{id}", signedIn(), s.getFramework)
	s.handle("patchFramework", "PATCH /api/v1/frameworks/{id}", onResource(access.Change, access.Standards), s.patchFramework)
	s.handle("frameworkStandards", "GET /api/v1/frameworks/{id}/standards", signedIn(), s.frameworkStandards)

	s.handle("createStandard", "POST /api/v1/standards", onResource(access.Change, access.Standards), s.createStandard)
	s.handle("getStandard", "GET /api/v1/standards/{id}", signedIn(), s.getStandard)
	s.handle("patchStandard", "PATCH /api/v1/standards/{id}", onResource(access.Change, access.Standards), s.patchStandard)
	s.handle("listPrerequisites", "GET /api/v1/standards/{id}/prerequisites", signedIn(), s.listPrerequisites)
	s.handle("listStandardItems", "GET /api/v1/standards/{id}/items", signedIn(), s.listStandardItems)
	s.handle("addPrerequisite", "POST /api/v1/standards/{id}/prerequisites", onResource(access.Change, access.Standards), s.addPrerequisite)
	s.handle("getCourseStandards", "GET /api/v1/courses/{id}/standards", signedIn(), s.getCourseStandards)
	s.handle("putCourseStandards", "PUT /api/v1/courses/{id}/standards", onResource(access.Change, access.Standards), s.putCourseStandards)

	// Evidence.
	s.handle("recordEvidence", "POST /api/v1/evidence", changing(), s.recordEvidence)
	s.handle("recordEvidenceBatch", "POST /api/v1/evidence/batch", changing(), s.recordEvidenceBatch)
	s.handle("getEvidence", "GET /api/v1/evidence/{id}", signedIn(), s.getEvidence)
	s.handle("voidEvidence", "POST /api/v1/evidence/{id}/void", changing(), s.voidEvidence)
	s.handle("studentEvidence", "GET /api/v1/students/{id}/evidence", signedIn(), s.studentEvidence)

	// Mastery.
	s.handle("studentMastery", "GET /api/v1/students/{id}/mastery", signedIn(), s.studentMastery)
	s.handle("studentStandardMastery", "GET /api/v1/students/{id}/standards/{standardId}/mastery", signedIn(), s.studentStandardMastery)
	s.handle("classMastery", "GET /api/v1/classes/{id}/mastery", signedIn(), s.classMastery)
	s.handle("classStandardMastery", "GET /api/v1/classes/{id}/standards/{standardId}/mastery", signedIn(), s.classStandardMastery)
	s.handle("getClassPace", "GET /api/v1/classes/{id}/pace", signedIn(), s.classPaceAPI)

	// Goals and proposals: a student's goals record (access.Goals).
	s.handle("studentGoals", "GET /api/v1/students/{id}/goals", signedIn(), s.studentGoals)
	s.handle("createGoal", "POST /api/v1/students/{id}/goals", changing(), s.createGoal)
	s.handle("getGoal", "GET /api/v1/goals/{id}", signedIn(), s.getGoal)
	s.handle("reflectOnGoal", "POST /api/v1/goals/{id}/reflection", changing(), s.reflectOnGoal)
	s.handle("commentOnGoal", "POST /api/v1/goals/{id}/comments", changing(), s.commentOnGoal)
	s.handle("studentProposals", "GET /api/v1/students/{id}/proposals", signedIn(), s.studentProposals)
	s.handle("createProposal", "POST /api/v1/students/{id}/proposals", changing(), s.createProposal)
	s.handle("getProposal", "GET /api/v1/proposals/{id}", signedIn(), s.getProposal)
	s.handle("reviseProposal", "POST /api/v1/proposals/{id}/revision", changing(), s.reviseProposal)
	s.handle("decideProposal", "POST /api/v1/proposals/{id}/decision", changing(), s.decideProposal)
	s.handle("classProposals", "GET /api/v1/classes/{id}/proposals", signedIn(), s.classProposals)

	// Mastery policy.
	s.handle("getPolicy", "GET /api/v1/policy", signedIn(), s.getPolicy)
	s.handle("putPolicy", "PUT /api/v1/policy", onResource(access.Change, access.Policy), s.putPolicy)
	s.handle("policyChanges", "GET /api/v1/policy/changes", signedIn(), s.policyChanges)
	s.handle("getCoursePolicy", "GET /api/v1/courses/{id}/policy", signedIn(), s.getCoursePolicy)
	s.handle("putCoursePolicy", "PUT /api/v1/courses/{id}/policy", onResource(access.Change, access.Policy), s.putCoursePolicy)
	s.handle("deleteCoursePolicy", "DELETE /api/v1/courses/{id}/policy", onResource(access.Change, access.Policy), s.deleteCoursePolicy)
	s.handle("rebuildMastery", "POST /api/v1/mastery/rebuild", onResource(access.Change, access.Policy), s.rebuildMastery)

	// Ready for the summative, and again.
	s.handle("classSummative", "GET /api/v1/classes/{id}/summative", signedIn(), s.classSummative)
	s.handle("studentStandardSummative", "GET /api/v1/students/{id}/standards/{standardId}/summative", signedIn(), s.studentStandardSummative)
	s.handle("decideSummative", "POST /api/v1/students/{id}/standards/{standardId}/summative/decisions", changing(), s.decideSummative)
	s.handle("getSummativePolicy", "GET /api/v1/summative/policy", signedIn(), s.getSummativePolicy)
	s.handle("putSummativePolicy", "PUT /api/v1/summative/policy", onResource(access.Change, access.Policy), s.putSummativePolicy)
	s.handle("summativePolicyChanges", "GET /api/v1/summative/policy/changes", signedIn(), s.summativePolicyChanges)

	// Playlists of activities for a standard, and what students choose.
	s.handle("listPlaylists", "GET /api/v1/playlists", forRoles(playlistRoles...), s.listPlaylists)
	s.handle("createPlaylistAPI", "POST /api/v1/playlists", changing(), s.createPlaylistAPI)
	s.handle("getPlaylist", "GET /api/v1/playlists/{id}", signedIn(), s.getPlaylist)
	s.handle("copyPlaylistAPI", "POST /api/v1/playlists/{id}/copy", changing(), s.copyPlaylistAPI)
	s.handle("sharePlaylistAPI", "POST /api/v1/playlists/{id}/share", changing(), s.sharePlaylistAPI)
	s.handle("addActivityAPI", "POST /api/v1/playlists/{id}/activities", changing(), s.addActivityAPI)
	s.handle("scoreActivity", "POST /api/v1/activities/{id}/scores", changing(), s.scoreActivity)
	s.handle("studentChoices", "GET /api/v1/students/{id}/choices", signedIn(), s.studentChoicesAPI)
	s.handle("putStudentChoice", "PUT /api/v1/students/{id}/choices/{standardId}", changing(), s.putStudentChoice)

	// Standards for other systems: the CASE 1.1 service, public and
	// read-only (docs/decisions/0009-public-case-service.md).
	s.handle("caseDocuments", "GET "+casePrefix+"/CFDocuments", public(), s.caseHandler(s.caseDocuments))
	s.handle("caseDocument", "GET "+casePrefix+"/CFDocuments/{sourcedId}", public(), s.caseHandler(s.caseGetDocument))
	s.handle("casePackage", "GET "+casePrefix+"/CFPackages/{sourcedId}", public(), s.caseHandler(s.caseGetPackage))
	s.handle("caseItem", "GET "+casePrefix+"/CFItems/{sourcedId}", public(), s.caseHandler(s.caseGetItem))
	s.handle("caseAssociation", "GET "+casePrefix+"/CFAssociations/{sourcedId}", public(), s.caseHandler(s.caseGetAssociation))

	s.registerPages()
	s.registerPlanRoutes()
	// Flexible groups and the schedule (groups.go).
	s.registerGroupRoutes()
	// Support plans and teachers' notes (routes_supports_plans.go).
	s.registerSupportsPlanRoutes()
	// Rules and alerts (alerts.go).
	s.registerRuleRoutes()
}

// registerPlanRoutes lists the routes of class pathways, students' plans
// and recommendations: the API, then the pages.
func (s *Server) registerPlanRoutes() {
	s.handle("getClassPathway", "GET /api/v1/classes/{id}/pathway", signedIn(), s.getClassPathway)
	s.handle("putClassPathway", "PUT /api/v1/classes/{id}/pathway", changing(), s.putClassPathway)
	s.handle("classRecommendations", "GET /api/v1/classes/{id}/recommendations", signedIn(), s.classRecommendations)
	s.handle("getStudentPlans", "GET /api/v1/students/{id}/plan", signedIn(), s.getStudentPlans)
	s.handle("putStudentPlan", "PUT /api/v1/students/{id}/plan", changing(), s.putStudentPlan)
	s.handle("studentRecommendations", "GET /api/v1/students/{id}/recommendations", signedIn(), s.studentRecommendations)

	s.page("classReady", "GET /classes/{id}/ready", forRoles(classRoles...), s.classReadyPage)
	s.page("classPathway", "GET /classes/{id}/pathway", forRoles(classRoles...), s.classPathwayPage)
	s.page("saveClassPathway", "POST /classes/{id}/pathway", changingFor(recordingRoles...), s.saveClassPathway)
	s.page("studentPlan", "GET /students/{id}/plan", forRoles(classRoles...), s.studentPlanPage)
	s.page("changeStudentPlan", "POST /students/{id}/plan", changingFor(recordingRoles...), s.changeStudentPlan)
	s.page("myPath", "GET /me/path", forRoles(roster.RoleStudent), s.myPathPage)
}

// Roles that see classes: the people who teach, coach and lead them.
var classRoles = []roster.Role{roster.RoleTeacher, roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin}

// Roles that record and void evidence.
var recordingRoles = []roster.Role{roster.RoleTeacher, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin}

// Roles that keep playlists: the people who teach and lead classes.
var playlistRoles = []roster.Role{roster.RoleTeacher, roster.RoleSchoolAdmin, roster.RoleCoach, roster.RoleDistrictAdmin}

// registerPages lists the pages. Reading a page needs only the route's
// policy; each page then asks about the students and classes it shows.
func (s *Server) registerPages() {
	s.page("landing", "GET /{$}", public(), s.landing)

	// Signing in and out, reset links, the language, access tokens.
	s.page("signinForm", "GET /signin", public(), s.signinForm)
	s.page("signin", "POST /signin", publicForm(), s.signin)
	s.page("signout", "POST /signout", changing(), s.signout)
	s.page("resetForm", "GET /reset/{token}", public(), s.resetForm)
	s.page("reset", "POST /reset/{token}", publicForm(), s.reset)
	s.page("language", "POST /language", publicForm(), s.setLanguage)
	s.page("tokens", "GET /account/tokens", signedIn(), s.tokensPage)
	s.page("createToken", "POST /account/tokens", changing(), s.createToken)
	s.page("revokeToken", "POST /account/tokens/{id}/revoke", changing(), s.revokeToken)

	// Teachers, coaches and school leaders.
	s.page("classes", "GET /classes", forRoles(classRoles...), s.classesPage)
	s.page("classHeatmap", "GET /classes/{id}", forRoles(classRoles...), s.classHeatmapPage)
	s.page("classPace", "GET /classes/{id}/pace", forRoles(classRoles...), s.classPacePage)
	s.page("schoolPace", "GET /schools/{id}/pace", forRoles(roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin), s.schoolPacePage)
	s.page("recordForm", "GET /classes/{id}/record", forRoles(recordingRoles...), s.recordForm)
	s.page("recordEvidenceGrid", "POST /classes/{id}/record", changingFor(recordingRoles...), s.recordEvidenceGrid)
	s.page("classSummativePage", "GET /classes/{id}/summative", forRoles(classRoles...), s.summativePage)
	s.page("decideSummativeForm", "POST /classes/{id}/summative", changingFor(recordingRoles...), s.decideSummativeForm)
	s.page("studentProfile", "GET /students/{id}", forRoles(classRoles...), s.studentProfilePage)
	s.page("scoreChosenActivity", "POST /students/{id}/activities/{activityId}/score", changingFor(recordingRoles...), s.scoreChosenActivity)
	s.page("evidence", "GET /evidence/{id}", signedIn(), s.evidencePage)
	s.page("voidEvidenceForm", "POST /evidence/{id}/void", changingFor(recordingRoles...), s.voidEvidenceForm)
	s.page("classProposalsPage", "GET /classes/{id}/proposals", forRoles(classRoles...), s.classProposalsPage)
	s.page("decideProposalForm", "POST /classes/{id}/proposals/{proposalId}/decision", changingFor(roster.RoleTeacher), s.decideForm)
	s.page("commentGoalForm", "POST /students/{id}/goals/{goalId}/comments", changingFor(roster.RoleTeacher), s.commentGoalForm)

	// Playlists: the library, one playlist and its activities. Who may
	// see or change each is access.Allow's (playlists.go).
	s.page("playlists", "GET /playlists", forRoles(playlistRoles...), s.playlistsPage)
	s.page("createPlaylist", "POST /playlists", changingFor(playlistRoles...), s.createPlaylist)
	s.page("checkCartridge", "POST /playlists/import", changingFor(playlistRoles...), s.checkCartridge)
	s.page("applyCartridge", "POST /playlists/import/apply", changingFor(playlistRoles...), s.applyCartridge)
	s.page("playlist", "GET /playlists/{id}", signedIn(), s.playlistPage)
	s.page("editPlaylist", "POST /playlists/{id}", changingFor(playlistRoles...), s.editPlaylist)
	s.page("copyPlaylist", "POST /playlists/{id}/copy", changingFor(playlistRoles...), s.copyPlaylist)
	s.page("sharePlaylist", "POST /playlists/{id}/share", changingFor(playlistRoles...), s.sharePlaylist)
	s.page("addActivity", "POST /playlists/{id}/activities", changingFor(playlistRoles...), s.addActivity)
	s.page("editActivity", "POST /activities/{id}", changingFor(playlistRoles...), s.editActivity)
	s.page("removeActivity", "POST /activities/{id}/remove", changingFor(playlistRoles...), s.removeActivity)
	s.page("activityFile", "GET /activities/{id}/file", signedIn(), s.activityFile)

	// Everyone with a relation to a student: one standard, in full.
	s.page("studentStandard", "GET /students/{id}/standards/{standardId}", signedIn(), s.studentStandardPage)

	// Students and guardians.
	s.page("me", "GET /me", forRoles(roster.RoleStudent), s.mePage)
	s.page("meGoals", "GET /me/goals", forRoles(roster.RoleStudent), s.meGoalsPage)
	s.page("reflectForm", "POST /me/goals/{id}/reflection", changingFor(roster.RoleStudent), s.reflectForm)
	s.page("setGoalForm", "POST /evidence/{id}/goal", changingFor(roster.RoleStudent), s.setGoalForm)
	s.page("meProposals", "GET /me/proposals", forRoles(roster.RoleStudent), s.meProposalsPage)
	s.page("proposeForm", "POST /me/proposals", changingFor(roster.RoleStudent), s.proposeForm)
	s.page("reviseForm", "POST /me/proposals/{id}/revision", changingFor(roster.RoleStudent), s.reviseForm)
	s.page("target", "GET /me/targets/{standardId}", forRoles(roster.RoleStudent), s.targetPage)
	s.page("saveChoice", "POST /me/targets/{standardId}", changingFor(roster.RoleStudent), s.saveChoice)
	s.page("family", "GET /family", forRoles(roster.RoleGuardian), s.familyPage)
	s.page("child", "GET /family/{id}", forRoles(roster.RoleGuardian), s.childPage)

	// District administrators.
	s.page("admin", "GET /admin", forRoles(roster.RoleDistrictAdmin), s.adminPage)
	s.page("adminPolicy", "GET /admin/policy", forRoles(roster.RoleDistrictAdmin), s.adminPolicyPage)
	s.page("adminSetPolicy", "POST /admin/policy", onResource(access.Change, access.Policy), s.adminSetPolicy)
	s.page("adminSummative", "GET /admin/summative", forRoles(roster.RoleDistrictAdmin), s.adminSummativePage)
	s.page("adminSetSummative", "POST /admin/summative", onResource(access.Change, access.Policy), s.adminSetSummative)
	s.page("adminPace", "GET /admin/pace", forRoles(roster.RoleDistrictAdmin), s.adminPacePage)
	s.page("adminSetPace", "POST /admin/pace", onResource(access.Change, access.Policy), s.adminSetPace)
	s.page("adminScales", "GET /admin/scales", forRoles(roster.RoleDistrictAdmin), s.adminScalesPage)
	s.page("adminUsers", "GET /admin/users", onResource(access.View, access.Users), s.adminUsersPage)
	s.page("adminResetLink", "POST /admin/users/{id}/reset", onResource(access.Change, access.Users), s.adminResetLink)
	s.page("adminAudit", "GET /admin/audit", onResource(access.View, access.AuditLog), s.adminAuditPage)
	s.page("adminImport", "GET /admin/import", forRoles(roster.RoleDistrictAdmin), s.adminImportForm)
	s.page("adminImportCheck", "POST /admin/import", changingFor(roster.RoleDistrictAdmin), s.adminImportCheck)
	s.page("adminImportApply", "POST /admin/import/apply", changingFor(roster.RoleDistrictAdmin), s.adminImportApply)

	// Outcomes of supports: a school's (its leaders and coaches) and the
	// district's, suppressed alike (outcomes.go).
	s.page("schoolOutcomes", "GET /schools/{id}/outcomes", forRoles(roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin), s.schoolOutcomesPage)
	s.page("schoolOutcomesCSV", "GET /schools/{id}/outcomes.csv", forRoles(roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin), s.schoolOutcomesCSV)
	s.page("adminOutcomes", "GET /admin/outcomes", forRoles(roster.RoleDistrictAdmin), s.adminOutcomesPage)
	s.page("adminOutcomesCSV", "GET /admin/outcomes.csv", forRoles(roster.RoleDistrictAdmin), s.adminOutcomesCSV)
	s.handle("getSchoolOutcomes", "GET /api/v1/schools/{id}/outcomes", signedIn(), s.schoolOutcomesAPI)
	s.handle("getDistrictOutcomes", "GET /api/v1/outcomes", onResource(access.View, access.Roster), s.districtOutcomesAPI)
}
