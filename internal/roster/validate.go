package roster

import (
	"strings"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// checkLength adds a reason to errs when s is longer than max characters;
// what says what the field holds ("a name").
func checkLength(errs *problem.Fields, field, s string, max int, what string) {
	if reason := limits.TooLong(s, max, what); reason != "" {
		errs.Add(field, reason)
	}
}

// Validate checks a district before it is stored.
func (d District) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(d.Name) == "" {
		errs.Add("name", "a district needs a name")
	}
	checkLength(&errs, "name", d.Name, limits.Name, "a name")
	checkLength(&errs, "sourcedId", d.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Validate checks a person before it is stored.
func (p Person) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(p.GivenName) == "" && strings.TrimSpace(p.FamilyName) == "" {
		errs.Add("givenName", "a person needs a given name or a family name")
	}
	if len(p.Roles) == 0 {
		errs.Add("roles", "a person needs at least one role")
	}
	for i, r := range p.Roles {
		if !knownRoles[r] {
			errs.Addf("roles", "role %d %q is not one of student, teacher, guardian, coach, school_admin, district_admin", i, r)
		}
	}
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		errs.Add("email", "not an email address")
	}
	checkLength(&errs, "givenName", p.GivenName, limits.Name, "a name")
	checkLength(&errs, "familyName", p.FamilyName, limits.Name, "a name")
	checkLength(&errs, "email", p.Email, limits.Email, "an email address")
	checkLength(&errs, "username", p.Username, limits.Identifier, "a username")
	checkLength(&errs, "sourcedId", p.SourcedID, limits.Identifier, "an identifier")
	checkLength(&errs, "grade", p.Grade, limits.Identifier, "a grade")
	checkLength(&errs, "language", p.Language, limits.Identifier, "a language tag")
	return errs.Err()
}

// Validate checks a term before it is stored.
func (t Term) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(t.Title) == "" {
		errs.Add("title", "a term needs a title")
	}
	switch t.Type {
	case TermSchoolYear, TermSemester, TermTerm, TermGradingPeriod:
	default:
		errs.Addf("type", "%q is not one of schoolYear, semester, term, gradingPeriod", t.Type)
	}
	if t.StartDate.IsZero() {
		errs.Add("startDate", "a term needs a start date")
	}
	if t.EndDate.IsZero() {
		errs.Add("endDate", "a term needs an end date")
	}
	if !t.StartDate.IsZero() && !t.EndDate.IsZero() && t.EndDate.Before(t.StartDate) {
		errs.Add("endDate", "ends before it starts")
	}
	checkLength(&errs, "title", t.Title, limits.Title, "a title")
	checkLength(&errs, "sourcedId", t.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Validate checks a school before it is stored.
func (s School) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(s.Name) == "" {
		errs.Add("name", "a school needs a name")
	}
	checkLength(&errs, "name", s.Name, limits.Name, "a name")
	checkLength(&errs, "sourcedId", s.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Validate checks a course before it is stored.
func (c Course) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(c.Title) == "" {
		errs.Add("title", "a course needs a title")
	}
	checkLength(&errs, "title", c.Title, limits.Title, "a title")
	checkLength(&errs, "code", c.Code, limits.Identifier, "a code")
	checkLength(&errs, "sourcedId", c.SourcedID, limits.Identifier, "an identifier")
	for _, g := range c.Grades {
		checkLength(&errs, "grades", g, limits.Identifier, "a grade")
	}
	return errs.Err()
}

// Validate checks a class before it is stored; the store checks that the
// school, course and term exist.
func (c Class) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(c.Title) == "" {
		errs.Add("title", "a class needs a title")
	}
	if c.SchoolID == 0 {
		errs.Add("schoolId", "required")
	}
	if c.CourseID == 0 {
		errs.Add("courseId", "required")
	}
	if c.TermID == 0 {
		errs.Add("termId", "required")
	}
	checkLength(&errs, "title", c.Title, limits.Title, "a title")
	checkLength(&errs, "code", c.Code, limits.Identifier, "a code")
	checkLength(&errs, "period", c.Period, limits.Identifier, "a period")
	checkLength(&errs, "sourcedId", c.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Validate checks an enrollment before it is stored.
func (e Enrollment) Validate() error {
	var errs problem.Fields
	if e.ClassID == 0 {
		errs.Add("classId", "required")
	}
	if e.PersonID == 0 {
		errs.Add("personId", "required")
	}
	if e.Role != EnrolledStudent && e.Role != EnrolledTeacher {
		errs.Addf("role", "%q is not student or teacher", e.Role)
	}
	if e.BeginDate != nil && e.EndDate != nil && e.EndDate.Before(*e.BeginDate) {
		errs.Add("endDate", "ends before it begins")
	}
	checkLength(&errs, "sourcedId", e.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Validate checks a link between a guardian and a student before it is
// stored.
func (l GuardianLink) Validate() error {
	var errs problem.Fields
	checkLength(&errs, "relationship", l.Relationship, limits.Identifier, "a relationship")
	return errs.Err()
}
