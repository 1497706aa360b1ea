package mastery

import (
	"math"

	"github.com/cairn-learning/cairn/internal/problem"
)

// BKTParams are the parameters of Bayesian Knowledge Tracing (Corbett &
// Anderson, 1995) for one standard. BKT sees a student's hold on a standard
// as one hidden bit, mastered or not, observed through right and wrong
// answers:
//
//	P(L0)            = Prior                      mastered before any evidence
//	P(L(t+1) | ¬Lt)  = Learn                      learns it between two responses
//	P(¬L(t+1) | Lt)  = Forget                     forgets it (0 in classic BKT)
//	P(right | ¬Lt)   = Guess                      right without mastery
//	P(wrong | Lt)    = Slip                       wrong despite mastery
//
// Guess and Slip stay below 0.5 (see BKTFitOptions): a "guess" above 0.5
// would mean that not knowing helps, and the two states could swap names
// while explaining the data equally well.
type BKTParams struct {
	Prior  float64 `json:"prior"`
	Learn  float64 `json:"learn"`
	Guess  float64 `json:"guess"`
	Slip   float64 `json:"slip"`
	Forget float64 `json:"forget,omitempty"`
}

// DefaultBKTParams are the parameters of a standard with too little
// evidence to fit, from the usual starting values in the BKT literature: a
// student has a 40% chance of already knowing it, a 10% chance of learning
// it at each opportunity, guesses right a fifth of the time and slips a
// tenth.
func DefaultBKTParams() BKTParams {
	return BKTParams{Prior: 0.4, Learn: 0.1, Guess: 0.2, Slip: 0.1}
}

// Validate checks that every parameter is a probability and that guess and
// slip are below 0.5.
func (p BKTParams) Validate() error {
	var errs problem.Fields
	check := func(field string, v, hi float64) {
		if math.IsNaN(v) || v < 0 || v > hi {
			errs.Addf(field, "%g is not between 0 and %g", v, hi)
		}
	}
	check("prior", p.Prior, 1)
	check("learn", p.Learn, 1)
	check("forget", p.Forget, 1)
	check("guess", p.Guess, 0.5)
	check("slip", p.Slip, 0.5)
	if p.Guess == 0.5 && p.Slip == 0.5 {
		errs.Add("guess", "guess and slip of 0.5 make every answer a coin toss")
	}
	return errs.Err()
}

// BKTState is one student's BKT state on one standard: the probability that
// the standard is mastered before the next piece of evidence, and how much
// evidence went into it. It is small and plain so that the store can keep it
// in a row and update it in the transaction that records the evidence.
//
// The zero BKTState is a student with no evidence: while N is 0, PMastered
// is ignored and the standard's Prior used instead, so a missing row needs
// no special case and a refit prior applies to students not yet assessed.
type BKTState struct {
	PMastered float64 `json:"pMastered"`
	N         int     `json:"n"`
}

// Mastery returns the probability that the standard is mastered in state s.
func (p BKTParams) Mastery(s BKTState) float64 {
	if s.N == 0 {
		return p.Prior
	}
	return s.PMastered
}

// PredictCorrect returns the probability that the next response is right:
// P(L)(1-Slip) + (1-P(L))Guess.
func (p BKTParams) PredictCorrect(s BKTState) float64 {
	l := p.Mastery(s)
	return l*(1-p.Slip) + (1-l)*p.Guess
}

// Update returns the state after one more response, right or wrong. It
// conditions P(mastered) on the response by Bayes' rule, then lets the
// student learn (or forget) before the next one:
//
//	right: P(L|obs) = P(L)(1-Slip) / (P(L)(1-Slip) + (1-P(L))Guess)
//	wrong: P(L|obs) = P(L)Slip / (P(L)Slip + (1-P(L))(1-Guess))
//	next:  P(L') = P(L|obs)(1-Forget) + (1-P(L|obs))Learn
//
// It is O(1) and does not allocate. When the response is impossible under
// the parameters (Guess 0 and a right answer without any chance of
// mastery), P(L|obs) is left at P(L) rather than dividing by zero.
func (p BKTParams) Update(s BKTState, correct bool) BKTState {
	l := p.Mastery(s)
	var num, den float64
	if correct {
		num = l * (1 - p.Slip)
		den = num + (1-l)*p.Guess
	} else {
		num = l * p.Slip
		den = num + (1-l)*(1-p.Guess)
	}
	post := l
	if den > 0 {
		post = num / den
	}
	return BKTState{PMastered: post*(1-p.Forget) + (1-post)*p.Learn, N: s.N + 1}
}

// Replay returns the state after the responses in order, starting from no
// evidence: what the store recomputes after the parameters are refitted.
func (p BKTParams) Replay(correct []bool) BKTState {
	var s BKTState
	for _, c := range correct {
		s = p.Update(s, c)
	}
	return s
}

// BKTPredictMulti returns the probability of a right answer to an item that
// assesses several standards at once, given each standard's probability of
// a right answer: the lowest of them. An item is taken to be as hard as its
// weakest standard for the student; a product of the probabilities would
// treat the standards as independent hurdles and come out far below the
// rates seen on such items, because each probability already includes the
// chance of a guess.
func BKTPredictMulti(p []float64) float64 {
	if len(p) == 0 {
		return math.NaN()
	}
	lo := p[0]
	for _, v := range p[1:] {
		lo = min(lo, v)
	}
	return lo
}
