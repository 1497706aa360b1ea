package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// adminPolicyPage shows how mastery is calculated in the district and in
// courses that have their own method, the form to change the district's,
// and every change made so far.
type adminPolicyPage struct {
	pageBase
	Current string
	Rollup  string
	Courses []coursePolicyRow
	Changes []policyChangeRow
	Methods []option
	Rollups []option
	Method  string
	Weight  string
	N       string
	RollupV string
	Reason  string
	// The model: what mastered follows, how sure the model must be (in
	// percent) and how its parameters were fitted.
	MasteredBy        string
	MasteredByOptions []option
	Confidence        string
	CurrentModel      string
	Fitted            string
	Errors            map[string]string
	Saved             bool
	Problem           string
	Explains          []option
}

type option struct {
	Value, Label string
}

type coursePolicyRow struct {
	Course, Policy string
}

type policyChangeRow struct {
	At                  time.Time
	By, Scope, From, To string
	Reason              string
	Recomputed          int
}

// describePolicy says a policy in words: "Decaying average, latest 65%".
func (s *Server) describePolicy(r *http.Request, p mastery.Policy) string {
	pr := s.printerOf(r)
	name := pr.T("method." + string(p.Method.Name))
	switch p.Method.Name {
	case mastery.DecayingAverage, mastery.WeightedAverage:
		return pr.T("policy.with_weight", name, pr.Percent(p.Method.Weight))
	case mastery.NTimes:
		return pr.T("policy.with_n", name, p.Method.N)
	}
	return name
}

func (s *Server) adminPolicyData(w http.ResponseWriter, r *http.Request) (*adminPolicyPage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	p, err := s.store.DistrictPolicy(ctx, d)
	if err != nil {
		return nil, err
	}
	data := &adminPolicyPage{pageBase: s.newBase(w, r, pr.T("policy.title")), Current: s.describePolicy(r, p),
		Rollup: pr.T("rollup." + string(p.Rollup)), Errors: map[string]string{},
		Method: string(p.Method.Name), RollupV: string(p.Rollup), Saved: r.URL.Query().Get("saved") != ""}
	if p.Method.Weight > 0 {
		data.Weight = strconv.FormatFloat(p.Method.Weight, 'f', -1, 64)
	} else {
		data.Weight = strconv.FormatFloat(mastery.DefaultWeight, 'f', -1, 64)
	}
	data.N = strconv.Itoa(max(p.Method.N, mastery.DefaultN))
	for _, m := range mastery.Methods {
		data.Methods = append(data.Methods, option{string(m), pr.T("method." + string(m))})
		data.Explains = append(data.Explains, option{pr.T("method." + string(m)), pr.T("method." + string(m) + ".about")})
	}
	for _, ru := range []mastery.RollupRule{mastery.RollupMean, mastery.RollupLowest, mastery.RollupAllMastered} {
		data.Rollups = append(data.Rollups, option{string(ru), pr.T("rollup." + string(ru))})
	}
	by := p.MasteredBy
	if by == "" {
		by = mastery.MasteredByMethod
	}
	conf := p.Confidence
	if conf == 0 {
		conf = mastery.DefaultConfidence
	}
	data.MasteredBy = string(by)
	data.Confidence = strconv.FormatFloat(math.Round(conf*1000)/10, 'f', -1, 64)
	data.CurrentModel = pr.T("policy.current_mastered_by."+string(by), pr.Percent(conf))
	for _, b := range []mastery.MasteredBy{mastery.MasteredByMethod, mastery.MasteredByModel, mastery.MasteredByBoth} {
		data.MasteredByOptions = append(data.MasteredByOptions, option{string(b), pr.T("policy.mastered_by." + string(b))})
	}
	n, at, err := s.store.FittedModels(ctx, d)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		data.Fitted = pr.N("policy.model_fitted", n, pr.Date(at))
	} else {
		data.Fitted = pr.T("policy.model_default")
	}
	courses, _, err := s.store.Courses(ctx, d, store.RosterFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return nil, err
	}
	title := map[int64]string{}
	for _, c := range courses {
		title[c.ID] = c.Title
		cp, err := s.store.CoursePolicy(ctx, d, c.ID)
		if errors.Is(err, problem.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		data.Courses = append(data.Courses, coursePolicyRow{Course: c.Title, Policy: s.describePolicy(r, *cp)})
	}
	changes, err := s.store.PolicyChanges(ctx, d)
	if err != nil {
		return nil, err
	}
	names, err := personNames(ctx, s.store, d, changes, func(c store.PolicyChange) int64 { return c.ChangedBy })
	if err != nil {
		return nil, err
	}
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		row := policyChangeRow{At: c.ChangedAt, By: names[c.ChangedBy], Reason: c.Reason, Recomputed: c.Recomputed,
			Scope: pr.T("policy.district"), From: pr.T("policy.default")}
		if c.CourseID != nil {
			row.Scope = title[*c.CourseID]
		}
		if c.Old != nil {
			row.From = s.describePolicy(r, *c.Old)
		}
		if c.New != nil {
			row.To = s.describePolicy(r, *c.New)
		} else {
			row.To = pr.T("policy.removed")
		}
		data.Changes = append(data.Changes, row)
	}
	return data, nil
}

func (s *Server) adminPolicyPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminPolicyData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "admin_policy", data)
}

// adminSetPolicy changes the district's policy. Every mastery state it
// affects is recomputed before the answer, and the change is recorded
// with its reason.
func (s *Server) adminSetPolicy(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminPolicyData(w, r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	data.Method = r.PostFormValue("method")
	data.Weight = strings.TrimSpace(r.PostFormValue("weight"))
	data.N = strings.TrimSpace(r.PostFormValue("n"))
	data.RollupV = r.PostFormValue("rollup")
	data.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	data.MasteredBy = r.PostFormValue("mastered_by")
	data.Confidence = strings.TrimSpace(r.PostFormValue("confidence"))
	p := mastery.Policy{Method: mastery.Method{Name: mastery.MethodName(data.Method)}, Rollup: mastery.RollupRule(data.RollupV)}
	switch by := mastery.MasteredBy(data.MasteredBy); by {
	case mastery.MasteredByMethod, "":
		// The default is stored as no choice, so that a district that
		// never chose keeps following the method.
	case mastery.MasteredByModel, mastery.MasteredByBoth:
		p.MasteredBy = by
	default:
		data.Errors["mastered_by"] = pr.T("policy.error.mastered_by")
	}
	if data.Confidence != "" {
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.Replace(data.Confidence, ",", ".", 1), "%"), 64)
		if err != nil || !(pct > 50 && pct < 100) {
			data.Errors["confidence"] = pr.T("policy.error.confidence")
		} else if c := pct / 100; c != mastery.DefaultConfidence {
			p.Confidence = c
		}
	}
	switch p.Method.Name {
	case mastery.DecayingAverage, mastery.WeightedAverage:
		wgt, err := strconv.ParseFloat(strings.Replace(data.Weight, ",", ".", 1), 64)
		if err != nil || wgt <= 0 || wgt > 1 {
			data.Errors["weight"] = pr.T("policy.error.weight")
		}
		p.Method.Weight = wgt
	case mastery.NTimes:
		n, err := strconv.Atoi(data.N)
		if err != nil || n < 1 || n > 20 {
			data.Errors["n"] = pr.T("policy.error.n")
		}
		p.Method.N = n
	}
	if why := reasonError(pr, data.Reason, "policy.error.reason"); why != "" {
		data.Errors["reason"] = why
	}
	if len(data.Errors) == 0 {
		if err := p.Validate(); err != nil {
			var ie *problem.InvalidError
			if !errors.As(err, &ie) {
				return err
			}
			for _, f := range ie.Fields {
				switch f.Field {
				case "method.name":
					data.Errors["method"] = pr.T("policy.error.method")
				case "rollup":
					data.Errors["rollup"] = pr.T("policy.error.rollup")
				case "masteredBy":
					data.Errors["mastered_by"] = pr.T("policy.error.mastered_by")
				case "confidence":
					data.Errors["confidence"] = pr.T("policy.error.confidence")
				default:
					data.Problem = f.Field + ": " + f.Reason
				}
			}
		}
	}
	if len(data.Errors) > 0 || data.Problem != "" {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_policy", data)
	}
	a := actorOf(r)
	if err := s.store.SetPolicy(r.Context(), a.DistrictID, nil, p, a.PersonID, data.Reason); err != nil {
		return err
	}
	s.log.Info("mastery policy changed", "request_id", requestIDFrom(r.Context()), "person", a.PersonID, "method", p.Method.Name)
	return redirect(w, r, "/admin/policy?saved=1")
}

// reasonError is what a form says of the reason given for a change: that
// it is required, in the words of requiredKey (none when requiredKey is
// ""), or that it is longer than limits.Reason; "" when it will do.
func reasonError(pr *i18n.Printer, reason, requiredKey string) string {
	switch {
	case reason == "" && requiredKey != "":
		return pr.T(requiredKey)
	case limits.TooLong(reason, limits.Reason, "a reason") != "":
		return pr.T("reason.error.too_long", limits.Reason)
	}
	return ""
}
