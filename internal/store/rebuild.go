package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// RebuildStats reports what RebuildMastery did.
type RebuildStats struct {
	// Evidence is the number of evidence records that count (not void);
	// States the number of mastery states written.
	Evidence, States int
	Elapsed          time.Duration
}

// RebuildMastery deletes and recomputes all of a district's mastery states
// from its evidence, in one transaction, giving exactly the states that
// recording the same evidence one record at a time gives. progress, when
// not nil, is called with the number of students done out of the total.
// It can be run again at any time.
func (s *Store) RebuildMastery(ctx context.Context, districtID int64, progress func(done, total int)) (stats RebuildStats, err error) {
	defer wrap(&err, "RebuildMastery(%d)", districtID)
	start := s.now()
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		e, err := r.freshEngine(ctx, districtID)
		if err != nil {
			return err
		}
		stats, changes, err = e.rebuild(ctx, progress)
		return err
	})
	if err != nil {
		return RebuildStats{}, err
	}
	stats.Elapsed = s.now().Sub(start)
	s.notify(changes)
	return stats, nil
}

// rebuild replaces all of the district's states by states computed from
// its evidence, a chunk of students at a time.
func (e *engine) rebuild(ctx context.Context, progress func(done, total int)) (RebuildStats, []Change, error) {
	var stats RebuildStats
	if err := e.r.lockDistrict(ctx, e.districtID); err != nil {
		return stats, nil, err
	}
	if _, err := e.r.exec(ctx, `DELETE FROM mastery_states WHERE district_id = $1`, e.districtID); err != nil {
		return stats, nil, fmt.Errorf("deleting mastery states: %w", err)
	}
	// The model's states first: the mastery states' estimates read them.
	if err := e.ktRebuild(ctx); err != nil {
		return stats, nil, err
	}
	var changes []Change
	err := e.eachStudentChunk(ctx, progress, func(chunk []int64, byStudent map[int64]*work) error {
		var rows [][]any
		evidence := map[int64]bool{}
		for _, id := range chunk {
			w := byStudent[id]
			stds := make([]int64, 0, len(w.obs))
			for std, obs := range w.obs {
				slices.SortFunc(obs, mastery.CompareObservations)
				for _, o := range obs {
					evidence[o.EvidenceID] = true
				}
				if _, ok := e.m.std[std]; ok {
					stds = append(stds, std)
				}
			}
			w.targets = e.targetsOf(stds)
			states := mastery.Recompute(e.studentDistrict(e.district(), id), w.targets, w.obs, nil)
			w.obs = nil
			var ids []int64
			for _, std := range w.targets {
				if st, ok := states[std]; ok {
					rows = append(rows, e.stateRow(id, std, st))
					ids = append(ids, std)
				}
			}
			slices.Sort(ids)
			changes = append(changes, Change{DistrictID: e.districtID, StudentID: id, StandardIDs: ids})
		}
		if err := e.r.insertRows(ctx, insertStateHead, "", rows); err != nil {
			return fmt.Errorf("writing mastery states: %w", err)
		}
		stats.States += len(rows)
		stats.Evidence += len(evidence)
		return nil
	})
	if err != nil {
		return RebuildStats{}, nil, err
	}
	return stats, changes, nil
}

// freshEngine returns an engine for the district whose hierarchy and
// policies are read through r, not from the caches, so that what it
// computes rests on committed rows only.
func (r *runner) freshEngine(ctx context.Context, districtID int64) (*engine, error) {
	if err := r.districtExists(ctx, districtID); err != nil {
		return nil, err
	}
	m, err := loadModel(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	pol, err := loadPolicies(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	return &engine{r: r, districtID: districtID, m: m, pol: pol, now: r.s.nowUTC()}, nil
}

// eachStudentChunk calls f with every student of the district who has
// evidence that counts, a chunk of students at a time, each with their
// observations on every standard (voided evidence left out, unordered).
// progress, when not nil, is told how many students are done.
func (e *engine) eachStudentChunk(ctx context.Context, progress func(done, total int), f func(chunk []int64, byStudent map[int64]*work) error) error {
	var students []int64
	err := e.r.each(ctx, `
SELECT DISTINCT student_id FROM evidence WHERE district_id = $1 AND void_at IS NULL ORDER BY student_id`, []any{e.districtID}, func(row scanner) error {
		var id int64
		err := row.Scan(&id)
		students = append(students, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("listing students with evidence: %w", err)
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, len(students))
	for done := 0; done < len(students); {
		chunk := students[done:min(done+studentsPerChunk, len(students))]
		byStudent := make(map[int64]*work, len(chunk))
		for _, id := range chunk {
			byStudent[id] = &work{student: id, obs: map[int64][]mastery.Observation{}}
		}
		voided, err := e.voided(ctx, chunk)
		if err != nil {
			return err
		}
		err = e.r.each(ctx, `
SELECT sc.student_id, sc.standard_id, sc.evidence_id, sc.value, sc.assessed_at, sc.recorded_at
FROM evidence_scores sc WHERE sc.district_id = $1 AND sc.student_id IN ids($2)`,
			[]any{e.districtID, e.r.s.ids(chunk)}, e.observe(byStudent, voided))
		if err != nil {
			return fmt.Errorf("loading observations: %w", err)
		}
		if err := f(chunk, byStudent); err != nil {
			return err
		}
		done += len(chunk)
		progress(done, len(students))
	}
	return nil
}
