package importplan

import (
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// What the store reads of a district for an export: the records as it
// holds them, with what the formats published of them, for the interop
// packages to write (casepkg.ExportStored, oneroster.WriteStored,
// oneroster.WriteMasteryGradebook). The store names no format.

// StoredFramework is one framework as a district holds it, with what CASE
// published of it.
type StoredFramework struct {
	// Framework is as stored, with its ID; URI is its CFDocument's URI,
	// Document and Definitions its CFDocument and CFDefinitions as
	// published (empty for a framework made in cairn).
	Framework   standards.Framework
	URI         string
	Document    []byte
	Definitions []byte
	// Standards are every standard of the framework, retired ones
	// included, in hierarchy order (parents before children, siblings by
	// position), each with its URI and CFItem as published.
	Standards []CASEStandard
	// Prerequisites are every prerequisite of the district.
	Prerequisites []standards.Prerequisite
	// Crosswalks and Associations are the framework's, as published.
	Crosswalks   []standards.Crosswalk
	Associations []standards.Association
	// Changed is when the framework last changed in cairn; zero when not
	// known.
	Changed time.Time
}

// StoredRoster is a district's roster as an export writes it: the
// people, classes and enrollments that are not retired, and the schools,
// terms and courses that are not retired or that a class or person still
// refers to; guardian links and demographics of the people listed; and
// the records the district's OneRoster imports kept.
type StoredRoster struct {
	RosterRecords
	// Kept are the records as the district's imports read them, in no
	// particular order.
	Kept []KeptJSON
}

// RosterRecords are a district's roster records as cairn holds them: what
// an export writes, with or without the records imports kept.
type RosterRecords struct {
	District     roster.District
	Schools      []roster.School
	Terms        []roster.Term
	Courses      []roster.Course
	Classes      []roster.Class
	People       []roster.Person
	Enrollments  []roster.Enrollment
	Guardians    []roster.GuardianLink
	Demographics []roster.Demographics
}

// KeptJSON is one record an earlier OneRoster import kept: its entity
// ("users"...) and the record as read, encoded as JSON.
type KeptJSON struct {
	Entity string
	Record []byte
}

// StoredMastery is the mastery of students on the standards of their
// classes, for a gradebook export.
type StoredMastery struct {
	// Results are by class, standard (in hierarchy order) and student.
	Results []MasteryResult
	// Frameworks are the frameworks of the results' standards, read in
	// the same transaction, so that a standard can be named by the
	// identifier its framework's export gives it.
	Frameworks []StoredFramework
}

// MasteryResult is one student's mastery of one standard of a class.
// Records are named by their export identifiers: the sourcedId, or
// "cairn-<kind>-<id>" for a record made in cairn.
type MasteryResult struct {
	ClassSourcedID, SchoolSourcedID, TermSourcedID string
	// TermStart and TermEnd are the class's term's first and last days.
	TermStart, TermEnd time.Time
	StudentSourcedID   string
	// Standard is as stored, with its ID; Scale is its framework's.
	Standard   standards.Standard
	Scale      standards.Scale
	Value      float64
	Level      string
	Mastered   bool
	AssessedAt time.Time
}
