package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestIncrementalRecordingMatchesRebuild records evidence one record at a
// time and in batches, in order and out of it, at moments shared with
// evidence already counted, around voids and policy changes, so that the
// states are grown from their stored states where that is exact and
// recomputed from all the evidence where it is not. Every stored state,
// explanation included, must be byte for byte what rebuilding the whole
// district from its evidence gives.
func TestIncrementalRecordingMatchesRebuild(t *testing.T) {
	for _, eng := range engines {
		for _, logistic := range []bool{false, true} {
			name := eng.name
			if logistic {
				name += "/logistic"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				x := newDistrictWith(t, eng.url(t), 0)
				if logistic {
					// A fitted logistic model: the states' estimates come from
					// its ability model, kept online.
					f := store.LogisticFit{Model: mastery.AbilityModel(mastery.DefaultAbilityParams()), Standards: map[int64]mastery.StandardWeights{}}
					for i, id := range x.leaves {
						f.Standards[id] = mastery.StandardWeights{Rating: float64(i%5) / 4, Responses: 10}
					}
					if err := x.s.PutLogisticModel(ctx, x.district, f); err != nil {
						t.Fatal(err)
					}
				}
				start := x.now.Add(-20 * 24 * time.Hour)
				var recorded []evidence.Evidence
				record := func(ev evidence.Evidence) {
					t.Helper()
					if err := x.s.RecordEvidence(ctx, &ev); err != nil {
						t.Fatal(err)
					}
					recorded = append(recorded, ev)
				}
				grown := store.Grown()
				for i := range 400 {
					ev := x.evidence()
					switch i % 5 {
					case 0, 1, 2: // in order: each assessed after everything before
						ev.AssessedAt = start.Add(time.Duration(i) * time.Minute)
					case 3: // at the moment of an earlier record of someone
						if len(recorded) > 0 {
							ev.AssessedAt = recorded[x.rng.IntN(len(recorded))].AssessedAt
						}
					}
					if i%37 == 0 {
						// Evidence of its own on a standard with children.
						v := float64(1 + x.rng.IntN(4))
						ev.Scores = append(ev.Scores[:1], evidence.Score{StandardID: x.above[ev.Scores[0].StandardID][0], Level: &v})
					}
					if i%3 == 0 {
						// A reused question: the model reads its item.
						ev.Scores[0].ItemKey = fmt.Sprintf("q%d-%d", ev.Scores[0].StandardID, i%7)
					}
					record(ev)
					if i == 150 {
						for _, j := range []int{3, 40, 77, 120} {
							if err := x.s.VoidEvidence(ctx, x.district, recorded[j].ID, x.teacher, "entered twice"); err != nil {
								t.Fatal(err)
							}
						}
					}
					if i == 250 {
						pol := mastery.Policy{Method: mastery.Method{Name: mastery.Mean}, Rollup: mastery.RollupLowest}
						if err := x.s.SetPolicy(ctx, x.district, nil, pol, x.teacher, "try the mean"); err != nil {
							t.Fatal(err)
						}
					}
				}
				for range 3 {
					batch := make([]evidence.Evidence, 150)
					for i := range batch {
						batch[i] = x.evidence()
					}
					if err := x.s.RecordEvidenceBatch(ctx, batch); err != nil {
						t.Fatal(err)
					}
				}
				t.Logf("%d work items grown from their stored states", store.Grown()-grown)
				if store.Grown() == grown {
					t.Fatal("no state was grown from its stored state: the test does not test the incremental path")
				}
				ktBefore, err := x.s.KTRows(ctx, x.district)
				if err != nil {
					t.Fatal(err)
				}
				before, err := x.s.StateRows(ctx, x.district)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := x.s.RebuildMastery(ctx, x.district, nil); err != nil {
					t.Fatal(err)
				}
				after, err := x.s.StateRows(ctx, x.district)
				if err != nil {
					t.Fatal(err)
				}
				if len(before) != len(after) || len(before) < 100 {
					t.Fatalf("%d states recorded, %d rebuilt", len(before), len(after))
				}
				for k, want := range after {
					if got := before[k]; got != want {
						t.Errorf("student %d, standard %d:\nrecorded %s\nrebuilt  %s", k[0], k[1], got, want)
					}
				}
				// The logistic model's state, replayed by the rebuild, is what
				// the online updates left.
				ktAfter, err := x.s.KTRows(ctx, x.district)
				if err != nil {
					t.Fatal(err)
				}
				if len(ktBefore) != len(ktAfter) || len(ktBefore) < 100 {
					t.Fatalf("%d model rows recorded, %d rebuilt", len(ktBefore), len(ktAfter))
				}
				for k, want := range ktAfter {
					if got := ktBefore[k]; got != want {
						t.Errorf("%s:\nrecorded %s\nrebuilt  %s", k, got, want)
					}
				}
				if logistic {
					n := 0
					for _, v := range after {
						if strings.Contains(v, `"model":"ability"`) {
							n++
						}
					}
					if n < 100 {
						t.Errorf("%d states with the ability model's estimate, want every state with evidence of its own", n)
					}
				}
			})
		}
	}
}
