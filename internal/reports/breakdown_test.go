package reports

import (
	"math/rand/v2"
	"testing"

	"github.com/cairn-learning/cairn/internal/roster"
)

func TestProfileOf(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		dm   *roster.Demographics
		want Profile
	}{
		{nil, Profile{NotReported, NotReported, NotReported, NotReported, NotReported}},
		{&roster.Demographics{Sex: "female", Races: []string{"white"}, HispanicOrLatino: &yes, EnglishLearner: &yes, Disability: &no},
			Profile{Female, HispanicOrLatino, Yes, No, NotReported}},
		{&roster.Demographics{Sex: "unspecified", Races: []string{"asian", "white"}, HispanicOrLatino: &no},
			Profile{OtherSex, TwoOrMoreRaces, NotReported, NotReported, NotReported}},
		{&roster.Demographics{Sex: "male", Races: []string{"blackOrAfricanAmerican"}, EconomicallyDisadvantaged: &yes},
			Profile{Male, Black, NotReported, NotReported, Yes}},
	} {
		if got := ProfileOf(c.dm); got != c.want {
			t.Errorf("ProfileOf(%+v) = %v, want %v", c.dm, got, c.want)
		}
	}
}

// A district of two schools with students drawn at random: every figure
// counts its students, no cell under the minimum is shown, and no hidden
// cell, of a school or of the district, comes back by difference.
func TestBreakdownSuppressesAcrossSchools(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string, w ...float64) string {
		x := r.Float64()
		for i, p := range w {
			if x < p {
				return xs[i]
			}
			x -= p
		}
		return xs[len(xs)-1]
	}
	for round := 0; round < 50; round++ {
		b := NewBreakdown[int]([]int64{7, 9})
		n := 20 + r.IntN(150)
		for i := 0; i < n; i++ {
			p := Profile{
				pick(Categories(Sex), 0.49, 0.49, 0.01),
				pick(Categories(RaceEthnicity), 0.25, 0.01, 0.05, 0.15, 0.005, 0.45, 0.06),
				pick(Categories(EnglishLearner), 0.1, 0.88),
				pick(Categories(Disability), 0.14, 0.85),
				pick(Categories(EconomicallyDisadvantaged), 0.4, 0.6, 0),
			}
			b.Add([]int64{7, 9}[r.IntN(2)], p, func(f *int) { *f++ })
		}
		b.Suppress(0)
		keys, sizes, sums := b.table()
		sup := make([]Suppression, len(keys))
		for i, k := range keys {
			c := b.Cell(k)
			sup[i] = c.Suppression
			if c.Figure != c.Students {
				t.Fatalf("cell %+v: figure %d for %d students", k, c.Figure, c.Students)
			}
			if !c.Suppression.Hidden() && c.Students < MinCell {
				t.Fatalf("cell %+v of %d students shown", k, c.Students)
			}
		}
		if got := recoverByDifference(sizes, sums, sup); len(got) > 0 {
			t.Fatalf("round %d: cells %v recovered by difference", round, got)
		}
		if h, ok := determined(sums, sup); ok {
			t.Fatalf("round %d: cell %+v is determined by the shown cells", round, keys[h])
		}
		if b.Cell(Key{}).Students != n {
			t.Fatalf("total %d, want %d", b.Cell(Key{}).Students, n)
		}
	}
}

// A category no student has is left out, so that its empty cells do not
// hide the groups beside them; one left out by mistake stays in.
func TestBreakdownOmitsAbsentCategories(t *testing.T) {
	b := NewBreakdown[int]([]int64{1})
	add := func(n int, el string) {
		for range n {
			b.Add(1, Profile{Female, White, el, No, No}, func(f *int) { *f++ })
		}
	}
	add(12, Yes)
	add(40, No)
	b.Omit(EnglishLearner, NotReported)
	b.Omit(Disability, Yes) // no one is: it goes
	b.Omit(Sex, Female)     // by mistake: everyone is
	b.Suppress(0)
	if got := b.Cell(Key{Dimension: EnglishLearner, Category: Yes}).Suppression; got.Hidden() {
		t.Errorf("12 English learners hidden (%q) when no one's status is unreported", got)
	}
	if got := b.Categories(EnglishLearner); len(got) != 2 {
		t.Errorf("English learner categories %v, want yes and no", got)
	}
	if got := b.Categories(Sex); got[0] != Female {
		t.Errorf("sex categories %v: female left out though every student is", got)
	}
	for _, c := range b.Row(0) {
		if c.Dimension == EnglishLearner && c.Category == NotReported {
			t.Errorf("row has the omitted category")
		}
	}
}
