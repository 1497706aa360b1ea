package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// recordPage is the evidence grid: one row per student, one column per
// standard scored, a field in each cell. It is built for the keyboard:
// Tab (or the arrow keys and Enter, with the optional script) moves from
// one field to the next, and one submit records the whole class.
type recordPage struct {
	pageBase
	Class  roster.Class
	Action string
	// Cols are the standards scored; Choices all the course's, to pick
	// from.
	Cols    []recordCol
	Choices []recordChoice
	Rows    []recordRow
	Student int64 // set when the grid is for one student
	Kinds   []recordKind
	// The form's own fields, as typed. EvidenceTitle keeps clear of
	// pageBase.Title, the page's title.
	EvidenceTitle, Kind, Assessed string
	Errors                        map[string]string
	// Problem is an error that belongs to no one field.
	Problem  string
	Hint     string
	CancelTo string
}

type recordCol struct {
	ID        int64
	Label     string
	Statement string
	Levels    string
	// Lang is the language of the standard's framework, for langAttr.
	Lang string
}

type recordChoice struct {
	ID      int64
	Label   string
	Checked bool
	// Lang is the language of the standard's framework, for langAttr.
	Lang string
}

type recordRow struct {
	ID    int64
	Name  string
	Cells []recordCell
}

type recordCell struct {
	// Label names the row and column headers that label the field.
	Name, Value, Error, Label string
	Row, Col                  int
}

type recordKind struct {
	Value, Label string
}

// recordFormData builds the grid for the class in the URL, with the
// standards and students the request names.
func (s *Server) recordFormData(w http.ResponseWriter, r *http.Request, form url.Values) (*recordPage, []roster.Person, []standards.Standard, *standards.Catalog, map[int64]access.Relation, error) {
	c, err := s.classAccess(r, access.Change)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	courseStds, err := s.store.CourseStandards(ctx, d, c.CourseID)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	// The grid's rows are the students the actor may record evidence for,
	// decided as the API decides it for each.
	students, rels, err := s.classRoster(r, c.ID, access.Change, access.Evidence)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	ds, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	data := &recordPage{pageBase: s.newBase(w, r, pr.T("record.title", c.Title)), Class: c,
		Action: fmt.Sprintf("/classes/%d/record", c.ID), Errors: map[string]string{},
		Kind: string(evidence.Formative), Assessed: s.now().Format("2006-01-02"),
		CancelTo: fmt.Sprintf("/classes/%d", c.ID)}
	for _, k := range evidence.Kinds {
		data.Kinds = append(data.Kinds, recordKind{string(k), pr.T("kind." + string(k))})
	}

	// The standards to score: those asked for, in course order, or the
	// first of the course.
	var chosen []standards.Standard
	asked := form["standard"]
	for _, st := range courseStds {
		if slices.Contains(asked, strconv.FormatInt(st.ID, 10)) {
			chosen = append(chosen, st)
		}
	}
	if len(chosen) == 0 && len(courseStds) > 0 {
		chosen = courseStds[:1]
	}
	if len(chosen) > maxGridStandards {
		chosen = chosen[:maxGridStandards]
		data.Problem = pr.T("record.too_many", maxGridStandards)
	}
	for _, st := range courseStds {
		data.Choices = append(data.Choices, recordChoice{ID: st.ID, Label: shortLabel(st) + " " + truncateWords(st.Statement, 60), Lang: ds.LangOf(st),
			Checked: slices.ContainsFunc(chosen, func(x standards.Standard) bool { return x.ID == st.ID })})
	}
	for _, st := range chosen {
		sc := ds.ScaleOf(st)
		var lv []string
		for _, l := range sc.Levels {
			lv = append(lv, pr.Number(l.Value)+" "+levelLabel(pr, l.Label))
		}
		data.Cols = append(data.Cols, recordCol{ID: st.ID, Label: shortLabel(st), Statement: st.Statement, Levels: strings.Join(lv, ", "), Lang: ds.LangOf(st)})
	}
	if len(chosen) > 0 {
		sc := ds.ScaleOf(chosen[0])
		data.Hint = pr.T("record.hint", pr.Number(sc.Min()), pr.Number(sc.Max()))
	}

	// One student, when asked for.
	if v := form.Get("student"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		i := slices.IndexFunc(students, func(p roster.Person) bool { return p.ID == id })
		if i < 0 {
			return nil, nil, nil, nil, nil, notFound("student", v)
		}
		students = students[i : i+1]
		data.Student = id
		data.CancelTo = fmt.Sprintf("/students/%d", id)
	}
	for i, p := range students {
		row := recordRow{ID: p.ID, Name: p.Name()}
		for j, st := range chosen {
			name := cellName(p.ID, st.ID)
			row.Cells = append(row.Cells, recordCell{Name: name, Value: form.Get(name), Row: i, Col: j,
				Label: "r" + strconv.FormatInt(p.ID, 10) + " k" + strconv.FormatInt(st.ID, 10)})
		}
		data.Rows = append(data.Rows, row)
	}
	return data, students, chosen, ds, rels, nil
}

// maxGridStandards is the most standards one grid scores: an assessment
// scores a few, and a grid of a class against more would be too heavy a
// page for a school's network.
const maxGridStandards = 8

// cellName is the form field of one student's score on one standard.
func cellName(student, standard int64) string {
	return "c" + strconv.FormatInt(student, 10) + "_" + strconv.FormatInt(standard, 10)
}

// strayCell returns the name of a filled-in score field of form that is
// none of the rows' cells, or "".
func strayCell(form url.Values, rows []recordRow) string {
	cells := map[string]bool{}
	for _, row := range rows {
		for _, c := range row.Cells {
			cells[c.Name] = true
		}
	}
	for name, vs := range form {
		var student, standard int64
		if n, _ := fmt.Sscanf(name, "c%d_%d", &student, &standard); n != 2 || cells[name] || name != cellName(student, standard) {
			continue
		}
		if slices.ContainsFunc(vs, func(v string) bool { return strings.TrimSpace(v) != "" }) {
			return name
		}
	}
	return ""
}

// recordForm shows the grid.
func (s *Server) recordForm(w http.ResponseWriter, r *http.Request) error {
	data, students, _, _, rels, err := s.recordFormData(w, r, r.URL.Query())
	if err != nil {
		return err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Profile, "evidence grid of class "+strconv.FormatInt(data.Class.ID, 10)); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "record_evidence", data)
}

// pointsScore matches a score typed as points, "7/10" or "7.5 / 10".
var pointsScore = regexp.MustCompile(`^\s*(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)\s*$`)

// parseScore reads a cell: a level of the scale ("3") or points out of a
// maximum ("7/10"). A decimal comma is accepted as well as a point.
func parseScore(v string, sc standards.Scale) (evidence.Score, bool) {
	num := func(s string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
		return f, err == nil
	}
	if m := pointsScore.FindStringSubmatch(v); m != nil {
		p, ok1 := num(m[1])
		max, ok2 := num(m[2])
		if !ok1 || !ok2 || max <= 0 || p > max {
			return evidence.Score{}, false
		}
		return evidence.Score{Points: &p, MinPoints: 0, MaxPoints: max}, true
	}
	l, ok := num(v)
	if !ok || !sc.HasLevel(l) {
		return evidence.Score{}, false
	}
	return evidence.Score{Level: &l}, true
}

// recordEvidenceGrid records the grid as one batch: every student's
// scores or none. Refusals are shown beside the cells they concern, with
// everything typed kept; success returns to the heatmap (post, redirect,
// get), which shows the new levels.
func (s *Server) recordEvidenceGrid(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return malformed("", "reading the form: %v", err)
	}
	form := r.PostForm
	data, students, chosen, ds, rels, err := s.recordFormData(w, r, form)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	a := actorOf(r)
	data.EvidenceTitle = strings.TrimSpace(form.Get("title"))
	data.Kind = form.Get("kind")
	data.Assessed = form.Get("assessed")

	kind, err := evidence.ParseKind(data.Kind)
	if err != nil {
		data.Errors["kind"] = pr.T("record.error.kind")
	}
	if limits.TooLong(data.EvidenceTitle, limits.Title, "a title") != "" {
		data.Errors["title"] = pr.T("record.error.title", limits.Title)
	}
	now := s.now()
	day, err := time.ParseInLocation("2006-01-02", data.Assessed, now.Location())
	var assessed time.Time
	switch {
	case err != nil:
		data.Errors["assessed"] = pr.T("record.error.date")
	case day.After(now):
		data.Errors["assessed"] = pr.T("record.error.future")
	case day.Format("2006-01-02") == now.Format("2006-01-02"):
		assessed = now
	default:
		assessed = day.Add(12 * time.Hour)
	}

	// One piece of evidence per student with at least one score; where
	// each record's scores came from, to put the store's refusals back
	// beside their cells.
	type origin struct {
		row  int
		cols []int
	}
	var evs []evidence.Evidence
	var origins []origin
	cellErr := func(i, j int, msg string) {
		data.Rows[i].Cells[j].Error = msg
		data.Errors[data.Rows[i].Cells[j].Name] = msg
	}
	for i, p := range students {
		ev := evidence.Evidence{DistrictID: a.DistrictID, StudentID: p.ID, ClassID: &data.Class.ID, Kind: kind,
			Title: data.EvidenceTitle, AssessedAt: assessed, RecordedBy: a.PersonID}
		var o origin
		for j, st := range chosen {
			v := strings.TrimSpace(data.Rows[i].Cells[j].Value)
			if v == "" {
				continue
			}
			sc := ds.ScaleOf(st)
			score, ok := parseScore(v, sc)
			if !ok {
				cellErr(i, j, pr.T("record.error.score", pr.Number(sc.Min()), pr.Number(sc.Max())))
				continue
			}
			score.StandardID = st.ID
			ev.Scores = append(ev.Scores, score)
			o.cols = append(o.cols, j)
		}
		if len(ev.Scores) > 0 {
			o.row = i
			evs = append(evs, ev)
			origins = append(origins, o)
		}
	}
	// A score for a cell the grid does not have (a student who has left
	// the class since the grid was opened, one the teacher may not record
	// for, a standard not chosen) refuses the whole grid, in the same words
	// whether that student exists or not, rather than being dropped
	// unseen.
	if stray := strayCell(form, data.Rows); stray != "" {
		data.Problem = pr.T("record.error.stray")
	} else if len(evs) == 0 && len(data.Errors) == 0 {
		data.Problem = pr.T("record.error.empty")
	}
	if len(data.Errors) > 0 || data.Problem != "" {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "record_evidence", data)
	}

	// The change of each student's evidence is logged in the batch's own
	// transaction: the grid and its entries are written together or not
	// at all, so a failed entry never answers an error for a grid that
	// was recorded (and would be recorded again if sent again).
	detail := "evidence grid of class " + strconv.FormatInt(data.Class.ID, 10)
	audit := make([]store.AuditEntry, 0, len(evs))
	for _, ev := range evs {
		e := s.auditEntry(r, ev.StudentID, access.Change, access.Evidence, rels[ev.StudentID])
		e.Detail = detail
		audit = append(audit, e)
	}
	err = s.store.RecordEvidenceBatch(r.Context(), evs, audit...)
	var ie *problem.InvalidError
	var pe *problem.Error
	switch {
	case errors.As(err, &ie) && ie.Record >= 0 && ie.Record < len(origins):
		o := origins[ie.Record]
		for _, f := range ie.Fields {
			if f.List == "scores" && f.Index >= 0 && f.Index < len(o.cols) {
				cellErr(o.row, o.cols[f.Index], f.Reason)
				continue
			}
			switch {
			case f.Field == "assessedAt":
				data.Errors["assessed"] = f.Reason
			default:
				data.Problem = pr.T("record.error.student", data.Rows[o.row].Name, f.Field+": "+f.Reason)
			}
		}
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "record_evidence", data)
	case errors.As(err, &pe) && pe.Kind == problem.KindConflict && pe.Record >= 0 && pe.Record < len(origins):
		// A retake the district's reassessment policy refuses.
		data.Problem = pr.T("record.error.student", data.Rows[origins[pe.Record].row].Name, pe.Message)
		return s.renderPage(w, r, http.StatusConflict, "record_evidence", data)
	case err != nil:
		return err
	}
	if data.Student != 0 {
		return redirect(w, r, fmt.Sprintf("/students/%d?recorded=%d", data.Student, len(evs)))
	}
	return redirect(w, r, fmt.Sprintf("/classes/%d?recorded=%d", data.Class.ID, len(evs)))
}
