package access

import (
	"slices"

	"github.com/cairn-learning/cairn/internal/roster"
)

// Actor is who is making a request: a signed-in person, or the owner of a
// personal access token.
type Actor struct {
	PersonID, DistrictID int64
	Name                 string
	Roles                []roster.Role
	// SchoolIDs are the schools the person belongs to; they bound what a
	// school administrator and a coach see.
	SchoolIDs []int64
	// Language is the person's preferred language (BCP 47), "" when unknown.
	Language string
	// TokenScope is "" for a browser session, TokenRead or TokenWrite for
	// a personal access token.
	TokenScope string
}

// The scopes of a personal access token. A token never holds more rights
// than the person who made it; a read token holds only the right to look.
const (
	TokenRead  = "read"
	TokenWrite = "write"
)

// Has reports whether the actor holds role r.
func (a Actor) Has(r roster.Role) bool { return slices.Contains(a.Roles, r) }

// AtSchool reports whether the actor belongs to school id.
func (a Actor) AtSchool(id int64) bool { return id != 0 && slices.Contains(a.SchoolIDs, id) }

// Relation is how an actor is related to a student. The audit log records
// the relation each read or change was allowed on.
type Relation string

// The relations, from the closest to the most distant. Decide reports the
// closest one that allows the request.
const (
	Self          Relation = "self"
	GuardianOf    Relation = "guardian"
	TeacherOf     Relation = "teacher"      // teaches a class the student is actively enrolled in
	SchoolStaff   Relation = "school_admin" // administrator of one of the student's schools
	CoachAt       Relation = "coach"        // coach at one of the student's schools
	DistrictAdmin Relation = "district_admin"
)

// Relations are the facts about an actor and one student, as the store
// finds them in one query. Each is true only when the actor also holds the
// matching role; Decide checks the roles again all the same.
type Relations struct {
	Self, Guardian, Teacher, SchoolAdmin, Coach, DistrictAdmin bool
}

// has reports whether the fact behind relation r holds.
func (rel Relations) has(r Relation) bool {
	switch r {
	case Self:
		return rel.Self
	case GuardianOf:
		return rel.Guardian
	case TeacherOf:
		return rel.Teacher
	case SchoolStaff:
		return rel.SchoolAdmin
	case CoachAt:
		return rel.Coach
	case DistrictAdmin:
		return rel.DistrictAdmin
	}
	return false
}

// What is the kind of student record being read or changed.
type What string

// The kinds of student record.
const (
	Profile      What = "profile"      // name, grade, classes
	Mastery      What = "mastery"      // where the student stands on each standard
	Evidence     What = "evidence"     // the records mastery is computed from
	Goals        What = "goals"        // goals and self-assessments the student sets
	Guardians    What = "guardians"    // the student's guardians' names and contact details
	Demographics What = "demographics" // protected facts kept for disaggregated reports
	Audit        What = "audit"        // who viewed or changed the student's record
	Plan         What = "plan"         // the student's plan of targets and their interests
	Supports     What = "supports"     // support plans: tier, kind, goal, progress, outcome
	Notes        What = "notes"        // teachers' comments and behaviour notes
	Alerts       What = "alerts"       // what the district's rules raised for the student
)

// Whats lists every kind of student record, in a fixed order.
var Whats = []What{Profile, Mastery, Evidence, Goals, Guardians, Demographics, Audit, Plan, Supports, Notes, Alerts}

// Action is what is done to a record.
type Action string

// The actions.
const (
	View   Action = "view"
	Change Action = "change"
)

// Actions lists the actions.
var Actions = []Action{View, Change}

// Resource is a kind of record that is not about one student.
type Resource string

// The resources.
const (
	Class     Resource = "class"     // a class: its roster, heatmap, groups; change = record evidence for it
	Roster    Resource = "roster"    // schools, people, enrollments, imports
	Standards Resource = "standards" // frameworks, standards, prerequisites
	Scales    Resource = "scales"    // proficiency scales
	Policy    Resource = "policy"    // how mastery is calculated
	Users     Resource = "users"     // accounts, reset links, access tokens
	AuditLog  Resource = "audit_log" // the search over the whole audit log
	// Playlists are teachers' playlists of activities for a standard;
	// change = make one, or change one's own.
	Playlists Resource = "playlists"
)

// Resources lists every resource, in a fixed order.
var Resources = []Resource{Class, Roster, Standards, Scales, Policy, Users, AuditLog, Playlists}

// Scope holds the facts Allow needs about one resource.
type Scope struct {
	// SchoolID is the school the resource belongs to, 0 when it is the
	// whole district's.
	SchoolID int64
	// ClassTaught says the actor teaches the class (from the store's
	// ClassRelation).
	ClassTaught bool
	// Own says the resource is the actor's own: their account, their
	// access tokens, a playlist they made.
	Own bool
	// TeachesActor says the person the resource belongs to teaches the
	// actor: a playlist made by a teacher of one of a student's classes.
	TeachesActor bool
}
