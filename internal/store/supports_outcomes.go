package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// CloseSupportPlanOn closes an open plan as CloseSupportPlan does, but on
// a past day: for a plan entered after the fact (a history kept on paper
// until cairn, the demo's closed plans). The day must not be after the
// store's today nor before the plan's start; closed_at is its midnight
// UTC.
func (s *Store) CloseSupportPlanOn(ctx context.Context, districtID, planID int64, o supports.Outcome, note string, on time.Time, audit ...AuditEntry) (p supports.Plan, err error) {
	defer wrap(&err, "CloseSupportPlanOn(%d)", planID)
	day := supports.Day(on)
	if day.After(s.nowUTC()) {
		return p, problem.Invalid("closedOn", "%s is after today", day.Format(supports.DateLayout))
	}
	return s.closeSupportPlan(ctx, districtID, planID, o, note, day, true, audit)
}

// OutcomeSchool is a school of the district, for the outcomes of supports.
type OutcomeSchool struct {
	ID   int64
	Name string
}

// SupportOutcomesData is what the outcomes of supports are computed
// from, read at one moment: the district's schools, its support plans,
// each student's school and the comparable students of each standard
// the plans name (supports.OutcomeInput), and the students'
// demographics.
type SupportOutcomesData struct {
	Schools []OutcomeSchool
	supports.OutcomeInput
	// Demographics are the students' demographics, by student; a student
	// without a record is missing.
	Demographics map[int64]*roster.Demographics
}

// SupportOutcomesData reads, in one read transaction, what the outcomes
// of supports of the district need. A student's school is the school of
// a class they are enrolled in now (the first by school id); the pool of
// a standard at a school is the students enrolled now in a class of the
// school whose course teaches it. Retired schools, classes and people
// are left out.
func (s *Store) SupportOutcomesData(ctx context.Context, districtID int64) (out SupportOutcomesData, err error) {
	defer wrap(&err, "SupportOutcomesData(%d)", districtID)
	out.Today = s.nowUTC()
	out.SchoolOf = map[int64]int64{}
	out.Pools = map[supports.OutcomePool][]int64{}
	out.Demographics = map[int64]*roster.Demographics{}
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		err := r.each(ctx, `SELECT id, name FROM schools WHERE district_id = $1 ORDER BY name, id`, []any{districtID}, func(row scanner) error {
			var sc OutcomeSchool
			err := row.Scan(&sc.ID, &sc.Name)
			out.Schools = append(out.Schools, sc)
			return err
		})
		if err != nil {
			return err
		}
		if out.Plans, err = r.supportPlans(ctx, districtID, SupportPlanFilter{}); err != nil {
			return err
		}
		var stds []int64
		for _, p := range out.Plans {
			stds = append(stds, p.StandardIDs...)
		}
		stds = slices.Compact(slices.Sorted(slices.Values(stds)))
		// One row per active student enrollment and standard of the plans
		// its course teaches (or none).
		args := s.activeArgs(districtID, string(roster.EnrolledStudent), s.ids(stds))
		seen := map[supports.OutcomePool]map[int64]bool{}
		err = r.each(ctx, `
SELECT e.person_id, c.school_id, cs.standard_id
FROM enrollments e
JOIN classes c ON c.district_id = e.district_id AND c.id = e.class_id AND c.retired_at IS NULL
JOIN people p ON p.district_id = e.district_id AND p.id = e.person_id AND p.retired_at IS NULL
LEFT JOIN course_standards cs ON cs.course_id = c.course_id AND cs.standard_id IN ids($3)
WHERE e.district_id = $1 AND e.role = $2`+activeEnrollment("e")+`
ORDER BY c.school_id, e.person_id`, args, func(row scanner) error {
			var student, school int64
			var std *int64
			if err := row.Scan(&student, &school, &std); err != nil {
				return err
			}
			if _, ok := out.SchoolOf[student]; !ok {
				out.SchoolOf[student] = school
			}
			if std != nil {
				k := supports.OutcomePool{SchoolID: school, StandardID: *std}
				if seen[k] == nil {
					seen[k] = map[int64]bool{}
				}
				if !seen[k][student] {
					seen[k][student] = true
					out.Pools[k] = append(out.Pools[k], student)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return r.each(ctx, `
SELECT student_id, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged
FROM demographics WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
			d := &roster.Demographics{DistrictID: districtID}
			err := row.Scan(&d.StudentID, &d.Sex, jsonCol{&d.Races},
				nullCol[bool]{&d.HispanicOrLatino}, nullCol[bool]{&d.EnglishLearner}, nullCol[bool]{&d.Disability}, nullCol[bool]{&d.EconomicallyDisadvantaged})
			out.Demographics[d.StudentID] = d
			return err
		})
	})
	return out, err
}

// MasteryTimelines returns, for each of the (student, standard) pairs,
// when the student's state on the standard became mastered and stopped
// being: the state replayed after each assessment of the standard or a
// standard below it, by the policies in force now, exactly as
// MasteryAsOf computes it. A pair without evidence is missing. The
// evidence of every pair is read in one statement.
func (s *Store) MasteryTimelines(ctx context.Context, districtID int64, pairs []supports.OutcomePair) (out map[supports.OutcomePair]supports.MasteryTimeline, err error) {
	defer wrap(&err, "MasteryTimelines(%d pairs)", len(pairs))
	out = map[supports.OutcomePair]supports.MasteryTimeline{}
	if len(pairs) == 0 {
		return out, nil
	}
	err = s.inReadTx(ctx, func(r *runner) error {
		e, err := r.newEngine(ctx, districtID, anyVersion)
		if err != nil {
			return err
		}
		d := e.district()
		// Each standard with the standards below it, deepest first, as
		// Recompute orders its targets.
		subtrees := map[int64][]int64{}
		subtree := func(std int64) []int64 {
			if t, ok := subtrees[std]; ok {
				return t
			}
			var t []int64
			var walk func(id int64)
			walk = func(id int64) {
				t = append(t, id)
				for _, k := range d.Children(id) {
					walk(k)
				}
			}
			if _, ok := e.m.std[std]; ok {
				walk(std)
			}
			slices.SortFunc(t, func(a, b int64) int { return cmp.Or(cmp.Compare(d.Depth(b), d.Depth(a)), cmp.Compare(a, b)) })
			subtrees[std] = t
			return t
		}
		byStudent := map[int64]*work{}
		var items []*work
		wanted := map[int64][]int64{}
		for _, p := range pairs {
			t := subtree(p.StandardID)
			if len(t) == 0 {
				continue
			}
			w := byStudent[p.StudentID]
			if w == nil {
				w = &work{student: p.StudentID}
				byStudent[p.StudentID] = w
				items = append(items, w)
			}
			w.targets = append(w.targets, t...)
			wanted[p.StudentID] = append(wanted[p.StudentID], p.StandardID)
		}
		for len(items) > 0 {
			n := min(len(items), studentsPerChunk)
			chunk := items[:n]
			items = items[n:]
			for _, w := range chunk {
				w.targets = slices.Compact(slices.Sorted(slices.Values(w.targets)))
			}
			if err := e.load(ctx, chunk, false); err != nil {
				return err
			}
			for _, w := range chunk {
				for _, std := range wanted[w.student] {
					if tl := masteryTimeline(d, subtree(std), w.obs); len(tl) > 0 {
						out[supports.OutcomePair{StudentID: w.student, StandardID: std}] = tl
					}
				}
				w.obs = nil
			}
		}
		return nil
	})
	return out, err
}

// masteryTimeline replays the state of the last of targets (a standard after
// every standard below it) after each assessment of any of them, and
// returns when it became mastered and stopped being.
func masteryTimeline(d mastery.District, targets []int64, obs map[int64][]mastery.Observation) supports.MasteryTimeline {
	std := targets[len(targets)-1]
	var times []time.Time
	for _, id := range targets {
		for _, o := range obs[id] {
			times = append(times, o.AssessedAt)
		}
	}
	if len(times) == 0 {
		return nil
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	var tl supports.MasteryTimeline
	was := false
	upto := make(map[int64][]mastery.Observation, len(targets))
	for _, t := range times {
		for _, id := range targets {
			if n := mastery.AssessedBy(obs[id], t); n > 0 {
				upto[id] = obs[id][:n]
			}
		}
		var now bool
		if len(targets) == 1 {
			if o := upto[std]; len(o) > 0 {
				scale, _ := d.Scale(std)
				now = d.Policy(std).Decide(scale, o, d.Tracer(std)).Mastered
			}
		} else {
			now = mastery.Recompute(d, targets, upto, nil)[std].Mastered
		}
		if now != was {
			tl = append(tl, supports.MasteryTimelineStep{At: t, Mastered: now})
			was = now
		}
	}
	return tl
}
