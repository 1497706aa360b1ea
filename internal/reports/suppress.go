package reports

import (
	"fmt"
	"math"
)

// MinCell is the fewest students a published cell may count: below it
// the cell is hidden. Ten is the floor most US state education agencies
// publish at.
const MinCell = 10

// Suppression says whether a cell is shown and, when not, why.
type Suppression string

// The reasons a cell is hidden; Shown is none.
const (
	Shown Suppression = ""
	// TooFew is a cell of fewer students than the minimum.
	TooFew Suppression = "too_few"
	// Complementary is a cell hidden so that another hidden cell cannot
	// be worked out from a total and the cells shown beside it.
	Complementary Suppression = "complementary"
)

// Hidden reports whether the cell is not shown.
func (s Suppression) Hidden() bool { return s != Shown }

// Sum ties cells of a table: the cell Total counts the students of the
// cells Parts together, each student in exactly one part (the schools of
// a district, the categories of a subgroup with its "not reported").
// Cells are named by their index.
type Sum struct {
	Total int
	Parts []int
}

// Suppress decides which cells of a table are hidden. sizes are the
// students each cell counts, sums the totals that tie them, min the
// fewest students a shown cell may count (MinCell when 0 or less). The
// result has one entry per cell. Every figure of a hidden cell must be
// hidden: its count, its rates, its medians.
func Suppress(sizes []int, sums []Sum, min int) []Suppression {
	if min <= 0 {
		min = MinCell
	}
	out := make([]Suppression, len(sizes))
	for i, n := range sizes {
		if n < min {
			out[i] = TooFew
		}
	}
	for {
		complement(sizes, sums, out)
		h, ok := determined(sums, out)
		if !ok {
			return out
		}
		// h can still be worked out through several sums at once: hide
		// the smallest shown cell of a sum it is in, and check again.
		best := -1
		for _, s := range sums {
			if !s.has(h) {
				continue
			}
			for _, c := range s.cells() {
				if !out[c].Hidden() && (best < 0 || sizes[c] < sizes[best]) {
					best = c
				}
			}
		}
		if best < 0 {
			// Cannot happen: a determined cell has a shown neighbour.
			panic(fmt.Sprintf("reports: hidden cell %d is determined but no cell beside it is shown", h))
		}
		out[best] = Complementary
	}
}

func (s Sum) cells() []int { return append([]int{s.Total}, s.Parts...) }

func (s Sum) has(c int) bool {
	for _, x := range s.cells() {
		if x == c {
			return true
		}
	}
	return false
}

// complement hides cells until no sum has exactly one of its cells
// hidden: one hidden cell of a sum is its total less the others.
func complement(sizes []int, sums []Sum, out []Suppression) {
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			hidden, smallest := 0, -1
			for _, p := range s.Parts {
				if out[p].Hidden() {
					hidden++
				} else if smallest < 0 || sizes[p] < sizes[smallest] {
					smallest = p
				}
			}
			if out[s.Total].Hidden() {
				hidden++
			}
			if hidden != 1 {
				continue
			}
			switch {
			case smallest >= 0:
				out[smallest] = Complementary
			default:
				// Every part is hidden but the total was shown: hiding
				// the total keeps the parts' sum unknown.
				out[s.Total] = Complementary
			}
			changed = true
		}
	}
}

// determined returns a hidden cell whose value the shown cells fix
// through the sums, if any: it solves the sums' equations in the hidden
// cells (Gauss-Jordan) and finds a hidden cell that no solution of the
// homogeneous system can move.
func determined(sums []Sum, out []Suppression) (int, bool) {
	col := map[int]int{}
	var hidden []int
	for i, s := range out {
		if s.Hidden() {
			col[i] = len(hidden)
			hidden = append(hidden, i)
		}
	}
	if len(hidden) == 0 {
		return 0, false
	}
	var rows [][]float64
	for _, s := range sums {
		row := make([]float64, len(hidden))
		any := false
		if j, ok := col[s.Total]; ok {
			row[j] += 1
			any = true
		}
		for _, p := range s.Parts {
			if j, ok := col[p]; ok {
				row[j] -= 1
				any = true
			}
		}
		if any {
			rows = append(rows, row)
		}
	}
	const eps = 1e-9
	pivotRow := make([]int, len(hidden))
	for j := range pivotRow {
		pivotRow[j] = -1
	}
	r := 0
	for j := 0; j < len(hidden) && r < len(rows); j++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if math.Abs(rows[i][j]) > eps && (p < 0 || math.Abs(rows[i][j]) > math.Abs(rows[p][j])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		pv := rows[r][j]
		for k := range rows[r] {
			rows[r][k] /= pv
		}
		for i := range rows {
			if i != r && math.Abs(rows[i][j]) > eps {
				f := rows[i][j]
				for k := range rows[i] {
					rows[i][k] -= f * rows[r][k]
				}
			}
		}
		pivotRow[j] = r
		r++
	}
	// A pivot cell is fixed when its row has nothing in any free column.
	for j, pr := range pivotRow {
		if pr < 0 {
			continue
		}
		free := false
		for k := range hidden {
			if pivotRow[k] < 0 && math.Abs(rows[pr][k]) > eps {
				free = true
				break
			}
		}
		if !free {
			return hidden[j], true
		}
	}
	return 0, false
}
