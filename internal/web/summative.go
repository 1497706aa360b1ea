package web

import (
	"math"
	"net/http"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// summativeItem is one student's standing for the summative on one
// standard, as pathways decides it from what the store read.
type summativeItem struct {
	Student, Standard int64
	pathways.SummativeProposal
	// Decision is the teacher's decision in force, if any.
	Decision *store.SummativeDecision
}

// summativeOf decides the standing of the student on the standard from
// in; false when the student has neither evidence nor attempts on it.
func summativeOf(in store.SummativeInputs, cat *standards.Catalog, student int64, std standards.Standard) (summativeItem, bool) {
	k := store.StudentStandard{Student: student, Standard: std.ID}
	st, assessed := in.Standings[k]
	h, attempted := in.Histories[k]
	if !assessed && !attempted {
		return summativeItem{}, false
	}
	it := summativeItem{Student: student, Standard: std.ID, SummativeProposal: in.Policy.Propose(st, h, cat.ScaleOf(std))}
	if d, ok := in.Decision(k); ok {
		it.Decision = &d
	}
	return it, true
}

// confirmed says whether a teacher confirmed the student for the next
// attempt.
func (it summativeItem) confirmed() bool {
	return it.Decision != nil && it.Decision.Decision == store.SummativeConfirmed
}

// summativeWords is a standing in sentences a student or a family can
// read: whether ready (or the teacher's decision), whether another
// attempt is open and what it needs, and the result so far.
type summativeWords struct {
	Status, Retake, Left, Result string
	Ready, Confirmed, Declined   bool
}

// wordsFor says it for the student named name; you says it to the
// student themself.
func wordsFor(pr *i18n.Printer, it summativeItem, name string, you bool) summativeWords {
	p := "summative.they."
	if you {
		p = "summative.you."
	}
	var w summativeWords
	rd := it.Readiness
	rs := rd.Reason
	bar := pr.Number(rs.Bar)
	if rs.Code == pathways.ReasonModelBelow || rs.Code == pathways.ReasonModelUnsure {
		bar = pr.Percent(rs.Bar)
	}
	w.Ready = it.Proposed
	w.Status = pr.T(p+string(rs.Code), name, pr.Percent(rd.Probability), pr.Percent(rd.Low), pr.Number(rd.Level), bar)
	switch {
	case it.Decision != nil && it.Decision.Decision == store.SummativeConfirmed:
		w.Confirmed = true
		w.Status = pr.T(p+"confirmed", name)
	case it.Decision != nil:
		w.Declined, w.Ready = true, false
		w.Status = pr.T(p+"declined", name, it.Decision.Reason)
	}
	rt := it.Retake
	switch rt.Reason.Code {
	case pathways.ReasonPracticeFirst:
		w.Retake = pr.N(p+"practice_first", rt.PracticeNeeded, name)
	case pathways.ReasonNoAttemptsLeft:
		w.Retake = pr.N(p+"no_attempts_left", rt.Attempts, name)
	case pathways.ReasonRetakeOpen:
		w.Retake = pr.N(p+"retake_open", rt.Attempts, name)
	default:
		w.Retake = pr.T(p+"first_attempt", name)
	}
	if rt.Reason.Code != pathways.ReasonNoAttemptsLeft {
		if rt.Left < 0 {
			w.Left = pr.T("summative.no_cap")
		} else {
			w.Left = pr.N("summative.attempts_left", rt.Left)
		}
	}
	if res := it.Result; res != nil {
		w.Result = pr.T(p+"result", name, pr.Number(math.Round(res.Value*100)/100), pr.N(countsKeys[res.Counts], res.Attempts))
	}
	return w
}

// countsKeys and policyCountsKeys say which attempt counts: in a result,
// and in the district's rules.
var (
	countsKeys = map[pathways.Counting]string{pathways.CountLatest: "summative.counts.latest",
		pathways.CountHighest: "summative.counts.highest", pathways.CountMean: "summative.counts.mean"}
	policyCountsKeys = map[pathways.Counting]string{pathways.CountLatest: "summative.policy.counts.latest",
		pathways.CountHighest: "summative.policy.counts.highest", pathways.CountMean: "summative.policy.counts.mean"}
)

// describeSummativePolicy says a district's summative policy in a
// sentence or two, for the teacher's page and the administrator's.
func describeSummativePolicy(pr *i18n.Printer, p pathways.SummativePolicy) (bar, reassess string) {
	bar = pr.N("summative.policy.bar", p.Ready.LevelsBelowCut, pr.Percent(p.Ready.MinProbability), pr.Percent(p.Ready.MinLow))
	practice := pr.N("summative.policy.practice", p.Reassess.PracticeBeforeRetake)
	limit := pr.T("summative.no_cap")
	if p.Reassess.MaxAttempts > 0 {
		limit = pr.N("summative.policy.cap", p.Reassess.MaxAttempts)
	}
	reassess = pr.T("summative.policy.reassess", practice, limit, pr.T(policyCountsKeys[p.Reassess.Counts]))
	return bar, reassess
}

// summativeDecisionJSON is a teacher's decision as the API shows it.
type summativeDecisionJSON struct {
	ID         int64     `json:"id"`
	StudentID  int64     `json:"studentId"`
	StandardID int64     `json:"standardId"`
	Decision   string    `json:"decision"`
	Reason     string    `json:"reason,omitempty"`
	DecidedBy  int64     `json:"decidedBy"`
	DecidedAt  time.Time `json:"decidedAt"`
}

func newDecisionJSON(d store.SummativeDecision) *summativeDecisionJSON {
	return &summativeDecisionJSON{ID: d.ID, StudentID: d.StudentID, StandardID: d.StandardID, Decision: d.Decision,
		Reason: d.Reason, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt}
}

// studentSummative is the student's standing for the summative on std in
// sentences, for the standard's page: said to the student on their own
// page, about them (by given name) to a teacher or a guardian. Nil when
// the student has neither evidence nor attempts on the standard.
func (s *Server) studentSummative(r *http.Request, student roster.Person, std standards.Standard, cat *standards.Catalog) (*summativeWords, error) {
	a := actorOf(r)
	in, err := s.store.SummativeInputs(r.Context(), a.DistrictID, []int64{student.ID}, []int64{std.ID})
	if err != nil {
		return nil, err
	}
	it, ok := summativeOf(in, cat, student.ID, std)
	if !ok {
		return nil, nil
	}
	w := wordsFor(s.printerOf(r), it, student.GivenName, a.PersonID == student.ID)
	return &w, nil
}
