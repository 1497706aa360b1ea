package web

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// adminRulesPage shows the district's rules, each with its thresholds, a
// form to change them or switch it on or off, and every change made so
// far. A refused change comes back to its form with the reason beside
// each field.
type adminRulesPage struct {
	pageBase
	Rules   []ruleForm
	Saved   string
	Scale   string
	Changes []ruleChangeRow
}

// ruleForm is one rule's form.
type ruleForm struct {
	Kind       supports.RuleKind
	Name, What string
	When       string
	Enabled    bool
	Fields     []ruleField
	Reason     string
	Errors     map[string]string
	Invalid    bool
}

// ruleField is one threshold of a rule's form.
type ruleField struct {
	Name, Label, Hint, Value, Error string
}

type ruleChangeRow struct {
	At                 time.Time
	Rule, By, From, To string
	Reason             string
}

func (s *Server) adminRulesData(w http.ResponseWriter, r *http.Request) (*adminRulesPage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	rules, err := s.store.SupportRules(ctx, d)
	if err != nil {
		return nil, err
	}
	sc, err := s.store.RuleScale(ctx, d)
	if err != nil {
		return nil, err
	}
	data := &adminRulesPage{pageBase: s.newBase(w, r, pr.T("rules.title")), Saved: r.URL.Query().Get("saved"),
		Scale: pr.T("rules.scale", pr.Number(sc.Min), pr.Number(sc.Max))}
	for _, rule := range rules {
		f := ruleForm{Kind: rule.Kind, Name: pr.T("rules.kind." + string(rule.Kind)), What: pr.T("rules.about." + string(rule.Kind)),
			Enabled: rule.Enabled, Errors: map[string]string{}}
		switch {
		case rule.Kind.OnEvidence():
			f.When = pr.T("rules.when.evidence")
		case rule.Kind.Daily():
			f.When = pr.T("rules.when.daily")
		default:
			f.When = pr.T("rules.when.note")
		}
		m := rule.Params.ParamsMap(rule.Kind)
		for _, name := range supports.RuleFields(rule.Kind) {
			f.Fields = append(f.Fields, ruleField{Name: name, Label: pr.T("rules.field." + name), Hint: ruleHint(pr, name, sc),
				Value: paramText(m[name])})
		}
		data.Rules = append(data.Rules, f)
	}
	changes, err := s.store.SupportRuleChanges(ctx, d, 50)
	if err != nil {
		return nil, err
	}
	names, err := personNames(ctx, s.store, d, changes, func(c store.RuleChange) int64 { return c.ChangedBy })
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		data.Changes = append(data.Changes, ruleChangeRow{At: c.ChangedAt, Rule: pr.T("rules.kind." + string(c.Kind)), By: names[c.ChangedBy],
			From: ruleSentence(pr, c.Kind, c.OldEnabled, c.OldParams), To: ruleSentence(pr, c.Kind, c.NewEnabled, c.NewParams), Reason: c.Reason})
	}
	return data, nil
}

func ruleHint(pr interface{ T(string, ...any) string }, name string, sc supports.ScaleRange) string {
	switch name {
	case "cut":
		return pr.T("rules.hint.cut", strconv.FormatFloat(sc.Min, 'g', -1, 64), strconv.FormatFloat(sc.Max, 'g', -1, 64))
	case "count":
		return pr.T("rules.hint.count", supports.MinBelowCutCount, supports.MaxBelowCutCount)
	case "days":
		return pr.T("rules.hint.days", supports.MaxRuleDays)
	case "targets":
		return pr.T("rules.hint.targets", supports.MaxBehindTargets)
	case "evidence":
		return pr.T("rules.hint.evidence", supports.MaxStallEvidence)
	}
	return pr.T("rules.hint." + name)
}

func paramText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return ""
}

// ruleSentence says a rule's state in words: on or off, and its thresholds.
func ruleSentence(pr interface{ T(string, ...any) string }, k supports.RuleKind, on bool, p supports.RuleParams) string {
	state := pr.T("rules.off")
	if on {
		state = pr.T("rules.on")
	}
	m := p.ParamsMap(k)
	var parts []string
	for _, name := range supports.RuleFields(k) {
		parts = append(parts, pr.T("rules.field."+name)+" "+paramText(m[name]))
	}
	if len(parts) == 0 {
		return state
	}
	return state + " · " + strings.Join(parts, " · ")
}

func (s *Server) adminRulesPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminRulesData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "admin_rules", data)
}

// adminSetRule changes one rule from its form, recording who changed it,
// when and why; a refused threshold comes back to the form with the reason.
func (s *Server) adminSetRule(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminRulesData(w, r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	k := supports.RuleKind(r.PathValue("kind"))
	i := -1
	for j := range data.Rules {
		if data.Rules[j].Kind == k {
			i = j
		}
	}
	if i < 0 {
		return notFoundPage("rule", limits.Clip(string(k), 40))
	}
	f := &data.Rules[i]
	f.Enabled = r.PostFormValue("enabled") == "on"
	f.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	params := map[string]json.RawMessage{}
	for j := range f.Fields {
		fd := &f.Fields[j]
		fd.Value = strings.TrimSpace(r.PostFormValue(fd.Name))
		// A decimal comma, as Spanish writes 2,5, reads as a point.
		v := fd.Value
		if !strings.Contains(v, ".") {
			v = strings.Replace(v, ",", ".", 1)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			fd.Error = pr.T("rules.error.number")
			continue
		}
		params[fd.Name] = json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
	}
	if why := reasonError(pr, f.Reason, ""); why != "" {
		f.Errors["reason"] = why
	}
	invalid := func() bool {
		for _, fd := range f.Fields {
			if fd.Error != "" {
				return true
			}
		}
		return len(f.Errors) > 0
	}
	if !invalid() {
		raw, err := json.Marshal(params)
		if err != nil {
			return err
		}
		a := actorOf(r)
		_, err = s.store.UpdateSupportRule(r.Context(), a.DistrictID, k, store.RuleUpdate{Enabled: f.Enabled, Params: raw, Reason: f.Reason}, a.PersonID)
		var inv *problem.InvalidError
		switch {
		case errors.As(err, &inv):
			sc, serr := s.store.RuleScale(r.Context(), a.DistrictID)
			if serr != nil {
				return serr
			}
			for _, fe := range inv.Fields {
				name := strings.TrimPrefix(fe.Field, "params.")
				for j := range f.Fields {
					if f.Fields[j].Name == name {
						f.Fields[j].Error = pr.T("rules.error.range", ruleHint(pr, name, sc))
					}
				}
				if fe.Field == "reason" {
					f.Errors["reason"] = pr.T("reason.error.too_long", limits.Reason)
				}
			}
		case err != nil:
			return err
		default:
			s.log.Info("rule changed", "request_id", requestIDFrom(r.Context()), "person", a.PersonID, "rule", k)
			return redirect(w, r, "/admin/rules?saved="+string(k)+"#rule-"+string(k))
		}
	}
	f.Invalid = true
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_rules", data)
}
