package reports

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// grid returns a table of rows x cols inner cells with their margins, as
// a district's schools (rows) by a subgroup's categories (cols): cells
// 0..rows*cols-1 are the inner cells, then one total per row, one per
// column, and the grand total; and its sums.
func grid(inner [][]int) (sizes []int, sums []Sum) {
	rows, cols := len(inner), len(inner[0])
	for _, r := range inner {
		sizes = append(sizes, r...)
	}
	rowTotal := func(i int) int { return rows*cols + i }
	colTotal := func(j int) int { return rows*cols + rows + j }
	grand := rows*cols + rows + cols
	for i := range rows {
		t := 0
		var parts []int
		for j := range cols {
			t += inner[i][j]
			parts = append(parts, i*cols+j)
		}
		sizes = append(sizes, t)
		sums = append(sums, Sum{Total: rowTotal(i), Parts: parts})
	}
	for j := range cols {
		t := 0
		var parts []int
		for i := range rows {
			t += inner[i][j]
			parts = append(parts, i*cols+j)
		}
		sizes = append(sizes, t)
		sums = append(sums, Sum{Total: colTotal(j), Parts: parts})
	}
	g, rp, cp := 0, []int{}, []int{}
	for i := range rows {
		g += sizes[rowTotal(i)]
		rp = append(rp, rowTotal(i))
	}
	for j := range cols {
		cp = append(cp, colTotal(j))
	}
	sizes = append(sizes, g)
	sums = append(sums, Sum{Total: grand, Parts: rp}, Sum{Total: grand, Parts: cp})
	return sizes, sums
}

// recoverByDifference is what a reader with a calculator does: any sum
// with one figure unknown gives it, and what it gives is used again until
// nothing more comes. It returns the hidden cells it recovered.
func recoverByDifference(sizes []int, sums []Sum, sup []Suppression) []int {
	known := make([]bool, len(sizes))
	for i, s := range sup {
		known[i] = !s.Hidden()
	}
	var got []int
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			unknown := -1
			n := 0
			for _, c := range s.cells() {
				if !known[c] {
					unknown, n = c, n+1
				}
			}
			if n == 1 {
				known[unknown] = true
				got = append(got, unknown)
				changed = true
			}
		}
	}
	return got
}

// solutions counts, up to 2, the ways to fill the hidden cells with
// counts from 0 to max that agree with every sum and the shown cells,
// keeping cell c at its true value or not: it tells whether c is fixed.
func fixed(sizes []int, sums []Sum, sup []Suppression, c, max int) bool {
	var hidden []int
	for i, s := range sup {
		if s.Hidden() {
			hidden = append(hidden, i)
		}
	}
	vals := slices.Clone(sizes)
	other := false
	var try func(k int)
	try = func(k int) {
		if other {
			return
		}
		if k == len(hidden) {
			for _, s := range sums {
				t := 0
				for _, p := range s.Parts {
					t += vals[p]
				}
				if t != vals[s.Total] {
					return
				}
			}
			if vals[c] != sizes[c] {
				other = true
			}
			return
		}
		for v := 0; v <= max; v++ {
			vals[hidden[k]] = v
			try(k + 1)
		}
	}
	try(0)
	return !other
}

func TestSuppressPrimaryAndComplementary(t *testing.T) {
	// English learners yes / no / not reported against the total of 40:
	// 6 learners are too few; the next smallest (not reported, 11) must
	// go too, or 40 - 23 - 11 gives the 6.
	sizes := []int{40, 6, 23, 11}
	sums := []Sum{{Total: 0, Parts: []int{1, 2, 3}}}
	got := Suppress(sizes, sums, 0)
	want := []Suppression{Shown, TooFew, Shown, Complementary}
	if !slices.Equal(got, want) {
		t.Fatalf("Suppress = %q, want %q", got, want)
	}
	if r := recoverByDifference(sizes, sums, got); len(r) > 0 {
		t.Errorf("cells %v recovered by difference", r)
	}
}

func TestSuppressHidesTheTotalWhenEveryPartIsHidden(t *testing.T) {
	// A total of 12 whose parts are 4 and 8: both too few, and the total
	// alone is not a disclosure. But if the total is part of a larger
	// sum, the larger sum must not give it away either.
	sizes := []int{30, 12, 18, 4, 8}
	sums := []Sum{{Total: 0, Parts: []int{1, 2}}, {Total: 1, Parts: []int{3, 4}}}
	got := Suppress(sizes, sums, 0)
	for _, c := range []int{3, 4} {
		if got[c] != TooFew {
			t.Errorf("cell %d: %q, want too_few", c, got[c])
		}
	}
	if r := recoverByDifference(sizes, sums, got); len(r) > 0 {
		t.Errorf("cells %v recovered by difference (%q)", r, got)
	}
}

func TestSuppressNothingSmall(t *testing.T) {
	sizes := []int{50, 20, 30}
	got := Suppress(sizes, []Sum{{Total: 0, Parts: []int{1, 2}}}, 0)
	if slices.ContainsFunc(got, Suppression.Hidden) {
		t.Errorf("Suppress = %q, want all shown", got)
	}
}

func TestSuppressGridAcrossSchools(t *testing.T) {
	// Two schools by English learner yes / no: school A's 4 learners are
	// too few. Hiding A's 'no' protects them within A, but the district's
	// learners (4 + 15) less B's 15 would still give them: B's learners,
	// and so B's 'no', must go too.
	sizes, sums := grid([][]int{{4, 60}, {15, 70}})
	got := Suppress(sizes, sums, 0)
	if r := recoverByDifference(sizes, sums, got); len(r) > 0 {
		t.Fatalf("cells %v recovered by difference (%q)", r, got)
	}
	for _, c := range []int{0, 1, 2, 3} {
		if !got[c].Hidden() {
			t.Errorf("inner cell %d shown (%q)", c, got)
		}
	}
	if got[8].Hidden() {
		t.Errorf("the district total is hidden (%q)", got)
	}
}

// Random tables: no hidden cell is ever recovered, by difference or by
// trying every filling of the hidden cells, and no cell under the
// minimum is shown.
func TestSuppressCannotBeUndone(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 6))
	for n := 0; n < 300; n++ {
		rows, cols := 1+r.IntN(2), 2+r.IntN(2)
		inner := make([][]int, rows)
		for i := range inner {
			inner[i] = make([]int, cols)
			for j := range inner[i] {
				inner[i][j] = 1 + r.IntN(25)
			}
		}
		sizes, sums := grid(inner)
		got := Suppress(sizes, sums, 0)
		for i, s := range got {
			if !s.Hidden() && sizes[i] < MinCell {
				t.Fatalf("table %v: cell %d of %d shown", inner, i, sizes[i])
			}
			if s == TooFew && sizes[i] >= MinCell {
				t.Fatalf("table %v: cell %d of %d marked too few", inner, i, sizes[i])
			}
		}
		if rec := recoverByDifference(sizes, sums, got); len(rec) > 0 {
			t.Fatalf("table %v: cells %v recovered by difference (%q)", inner, rec, got)
		}
		hidden := 0
		for _, s := range got {
			if s.Hidden() {
				hidden++
			}
		}
		if hidden > 4 {
			continue // too many fillings to try them all
		}
		for i, s := range got {
			if s.Hidden() && fixed(sizes, sums, got, i, 60) {
				t.Fatalf("table %v: cell %d (%d) is the only value the shown cells allow (%q)", inner, i, sizes[i], got)
			}
		}
	}
}

func TestShareOf(t *testing.T) {
	for _, c := range []struct {
		part, n int
		want    Share
	}{
		{0, 12, Share{5, AtMost}}, {1, 20, Share{5, AtMost}}, {2, 20, Share{10, Exact}},
		{12, 12, Share{95, AtLeast}}, {19, 20, Share{95, AtLeast}}, {18, 20, Share{90, Exact}}, {41, 112, Share{37, Exact}},
	} {
		if got := ShareOf(c.part, c.n); got != c.want {
			t.Errorf("ShareOf(%d, %d) = %+v, want %+v", c.part, c.n, got, c.want)
		}
	}
}
