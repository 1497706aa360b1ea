package mastery

import (
	"math"
	"slices"

	"github.com/cairn-learning/cairn/internal/standards"
)

// Each method below takes the evidence in the order it counts, oldest first,
// with values already on the scale, sets each Input's Weight to its share of
// the result and returns the (unclamped) result. in is never empty.

// decayingAverage: s1 = x1, sk = w·xk + (1-w)·s(k-1). Unrolled, the latest
// evidence weighs w, the one before w(1-w), and so on back to the oldest,
// which keeps what is left, (1-w)^(n-1), so the weights sum to 1.
func decayingAverage(in []Input, w float64) float64 {
	s := in[0].Value
	for i := 1; i < len(in); i++ {
		s = w*in[i].Value + (1-w)*s
	}
	left := 1.0
	for i := len(in) - 1; i > 0; i-- {
		in[i].Weight = w * left
		left *= 1 - w
	}
	in[0].Weight = left
	return s
}

// weightedAverage: w·latest + (1-w)·mean(earlier evidence). A single piece
// of evidence is its own result.
func weightedAverage(in []Input, w float64) float64 {
	n := len(in)
	if n == 1 {
		in[0].Weight = 1
		return in[0].Value
	}
	share := (1 - w) / float64(n-1)
	var sum float64
	for i := 0; i < n-1; i++ {
		sum += in[i].Value
		in[i].Weight = share
	}
	in[n-1].Weight = w
	return w*in[n-1].Value + (1-w)*sum/float64(n-1)
}

// mostRecent: the latest evidence.
func mostRecent(in []Input) float64 {
	last := &in[len(in)-1]
	last.Weight = 1
	return last.Value
}

// highest: the highest value; when several pieces share it, the latest of
// them carries the weight, being the most recent proof of it.
func highest(in []Input) float64 {
	best := 0
	for i := 1; i < len(in); i++ {
		if in[i].Value >= in[best].Value {
			best = i
		}
	}
	in[best].Weight = 1
	return in[best].Value
}

// mean: every piece of evidence counts the same.
func mean(in []Input) float64 {
	share := 1 / float64(len(in))
	var sum float64
	for i := range in {
		sum += in[i].Value
		in[i].Weight = share
	}
	return sum / float64(len(in))
}

// stackLevels is the most levels mode counts without allocating.
const stackLevels = 16

// mode: the level the evidence falls in most often, ties going to the higher
// level; the result is that level's value. The evidence at that level shares
// the weight equally.
func mode(in []Input, scale standards.Scale) float64 {
	var buf [stackLevels]int
	var counts []int
	if len(scale.Levels) <= len(buf) {
		counts = buf[:len(scale.Levels)]
	} else {
		counts = make([]int, len(scale.Levels))
	}
	for i := range in {
		counts[levelIndex(scale, in[i].Value)]++
	}
	best := 0
	for l, c := range counts {
		if c >= counts[best] { // ascending, so a tie goes to the higher level
			best = l
		}
	}
	share := 1 / float64(counts[best])
	for i := range in {
		if levelIndex(scale, in[i].Value) == best {
			in[i].Weight = share
		}
	}
	return scale.Levels[best].Value
}

// levelIndex is the position in scale.Levels of the level v falls in: the
// highest level at or below v, allowing for epsilon, and the lowest level
// for anything below it.
func levelIndex(scale standards.Scale, v float64) int {
	for l := len(scale.Levels) - 1; l > 0; l-- {
		if v >= scale.Levels[l].Value-epsilon {
			return l
		}
	}
	return 0
}

// nTimes: mastered once at least n pieces of evidence are at or above the
// mastery cut. The value agrees with that:
//
//   - with n or more pieces of evidence, it is the n-th highest value, which
//     reaches the cut exactly when n values do;
//   - with fewer than n, mastery is out of reach whatever the scores, so the
//     value is the highest score but no more than the level just below the
//     cut (the scale's lowest level when the cut is the lowest level; on such
//     a scale the value cannot show "not yet", so only Mastered does).
//
// The evidence at or above the cut is marked with weight 1 and the rest 0:
// under this method a score counts or it does not, so these weights do not
// sum to 1. Mastered is returned because on a scale whose cut is its lowest
// level the value alone cannot carry it.
func nTimes(in []Input, scale standards.Scale, n int) (float64, bool) {
	cut := scale.MasteryCut
	qualifying := 0
	top := in[0].Value
	for i := range in {
		x := in[i].Value
		if reaches(x, cut) {
			in[i].Weight = 1
			qualifying++
		}
		top = max(top, x)
	}
	if len(in) < n {
		below := scale.Levels[0].Value
		for _, l := range scale.Levels {
			if l.Value < cut-epsilon {
				below = l.Value
			}
		}
		return min(top, below), false
	}
	var buf [stackOrder]float64
	var vals []float64
	if len(in) <= len(buf) {
		vals = buf[:len(in)]
	} else {
		vals = make([]float64, len(in))
	}
	for i := range in {
		vals[i] = in[i].Value
	}
	slices.Sort(vals)
	return vals[len(vals)-n], qualifying >= n
}

// lnAttempt holds ln k for the attempt numbers most histories reach, so that
// power_law takes one logarithm per piece of evidence rather than two.
var lnAttempt = func() [stackOrder + 1]float64 {
	var t [stackOrder + 1]float64
	for k := 1; k < len(t); k++ {
		t[k] = math.Log(float64(k))
	}
	return t
}()

// powerLaw fits score = A·k^b to the evidence by least squares on
// ln(score) = a + b·ln(k), where k = 1..n is each piece's position in the
// history, and reads the fitted curve at the latest attempt, k = n. Practice
// tends to improve performance along such a curve (the "power law of
// practice", Newell and Rosenbloom, 1981), and reading the curve at the
// latest attempt credits a rising trend more than a plain average does.
//
// Logarithms need positive scores. On a scale whose lowest level is 0 or
// below, every value is shifted up by 1-min so that the lowest level becomes
// 1, fitted, and the result shifted back down; on other scales nothing is
// shifted. Every piece of evidence takes part in the fit, so each is given
// weight 1/n, though the fit is not an average.
func powerLaw(in []Input, lo, hi float64) float64 {
	n := len(in)
	share := 1 / float64(n)
	for i := range in {
		in[i].Weight = share
	}
	if n == 1 {
		return in[0].Value
	}
	shift := 0.0
	if lo <= 0 {
		shift = 1 - lo
	}
	var st, sy, stt, sty float64
	for i := range in {
		var t float64
		if k := i + 1; k < len(lnAttempt) {
			t = lnAttempt[k]
		} else {
			t = math.Log(float64(k))
		}
		y := math.Log(in[i].Value + shift)
		st += t
		sy += y
		stt += t * t
		sty += t * y
	}
	fn := float64(n)
	b := (sty - st*sy/fn) / (stt - st*st/fn)
	a := (sy - b*st) / fn
	tn := math.Log(fn)
	if n < len(lnAttempt) {
		tn = lnAttempt[n]
	}
	return clamp(math.Exp(a+b*tn)-shift, lo, hi)
}
