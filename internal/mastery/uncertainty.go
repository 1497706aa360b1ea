package mastery

import "math"

// Verdict is what an estimate of mastery says in words a teacher can act
// on.
type Verdict string

// The verdicts.
const (
	// VerdictMastered: the model is at least Confidence sure that the
	// standard is mastered.
	VerdictMastered Verdict = "mastered"
	// VerdictNotYet: the model is at least Confidence sure that it is not.
	VerdictNotYet Verdict = "not_yet"
	// VerdictNeedsEvidence: the model cannot tell either way yet; more
	// evidence is needed.
	VerdictNeedsEvidence Verdict = "needs_more_evidence"
)

// EstimateOptions set how estimates turn into verdicts and intervals. The
// zero value uses the defaults given for each field.
type EstimateOptions struct {
	// Confidence is how sure a model must be before it calls a standard
	// mastered, or not yet mastered. 0 means 0.95, the mastery criterion
	// of Corbett and Anderson (1995).
	Confidence float64
	// Target is the probability of a right answer to a typical item of
	// the standard that counts as mastery under the ability model. 0
	// means 0.8.
	Target float64
	// Level is the probability the interval holds. 0 means 0.9.
	Level float64
}

func (o EstimateOptions) withDefaults() EstimateOptions {
	in := func(v *float64, d float64) {
		if !(*v > 0 && *v < 1) {
			*v = d
		}
	}
	in(&o.Confidence, 0.95)
	in(&o.Target, 0.8)
	in(&o.Level, 0.9)
	return o
}

// MasteryEstimate is where a model puts a student on one standard, with
// how sure it is.
type MasteryEstimate struct {
	// PMastered is the probability that the standard is mastered.
	PMastered float64 `json:"pMastered"`
	// PCorrectNext is the probability of a right answer to the next
	// (typical) item of the standard.
	PCorrectNext float64 `json:"pCorrectNext"`
	// Low and High bound the student's probability of a right answer with
	// probability Level, given what the model believes about the student.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Evidence is how many responses on the standard went into it.
	Evidence int     `json:"evidence"`
	Verdict  Verdict `json:"verdict"`
}

func verdict(pMastered float64, o EstimateOptions) Verdict {
	switch {
	case pMastered >= o.Confidence:
		return VerdictMastered
	case pMastered <= 1-o.Confidence:
		return VerdictNotYet
	}
	return VerdictNeedsEvidence
}

// Estimate returns BKT's estimate for a student in state s.
//
// PMastered is the probability of mastery given the evidence so far. The
// state holds that probability carried forward to the next response, which
// includes the chance of learning in between (Learn): after any number of
// wrong answers it never falls below Learn, and a verdict read from it
// would never say "not yet". So Estimate takes the chance of learning back
// out: P(L|evidence) = (P(L') − Learn)/(1 − Forget − Learn).
//
// BKT believes the student either has the standard, and answers right with
// probability 1−Slip, or has not, and answers right with probability Guess;
// so the interval of the student's probability of a right answer is the
// central Level interval of that two-point belief: [Guess, 1−Slip] while
// the model is unsure, one point when it is sure either way.
func (p BKTParams) Estimate(s BKTState, opt EstimateOptions) MasteryEstimate {
	o := opt.withDefaults()
	l := p.Mastery(s)
	if d := 1 - p.Forget - p.Learn; s.N > 0 && d > 0 {
		l = min(max((l-p.Learn)/d, 0), 1)
	}
	next := p.Mastery(s)
	tail := (1 - o.Level) / 2
	lo, hi := p.Guess, 1-p.Slip
	if 1-next < tail {
		lo = hi
	}
	if next < tail {
		hi = lo
	}
	return MasteryEstimate{
		PMastered: l, PCorrectNext: p.PredictCorrect(s), Low: min(lo, hi), High: max(lo, hi),
		Evidence: s.N, Verdict: verdict(l, o),
	}
}

// Estimate returns the ability model's estimate for a student with overall
// ability student and ability standard on a standard whose typical item
// has the given rating (StandardWeights.Rating). The student's log-odds of
// a right answer to such an item are normal with mean z and variance s
// (Logit); so the interval is σ(z ± q·√s), q the normal quantile of the
// Level, and the probability of mastery is the probability that the
// log-odds reach those of the Target: Φ((z − logit(Target))/√s).
func (p AbilityParams) Estimate(student, standard *Ability, rating float64, opt EstimateOptions) MasteryEstimate {
	o := opt.withDefaults()
	buf := [1]*Ability{standard}
	z, s := p.Logit(student, buf[:], rating)
	sd := math.Sqrt(s)
	q := math.Sqrt2 * math.Erfinv(o.Level)
	pm := 0.5 * math.Erfc(-(z-Logit(o.Target))/(sd*math.Sqrt2))
	n := 0
	if standard != nil {
		n = standard.N
	}
	return MasteryEstimate{
		PMastered: pm, PCorrectNext: Sigmoid(z / math.Sqrt(1+math.Pi*s/8)),
		Low: Sigmoid(z - q*sd), High: Sigmoid(z + q*sd),
		Evidence: n, Verdict: verdict(pm, o),
	}
}
