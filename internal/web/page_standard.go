package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// standardPage is one student on one standard, in full: what the
// standard says and what each level means, where the student stands and
// how that was computed from which evidence, the evidence over time, what
// comes before and after. It is what a heatmap cell opens, and what a
// student or a guardian reads about one standard.
type standardPage struct {
	pageBase
	Student   roster.Person
	Standard  standards.Standard
	Framework string
	// PlaylistsURL leads to the playlists for the standard: the library
	// for a teacher, the student's choice for the student.
	PlaylistsURL string
	// FrameworkLang is the language the framework is written in, for
	// langAttr (Lang is the page's).
	FrameworkLang string
	Levels        []levelView
	Cut           string
	Row           stdRow
	Summary       string
	Inputs        []inputRow
	Children      []stdRow
	Before        []stdRow
	After         []stdRow
	Evidence      []evidenceRow
	Chart         *chartView
	CanVoid       bool
	Back          navLink
	// Model is the knowledge tracing model's view, when the standard has
	// evidence of its own.
	Model *modelView
	// Summative is whether the student is ready for the summative, and
	// what a retake needs.
	Summative *summativeWords
}

// modelView is the model's estimate in words and numbers.
type modelView struct {
	PMastered, Verdict, PNext, Range string
	Params                           string
}

type inputRow struct {
	EvidenceID int64
	URL, Title string
	Date       string
	Value      string
	Weight     string
	Counted    bool
}

func (s *Server) studentStandardPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	stdID, err := pathID(r, "standardId", "standard")
	if err != nil {
		return err
	}
	if _, err := s.studentPage(r, id, access.Mastery, access.Evidence); err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	d := a.DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	std, found := cat.Standard(stdID)
	if !found {
		return urlRecord(problem.NotFound("standard", stdID), "standard", stdID)
	}
	student, err := s.store.Person(ctx, d, id)
	if err != nil {
		return err
	}
	sc := cat.ScaleOf(std)
	fw, _ := cat.Framework(std.FrameworkID)
	data := &standardPage{pageBase: s.newBase(w, r, shortLabel(std)+" · "+student.Name()), Student: student, Standard: std,
		Framework: fw.Title, FrameworkLang: cat.LangOf(std)}
	data.Levels, data.Cut = levelsOf(pr, sc)
	data.Back = s.backLink(r, student)

	ms, err := s.store.MasteryOf(ctx, d, id, stdID)
	var state *store.MasteryState
	switch {
	case errors.Is(err, problem.ErrNotFound):
	case err != nil:
		return err
	default:
		state = &ms
	}
	data.Row = s.stdRowOf(pr, id, std, cat, state)
	if state != nil {
		data.Summary = explainText(pr, sc, state.State)
		if est, in := state.Model, state.Explanation.Model; est != nil && in != nil {
			// A model sure either way believes one chance, not a range.
			rng := percentOf(pr, est.Low)
			if hi := percentOf(pr, est.High); hi != rng {
				rng = pr.T("standard.model.range_value", rng, hi)
			}
			p := in.Params
			data.Model = &modelView{PMastered: percentOf(pr, est.PMastered), Verdict: pr.T("model.verdict." + string(est.Verdict)),
				PNext: percentOf(pr, est.PCorrectNext), Range: rng,
				Params: pr.T("standard.model.params", paramsSource(pr, in), pr.Number(round3(p.Prior)), pr.Number(round3(p.Learn)),
					pr.Number(round3(p.Guess)), pr.Number(round3(p.Slip)))}
			if p.Forget > 0 {
				data.Model.Params = pr.T("standard.model.forget", data.Model.Params, pr.Number(round3(p.Forget)))
			}
			if a := in.Ability; a != nil {
				data.Model.Params = pr.T("kt.standard.params", paramsSource(pr, in), pr.Number(round3(a.Student.Mean)),
					pr.Number(round3(a.Standard.Mean)), pr.Number(round3(a.Rating)))
			}
		}
	} else {
		data.Summary = pr.T("explain.none")
	}

	// The evidence on this standard, newest first; its titles name the
	// inputs of the explanation.
	evs, _, err := s.store.StudentEvidence(ctx, d, id, store.EvidenceFilter{StandardID: stdID, IncludeVoided: true, Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	var values []chartValue
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		for _, scr := range ev.Scores {
			if scr.StandardID == stdID && !ev.Voided() {
				values = append(values, chartValue{Label: pr.ShortDate(ev.AssessedAt), Value: scr.Value})
			}
		}
	}
	for _, ev := range evs {
		row := s.evidenceRowOf(pr, ev, cat)
		titles[ev.ID] = row.Title
		data.Evidence = append(data.Evidence, row)
	}
	data.Chart = newChart(pr, "standard-chart", pr.T("standard.chart", shortLabel(std)), pr.T("standard.chart_desc"), sc, values,
		[2]string{pr.T("standard.date"), pr.T("standard.value")})

	if state != nil {
		for _, in := range state.Explanation.Inputs {
			row := inputRow{EvidenceID: in.EvidenceID, URL: fmt.Sprintf("/evidence/%d", in.EvidenceID), Title: titles[in.EvidenceID],
				Date: pr.Date(in.AssessedAt), Value: pr.Number(in.Value), Counted: in.Weight > 0}
			if state.Explanation.Method == mastery.NTimes {
				row.Weight = map[bool]string{true: pr.T("standard.counts"), false: pr.T("standard.below_cut")}[in.Weight > 0]
			} else {
				row.Weight = pr.Percent(in.Weight)
			}
			data.Inputs = append(data.Inputs, row)
		}
		for _, c := range state.Explanation.Children {
			if c.StandardID == stdID {
				continue // the standard's own evidence, shown above
			}
			child, found := cat.Standard(c.StandardID)
			if !found {
				continue
			}
			cms, err := s.store.MasteryOf(ctx, d, id, c.StandardID)
			var cs *store.MasteryState
			if err == nil {
				cs = &cms
			}
			data.Children = append(data.Children, s.stdRowOf(pr, id, child, cat, cs))
		}
	}

	// What comes before (prerequisites) and after (what it opens).
	related := func(other int64) (stdRow, bool) {
		ost, found := cat.Standard(other)
		if !found {
			return stdRow{}, false
		}
		oms, err := s.store.MasteryOf(ctx, d, id, other)
		var os *store.MasteryState
		if err == nil {
			os = &oms
		}
		return s.stdRowOf(pr, id, ost, cat, os), true
	}
	for _, pre := range cat.Prerequisites(stdID) {
		if row, ok := related(pre); ok {
			data.Before = append(data.Before, row)
		}
	}
	for _, next := range cat.Dependents(stdID) {
		if row, ok := related(next); ok {
			data.After = append(data.After, row)
		}
	}
	data.CanVoid = s.mayChangeEvidence(r, id)
	if data.Summative, err = s.studentSummative(r, student, std, cat); err != nil {
		return err
	}
	data.PlaylistsURL = playlistsLink(a, id, stdID)
	return s.renderPage(w, r, http.StatusOK, "standard", data)
}

// mayChangeEvidence reports whether the actor may void or record the
// student's evidence, to offer the forms.
func (s *Server) mayChangeEvidence(r *http.Request, studentID int64) bool {
	a := actorOf(r)
	if !slices.ContainsFunc(recordingRoles, a.Has) {
		return false
	}
	rels, err := s.store.RelationsTo(r.Context(), a, studentID)
	if err != nil {
		return false
	}
	_, err = access.Decide(a, access.Change, access.Evidence, rels)
	return err == nil
}

// backLink leads from a page about a student back to where the reader
// came from: the class heatmap named in ?class=, or the student's page
// for the reader's role.
func (s *Server) backLink(r *http.Request, student roster.Person) navLink {
	pr := s.printerOf(r)
	a := actorOf(r)
	if cid, err := strconv.ParseInt(r.URL.Query().Get("class"), 10, 64); err == nil && cid > 0 {
		if c, err := s.classByID(r, cid, access.View); err == nil {
			return navLink{Label: pr.T("back.to", c.Title), URL: fmt.Sprintf("/classes/%d", c.ID)}
		}
	}
	switch {
	case a.PersonID == student.ID:
		return navLink{Label: pr.T("back.me"), URL: "/me"}
	case a.Has(roster.RoleGuardian) && !slices.ContainsFunc(classRoles, a.Has):
		return navLink{Label: pr.T("back.to", student.Name()), URL: fmt.Sprintf("/family/%d", student.ID)}
	}
	return navLink{Label: pr.T("back.to", student.Name()), URL: fmt.Sprintf("/students/%d", student.ID)}
}

// round3 rounds a model parameter for showing.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
