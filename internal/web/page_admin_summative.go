package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// adminSummativePage shows the district's rules for the summative (the
// bar a student passes to be proposed as ready, the reassessment policy),
// the form to change them and every change made so far.
type adminSummativePage struct {
	pageBase
	Bar, Reassess string
	// The form's fields, as typed; percentages for the bar.
	MinProbability, MinLow, LevelsBelowCut string
	Practice, MaxAttempts, Counts, Reason  string
	LevelOptions, CountOptions             []option
	Errors                                 map[string]string
	Saved                                  bool
	Changes                                []summativeChangeRow
	// BarFields and RetakeFields are the number fields, filled by
	// render.
	BarFields, RetakeFields []numberField
}

type numberField struct {
	Name, Label, Hint, Value, Error string
}

// render fills the number fields from what was typed and renders the page.
func (s *Server) renderAdminSummative(w http.ResponseWriter, r *http.Request, status int, data *adminSummativePage) error {
	pr := s.printerOf(r)
	f := func(name, label, hint, value string) numberField {
		return numberField{Name: name, Label: pr.T(label), Hint: pr.T(hint), Value: value, Error: data.Errors[name]}
	}
	data.BarFields = []numberField{
		f("min_probability", "summative.admin.min_probability", "summative.admin.min_probability_hint", data.MinProbability),
		f("min_low", "summative.admin.min_low", "summative.admin.min_low_hint", data.MinLow)}
	data.RetakeFields = []numberField{
		f("practice", "summative.admin.practice", "summative.admin.practice_hint", data.Practice),
		f("max_attempts", "summative.admin.max_attempts", "summative.admin.max_attempts_hint", data.MaxAttempts)}
	return s.renderPage(w, r, status, "admin_summative", data)
}

type summativeChangeRow struct {
	At                time.Time
	By, From, To, Why string
}

func pct(x float64) string { return strconv.FormatFloat(math.Round(x*1000)/10, 'f', -1, 64) }

func (s *Server) adminSummativeData(w http.ResponseWriter, r *http.Request) (*adminSummativePage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	p, err := s.store.SummativePolicy(ctx, d)
	if err != nil {
		return nil, err
	}
	data := &adminSummativePage{pageBase: s.newBase(w, r, pr.T("summative.admin.title")), Errors: map[string]string{},
		Saved:          r.URL.Query().Get("saved") != "",
		MinProbability: pct(p.Ready.MinProbability), MinLow: pct(p.Ready.MinLow),
		LevelsBelowCut: strconv.Itoa(p.Ready.LevelsBelowCut), Practice: strconv.Itoa(p.Reassess.PracticeBeforeRetake),
		MaxAttempts: strconv.Itoa(p.Reassess.MaxAttempts), Counts: string(p.Reassess.Counts)}
	data.Bar, data.Reassess = describeSummativePolicy(pr, p)
	for n := 0; n <= 3; n++ {
		data.LevelOptions = append(data.LevelOptions, option{strconv.Itoa(n), pr.N("summative.admin.levels_below", n)})
	}
	for _, c := range pathways.Countings {
		data.CountOptions = append(data.CountOptions, option{string(c), pr.T(policyCountsKeys[c])})
	}
	changes, err := s.store.SummativePolicyChanges(ctx, d)
	if err != nil {
		return nil, err
	}
	names, err := personNames(ctx, s.store, d, changes, func(c store.SummativePolicyChange) int64 { return c.ChangedBy })
	if err != nil {
		return nil, err
	}
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		row := summativeChangeRow{At: c.ChangedAt, By: names[c.ChangedBy], Why: c.Reason, From: pr.T("policy.default")}
		if c.Old != nil {
			b, re := describeSummativePolicy(pr, *c.Old)
			row.From = b + " " + re
		}
		b, re := describeSummativePolicy(pr, c.New)
		row.To = b + " " + re
		data.Changes = append(data.Changes, row)
	}
	return data, nil
}

func (s *Server) adminSummativePage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminSummativeData(w, r)
	if err != nil {
		return err
	}
	return s.renderAdminSummative(w, r, http.StatusOK, data)
}

// adminSetSummative changes the district's summative policy; the change
// is recorded with its reason.
func (s *Server) adminSetSummative(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminSummativeData(w, r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	field := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	data.MinProbability, data.MinLow, data.LevelsBelowCut = field("min_probability"), field("min_low"), field("levels_below_cut")
	data.Practice, data.MaxAttempts, data.Counts, data.Reason = field("practice"), field("max_attempts"), field("counts"), field("reason")
	var p pathways.SummativePolicy
	percent := func(name, text string, dst *float64) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.Replace(text, ",", ".", 1), "%"), 64)
		if err != nil || !(v >= 0 && v < 100) {
			data.Errors[name] = pr.T("summative.admin.error.percent")
			return
		}
		*dst = v / 100
	}
	whole := func(name, text string, dst *int) {
		v, err := strconv.Atoi(text)
		if err != nil || v < 0 || v > 20 {
			data.Errors[name] = pr.T("summative.admin.error.whole")
			return
		}
		*dst = v
	}
	percent("min_probability", data.MinProbability, &p.Ready.MinProbability)
	percent("min_low", data.MinLow, &p.Ready.MinLow)
	whole("levels_below_cut", data.LevelsBelowCut, &p.Ready.LevelsBelowCut)
	whole("practice", data.Practice, &p.Reassess.PracticeBeforeRetake)
	whole("max_attempts", data.MaxAttempts, &p.Reassess.MaxAttempts)
	p.Reassess.Counts = pathways.Counting(data.Counts)
	if why := reasonError(pr, data.Reason, "summative.admin.error.reason"); why != "" {
		data.Errors["reason"] = why
	}
	if len(data.Errors) == 0 {
		if err := p.Validate(); err != nil {
			var ie *problem.InvalidError
			if !errors.As(err, &ie) {
				return err
			}
			byField := map[string][2]string{
				"ready.minProbability":          {"min_probability", "summative.admin.error.min_probability"},
				"ready.minLow":                  {"min_low", "summative.admin.error.min_low"},
				"ready.levelsBelowCut":          {"levels_below_cut", "summative.admin.error.levels_below_cut"},
				"reassess.practiceBeforeRetake": {"practice", "summative.admin.error.practice"},
				"reassess.maxAttempts":          {"max_attempts", "summative.admin.error.max_attempts"},
				"reassess.counts":               {"counts", "summative.admin.error.counts"}}
			for _, f := range ie.Fields {
				if fe, ok := byField[f.Field]; ok {
					data.Errors[fe[0]] = pr.T(fe[1])
				}
			}
		}
	}
	if len(data.Errors) > 0 {
		return s.renderAdminSummative(w, r, http.StatusUnprocessableEntity, data)
	}
	a := actorOf(r)
	if err := s.store.SetSummativePolicy(r.Context(), a.DistrictID, p, a.PersonID, data.Reason); err != nil {
		return err
	}
	s.log.Info("summative policy changed", "request_id", requestIDFrom(r.Context()), "person", a.PersonID)
	return redirect(w, r, "/admin/summative?saved=1")
}
