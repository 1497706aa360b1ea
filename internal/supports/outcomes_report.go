package supports

import (
	"github.com/cairn-learning/cairn/internal/reports"
)

// OutcomeReport is the outcomes of supports of a district, every kind of
// support with its comparison, by school and subgroup, suppressed
// (reports.Breakdown) so that a school's view and the district's cannot
// be combined to reveal a hidden cell.
type OutcomeReport struct {
	Schools []int64
	Kinds   []KindOutcome
	// LeftOut are the plans that could not count, by kind and school.
	LeftOut map[LeftOutKey]OutcomeLeftOut
}

// KindOutcome is one kind of support: the students who received it and
// the comparable students who did not.
type KindOutcome struct {
	Kind                Kind
	Supported, Compared *reports.Breakdown[OutcomeFigure]
}

// NewOutcomeReport tallies the episodes (OutcomeEpisodes) of the
// district's schools by school and by each student's subgroups (profile),
// leaving out the categories no student of population (the profiles of
// the district's students) has, then suppresses every cell of fewer than
// min students (reports.MinCell when 0) and every cell that would give
// one away.
func NewOutcomeReport(schools []int64, eps []OutcomeEpisode, profile func(student int64) reports.Profile, population []reports.Profile,
	left map[LeftOutKey]OutcomeLeftOut, min int) OutcomeReport {
	r := OutcomeReport{Schools: schools, LeftOut: left}
	at := map[Kind]int{}
	for _, k := range Kinds {
		at[k] = len(r.Kinds)
		r.Kinds = append(r.Kinds, KindOutcome{Kind: k, Supported: reports.NewBreakdown[OutcomeFigure](schools),
			Compared: reports.NewBreakdown[OutcomeFigure](schools)})
	}
	for _, e := range eps {
		ko := r.Kinds[at[e.Kind]]
		b := ko.Compared
		if e.Supported {
			b = ko.Supported
		}
		b.Add(e.SchoolID, profile(e.StudentID), func(f *OutcomeFigure) { f.Add(e) })
	}
	present := map[reports.Key]bool{}
	for _, p := range population {
		for i, d := range reports.Dimensions {
			present[reports.Key{Dimension: d, Category: p[i]}] = true
		}
	}
	for _, ko := range r.Kinds {
		for _, d := range reports.Dimensions {
			for _, c := range reports.Categories(d) {
				if !present[reports.Key{Dimension: d, Category: c}] {
					ko.Supported.Omit(d, c)
					ko.Compared.Omit(d, c)
				}
			}
		}
		ko.Supported.Suppress(min)
		ko.Compared.Suppress(min)
	}
	return r
}

// LeftOutAt sums the plans of kind left out at school (0: the whole
// district, the students at no school included).
func (r OutcomeReport) LeftOutAt(k Kind, school int64) OutcomeLeftOut {
	var out OutcomeLeftOut
	for key, l := range r.LeftOut {
		if key.Kind != k || (school != 0 && key.SchoolID != school) {
			continue
		}
		out.Recent += l.Recent
		out.NoStandard += l.NoStandard
		out.NoSchool += l.NoSchool
		out.Mastered += l.Mastered
	}
	return out
}
