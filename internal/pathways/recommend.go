package pathways

import (
	"math"
	"slices"
	"strings"
	"time"
)

// ReasonCode names why a standard is recommended; the pages say it in a
// sentence of the reader's language (catalog key "plan.reason.<code>").
type ReasonCode string

// The reasons for a recommendation, in the order one is chosen when
// several hold.
const (
	// ReasonPrerequisite: the student needs it before For, a target of
	// their plan they are not ready for yet.
	ReasonPrerequisite ReasonCode = "prerequisite"
	// ReasonAlmost: the model puts the student's probability of mastery
	// at Percent: a little more work may show it.
	ReasonAlmost ReasonCode = "almost"
	// ReasonInterest: it has activities tagged with Interest, one of the
	// student's interests.
	ReasonInterest ReasonCode = "interest"
	// ReasonBeyond: a teacher added it so that the student goes beyond
	// the course.
	ReasonBeyond ReasonCode = "beyond"
	// ReasonNext: it is next in the plan and its prerequisites are
	// mastered (or it has none).
	ReasonNext ReasonCode = "next"
)

// Reason is why a standard is recommended, as data: the web writes the
// sentence from it in the reader's language.
type Reason struct {
	Code ReasonCode `json:"code"`
	// For is the plan target a prerequisite is recommended for.
	For int64 `json:"for,omitempty"`
	// Percent is the model's probability of mastery, in percent.
	Percent int `json:"percent,omitempty"`
	// Interest is the student's interest an activity matched.
	Interest string `json:"interest,omitempty"`
	// Due is the date by which the plan says to be introduced to it.
	Due *time.Time `json:"due,omitempty"`
}

// Recommendation is one standard recommended to a student, with what it
// was ranked on.
type Recommendation struct {
	StandardID int64 `json:"standardId"`
	// Position is the place in the plan of the target it serves: its
	// own, or for a prerequisite, the target's.
	Position int `json:"position"`
	// PMastered is the model's probability that the student has
	// mastered it, nil when the model has no estimate yet.
	PMastered *float64 `json:"pMastered,omitempty"`
	Reason    Reason   `json:"reason"`
}

// Window is how many of the first ready targets of a plan compete for the
// top of the recommendations. Beyond it, plan order alone decides: the
// plan is the teacher's, and the model and interests only reorder what is
// already near its front. See docs/decisions/0019-recommendation-ranking.md.
const Window = 3

// almostAt is the model probability of mastery at which an open standard
// counts as nearly mastered.
const almostAt = 0.5

// SearchDepth bounds how far below a target Recommend looks for a ready
// prerequisite. Real prerequisite chains inside a course are a few deep.
const SearchDepth = 8

// Interests are what Recommend matches a student's interests with: the
// interest tags of the activities of each standard's playlists.
type Interests struct {
	// Student are the student's interests.
	Student []string
	// Tags returns the interest tags of a standard's activities; nil
	// when there are none.
	Tags func(standardID int64) []string
}

func (in Interests) match(standardID int64) string {
	if len(in.Student) == 0 || in.Tags == nil {
		return ""
	}
	tags := in.Tags(standardID)
	for _, want := range in.Student {
		for _, tag := range tags {
			if strings.EqualFold(strings.TrimSpace(tag), strings.TrimSpace(want)) {
				return want
			}
		}
	}
	return ""
}

// Recommend returns up to n next targets for a student with plan p,
// best first:
//
//  1. Only what the student is ready for is recommended. An open target
//     they are not ready for is served by its nearest ready prerequisite
//     not mastered, which takes the target's place in the plan.
//  2. The first Window of these, in plan order, are ordered by: nearly
//     mastered first (the model's probability at least one half), then
//     those with an activity matching the student's interests, then plan
//     order. The rest follow in plan order.
//
// Each comes with the reason that placed it. n <= 0 returns them all.
func Recommend(p Plan, s Standing, in Interests, n int) []Recommendation {
	var out []Recommendation
	seen := map[int64]bool{}
	var search below
	for i, t := range p.Targets {
		if s.Mastered(t.StandardID) || seen[t.StandardID] {
			continue
		}
		if isReady(s, t.StandardID) {
			seen[t.StandardID] = true
			out = append(out, recommendation(t.StandardID, i, s, in, Reason{}, t))
			continue
		}
		if pre, ok := search.find(s, t.StandardID, seen); ok {
			seen[pre] = true
			out = append(out, recommendation(pre, i, s, in, Reason{Code: ReasonPrerequisite, For: t.StandardID}, Target{}))
		}
	}
	front := out[:min(Window, len(out))]
	slices.SortStableFunc(front, func(a, b Recommendation) int {
		if d := rank(b) - rank(a); d != 0 {
			return d
		}
		return a.Position - b.Position
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// rank orders the front of the recommendations: nearly mastered, then an
// interest matched.
func rank(r Recommendation) int {
	v := 0
	if r.PMastered != nil && *r.PMastered >= almostAt {
		v += 2
	}
	if r.Reason.Interest != "" {
		v++
	}
	return v
}

func recommendation(id int64, pos int, s Standing, in Interests, why Reason, t Target) Recommendation {
	rec := Recommendation{StandardID: id, Position: pos}
	st, ok := s.State(id)
	if ok && st.Model != nil {
		pm := st.Model.PMastered
		rec.PMastered = &pm
	}
	interest := in.match(id)
	switch {
	case why.Code == ReasonPrerequisite:
	case rec.PMastered != nil && *rec.PMastered >= almostAt:
		why = Reason{Code: ReasonAlmost, Percent: int(math.Round(*rec.PMastered * 100))}
	case interest != "":
		why = Reason{Code: ReasonInterest}
	case t.Beyond:
		why = Reason{Code: ReasonBeyond}
	default:
		why = Reason{Code: ReasonNext}
	}
	why.Interest = interest
	why.Due = t.Due
	rec.Reason = why
	return rec
}

// below finds the nearest prerequisite of a standard, breadth first,
// that the student is ready for and has not mastered. It keeps its
// scratch space between searches of one Recommend.
type below struct {
	visited     map[int64]bool
	level, next []int64
}

// find searches below id, skipping the standards in skip (those already
// recommended).
func (b *below) find(s Standing, id int64, skip map[int64]bool) (int64, bool) {
	if b.visited == nil {
		b.visited = map[int64]bool{}
	}
	clear(b.visited)
	b.visited[id] = true
	b.level = append(b.level[:0], id)
	for depth := 0; depth < SearchDepth && len(b.level) > 0; depth++ {
		b.next = b.next[:0]
		for _, std := range b.level {
			for _, pre := range s.Prerequisites(std) {
				if b.visited[pre] || s.Mastered(pre) {
					continue
				}
				b.visited[pre] = true
				if !skip[pre] && isReady(s, pre) {
					return pre, true
				}
				b.next = append(b.next, pre)
			}
		}
		b.level, b.next = b.next, b.level
	}
	return 0, false
}
