package pathways

import (
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// GoalState is where a student's goal stands.
type GoalState string

// The states of a goal: open until the student reflects on it, then met
// or not met, as the student says.
const (
	GoalOpen   GoalState = "open"
	GoalMet    GoalState = "met"
	GoalNotMet GoalState = "not_met"
)

// GoalStates are the states of a goal.
var GoalStates = []GoalState{GoalOpen, GoalMet, GoalNotMet}

// GoalHorizon is the furthest ahead a goal may be due: a goal is a step
// a student can see the end of, not a plan for the year.
const GoalHorizon = 366 * 24 * time.Hour

// DateLayout is how a due date is written: 2026-12-04.
const DateLayout = time.DateOnly

// Goal is what a student sets after an assessment: what, by when, what
// they will do and what they need from their teacher; then, when it is
// due, their reflection, and the teachers' comments all along.
type Goal struct {
	ID         int64 `json:"id"`
	DistrictID int64 `json:"districtId"`
	StudentID  int64 `json:"studentId"`
	// EvidenceID is the assessment the goal was set after, when it was.
	EvidenceID *int64 `json:"evidenceId,omitempty"`
	GoalDraft
	State      GoalState     `json:"state"`
	SetAt      time.Time     `json:"setAt"`
	Reflection *Reflection   `json:"reflection,omitempty"`
	Comments   []GoalComment `json:"comments,omitempty"`
}

// GoalDraft is what a student writes when setting a goal.
type GoalDraft struct {
	What string `json:"what"`
	// Due is the day it is due, at midnight UTC.
	Due  time.Time `json:"due"`
	Plan string    `json:"plan"`
	Need string    `json:"need,omitempty"`
}

// Reflection is what a student writes when a goal is due: whether they met
// it, what happened, what they learned and what comes next.
type Reflection struct {
	Met      bool      `json:"met"`
	Happened string    `json:"happened"`
	Learned  string    `json:"learned"`
	Next     string    `json:"next,omitempty"`
	At       time.Time `json:"at"`
}

// GoalComment is a teacher's comment on a goal.
type GoalComment struct {
	ID   int64     `json:"id"`
	By   int64     `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// ParseDue reads a due date written as 2026-12-04, naming the field when
// it is not one.
func ParseDue(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, problem.Invalid("due", "required: the day the goal is due")
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, problem.Invalid("due", "%q is not a date written as 2026-12-04", limitText(s, 40))
	}
	return d, nil
}

// Today is the day of now, at midnight UTC, the way due dates are kept.
func Today(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// Normalize trims the draft's words and keeps only the day of Due.
func (d *GoalDraft) Normalize() {
	d.What = strings.TrimSpace(d.What)
	d.Plan = strings.TrimSpace(d.Plan)
	d.Need = strings.TrimSpace(d.Need)
	if !d.Due.IsZero() {
		d.Due = time.Date(d.Due.Year(), d.Due.Month(), d.Due.Day(), 0, 0, 0, 0, time.UTC)
	}
}

// Validate checks a draft set at now: what and what the student will do
// are needed, each within its length; the due day is today or later, and
// not more than GoalHorizon ahead.
func (d GoalDraft) Validate(now time.Time) error {
	var errs problem.Fields
	required(&errs, "what", d.What, limits.Title, "a goal")
	required(&errs, "plan", d.Plan, limits.Comment, "what you will do")
	bounded(&errs, "need", d.Need, limits.Comment, "what you need")
	today := Today(now)
	switch {
	case d.Due.IsZero():
		errs.Add("due", "required: the day the goal is due")
	case d.Due.Before(today):
		errs.Addf("due", "%s has passed: choose today or a later day", d.Due.Format(DateLayout))
	case d.Due.After(today.Add(GoalHorizon)):
		errs.Addf("due", "%s is more than a year away: choose a nearer day", d.Due.Format(DateLayout))
	}
	return errs.Err()
}

// NewGoal checks and returns the goal a student sets at now, after the
// assessment evidenceID when there is one.
func NewGoal(districtID, studentID int64, evidenceID *int64, d GoalDraft, now time.Time) (Goal, error) {
	d.Normalize()
	if err := d.Validate(now); err != nil {
		return Goal{}, err
	}
	if studentID == 0 {
		return Goal{}, problem.Invalid("studentId", "required")
	}
	return Goal{DistrictID: districtID, StudentID: studentID, EvidenceID: evidenceID, GoalDraft: d, State: GoalOpen, SetAt: now}, nil
}

// IsDue reports whether an open goal is due on the day of now, or past it:
// the time to reflect.
func (g Goal) IsDue(now time.Time) bool {
	return g.State == GoalOpen && !Today(now).Before(g.Due)
}

// Reflect records the student's reflection at now and closes the goal as
// met or not met. Only an open goal takes a reflection
// (problem.ErrConflict otherwise); before it is due, a student may close
// it only as met, having got there early.
func (g *Goal) Reflect(r Reflection, now time.Time) error {
	r.Happened = strings.TrimSpace(r.Happened)
	r.Learned = strings.TrimSpace(r.Learned)
	r.Next = strings.TrimSpace(r.Next)
	var errs problem.Fields
	required(&errs, "happened", r.Happened, limits.Comment, "what happened")
	required(&errs, "learned", r.Learned, limits.Comment, "what you learned")
	bounded(&errs, "next", r.Next, limits.Comment, "what comes next")
	if !r.Met && g.State == GoalOpen && !g.IsDue(now) {
		errs.Addf("met", "the goal is due on %s: until then, reflect on it once you have met it", g.Due.Format(DateLayout))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if g.State != GoalOpen {
		return problem.Conflict("state", "the goal is %s: it has its reflection already", g.State)
	}
	r.At = now
	g.Reflection = &r
	g.State = GoalNotMet
	if r.Met {
		g.State = GoalMet
	}
	return nil
}

// NewGoalComment checks and returns a teacher's comment at now.
func NewGoalComment(by int64, text string, now time.Time) (GoalComment, error) {
	text = strings.TrimSpace(text)
	var errs problem.Fields
	required(&errs, "text", text, limits.Comment, "a comment")
	if err := errs.Err(); err != nil {
		return GoalComment{}, err
	}
	return GoalComment{By: by, At: now, Text: text}, nil
}

// limitText shortens s for quoting in a message.
func limitText(s string, n int) string { return limits.Clip(s, n) }
