package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// Support plans are a student record of their own (access.Supports): the
// student, their family and the staff who teach, lead or coach them read
// them; the student's teachers and school and district leaders write
// them. Teachers' notes (access.Notes) are for the staff only. A plan or a
// note of a student the reader may not see is answered like one that
// does not exist, and a refused change is logged (studentChange).

// supportPlanRow is a plan as the pages show it.
type supportPlanRow struct {
	ID               int64
	URL              string
	Tier             int
	TierLabel        string
	Kind, KindLabel  string
	Standards        string
	Provider         string
	Schedule         string
	StartsOn, EndsOn time.Time
	HasEnd           bool
	Goal             string
	Open             bool
	Outcome          string
	OutcomeLabel     string
	OutcomeNote      string
	ClosedAt         time.Time
	Status           string
	Plain            string
	StatusKind       string
	ProgressCount    int
	Student, StudURL string
	StudentID        int64
	// OtherClass names the class a plan belongs to on a class's page
	// when it is another class's.
	OtherClass string
}

// noteRow is a teacher's note as the student page shows it.
type noteRow struct {
	ID        int64
	Kind      string
	KindLabel string
	By        string
	At        time.Time
	Text      string
	Class     string
}

// noteForm is a note being written, with the reasons it was refused.
type noteForm struct {
	Kind, Text string
	ClassID    int64
	Errors     map[string]string
}

// supportsSection is the supports part of a teacher's page about a
// student: the tier, the plans open and closed, and the notes.
type supportsSection struct {
	StudentID int64
	Tier      int
	TierLabel string
	Open      []supportPlanRow
	Closed    []supportPlanRow
	CanPlan   bool
	NewURL    string
	// ShowNotes is set for a reader who may read the notes; CanNote for
	// one who may write them.
	ShowNotes bool
	CanNote   bool
	Notes     []noteRow
	NoteForm  noteForm
	Classes   []roster.Class
	Created   bool
	Noted     bool
	CSRF      string
}

// supportsFamily is the student's plans in plain words, for the student
// and their family.
type supportsFamily struct {
	Name  string
	Plans []supportPlanRow
}

// tierLabel names a tier.
func tierLabel(pr *i18n.Printer, t supports.Tier) string {
	if !t.Valid() {
		t = supports.Tier1
	}
	return pr.T("supports.tier." + strconv.Itoa(int(t)))
}

// supportKindLabel names a kind of support.
func supportKindLabel(pr *i18n.Printer, k supports.Kind) string {
	if !k.Valid() {
		return string(k)
	}
	return pr.T("supports.kind." + string(k))
}

// supportKindPlain says what a kind of support is, for a family.
func supportKindPlain(pr *i18n.Printer, k supports.Kind) string {
	if !k.Valid() {
		return string(k)
	}
	return pr.T("supports.plain." + string(k))
}

// outcomeLabel names an outcome.
func outcomeLabel(pr *i18n.Printer, o supports.Outcome) string {
	if !slices.Contains(supports.Outcomes, o) {
		return ""
	}
	return pr.T("supports.outcome." + string(o))
}

// noteKindLabel names a kind of note.
func noteKindLabel(pr *i18n.Printer, k supports.NoteKind) string {
	if k == supports.NoteBehaviour {
		return pr.T("notes.kind.behaviour")
	}
	return pr.T("notes.kind.comment")
}

// progressWords says in plain words where a plan's progress stands: "3
// pieces of evidence since 14 Oct; last 2.5, goal 3".
func progressWords(pr *i18n.Printer, pg supports.Progress) string {
	last, ok := pg.Last()
	if !ok {
		return pr.T("supports.progress.none", pr.ShortDate(pg.Since))
	}
	return pr.N("supports.progress.status", len(pg.Points), pr.ShortDate(pg.Since), pr.Number(last.Value), pr.Number(pg.GoalLevel))
}

// progressStatusLabel names a progress status.
func progressStatusLabel(pr *i18n.Printer, st supports.ProgressStatus) string {
	switch st {
	case supports.ProgressAtGoal:
		return pr.T("supports.progress.at_goal")
	case supports.ProgressRising:
		return pr.T("supports.progress.rising")
	case supports.ProgressFlat:
		return pr.T("supports.progress.flat")
	}
	return pr.T("supports.progress.no_evidence")
}

// supportGoalLevel is the level a plan's student should reach on its
// standards: the mastery cut of the first standard's scale.
func supportGoalLevel(cat *standards.Catalog, p supports.Plan) (float64, standards.Scale, bool) {
	for _, id := range p.StandardIDs {
		if st, ok := cat.Standard(id); ok {
			sc := cat.ScaleOf(st)
			return sc.MasteryCut, sc, len(sc.Levels) > 0
		}
	}
	return 0, standards.Scale{}, false
}

// standardCodes names standards by their codes.
func standardCodes(cat *standards.Catalog, ids []int64) string {
	var out []string
	for _, id := range ids {
		if st, ok := cat.Standard(id); ok {
			c := st.Code
			if c == "" {
				c = truncateWords(st.Statement, 40)
			}
			out = append(out, c)
		}
	}
	return strings.Join(out, ", ")
}

// planNames looks up and keeps the names of people, for rows.
type planNames struct {
	s     *Server
	ctx   context.Context
	d     int64
	names map[int64]string
}

func (n *planNames) of(id int64) string {
	if v, ok := n.names[id]; ok {
		return v
	}
	v := fmt.Sprint(id)
	if p, err := n.s.store.Person(n.ctx, n.d, id); err == nil {
		v = p.Name()
	}
	n.names[id] = v
	return v
}

func (s *Server) newPlanNames(ctx context.Context, d int64) *planNames {
	return &planNames{s: s, ctx: ctx, d: d, names: map[int64]string{}}
}

// supportRow turns a plan into a row, with its progress when progress is
// set.
func (s *Server) supportRow(ctx context.Context, pr *i18n.Printer, cat *standards.Catalog, names *planNames, p supports.Plan, progress bool) (supportPlanRow, error) {
	row := supportPlanRow{ID: p.ID, URL: fmt.Sprintf("/supports/%d", p.ID), Tier: int(p.Tier), TierLabel: tierLabel(pr, p.Tier),
		Kind: string(p.Kind), KindLabel: supportKindLabel(pr, p.Kind), Standards: standardCodes(cat, p.StandardIDs),
		Provider: names.of(p.ProviderID), Schedule: p.Schedule, StartsOn: p.StartsOn, Goal: p.Goal, Open: p.Open(),
		Outcome: string(p.Outcome), OutcomeLabel: outcomeLabel(pr, p.Outcome), OutcomeNote: p.OutcomeNote, StudentID: p.StudentID}
	if p.EndsOn != nil {
		row.EndsOn, row.HasEnd = *p.EndsOn, true
	}
	if p.ClosedAt != nil {
		row.ClosedAt = *p.ClosedAt
	}
	row.Plain = pr.T("supports.plain.sentence", supportKindPlain(pr, p.Kind), names.of(p.ProviderID), pr.Date(p.StartsOn))
	if progress {
		goal, _, ok := supportGoalLevel(cat, p)
		if ok {
			pts, err := s.store.SupportProgress(ctx, p)
			if err != nil {
				return row, err
			}
			pg := supports.Monitor(p, goal, pts)
			row.Status, row.StatusKind, row.ProgressCount = progressWords(pr, pg), string(pg.Status), len(pg.Points)
		}
	}
	return row, nil
}

// supportsSectionFor builds the supports part of a teacher's page about a
// student, for a reader allowed to see the plans; the looks at the plans
// and at the notes are logged.
func (s *Server) supportsSectionFor(r *http.Request, studentID int64) (*supportsSection, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	rels, err := s.store.RelationsTo(ctx, a, studentID)
	if err != nil {
		return nil, err
	}
	rel, err := access.Decide(a, access.View, access.Supports, rels)
	if err != nil {
		return nil, nil
	}
	entries := []store.AuditEntry{s.auditEntry(r, studentID, access.View, access.Supports, rel)}
	sec := &supportsSection{StudentID: studentID, NewURL: fmt.Sprintf("/students/%d/supports/new", studentID),
		NoteForm: noteForm{Kind: string(supports.NoteComment), Errors: map[string]string{}}}
	if _, err := access.Decide(a, access.Change, access.Supports, rels); err == nil && a.TokenScope == "" {
		sec.CanPlan = true
	}
	nrel, nerr := access.Decide(a, access.View, access.Notes, rels)
	if nerr == nil {
		sec.ShowNotes = true
		entries = append(entries, s.auditEntry(r, studentID, access.View, access.Notes, nrel))
		if _, err := access.Decide(a, access.Change, access.Notes, rels); err == nil && a.TokenScope == "" {
			sec.CanNote = true
		}
	}
	if err := s.logAccess(ctx, entries); err != nil {
		return nil, fmt.Errorf("recording access to student %d: %w", studentID, err)
	}
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	plans, err := s.store.SupportPlans(ctx, a.DistrictID, store.SupportPlanFilter{StudentIDs: []int64{studentID}})
	if err != nil {
		return nil, err
	}
	names := s.newPlanNames(ctx, a.DistrictID)
	now := s.now()
	tier := supports.Tier1
	for _, p := range plans {
		row, err := s.supportRow(ctx, pr, cat, names, p, p.Open())
		if err != nil {
			return nil, err
		}
		if p.Open() {
			sec.Open = append(sec.Open, row)
		} else {
			sec.Closed = append(sec.Closed, row)
		}
		if p.ActiveOn(now) && p.Tier > tier {
			tier = p.Tier
		}
	}
	sec.Tier, sec.TierLabel = int(tier), tierLabel(pr, tier)
	if sec.ShowNotes {
		notes, err := s.store.StudentNotes(ctx, a.DistrictID, studentID)
		if err != nil {
			return nil, err
		}
		classes, err := s.store.PersonClasses(ctx, a.DistrictID, studentID)
		if err != nil {
			return nil, err
		}
		sec.Classes = classes
		for _, n := range notes {
			row := noteRow{ID: n.ID, Kind: string(n.Kind), KindLabel: noteKindLabel(pr, n.Kind), By: names.of(n.AuthorID), At: n.At, Text: n.Text}
			if n.ClassID != nil {
				for _, c := range classes {
					if c.ID == *n.ClassID {
						row.Class = c.Title
					}
				}
			}
			sec.Notes = append(sec.Notes, row)
		}
	}
	q := r.URL.Query()
	sec.Created, sec.Noted = q.Get("planned") != "", q.Get("noted") != ""
	return sec, nil
}

// supportsFamilyFor is the student's plans in plain words, for the
// student (/me) and their family (/family/{id}): the open ones and those
// closed in the last half year. The caller has checked and logged the
// look at the plans (access.Supports).
func (s *Server) supportsFamilyFor(r *http.Request, student roster.Person) (*supportsFamily, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, err
	}
	plans, err := s.store.SupportPlans(ctx, d, store.SupportPlanFilter{StudentIDs: []int64{student.ID}})
	if err != nil {
		return nil, err
	}
	out := &supportsFamily{Name: student.GivenName}
	since := s.now().AddDate(0, -6, 0)
	names := s.newPlanNames(ctx, d)
	for _, p := range plans {
		if !p.Open() && p.ClosedAt.Before(since) {
			continue
		}
		row, err := s.supportRow(ctx, pr, cat, names, p, p.Open())
		if err != nil {
			return nil, err
		}
		out.Plans = append(out.Plans, row)
	}
	return out, nil
}

// supportsStudentView is supportsFamilyFor for a page that has not yet
// logged the look at the student's plans: it decides and logs it, and
// shows nothing to a reader who may not see them.
func (s *Server) supportsStudentView(r *http.Request, student roster.Person) (*supportsFamily, error) {
	rels, err := s.store.RelationsTo(r.Context(), actorOf(r), student.ID)
	if err != nil {
		return nil, err
	}
	rel, err := access.Decide(actorOf(r), access.View, access.Supports, rels)
	if err != nil {
		return nil, nil
	}
	if err := s.logAccess(r.Context(), []store.AuditEntry{s.auditEntry(r, student.ID, access.View, access.Supports, rel)}); err != nil {
		return nil, err
	}
	return s.supportsFamilyFor(r, student)
}

// supportPlanForm is what was typed into a plan's form, its choices, and
// why it was refused.
type supportPlanForm struct {
	Tier, Kind, Provider, Class string
	Standards                   []string
	Schedule, StartsOn, EndsOn  string
	Goal                        string
	Errors                      map[string]string
	Tiers                       []formOption
	Kinds                       []formOption
	Providers                   []formOption
	Classes                     []formOption
	StandardOptions             []formOption
	Action                      string
	Submit                      string
}

type formOption struct {
	Value, Label string
	Selected     bool
}

// supportNewPage is the form of a new plan for a student.
type supportNewPage struct {
	pageBase
	Student    roster.Person
	ProfileURL string
	Form       supportPlanForm
}

// planFormErrorKeys are the words shown beside a plan form's fields.
var planFormErrorKeys = map[string]string{
	"tier": "supports.error.tier", "kind": "supports.error.kind", "standardIds": "supports.error.standards",
	"providerId": "supports.error.provider", "classId": "supports.error.class", "schedule": "supports.error.schedule",
	"startsOn": "supports.error.starts", "endsOn": "supports.error.ends", "goal": "supports.error.goal",
	"outcome": "supports.error.outcome", "note": "supports.error.note", "text": "notes.error.text",
}

// supportFieldErrors puts the reasons of invalid input into errs by
// field, in the reader's words followed by the reason itself; a conflict
// goes on "outcome". Other errors are left to the caller.
func supportFieldErrors(pr *i18n.Printer, err error, errs map[string]string) bool {
	say := func(field, reason string) {
		if _, ok := errs[field]; ok {
			return
		}
		if key, ok := planFormErrorKeys[field]; ok {
			reason = pr.T(key) + " (" + reason + ")"
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
		say("outcome", pe.Message)
		return true
	}
	return false
}

// planFormOf fills the choices of a plan form for a student: the
// standards of the student's courses, the teachers of the student's
// classes (and the actor) as who gives it, and the classes.
func (s *Server) planFormOf(r *http.Request, studentID int64, f *supportPlanForm) error {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	classes, err := s.store.PersonClasses(ctx, a.DistrictID, studentID)
	if err != nil {
		return err
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for _, t := range []supports.Tier{supports.Tier1, supports.Tier2, supports.Tier3} {
		v := strconv.Itoa(int(t))
		f.Tiers = append(f.Tiers, formOption{Value: v, Label: tierLabel(pr, t), Selected: f.Tier == v})
	}
	for _, k := range supports.Kinds {
		f.Kinds = append(f.Kinds, formOption{Value: string(k), Label: supportKindLabel(pr, k), Selected: f.Kind == string(k)})
	}
	providers := []int64{a.PersonID}
	seenStd := map[int64]bool{}
	f.Classes = append(f.Classes, formOption{Value: "", Label: pr.T("supports.form.no_class"), Selected: f.Class == ""})
	for _, c := range classes {
		v := strconv.FormatInt(c.ID, 10)
		f.Classes = append(f.Classes, formOption{Value: v, Label: c.Title, Selected: f.Class == v})
		teachers, err := s.store.ClassTeachers(ctx, a.DistrictID, c.ID)
		if err != nil {
			return err
		}
		for _, t := range teachers {
			if !slices.Contains(providers, t.ID) {
				providers = append(providers, t.ID)
			}
		}
		for _, st := range cat.CourseStandards(c.CourseID) {
			if seenStd[st.ID] {
				continue
			}
			seenStd[st.ID] = true
			v := strconv.FormatInt(st.ID, 10)
			f.StandardOptions = append(f.StandardOptions, formOption{Value: v, Label: truncateWords(st.Label(), 90), Selected: slices.Contains(f.Standards, v)})
		}
	}
	// A standard already in the plan stays offered, whatever the courses.
	for _, v := range f.Standards {
		id, _ := strconv.ParseInt(v, 10, 64)
		if st, ok := cat.Standard(id); ok && !seenStd[id] {
			seenStd[id] = true
			f.StandardOptions = append(f.StandardOptions, formOption{Value: v, Label: truncateWords(st.Label(), 90), Selected: true})
		}
	}
	if p, err := strconv.ParseInt(f.Provider, 10, 64); err == nil && !slices.Contains(providers, p) {
		providers = append(providers, p)
	}
	names := s.newPlanNames(ctx, a.DistrictID)
	for _, id := range providers {
		v := strconv.FormatInt(id, 10)
		f.Providers = append(f.Providers, formOption{Value: v, Label: names.of(id), Selected: f.Provider == v})
	}
	return nil
}

// planDraftOf reads a plan form: a field that does not parse is named
// in errs, and the draft is what did.
func planDraftOf(r *http.Request, studentID int64) (supportPlanForm, supports.PlanDraft, problem.Fields) {
	f := supportPlanForm{Tier: r.PostFormValue("tier"), Kind: r.PostFormValue("kind"), Provider: r.PostFormValue("provider"),
		Class: r.PostFormValue("class"), Standards: r.PostForm["standard"], Schedule: r.PostFormValue("schedule"),
		StartsOn: r.PostFormValue("starts"), EndsOn: r.PostFormValue("ends"), Goal: r.PostFormValue("goal"), Errors: map[string]string{}}
	d := supports.PlanDraft{StudentID: studentID, Kind: supports.Kind(f.Kind), Schedule: f.Schedule, Goal: f.Goal}
	var errs problem.Fields
	if t, err := strconv.Atoi(f.Tier); err == nil {
		d.Tier = supports.Tier(t)
	}
	if id, err := strconv.ParseInt(f.Provider, 10, 64); err == nil {
		d.ProviderID = id
	}
	if f.Class != "" {
		if id, err := strconv.ParseInt(f.Class, 10, 64); err == nil {
			d.ClassID = &id
		} else {
			errs.Add("classId", "not a class")
		}
	}
	if len(f.Standards) > supports.MaxPlanStandards {
		errs.Addf("standardIds", "%d standards: a plan names at most %d", len(f.Standards), supports.MaxPlanStandards)
	}
	for _, v := range f.Standards {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && len(d.StandardIDs) < supports.MaxPlanStandards {
			d.StandardIDs = append(d.StandardIDs, id)
		}
	}
	if strings.TrimSpace(f.StartsOn) != "" {
		day, err := supports.ParseDay("startsOn", f.StartsOn)
		if err != nil {
			errs.Add("startsOn", "not a date written as 2026-12-04")
		}
		d.StartsOn = day
	}
	if strings.TrimSpace(f.EndsOn) != "" {
		day, err := supports.ParseDay("endsOn", f.EndsOn)
		if err != nil {
			errs.Add("endsOn", "not a date written as 2026-12-04")
		} else {
			d.EndsOn = &day
		}
	}
	return f, d, errs
}

// checkDraft is the draft's own check with the fields that did not
// parse, the first reason of each field kept.
func checkDraft(d supports.PlanDraft, parse problem.Fields, now time.Time) error {
	d.Normalize()
	err := d.Validate(now)
	fields := append(problem.Fields(nil), parse...)
	var ie *problem.InvalidError
	if errors.As(err, &ie) {
		fields = append(fields, ie.Fields...)
	}
	return fields.Err()
}

func (s *Server) supportNewPage(w http.ResponseWriter, r *http.Request) error {
	st, _, err := s.studentForPlanning(r)
	if err != nil {
		return err
	}
	// The form names the student and their plans' choices: a look at
	// the profile and the plans, logged as every look is.
	if _, err := s.studentPage(r, st.ID, access.Profile, access.Supports); err != nil {
		return err
	}
	pr := s.printerOf(r)
	q := r.URL.Query()
	today := supports.Day(s.now())
	f := supportPlanForm{Tier: "2", Kind: string(supports.Reteach), Provider: strconv.FormatInt(actorOf(r).PersonID, 10),
		Class: q.Get("class"), Standards: q["standard"], StartsOn: today.Format(supports.DateLayout),
		EndsOn: today.AddDate(0, 0, 42).Format(supports.DateLayout), Errors: map[string]string{}}
	return s.renderPlanNew(w, r, st, f, http.StatusOK, pr)
}

func (s *Server) renderPlanNew(w http.ResponseWriter, r *http.Request, st roster.Person, f supportPlanForm, status int, pr *i18n.Printer) error {
	f.Action, f.Submit = fmt.Sprintf("/students/%d/supports", st.ID), pr.T("supports.form.create")
	if err := s.planFormOf(r, st.ID, &f); err != nil {
		return err
	}
	data := &supportNewPage{pageBase: s.newBase(w, r, pr.T("supports.new.title", st.Name())), Student: st,
		ProfileURL: fmt.Sprintf("/students/%d#supports", st.ID), Form: f}
	return s.renderPage(w, r, status, "supports_new", data)
}

// studentForPlanning is the student of the URL, once the actor may read
// their profile and change their plans; a refused change is logged and
// answered like a student who does not exist.
func (s *Server) studentForPlanning(r *http.Request) (roster.Person, store.AuditEntry, error) {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return roster.Person{}, store.AuditEntry{}, err
	}
	audit, err := s.studentChange(r, id, access.Supports)
	if err != nil {
		return roster.Person{}, audit, hiddenAs(err, "student", id)
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	return p, audit, urlRecord(err, "student", id)
}

// createPlanForm stores a new plan from the form.
func (s *Server) createPlanForm(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.studentForPlanning(r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	f, d, parse := planDraftOf(r, st.ID)
	err = checkDraft(d, parse, s.now())
	if err == nil {
		p := supports.Plan{DistrictID: s.districtOf(r), CreatedBy: actorOf(r).PersonID, PlanDraft: d}
		if err = s.store.CreateSupportPlan(r.Context(), &p, audit); err == nil {
			return redirect(w, r, fmt.Sprintf("/supports/%d?created=1", p.ID))
		}
	}
	if !supportFieldErrors(pr, err, f.Errors) {
		return err
	}
	return s.renderPlanNew(w, r, st, f, http.StatusUnprocessableEntity, pr)
}

// supportPlanPage is one plan: what, who, when, the goal, progress
// drawn from the evidence since it started, and the forms to edit and
// close it while open.
type supportPlanPage struct {
	pageBase
	Plan       supportPlanRow
	Student    roster.Person
	ProfileURL string
	Chart      *chartView
	CreatedBy  string
	CanChange  bool
	Edit       supportPlanForm
	Close      closeForm
	Created    bool
	Saved      bool
	Closed     bool
	Links      []navLink
}

type closeForm struct {
	Outcome  string
	Note     string
	Outcomes []formOption
	Errors   map[string]string
}

// planAccess returns the plan of the URL once the actor may do action on
// its student's plans (studentRecord).
func (s *Server) planAccess(r *http.Request, action access.Action) (supports.Plan, store.AuditEntry, error) {
	id, err := pathID(r, "id", "support plan")
	if err != nil {
		return supports.Plan{}, store.AuditEntry{}, err
	}
	return studentRecord(s, r, id, action, access.Supports, "support plan", s.store.SupportPlan, func(p supports.Plan) int64 { return p.StudentID })
}

func (s *Server) supportPlanPage(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.planAccess(r, access.View)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data, err := s.supportPlanData(w, r, p, nil, nil)
	if err != nil {
		return err
	}
	data.Created, data.Saved, data.Closed = q.Get("created") != "", q.Get("saved") != "", q.Get("closed") != ""
	return s.renderPage(w, r, http.StatusOK, "supports_plan", data)
}

// supportPlanData builds the plan's page; edit and closing are the forms
// as typed when a post was refused.
func (s *Server) supportPlanData(w http.ResponseWriter, r *http.Request, p supports.Plan, edit *supportPlanForm, closing *closeForm) (*supportPlanPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Person(ctx, a.DistrictID, p.StudentID)
	if err != nil {
		return nil, err
	}
	names := s.newPlanNames(ctx, a.DistrictID)
	row, err := s.supportRow(ctx, pr, cat, names, p, true)
	if err != nil {
		return nil, err
	}
	data := &supportPlanPage{pageBase: s.newBase(w, r, pr.T("supports.plan.title", row.KindLabel, st.Name())), Plan: row, Student: st,
		ProfileURL: fmt.Sprintf("/students/%d#supports", st.ID), CreatedBy: names.of(p.CreatedBy)}
	if p.ClassID != nil {
		data.Links = append(data.Links, navLink{Label: pr.T("supports.class.link"), URL: fmt.Sprintf("/classes/%d/supports", *p.ClassID)})
	}
	if goal, sc, ok := supportGoalLevel(cat, p); ok {
		pts, err := s.store.SupportProgress(ctx, p)
		if err != nil {
			return nil, err
		}
		pg := supports.Monitor(p, goal, pts)
		var values []chartValue
		for _, pt := range pg.Points {
			label := pr.ShortDate(pt.AssessedAt)
			long := label
			if len(p.StandardIDs) > 1 {
				long = label + " · " + standardCodes(cat, []int64{pt.StandardID})
			}
			values = append(values, chartValue{Label: label, Long: long, Value: pt.Value})
		}
		axis := scaleAxis(sc)
		axis.Cut = &goal
		c := plotChart(pr, fmt.Sprintf("support-progress-%d", p.ID), pr.T("supports.chart.title", row.Standards),
			row.Status, axis, values, []string{pr.T("supports.chart.when"), pr.T("supports.chart.value")})
		if c != nil {
			c.CutLabel = pr.T("supports.chart.goal")
			c.Notes = []string{row.Status, pr.T("supports.chart.note")}
			data.Chart = c
		}
	}
	rels, err := s.store.RelationsTo(ctx, a, p.StudentID)
	if err != nil {
		return nil, err
	}
	if _, err := access.Decide(a, access.Change, access.Supports, rels); err == nil && a.TokenScope == "" && p.Open() {
		data.CanChange = true
		if edit == nil {
			f := supportPlanForm{Tier: strconv.Itoa(int(p.Tier)), Kind: string(p.Kind), Provider: strconv.FormatInt(p.ProviderID, 10),
				Schedule: p.Schedule, StartsOn: p.StartsOn.Format(supports.DateLayout), Goal: p.Goal, Errors: map[string]string{}}
			if p.ClassID != nil {
				f.Class = strconv.FormatInt(*p.ClassID, 10)
			}
			if p.EndsOn != nil {
				f.EndsOn = p.EndsOn.Format(supports.DateLayout)
			}
			for _, id := range p.StandardIDs {
				f.Standards = append(f.Standards, strconv.FormatInt(id, 10))
			}
			edit = &f
		}
		edit.Action, edit.Submit = fmt.Sprintf("/supports/%d", p.ID), pr.T("supports.form.save")
		if err := s.planFormOf(r, p.StudentID, edit); err != nil {
			return nil, err
		}
		data.Edit = *edit
		if closing == nil {
			closing = &closeForm{Errors: map[string]string{}}
		}
		for _, o := range supports.Outcomes {
			closing.Outcomes = append(closing.Outcomes, formOption{Value: string(o), Label: outcomeLabel(pr, o), Selected: closing.Outcome == string(o)})
		}
		data.Close = *closing
	}
	return data, nil
}

// revisePlanForm saves the edited plan.
func (s *Server) revisePlanForm(w http.ResponseWriter, r *http.Request) error {
	p, audit, err := s.planAccess(r, access.Change)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	f, d, parse := planDraftOf(r, p.StudentID)
	if len(parse) > 0 {
		err = checkDraft(d, parse, s.now())
	} else if _, err = s.store.ReviseSupportPlan(r.Context(), p.DistrictID, p.ID, d, audit); err == nil {
		// The store checks the draft as Plan.Revise does: an unchanged
		// start is the plan's own, however long ago.
		return redirect(w, r, fmt.Sprintf("/supports/%d?saved=1", p.ID))
	}
	if !supportFieldErrors(pr, err, f.Errors) {
		return err
	}
	data, derr := s.supportPlanData(w, r, p, &f, nil)
	if derr != nil {
		return derr
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "supports_plan", data)
}

// closePlanForm closes the plan with its outcome and a note.
func (s *Server) closePlanForm(w http.ResponseWriter, r *http.Request) error {
	p, audit, err := s.planAccess(r, access.Change)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	c := closeForm{Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note"), Errors: map[string]string{}}
	_, err = s.store.CloseSupportPlan(r.Context(), p.DistrictID, p.ID, supports.Outcome(c.Outcome), c.Note, audit)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/supports/%d?closed=1", p.ID))
	}
	if !supportFieldErrors(pr, err, c.Errors) {
		return err
	}
	if fresh, ferr := s.store.SupportPlan(r.Context(), p.DistrictID, p.ID); ferr == nil {
		p = fresh
	}
	data, derr := s.supportPlanData(w, r, p, nil, &c)
	if derr != nil {
		return derr
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "supports_plan", data)
}

// noteFormPost records a teacher's note from the student's page.
func (s *Server) noteFormPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	audit, err := s.studentChange(r, id, access.Notes)
	if err != nil {
		return hiddenAs(err, "student", id)
	}
	f := noteForm{Kind: r.PostFormValue("kind"), Text: r.PostFormValue("text"), Errors: map[string]string{}}
	n := supports.Note{DistrictID: s.districtOf(r), StudentID: id, AuthorID: actorOf(r).PersonID, Kind: supports.NoteKind(f.Kind), Text: f.Text}
	if v := r.PostFormValue("class"); v != "" {
		c, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return problem.Invalid("classId", "%q is not a class id", v)
		}
		n.ClassID, f.ClassID = &c, c
	}
	err = s.store.RecordNote(r.Context(), &n, audit)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/students/%d?noted=1#notes", id))
	}
	if !supportFieldErrors(s.printerOf(r), err, f.Errors) {
		return err
	}
	q := url.Values{"noteKind": {f.Kind}, "noteText": {f.Text}, "noteError": {strings.Join(errorList(f.Errors), " ")}}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	return s.renderStudentProfile(w, r2, id, http.StatusUnprocessableEntity)
}

// keepNoteForm puts a refused note back in its form (noteFormPost).
func keepNoteForm(r *http.Request, sec *supportsSection) {
	if sec == nil {
		return
	}
	q := r.URL.Query()
	if e := q.Get("noteError"); e != "" {
		sec.NoteForm = noteForm{Kind: q.Get("noteKind"), Text: q.Get("noteText"), Errors: map[string]string{"text": e}}
	}
}
