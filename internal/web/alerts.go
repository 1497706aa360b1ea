package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// Rules and alerts: the district's rules are district policy (an
// administrator reads and changes them); an alert is a record of its
// student (access.Alerts), read by the staff who act on it and dismissed
// by the student's teachers. A teacher's list holds the alerts raised for
// them; an administrator's the district's, or the school's. An alert of a
// student the caller may not see is answered like one that does not
// exist.

// alertRoles read alerts: those access.Alerts lets view them.
var alertRoles = []roster.Role{roster.RoleTeacher, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin}

// registerRuleRoutes lists the routes of rules and alerts: the API, then
// the pages.
func (s *Server) registerRuleRoutes() {
	s.handle("listRules", "GET /api/v1/rules", forRoles(roster.RoleDistrictAdmin), s.listRulesAPI)
	s.handle("getRule", "GET /api/v1/rules/{kind}", forRoles(roster.RoleDistrictAdmin), s.getRuleAPI)
	s.handle("putRule", "PUT /api/v1/rules/{kind}", onResource(access.Change, access.Policy), s.putRuleAPI)
	s.handle("listAlerts", "GET /api/v1/alerts", forRoles(alertRoles...), s.listAlertsAPI)
	s.handle("getAlert", "GET /api/v1/alerts/{id}", forRoles(alertRoles...), s.getAlertAPI)
	s.handle("dismissAlert", "POST /api/v1/alerts/{id}/dismissal", changingFor(alertRoles...), s.dismissAlertAPI)

	s.page("alerts", "GET /alerts", forRoles(alertRoles...), s.alertsPage)
	s.page("dismissAlertForm", "POST /alerts/{id}/dismiss", changingFor(alertRoles...), s.dismissAlertForm)
	s.page("adminRules", "GET /admin/rules", forRoles(roster.RoleDistrictAdmin), s.adminRulesPage)
	s.page("adminSetRule", "POST /admin/rules/{kind}", onResource(access.Change, access.Policy), s.adminSetRule)
}

// ownAlertsOnly reports whether the actor's list is the alerts raised for
// them (a teacher) rather than those of the students they lead (an
// administrator).
func ownAlertsOnly(a access.Actor) bool {
	return !a.Has(roster.RoleDistrictAdmin) && !a.Has(roster.RoleSchoolAdmin)
}

// visibleAlerts lists the alerts f keeps that the actor may read: a
// teacher's own, or, for an administrator, those of the students they
// lead; each student's alerts are decided by the relation decision and
// the look is logged, one entry per student.
func (s *Server) visibleAlerts(r *http.Request, f store.AlertFilter) ([]store.Alert, int64, error) {
	ctx := r.Context()
	a := actorOf(r)
	if _, err := access.Decide(a, access.View, access.Alerts, access.Relations{}); errors.Is(err, problem.ErrForbidden) {
		return nil, 0, err
	}
	if ownAlertsOnly(a) {
		f.TeacherID = a.PersonID
	}
	list, next, err := s.store.Alerts(ctx, a.DistrictID, f)
	if err != nil {
		return nil, 0, err
	}
	rels := map[int64]access.Relation{}
	hidden := map[int64]bool{}
	var students []roster.Person
	for _, al := range list {
		if _, ok := rels[al.StudentID]; ok || hidden[al.StudentID] {
			continue
		}
		rs, err := s.store.RelationsTo(ctx, a, al.StudentID)
		if err != nil && !errors.Is(err, problem.ErrNotFound) {
			return nil, 0, err
		}
		rel, derr := access.Decide(a, access.View, access.Alerts, rs)
		if err != nil || derr != nil {
			hidden[al.StudentID] = true
			continue
		}
		rels[al.StudentID] = rel
		students = append(students, roster.Person{ID: al.StudentID})
	}
	list = slices.DeleteFunc(list, func(al store.Alert) bool { return hidden[al.StudentID] })
	if err := s.auditClass(r, students, rels, access.View, access.Alerts, "list of alerts"); err != nil {
		return nil, 0, err
	}
	return list, next, nil
}

// alertAccess returns the alert whose id is given, once the actor may do
// action on its student's alerts (studentRecord). A teacher dismisses only
// the alerts of students they teach.
func (s *Server) alertAccess(r *http.Request, id int64, action access.Action) (store.Alert, store.AuditEntry, error) {
	return studentRecord(s, r, id, action, access.Alerts, "alert", s.store.Alert, func(a store.Alert) int64 { return a.StudentID })
}

// alertFilterOf reads a list's query: classId, studentId, dismissed and
// paging. A bad value is refused naming it.
func alertFilterOf(r *http.Request) (store.AlertFilter, error) {
	q := r.URL.Query()
	var f store.AlertFilter
	id := func(name string) (int64, error) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, malformed(name, "%q is not an id", truncateText(v, 40))
		}
		return n, nil
	}
	var err error
	if f.ClassID, err = id("classId"); err != nil {
		return f, err
	}
	st, err := id("studentId")
	if err != nil {
		return f, err
	}
	if st != 0 {
		f.StudentIDs = []int64{st}
	}
	switch v := q.Get("dismissed"); v {
	case "", "false":
	case "true":
		f.Dismissed = true
	default:
		return f, malformed("dismissed", "%q is not true or false", truncateText(v, 40))
	}
	if f.Page.After, err = id("after"); err != nil {
		return f, err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, malformed("limit", "%q is not a number from 1 to 500", truncateText(v, 40))
		}
		f.Page.Limit = n
	}
	return f, nil
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ruleJSON is a rule as the API shows it.
type ruleJSON struct {
	Kind    supports.RuleKind `json:"kind"`
	Enabled bool              `json:"enabled"`
	// Params are the rule's thresholds by name (supports.RuleFields).
	Params map[string]any `json:"params"`
	// OnEvidence says the rule is evaluated when evidence is recorded;
	// Daily that it is evaluated by the daily sweep.
	OnEvidence bool       `json:"onEvidence"`
	Daily      bool       `json:"daily"`
	UpdatedAt  *time.Time `json:"updatedAt,omitempty"`
	UpdatedBy  int64      `json:"updatedBy,omitempty"`
}

func newRuleJSON(r supports.Rule) ruleJSON {
	out := ruleJSON{Kind: r.Kind, Enabled: r.Enabled, Params: r.Params.ParamsMap(r.Kind), OnEvidence: r.Kind.OnEvidence(),
		Daily: r.Kind.Daily(), UpdatedBy: r.UpdatedBy}
	if !r.UpdatedAt.IsZero() {
		t := r.UpdatedAt
		out.UpdatedAt = &t
	}
	return out
}

// ruleInput is a rule as an administrator changes it.
type ruleInput struct {
	Enabled bool `json:"enabled"`
	// Params are the thresholds, read strictly: an unknown field, a
	// missing one or an impossible value is refused naming it.
	Params json.RawMessage `json:"params"`
	Reason string          `json:"reason,omitempty"`
}

// alertJSON is an alert as the API shows it.
type alertJSON struct {
	ID          int64               `json:"id"`
	Kind        supports.RuleKind   `json:"kind"`
	StudentID   int64               `json:"studentId"`
	StandardID  *int64              `json:"standardId,omitempty"`
	ClassID     *int64              `json:"classId,omitempty"`
	TeacherID   int64               `json:"teacherId"`
	Reason      string              `json:"reason"`
	Data        supports.FiringData `json:"data"`
	RaisedAt    time.Time           `json:"raisedAt"`
	DismissedAt *time.Time          `json:"dismissedAt,omitempty"`
	DismissedBy *int64              `json:"dismissedBy,omitempty"`
	Note        string              `json:"note,omitempty"`
}

func newAlertJSON(a store.Alert) alertJSON {
	return alertJSON{ID: a.ID, Kind: a.Kind, StudentID: a.StudentID, StandardID: a.StandardID, ClassID: a.ClassID, TeacherID: a.TeacherID,
		Reason: a.Reason, Data: a.Data, RaisedAt: a.RaisedAt, DismissedAt: a.DismissedAt, DismissedBy: a.DismissedBy, Note: a.DismissNote}
}

// dismissInput is a dismissal: the teacher's note, optional.
type dismissInput struct {
	Note string `json:"note,omitempty"`
}

func (s *Server) listRulesAPI(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.store.SupportRules(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	out := make([]ruleJSON, len(rules))
	for i, rule := range rules {
		out[i] = newRuleJSON(rule)
	}
	writeJSON(w, http.StatusOK, newList(out, 0))
	return nil
}

func (s *Server) getRuleAPI(w http.ResponseWriter, r *http.Request) error {
	rule, err := s.store.SupportRule(r.Context(), s.districtOf(r), supports.RuleKind(r.PathValue("kind")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newRuleJSON(rule))
	return nil
}

func (s *Server) putRuleAPI(w http.ResponseWriter, r *http.Request) error {
	var in ruleInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a := actorOf(r)
	rule, err := s.store.UpdateSupportRule(r.Context(), a.DistrictID, supports.RuleKind(r.PathValue("kind")),
		store.RuleUpdate{Enabled: in.Enabled, Params: in.Params, Reason: in.Reason}, a.PersonID)
	if err != nil {
		return err
	}
	s.log.Info("rule changed", "request_id", requestIDFrom(r.Context()), "person", a.PersonID, "rule", rule.Kind)
	writeJSON(w, http.StatusOK, newRuleJSON(rule))
	return nil
}

func (s *Server) listAlertsAPI(w http.ResponseWriter, r *http.Request) error {
	f, err := alertFilterOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.visibleAlerts(r, f)
	if err != nil {
		return err
	}
	out := make([]alertJSON, len(list))
	for i, al := range list {
		out[i] = newAlertJSON(al)
	}
	writeJSON(w, http.StatusOK, newList(out, next))
	return nil
}

func (s *Server) getAlertAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	al, _, err := s.alertAccess(r, id, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAlertJSON(al))
	return nil
}

func (s *Server) dismissAlertAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	_, entry, err := s.alertAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	var in dismissInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	al, err := s.store.DismissAlert(r.Context(), s.districtOf(r), id, actorOf(r).PersonID, in.Note, entry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAlertJSON(al))
	return nil
}

// alertView is an alert as pages show it: its reason in plain words, in
// the reader's language, and the data behind it.
type alertView struct {
	store.Alert
	Words string
	// Facts are the data behind the reason, each a line.
	Facts []alertFact
	// StudentURL and StandardURL link the student and the standard.
	StudentURL, StandardURL string
	// DismissedTime is DismissedAt, zero while open.
	DismissedTime time.Time
}

// alertFact is one line of the data behind an alert, with a link when it
// names a record (a piece of evidence, a standard).
type alertFact struct {
	Label, Value, URL string
}

// alertViews words each alert for pr; codes names standards (the
// prerequisites of a stall) by their code.
func alertViews(pr *i18n.Printer, list []store.Alert, codes func(int64) string) []alertView {
	out := make([]alertView, len(list))
	for i, al := range list {
		v := alertView{Alert: al, StudentURL: fmt.Sprintf("/students/%d", al.StudentID)}
		if al.DismissedAt != nil {
			v.DismissedTime = *al.DismissedAt
		}
		if al.StandardID != nil {
			v.StandardURL = fmt.Sprintf("/students/%d/standards/%d", al.StudentID, *al.StandardID)
		}
		d := al.Data
		switch al.Kind {
		case supports.RuleBelowCut:
			cut := 0.0
			if d.Cut != nil {
				cut = *d.Cut
			}
			v.Words = pr.T("alerts.reason.below_cut", len(d.Scores), pr.Number(cut))
			for j, sc := range d.Scores {
				f := alertFact{Label: pr.T("alerts.fact.score"), Value: pr.Number(sc)}
				if j < len(d.EvidenceID) {
					f.URL = fmt.Sprintf("/evidence/%d", d.EvidenceID[j])
				}
				v.Facts = append(v.Facts, f)
			}
		case supports.RuleNoEvidence:
			v.Words = pr.T("alerts.reason.no_evidence", d.Days)
			if d.LastEvidence != nil {
				v.Facts = append(v.Facts, alertFact{Label: pr.T("alerts.fact.last_evidence"), Value: pr.Date(*d.LastEvidence)})
			}
			if d.Since != nil {
				v.Facts = append(v.Facts, alertFact{Label: pr.T("alerts.fact.due"), Value: pr.Date(*d.Since)})
			}
		case supports.RulePaceBehind:
			v.Words = pr.T("alerts.reason.pace_behind", d.Behind)
			v.Facts = append(v.Facts, alertFact{Label: pr.T("alerts.fact.expected"), Value: strconv.Itoa(d.Expected)},
				alertFact{Label: pr.T("alerts.fact.mastered"), Value: strconv.Itoa(d.Mastered)})
		case supports.RuleProbabilityFalling:
			var b, a float64
			if d.Before != nil {
				b = *d.Before
			}
			if d.After != nil {
				a = *d.After
			}
			v.Words = pr.T("alerts.reason.probability_falling", pr.Percent(b), pr.Percent(a))
		case supports.RuleStalled:
			v.Words = pr.T("alerts.reason.stalled", d.Evidence)
			for _, pre := range d.Below {
				v.Facts = append(v.Facts, alertFact{Label: pr.T("alerts.fact.prerequisite"), Value: codes(pre),
					URL: fmt.Sprintf("/students/%d/standards/%d", al.StudentID, pre)})
			}
		case supports.RuleBehaviourNote:
			v.Words = pr.T("alerts.reason.behaviour_note")
		default:
			v.Words = al.Reason
		}
		out[i] = v
	}
	return out
}

// studentAlerts is the list of a student's open alerts for the student's
// page: nil for a reader whose roles never see alerts (a coach).
func (s *Server) studentAlerts(r *http.Request, studentID int64, csrf string) (*alertList, error) {
	a := actorOf(r)
	if _, err := access.Decide(a, access.View, access.Alerts, access.Relations{}); errors.Is(err, problem.ErrForbidden) {
		return nil, nil
	}
	if !slices.ContainsFunc(alertRoles, a.Has) {
		return nil, nil
	}
	list, _, err := s.visibleAlerts(r, store.AlertFilter{StudentIDs: []int64{studentID}})
	if err != nil {
		return nil, err
	}
	cat, err := s.store.Catalog(r.Context(), a.DistrictID)
	if err != nil {
		return nil, err
	}
	pr := s.printerOf(r)
	codes := func(id int64) string {
		if st, ok := cat.Standard(id); ok {
			return st.Code
		}
		return strconv.FormatInt(id, 10)
	}
	l := newAlertList(pr, r, csrf, alertViews(pr, list, codes))
	return &l, nil
}

// classOpenAlerts counts the actor's open alerts raised in a class; ok is
// false for a reader whose list is not their own (an administrator).
func (s *Server) classOpenAlerts(r *http.Request, classID int64) (n int, ok bool, err error) {
	a := actorOf(r)
	if !a.Has(roster.RoleTeacher) || !ownAlertsOnly(a) {
		return 0, false, nil
	}
	counts, err := s.store.OpenAlertCounts(r.Context(), a.DistrictID, a.PersonID)
	if err != nil {
		return 0, false, err
	}
	return counts[classID], true, nil
}
