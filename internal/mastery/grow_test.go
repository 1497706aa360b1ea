package mastery

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestGrowGivesTheFullRecompute grows states one piece of evidence at a
// time, in order and out of it, under every method, and compares each
// with the state computed from all the evidence: equal to the last bit,
// and the same explanation byte for byte once through JSON, as stored.
func TestGrowGivesTheFullRecompute(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, name := range Methods {
		for _, by := range []MasteredBy{"", MasteredByBoth} {
			t.Run(string(name)+"/"+string(by), func(t *testing.T) {
				d := newTestDistrict()
				d.byStd = map[int64]Policy{11: {Method: Method{Name: name, Weight: 0.4, N: 2}, MasteredBy: by}}
				var all []Observation
				var prev State
				for i := range 40 {
					// Mostly later than everything before, sometimes not.
					at := day(i)
					if i > 3 && rng.IntN(3) == 0 {
						at = day(rng.IntN(i)).Add(time.Duration(1+rng.IntN(1000)) * time.Second)
					}
					o := Observation{EvidenceID: int64(100 - i), Value: float64(1 + rng.IntN(4)), AssessedAt: at, RecordedAt: day(50)}
					all = append(all, o)
					slices.SortFunc(all, CompareObservations)
					want := Recompute(d, []int64{11}, map[int64][]Observation{11: all}, nil)[11]
					var got State
					if i == 0 {
						got = Recompute(d, []int64{11}, map[int64][]Observation{11: {o}}, nil)[11]
					} else {
						grown, ok := Grow(d, 11, roundTrip(t, prev), []Observation{o})
						if !ok {
							t.Fatalf("step %d: Grow refused a piece of evidence assessed at a moment of its own", i)
						}
						got = Recompute(d, []int64{11}, map[int64][]Observation{11: grown}, nil)[11]
					}
					if !reflect.DeepEqual(roundTrip(t, got), roundTrip(t, want)) || jsonOf(t, got) != jsonOf(t, want) {
						t.Fatalf("step %d: grown\n%s\nwant\n%s", i, jsonOf(t, got), jsonOf(t, want))
					}
					prev = got
				}
			})
		}
	}
}

// roundTrip returns st as stored and read back: through JSON, as the
// store keeps an explanation.
func roundTrip(t *testing.T, st State) State {
	t.Helper()
	var out State
	if err := json.Unmarshal([]byte(jsonOf(t, st)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonOf(t *testing.T, st State) string {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGrowRefuses(t *testing.T) {
	d := newTestDistrict()
	hist := obsOn(1, 0, 2, 3, 4)
	prev := Recompute(d, []int64{11}, map[int64][]Observation{11: hist}, nil)[11]
	later := Observation{EvidenceID: 9, Value: 3, AssessedAt: day(5)}
	if _, ok := Grow(d, 11, prev, []Observation{later}); !ok {
		t.Fatal("Grow refused evidence assessed after everything counted")
	}
	cases := []struct {
		name   string
		change func(d *testDistrict, prev *State, add *[]Observation)
	}{
		{"assessed at the moment of a counted piece", func(_ *testDistrict, _ *State, add *[]Observation) {
			(*add)[0].AssessedAt = day(1)
		}},
		{"two added at one moment", func(_ *testDistrict, _ *State, add *[]Observation) {
			*add = append(*add, Observation{EvidenceID: 10, Value: 1, AssessedAt: day(5)})
		}},
		{"another method now", func(d *testDistrict, _ *State, _ *[]Observation) {
			d.policy = Policy{Method: Method{Name: Mean}, Rollup: RollupMean}
		}},
		{"another weight now", func(d *testDistrict, _ *State, _ *[]Observation) {
			d.policy.Method.Weight = 0.5
		}},
		{"mastered by the model now", func(d *testDistrict, _ *State, _ *[]Observation) {
			d.policy.MasteredBy = MasteredByModel
		}},
		{"fitted parameters now", func(d *testDistrict, _ *State, _ *[]Observation) {
			d.fitted = map[int64]BKTParams{11: {Prior: 0.5, Learn: 0.2, Guess: 0.1, Slip: 0.1}}
		}},
		{"an input missing", func(_ *testDistrict, prev *State, _ *[]Observation) {
			prev.Explanation.Inputs = prev.Explanation.Inputs[1:]
		}},
		{"a rolled-up state", func(_ *testDistrict, prev *State, _ *[]Observation) {
			prev.Explanation.Rollup = RollupMean
		}},
		{"no model", func(_ *testDistrict, prev *State, _ *[]Observation) {
			prev.Explanation.Model = nil
		}},
		{"an unknown standard", func(d *testDistrict, _ *State, _ *[]Observation) {
			delete(d.standard, 11)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDistrict()
			p := prev
			p.Explanation.Inputs = slices.Clone(prev.Explanation.Inputs)
			add := []Observation{later}
			c.change(d, &p, &add)
			if _, ok := Grow(d, 11, p, add); ok {
				t.Fatal("Grow accepted it")
			}
		})
	}
}
