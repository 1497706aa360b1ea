package demo

import (
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Dataset is a whole demo district before it is stored. Its records are
// the domain types of roster, standards and evidence; because database ids
// exist only after Load, every reference between records is by SourcedID,
// held in the string fields of the wrappers below, and the id fields of
// the embedded values are left zero.
//
// The evidence is not held in the Dataset: Evidence simulates it on
// demand from the Dataset's exported fields, so a district of 60,000
// students costs memory for its roster only.
type Dataset struct {
	// Seed and Now are the options the district was generated from.
	Seed int64
	Now  time.Time
	// Domain is the district's email domain.
	Domain   string
	District roster.District
	Schools  []roster.School
	// Terms are the school year followed by its four quarters.
	Terms        []Term
	Courses      []Course
	Classes      []Class
	People       []Person
	Enrollments  []Enrollment
	Guardianship []Guardianship
	Demographics []Demographics
	// Scale is the one proficiency scale every framework uses.
	Scale      standards.Scale
	Frameworks []Framework
	// Standards of every framework, each parent before its children.
	Standards       []Standard
	Prerequisites   []Prerequisite
	CourseStandards []CourseStandards
	// Pacing is when each course teaches each of its standards.
	Pacing []Pace
	// Profiles are the hidden truths the evidence is simulated from: no
	// page shows them, but tests and model benchmarks can compare what
	// cairn infers with them.
	Profiles []Profile
	// Featured names the people and the class to open first.
	Featured Featured
}

// Term is a roster term; Parent is the SourcedID of the term it belongs
// to (a quarter's school year), empty for the school year.
type Term struct {
	roster.Term
	Parent string
}

// Course is a roster course with what the simulation needs to know of it.
// The demo's courses are district-wide: School is empty.
type Course struct {
	roster.Course
	School string
	// Subject is SubjectMath or SubjectELA.
	Subject string
	Grade   string
}

// The subjects of the demo's courses.
const (
	SubjectMath = "math"
	SubjectELA  = "ela"
)

// Class is a roster class with the SourcedIDs of its school, course and term.
type Class struct {
	roster.Class
	School, Course, Term string
}

// Person is a roster person with the SourcedIDs of their schools.
type Person struct {
	roster.Person
	Schools []string
}

// Enrollment puts Person in Class (both SourcedIDs).
type Enrollment struct {
	roster.Enrollment
	Class, Person string
}

// Guardianship links a guardian to a student, by SourcedID.
type Guardianship struct {
	Guardian, Student, Relationship string
}

// Demographics are a student's demographics; Student is their SourcedID.
type Demographics struct {
	roster.Demographics
	Student string
}

// Framework is a standards framework; its ScaleID is set by Load.
type Framework struct {
	standards.Framework
}

// Standard is a standard of Framework (a SourcedID); Parent is its
// parent's SourcedID, empty at the top of the hierarchy.
type Standard struct {
	standards.Standard
	Framework, Parent string
	// Topic is a short name that titles assessments ("unit rates").
	Topic string
	// Difficulty is how hard the simulation makes the standard, in the
	// same units as Profile's abilities: 0 is a standard the typical
	// student masters after a handful of lessons.
	Difficulty float64
}

// Prerequisite says that the standard Prerequisite must be mastered before
// Standard (both SourcedIDs).
type Prerequisite struct {
	Standard, Prerequisite string
}

// CourseStandards are the standards a course is mapped to, in the order
// the heatmap shows them.
type CourseStandards struct {
	Course    string
	Standards []string
}

// Pace says when a course teaches a standard: in quarter Quarter (1-4),
// Order-th in the course's year, from Start to End (school days,
// inclusive). Students whose evidence is not yet at the mastery cut when
// the window closes keep getting reteach checks afterwards.
type Pace struct {
	Course, Standard string
	Quarter, Order   int
	Start, End       time.Time
}

// Growth patterns of students.
const (
	Steady       = "steady"
	Accelerating = "accelerating"
	Struggling   = "struggling"
)

// Profile is how the simulation sees one student.
type Profile struct {
	Student string
	// Math, ELA and Disposition are abilities: 0 is typical, +1 about one
	// standard deviation above.
	Math, ELA, Disposition float64
	// Growth multiplies how much each lesson teaches; above 1 the student
	// also gains on new standards as the year goes on, below 1 they fall
	// behind.
	Growth  float64
	Pattern string
}

// Featured names, by SourcedID, what to open first: the sixth-grade math
// class of the teacher's morning, one of its students, his guardian (who
// prefers Spanish and has a second child in the school) and the district
// administrator.
type Featured struct {
	Class, Teacher, Student, Guardian, Admin string
}

// Evidence is one simulated record. Scores[i] is on the standard
// Standards[i] (a SourcedID); StudentID, ClassID, RecordedBy and the
// scores' StandardIDs are left zero for Load to fill in.
type Evidence struct {
	evidence.Evidence
	Student, Class, RecordedBy string
	Standards                  []string
	// Voided, when set, says that the record is a mistake to be voided
	// after it is stored, by whom and why.
	Voided *Voiding
}

// Voiding is why, and by whom, a record is voided.
type Voiding struct {
	By, Reason string
}
