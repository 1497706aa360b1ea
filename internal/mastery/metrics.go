package mastery

import (
	"cmp"
	"math"
	"slices"
)

// Scores are how well a model's probabilities of success predicted what
// students actually did.
type Scores struct {
	// N is the number of predictions scored.
	N int `json:"n"`
	// AUC is the area under the ROC curve: the probability that a correct
	// response drawn at random got a higher prediction than a wrong one,
	// ties counting half. 0.5 is chance, 1 is perfect. It is NaN when the
	// responses are all correct or all wrong, where it has no meaning.
	AUC float64 `json:"auc"`
	// RMSE is the root mean squared difference between prediction and
	// outcome (1 correct, 0 wrong).
	RMSE float64 `json:"rmse"`
	// Accuracy is the share of responses on the side of 0.5 that the
	// prediction was on; a prediction of exactly 0.5 counts as "correct".
	Accuracy float64 `json:"accuracy"`
	// LogLoss is the mean negative natural logarithm of the probability
	// given to what happened, with predictions held within 1e-15 of 0 and 1
	// so that one confident miss cannot make it infinite.
	LogLoss float64 `json:"logLoss"`
}

// logLossFloor keeps the log-loss finite; scikit-learn and most published
// figures clip at the same place, so the numbers stay comparable.
const logLossFloor = 1e-15

// Score scores predictions p of the outcomes correct (same length; extra
// elements of the longer slice are ignored). A NaN prediction is scored as
// 0.5, so that one broken prediction shows as a worse score, not a NaN.
// With no predictions every score is NaN.
func Score(p []float64, correct []bool) Scores {
	n := min(len(p), len(correct))
	s := Scores{N: n}
	if n == 0 {
		nan := math.NaN()
		s.AUC, s.RMSE, s.Accuracy, s.LogLoss = nan, nan, nan, nan
		return s
	}
	var sq, ll float64
	right := 0
	for i := range n {
		pi := clean(p[i])
		y := 0.0
		if correct[i] {
			y = 1
		}
		sq += (pi - y) * (pi - y)
		if (pi >= 0.5) == correct[i] {
			right++
		}
		q := min(max(pi, logLossFloor), 1-logLossFloor)
		if correct[i] {
			ll -= math.Log(q)
		} else {
			ll -= math.Log(1 - q)
		}
	}
	s.RMSE = math.Sqrt(sq / float64(n))
	s.Accuracy = float64(right) / float64(n)
	s.LogLoss = ll / float64(n)
	s.AUC = AUC(p[:n], correct[:n])
	return s
}

// clean maps NaN to 0.5 and holds p within [0, 1].
func clean(p float64) float64 {
	if math.IsNaN(p) {
		return 0.5
	}
	return min(max(p, 0), 1)
}

// AUC is the area under the ROC curve of predictions p for outcomes correct,
// computed as the Mann-Whitney statistic: every pair of a correct and a wrong
// response counts 1 when the correct one got the higher prediction and 1/2
// when they tie. Tied predictions share the mean of their ranks, which gives
// exactly that half. It is NaN when there are no correct or no wrong
// responses. NaN predictions count as 0.5. It sorts a copy, O(n log n).
func AUC(p []float64, correct []bool) float64 {
	n := min(len(p), len(correct))
	type pair struct {
		p float64
		y bool
	}
	ps := make([]pair, n)
	pos := 0
	for i := range n {
		ps[i] = pair{clean(p[i]), correct[i]}
		if correct[i] {
			pos++
		}
	}
	neg := n - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	slices.SortFunc(ps, func(a, b pair) int { return cmp.Compare(a.p, b.p) })
	// rankSum is the sum of the (1-based, tie-averaged) ranks of the
	// correct responses.
	var rankSum float64
	for i := 0; i < n; {
		j := i
		tiedPos := 0
		for j < n && ps[j].p == ps[i].p {
			if ps[j].y {
				tiedPos++
			}
			j++
		}
		// Ranks i+1..j share their mean.
		rankSum += float64(tiedPos) * float64(i+1+j) / 2
		i = j
	}
	u := rankSum - float64(pos)*float64(pos+1)/2
	return u / (float64(pos) * float64(neg))
}
