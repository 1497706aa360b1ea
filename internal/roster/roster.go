// Package roster holds who is in a district: schools, terms, courses,
// classes, people, enrollments and the links between guardians and students.
//
// Every record carries the district it belongs to and, where the record came
// from another system, that system's identifier (SourcedID, as in OneRoster),
// so that later imports update in place instead of duplicating.
package roster

import (
	"fmt"
	"strings"
	"time"
)

// District is the top organisation; every other record belongs to one.
type District struct {
	ID        int64     `json:"id"`
	SourcedID string    `json:"sourcedId,omitempty"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	// Language is the BCP 47 tag of the language the district writes its
	// own text in (course, class and school names, evidence titles and
	// comments, scale labels): "en" unless the district says otherwise.
	// Pages in another language mark that text with it.
	Language string `json:"language,omitempty"`
}

// School is one school of a district.
type School struct {
	ID         int64  `json:"id"`
	DistrictID int64  `json:"districtId"`
	SourcedID  string `json:"sourcedId,omitempty"`
	Name       string `json:"name"`
	// RetiredAt is when an import retired the school; nil while it is current.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// TermType says what kind of academic session a Term is (OneRoster's
// academicSession types).
type TermType string

// The term types, as OneRoster names them.
const (
	TermSchoolYear    TermType = "schoolYear"
	TermSemester      TermType = "semester"
	TermTerm          TermType = "term"
	TermGradingPeriod TermType = "gradingPeriod"
)

// Term is an academic session: a school year, a semester, a quarter.
type Term struct {
	ID         int64     `json:"id"`
	DistrictID int64     `json:"districtId"`
	SourcedID  string    `json:"sourcedId,omitempty"`
	Title      string    `json:"title"`
	Type       TermType  `json:"type"`
	StartDate  time.Time `json:"startDate"`
	EndDate    time.Time `json:"endDate"`
	ParentID   *int64    `json:"parentId,omitempty"`
	// RetiredAt is when an import retired the term; nil while it is current.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// Course is what is taught; its classes are the sections that teach it.
type Course struct {
	ID         int64    `json:"id"`
	DistrictID int64    `json:"districtId"`
	SchoolID   *int64   `json:"schoolId,omitempty"`
	SourcedID  string   `json:"sourcedId,omitempty"`
	Title      string   `json:"title"`
	Code       string   `json:"code,omitempty"`
	Grades     []string `json:"grades,omitempty"`
	// RetiredAt is when an import retired the course; nil while it is current.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// Class is one section of a course in one term, with its teachers and
// students (through enrollments).
type Class struct {
	ID         int64  `json:"id"`
	DistrictID int64  `json:"districtId"`
	SchoolID   int64  `json:"schoolId"`
	CourseID   int64  `json:"courseId"`
	TermID     int64  `json:"termId"`
	SourcedID  string `json:"sourcedId,omitempty"`
	Title      string `json:"title"`
	Code       string `json:"code,omitempty"`
	Period     string `json:"period,omitempty"`
	// RetiredAt is when an import retired the class; nil while it is current.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// Role is what a person does in the district. One person may hold several.
type Role string

// The roles a person can hold.
const (
	RoleStudent       Role = "student"
	RoleTeacher       Role = "teacher"
	RoleGuardian      Role = "guardian"
	RoleCoach         Role = "coach"
	RoleSchoolAdmin   Role = "school_admin"
	RoleDistrictAdmin Role = "district_admin"
)

var knownRoles = map[Role]bool{
	RoleStudent: true, RoleTeacher: true, RoleGuardian: true,
	RoleCoach: true, RoleSchoolAdmin: true, RoleDistrictAdmin: true,
}

// ParseRole returns the role named s, or an error naming the known roles.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if !knownRoles[r] {
		return "", fmt.Errorf("unknown role %q (want one of student, teacher, guardian, coach, school_admin, district_admin)", s)
	}
	return r, nil
}

// Person is anyone in the district: a student, a teacher, a guardian, a
// coach or an administrator.
type Person struct {
	ID         int64   `json:"id"`
	DistrictID int64   `json:"districtId"`
	SourcedID  string  `json:"sourcedId,omitempty"`
	GivenName  string  `json:"givenName"`
	FamilyName string  `json:"familyName"`
	Email      string  `json:"email,omitempty"`
	Username   string  `json:"username,omitempty"`
	Roles      []Role  `json:"roles"`
	SchoolIDs  []int64 `json:"schoolIds,omitempty"`
	// Grade is a student's grade level (OneRoster grades: "KG", "06"...).
	Grade string `json:"grade,omitempty"`
	// Language is the person's preferred language (BCP 47), if known.
	Language string `json:"language,omitempty"`
	// RetiredAt is when an import retired the person; nil while they are
	// current. A retired person keeps their evidence and mastery but is
	// left out of lists, rosters and access.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// Has reports whether p holds role r.
func (p Person) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Name is the person's name as shown on pages.
func (p Person) Name() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// EnrollmentRole is a person's part in a class.
type EnrollmentRole string

// The enrollment roles.
const (
	EnrolledStudent EnrollmentRole = "student"
	EnrolledTeacher EnrollmentRole = "teacher"
)

// Enrollment puts a student or a teacher in a class, between two dates.
type Enrollment struct {
	ID         int64          `json:"id"`
	DistrictID int64          `json:"districtId"`
	SourcedID  string         `json:"sourcedId,omitempty"`
	ClassID    int64          `json:"classId"`
	PersonID   int64          `json:"personId"`
	Role       EnrollmentRole `json:"role"`
	Primary    bool           `json:"primary,omitempty"`
	BeginDate  *time.Time     `json:"beginDate,omitempty"`
	EndDate    *time.Time     `json:"endDate,omitempty"`
	// RetiredAt is when an import retired the enrollment; nil while it is
	// current.
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// GuardianLink says that a guardian is responsible for a student.
type GuardianLink struct {
	DistrictID   int64  `json:"districtId"`
	GuardianID   int64  `json:"guardianId"`
	StudentID    int64  `json:"studentId"`
	Relationship string `json:"relationship,omitempty"` // "mother", "guardian", "relative"...
}

// Demographics are the optional, protected facts about a student that
// reports need for disaggregation. They are never shown on ordinary pages,
// and reports hide groups too small to keep a student anonymous.
type Demographics struct {
	DistrictID                int64      `json:"districtId"`
	StudentID                 int64      `json:"studentId"`
	BirthDate                 *time.Time `json:"birthDate,omitempty"`
	Sex                       string     `json:"sex,omitempty"`
	Races                     []string   `json:"races,omitempty"` // OneRoster race flags that are true
	HispanicOrLatino          *bool      `json:"hispanicOrLatino,omitempty"`
	EnglishLearner            *bool      `json:"englishLearner,omitempty"`
	Disability                *bool      `json:"disability,omitempty"` // has an IEP or 504 plan
	EconomicallyDisadvantaged *bool      `json:"economicallyDisadvantaged,omitempty"`
}
