package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// studentView is what the pages about one student show, whoever reads
// them: the student's standards by framework with where they stand, the
// evidence, the growth over the year, and what comes next.
type studentView struct {
	Student    roster.Person
	Classes    []studentClass
	Frameworks []frameworkView
	// Mastered, Assessed and Total count the standards listed.
	Mastered, Assessed, Total int
	Evidence                  []evidenceRow
	// EvidenceCount counts all the student's evidence that counts (not
	// voided).
	EvidenceCount int
	// Growth is how many standards were mastered month by month, Level
	// the level across the standards worked on.
	Growth, Level *chartView
	// Next are standards the student is ready for or working on, with
	// every prerequisite mastered; Stalled those held back by one that is
	// not (mastery.Stalls).
	Next    []stdRow
	Stalled []stalledRow
	// Recent is the evidence of the last two weeks.
	Recent []evidenceRow
}

type studentClass struct {
	roster.Class
	Course string
}

type frameworkView struct {
	ID        int64
	Title     string
	Lang      string // the framework's language, for langAttr
	Kind      standards.Kind
	Levels    []levelView
	Cut       string
	Standards []stdRow
}

type levelView struct {
	Class, Value, Label, Description string
	Cut                              bool
}

type stdRow struct {
	ID                   int64
	Code, Statement, URL string
	Lang                 string // the framework's language, for langAttr
	Assessed, Mastered   bool
	Level, LevelLabel    string
	Class                string
	Evidence             int
	// Trend says whether recent evidence goes up, down or stays.
	Trend string
	// Model is the model's estimate in words, "84% likely mastered, needs
	// more evidence"; empty without one.
	Model string
}

// stalledRow is a standard the student is stalled on, and the
// prerequisites they have worked on and not mastered: what to master
// first.
type stalledRow struct {
	Target stdRow
	Needs  []stdRow
	// NeedCodes names the prerequisites by code, for a teacher's line.
	NeedCodes string
}

type evidenceRow struct {
	ID         int64
	URL        string
	Title      string
	Kind       evidence.Kind
	AssessedAt time.Time
	Scores     []scoreRow
	Voided     bool
	VoidReason string
	Comment    string
	// TitleLang is the district's language when Title is the district's
	// text, "" when it is the kind's name in the page's language.
	TitleLang string
}

type scoreRow struct {
	Code, Statement, Value, Label, Class string
	// Lang is the language of the standard's framework, for langAttr.
	Lang string
}

// timelineLength is how much evidence a student's page lists; the API
// gives all of it.
const timelineLength = 40

// loadStudentView gathers what the pages show about a student; the
// caller has checked and logged the access.
func (s *Server) loadStudentView(ctx context.Context, pr *i18n.Printer, districtID, studentID int64, now time.Time) (*studentView, error) {
	p, err := s.store.Person(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	v := &studentView{Student: p}
	classes, err := s.store.PersonClasses(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.Catalog(ctx, districtID)
	if err != nil {
		return nil, err
	}
	inCourse := map[int64]bool{}
	for _, c := range classes {
		co, err := s.store.Course(ctx, districtID, c.CourseID)
		if err != nil {
			return nil, err
		}
		v.Classes = append(v.Classes, studentClass{Class: c, Course: co.Title})
		for _, st := range cat.CourseStandards(c.CourseID) {
			inCourse[st.ID] = true
		}
	}
	states, err := s.store.StudentMastery(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	state := map[int64]*store.MasteryState{}
	for i := range states {
		state[states[i].StandardID] = &states[i]
	}
	// Frameworks in id order; each lists its standards in hierarchy
	// order: those of the student's courses, and any other leaf with
	// evidence (last year's, from a diagnostic).
	for _, fw := range cat.Frameworks() {
		stds := cat.FrameworkStandards(fw.ID)
		parent := map[int64]bool{}
		for _, st := range stds {
			if st.ParentID != nil {
				parent[*st.ParentID] = true
			}
		}
		sc, _ := cat.Scale(fw.ScaleID)
		fv := frameworkView{ID: fw.ID, Title: fw.Title, Lang: fw.Lang(), Kind: fw.Kind}
		for _, st := range stds {
			if !inCourse[st.ID] && (state[st.ID] == nil || parent[st.ID]) {
				continue
			}
			fv.Standards = append(fv.Standards, s.stdRowOf(pr, studentID, st, cat, state[st.ID]))
		}
		if len(fv.Standards) == 0 {
			continue
		}
		fv.Levels, fv.Cut = levelsOf(pr, sc)
		for _, row := range fv.Standards {
			v.Total++
			if row.Assessed {
				v.Assessed++
			}
			if row.Mastered {
				v.Mastered++
			}
		}
		v.Frameworks = append(v.Frameworks, fv)
	}

	// What comes next, from the prerequisite graph: a standard of the
	// student's courses worked on and not mastered is either stalled below
	// a prerequisite or next to practise.
	stateOf := func(id int64) (mastery.State, bool) {
		if ms := state[id]; ms != nil {
			return ms.State, true
		}
		return mastery.State{}, false
	}
	for _, fv := range v.Frameworks {
		for _, row := range fv.Standards {
			if row.Mastered || !row.Assessed || !inCourse[row.ID] {
				continue
			}
			below := mastery.StalledBelow(row.ID, cat.Prerequisites, stateOf)
			if len(below) == 0 {
				v.Next = append(v.Next, row)
				continue
			}
			sr := stalledRow{Target: row}
			var codes []string
			for _, id := range below {
				needs, _ := cat.Standard(id)
				sr.Needs = append(sr.Needs, s.stdRowOf(pr, studentID, needs, cat, state[id]))
				codes = append(codes, shortLabel(needs))
			}
			sr.NeedCodes = strings.Join(codes, ", ")
			v.Stalled = append(v.Stalled, sr)
		}
	}
	if len(v.Next) > 5 {
		v.Next = v.Next[:5]
	}

	// The evidence, newest first, and the growth month by month.
	var evs []evidence.Evidence
	f := store.EvidenceFilter{IncludeVoided: true, Page: store.Page{Limit: 500}}
	for {
		page, next, err := s.store.StudentEvidence(ctx, districtID, studentID, f)
		if err != nil {
			return nil, err
		}
		evs = append(evs, page...)
		if next == 0 || len(evs) >= 5000 {
			break
		}
		f.Page.After = next
	}
	recentFrom := now.AddDate(0, 0, -14)
	first := time.Time{}
	for _, ev := range evs {
		if !ev.Voided() {
			v.EvidenceCount++
		}
		row := s.evidenceRowOf(pr, ev, cat)
		if len(v.Evidence) < timelineLength {
			v.Evidence = append(v.Evidence, row)
		}
		if !ev.Voided() && !ev.AssessedAt.Before(recentFrom) && len(v.Recent) < 10 {
			v.Recent = append(v.Recent, row)
		}
		if ev.Voided() {
			continue
		}
		for _, sc := range ev.Scores {
			if st, ok := cat.Standard(sc.StandardID); ok && frameworkKind(cat, st) == standards.Academic &&
				(first.IsZero() || ev.AssessedAt.Before(first)) {
				first = ev.AssessedAt
			}
		}
	}
	if !first.IsZero() {
		if err := s.growthOf(ctx, pr, v, districtID, cat, first, now); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// growthMonths is how many months a growth chart reaches back at most.
const growthMonths = 12

// fewStandards is how many standards worked on a month's level must rest
// on to be read on its own: below it, a point is drawn hollow and the
// chart says so.
const fewStandards = 3

// growthPoint is where a student stood at the end of a month, across the
// standards their page lists.
type growthPoint struct {
	Month    time.Time // the first day of the month
	ToDate   bool      // the current month, as of now
	WorkedOn int       // standards with evidence by then
	Mastered int       // of them, mastered by then
	// Academic counts the academic standards worked on, and Level is the
	// mean of their values by then.
	Academic int
	Level    float64
}

// growthOf draws a student's growth: how many of the standards their page
// lists were mastered at the end of each month, from the month of the
// first academic evidence to now, and their level across the academic
// standards worked on by then. Each month is the state the district's
// method gave each standard from the evidence assessed by the month's end,
// so a few low scores move a few standards, not the whole line, and the
// last point is where the page stands.
func (s *Server) growthOf(ctx context.Context, pr *i18n.Printer, v *studentView, districtID int64, cat *standards.Catalog, first, now time.Time) error {
	points, err := s.growthPoints(ctx, v, districtID, first, now)
	if err != nil || len(points) == 0 {
		return err
	}
	sc := standards.DefaultScale()
	for _, fw := range cat.Frameworks() {
		if fw.Kind == standards.Academic {
			sc, _ = cat.Scale(fw.ScaleID)
			break
		}
	}
	name := v.Student.GivenName
	var mastered, level []chartValue
	most, few := 0, false
	for i, p := range points {
		label := pr.T("date.mon." + strconv.Itoa(int(p.Month.Month())))
		long := label
		if i == 0 || p.Month.Month() == time.January {
			long = label + " " + strconv.Itoa(p.Month.Year())
		}
		if p.ToDate {
			long = pr.T("growth.to_date", long)
		}
		mastered = append(mastered, chartValue{Label: label, Long: long, Value: float64(p.Mastered), Behind: strconv.Itoa(p.WorkedOn)})
		level = append(level, chartValue{Label: label, Long: long, Value: p.Level, Behind: strconv.Itoa(p.Academic),
			Few: p.Academic < fewStandards})
		most = max(most, p.WorkedOn)
		few = few || p.Academic < fewStandards
	}
	note := pr.T("growth.mastered.note", name)
	v.Growth = plotChart(pr, "growth", pr.T("growth.mastered.title", name), note, countAxis(most), mastered,
		[]string{pr.T("growth.month"), pr.T("growth.mastered"), pr.T("growth.worked_on")})
	if v.Growth != nil {
		v.Growth.Notes = []string{note}
	}
	note = pr.T("growth.level.note", name)
	v.Level = plotChart(pr, "growth-level", pr.T("growth.level.title", name), note, scaleAxis(sc), level,
		[]string{pr.T("growth.month"), pr.T("growth.average"), pr.T("growth.academic_worked_on")})
	if v.Level != nil {
		v.Level.Notes = []string{note}
		if few {
			v.Level.Notes = append(v.Level.Notes, pr.T("growth.few", fewStandards))
		}
	}
	return nil
}

// growthPoints are the months of a student's growth chart, from the
// month of first (the first academic evidence) to now's, the last
// growthMonths of them at most.
func (s *Server) growthPoints(ctx context.Context, v *studentView, districtID int64, first, now time.Time) ([]growthPoint, error) {
	// academic says, for each standard the page lists, whether its
	// level counts in the level across standards.
	academic := map[int64]bool{}
	for _, fv := range v.Frameworks {
		for _, row := range fv.Standards {
			academic[row.ID] = fv.Kind == standards.Academic
		}
	}
	first = first.In(now.Location())
	month := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, now.Location())
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	if earliest := current.AddDate(0, 1-growthMonths, 0); month.Before(earliest) {
		month = earliest
	}
	var points []growthPoint
	var at []time.Time
	for ; !month.After(current); month = month.AddDate(0, 1, 0) {
		p := growthPoint{Month: month}
		end := month.AddDate(0, 1, 0).Add(-time.Nanosecond)
		if month.Equal(current) {
			p.ToDate, end = true, now
		}
		points = append(points, p)
		at = append(at, end)
	}
	states, err := s.store.MasteryAsOf(ctx, districtID, v.Student.ID, at)
	if err != nil {
		return nil, err
	}
	for i, byStd := range states {
		p := &points[i]
		sum := 0.0
		for id, st := range byStd {
			ac, listed := academic[id]
			if !listed || st.EvidenceCount == 0 {
				continue
			}
			p.WorkedOn++
			if st.Mastered {
				p.Mastered++
			}
			if ac {
				p.Academic++
				sum += st.Value
			}
		}
		if p.Academic > 0 {
			p.Level = sum / float64(p.Academic)
		}
	}
	// A month before any academic standard had evidence says nothing.
	for len(points) > 0 && points[0].Academic == 0 {
		points = points[1:]
	}
	return points, nil
}

// stdRowOf is one standard's row for a student.
func (s *Server) stdRowOf(pr *i18n.Printer, studentID int64, st standards.Standard, cat *standards.Catalog, ms *store.MasteryState) stdRow {
	sc := cat.ScaleOf(st)
	row := stdRow{ID: st.ID, Code: st.Code, Statement: st.Statement, Lang: cat.LangOf(st), Class: "l0",
		URL: fmt.Sprintf("/students/%d/standards/%d", studentID, st.ID), LevelLabel: pr.T("student.not_assessed")}
	if ms == nil {
		return row
	}
	row.Assessed = true
	row.Mastered = ms.Mastered
	row.Level = pr.Number(ms.Level)
	row.LevelLabel = levelLabel(pr, ms.LevelLabel)
	row.Class = levelClass(sc, ms.Level)
	row.Evidence = ms.EvidenceCount
	if est := ms.Model; est != nil {
		row.Model = pr.T("student.model_cell", percentOf(pr, est.PMastered), pr.T("model.verdict."+string(est.Verdict)))
	}
	switch {
	case ms.EvidenceCount < 2:
	case ms.Trend > 0.05:
		row.Trend = pr.T("trend.up")
	case ms.Trend < -0.05:
		row.Trend = pr.T("trend.down")
	default:
		row.Trend = pr.T("trend.flat")
	}
	return row
}

// evidenceRowOf is one piece of evidence as a timeline lists it.
func (s *Server) evidenceRowOf(pr *i18n.Printer, ev evidence.Evidence, cat *standards.Catalog) evidenceRow {
	row := evidenceRow{ID: ev.ID, URL: fmt.Sprintf("/evidence/%d", ev.ID), Title: ev.Title, Kind: ev.Kind,
		AssessedAt: ev.AssessedAt, Voided: ev.Voided(), Comment: ev.Comment}
	if row.Title == "" {
		row.Title = pr.T("kind." + string(ev.Kind))
	} else {
		row.TitleLang = cat.Language()
	}
	if ev.Void != nil {
		row.VoidReason = ev.Void.Reason
	}
	for _, sc := range ev.Scores {
		st, _ := cat.Standard(sc.StandardID)
		scale := cat.ScaleOf(st)
		lv := scale.LevelOf(sc.Value)
		row.Scores = append(row.Scores, scoreRow{Code: shortLabel(st), Statement: st.Statement, Lang: cat.LangOf(st),
			Value: pr.Number(sc.Value), Label: levelLabel(pr, lv.Label), Class: levelClass(scale, lv.Value)})
	}
	return row
}

// frameworkKind is the kind of a standard's framework.
func frameworkKind(cat *standards.Catalog, st standards.Standard) standards.Kind {
	fw, _ := cat.Framework(st.FrameworkID)
	return fw.Kind
}

// levelsOf describes a scale's levels, in the reader's language where the
// catalog knows them, and where mastery starts.
func levelsOf(pr *i18n.Printer, sc standards.Scale) ([]levelView, string) {
	var out []levelView
	cut := ""
	def := standards.DefaultScale()
	for _, l := range sc.Levels {
		desc := l.Description
		// The default scale's descriptions have translations; a district's
		// own are shown as written.
		for _, d := range def.Levels {
			if d.Label == l.Label && d.Description == l.Description {
				if t, ok := pr.Lookup("level." + strings.ToLower(l.Label) + ".description"); ok {
					desc = t
				}
			}
		}
		lv := levelView{Class: levelClass(sc, l.Value), Value: pr.Number(l.Value), Label: levelLabel(pr, l.Label),
			Description: desc, Cut: l.Value == sc.MasteryCut}
		if lv.Cut {
			cut = pr.T("student.cut", lv.Value, lv.Label)
		}
		out = append(out, lv)
	}
	return out, cut
}
