package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// goalRow is a goal as the pages show it, to the student, their teachers
// and their guardians.
type goalRow struct {
	ID                int64
	What, Plan, Need  string
	Due               time.Time
	State, StateLabel string
	IsDue, Open       bool
	Reflection        *pathways.Reflection
	Comments          []goalCommentRow
	// EvidenceURL and EvidenceTitle name the assessment the goal was set
	// after, when the reader may open it.
	EvidenceURL, EvidenceTitle string
	// Form is the reflection (the student's page) or the comment (a
	// teacher's) being written, with its errors, when a post was refused.
	Form goalForm
}

type goalCommentRow struct {
	By   string
	At   time.Time
	Text string
}

// goalForm is what was typed into a goal's form and why it was refused.
type goalForm struct {
	What, Due, Plan, Need       string
	Met                         string
	Happened, Learned, Next     string
	Text                        string
	Errors                      map[string]string
	MinDue, MaxDue, EvidenceURL string
}

// stateLabel names a goal's state for the reader.
func goalStateLabel(pr *i18n.Printer, st pathways.GoalState) string {
	switch st {
	case pathways.GoalMet:
		return pr.T("goal.state.met")
	case pathways.GoalNotMet:
		return pr.T("goal.state.not_met")
	}
	return pr.T("goal.state.open")
}

// goalRows turns goals into rows for a page, naming the people who
// commented and the assessment each goal followed.
func (s *Server) goalRows(ctx context.Context, pr *i18n.Printer, districtID int64, gs []pathways.Goal, now time.Time) ([]goalRow, error) {
	// The commenters and the assessments the goals follow, each read once.
	var people, evs []int64
	for _, g := range gs {
		for _, c := range g.Comments {
			people = append(people, c.By)
		}
		if g.EvidenceID != nil {
			evs = append(evs, *g.EvidenceID)
		}
	}
	names, err := s.store.PersonNames(ctx, districtID, people)
	if err != nil {
		return nil, err
	}
	heads, err := s.store.EvidenceHeads(ctx, districtID, evs)
	if err != nil {
		return nil, err
	}
	rows := make([]goalRow, 0, len(gs))
	for _, g := range gs {
		row := goalRow{ID: g.ID, What: g.What, Plan: g.Plan, Need: g.Need, Due: g.Due, State: string(g.State),
			StateLabel: goalStateLabel(pr, g.State), IsDue: g.IsDue(now), Open: g.State == pathways.GoalOpen, Reflection: g.Reflection}
		for _, c := range g.Comments {
			by, ok := names[c.By]
			if !ok {
				by = fmt.Sprint(c.By)
			}
			row.Comments = append(row.Comments, goalCommentRow{By: by, At: c.At, Text: c.Text})
		}
		if g.EvidenceID != nil {
			if ev, ok := heads[*g.EvidenceID]; ok {
				row.EvidenceURL = fmt.Sprintf("/evidence/%d", ev.ID)
				row.EvidenceTitle = ev.Title
				if row.EvidenceTitle == "" {
					row.EvidenceTitle = pr.T("kind." + string(ev.Kind))
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// meGoalsPage is a student's goals: the open ones with a reflection to
// write when due, the closed ones with theirs, the teachers' comments, and
// the assessments to set a new goal after.
type meGoalsPage struct {
	pageBase
	Goals []goalRow
	// Recent are the student's latest assessments, each with a link to
	// set a goal after it.
	Recent []navLink
	Set    bool
	Done   bool
	// Error says why a reflection was refused when its goal no longer
	// takes one (it was reflected on meanwhile).
	Error string
}

func (s *Server) meGoalsPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.meGoalsData(w, r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data.Set, data.Done = q.Get("set") != "", q.Get("reflected") != ""
	return s.renderPage(w, r, http.StatusOK, "me_goals", data)
}

func (s *Server) meGoalsData(w http.ResponseWriter, r *http.Request) (*meGoalsPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	if _, err := s.studentPage(r, a.PersonID, access.Goals, access.Evidence); err != nil {
		return nil, err
	}
	pr := s.printerOf(r)
	gs, err := s.store.StudentGoals(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return nil, err
	}
	data := &meGoalsPage{pageBase: s.newBase(w, r, pr.T("goal.mine.title"))}
	if data.Goals, err = s.goalRows(ctx, pr, a.DistrictID, gs, s.now()); err != nil {
		return nil, err
	}
	evs, _, err := s.store.StudentEvidence(ctx, a.DistrictID, a.PersonID, store.EvidenceFilter{Page: store.Page{Limit: 5}})
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		title := ev.Title
		if title == "" {
			title = pr.T("kind." + string(ev.Kind))
		}
		data.Recent = append(data.Recent, navLink{Label: pr.T("goal.after", title, pr.Date(ev.AssessedAt)),
			URL: fmt.Sprintf("/evidence/%d#set-goal", ev.ID)})
	}
	return data, nil
}

// reflectForm records a student's reflection on one of their goals.
func (s *Server) reflectForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "goal")
	if err != nil {
		return err
	}
	g, audit, err := s.goalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	pr := s.printerOf(r)
	form := goalForm{Met: r.PostFormValue("met"), Happened: r.PostFormValue("happened"), Learned: r.PostFormValue("learned"),
		Next: r.PostFormValue("next"), Errors: map[string]string{}}
	rf := pathways.Reflection{Met: form.Met == "yes", Happened: form.Happened, Learned: form.Learned, Next: form.Next}
	if form.Met != "yes" && form.Met != "no" {
		form.Errors["met"] = pr.T("goal.error.met_choose")
		// The other fields are checked too, to be named at once; the
		// store checks them all again.
		if err := g.Reflect(rf, s.now()); err != nil && !fieldErrors(pr, err, form.Errors) {
			return err
		}
	}
	if len(form.Errors) == 0 {
		_, err = s.store.ReflectOnGoal(r.Context(), s.districtOf(r), id, rf, audit)
		if err == nil {
			return redirect(w, r, fmt.Sprintf("/me/goals?reflected=1#goal-%d", id))
		}
		if !fieldErrors(s.printerOf(r), err, form.Errors) {
			return err
		}
	}
	data, derr := s.meGoalsData(w, r)
	if derr != nil {
		return derr
	}
	placed := false
	for i := range data.Goals {
		if data.Goals[i].ID == id && data.Goals[i].Open {
			data.Goals[i].Form, placed = form, true
		}
	}
	if !placed {
		data.Error = strings.Join(errorList(form.Errors), " ")
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "me_goals", data)
}

// formErrorKeys are the words a form shows beside each field of goals
// and proposals refused, in the reader's language: what the field needs,
// whatever of it was wrong.
var formErrorKeys = map[string]string{
	"what": "goal.error.what", "due": "goal.error.due", "plan": "goal.error.plan", "need": "goal.error.need",
	"happened": "goal.error.happened", "learned": "goal.error.learned", "next": "goal.error.next", "met": "goal.error.met",
	"text": "goal.error.text", "state": "goal.error.state",
	"title": "proposal.error.title", "link": "proposal.error.link", "comment": "proposal.error.comment",
	"classId": "proposal.error.target", "standardId": "proposal.error.target",
}

// fieldErrors puts the reasons of invalid input (or a conflict) into
// errs by field, in the reader's words, and reports whether err was such;
// other errors are left to the caller.
func fieldErrors(pr *i18n.Printer, err error, errs map[string]string) bool {
	say := func(field, reason string) {
		if _, ok := errs[field]; ok {
			return
		}
		if key, ok := formErrorKeys[field]; ok {
			reason = pr.T(key)
		}
		errs[field] = reason
	}
	var ie *problem.InvalidError
	if errors.As(err, &ie) {
		for _, f := range ie.Fields {
			say(f.Field, f.Reason)
		}
		return true
	}
	var pe *problem.Error
	if errors.As(err, &pe) && pe.Kind == problem.KindConflict {
		say("state", pe.Message)
		return true
	}
	return false
}

// evidenceGoal is what the student's own evidence page adds: the growth
// the assessment made on each standard it touched, drawn before and
// after, and the form to set a goal.
type evidenceGoal struct {
	Charts []*chartView
	// More counts the standards scored and not drawn.
	More int
	Form goalForm
}

// evidenceGoalMost is how many standards an evidence page draws before
// and after: an assessment scores a few; a portfolio may score dozens,
// which their own pages show.
const evidenceGoalMost = 4

// evidenceGoalOf draws the before and after of each standard the
// evidence scored, as the engine had it just before the evidence and
// just after it.
func (s *Server) evidenceGoalOf(ctx context.Context, pr *i18n.Printer, ev evidence.Evidence, cat *standards.Catalog, now time.Time) (*evidenceGoal, error) {
	at := []time.Time{ev.AssessedAt.Add(-time.Microsecond), ev.AssessedAt}
	states, err := s.store.MasteryAsOf(ctx, ev.DistrictID, ev.StudentID, at)
	if err != nil {
		return nil, err
	}
	today := pathways.Today(now)
	out := &evidenceGoal{Form: goalForm{Errors: map[string]string{}, MinDue: today.Format(pathways.DateLayout),
		MaxDue: today.Add(pathways.GoalHorizon).Format(pathways.DateLayout), Due: today.AddDate(0, 0, 7).Format(pathways.DateLayout)}}
	for _, sc := range ev.Scores {
		st, ok := cat.Standard(sc.StandardID)
		if !ok {
			continue
		}
		if len(out.Charts) == evidenceGoalMost {
			out.More++
			continue
		}
		var values []chartValue
		if b, ok := states[0][st.ID]; ok && b.EvidenceCount > 0 {
			values = append(values, chartValue{Label: pr.T("goal.before"), Value: b.Value})
		}
		if a, ok := states[1][st.ID]; ok {
			values = append(values, chartValue{Label: pr.T("goal.after_label"), Value: a.Value})
		}
		name := st.Code
		if name == "" {
			name = st.Statement
		}
		desc := pr.T("goal.chart.desc", name)
		if len(values) == 1 {
			desc = pr.T("goal.chart.first", name)
		}
		c := newChart(pr, fmt.Sprintf("goal-growth-%d", st.ID), pr.T("goal.chart.title", name), desc, cat.ScaleOf(st), values,
			[2]string{pr.T("goal.chart.when"), pr.T("goal.chart.value")})
		if c != nil {
			c.Notes = []string{desc}
			out.Charts = append(out.Charts, c)
		}
	}
	return out, nil
}

// setGoalForm sets a goal after the assessment in the URL, from the
// student's own evidence page.
func (s *Server) setGoalForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.pathEvidence(r, access.View)
	if err != nil {
		return err
	}
	audit, err := s.studentChange(r, ev.StudentID, access.Goals)
	if err != nil {
		return hiddenAs(err, "evidence", ev.ID)
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	in := goalInput{EvidenceID: &ev.ID, What: r.PostFormValue("what"), Due: r.PostFormValue("due"),
		Plan: r.PostFormValue("plan"), Need: r.PostFormValue("need")}
	errs := map[string]string{}
	g, err := s.newGoal(r, ev.StudentID, in)
	if err == nil {
		err = s.store.CreateGoal(r.Context(), &g, audit)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/me/goals?set=1#goal-%d", g.ID))
	}
	if !fieldErrors(s.printerOf(r), err, errs) {
		return err
	}
	data, err := s.evidenceData(w, r, ev)
	if err != nil {
		return err
	}
	if data.Goal != nil {
		f := &data.Goal.Form
		f.What, f.Due, f.Plan, f.Need, f.Errors = in.What, in.Due, in.Plan, in.Need, errs
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "evidence", data)
}

// commentGoalForm adds a teacher's comment to a goal, from the student's
// profile.
func (s *Server) commentGoalForm(w http.ResponseWriter, r *http.Request) error {
	studentID, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	id, err := pathID(r, "goalId", "goal")
	if err != nil {
		return err
	}
	g, audit, err := s.goalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if g.StudentID != studentID {
		return notFoundPage("goal", id)
	}
	if err := byTeacher(audit.Relation); err != nil {
		return err
	}
	text := r.PostFormValue("text")
	_, err = s.store.CommentOnGoal(r.Context(), s.districtOf(r), id, actorOf(r).PersonID, text, audit)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/students/%d?commented=%d#goal-%d", studentID, id, id))
	}
	errs := map[string]string{}
	if !fieldErrors(s.printerOf(r), err, errs) {
		return err
	}
	// The profile again, the comment kept beside its goal with the reason.
	q := url.Values{"goal": {strconv.FormatInt(id, 10)}, "text": {text}, "error": {errs["text"]}}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	return s.renderStudentProfile(w, r2, studentID, http.StatusUnprocessableEntity)
}

// studentGoalsFor adds the student's goals to a page about them, for a
// reader allowed to see them; a refused reader sees none, and the look is
// logged by studentPage.
func (s *Server) studentGoalsFor(r *http.Request, studentID int64) ([]goalRow, error) {
	ctx := r.Context()
	gs, err := s.store.StudentGoals(ctx, s.districtOf(r), studentID)
	if err != nil {
		return nil, err
	}
	return s.goalRows(ctx, s.printerOf(r), s.districtOf(r), gs, s.now())
}

// goalsRelation returns the relation that lets the actor do action on the
// student's goals, and whether one does, without logging: for a page that
// shows the goals only to those who may see them, and logs the look
// itself (auditGoals).
func (s *Server) goalsRelation(r *http.Request, studentID int64, action access.Action) (access.Relation, bool) {
	a := actorOf(r)
	rels, err := s.store.RelationsTo(r.Context(), a, studentID)
	if err != nil {
		return "", false
	}
	rel, err := access.Decide(a, action, access.Goals, rels)
	return rel, err == nil
}

// auditGoals logs that the actor read the student's goals on rel.
func (s *Server) auditGoals(r *http.Request, studentID int64, rel access.Relation) error {
	e := s.auditEntry(r, studentID, access.View, access.Goals, rel)
	return s.logAccess(r.Context(), []store.AuditEntry{e})
}

// personNames names, in one read, the people by returns for items: the
// authors of a history of changes.
func personNames[T any](ctx context.Context, st *store.Store, districtID int64, items []T, by func(T) int64) (map[int64]string, error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = by(it)
	}
	return st.PersonNames(ctx, districtID, ids)
}
