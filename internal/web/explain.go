package web

import (
	"math"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/standards"
)

// explainText says in one or two sentences how a mastery state was
// reached, in the printer's language, from the structured explanation
// the engine keeps with every state. In English it reads exactly like
// mastery.Explanation.Summary (a test holds the two equal); other
// languages get the same facts in their own words from the catalog.
func explainText(pr *i18n.Printer, scale standards.Scale, st mastery.State) string {
	e := st.Explanation
	if st.EvidenceCount == 0 {
		return pr.T("explain.none")
	}
	pieces := pr.N("explain.pieces", st.EvidenceCount)
	pct := func(w float64) string { return pr.T("number.percent", pr.Number(math.Round(w*1000)/10)) }

	var qualifying, modeCount, assessed, masteredKids int
	for _, in := range e.Inputs {
		if e.Method == mastery.NTimes && in.Weight > 0 {
			qualifying++
		}
		if e.Method == mastery.Mode && in.Weight > 0 {
			modeCount++
		}
	}
	for _, c := range e.Children {
		if c.Assessed {
			assessed++
		}
		if c.Mastered {
			masteredKids++
		}
	}

	var how string
	switch {
	case e.Rollup != "":
		unassessed := ""
		if missing := len(e.Children) - assessed; missing > 0 {
			unassessed = pr.N("explain.unassessed", missing)
		}
		switch e.Rollup {
		case mastery.RollupLowest:
			how = pr.T("explain.how.lowest", pr.N("explain.standards", assessed), unassessed)
		case mastery.RollupAllMastered:
			how = pr.T("explain.how.all_mastered", pr.N("explain.standards", len(e.Children)), pr.N("explain.mastered_so_far", masteredKids), unassessed)
		default:
			how = pr.T("explain.how.rollup_mean", pr.N("explain.standards", assessed), unassessed)
		}
	case e.Method == mastery.NTimes:
		how = pr.T("explain.how.n_times", pr.N("explain.times", qualifying), pieces, e.N)
	case st.EvidenceCount == 1:
		how = pr.T("explain.how.one")
	case e.Method == mastery.WeightedAverage:
		how = pr.T("explain.how.weighted_average", pieces, pct(e.Weight), st.EvidenceCount-1, pct(1-e.Weight))
	case e.Method == mastery.MostRecent:
		how = pr.T("explain.how.most_recent", pieces)
	case e.Method == mastery.Highest:
		how = pr.T("explain.how.highest", pieces)
	case e.Method == mastery.Mean:
		how = pr.T("explain.how.mean", pieces)
	case e.Method == mastery.Mode:
		how = pr.T("explain.how.mode", pieces, pr.N("explain.times", modeCount))
	case e.Method == mastery.PowerLaw:
		how = pr.T("explain.how.power_law", pieces)
	default:
		how = pr.T("explain.how.decaying_average", pieces, pct(e.Weight))
	}

	cut := pr.Number(e.Cut)
	for _, l := range scale.Levels {
		if l.Value == e.Cut {
			cut = pr.T("explain.cut", cut, levelLabel(pr, l.Label))
		}
	}
	model := e.Model != nil && st.Model != nil
	by := mastery.MasteredByMethod
	if model {
		by = e.Model.MasteredBy
	}
	verdict := pr.T("explain.not_mastered")
	switch {
	case by == mastery.MasteredByModel && st.Mastered:
		verdict = pr.T("explain.mastered_model")
	case by == mastery.MasteredByModel:
		verdict = pr.T("explain.not_mastered_model")
	case by == mastery.MasteredByBoth && st.Mastered:
		verdict = pr.T("explain.mastered_both")
	case by == mastery.MasteredByBoth:
		verdict = pr.T("explain.not_mastered_both")
	case st.Mastered:
		verdict = pr.T("explain.mastered")
	}
	out := pr.T("explain.sentence", how, pr.Number(shownValue(scale, st.Value)), levelLabel(pr, st.LevelLabel), cut, verdict)
	if !model {
		return out
	}
	key := "explain.model"
	if e.Model.Model == "ability" {
		key = "kt.explain.model"
	}
	return out + " " + pr.T(key, paramsSource(pr, e.Model), pr.N("explain.responses", e.Model.Responses), e.Model.Right,
		percentOf(pr, st.Model.PMastered), pr.T("model.verdict."+string(st.Model.Verdict)), percentOf(pr, st.Model.PCorrectNext))
}

// paramsSource says where the model's parameters came from: fitted to the
// district's evidence, or the defaults.
func paramsSource(pr *i18n.Printer, in *mastery.ModelInputs) string {
	if in.Fitted {
		return pr.T("explain.model.fitted")
	}
	return pr.T("explain.model.default")
}

// percentOf shows a probability as a whole percentage in the printer's
// language, as mastery.Percent rounds it.
func percentOf(pr *i18n.Printer, p float64) string {
	return pr.T("number.percent", mastery.Percent(p))
}

// shownValue is v rounded to two decimals for showing, never rounded up
// into a level it has not reached: 2.996 shows as 2.99, not 3.
func shownValue(scale standards.Scale, v float64) float64 {
	r := math.Round(v*100) / 100
	if len(scale.Levels) > 0 && scale.LevelOf(r).Value != scale.LevelOf(v).Value {
		r = math.Floor(v*100) / 100
	}
	return r
}
