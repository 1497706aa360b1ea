package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestItemsAndPredictions makes items by key, records responses naming
// them, and reads the logistic model's predictions back: a right answer
// raises the next prediction, a harder item lowers it, voiding takes the
// response back out, and a fit to enough evidence replaces the ability
// model alone and gives the states the ability model's estimate.
func TestItemsAndPredictions(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			x := newDistrictWith(t, eng.url(t), 0)
			std, other := x.leaves[0], x.leaves[1]
			ids, err := x.s.EnsureItems(ctx, x.district, []int64{std, std}, []string{"easy", "hard"})
			if err != nil {
				t.Fatal(err)
			}
			again, err := x.s.EnsureItems(ctx, x.district, []int64{std}, []string{"hard"})
			if err != nil || again[0] != ids[1] {
				t.Fatalf("EnsureItems again = %v, %v; want the same item %d", again, err, ids[1])
			}
			if _, err := x.s.EnsureItems(ctx, x.district, []int64{other}, []string{"easy"}); !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("a key used on another standard: %v, want invalid", err)
			}
			// A fitted model in which "hard" is two logits harder.
			f := store.LogisticFit{Model: mastery.AbilityModel(mastery.DefaultAbilityParams()),
				Standards: map[int64]mastery.StandardWeights{std: {Responses: 100}},
				Items:     map[int64]mastery.ItemWeights{ids[0]: {Rating: -1, Responses: 50}, ids[1]: {Rating: 1, Responses: 50}}}
			if err := x.s.PutLogisticModel(ctx, x.district, f); err != nil {
				t.Fatal(err)
			}
			student := x.students[0][0]
			predict := func(item int64) float64 {
				t.Helper()
				p, err := x.s.PredictResponse(ctx, x.district, student, std, item)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			easy0, hard0 := predict(ids[0]), predict(ids[1])
			if !(easy0 > hard0) {
				t.Errorf("P(right) easy %.3f, hard %.3f: want the easy item more likely right", easy0, hard0)
			}
			record := func(key string, lvl float64, at time.Time) evidence.Evidence {
				t.Helper()
				ev := evidence.Evidence{DistrictID: x.district, StudentID: student, Kind: evidence.Formative, AssessedAt: at,
					RecordedBy: x.teacher, Scores: []evidence.Score{{StandardID: std, Level: &lvl, ItemKey: key}}}
				if err := x.s.RecordEvidence(ctx, &ev); err != nil {
					t.Fatal(err)
				}
				return ev
			}
			ev := record("hard", 4, x.now.Add(-time.Hour))
			if ev.Scores[0].ItemID != ids[1] {
				t.Errorf("the score names item %d, want %d", ev.Scores[0].ItemID, ids[1])
			}
			easy1 := predict(ids[0])
			if !(easy1 > easy0) {
				t.Errorf("after a right answer P(right) went from %.3f to %.3f", easy0, easy1)
			}
			ms, err := x.s.MasteryOf(ctx, x.district, student, std)
			if err != nil {
				t.Fatal(err)
			}
			if ms.Model == nil || ms.Explanation.Model == nil || ms.Explanation.Model.Model != "ability" || ms.Explanation.Model.Ability == nil {
				t.Errorf("state's model = %+v, want the ability model's estimate", ms.Explanation.Model)
			}
			items, err := x.s.StandardItems(ctx, x.district, std)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 || items[1].Key != "hard" || items[1].Responses != 1 || items[1].Right != 1 || items[1].Weights.Rating != 1 {
				t.Errorf("items = %+v", items)
			}
			// Voiding takes the response back out of the model.
			if err := x.s.VoidEvidence(ctx, x.district, ev.ID, x.teacher, "wrong student"); err != nil {
				t.Fatal(err)
			}
			if got := predict(ids[0]); math.Abs(got-easy0) > 1e-12 {
				t.Errorf("after the void P(right) = %.6f, want %.6f as before", got, easy0)
			}
			if items, _ = x.s.StandardItems(ctx, x.district, std); items[1].Responses != 0 {
				t.Errorf("after the void the item counts %d responses", items[1].Responses)
			}
			if _, err := x.s.PredictResponse(ctx, x.district, student, 1<<40, 0); !errors.Is(err, problem.ErrNotFound) {
				t.Errorf("prediction on no standard: %v, want not found", err)
			}
		})
	}
}
