package supports

import (
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Tier is the intensity of a support in a response-to-intervention
// (MTSS) model: 1 is what every student gets in class, 2 targeted
// small-group help, 3 intensive, individual help.
type Tier int

// The tiers.
const (
	Tier1 Tier = 1
	Tier2 Tier = 2
	Tier3 Tier = 3
)

// Valid reports whether t is 1, 2 or 3.
func (t Tier) Valid() bool { return t >= Tier1 && t <= Tier3 }

// Kind is the kind of help a plan gives.
type Kind string

// The kinds of support.
const (
	// Reteach is small-group reteaching of a standard not yet mastered.
	Reteach Kind = "reteach"
	// Tutoring is one-to-one or small-group tutoring, often by another adult.
	Tutoring Kind = "tutoring"
	// Extension is extension or acceleration beyond the current target.
	Extension Kind = "extension"
	// Referral is a referral to a specialist (reading, counselling,
	// special education evaluation).
	Referral Kind = "referral"
)

// Kinds are the kinds of support, in the order pages list them.
var Kinds = []Kind{Reteach, Tutoring, Extension, Referral}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Outcome is how a closed plan ended.
type Outcome string

// The outcomes of a plan; an open plan has none.
const (
	OutcomeNone   Outcome = ""
	GoalMet       Outcome = "met"
	GoalPartlyMet Outcome = "partly_met"
	GoalNotMet    Outcome = "not_met"
	// Discontinued is a plan stopped before its goal could be judged
	// (the student moved, the support was replaced).
	Discontinued Outcome = "discontinued"
)

// Outcomes are the outcomes a plan can close with.
var Outcomes = []Outcome{GoalMet, GoalPartlyMet, GoalNotMet, Discontinued}

// MaxPlanStandards bounds the standards one plan names: a plan is focused
// help, not a course.
const MaxPlanStandards = 20

// PlanHorizon is the furthest from today a plan may start or end.
const PlanHorizon = 366 * 24 * time.Hour

// DateLayout is how a plan's days are written: 2026-12-04.
const DateLayout = time.DateOnly

// PlanDraft is what a teacher writes when planning a support.
type PlanDraft struct {
	StudentID int64 `json:"studentId"`
	// ClassID is the class the support belongs to, when it belongs to one.
	ClassID *int64 `json:"classId,omitempty"`
	Tier    Tier   `json:"tier"`
	Kind    Kind   `json:"kind"`
	// StandardIDs are the standards the support works on; progress is
	// monitored by the evidence on them.
	StandardIDs []int64 `json:"standardIds"`
	// ProviderID is who gives the support (a teacher, a co-teacher, an
	// aide, a coach).
	ProviderID int64 `json:"providerId"`
	// Schedule says when, in the teacher's words: "Tue and Thu, 20 min".
	Schedule string `json:"schedule,omitempty"`
	// StartsOn and EndsOn are days at midnight UTC; EndsOn is optional.
	StartsOn time.Time  `json:"startsOn"`
	EndsOn   *time.Time `json:"endsOn,omitempty"`
	Goal     string     `json:"goal"`
}

// Plan is a support for one student: its draft, who made it and when,
// and, once closed, its outcome.
type Plan struct {
	ID         int64 `json:"id"`
	DistrictID int64 `json:"districtId"`
	PlanDraft
	CreatedBy   int64      `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	Outcome     Outcome    `json:"outcome,omitempty"`
	OutcomeNote string     `json:"outcomeNote,omitempty"`
	ClosedAt    *time.Time `json:"closedAt,omitempty"`
}

// Open reports whether the plan has not been closed.
func (p Plan) Open() bool { return p.ClosedAt == nil }

// ActiveOn reports whether the plan runs on the day of t: open, or closed
// after that day, started by then and not ended before it.
func (p Plan) ActiveOn(t time.Time) bool {
	day := Day(t)
	if day.Before(p.StartsOn) {
		return false
	}
	if p.EndsOn != nil && day.After(*p.EndsOn) {
		return false
	}
	return p.ClosedAt == nil || !Day(*p.ClosedAt).Before(day)
}

// Day is the day of t at midnight UTC, the way plan days are kept.
func Day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ParseDay reads a day written as 2026-12-04, naming field when it is not one.
func ParseDay(field, s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, problem.Invalid(field, "%q is not a date written as 2026-12-04", limits.Clip(s, 40))
	}
	return d, nil
}

// Normalize trims the draft's words, keeps only the days of its dates
// and sorts its standards without repeats.
func (d *PlanDraft) Normalize() {
	d.Schedule = strings.TrimSpace(d.Schedule)
	d.Goal = strings.TrimSpace(d.Goal)
	if !d.StartsOn.IsZero() {
		d.StartsOn = Day(d.StartsOn)
	}
	if d.EndsOn != nil {
		e := Day(*d.EndsOn)
		d.EndsOn = &e
	}
	d.StandardIDs = slices.Compact(slices.Sorted(slices.Values(d.StandardIDs)))
}

// Validate checks a draft written at now. The references (student,
// provider, standards, class) are the store's to check.
func (d PlanDraft) Validate(now time.Time) error {
	var errs problem.Fields
	if d.StudentID == 0 {
		errs.Add("studentId", "required")
	}
	if d.ProviderID == 0 {
		errs.Add("providerId", "required: who gives the support")
	}
	if !d.Tier.Valid() {
		errs.Addf("tier", "%d is not a tier: 1, 2 or 3", d.Tier)
	}
	if !d.Kind.Valid() {
		errs.Addf("kind", "%q is not a kind of support: one of %s", limits.Clip(string(d.Kind), 40), kindList())
	}
	switch n := len(d.StandardIDs); {
	case n == 0 && d.Kind != Referral:
		errs.Add("standardIds", "required: the standards the support works on")
	case n > MaxPlanStandards:
		errs.Addf("standardIds", "%d standards: a plan names at most %d", n, MaxPlanStandards)
	}
	for i, id := range d.StandardIDs {
		if id <= 0 {
			errs.AddItemf("standardIds", i, "", "%d is not a standard id", id)
		}
	}
	if why := limits.TooLong(d.Schedule, limits.Title, "when"); why != "" {
		errs.Add("schedule", why)
	}
	if strings.TrimSpace(d.Goal) == "" {
		errs.Add("goal", "required: what the support should achieve")
	} else if why := limits.TooLong(d.Goal, limits.Comment, "a goal"); why != "" {
		errs.Add("goal", why)
	}
	today := Day(now)
	switch {
	case d.StartsOn.IsZero():
		errs.Add("startsOn", "required: the day the support starts")
	case d.StartsOn.Before(today.Add(-PlanHorizon)) || d.StartsOn.After(today.Add(PlanHorizon)):
		errs.Addf("startsOn", "%s is more than a year from today", d.StartsOn.Format(DateLayout))
	}
	if d.EndsOn != nil && !d.StartsOn.IsZero() {
		switch {
		case d.EndsOn.Before(d.StartsOn):
			errs.Addf("endsOn", "%s is before the start, %s", d.EndsOn.Format(DateLayout), d.StartsOn.Format(DateLayout))
		case d.EndsOn.After(d.StartsOn.Add(PlanHorizon)):
			errs.Addf("endsOn", "%s is more than a year after the start", d.EndsOn.Format(DateLayout))
		}
	}
	return errs.Err()
}

// NewPlan checks and returns the plan createdBy writes at now.
func NewPlan(districtID, createdBy int64, d PlanDraft, now time.Time) (Plan, error) {
	d.Normalize()
	if err := d.Validate(now); err != nil {
		return Plan{}, err
	}
	return Plan{DistrictID: districtID, PlanDraft: d, CreatedBy: createdBy, CreatedAt: now}, nil
}

// Close ends an open plan at now with its outcome and a note.
func (p *Plan) Close(o Outcome, note string, now time.Time) error {
	var errs problem.Fields
	if !slices.Contains(Outcomes, o) {
		errs.Addf("outcome", "%q is not an outcome: one of met, partly_met, not_met, discontinued", limits.Clip(string(o), 40))
	}
	note = strings.TrimSpace(note)
	if why := limits.TooLong(note, limits.Comment, "a note"); why != "" {
		errs.Add("note", why)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if !p.Open() {
		return problem.Conflict("outcome", "the plan was closed on %s", p.ClosedAt.Format(DateLayout))
	}
	p.Outcome, p.OutcomeNote = o, note
	at := now
	p.ClosedAt = &at
	return nil
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
