package mastery

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/standards"
)

// Summary tells in one or two plain sentences how st, the state this
// Explanation belongs to, was reached on scale, for a student or a guardian:
//
//	Decaying average of 5 pieces of evidence, latest counting 65%: 3.4, Proficient (mastery is 3 Proficient or above). Mastered.
//
// It is built for pages, not for Compute, which never calls it.
func (e Explanation) Summary(scale standards.Scale, st State) string {
	return summaryEnglish(summaryFactsOf(e, scale, st))
}

// summaryFacts is what a summary says, free of any language, so that the
// sentences themselves are built in one function per language.
type summaryFacts struct {
	method MethodName
	rollup RollupRule
	none   bool // no evidence at all

	evidence   int    // pieces of evidence
	weightPct  string // latest evidence's share, "65"
	restPct    string // the earlier evidence's share together, "35"
	n          int    // scores needed (n_times)
	qualifying int    // scores at or above the cut (n_times)
	modeCount  int    // pieces of evidence at the chosen level (mode)

	children    int // child standards (rollup)
	assessed    int // of which have evidence
	masteredKid int // of which are mastered

	value    string // the result, "3.4"
	level    string // its level's label, "Proficient"
	cut      string // the mastery cut, "3"
	cutLabel string // its label, "Proficient", or "" when the cut is not a level
	mastered bool

	// The model's part, when the state has one.
	model      bool
	ability    bool // the model is the ability model, not BKT
	masteredBy MasteredBy
	fitted     bool
	responses  int
	right      int
	pMastered  string  // "72"
	pNext      string  // "68"
	verdict    Verdict // the model's own verdict
}

func summaryFactsOf(e Explanation, scale standards.Scale, st State) summaryFacts {
	f := summaryFacts{
		method:    e.Method,
		rollup:    e.Rollup,
		none:      st.EvidenceCount == 0,
		evidence:  st.EvidenceCount,
		n:         e.N,
		value:     formatValue(scale, st.Value),
		level:     st.LevelLabel,
		cut:       formatNumber(e.Cut),
		mastered:  st.Mastered,
		weightPct: formatNumber(math.Round(e.Weight*1000) / 10),
		restPct:   formatNumber(math.Round((1-e.Weight)*1000) / 10),
	}
	for _, l := range scale.Levels {
		if l.Value == e.Cut {
			f.cutLabel = l.Label
		}
	}
	for _, in := range e.Inputs {
		if e.Method == NTimes && in.Weight > 0 {
			f.qualifying++
		}
		if e.Method == Mode && in.Weight > 0 {
			f.modeCount++
		}
	}
	if e.Model != nil && st.Model != nil {
		f.model = true
		f.ability = e.Model.Model == "ability"
		f.masteredBy = e.Model.MasteredBy
		f.fitted = e.Model.Fitted
		f.responses = e.Model.Responses
		f.right = e.Model.Right
		f.pMastered = Percent(st.Model.PMastered)
		f.pNext = Percent(st.Model.PCorrectNext)
		f.verdict = st.Model.Verdict
	}
	f.children = len(e.Children)
	for _, c := range e.Children {
		if c.Assessed {
			f.assessed++
		}
		if c.Mastered {
			f.masteredKid++
		}
	}
	return f
}

// summaryEnglish builds the English summary. Every English word a summary
// uses is here.
func summaryEnglish(f summaryFacts) string {
	if f.none {
		return "No evidence yet."
	}
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	pieces := plural(f.evidence, "piece of evidence", "pieces of evidence")

	var how string
	switch {
	case f.rollup != "":
		unassessed := ""
		if missing := f.children - f.assessed; missing > 0 {
			unassessed = fmt.Sprintf(" (%s no evidence yet)", plural(missing, "more standard has", "more standards have"))
		}
		switch f.rollup {
		case RollupLowest:
			how = fmt.Sprintf("Lowest of %s with evidence%s", plural(f.assessed, "standard", "standards"), unassessed)
		case RollupAllMastered:
			how = fmt.Sprintf("Mastered when all %s are; %s so far%s. Average of those with evidence",
				plural(f.children, "standard", "standards"), plural(f.masteredKid, "is", "are"), unassessed)
		default:
			how = fmt.Sprintf("Average of %s with evidence%s", plural(f.assessed, "standard", "standards"), unassessed)
		}
	case f.method == NTimes:
		how = fmt.Sprintf("At or above mastery %s in %s, %d needed",
			plural(f.qualifying, "time", "times"), pieces, f.n)
	case f.evidence == 1:
		how = "Based on 1 piece of evidence"
	case f.method == WeightedAverage:
		how = fmt.Sprintf("Weighted average of %s, latest counting %s%% and the %d earlier ones %s%% together",
			pieces, f.weightPct, f.evidence-1, f.restPct)
	case f.method == MostRecent:
		how = "Most recent of " + pieces
	case f.method == Highest:
		how = "Highest of " + pieces
	case f.method == Mean:
		how = fmt.Sprintf("Average of %s, each counting the same", pieces)
	case f.method == Mode:
		how = fmt.Sprintf("Level seen most often in %s (%s)", pieces, plural(f.modeCount, "time", "times"))
	case f.method == PowerLaw:
		how = fmt.Sprintf("Growth trend through all %s, read at the latest", pieces)
	default:
		how = fmt.Sprintf("Decaying average of %s, latest counting %s%%", pieces, f.weightPct)
	}

	cut := f.cut
	if f.cutLabel != "" {
		cut += " " + f.cutLabel
	}
	verdict := "Not mastered yet."
	switch {
	case f.model && f.masteredBy == MasteredByModel && f.mastered:
		verdict = "Mastered, as the model judges."
	case f.model && f.masteredBy == MasteredByModel:
		verdict = "Not mastered yet, as the model judges."
	case f.model && f.masteredBy == MasteredByBoth && f.mastered:
		verdict = "Mastered: the value and the model agree."
	case f.model && f.masteredBy == MasteredByBoth:
		verdict = "Not mastered yet: the value and the model must agree."
	case f.mastered:
		verdict = "Mastered."
	}
	out := fmt.Sprintf("%s: %s, %s (mastery is %s or above). %s", how, f.value, f.level, cut, verdict)
	if !f.model {
		return out
	}
	params := "default parameters"
	if f.fitted {
		params = "parameters fitted to this district's evidence"
	}
	judged := "needs more evidence"
	switch f.verdict {
	case VerdictMastered:
		judged = "the model is sure"
	case VerdictNotYet:
		judged = "the model is sure it is not"
	}
	name := "Bayesian Knowledge Tracing"
	if f.ability {
		name = "The ability model of the district's logistic model"
	}
	return fmt.Sprintf("%s %s (%s) read %s, %s at mastery: %s%% likely mastered (%s); %s%% chance the next score reaches mastery.",
		out, name, params, plural(f.responses, "response", "responses"), strconv.Itoa(f.right), f.pMastered, judged, f.pNext)
}

// Percent shows a probability as a whole percentage, never rounding to 0
// or 100 a probability that is neither: 0.996 shows as 99, 0.004 as 1.
func Percent(p float64) string {
	v := math.Round(p * 100)
	switch {
	case v >= 100 && p < 1:
		v = 99
	case v <= 0 && p > 0:
		v = 1
	}
	return strconv.Itoa(int(v))
}

// formatValue shows v to two decimals at most, never rounding it up into a
// level it has not reached: 2.996 shows as 2.99, not 3.
func formatValue(scale standards.Scale, v float64) string {
	r := math.Round(v*100) / 100
	if len(scale.Levels) > 0 && scale.LevelOf(r).Value != scale.LevelOf(v).Value {
		r = math.Floor(v*100) / 100
	}
	return formatNumber(r)
}

// formatNumber shows x rounded to two decimals, halves away from zero, with
// no trailing zeros.
func formatNumber(x float64) string {
	s := strconv.FormatFloat(math.Round(x*100)/100+0, 'f', 2, 64) // + 0 turns -0 into 0
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
