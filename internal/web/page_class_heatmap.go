package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// heatmapPage is a class at a glance: its students against the
// standards it has worked on, each cell a student's level written out
// and coloured, students stalled below an unmastered prerequisite
// flagged.
type heatmapPage struct {
	pageBase
	Class     roster.Class
	Course    string
	Students  int
	Rows      []heatRow
	Cols      []heatCol
	Legend    []legendItem
	Cut       string
	Stalled   int
	Shown     int
	Total     int
	ShowAll   bool
	AllURL    string
	SortName  string
	SortLinks []navLink
	ColLinks  []navLink
	// ShowLinks switch the cells between levels and the model's chance
	// of mastery; Model is set in the model's view.
	ShowLinks []navLink
	Model     bool
	RecordURL string
	Recorded  int
	// SummativeURL leads to who is ready for the summative.
	SummativeURL string
	// Waiting counts the proposals of the class's students waiting for a
	// decision, shown on the link to them.
	Waiting int
	// ClassLinks lead to the class's other pages: who is ready for what
	// today and the pathway.
	ClassLinks []navLink
}

type heatRow struct {
	ID       int64
	Name     string
	URL      string
	Mastered int
	// Flag names the standards the student is stalled on, and the
	// prerequisites they lack.
	Flag  string
	Cells []heatCell
}

type heatCol struct {
	ID        int64
	Label     string
	Statement string
	Lang      string // the framework's language, for langAttr
	SortURL   string
	Sorted    bool
}

// heatCell is one cell: its CSS class, the text shown, and the address
// of the evidence and explanation behind it ("" when there is none).
type heatCell struct {
	Class, Text, URL string
}

type legendItem struct {
	Class, Value, Label string
}

// heatmapCell is a cell while the page is built, before it is sorted.
type heatmapCell struct {
	state   *store.MasteryState
	stalled []int64 // the unmastered prerequisites
}

func (s *Server) classHeatmapPage(w http.ResponseWriter, r *http.Request) error {
	c, scope, err := s.classAccessScope(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	// The states of prerequisites the course does not teach (an earlier
	// grade's) come in the same read as the matrix.
	course := cat.CourseStandards(c.CourseID)
	ids := make([]int64, len(course))
	for j, st := range course {
		ids[j] = st.ID
	}
	m, rels, states, err := s.classMatrix(r, c, cat, cat.PrerequisitesOfAll(ids))
	if err != nil {
		return err
	}
	if err := s.auditClass(r, m.Students, rels, access.View, access.Mastery, "heatmap of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	courseRecord, err := s.store.Course(ctx, d, c.CourseID)
	if err != nil {
		return err
	}
	cells := stallsOf(m, cat, states)

	q := r.URL.Query()
	data := &heatmapPage{pageBase: s.newBase(w, r, c.Title), Class: c, Course: courseRecord.Title, Students: len(m.Students),
		ShowAll: q.Get("all") == "1", Total: len(m.Standards)}
	data.Model = q.Get("show") == "model"
	data.ClassLinks = classLinks(pr, c.ID, "heatmap")
	// Rules and alerts: the actor's open alerts raised in the class.
	if n, ok, err := s.classOpenAlerts(r, c.ID); err != nil {
		return err
	} else if ok {
		data.ClassLinks = append(data.ClassLinks, navLink{Label: pr.N("alerts.class_link", n), URL: fmt.Sprintf("/alerts?class=%d", c.ID)})
	}
	if n, err := strconv.Atoi(q.Get("recorded")); err == nil && n > 0 {
		data.Recorded = n
	}
	if mayRecordIn(actorOf(r), scope) {
		data.RecordURL = fmt.Sprintf("/classes/%d/record", c.ID)
	}
	data.SummativeURL = fmt.Sprintf("/classes/%d/summative", c.ID)
	if data.Waiting, err = s.store.WaitingProposals(ctx, d, c.ID); err != nil {
		return err
	}

	// Columns: the standards the class has evidence on (what it has
	// worked on so far), or all of the course's on request.
	var cols []int
	for j := range m.Standards {
		if data.ShowAll || columnHasEvidence(m, j) {
			cols = append(cols, j)
		}
	}
	data.Shown = len(cols)
	if q.Get("cols") == "weakest" {
		share := func(j int) float64 {
			n, k := 0, 0
			for i := range m.Students {
				if st := m.Cells[i][j]; st != nil {
					n++
					if st.Mastered {
						k++
					}
				}
			}
			if n == 0 {
				return 2
			}
			return float64(k) / float64(n)
		}
		slices.SortStableFunc(cols, func(a, b int) int { return cmp.Compare(share(a), share(b)) })
	}

	// Rows, sorted as asked.
	sortKey := q.Get("sort")
	rows := make([]int, len(m.Students))
	for i := range rows {
		rows[i] = i
	}
	mastered := func(i int) int {
		n := 0
		for _, j := range cols {
			if st := m.Cells[i][j]; st != nil && st.Mastered {
				n++
			}
		}
		return n
	}
	stalledIn := func(i int) int {
		n := 0
		for _, j := range cols {
			if len(cells[i][j].stalled) > 0 {
				n++
			}
		}
		return n
	}
	switch {
	case sortKey == "mastered":
		slices.SortStableFunc(rows, func(a, b int) int { return cmp.Compare(mastered(a), mastered(b)) })
		data.SortName = pr.T("heatmap.sort.mastered")
	case sortKey == "stalled":
		slices.SortStableFunc(rows, func(a, b int) int { return cmp.Compare(stalledIn(b), stalledIn(a)) })
		data.SortName = pr.T("heatmap.sort.stalled")
	case strings.HasPrefix(sortKey, "s"):
		id, _ := strconv.ParseInt(sortKey[1:], 10, 64)
		j := slices.IndexFunc(m.Standards, func(st standards.Standard) bool { return st.ID == id })
		if j >= 0 {
			value := func(i int) float64 {
				if st := m.Cells[i][j]; st != nil && data.Model && st.Model != nil {
					return st.Model.PMastered
				} else if st != nil {
					return st.Value
				}
				return 1e9 // no evidence sorts last
			}
			slices.SortStableFunc(rows, func(a, b int) int { return cmp.Compare(value(a), value(b)) })
			data.SortName = pr.T("heatmap.sort.standard", shortLabel(m.Standards[j]))
		} else {
			sortKey = ""
		}
	default:
		sortKey = ""
	}
	if data.SortName == "" {
		data.SortName = pr.T("heatmap.sort.name")
	}

	link := func(k, v string) string {
		u := url.Values{}
		for key, vals := range q {
			if key != "recorded" {
				u[key] = vals
			}
		}
		if v == "" {
			u.Del(k)
		} else {
			u.Set(k, v)
		}
		if len(u) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + u.Encode()
	}
	data.AllURL = link("all", map[bool]string{false: "1", true: ""}[data.ShowAll])
	for _, opt := range []struct{ key, label string }{
		{"", pr.T("heatmap.sort.name")}, {"mastered", pr.T("heatmap.sort.mastered")}, {"stalled", pr.T("heatmap.sort.stalled")},
	} {
		data.SortLinks = append(data.SortLinks, navLink{Label: opt.label, URL: link("sort", opt.key), Current: sortKey == opt.key})
	}
	for _, opt := range []struct{ key, label string }{
		{"", pr.T("heatmap.cols.course")}, {"weakest", pr.T("heatmap.cols.weakest")},
	} {
		data.ColLinks = append(data.ColLinks, navLink{Label: opt.label, URL: link("cols", opt.key), Current: q.Get("cols") == opt.key})
	}

	for _, opt := range []struct{ key, label string }{
		{"", pr.T("heatmap.show.levels")}, {"model", pr.T("heatmap.show.model")},
	} {
		data.ShowLinks = append(data.ShowLinks, navLink{Label: opt.label, URL: link("show", opt.key), Current: q.Get("show") == opt.key})
	}

	for _, j := range cols {
		st := m.Standards[j]
		key := "s" + strconv.FormatInt(st.ID, 10)
		data.Cols = append(data.Cols, heatCol{ID: st.ID, Label: shortLabel(st), Statement: st.Statement, Lang: cat.LangOf(st),
			SortURL: link("sort", key), Sorted: sortKey == key})
	}
	code := map[int64]string{}
	for _, st := range m.Standards {
		code[st.ID] = shortLabel(st)
	}
	for _, i := range rows {
		p := m.Students[i]
		row := heatRow{ID: p.ID, Name: p.Name(), URL: fmt.Sprintf("/students/%d", p.ID), Mastered: mastered(i),
			Cells: make([]heatCell, 0, len(cols))}
		var flags []string
		for _, j := range cols {
			std := m.Standards[j]
			hc := cells[i][j]
			cell := heatCell{Class: "l0", Text: "–"}
			if st := hc.state; st != nil {
				sc := cat.ScaleOf(std)
				cell.Class = levelClass(sc, st.Level)
				cell.Text = pr.Number(st.Level)
				if st.Mastered {
					cell.Text += "✓"
				}
				if est := st.Model; data.Model && est != nil {
					cell.Text = percentOf(pr, est.PMastered)
					switch est.Verdict {
					case mastery.VerdictMastered:
						cell.Text += "✓"
					case mastery.VerdictNeedsEvidence:
						cell.Text += "?"
					}
				}
				cell.URL = fmt.Sprintf("/students/%d/standards/%d", p.ID, std.ID)
			}
			if len(hc.stalled) > 0 {
				cell.Class += " st"
				cell.Text += "⚑"
				var needs []string
				for _, pre := range hc.stalled {
					needs = append(needs, standardCode(cat, code, pre))
				}
				flags = append(flags, pr.T("heatmap.flag.item", code[std.ID], strings.Join(needs, ", ")))
			}
			row.Cells = append(row.Cells, cell)
		}
		if len(flags) > 0 {
			data.Stalled++
			row.Flag = pr.T("heatmap.flag", strings.Join(flags, "; "))
		}
		data.Rows = append(data.Rows, row)
	}
	sc := standards.DefaultScale()
	if len(m.Standards) > 0 {
		sc = cat.ScaleOf(m.Standards[0])
	}
	data.Legend, data.Cut = legendOf(pr, sc)
	return s.renderPage(w, r, http.StatusOK, "class_heatmap", data)
}

// columnHasEvidence reports whether any student has evidence on the
// standard of column j.
func columnHasEvidence(m store.ClassMatrix, j int) bool {
	for i := range m.Students {
		if m.Cells[i][j] != nil {
			return true
		}
	}
	return false
}

// legendOf lists a scale's levels for a legend, and says where mastery
// starts.
func legendOf(pr *i18n.Printer, sc standards.Scale) ([]legendItem, string) {
	var items []legendItem
	cut := ""
	for _, l := range sc.Levels {
		items = append(items, legendItem{Class: levelClass(sc, l.Value), Value: pr.Number(l.Value), Label: levelLabel(pr, l.Label)})
		if l.Value == sc.MasteryCut {
			cut = pr.T("heatmap.cut", pr.Number(l.Value), levelLabel(pr, l.Label))
		}
	}
	return items, cut
}

// standardCode names a standard by its code, looking it up in the
// catalog when it is not among the known ones (a prerequisite from an
// earlier grade).
func standardCode(cat *standards.Catalog, known map[int64]string, id int64) string {
	if c, ok := known[id]; ok {
		return c
	}
	st, ok := cat.Standard(id)
	if !ok {
		return "#" + strconv.FormatInt(id, 10)
	}
	known[id] = shortLabel(st)
	return known[id]
}

// stallsOf finds, for each cell of the matrix, the prerequisites the
// student is stalled below on the cell's standard (mastery.StalledBelow),
// from the catalog's prerequisites and the students' states: those of
// the matrix and, for prerequisites outside the course, those of others.
func stallsOf(m store.ClassMatrix, cat *standards.Catalog, others map[stateKey]*store.MasteryState) [][]heatmapCell {
	out := make([][]heatmapCell, len(m.Students))
	for i, p := range m.Students {
		out[i] = make([]heatmapCell, len(m.Standards))
		state := func(id int64) (mastery.State, bool) {
			if ms := others[stateKey{p.ID, id}]; ms != nil {
				return ms.State, true
			}
			return mastery.State{}, false
		}
		for j, std := range m.Standards {
			out[i][j].state = m.Cells[i][j]
			out[i][j].stalled = mastery.StalledBelow(std.ID, cat.Prerequisites, state)
		}
	}
	return out
}

// mayRecordInClass reports whether the actor may record evidence for the
// class, to offer the link.
func (s *Server) mayRecordInClass(r *http.Request, classID int64) bool {
	a := actorOf(r)
	teaches, schoolID, err := s.store.ClassRelation(r.Context(), a, classID)
	return err == nil && access.Allow(a, access.Change, access.Class, access.Scope{SchoolID: schoolID, ClassTaught: teaches}) == nil
}
