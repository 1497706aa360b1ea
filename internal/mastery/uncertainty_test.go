package mastery

import (
	"math"
	"testing"
)

func TestBKTEstimate(t *testing.T) {
	p := DefaultBKTParams() // prior .4, learn .1, guess .2, slip .1
	tests := []struct {
		name      string
		responses []bool
		verdict   Verdict
		low, high float64
	}{
		{"no evidence", nil, VerdictNeedsEvidence, 0.2, 0.9},
		{"one right", []bool{true}, VerdictNeedsEvidence, 0.2, 0.9},
		{"three right", []bool{true, true, true}, VerdictMastered, 0.9, 0.9},
		// After wrong answers BKT's next-response belief never drops below
		// Learn, but the evidence itself says "not yet".
		{"two wrong", []bool{false, false}, VerdictNotYet, 0.2, 0.9},
		{"many wrong", []bool{false, false, false, false, false}, VerdictNotYet, 0.2, 0.9},
		{"mixed", []bool{true, false, true, false}, VerdictNeedsEvidence, 0.2, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := p.Replay(tt.responses)
			e := p.Estimate(s, EstimateOptions{})
			if e.Verdict != tt.verdict {
				t.Errorf("verdict %q (P(mastered) %.3f), want %q", e.Verdict, e.PMastered, tt.verdict)
			}
			if math.Abs(e.Low-tt.low) > 1e-12 || math.Abs(e.High-tt.high) > 1e-12 {
				t.Errorf("interval [%v, %v], want [%v, %v]", e.Low, e.High, tt.low, tt.high)
			}
			if e.PCorrectNext != p.PredictCorrect(s) || e.Evidence != len(tt.responses) {
				t.Errorf("next %v evidence %d, want %v and %d", e.PCorrectNext, e.Evidence, p.PredictCorrect(s), len(tt.responses))
			}
			if e.PMastered < 0 || e.PMastered > 1 {
				t.Errorf("P(mastered) = %v", e.PMastered)
			}
		})
	}
	t.Run("posterior before learning", func(t *testing.T) {
		// One wrong answer: P(L|wrong) = 1/13 before the chance to learn.
		e := p.Estimate(p.Update(BKTState{}, false), EstimateOptions{})
		if math.Abs(e.PMastered-1.0/13) > 1e-12 {
			t.Errorf("P(mastered) = %v, want 1/13", e.PMastered)
		}
	})
}

func TestAbilityEstimate(t *testing.T) {
	p := DefaultAbilityParams()
	var student, std Ability
	const rating = -1 // the standard's typical item: easier than average
	fresh := p.Estimate(&student, &std, rating, EstimateOptions{})
	if fresh.Verdict != VerdictNeedsEvidence || fresh.Evidence != 0 {
		t.Errorf("no evidence: %+v, want needs more evidence", fresh)
	}
	if !(fresh.Low < fresh.PCorrectNext && fresh.PCorrectNext < fresh.High) {
		t.Errorf("no evidence: next %v is not inside [%v, %v]", fresh.PCorrectNext, fresh.Low, fresh.High)
	}
	if nilStd := p.Estimate(&student, nil, rating, EstimateOptions{}); nilStd != fresh {
		t.Errorf("a nil standard gives %+v, an empty one %+v", nilStd, fresh)
	}
	stds := []*Ability{&std}
	prevWidth := fresh.High - fresh.Low
	for i := range 30 {
		p.Update(&student, stds, rating, true)
		e := p.Estimate(&student, &std, rating, EstimateOptions{})
		if w := e.High - e.Low; w > prevWidth+1e-12 {
			t.Fatalf("after %d right answers the interval widened from %v to %v", i+1, prevWidth, w)
		} else {
			prevWidth = w
		}
	}
	if e := p.Estimate(&student, &std, rating, EstimateOptions{}); e.Verdict != VerdictMastered || e.Evidence != 30 {
		t.Errorf("after 30 right answers: %+v, want mastered", e)
	}
	var weak, weakStd Ability
	for range 30 {
		p.Update(&weak, []*Ability{&weakStd}, rating, false)
	}
	if e := p.Estimate(&weak, &weakStd, rating, EstimateOptions{}); e.Verdict != VerdictNotYet {
		t.Errorf("after 30 wrong answers: %+v, want not yet", e)
	}
	// A stricter target makes mastery less likely.
	strict := p.Estimate(&student, &std, rating, EstimateOptions{Target: 0.99})
	lax := p.Estimate(&student, &std, rating, EstimateOptions{Target: 0.6})
	if !(strict.PMastered < lax.PMastered) {
		t.Errorf("P(mastered) %v at target .99 is not below %v at .6", strict.PMastered, lax.PMastered)
	}
}
