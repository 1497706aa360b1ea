package supports

import (
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// NoteKind says what a teacher's note about a student is.
type NoteKind string

// The kinds of note.
const (
	// NoteComment is a comment on the student's learning or situation.
	NoteComment NoteKind = "comment"
	// NoteBehaviour is a behaviour note: what happened, when.
	NoteBehaviour NoteKind = "behaviour"
)

// NoteKinds are the kinds of note, in the order forms offer them.
var NoteKinds = []NoteKind{NoteComment, NoteBehaviour}

// Valid reports whether k is one of NoteKinds.
func (k NoteKind) Valid() bool { return slices.Contains(NoteKinds, k) }

// MaxNotesListed bounds the notes a page or a response lists for one
// student, the latest first: a year of daily notes, well past what a
// reader goes through.
const MaxNotesListed = 200

// Note is a teacher's comment or behaviour note about a student, kept
// beside the student's academics for the staff who act on it. Students
// and families do not read notes (access.Notes).
type Note struct {
	ID         int64 `json:"id"`
	DistrictID int64 `json:"districtId"`
	StudentID  int64 `json:"studentId"`
	// ClassID is the class the note was written in, when there is one.
	ClassID  *int64    `json:"classId,omitempty"`
	AuthorID int64     `json:"authorId"`
	Kind     NoteKind  `json:"kind"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// NewNote checks and returns the note author writes about a student at
// now; its text is trimmed and must say something within limits.Comment.
func NewNote(districtID, studentID int64, classID *int64, authorID int64, kind NoteKind, text string, now time.Time) (Note, error) {
	var errs problem.Fields
	text = strings.TrimSpace(text)
	if studentID == 0 {
		errs.Add("studentId", "required")
	}
	if !kind.Valid() {
		errs.Addf("kind", "%q is not a kind of note: comment or behaviour", limits.Clip(string(kind), 40))
	}
	if text == "" {
		errs.Add("text", "required: what the note says")
	} else if why := limits.TooLong(text, limits.Comment, "a note"); why != "" {
		errs.Add("text", why)
	}
	if err := errs.Err(); err != nil {
		return Note{}, err
	}
	return Note{DistrictID: districtID, StudentID: studentID, ClassID: classID, AuthorID: authorID, Kind: kind, Text: text, At: now}, nil
}

// Revise replaces an open plan's draft with d, checked at now as a new
// draft is. The student stays the plan's; a closed plan is kept as it
// closed (problem.ErrConflict).
func (p *Plan) Revise(d PlanDraft, now time.Time) error {
	if !p.Open() {
		return problem.Conflict("outcome", "the plan was closed on %s and is kept as it closed", p.ClosedAt.Format(DateLayout))
	}
	d.StudentID = p.StudentID
	d.Normalize()
	// A plan started more than a year ago may still be edited: only a
	// start that is moved is held to the horizon.
	check := now
	if d.StartsOn.Equal(p.StartsOn) {
		check = d.StartsOn
	}
	if err := d.Validate(check); err != nil {
		return err
	}
	p.PlanDraft = d
	return nil
}
