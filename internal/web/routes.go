package web

// registerRoutes lists every route the server answers. Each goes through
// s.handle with a name; the OpenAPI document (openapi.go) describes each
// pattern, and a test holds the two lists equal.
func (s *Server) registerRoutes() {
	// Operations.
	s.handle("healthz", "GET /healthz", s.healthz)
	s.handle("readyz", "GET /readyz", s.readyz)
	s.handle("metrics", "GET /metrics", s.metricsHandler)

	// Pages and their assets.
	s.handle("landing", "GET /{$}", s.landing)
	s.handle("staticAsset", "GET /static/{name}", s.staticAsset)

	// The API's own description.
	s.handle("openapi", "GET /api/v1/openapi.json", s.openAPI)

	// Roster.
	s.handle("listSchools", "GET /api/v1/schools", s.listSchools)
	s.handle("createSchool", "POST /api/v1/schools", s.createSchool)
	s.handle("getSchool", "GET /api/v1/schools/{id}", s.getSchool)
	s.handle("patchSchool", "PATCH /api/v1/schools/{id}", s.patchSchool)

	s.handle("listTerms", "GET /api/v1/terms", s.listTerms)
	s.handle("createTerm", "POST /api/v1/terms", s.createTerm)
	s.handle("getTerm", "GET /api/v1/terms/{id}", s.getTerm)
	s.handle("patchTerm", "PATCH /api/v1/terms/{id}", s.patchTerm)

	s.handle("listCourses", "GET /api/v1/courses", s.listCourses)
	s.handle("createCourse", "POST /api/v1/courses", s.createCourse)
	s.handle("getCourse", "GET /api/v1/courses/{id}", s.getCourse)
	s.handle("patchCourse", "PATCH /api/v1/courses/{id}", s.patchCourse)

	s.handle("listClasses", "GET /api/v1/classes", s.listClasses)
	s.handle("createClass", "POST /api/v1/classes", s.createClass)
	s.handle("getClass", "GET /api/v1/classes/{id}", s.getClass)
	s.handle("patchClass", "PATCH /api/v1/classes/{id}", s.patchClass)

	s.handle("listPeople", "GET /api/v1/people", s.listPeople)
	s.handle("createPerson", "POST /api/v1/people", s.createPerson)
	s.handle("getPerson", "GET /api/v1/people/{id}", s.getPerson)
	s.handle("patchPerson", "PATCH /api/v1/people/{id}", s.patchPerson)

	s.handle("listEnrollments", "GET /api/v1/classes/{id}/enrollments", s.listEnrollments)
	s.handle("createEnrollment", "POST /api/v1/classes/{id}/enrollments", s.createEnrollment)
	s.handle("classStudents", "GET /api/v1/classes/{id}/students", s.classStudents)
	s.handle("personClasses", "GET /api/v1/people/{id}/classes", s.personClasses)

	s.handle("listGuardians", "GET /api/v1/students/{id}/guardians", s.listGuardians)
	s.handle("linkGuardian", "POST /api/v1/students/{id}/guardians", s.linkGuardian)
	s.handle("guardianChildren", "GET /api/v1/guardians/{id}/children", s.guardianChildren)

	// Standards.
	s.handle("listScales", "GET /api/v1/scales", s.listScales)
	s.handle("createScale", "POST /api/v1/scales", s.createScale)
	s.handle("getScale", "GET /api/v1/scales/{id}", s.getScale)

	s.handle("listFrameworks", "GET /api/v1/frameworks", s.listFrameworks)
	s.handle("createFramework", "POST /api/v1/frameworks", s.createFramework)
	s.handle("getFramework", "GET /api/v1/frameworks/{id}", s.getFramework)
	s.handle("patchFramework", "PATCH /api/v1/frameworks/{id}", s.patchFramework)
	s.handle("frameworkStandards", "GET /api/v1/frameworks/{id}/standards", s.frameworkStandards)

	s.handle("createStandard", "POST /api/v1/standards", s.createStandard)
	s.handle("getStandard", "GET /api/v1/standards/{id}", s.getStandard)
	s.handle("patchStandard", "PATCH /api/v1/standards/{id}", s.patchStandard)
	s.handle("listPrerequisites", "GET /api/v1/standards/{id}/prerequisites", s.listPrerequisites)
	s.handle("addPrerequisite", "POST /api/v1/standards/{id}/prerequisites", s.addPrerequisite)
	s.handle("getCourseStandards", "GET /api/v1/courses/{id}/standards", s.getCourseStandards)
	s.handle("putCourseStandards", "PUT /api/v1/courses/{id}/standards", s.putCourseStandards)

	// Evidence.
	s.handle("recordEvidence", "POST /api/v1/evidence", s.recordEvidence)
	s.handle("recordEvidenceBatch", "POST /api/v1/evidence/batch", s.recordEvidenceBatch)
	s.handle("getEvidence", "GET /api/v1/evidence/{id}", s.getEvidence)
	s.handle("voidEvidence", "POST /api/v1/evidence/{id}/void", s.voidEvidence)
	s.handle("studentEvidence", "GET /api/v1/students/{id}/evidence", s.studentEvidence)

	// Mastery.
	s.handle("studentMastery", "GET /api/v1/students/{id}/mastery", s.studentMastery)
	s.handle("studentStandardMastery", "GET /api/v1/students/{id}/standards/{standardId}/mastery", s.studentStandardMastery)
	s.handle("classMastery", "GET /api/v1/classes/{id}/mastery", s.classMastery)
	s.handle("classStandardMastery", "GET /api/v1/classes/{id}/standards/{standardId}/mastery", s.classStandardMastery)

	// Mastery policy.
	s.handle("getPolicy", "GET /api/v1/policy", s.getPolicy)
	s.handle("putPolicy", "PUT /api/v1/policy", s.putPolicy)
	s.handle("policyChanges", "GET /api/v1/policy/changes", s.policyChanges)
	s.handle("getCoursePolicy", "GET /api/v1/courses/{id}/policy", s.getCoursePolicy)
	s.handle("putCoursePolicy", "PUT /api/v1/courses/{id}/policy", s.putCoursePolicy)
	s.handle("deleteCoursePolicy", "DELETE /api/v1/courses/{id}/policy", s.deleteCoursePolicy)
	s.handle("rebuildMastery", "POST /api/v1/mastery/rebuild", s.rebuildMastery)
}
