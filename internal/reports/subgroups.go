package reports

import (
	"slices"

	"github.com/cairn-learning/cairn/internal/roster"
)

// Dimension is a way of dividing students into subgroups for
// disaggregation: every student falls in exactly one of its categories,
// NotReported included, so that its categories add up to the total.
type Dimension string

// The dimensions reports are disaggregated by, in the order pages list
// them.
const (
	Sex                       Dimension = "sex"
	RaceEthnicity             Dimension = "race_ethnicity"
	EnglishLearner            Dimension = "english_learner"
	Disability                Dimension = "disability"
	EconomicallyDisadvantaged Dimension = "economically_disadvantaged"
)

// Dimensions are the dimensions, in order.
var Dimensions = []Dimension{Sex, RaceEthnicity, EnglishLearner, Disability, EconomicallyDisadvantaged}

// The categories. A yes/no dimension has Yes, No and NotReported.
const (
	Yes         = "yes"
	No          = "no"
	NotReported = "not_reported"

	Female = "female"
	Male   = "male"
	// OtherSex is another or an unspecified sex, as OneRoster records it.
	OtherSex = "other"

	// The race and ethnicity categories of US federal reporting: Hispanic
	// or Latino of any race first, then each race alone, then two or
	// more races.
	HispanicOrLatino = "hispanic_or_latino"
	AmericanIndian   = "american_indian_or_alaska_native"
	Asian            = "asian"
	Black            = "black_or_african_american"
	PacificIslander  = "native_hawaiian_or_other_pacific_islander"
	White            = "white"
	TwoOrMoreRaces   = "two_or_more_races"
)

// Categories returns a dimension's categories, in the order pages list
// them, NotReported last.
func Categories(d Dimension) []string {
	switch d {
	case Sex:
		return []string{Female, Male, OtherSex, NotReported}
	case RaceEthnicity:
		return []string{HispanicOrLatino, AmericanIndian, Asian, Black, PacificIslander, White, TwoOrMoreRaces, NotReported}
	default:
		return []string{Yes, No, NotReported}
	}
}

// oneRosterRace names the OneRoster race flags by category.
var oneRosterRace = map[string]string{
	"americanIndianOrAlaskaNative":         AmericanIndian,
	"asian":                                Asian,
	"blackOrAfricanAmerican":               Black,
	"nativeHawaiianOrOtherPacificIslander": PacificIslander,
	"white":                                White,
}

// Profile is a student's category in each of Dimensions, in order.
type Profile [5]string

// ProfileOf returns the categories of a student's demographics; nil (no
// demographics on record) is NotReported in every dimension.
func ProfileOf(dm *roster.Demographics) Profile {
	p := Profile{NotReported, NotReported, NotReported, NotReported, NotReported}
	if dm == nil {
		return p
	}
	switch dm.Sex {
	case "female":
		p[0] = Female
	case "male":
		p[0] = Male
	case "":
	default:
		p[0] = OtherSex
	}
	p[1] = raceOf(dm)
	yn := func(b *bool) string {
		switch {
		case b == nil:
			return NotReported
		case *b:
			return Yes
		}
		return No
	}
	p[2], p[3], p[4] = yn(dm.EnglishLearner), yn(dm.Disability), yn(dm.EconomicallyDisadvantaged)
	return p
}

func raceOf(dm *roster.Demographics) string {
	if dm.HispanicOrLatino != nil && *dm.HispanicOrLatino {
		return HispanicOrLatino
	}
	var races []string
	for _, r := range dm.Races {
		if c, ok := oneRosterRace[r]; ok && !slices.Contains(races, c) {
			races = append(races, c)
		}
	}
	switch {
	case slices.Contains(dm.Races, "demographicRaceTwoOrMoreRaces") || len(races) > 1:
		return TwoOrMoreRaces
	case len(races) == 1:
		return races[0]
	}
	return NotReported
}
