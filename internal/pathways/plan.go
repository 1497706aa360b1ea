package pathways

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// PathwayTarget is one standard of a class's pathway: the teacher's
// target for the term, with the date by which students should have been
// introduced to it (nil when the teacher set none).
type PathwayTarget struct {
	StandardID  int64      `json:"standardId"`
	IntroduceBy *time.Time `json:"introduceBy,omitempty"`
}

// Pathway is a class's ordered targets for its term: the quarter as the
// teacher maps it, "introduced to these by the end of the quarter". Each
// student's plan starts from it.
type Pathway struct {
	DistrictID int64           `json:"districtId"`
	ClassID    int64           `json:"classId"`
	Targets    []PathwayTarget `json:"targets"`
}

// Origin says where a target of a plan came from.
type Origin string

// The origins of a target.
const (
	// FromPathway is a target the class pathway put in the plan.
	FromPathway Origin = "pathway"
	// AddedByTeacher is a target a teacher added to this student's plan
	// (agreed with the student).
	AddedByTeacher Origin = "teacher"
)

// Target is one standard of a student's plan, in the plan's order.
type Target struct {
	StandardID int64 `json:"standardId"`
	// Due is the date by which the student should be introduced to it:
	// the pathway's date, or one set for this student.
	Due    *time.Time `json:"due,omitempty"`
	Origin Origin     `json:"origin"`
	// AddedBy is the person who put the target in the plan: the teacher
	// who applied the pathway or added it.
	AddedBy int64 `json:"addedBy,omitempty"`
	// Beyond says the standard is not one of the class's course: a
	// teacher added it so that the student goes beyond the course.
	Beyond bool `json:"beyond,omitempty"`
}

// Plan is one student's ordered targets for a term in one class: the
// class pathway, adjusted with the student. A student in several classes
// has a plan in each; "my path" shows them together.
type Plan struct {
	DistrictID int64    `json:"districtId"`
	StudentID  int64    `json:"studentId"`
	ClassID    int64    `json:"classId"`
	Targets    []Target `json:"targets"`
}

// Course is what a pathway or a plan is checked against: the standards of
// the class's course, and those a teacher may add beyond it.
type Course struct {
	// Title names the course in refusals.
	Title string
	// Standards are the course's standards.
	Standards map[int64]bool
	// Beyond are the standards of the district's other courses: the
	// only ones a teacher may add beyond the course (acceleration). A
	// standard no course teaches, such as a domain heading, is never a
	// target.
	Beyond map[int64]bool
	// Label names a standard in refusals ("6.RP.A.3"); nil names it by id.
	Label func(standardID int64) string
}

func (c Course) label(id int64) string {
	if c.Label != nil {
		if l := c.Label(id); l != "" {
			return fmt.Sprintf("%s (standard %d)", l, id)
		}
	}
	return fmt.Sprintf("standard %d", id)
}

// Validate checks a pathway against its class's course: every target a
// standard of the course, each once, at most limits.PlanTargets of them.
// A pathway is the same for every student, so it never goes beyond the
// course; a teacher does that for one student in their plan.
func (p Pathway) Validate(c Course) error {
	var errs problem.Fields
	if len(p.Targets) > limits.PlanTargets {
		errs.Addf("targets", "a pathway may have at most %d targets (limits.PlanTargets); it has %d", limits.PlanTargets, len(p.Targets))
		return errs.Err()
	}
	seen := make(map[int64]int, len(p.Targets))
	for i, t := range p.Targets {
		if j, dup := seen[t.StandardID]; dup {
			errs.AddItemf("targets", i, "standardId", "%s is already target %d of the pathway", c.label(t.StandardID), j)
			continue
		}
		seen[t.StandardID] = i
		if !c.Standards[t.StandardID] {
			errs.AddItemf("targets", i, "standardId", "%s is not a standard of the course %s; a pathway holds the course's standards only", c.label(t.StandardID), quote(c.Title))
		}
	}
	return errs.Err()
}

// Validate checks a plan against its class's course: each target once, at
// most limits.PlanTargets, and each a standard of the course, except a
// standard of another course that a teacher added (Origin AddedByTeacher),
// which is marked Beyond. A standard outside the course put there any
// other way is refused, named.
func (p *Plan) Validate(c Course) error {
	var errs problem.Fields
	if len(p.Targets) > limits.PlanTargets {
		errs.Addf("targets", "a plan may have at most %d targets (limits.PlanTargets); it has %d", limits.PlanTargets, len(p.Targets))
		return errs.Err()
	}
	seen := make(map[int64]int, len(p.Targets))
	for i := range p.Targets {
		t := &p.Targets[i]
		if j, dup := seen[t.StandardID]; dup {
			errs.AddItemf("targets", i, "standardId", "%s is already target %d of the plan", c.label(t.StandardID), j)
			continue
		}
		seen[t.StandardID] = i
		switch t.Origin {
		case FromPathway, AddedByTeacher:
		default:
			errs.AddItemf("targets", i, "origin", "%q is not an origin (want %s or %s)", t.Origin, FromPathway, AddedByTeacher)
			continue
		}
		t.Beyond = false
		switch {
		case c.Standards[t.StandardID]:
		case c.Beyond[t.StandardID] && t.Origin == AddedByTeacher:
			t.Beyond = true
		case c.Beyond[t.StandardID]:
			errs.AddItemf("targets", i, "standardId", "%s is not a standard of the course %s; only a teacher can add a standard of another course, to go beyond this one", c.label(t.StandardID), quote(c.Title))
		default:
			errs.AddItemf("targets", i, "standardId", "%s is not a standard of the course %s nor of any other course", c.label(t.StandardID), quote(c.Title))
		}
	}
	return errs.Err()
}

func quote(s string) string {
	if s == "" {
		return "of this class"
	}
	return fmt.Sprintf("%q", s)
}

// Position returns the index of standardID in the plan, -1 when it is not
// a target.
func (p Plan) Position(standardID int64) int {
	return slices.IndexFunc(p.Targets, func(t Target) bool { return t.StandardID == standardID })
}

// Apply returns the plan a student has once the class pathway pw is
// applied to their plan p by the person by:
//
//   - the pathway's targets come in the pathway's order, with its dates;
//     a target already in the plan keeps its origin and who added it;
//   - a target a teacher added for this student stays, after the target
//     it followed (at the front when it led the plan);
//   - a pathway target the new pathway no longer holds stays, at the
//     front, while the student has not mastered it: earlier content still
//     open comes first; once mastered it leaves the plan.
//
// mastered says whether the student has mastered a standard. p may be the
// zero Plan of a student with none yet.
func Apply(p Plan, pw Pathway, by int64, mastered func(standardID int64) bool) Plan {
	inPathway := make(map[int64]bool, len(pw.Targets))
	for _, t := range pw.Targets {
		inPathway[t.StandardID] = true
	}
	old := make(map[int64]Target, len(p.Targets))
	for _, t := range p.Targets {
		old[t.StandardID] = t
	}
	out := Plan{DistrictID: pw.DistrictID, StudentID: p.StudentID, ClassID: pw.ClassID}
	// Earlier content still open.
	for _, t := range p.Targets {
		if t.Origin == FromPathway && !inPathway[t.StandardID] && !mastered(t.StandardID) {
			out.Targets = append(out.Targets, t)
		}
	}
	// Teacher-added targets, keyed by the target of the new pathway they
	// followed (0: none, they go at the front).
	after := map[int64][]Target{}
	var prev int64
	for _, t := range p.Targets {
		if t.Origin == AddedByTeacher && !inPathway[t.StandardID] {
			after[prev] = append(after[prev], t)
			continue
		}
		if inPathway[t.StandardID] {
			prev = t.StandardID
		}
	}
	out.Targets = append(out.Targets, after[0]...)
	for _, pt := range pw.Targets {
		t, ok := old[pt.StandardID]
		if !ok {
			t = Target{StandardID: pt.StandardID, Origin: FromPathway, AddedBy: by}
		}
		t.Due = pt.IntroduceBy
		out.Targets = append(out.Targets, t)
		out.Targets = append(out.Targets, after[pt.StandardID]...)
	}
	return out
}

// Edit is one change a teacher makes to a student's plan.
type Edit struct {
	// Op is "add", "up", "down" or "remove".
	Op         string     `json:"op"`
	StandardID int64      `json:"standardId"`
	Due        *time.Time `json:"due,omitempty"`
}

// The edits of a plan.
const (
	EditAdd    = "add"
	EditUp     = "up"
	EditDown   = "down"
	EditRemove = "remove"
)

// With returns the plan with edit e made by person by: a standard added
// at the end, moved one place up or down, or removed. The result is not
// checked against the course: Validate does that.
func (p Plan) With(e Edit, by int64) (Plan, error) {
	out := p
	out.Targets = slices.Clone(p.Targets)
	i := p.Position(e.StandardID)
	if e.Op != EditAdd && i < 0 {
		return p, problem.Invalid("standardId", "standard %d is not a target of the plan", e.StandardID)
	}
	switch strings.ToLower(e.Op) {
	case EditAdd:
		if i >= 0 {
			return p, problem.Invalid("standardId", "standard %d is already a target of the plan", e.StandardID)
		}
		out.Targets = append(out.Targets, Target{StandardID: e.StandardID, Due: e.Due, Origin: AddedByTeacher, AddedBy: by})
	case EditUp:
		if i > 0 {
			out.Targets[i-1], out.Targets[i] = out.Targets[i], out.Targets[i-1]
		}
	case EditDown:
		if i < len(out.Targets)-1 {
			out.Targets[i+1], out.Targets[i] = out.Targets[i], out.Targets[i+1]
		}
	case EditRemove:
		out.Targets = slices.Delete(out.Targets, i, i+1)
	default:
		return p, problem.Invalid("op", "%q is not an edit (want add, up, down or remove)", e.Op)
	}
	return out, nil
}
