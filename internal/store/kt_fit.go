package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// LogisticFit is a fitted logistic model in the store's ids: what
// PutLogisticModel keeps and every prediction then reads.
type LogisticFit struct {
	Model mastery.LogisticModel
	// Standards are the weights of each standard, by id; their related
	// standards are named by standard id too.
	Standards map[int64]mastery.StandardWeights
	// Items are the weights of each item, by item id.
	Items map[int64]mastery.ItemWeights
	// Unnamed are, for each standard, the weights of its unnamed item:
	// what a score that names no item answered.
	Unnamed map[int64]mastery.ItemWeights
	// Responses is how many responses the model was fitted on.
	Responses int
}

// LogisticFitFrom maps a fit on numbered data to the store's ids:
// standardIDs[k] is standard k's id, itemIDs[i] item i's id, or, when 0,
// unnamedOf[i] the standard whose unnamed item i stands for.
func LogisticFitFrom(res *mastery.LogisticFitResult, standardIDs, itemIDs []int64, unnamedOf map[int]int64, responses int) LogisticFit {
	f := LogisticFit{Model: res.Model, Standards: map[int64]mastery.StandardWeights{}, Items: map[int64]mastery.ItemWeights{},
		Unnamed: map[int64]mastery.ItemWeights{}, Responses: responses}
	for k, w := range res.Standards {
		if k >= len(standardIDs) || w.Responses == 0 {
			continue
		}
		w.Related = slices.Clone(w.Related)
		for j := range w.Related {
			w.Related[j].Standard = standardIDs[w.Related[j].Standard]
		}
		f.Standards[standardIDs[k]] = w
	}
	for i, w := range res.Items {
		switch {
		case w.Responses == 0:
		case i < len(itemIDs) && itemIDs[i] != 0:
			f.Items[itemIDs[i]] = w
		default:
			if std, ok := unnamedOf[i]; ok {
				f.Unnamed[std] = w
			}
		}
	}
	return f
}

// PutLogisticModel makes f the district's logistic model and, in the same
// transaction, replays every student's responses through it, so that
// every stored state is what the new model gives.
func (s *Store) PutLogisticModel(ctx context.Context, districtID int64, f LogisticFit) (err error) {
	defer wrap(&err, "PutLogisticModel(%d)", districtID)
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.lockDistrict(ctx, districtID); err != nil {
			return err
		}
		e, err := r.freshEngine(ctx, districtID)
		if err != nil {
			return err
		}
		if err := e.writeLogistic(ctx, f); err != nil {
			return err
		}
		r.dropModel(districtID)
		_, changes, err = e.rebuild(ctx, nil)
		return err
	})
	if err != nil {
		return err
	}
	s.notify(changes)
	return nil
}

// writeLogistic replaces the district's logistic model by f, in the
// database and in e's model.
func (e *engine) writeLogistic(ctx context.Context, f LogisticFit) error {
	r := e.r
	for _, q := range []string{
		`DELETE FROM kt_models WHERE district_id = $1`,
		`DELETE FROM kt_standard_weights WHERE district_id = $1`,
		`UPDATE items SET easiness = 0, rating = 0, fitted_responses = 0 WHERE district_id = $1 AND fitted_responses <> 0`,
	} {
		if _, err := r.exec(ctx, q, e.districtID); err != nil {
			return fmt.Errorf("clearing the logistic model: %w", err)
		}
	}
	if _, err := r.exec(ctx, `INSERT INTO kt_models (district_id, model, responses, fitted_at) VALUES ($1, $2, $3, $4)`,
		e.districtID, jsonText(f.Model), f.Responses, r.s.ts(e.now)); err != nil {
		return fmt.Errorf("writing the logistic model: %w", err)
	}
	kt := &ktFit{model: f.Model, fitted: true, standards: map[int64]*mastery.StandardWeights{}, unnamed: map[int64]*mastery.ItemWeights{}}
	var rows [][]any
	stds := slices.Sorted(mapKeys(f.Standards))
	for id := range mapKeys(f.Unnamed) {
		if _, ok := f.Standards[id]; !ok {
			stds = append(stds, id)
		}
	}
	for _, id := range uniq(stds) {
		if _, ok := e.m.std[id]; !ok {
			continue
		}
		row := ktStandardRow{StandardWeights: f.Standards[id]}
		kt.standards[id] = &row.StandardWeights
		if u, ok := f.Unnamed[id]; ok {
			row.Unnamed = &u
			kt.unnamed[id] = &u
		}
		rows = append(rows, []any{e.districtID, id, jsonText(row)})
	}
	if err := r.insertRows(ctx, `INSERT INTO kt_standard_weights (district_id, standard_id, weights) VALUES `, "", rows); err != nil {
		return fmt.Errorf("writing the logistic model's standards: %w", err)
	}
	for _, id := range slices.Sorted(mapKeys(f.Items)) {
		w := f.Items[id]
		if _, err := r.exec(ctx, `UPDATE items SET easiness = $3, rating = $4, fitted_responses = $5 WHERE district_id = $1 AND id = $2`,
			e.districtID, id, w.Easiness, w.Rating, w.Responses); err != nil {
			return fmt.Errorf("writing item %d's weights: %w", id, err)
		}
	}
	e.m.kt = kt
	return nil
}

// logisticData reads the district's responses that count as numbered
// data to fit the logistic model on: standards and items numbered in id
// order, each standard's unnamed item after the named ones.
func (e *engine) logisticData(ctx context.Context, progress func(string, int, int)) (*mastery.TraceData, []int64, []int64, map[int]int64, error) {
	var students []int64
	err := e.r.each(ctx, `SELECT DISTINCT student_id FROM evidence WHERE district_id = $1 AND void_at IS NULL ORDER BY student_id`,
		[]any{e.districtID}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			students = append(students, id)
			return err
		})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	stdIDs := slices.Sorted(mapKeys(e.m.std))
	stdNum := make(map[int64]int32, len(stdIDs))
	for k, id := range stdIDs {
		stdNum[id] = int32(k)
	}
	var itemIDs []int64
	itemNum := map[int64]int32{}
	unnamed := map[int64]int32{}
	type raw struct {
		item     int64
		standard int64
		correct  bool
	}
	var all []raw
	d := &mastery.TraceData{Starts: make([]int, 0, len(students))}
	for done := 0; done < len(students); done += studentsPerChunk {
		chunk := students[done:min(done+studentsPerChunk, len(students))]
		resp, err := e.studentResponses(ctx, chunk)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		for _, id := range chunk {
			d.Starts = append(d.Starts, len(all))
			for _, r := range resp[id] {
				all = append(all, raw{r.item, r.standard, r.correct})
				if _, ok := itemNum[r.item]; r.item != 0 && !ok {
					itemNum[r.item] = 0
					itemIDs = append(itemIDs, r.item)
				}
			}
		}
		progress("reading", min(done+studentsPerChunk, len(students)), len(students))
	}
	slices.Sort(itemIDs)
	for i, id := range itemIDs {
		itemNum[id] = int32(i)
	}
	unnamedOf := map[int]int64{}
	d.Responses = make([]mastery.TraceResponse, len(all))
	stdsBuf := make([]int32, len(all))
	for i, r := range all {
		stdsBuf[i] = stdNum[r.standard]
		n, ok := itemNum[r.item]
		if r.item == 0 {
			if n, ok = unnamed[r.standard]; !ok {
				n = int32(len(itemIDs) + len(unnamed))
				unnamed[r.standard] = n
				unnamedOf[int(n)] = r.standard
			}
		}
		d.Responses[i] = mastery.TraceResponse{Item: n, Standards: stdsBuf[i : i+1 : i+1], Correct: r.correct}
	}
	d.Items = len(itemIDs) + len(unnamed)
	d.Standards = len(stdIDs)
	return d, stdIDs, itemIDs, unnamedOf, nil
}
