package web

import (
	"context"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// pathView is a student's plan in one class as the pages show it: the
// targets in order with where the student stands and whether they are
// ready, and what to work on next with why.
type pathView struct {
	ClassID   int64
	Class     string
	Course    string
	Stored    bool
	Targets   []pathTarget
	Next      []pathNext
	Mastered  int
	Interests []string
}

// pathTarget is one target of a plan.
type pathTarget struct {
	stdRow
	Position int
	// Due is the date by which to be introduced to it, written out.
	Due    string
	Beyond bool
	// Added says a teacher added it for this student.
	Added bool
	Ready bool
	// Missing names the prerequisites not mastered yet, by code.
	Missing string
	// State says in a few words where the student is: mastered, ready,
	// waiting for a prerequisite.
	State string
	// StateClass is the CSS class of the state's badge.
	StateClass string
	// Overdue says the date has passed and the student has not mastered it.
	Overdue bool
}

// pathNext is one recommended standard with the sentence saying why.
type pathNext struct {
	stdRow
	Reason string
	Why    pathways.ReasonCode
}

// recommendedPerStudent is how many next targets a student's pages list.
const recommendedPerStudent = 3

// standingOf is a student's standing on their standards for the pathways
// rules: the catalog's prerequisites and the student's states.
func standingOf(cat *standards.Catalog, states map[int64]mastery.State) pathways.Standing {
	return pathways.Standing{
		Prerequisites: cat.Prerequisites,
		State: func(id int64) (mastery.State, bool) {
			st, ok := states[id]
			return st, ok
		},
	}
}

// interestsOf is what recommendations match a student's interests with:
// tags are the interest tags of the activities in each standard's
// playlists (plansTags). Where there are none, interests change no
// ranking.
func interestsOf(tags map[int64][]string, student []string) pathways.Interests {
	return pathways.Interests{Student: student, Tags: func(id int64) []string { return tags[id] }}
}

// plansTags returns the interest tags of the activities that the teachers
// of the plans' classes made playlists of, by standard.
func (s *Server) plansTags(ctx context.Context, districtID int64, plans []store.StudentPlan) (map[int64][]string, error) {
	classes := make([]int64, 0, len(plans))
	for _, sp := range plans {
		classes = append(classes, sp.Class.ID)
	}
	return s.store.ActivityTags(ctx, districtID, classes)
}

// pathViewOf builds the view of a student's plan in one class.
func (s *Server) pathViewOf(pr *i18n.Printer, cat *standards.Catalog, sp store.StudentPlan, course string,
	states map[int64]mastery.State, interests []string, tags map[int64][]string, now time.Time) pathView {
	v := pathView{ClassID: sp.Class.ID, Class: sp.Class.Title, Course: course, Stored: sp.Stored, Interests: interests}
	standing := standingOf(cat, states)
	for i, t := range sp.Targets {
		st, ok := cat.Standard(t.StandardID)
		if !ok {
			continue
		}
		row := pathTarget{stdRow: s.stdRowOf(pr, sp.StudentID, st, cat, stateRef(states, t.StandardID)), Position: i + 1,
			Beyond: t.Beyond, Added: t.Origin == pathways.AddedByTeacher}
		if t.Due != nil {
			row.Due = pr.Date(*t.Due)
		}
		rd := pathways.Ready(standing, t.StandardID)
		row.Ready = rd.Ready
		var codes []string
		for _, id := range rd.Missing {
			if pre, ok := cat.Standard(id); ok {
				codes = append(codes, shortLabel(pre))
			}
		}
		row.Missing = strings.Join(codes, ", ")
		switch {
		case rd.Mastered:
			v.Mastered++
			row.State, row.StateClass = pr.T("plan.state.mastered"), "mastered"
		case rd.Ready:
			row.State, row.StateClass = pr.T("plan.state.ready"), "ready"
		default:
			row.State, row.StateClass = pr.N("plan.state.waiting", len(codes), row.Missing), "waiting"
		}
		row.Overdue = !rd.Mastered && t.Due != nil && t.Due.Before(now)
		v.Targets = append(v.Targets, row)
	}
	for _, rec := range pathways.Recommend(sp.Plan, standing, interestsOf(tags, interests), recommendedPerStudent) {
		st, ok := cat.Standard(rec.StandardID)
		if !ok {
			continue
		}
		v.Next = append(v.Next, pathNext{stdRow: s.stdRowOf(pr, sp.StudentID, st, cat, stateRef(states, rec.StandardID)),
			Reason: reasonText(pr, cat, rec), Why: rec.Reason.Code})
	}
	return v
}

func stateRef(states map[int64]mastery.State, id int64) *store.MasteryState {
	st, ok := states[id]
	if !ok {
		return nil
	}
	return &store.MasteryState{StandardID: id, State: st}
}

// reasonText says why a standard is recommended, in one sentence the
// student can read, in the page's language.
func reasonText(pr *i18n.Printer, cat *standards.Catalog, rec pathways.Recommendation) string {
	why := rec.Reason
	code := func(id int64) string {
		if st, ok := cat.Standard(id); ok {
			return shortLabel(st)
		}
		return ""
	}
	var text string
	switch why.Code {
	case pathways.ReasonPrerequisite:
		text = pr.T("plan.reason.prerequisite", code(rec.StandardID), code(why.For))
	case pathways.ReasonAlmost:
		text = pr.T("plan.reason.almost", pr.T("number.percent", why.Percent))
	case pathways.ReasonInterest:
		text = pr.T("plan.reason.interest", why.Interest)
	case pathways.ReasonBeyond:
		text = pr.T("plan.reason.beyond")
	default:
		if len(cat.Prerequisites(rec.StandardID)) == 0 {
			text = pr.T("plan.reason.next_first")
		} else {
			text = pr.T("plan.reason.next")
		}
	}
	return text
}
