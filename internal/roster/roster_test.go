package roster

import (
	"errors"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestValidate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 8, d, 0, 0, 0, 0, time.UTC) }
	later, earlier := day(20), day(10)
	tests := []struct {
		name  string
		check func() error
		ok    bool
	}{
		{"person", Person{GivenName: "Ana", Roles: []Role{RoleStudent}}.Validate, true},
		{"person without name", Person{Roles: []Role{RoleStudent}}.Validate, false},
		{"person without role", Person{GivenName: "Ana"}.Validate, false},
		{"person with unknown role", Person{GivenName: "Ana", Roles: []Role{"parent"}}.Validate, false},
		{"person with bad email", Person{GivenName: "Ana", Roles: []Role{RoleTeacher}, Email: "ana"}.Validate, false},
		{"term", Term{Title: "2026-27", Type: TermSchoolYear, StartDate: earlier, EndDate: later}.Validate, true},
		{"term ending before it starts", Term{Title: "Q1", Type: TermTerm, StartDate: later, EndDate: earlier}.Validate, false},
		{"term of unknown type", Term{Title: "Q1", Type: "quarter", StartDate: earlier, EndDate: later}.Validate, false},
		{"class without course", Class{Title: "Math 6", SchoolID: 1, TermID: 1}.Validate, false},
		{"enrollment", Enrollment{ClassID: 1, PersonID: 2, Role: EnrolledStudent}.Validate, true},
		{"enrollment as guardian", Enrollment{ClassID: 1, PersonID: 2, Role: "guardian"}.Validate, false},
		{"enrollment ending early", Enrollment{ClassID: 1, PersonID: 2, Role: EnrolledTeacher, BeginDate: &later, EndDate: &earlier}.Validate, false},
		{"school without name", School{}.Validate, false},
		{"course", Course{Title: "Math 6"}.Validate, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			if tt.ok && err != nil {
				t.Errorf("got %v, want valid", err)
			}
			if !tt.ok && !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	if r, err := ParseRole(" teacher "); err != nil || r != RoleTeacher {
		t.Errorf("ParseRole(teacher) = %q, %v", r, err)
	}
	if _, err := ParseRole("parent"); err == nil {
		t.Error("ParseRole(parent) accepted a word cairn does not use")
	}
}
