package reports

// Key names a cell of a Breakdown: a unit (a school; 0 is all of them
// together) and a category of a dimension (both empty for all students).
type Key struct {
	Unit      int64
	Dimension Dimension
	Category  string
}

// Cell is one cell of a Breakdown: how many students it counts, the
// figure computed over them, and whether it may be shown.
type Cell[F any] struct {
	Key
	Students    int
	Figure      F
	Suppression Suppression
}

// Breakdown is a figure (F: counts, rates, the days of a median) computed
// over a set of students, for all of them and for each unit (school),
// each category of each dimension, and each unit and category together:
// the cells of a disaggregated table, suppressed together so that no view
// of it (a school's, the district's) lets another view's hidden cell be
// worked out.
type Breakdown[F any] struct {
	units  []int64
	cells  map[Key]*Cell[F]
	absent map[Key]bool
}

// NewBreakdown returns an empty breakdown over units (schools, in the
// order they are listed).
func NewBreakdown[F any](units []int64) *Breakdown[F] {
	return &Breakdown[F]{units: units, cells: map[Key]*Cell[F]{}, absent: map[Key]bool{}}
}

// Omit leaves a category out of the table: one no student of the whole
// population has (an English learner status every student's record
// gives, so that none is "not reported"). Its cells would all be empty;
// hiding them as too few would hide, for nothing, the cells beside them
// that give them away. A category of the population with no student in
// some cell is not omitted: that empty cell is hidden as any small one.
func (b *Breakdown[F]) Omit(d Dimension, category string) {
	b.absent[Key{Dimension: d, Category: category}] = true
}

// Categories returns the categories of d the table has: Categories(d)
// but those omitted.
func (b *Breakdown[F]) Categories(d Dimension) []string {
	var out []string
	for _, c := range Categories(d) {
		k := Key{Dimension: d, Category: c}
		// A category omitted by mistake that has students stays in, or
		// the sums would no longer add up.
		if !b.absent[k] || b.Cell(k).Students > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Units returns the units, in order.
func (b *Breakdown[F]) Units() []int64 { return b.units }

func (b *Breakdown[F]) cell(k Key) *Cell[F] {
	c := b.cells[k]
	if c == nil {
		c = &Cell[F]{Key: k}
		b.cells[k] = c
	}
	return c
}

// Add counts one student of unit with profile p in every cell they
// belong to, and lets add put their part into each cell's figure.
func (b *Breakdown[F]) Add(unit int64, p Profile, add func(*F)) {
	for _, u := range []int64{0, unit} {
		c := b.cell(Key{Unit: u})
		c.Students++
		add(&c.Figure)
		for i, d := range Dimensions {
			c := b.cell(Key{Unit: u, Dimension: d, Category: p[i]})
			c.Students++
			add(&c.Figure)
		}
	}
}

// Cell returns the cell of k (zero students when none was counted).
func (b *Breakdown[F]) Cell(k Key) Cell[F] {
	if c := b.cells[k]; c != nil {
		return *c
	}
	return Cell[F]{Key: k}
}

// Row returns, for unit (0 for all), the total and then every category of
// every dimension in order.
func (b *Breakdown[F]) Row(unit int64) []Cell[F] {
	out := []Cell[F]{b.Cell(Key{Unit: unit})}
	for _, d := range Dimensions {
		for _, c := range b.Categories(d) {
			out = append(out, b.Cell(Key{Unit: unit, Dimension: d, Category: c}))
		}
	}
	return out
}

// Suppress decides, with Suppress, which cells are hidden: every unit's
// categories add up to the unit's total, every category's units to the
// category's district figure, and the units to the total of all.
func (b *Breakdown[F]) Suppress(min int) {
	keys, sizes, sums := b.table()
	sup := Suppress(sizes, sums, min)
	for i, k := range keys {
		b.cell(k).Suppression = sup[i]
	}
}

// table returns the breakdown's cells, their sizes and their sums.
func (b *Breakdown[F]) table() (keys []Key, sizes []int, sums []Sum) {
	index := map[Key]int{}
	at := func(k Key) int {
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, k)
		}
		return i
	}
	all := append([]int64{0}, b.units...)
	for _, u := range all {
		total := at(Key{Unit: u})
		for _, d := range Dimensions {
			s := Sum{Total: total}
			for _, c := range b.Categories(d) {
				s.Parts = append(s.Parts, at(Key{Unit: u, Dimension: d, Category: c}))
			}
			sums = append(sums, s)
		}
	}
	if len(b.units) > 0 {
		s := Sum{Total: at(Key{})}
		for _, u := range b.units {
			s.Parts = append(s.Parts, at(Key{Unit: u}))
		}
		sums = append(sums, s)
		for _, d := range Dimensions {
			for _, c := range b.Categories(d) {
				s := Sum{Total: at(Key{Dimension: d, Category: c})}
				for _, u := range b.units {
					s.Parts = append(s.Parts, at(Key{Unit: u, Dimension: d, Category: c}))
				}
				sums = append(sums, s)
			}
		}
	}
	sizes = make([]int, len(keys))
	for i, k := range keys {
		sizes[i] = b.Cell(k).Students
	}
	return keys, sizes, sums
}
