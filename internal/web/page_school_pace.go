package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// schoolPacePage is a school's pace for its leaders: for each class, how
// many students are ahead, on track and behind and how far the class has
// come against what is expected by today; and the students furthest
// behind, to follow up.
type schoolPacePage struct {
	pageBase
	School   string
	Intro    string
	Rule     string
	Counts   []paceCount
	Classes  []schoolPaceClass
	Behind   []schoolPaceStudent
	More     int
	Students int
	// OutcomesURL is the school's outcomes of supports, SupportsURL the
	// supports running there.
	OutcomesURL, SupportsURL string
}

type schoolPaceClass struct {
	ID                   int64
	Title, URL           string
	Students             int
	Ahead, OnTrack, Slow int
	Mastered, Expected   string
	Targets              int
}

type schoolPaceStudent struct {
	ID                 int64
	Name, URL, Class   string
	Mastered, Expected int
	Targets            int
	Projected          string
	gap                int
}

// maxBehindListed bounds the list of students behind, the most behind
// first, so that the page of a large school stays light; each class's own
// pace page lists all of its students.
const maxBehindListed = 60

func (s *Server) schoolPacePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "school")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	// Whoever leads or coaches the school, and the district's
	// administrators; anyone else reads it as a school that does not
	// exist.
	if err := access.Allow(a, access.View, access.Roster, access.Scope{SchoolID: id}); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return notFoundPage("school", id)
		}
		return err
	}
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	now := s.now()
	sp, err := s.store.SchoolPace(ctx, a.DistrictID, id, now, coursePlanStandards(cat))
	if err != nil {
		return err
	}
	page := &schoolPacePage{pageBase: s.newBase(w, r, pr.T("pace.school.title", sp.School.Name)), School: sp.School.Name,
		Rule: thresholdsSentence(pr, sp.Thresholds), OutcomesURL: fmt.Sprintf("/schools/%d/outcomes", id),
		SupportsURL: fmt.Sprintf("/schools/%d/supports", id)}
	total := map[pathways.PaceStatus]int{}
	seen := map[int64]bool{}
	var behind []schoolPaceStudent
	for _, pc := range sp.Classes {
		term := paceTermOf(pc.Term)
		coursePlanLen := len(coursePlan(cat, pc.Class.CourseID))
		row := schoolPaceClass{ID: pc.Class.ID, Title: pc.Class.Title, URL: fmt.Sprintf("/classes/%d/pace", pc.Class.ID),
			Students: len(pc.Students), Targets: coursePlanLen}
		var sumM, sumE int
		for _, st := range pc.Students {
			seen[st.ID] = true
			// The student's own plan, else the class's pathway, else the
			// course's plan (as planTargets chooses).
			k := store.ClassStudentKey{ClassID: pc.Class.ID, StudentID: st.ID}
			c, ok := sp.Plans[k]
			if !ok {
				c, ok = sp.Pathways[k]
			}
			if !ok {
				c = sp.Courses[k]
				c.Targets, c.DueBy, c.Undated = coursePlanLen, 0, coursePlanLen
			}
			p := pathways.PaceOf(pathways.DueFromCounts(c.Targets, c.DueBy, c.Undated, term, now), c.PaceCounts, term, sp.Thresholds, now)
			row.Targets = p.Targets
			total[p.Status]++
			sumM += p.Mastered
			sumE += p.Expected
			switch p.Status {
			case pathways.PaceAhead:
				row.Ahead++
			case pathways.PaceOnTrack:
				row.OnTrack++
			case pathways.PaceBehind:
				row.Slow++
				behind = append(behind, schoolPaceStudent{ID: st.ID, Name: st.GivenName + " " + st.FamilyName,
					URL: fmt.Sprintf("/students/%d", st.ID), Class: pc.Class.Title, Mastered: p.Mastered, Expected: p.Expected,
					Targets: p.Targets, Projected: describePace(pr, p).Projected, gap: p.Expected - p.Mastered})
			}
		}
		if n := len(pc.Students); n > 0 {
			row.Mastered = pr.Number(float64(sumM) / float64(n))
			row.Expected = pr.Number(float64(sumE) / float64(n))
		}
		page.Classes = append(page.Classes, row)
	}
	page.Students = len(seen)
	for _, st := range pathways.PaceStatuses {
		page.Counts = append(page.Counts, paceCount{Status: string(st), Label: pr.T("pace.status." + string(st)), N: total[st]})
	}
	page.Intro = pr.N("pace.school.intro", page.Students, len(page.Classes))

	// The students furthest behind, then by name; each one shown is a
	// look at their record, decided and logged as any other.
	slices.SortStableFunc(behind, func(x, y schoolPaceStudent) int {
		return cmp.Or(cmp.Compare(y.gap, x.gap), cmp.Compare(x.Name, y.Name))
	})
	if len(behind) > maxBehindListed {
		page.More = len(behind) - maxBehindListed
		behind = behind[:maxBehindListed]
	}
	ids := make([]int64, 0, len(behind))
	for _, b := range behind {
		ids = append(ids, b.ID)
	}
	rels, err := s.store.RelationsToEach(ctx, a, ids)
	if err != nil {
		return err
	}
	var entries []store.AuditEntry
	logged := map[int64]bool{}
	for _, b := range behind {
		rel, err := access.Decide(a, access.View, access.Mastery, rels[b.ID])
		if err != nil {
			continue
		}
		page.Behind = append(page.Behind, b)
		if !logged[b.ID] {
			logged[b.ID] = true
			e := s.auditEntry(r, b.ID, access.View, access.Mastery, rel)
			e.Detail = fmt.Sprintf("pace of school %d", id)
			entries = append(entries, e)
		}
	}
	if err := s.logAccess(ctx, entries); err != nil {
		return fmt.Errorf("recording access to the school's students: %w", err)
	}
	return s.renderPage(w, r, http.StatusOK, "school_pace", page)
}
