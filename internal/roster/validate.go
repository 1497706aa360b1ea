package roster

import (
	"strings"

	"github.com/cairn-learning/cairn/internal/problem"
)

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
	return errs.Err()
}

// Validate checks a school before it is stored.
func (s School) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(s.Name) == "" {
		errs.Add("name", "a school needs a name")
	}
	return errs.Err()
}

// Validate checks a course before it is stored.
func (c Course) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(c.Title) == "" {
		errs.Add("title", "a course needs a title")
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
	return errs.Err()
}
