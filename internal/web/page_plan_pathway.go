package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// pathwayPage is the pathway builder: a class's course standards, the
// ones the teacher puts in the term's pathway in order, each with the date
// by which students should be introduced to it, and a way to apply the
// pathway to every student's plan.
type pathwayPage struct {
	pageBase
	Class   roster.Class
	Course  string
	Links   []navLink
	Rows    []pathwayRow
	CanEdit bool
	Saved   bool
	Applied int
	Error   string
	Term    string
}

type pathwayRow struct {
	ID              int64
	Code, Statement string
	Lang            string
	In              bool
	Order           string
	Date            string
	Error           string
}

func (s *Server) classPathwayPage(w http.ResponseWriter, r *http.Request) error {
	c, scope, err := s.classAccessScope(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.pathwayData(w, r, c, scope)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data.Saved = q.Get("saved") == "1"
	data.Applied, _ = strconv.Atoi(q.Get("applied"))
	return s.renderPage(w, r, http.StatusOK, "plan_pathway", data)
}

func (s *Server) pathwayData(w http.ResponseWriter, r *http.Request, c roster.Class, scope access.Scope) (*pathwayPage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, err
	}
	pw, err := s.store.ClassPathway(ctx, d, c.ID)
	if err != nil {
		return nil, err
	}
	course, err := s.store.Course(ctx, d, c.CourseID)
	if err != nil {
		return nil, err
	}
	term, err := s.store.Term(ctx, d, c.TermID)
	if err != nil {
		return nil, err
	}
	data := &pathwayPage{pageBase: s.newBase(w, r, pr.T("plan.pathway.title", c.Title)), Class: c, Course: course.Title,
		Links: classLinks(pr, c.ID, "pathway"), CanEdit: access.Allow(actorOf(r), access.Change, access.Class, scope) == nil,
		Term: pr.T("plan.pathway.term", term.Title, pr.Date(term.StartDate), pr.Date(term.EndDate))}
	data.Rows = pathwayRows(cat, c.CourseID, pw)
	return data, nil
}

// pathwayRows lists the course's standards, those of the pathway first
// in its order, then the others in the course's order.
func pathwayRows(cat *standards.Catalog, courseID int64, pw pathways.Pathway) []pathwayRow {
	pos := map[int64]int{}
	for i, t := range pw.Targets {
		pos[t.StandardID] = i
	}
	var rows []pathwayRow
	for _, st := range cat.CourseStandards(courseID) {
		row := pathwayRow{ID: st.ID, Code: st.Code, Statement: st.Statement, Lang: cat.LangOf(st)}
		if i, ok := pos[st.ID]; ok {
			row.In = true
			row.Order = strconv.Itoa(i + 1)
			if due := pw.Targets[i].IntroduceBy; due != nil {
				row.Date = due.Format(time.DateOnly)
			}
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b pathwayRow) int {
		if a.In != b.In {
			if a.In {
				return -1
			}
			return 1
		}
		ai, _ := strconv.Atoi(a.Order)
		bi, _ := strconv.Atoi(b.Order)
		return cmp.Compare(ai, bi)
	})
	return rows
}

// saveClassPathway saves the pathway from the builder's form and, when
// asked, applies it to every student's plan.
func (s *Server) saveClassPathway(w http.ResponseWriter, r *http.Request) error {
	c, scope, err := s.classAccessScope(r, access.Change)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	data, err := s.pathwayData(w, r, c, scope)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Invalid("form", "the form could not be read: %v", err)
	}
	in := map[string]bool{}
	for _, v := range r.PostForm["in"] {
		in[v] = true
	}
	type picked struct {
		order int
		at    int
		t     pathways.PathwayTarget
	}
	var list []picked
	bad := false
	for i := range data.Rows {
		row := &data.Rows[i]
		key := strconv.FormatInt(row.ID, 10)
		row.In = in[key]
		row.Order = strings.TrimSpace(r.PostFormValue("order-" + key))
		row.Date = strings.TrimSpace(r.PostFormValue("date-" + key))
		if !row.In {
			continue
		}
		p := picked{order: 1 << 30, at: i, t: pathways.PathwayTarget{StandardID: row.ID}}
		if row.Order != "" {
			n, err := strconv.Atoi(row.Order)
			if err != nil || n < 1 || n > 10000 {
				row.Error = pr.T("plan.pathway.error.order")
				bad = true
			}
			p.order = n
		}
		if row.Date != "" {
			day, err := time.Parse(time.DateOnly, row.Date)
			if err != nil {
				row.Error = pr.T("plan.pathway.error.date")
				bad = true
			}
			p.t.IntroduceBy = &day
		}
		list = append(list, p)
	}
	if bad {
		data.Error = pr.T("plan.pathway.error.fix")
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "plan_pathway", data)
	}
	slices.SortStableFunc(list, func(x, y picked) int { return cmp.Or(cmp.Compare(x.order, y.order), cmp.Compare(x.at, y.at)) })
	pw := pathways.Pathway{DistrictID: a.DistrictID, ClassID: c.ID}
	for _, p := range list {
		pw.Targets = append(pw.Targets, p.t)
	}
	if err := s.store.SetClassPathway(ctx, pw); err != nil {
		var ie *problem.InvalidError
		if errors.As(err, &ie) {
			data.Error = ie.Detail()
			return s.renderPage(w, r, http.StatusUnprocessableEntity, "plan_pathway", data)
		}
		return err
	}
	to := fmt.Sprintf("/classes/%d/pathway?saved=1", c.ID)
	if r.PostFormValue("apply") == "1" {
		n, err := s.store.ApplyPathway(ctx, a.DistrictID, c.ID, a.PersonID, s.pathwayAuditEntry(r, c, scope))
		if err != nil {
			return err
		}
		to += "&applied=" + strconv.Itoa(n)
	}
	return redirect(w, r, to)
}

// pathwayAuditEntry is the audit entry of applying a class's pathway to
// its students' plans, for the store to copy for each student: the change
// is allowed on the class (classAccessScope), through the closest relation
// the actor has to its students.
func (s *Server) pathwayAuditEntry(r *http.Request, c roster.Class, scope access.Scope) store.AuditEntry {
	a := actorOf(r)
	rel := access.DistrictAdmin
	switch {
	case scope.ClassTaught:
		rel = access.TeacherOf
	case a.Has(roster.RoleSchoolAdmin) && slices.Contains(a.SchoolIDs, c.SchoolID):
		rel = access.SchoolStaff
	}
	e := s.auditEntry(r, 0, access.Change, access.Plan, rel)
	e.Detail = "pathway of class " + strconv.FormatInt(c.ID, 10) + " applied"
	return e
}
