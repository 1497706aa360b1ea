package mastery

import (
	"math"

	"github.com/cairn-learning/cairn/internal/problem"
)

// Ability is what the model believes about a student's ability, on the
// logit scale, after N responses: a normal distribution with mean Mean and
// variance Var. The zero Ability is a student with no evidence; while N is
// 0 the prior variance of AbilityParams is used, so a missing row needs no
// special case.
type Ability struct {
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
	N    int     `json:"n"`
}

// AbilityParams are the parameters of the ability model, an Elo rating
// system (Pelánek, 2016) that keeps its uncertainty. The probability that a
// student answers an item right is
//
//	P(right) = σ(θ + Σ w_k·θ_k − d)
//
// with θ the student's overall ability, θ_k the student's ability on
// standard k above or below it (w_k = 1/m for an item on m standards), d
// the item's rating (its difficulty) and σ the logistic function. Each
// ability is a normal belief; after a response the beliefs move by one
// Newton step of the log-likelihood (a Laplace, or extended Kalman filter,
// update), which is Elo's update with a step that shrinks as evidence
// accumulates:
//
//	S   = Var(θ) + Σ w_k² Var(θ_k)        h = p(1−p)
//	θ  += Var(θ)·(y−p)/(1+hS)            Var(θ)   −= h·Var(θ)²/(1+hS)
//	θ_k += w_k Var(θ_k)·(y−p)/(1+hS)     Var(θ_k) −= h·w_k²·Var(θ_k)²/(1+hS)
//
// and then every variance grows by the drift, because students learn and
// forget: the model never becomes certain enough to stop listening.
type AbilityParams struct {
	// PriorVar and StandardPriorVar are the variances of a new student's
	// overall and per-standard abilities.
	PriorVar         float64 `json:"priorVar"`
	StandardPriorVar float64 `json:"standardPriorVar"`
	// Drift and StandardDrift are added to the variances after each
	// response.
	Drift         float64 `json:"drift"`
	StandardDrift float64 `json:"standardDrift"`
	// ItemRate and ItemDecay set how item ratings are fitted: the n-th
	// response to an item moves its rating by ItemRate/(1+ItemDecay·n)
	// times the surprise (y−p), as in Elo.
	ItemRate  float64 `json:"itemRate"`
	ItemDecay float64 `json:"itemDecay"`
}

// DefaultAbilityParams are the parameters that predicted held-out
// training students of ASSISTments 2009 best (docs/kt.md): a new student's
// overall ability is uncertain (a standard deviation of 1.4 logits), the
// part specific to one standard less so (0.5), and a drift of 0.003 a
// response keeps ratings moving, by about 0.05 logit a response however
// much evidence there is.
func DefaultAbilityParams() AbilityParams {
	return AbilityParams{PriorVar: 2, StandardPriorVar: 0.25, Drift: 0.003, StandardDrift: 0.003, ItemRate: 0.8, ItemDecay: 0.05}
}

// Validate checks that the variances are positive and the rates usable.
func (p AbilityParams) Validate() error {
	var errs problem.Fields
	pos := func(field string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			errs.Addf(field, "%g is not a positive number", v)
		}
	}
	nonneg := func(field string, v float64) {
		if !(v >= 0) || math.IsInf(v, 0) {
			errs.Addf(field, "%g is not a number at or above 0", v)
		}
	}
	pos("priorVar", p.PriorVar)
	pos("standardPriorVar", p.StandardPriorVar)
	nonneg("drift", p.Drift)
	nonneg("standardDrift", p.StandardDrift)
	pos("itemRate", p.ItemRate)
	nonneg("itemDecay", p.ItemDecay)
	return errs.Err()
}

// variance returns a's variance, the prior's while it has no evidence.
func varianceOf(a *Ability, prior float64) float64 {
	if a == nil || a.N == 0 {
		return prior
	}
	return a.Var
}

func meanOf(a *Ability) float64 {
	if a == nil || a.N == 0 {
		return 0
	}
	return a.Mean
}

// Logit returns the mean z of the student's log-odds of a right answer to
// an item of the given rating, and its variance s. standards are the
// student's abilities on the item's standards (nil entries are standards
// with no evidence).
func (p AbilityParams) Logit(student *Ability, standards []*Ability, rating float64) (z, s float64) {
	z = meanOf(student) - rating
	s = varianceOf(student, p.PriorVar)
	if m := len(standards); m > 0 {
		w := 1 / float64(m)
		for _, a := range standards {
			z += w * meanOf(a)
			s += w * w * varianceOf(a, p.StandardPriorVar)
		}
	}
	return z, s
}

// PredictCorrect returns the probability of a right answer, averaged over
// the uncertainty about the student's ability by the probit approximation
// σ(z/√(1+πs/8)): an uncertain prediction is pulled toward 0.5.
func (p AbilityParams) PredictCorrect(student *Ability, standards []*Ability, rating float64) float64 {
	z, s := p.Logit(student, standards, rating)
	return Sigmoid(z / math.Sqrt(1+math.Pi*s/8))
}

// Update moves the abilities after a response (see AbilityParams). It is
// O(number of standards) and does not allocate; nil standards are skipped.
func (p AbilityParams) Update(student *Ability, standards []*Ability, rating float64, correct bool) {
	z, s := p.Logit(student, standards, rating)
	pr := Sigmoid(z)
	h := pr * (1 - pr)
	r := -pr
	if correct {
		r = 1 - pr
	}
	den := 1 + h*s
	v := varianceOf(student, p.PriorVar)
	student.Mean = meanOf(student) + v*r/den
	student.Var = v - h*v*v/den + p.Drift
	student.N++
	if m := len(standards); m > 0 {
		w := 1 / float64(m)
		for _, a := range standards {
			if a == nil {
				continue
			}
			v := varianceOf(a, p.StandardPriorVar)
			a.Mean = meanOf(a) + w*v*r/den
			a.Var = v - h*w*w*v*v/den + p.StandardDrift
			a.N++
		}
	}
}

// itemStep is the Elo step of an item's n-th response.
func (p AbilityParams) itemStep(n int) float64 {
	return p.ItemRate / (1 + p.ItemDecay*float64(n))
}
