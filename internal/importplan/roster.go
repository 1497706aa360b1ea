package importplan

import (
	"math"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
)

// NoTime marks a date that is not there in the rows below.
const NoTime = math.MinInt64

// Micro is a timestamp as the rows below hold it: microseconds since the
// epoch, or NoTime for the zero time.
func Micro(t time.Time) int64 {
	if t.IsZero() {
		return NoTime
	}
	return t.UTC().UnixMicro()
}

// MicroPtr is Micro of an optional timestamp.
func MicroPtr(t *time.Time) int64 {
	if t == nil {
		return NoTime
	}
	return Micro(*t)
}

// The content of each kind of roster record as compared and written:
// comparable values, ids resolved, lists as the JSON text the columns
// hold.
type (
	// School is a school's content.
	School struct{ Name string }
	// Term is an academic session's content.
	Term struct {
		Title, Type string
		Start, End  int64
		Parent      int64
		HasParent   bool
	}
	// Course is a course's content.
	Course struct {
		School              int64
		HasSchool           bool
		Title, Code, Grades string
	}
	// Class is a class's content.
	Class struct {
		School, Course, Term int64
		Title, Code, Period  string
	}
	// Person is a person's content; Roles and Schools are JSON lists.
	Person struct {
		Given, Family, Email, Username, Roles, Schools, Grade, Language string
	}
	// Enrollment is an enrollment's content; Teacher says the role
	// (else student), Begin and End may be NoTime.
	Enrollment struct {
		Class, Person    int64
		Teacher, Primary bool
		Begin, End       int64
	}
	// DemographicsRow is a student's demographics as compared: each
	// yes-or-no fact is -1 unknown, 0 no or 1 yes, races sorted.
	DemographicsRow struct {
		Birth                                      int64
		Sex, Races                                 string
		Hispanic, EnglishLearner, Disability, Poor int8
	}
)

// DemographicsRowOf is d as compared: races in any order are the same
// races.
func DemographicsRowOf(d roster.Demographics) DemographicsRow {
	tri := func(b *bool) int8 {
		switch {
		case b == nil:
			return -1
		case *b:
			return 1
		}
		return 0
	}
	races := slices.Clone(d.Races)
	slices.Sort(races)
	return DemographicsRow{Birth: MicroPtr(d.BirthDate), Sex: d.Sex, Races: JSONText(races),
		Hispanic: tri(d.HispanicOrLatino), EnglishLearner: tri(d.EnglishLearner), Disability: tri(d.Disability), Poor: tri(d.EconomicallyDisadvantaged)}
}

// Record is a record of one kind: its id, sourcedId and content, and whether it is retired.
type Record[T comparable] struct {
	ID        int64
	SourcedID string
	Row       T
	Retired   bool
}

// GuardianLink is a link between a guardian and a student, by id.
type GuardianLink struct{ Guardian, Student int64 }

// KeptHash is one record an earlier OneRoster import brought, as the store
// keeps it for the next import to compare with.
type KeptHash struct {
	Entity, SourcedID string
	Hash              uint64
}

// RosterSnapshot is what a district holds of its roster, as a OneRoster
// import is planned against it. Records are kept by value in slices,
// because a large district has hundreds of thousands of them.
type RosterSnapshot struct {
	District roster.District
	// OtherDistricts are the sourcedIds other districts of the database
	// hold.
	OtherDistricts map[string]bool

	Schools     []Record[School]
	Terms       []Record[Term]
	Courses     []Record[Course]
	Classes     []Record[Class]
	People      []Record[Person]
	Enrollments []Record[Enrollment]
	// Links are the guardian links with their relationship.
	Links map[GuardianLink]string
	// Demographics are by student id.
	Demographics map[int64]DemographicsRow
	// IDs gives the ids of new records.
	IDs IDs
	// EachKept calls f for every record the district's earlier imports
	// brought. It streams them, since a large roster has as many as it
	// has rows; a snapshot made in memory gives a function over a slice.
	EachKept func(f func(KeptHash)) error
}

// DemographicsWrite is the demographics a plan writes for a student.
type DemographicsWrite struct {
	Student int64
	roster.Demographics
}

// LinkWrite is a guardian link a plan creates or changes.
type LinkWrite struct {
	GuardianLink
	Relationship string
}

// KeptRecords are the changes a plan makes to the records kept of one
// entity of OneRoster (users, enrollments...).
type KeptRecords struct {
	Entity string
	// Forget are the sourcedIds to forget, sorted.
	Forget []string
	// Count is how many records Keep lists.
	Count int
	// Keep returns the sourcedIds to keep or replace, sorted, their
	// hashes, and record, which gives the JSON of the i-th as read ("" when
	// the package does not hold it). The store calls it when it writes the
	// entity, and record as it goes, so that the records of a large roster
	// are never all listed or encoded at once.
	Keep func() (sourcedIDs []string, hashes []uint64, record func(i int) (string, error))
}

// RosterPlan is what a OneRoster import writes, in the order the store
// applies it: the district's sourcedId, the records kind by kind (each
// kind's parents before children), links and demographics, retirements,
// and the records kept for the next import.
type RosterPlan struct {
	Counts
	// DistrictSourcedID, when not "", is given to the district.
	DistrictSourcedID string

	Schools     []Record[School]
	Terms       []Record[Term]
	Courses     []Record[Course]
	Classes     []Record[Class]
	People      []Record[Person]
	Enrollments []Record[Enrollment]
	// UsernameMoves are the people whose username changes: cleared before
	// people are written, so that no two hold one username for a moment.
	UsernameMoves []int64
	// EnrollmentMoves are the enrollments whose class, person or role
	// change: deleted before enrollments are written, for the same reason.
	EnrollmentMoves []int64

	Links               []LinkWrite
	LinkRemoves         []GuardianLink
	Demographics        []DemographicsWrite
	DemographicsRemoves []int64

	// Retire are the stored records the import retires, by kind
	// ("schools"...), ids sorted.
	RetireSchools, RetireTerms, RetireCourses, RetireClasses, RetirePeople, RetireEnrollments []int64
	// RetiredLinks are the guardian links of people retired, removed
	// with them.
	RetiredLinks []GuardianLink

	// Kept are the changes to the records kept, entity by entity.
	Kept []KeptRecords
}
