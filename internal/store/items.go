package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Item is a reusable assessment question on one standard whose difficulty
// the district's model learns. A score names the item it answered by ID or
// by Key, the client's own name for it.
type Item struct {
	ID, DistrictID, StandardID int64
	Key                        string
	Title                      string
	// Weights are what the fitted model knows of the item (its easiness
	// and rating, and the responses it was fitted on: 0 when the last fit
	// did not see it).
	Weights mastery.ItemWeights
	// Responses and Right count the responses recorded on the item that
	// count (not void), and how many of them reached mastery.
	Responses, Right int
	CreatedAt        time.Time
}

const itemCols = `id, district_id, standard_id, item_key, title, easiness, rating, fitted_responses, responses, right_count, created_at`

func scanItem(row scanner) (it Item, err error) {
	err = row.Scan(&it.ID, &it.DistrictID, &it.StandardID, &it.Key, &it.Title, &it.Weights.Easiness, &it.Weights.Rating,
		&it.Weights.Responses, &it.Responses, &it.Right, tsCol{&it.CreatedAt})
	return it, err
}

// StandardItems returns the items of a standard, by key.
func (s *Store) StandardItems(ctx context.Context, districtID, standardID int64) (out []Item, err error) {
	defer wrap(&err, "StandardItems(%d)", standardID)
	r := s.reader()
	if err := r.mustExist(ctx, tStandards, "standard", districtID, standardID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT `+itemCols+` FROM items WHERE district_id = $1 AND standard_id = $2 ORDER BY item_key, id`,
		[]any{districtID, standardID}, func(row scanner) error {
			it, err := scanItem(row)
			out = append(out, it)
			return err
		})
	return out, err
}

// ItemByKey returns the item of the district with the given key.
func (s *Store) ItemByKey(ctx context.Context, districtID int64, key string) (_ Item, err error) {
	defer wrap(&err, "ItemByKey(%q)", key)
	it, err := scanItem(s.reader().queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE district_id = $1 AND item_key = $2`, districtID, key))
	return it, noRows(err, "item", key)
}

// EnsureItems returns the ids of the items with the given keys on the
// given standards, making those that do not exist yet, in one
// transaction. A key already used on another standard is refused.
func (s *Store) EnsureItems(ctx context.Context, districtID int64, standardIDs []int64, keys []string) (ids []int64, err error) {
	defer wrap(&err, "EnsureItems(%d items)", len(keys))
	if len(standardIDs) != len(keys) {
		return nil, fmt.Errorf("%d standards for %d keys", len(standardIDs), len(keys))
	}
	ev := evidence.Evidence{DistrictID: districtID, Scores: make([]evidence.Score, len(keys))}
	for i := range keys {
		ev.Scores[i] = evidence.Score{StandardID: standardIDs[i], ItemKey: keys[i]}
	}
	err = s.inTx(ctx, func(r *runner) error {
		return r.resolveItems(ctx, districtID, []*evidence.Evidence{&ev}, s.nowUTC())
	})
	if err != nil {
		return nil, err
	}
	ids = make([]int64, len(keys))
	for i, sc := range ev.Scores {
		ids[i] = sc.ItemID
	}
	return ids, nil
}

// resolveItems sets the ItemID of every score of evs that names an item by
// key, making the items not seen before, and checks that every item named
// is the district's and on the score's standard. A bad reference is
// reported as the evidence's (problem.InRecord when there are several).
func (r *runner) resolveItems(ctx context.Context, districtID int64, evs []*evidence.Evidence, now time.Time) error {
	var keys []string
	var ids []int64
	for _, ev := range evs {
		for _, sc := range ev.Scores {
			switch {
			case sc.ItemKey != "":
				keys = append(keys, sc.ItemKey)
			case sc.ItemID != 0:
				ids = append(ids, sc.ItemID)
			}
		}
	}
	if len(keys) == 0 && len(ids) == 0 {
		return nil
	}
	type ref struct{ id, standard int64 }
	byKey := map[string]ref{}
	byID := map[int64]int64{}
	read := func(q string, arg any) error {
		return r.each(ctx, `SELECT id, standard_id, item_key FROM items WHERE district_id = $1 AND `+q, []any{districtID, arg}, func(row scanner) error {
			var id, std int64
			var key string
			if err := row.Scan(&id, &std, &key); err != nil {
				return err
			}
			byKey[key] = ref{id, std}
			byID[id] = std
			return nil
		})
	}
	if len(keys) > 0 {
		var arg any = jsonText(keys)
		if r.s.engine == Postgres {
			arg = keys
		}
		if err := read(r.s.pick(`item_key IN (SELECT value FROM json_each($2))`, `item_key = ANY($2::text[])`), arg); err != nil {
			return fmt.Errorf("reading items: %w", err)
		}
	}
	if len(ids) > 0 {
		if err := read(`id IN ids($2)`, r.s.ids(uniq(ids))); err != nil {
			return fmt.Errorf("reading items: %w", err)
		}
	}
	for k, ev := range evs {
		var errs problem.Fields
		for i := range ev.Scores {
			sc := &ev.Scores[i]
			switch {
			case sc.ItemKey != "":
				it, ok := byKey[sc.ItemKey]
				if !ok {
					if err := r.queryRow(ctx, `INSERT INTO items (district_id, standard_id, item_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
						districtID, sc.StandardID, sc.ItemKey, r.s.ts(now)).Scan(&it.id); err != nil {
						return fmt.Errorf("making item %q: %w", sc.ItemKey, err)
					}
					it.standard = sc.StandardID
					byKey[sc.ItemKey] = it
					byID[it.id] = it.standard
				}
				if it.standard != sc.StandardID {
					errs.AddItemf("scores", i, "itemKey", "item %q assesses standard %d, not %d", sc.ItemKey, it.standard, sc.StandardID)
					continue
				}
				sc.ItemID = it.id
			case sc.ItemID != 0:
				std, ok := byID[sc.ItemID]
				switch {
				case !ok:
					errs.AddItemf("scores", i, "itemId", "no item %d in this district", sc.ItemID)
				case std != sc.StandardID:
					errs.AddItemf("scores", i, "itemId", "item %d assesses standard %d, not %d", sc.ItemID, std, sc.StandardID)
				}
			}
		}
		if err := errs.Err(); err != nil {
			if len(evs) > 1 {
				return problem.InRecord(k, err)
			}
			return err
		}
	}
	return nil
}
