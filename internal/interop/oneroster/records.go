package oneroster

import (
	"fmt"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
)

// The OneRoster versions this package reads. It writes 1.2.
const (
	Version11 = "1.1"
	Version12 = "1.2"
)

// Status says whether a delta row adds or changes a record (active) or
// removes it (tobedeleted). Rows of bulk files are active.
type Status string

// The statuses of a row.
const (
	Active      Status = "active"
	ToBeDeleted Status = "tobedeleted"
)

// Mode is how the manifest says a file is supplied.
type Mode string

// The modes of a file.
const (
	Bulk   Mode = "bulk"   // the whole set: records not in it are gone
	Delta  Mode = "delta"  // changes only: active rows add or change, tobedeleted rows remove
	Absent Mode = "absent" // not supplied: nothing changes
)

// Date is a calendar day as OneRoster writes it (YYYY-MM-DD), held as the
// number YYYYMMDD so that a roster of a million enrollments stays small.
// The zero Date means no date.
type Date int32

// NewDate returns the Date of a year, month and day.
func NewDate(year int, month time.Month, day int) Date {
	return Date(year*10000 + int(month)*100 + day)
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d == 0 }

// String is the date as YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", int(d)/10000, int(d)/100%100, int(d)%100)
}

// Time is midnight UTC of the day.
func (d Date) Time() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, time.UTC)
}

// Record holds the fields every OneRoster row has.
type Record struct {
	SourcedID        string    `json:"sourcedId"`
	Status           Status    `json:"status"`
	DateLastModified time.Time `json:"dateLastModified,omitzero"`
	// Metadata holds the row's metadata.* columns that have a value, by
	// column name ("metadata.ext.homeroom").
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Org is a row of orgs.csv: a district, a school, a department...
type Org struct {
	Record
	Name            string `json:"name"`
	Type            string `json:"type"` // district, school, department, local, state, national
	Identifier      string `json:"identifier,omitempty"`
	ParentSourcedID string `json:"parentSourcedId,omitempty"`
}

// AcademicSession is a row of academicSessions.csv: a school year, a
// semester, a term, a grading period. cairn calls it a Term.
type AcademicSession struct {
	Record
	Title           string `json:"title"`
	Type            string `json:"type"` // schoolYear, semester, term, gradingPeriod
	StartDate       Date   `json:"startDate"`
	EndDate         Date   `json:"endDate"`
	ParentSourcedID string `json:"parentSourcedId,omitempty"`
	SchoolYear      string `json:"schoolYear"`
}

// Course is a row of courses.csv.
type Course struct {
	Record
	SchoolYearSourcedID string   `json:"schoolYearSourcedId,omitempty"`
	Title               string   `json:"title"`
	CourseCode          string   `json:"courseCode,omitempty"`
	Grades              []string `json:"grades,omitempty"`
	OrgSourcedID        string   `json:"orgSourcedId"`
	Subjects            []string `json:"subjects,omitempty"`
	SubjectCodes        []string `json:"subjectCodes,omitempty"`
}

// Class is a row of classes.csv: one section of a course.
type Class struct {
	Record
	Title           string   `json:"title"`
	Grades          []string `json:"grades,omitempty"`
	CourseSourcedID string   `json:"courseSourcedId"`
	ClassCode       string   `json:"classCode,omitempty"`
	ClassType       string   `json:"classType"` // homeroom, scheduled
	Location        string   `json:"location,omitempty"`
	SchoolSourcedID string   `json:"schoolSourcedId"`
	TermSourcedIDs  []string `json:"termSourcedIds"`
	Subjects        []string `json:"subjects,omitempty"`
	SubjectCodes    []string `json:"subjectCodes,omitempty"`
	Periods         []string `json:"periods,omitempty"`
}

// UserID is one of a user's identifiers in other systems, written
// {type:identifier} in users.csv.
type UserID struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// User is a row of users.csv. In OneRoster 1.1 the row carries the user's
// role and organisations; in 1.2 they are rows of roles.csv and the user
// has a primary organisation.
type User struct {
	Record
	EnabledUser     bool     `json:"enabledUser"`
	OrgSourcedIDs   []string `json:"orgSourcedIds,omitempty"` // 1.1
	Role            string   `json:"role,omitempty"`          // 1.1
	Username        string   `json:"username,omitempty"`
	UserIDs         []UserID `json:"userIds,omitempty"`
	GivenName       string   `json:"givenName"`
	FamilyName      string   `json:"familyName"`
	MiddleName      string   `json:"middleName,omitempty"`
	Identifier      string   `json:"identifier,omitempty"`
	Email           string   `json:"email,omitempty"`
	SMS             string   `json:"sms,omitempty"`
	Phone           string   `json:"phone,omitempty"`
	AgentSourcedIDs []string `json:"agentSourcedIds,omitempty"`
	Grades          []string `json:"grades,omitempty"`
	Password        string   `json:"password,omitempty"`
	// 1.2
	UserMasterIdentifier string `json:"userMasterIdentifier,omitempty"`
	PreferredGivenName   string `json:"preferredGivenName,omitempty"`
	PreferredMiddleName  string `json:"preferredMiddleName,omitempty"`
	PreferredFamilyName  string `json:"preferredFamilyName,omitempty"`
	PrimaryOrgSourcedID  string `json:"primaryOrgSourcedId,omitempty"`
	Pronouns             string `json:"pronouns,omitempty"`
}

// Role is a row of roles.csv (OneRoster 1.2): a role a user holds in an
// organisation. Each user has exactly one primary role.
type Role struct {
	Record
	UserSourcedID        string `json:"userSourcedId"`
	RoleType             string `json:"roleType"` // primary, secondary
	Role                 string `json:"role"`
	BeginDate            Date   `json:"beginDate,omitzero"`
	EndDate              Date   `json:"endDate,omitzero"`
	OrgSourcedID         string `json:"orgSourcedId"`
	UserProfileSourcedID string `json:"userProfileSourcedId,omitempty"`
}

// UserProfile is a row of userProfiles.csv (OneRoster 1.2): a user's
// account in some application.
type UserProfile struct {
	Record
	UserSourcedID  string `json:"userSourcedId"`
	ProfileType    string `json:"profileType"`
	VendorID       string `json:"vendorId"`
	ApplicationID  string `json:"applicationId,omitempty"`
	Description    string `json:"description,omitempty"`
	CredentialType string `json:"credentialType"`
	Username       string `json:"username"`
	Password       string `json:"password,omitempty"`
}

// Demographic is a row of demographics.csv; its SourcedID is the user's.
// The yes/no fields are nil when the file leaves them blank: unknown is not
// no.
type Demographic struct {
	Record
	BirthDate                            Date   `json:"birthDate,omitzero"`
	Sex                                  string `json:"sex,omitempty"`
	AmericanIndianOrAlaskaNative         *bool  `json:"americanIndianOrAlaskaNative,omitempty"`
	Asian                                *bool  `json:"asian,omitempty"`
	BlackOrAfricanAmerican               *bool  `json:"blackOrAfricanAmerican,omitempty"`
	NativeHawaiianOrOtherPacificIslander *bool  `json:"nativeHawaiianOrOtherPacificIslander,omitempty"`
	White                                *bool  `json:"white,omitempty"`
	DemographicRaceTwoOrMoreRaces        *bool  `json:"demographicRaceTwoOrMoreRaces,omitempty"`
	HispanicOrLatinoEthnicity            *bool  `json:"hispanicOrLatinoEthnicity,omitempty"`
	CountryOfBirthCode                   string `json:"countryOfBirthCode,omitempty"`
	StateOfBirthAbbreviation             string `json:"stateOfBirthAbbreviation,omitempty"`
	CityOfBirth                          string `json:"cityOfBirth,omitempty"`
	PublicSchoolResidenceStatus          string `json:"publicSchoolResidenceStatus,omitempty"`
}

// Enrollment is a row of enrollments.csv: a user in a class.
type Enrollment struct {
	Record
	ClassSourcedID  string `json:"classSourcedId"`
	SchoolSourcedID string `json:"schoolSourcedId"`
	UserSourcedID   string `json:"userSourcedId"`
	Role            string `json:"role"` // student, teacher, administrator, proctor
	Primary         *bool  `json:"primary,omitempty"`
	BeginDate       Date   `json:"beginDate,omitzero"`
	EndDate         Date   `json:"endDate,omitzero"`
}

// Manifest is manifest.csv: the versions, how each file is supplied and
// which system produced them.
type Manifest struct {
	ManifestVersion  string          `json:"manifestVersion"`
	OneRosterVersion string          `json:"onerosterVersion"`
	Files            map[string]Mode `json:"files"` // "users.csv" -> bulk
	SourceSystemName string          `json:"sourceSystemName,omitempty"`
	SourceSystemCode string          `json:"sourceSystemCode,omitempty"`
}

// Roster is a OneRoster package as read: every record of every file,
// checked (required fields, vocabularies, dates, duplicates, references
// between files), keyed by sourcedId. Records keep the order of their files.
type Roster struct {
	Version          string            `json:"version"`
	Manifest         Manifest          `json:"manifest"`
	Orgs             []Org             `json:"orgs,omitempty"`
	AcademicSessions []AcademicSession `json:"academicSessions,omitempty"`
	Courses          []Course          `json:"courses,omitempty"`
	Classes          []Class           `json:"classes,omitempty"`
	Users            []User            `json:"users,omitempty"`
	Roles            []Role            `json:"roles,omitempty"`
	UserProfiles     []UserProfile     `json:"userProfiles,omitempty"`
	Demographics     []Demographic     `json:"demographics,omitempty"`
	Enrollments      []Enrollment      `json:"enrollments,omitempty"`
	// Warnings are what the standard allows but is odd, or what is read
	// differently from how the files have it, without being errors: an
	// unknown extra column, a misspelled manifest key, a file the
	// manifest says is absent, gradebook files this reader does not
	// import, a student enrolled as a teacher. MoreWarnings counts those
	// past ReadOptions.Limit.
	Warnings     []badinput.Problem `json:"warnings,omitempty"`
	MoreWarnings int                `json:"moreWarnings,omitempty"`
	// Refused are the errors of the rows a partial read (ReadOptions.
	// Partial) left out, with their file, line and column; MoreRefused
	// counts those past ReadOptions.Limit. Held are the sourcedIds of
	// those rows, by entity: an import neither changes nor retires the
	// records they name.
	Refused     []badinput.Problem         `json:"refused,omitempty"`
	MoreRefused int                        `json:"moreRefused,omitempty"`
	Held        map[Entity]map[string]bool `json:"held,omitempty"`
}

// IsHeld reports whether the row of e with sourcedId id was refused by a
// partial read, so that what it names stays as it was.
func (r *Roster) IsHeld(e Entity, id string) bool {
	return r.Held[e][id]
}

// Mode returns how file ("users.csv") was supplied.
func (r *Roster) Mode(file string) Mode {
	if m, ok := r.Manifest.Files[file]; ok {
		return m
	}
	return Absent
}
