package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// FitOptions control FitModels.
type FitOptions struct {
	// BKT are the options of the EM fit; its Seed makes a fit
	// reproducible.
	BKT mastery.BKTFitOptions
	// MinResponses is how many responses a standard needs before its
	// fitted parameters replace the defaults; 0 means 20. Fits of
	// standards with fewer are reported but not kept.
	MinResponses int
	// Logistic, when not nil, are the options of a fit of the logistic
	// model to the district's evidence as well; it is kept when there are
	// at least MinLogisticResponses responses.
	Logistic *mastery.LogisticOptions
	// Progress, when not nil, is called as students are read and states
	// rebuilt, with what is being done.
	Progress func(stage string, done, total int)
}

// StandardFit is the fit of one standard.
type StandardFit struct {
	StandardID int64
	mastery.BKTFit
	// Kept says whether the fitted parameters replaced the defaults.
	Kept bool
}

// FitReport says what FitModels did.
type FitReport struct {
	// Standards are the standards with evidence of their own, by id.
	Standards []StandardFit
	// Responses is the number of responses read; States the number of
	// mastery states rebuilt with the new parameters.
	Responses, States int
	// FitTime is the time spent fitting; Elapsed the whole run's.
	FitTime, Elapsed time.Duration
	// Logistic says what the fit of the logistic model did, when one was
	// asked for.
	Logistic *LogisticReport
}

// LogisticReport is what a fit of the logistic model did.
type LogisticReport struct {
	// Responses and Items are what it was fitted on; Kept says whether it
	// replaced the district's model (there were enough responses).
	Responses, Items int
	Kept             bool
	Iterations       int
	Converged        bool
	// Objective is the penalised mean log-loss on the district's evidence.
	Objective float64
	FitTime   time.Duration
}

// MinLogisticResponses is how many responses a district needs before a
// logistic model fitted to them replaces the ability model alone.
const MinLogisticResponses = 1000

// Kept returns the number of standards whose fitted parameters were kept.
func (r FitReport) Kept() int {
	n := 0
	for _, f := range r.Standards {
		if f.Kept {
			n++
		}
	}
	return n
}

// FitModels fits the knowledge tracing model of every standard with
// evidence of its own to the district's evidence (all students, voided
// evidence left out, a score at or above its scale's mastery cut read as
// a right answer), stores the parameters, and rebuilds every mastery state
// with them in one transaction: a failed or cancelled fit changes nothing.
// Standards without enough evidence go back to the defaults.
func (s *Store) FitModels(ctx context.Context, districtID int64, opt FitOptions) (rep FitReport, err error) {
	defer wrap(&err, "FitModels(%d)", districtID)
	start := s.now()
	if opt.MinResponses <= 0 {
		opt.MinResponses = 20
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	// The evidence is read and the parameters fitted beside the writer, in
	// a read transaction: recording waits only while the parameters are
	// written and the states recomputed with them. Evidence recorded in
	// between is not in the fit, but is in the recomputed states.
	var stds []int64
	var fits []mastery.BKTFit
	var logistic *LogisticFit
	err = s.inReadTx(ctx, func(r *runner) error {
		e, err := r.freshEngine(ctx, districtID)
		if err != nil {
			return err
		}
		seqs, err := e.sequences(ctx, progress)
		if err != nil {
			return err
		}
		stds = make([]int64, 0, len(seqs))
		for id := range seqs {
			stds = append(stds, id)
		}
		slices.Sort(stds)
		data := make([]*mastery.BKTSequences, len(stds))
		for i, id := range stds {
			data[i] = seqs[id]
			rep.Responses += len(seqs[id].Correct)
		}
		progress("fitting", 0, len(stds))
		fitStart := s.now()
		fits, err = mastery.FitBKTAll(ctx, data, opt.BKT)
		if err != nil {
			return err
		}
		rep.FitTime = s.now().Sub(fitStart)
		progress("fitting", len(stds), len(stds))
		if opt.Logistic == nil {
			return nil
		}
		d, stdIDs, itemIDs, unnamedOf, err := e.logisticData(ctx, progress)
		if err != nil {
			return err
		}
		lr := &LogisticReport{Responses: len(d.Responses), Items: len(itemIDs)}
		rep.Logistic = lr
		if len(d.Responses) < MinLogisticResponses {
			return nil
		}
		progress("fitting the logistic model", 0, 1)
		fitStart = s.now()
		res, err := mastery.FitLogisticModel(ctx, d, *opt.Logistic)
		if err != nil {
			return err
		}
		lr.FitTime = s.now().Sub(fitStart)
		lr.Kept, lr.Iterations, lr.Converged, lr.Objective = true, res.Iterations, res.Converged, res.Objective
		f := LogisticFitFrom(res, stdIDs, itemIDs, unnamedOf, len(d.Responses))
		logistic = &f
		progress("fitting the logistic model", 1, 1)
		return nil
	})
	if err != nil {
		return FitReport{}, err
	}
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.lockDistrict(ctx, districtID); err != nil {
			return err
		}
		e, err := r.freshEngine(ctx, districtID)
		if err != nil {
			return err
		}
		m := e.m
		if _, err := r.exec(ctx, `DELETE FROM bkt_params WHERE district_id = $1`, districtID); err != nil {
			return fmt.Errorf("clearing fitted parameters: %w", err)
		}
		var rows [][]any
		m.fitted = map[int64]mastery.BKTParams{}
		rep.Standards = rep.Standards[:0]
		for i, id := range stds {
			f := StandardFit{StandardID: id, BKTFit: fits[i], Kept: fits[i].Responses >= opt.MinResponses}
			rep.Standards = append(rep.Standards, f)
			if !f.Kept {
				continue
			}
			m.fitted[id] = f.Params
			p := f.Params
			notes := f.Notes
			if notes == nil {
				notes = []mastery.BKTNote{}
			}
			rows = append(rows, []any{districtID, id, p.Prior, p.Learn, p.Guess, p.Slip, p.Forget,
				f.Responses, f.Students, f.LogLik, jsonText(notes), s.ts(e.now)})
		}
		if err := r.insertRows(ctx, `INSERT INTO bkt_params (district_id, standard_id, prior, learn, guess, slip, forget,
    responses, students, log_lik, notes, fitted_at) VALUES `, "", rows); err != nil {
			return fmt.Errorf("writing fitted parameters: %w", err)
		}
		if logistic != nil {
			if err := e.writeLogistic(ctx, *logistic); err != nil {
				return err
			}
		}
		r.dropModel(districtID)
		stats, ch, err := e.rebuild(ctx, func(done, total int) { progress("rebuilding", done, total) })
		if err != nil {
			return err
		}
		rep.States, changes = stats.States, ch
		return nil
	})
	if err != nil {
		return FitReport{}, err
	}
	rep.Elapsed = s.now().Sub(start)
	s.notify(changes)
	return rep, nil
}

// sequences reads every student's responses on each standard with
// evidence of its own, in the order they count, a chunk of students at a
// time.
func (e *engine) sequences(ctx context.Context, progress func(string, int, int)) (map[int64]*mastery.BKTSequences, error) {
	out := map[int64]*mastery.BKTSequences{}
	var buf []bool
	err := e.eachStudentChunk(ctx, func(done, total int) { progress("reading", done, total) }, func(chunk []int64, byStudent map[int64]*work) error {
		for _, id := range chunk {
			for std, obs := range byStudent[id].obs {
				scale, ok := e.m.scaleOf(std)
				if !ok {
					continue
				}
				slices.SortFunc(obs, mastery.CompareObservations)
				buf = buf[:0]
				for _, o := range obs {
					buf = append(buf, mastery.AtMastery(scale, o.Value))
				}
				seq := out[std]
				if seq == nil {
					seq = &mastery.BKTSequences{}
					out[std] = seq
				}
				seq.Add(buf...)
			}
		}
		return nil
	})
	return out, err
}

// FittedModels returns how many standards of the district have fitted
// knowledge tracing parameters, and when they were last fitted (zero when
// never).
func (s *Store) FittedModels(ctx context.Context, districtID int64) (n int, at time.Time, err error) {
	defer wrap(&err, "FittedModels(%d)", districtID)
	err = s.reader().queryRow(ctx, `SELECT count(*), max(fitted_at) FROM bkt_params WHERE district_id = $1`, districtID).
		Scan(&n, tsCol{&at})
	return n, at, err
}

// bktParams reads the district's fitted parameters.
func (r *runner) bktParams(ctx context.Context, districtID int64) (map[int64]mastery.BKTParams, error) {
	out := map[int64]mastery.BKTParams{}
	err := r.each(ctx, `SELECT standard_id, prior, learn, guess, slip, forget FROM bkt_params WHERE district_id = $1`,
		[]any{districtID}, func(row scanner) error {
			var id int64
			var p mastery.BKTParams
			if err := row.Scan(&id, &p.Prior, &p.Learn, &p.Guess, &p.Slip, &p.Forget); err != nil {
				return err
			}
			out[id] = p
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("loading fitted parameters: %w", err)
	}
	return out, nil
}
