package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/reports"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// outcomes is the district's report of the outcomes of supports with
// the names of its schools. A school's view is its slice of the
// district's report, suppressed with the district's, so that no view can
// be set beside another to reveal a hidden cell.
type outcomes struct {
	supports.OutcomeReport
	Schools []store.OutcomeSchool
	AsOf    time.Time
}

// supportOutcomes reads and computes the district's outcomes of supports:
// the plans, the comparable students and their timelines, and the
// students' subgroups, tallied and suppressed.
func (s *Server) supportOutcomes(ctx context.Context, districtID int64) (*outcomes, error) {
	data, err := s.store.SupportOutcomesData(ctx, districtID)
	if err != nil {
		return nil, err
	}
	cands, left := supports.OutcomeCandidates(data.OutcomeInput)
	tls, err := s.store.MasteryTimelines(ctx, districtID, supports.OutcomePairs(cands))
	if err != nil {
		return nil, err
	}
	eps := supports.OutcomeEpisodes(cands, tls, left)
	ids := make([]int64, len(data.Schools))
	for i, sc := range data.Schools {
		ids[i] = sc.ID
	}
	profile := func(student int64) reports.Profile { return reports.ProfileOf(data.Demographics[student]) }
	population := make([]reports.Profile, 0, len(data.SchoolOf))
	for student := range data.SchoolOf {
		population = append(population, profile(student))
	}
	return &outcomes{OutcomeReport: supports.NewOutcomeReport(ids, eps, profile, population, left, reports.MinCell),
		Schools: data.Schools, AsOf: data.Today}, nil
}

// outcomesSchool checks that the actor may see the outcomes of the
// school in the request (whoever leads or coaches it, and the district's
// administrators: as its pace) and returns its id.
func outcomesSchool(r *http.Request) (int64, error) {
	id, err := pathID(r, "id", "school")
	if err != nil {
		return 0, err
	}
	if err := access.Allow(actorOf(r), access.View, access.Roster, access.Scope{SchoolID: id}); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			// Another school's reads as a school that does not exist,
			// in the same words.
			return 0, problem.NotFound("school", id)
		}
		return 0, err
	}
	return id, nil
}

// school returns the school of id, or problem.ErrNotFound.
func (o *outcomes) school(id int64) (store.OutcomeSchool, error) {
	i := slices.IndexFunc(o.Schools, func(s store.OutcomeSchool) bool { return s.ID == id })
	if i < 0 {
		return store.OutcomeSchool{}, problem.NotFound("school", id)
	}
	return o.Schools[i], nil
}

// outcomesJSON is the outcomes of supports as the API gives them: the
// cells a page shows, no more. A hidden cell carries its reason and no
// figure.
type outcomesJSON struct {
	AsOf time.Time `json:"asOf"`
	// SchoolID is the school's, absent for the district's figures.
	SchoolID *int64 `json:"schoolId,omitempty"`
	// MinStudents is the fewest students a shown cell counts.
	MinStudents int `json:"minStudents"`
	// WindowsDays are the days within which reaching mastery is counted;
	// FollowUpDays how long ago a support must have started to count.
	WindowsDays  []int             `json:"windowsDays"`
	FollowUpDays int               `json:"followUpDays"`
	Caveat       string            `json:"caveat"`
	Kinds        []outcomeKindJSON `json:"kinds"`
}

type outcomeKindJSON struct {
	Kind supports.Kind `json:"kind"`
	// Supported are the students who received the support; Compared the
	// comparable students who did not. The first cell is every student,
	// then one per subgroup, then (district only) one per school.
	Supported []outcomeCellJSON  `json:"supported"`
	Compared  []outcomeCellJSON  `json:"compared"`
	LeftOut   outcomeLeftOutJSON `json:"leftOut"`
}

type outcomeCellJSON struct {
	// Dimension and Category name the subgroup; SchoolID the school;
	// none of them for all students.
	Dimension reports.Dimension `json:"dimension,omitempty"`
	Category  string            `json:"category,omitempty"`
	SchoolID  int64             `json:"schoolId,omitempty"`
	// Suppressed is why the cell is hidden (too_few: fewer students than
	// minStudents; complementary: it would reveal a hidden cell); a
	// hidden cell has no figures.
	Suppressed reports.Suppression `json:"suppressed,omitempty"`
	Students   *int                `json:"students,omitempty"`
	// Reached is the share of the students who reached mastery within
	// each of windowsDays, in order, as a whole percentage; at the ends
	// only a bound (at most 5, at least 95), which would otherwise say
	// something of every student of the group.
	Reached []outcomeShareJSON `json:"reached,omitempty"`
	// MedianDays is the median days to mastery; absent when fewer than
	// half reached it within followUpDays (MedianOver) or when hidden.
	MedianDays *int `json:"medianDays,omitempty"`
	MedianOver bool `json:"medianOver,omitempty"`
}

type outcomeShareJSON struct {
	WithinDays int           `json:"withinDays"`
	Percent    int           `json:"percent"`
	Bound      reports.Bound `json:"bound,omitempty"`
}

type outcomeLeftOutJSON struct {
	Recent     int `json:"recent"`
	NoStandard int `json:"noStandard"`
	NoSchool   int `json:"noSchool"`
	Mastered   int `json:"mastered"`
}

// outcomesCaveat is what the figures can and cannot mean, in the API's
// words.
const outcomesCaveat = "These figures describe; they do not show that a support caused anything. Students are not given supports at random: " +
	"teachers choose who gets help, and a difference between the groups may come from who was chosen rather than from the support."

// outcomeCellJSONOf is a cell as the API gives it.
func outcomeCellJSONOf(c reports.Cell[supports.OutcomeFigure]) outcomeCellJSON {
	out := outcomeCellJSON{Dimension: c.Dimension, Category: c.Category, SchoolID: c.Unit}
	if c.Suppression.Hidden() {
		out.Suppressed = c.Suppression
		return out
	}
	n := c.Students
	out.Students = &n
	for i, r := range c.Figure.Reached {
		sh := reports.ShareOf(r, n)
		out.Reached = append(out.Reached, outcomeShareJSON{WithinDays: supports.OutcomeWindows[i], Percent: sh.Percent, Bound: sh.Bound})
	}
	if d, over, ok := c.Figure.Median(n); ok && !over {
		out.MedianDays = &d
	} else if ok {
		out.MedianOver = true
	}
	return out
}

// json returns the report of school (0: the district) as the API gives it.
func (o *outcomes) json(school int64) outcomesJSON {
	out := outcomesJSON{AsOf: o.AsOf, MinStudents: reports.MinCell, WindowsDays: supports.OutcomeWindows[:],
		FollowUpDays: supports.OutcomeFollowUp, Caveat: outcomesCaveat}
	if school != 0 {
		out.SchoolID = &school
	}
	for _, ko := range o.Kinds {
		k := outcomeKindJSON{Kind: ko.Kind}
		for _, b := range []*reports.Breakdown[supports.OutcomeFigure]{ko.Supported, ko.Compared} {
			var cells []outcomeCellJSON
			for _, c := range b.Row(school) {
				cells = append(cells, outcomeCellJSONOf(c))
			}
			if school == 0 {
				for _, u := range b.Units() {
					cells = append(cells, outcomeCellJSONOf(b.Cell(reports.Key{Unit: u})))
				}
			}
			if b == ko.Supported {
				k.Supported = cells
			} else {
				k.Compared = cells
			}
		}
		l := o.LeftOutAt(ko.Kind, school)
		k.LeftOut = outcomeLeftOutJSON{Recent: l.Recent, NoStandard: l.NoStandard, NoSchool: l.NoSchool, Mastered: l.Mastered}
		out.Kinds = append(out.Kinds, k)
	}
	return out
}

// schoolOutcomesAPI answers the outcomes of supports of a school.
func (s *Server) schoolOutcomesAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := outcomesSchool(r)
	if err != nil {
		return err
	}
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	if _, err := o.school(id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o.json(id))
	return nil
}

// districtOutcomesAPI answers the outcomes of supports of the district.
func (s *Server) districtOutcomesAPI(w http.ResponseWriter, r *http.Request) error {
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o.json(0))
	return nil
}

// outcomesNotFound reports whether err hides or misses a record.
func outcomesNotFound(err error) bool { return errors.Is(err, problem.ErrNotFound) }
