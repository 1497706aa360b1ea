package mastery

import (
	"slices"
	"testing"

	"github.com/cairn-learning/cairn/internal/standards"
)

var benchSink State

// BenchmarkCompute runs every method on a 10-piece history, in the order the
// store sends it, and once on the same history in reverse.
func BenchmarkCompute(b *testing.B) {
	scale := standards.DefaultScale()
	obs := history(1, 2, 2, 3, 2.5, 3, 3.5, 3, 4, 3.25)
	run := func(b *testing.B, m Method, obs []Observation) {
		b.ReportAllocs()
		for b.Loop() {
			benchSink = Compute(m, scale, obs)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	}
	for _, name := range Methods {
		b.Run(string(name), func(b *testing.B) { run(b, Method{Name: name, Weight: 0.65, N: 3}, obs) })
	}
	reversed := slices.Clone(obs)
	slices.Reverse(reversed)
	for _, name := range []MethodName{DecayingAverage, PowerLaw} {
		b.Run(string(name)+"/unsorted", func(b *testing.B) { run(b, Method{Name: name, Weight: 0.65, N: 3}, reversed) })
	}
}

// BenchmarkRollup rolls up eight child standards, one of them unassessed.
func BenchmarkRollup(b *testing.B) {
	scale := standards.DefaultScale()
	children := make([]Child, 8)
	for i := range children {
		children[i] = Child{StandardID: int64(i + 1)}
		if i > 0 {
			children[i].State = Compute(DefaultPolicy().Method, scale, history(float64(1+i%4), 3, 2.5))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		benchSink = Rollup(RollupMean, scale, children)
	}
}
