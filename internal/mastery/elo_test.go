package mastery

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestAbilityUpdate(t *testing.T) {
	p := AbilityParams{PriorVar: 1, StandardPriorVar: 1, ItemRate: 1}
	// From no evidence, an item of rating 0: p = 1/2, h = 1/4, S = 2,
	// 1+hS = 3/2; each mean moves by ±(1/2)/(3/2) = ±1/3 and each
	// variance drops by (1/4)/(3/2) = 1/6.
	for _, tt := range []struct {
		name    string
		correct bool
		mean    float64
	}{{"right", true, 1.0 / 3}, {"wrong", false, -1.0 / 3}} {
		t.Run(tt.name, func(t *testing.T) {
			var student, std Ability
			p.Update(&student, []*Ability{&std}, 0, tt.correct)
			for _, a := range []Ability{student, std} {
				if math.Abs(a.Mean-tt.mean) > 1e-12 || math.Abs(a.Var-5.0/6) > 1e-12 || a.N != 1 {
					t.Errorf("ability %+v, want mean %v, var 5/6, N 1", a, tt.mean)
				}
			}
		})
	}
	t.Run("drift", func(t *testing.T) {
		p := p
		p.Drift, p.StandardDrift = 0.1, 0.2
		var student, std Ability
		p.Update(&student, []*Ability{&std}, 0, true)
		if math.Abs(student.Var-(5.0/6+0.1)) > 1e-12 || math.Abs(std.Var-(5.0/6+0.2)) > 1e-12 {
			t.Errorf("variances %v %v, want 5/6 plus the drifts", student.Var, std.Var)
		}
	})
	t.Run("two standards share the step", func(t *testing.T) {
		var student, a, b Ability
		p.Update(&student, []*Ability{&a, &b}, 0, true)
		// S = 1 + 2·(1/4) = 3/2, 1+hS = 11/8: student moves (1/2)/(11/8),
		// each standard half that.
		if want := 0.5 / (11.0 / 8); math.Abs(student.Mean-want) > 1e-12 || math.Abs(a.Mean-want/2) > 1e-12 || a != b {
			t.Errorf("student %+v, standards %+v %+v", student, a, b)
		}
	})
}

func TestAbilityPredictNoEvidence(t *testing.T) {
	p := DefaultAbilityParams()
	got := p.PredictCorrect(&Ability{}, []*Ability{{}}, 1)
	want := Sigmoid(-1 / math.Sqrt(1+math.Pi*(p.PriorVar+p.StandardPriorVar)/8))
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("PredictCorrect = %v, want %v", got, want)
	}
	if nilStd := p.PredictCorrect(&Ability{}, []*Ability{nil}, 1); nilStd != got {
		t.Errorf("a nil standard gives %v, an empty one %v", nilStd, got)
	}
}

func TestAbilityUpdateDoesNotAllocate(t *testing.T) {
	p := DefaultAbilityParams()
	var student, a, b Ability
	stds := []*Ability{&a, &b}
	allocs := testing.AllocsPerRun(100, func() {
		p.Update(&student, stds, 0.3, true)
		_ = p.PredictCorrect(&student, stds, 0.3)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per update, want 0", allocs)
	}
}

func TestAbilityValidate(t *testing.T) {
	if err := DefaultAbilityParams().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	bad := AbilityParams{PriorVar: 0, StandardPriorVar: math.Inf(1), Drift: -1, StandardDrift: math.NaN(), ItemRate: 1}
	err := bad.Validate()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) || len(ie.Fields) != 4 {
		t.Errorf("Validate = %v, want four fields", err)
	}
}

// TestFitRatingsRecoversDifficulty simulates students answering items
// of known difficulty (a Rasch model) and checks that the fitted ratings
// put the items in nearly the same order.
func TestFitRatingsRecoversDifficulty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const items, students, per = 60, 1500, 30
	diff := make([]float64, items)
	for i := range diff {
		diff[i] = rng.NormFloat64()
	}
	d := &TraceData{Items: items, Standards: 3}
	for range students {
		ability := rng.NormFloat64()
		d.Starts = append(d.Starts, len(d.Responses))
		for range per {
			i := rng.IntN(items)
			d.Responses = append(d.Responses, TraceResponse{
				Item: int32(i), Standards: []int32{int32(i % 3)}, Correct: rng.Float64() < Sigmoid(ability-diff[i]),
			})
		}
	}
	r := FitRatings(d, DefaultAbilityParams(), nil)
	if rho := spearman(diff, r.Items); rho < 0.95 {
		t.Errorf("rank correlation of ratings with true difficulty = %.3f, want at least 0.95", rho)
	}
	total := 0
	for _, n := range r.Responses {
		total += n
	}
	if total != students*per {
		t.Errorf("ratings counted %d responses, want %d", total, students*per)
	}
	none := FitRatings(d, DefaultAbilityParams(), func(int) bool { return false })
	for i, v := range none.Items {
		if v != 0 || none.Responses[i] != 0 {
			t.Fatalf("with no students included, item %d has rating %v from %d responses", i, v, none.Responses[i])
		}
	}
}

// spearman is the rank correlation of a and b.
func spearman(a, b []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(x, y int) bool { return v[idx[x]] < v[idx[y]] })
		r := make([]float64, len(v))
		for pos, i := range idx {
			r[i] = float64(pos)
		}
		return r
	}
	ra, rb := rank(a), rank(b)
	n := float64(len(a))
	var d2 float64
	for i := range ra {
		d2 += (ra[i] - rb[i]) * (ra[i] - rb[i])
	}
	return 1 - 6*d2/(n*(n*n-1))
}
