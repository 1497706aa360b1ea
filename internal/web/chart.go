package web

import (
	"fmt"
	"math"
	"strings"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/standards"
)

// chartView is a line chart, drawn by the server as SVG (no script,
// nothing to download) with its data also given as a table for those who
// cannot see the chart, and a sentence under it that says what it shows.
type chartView struct {
	ID          string
	Title, Desc string
	// Notes are said under the chart: what a point is, and what to read
	// with care.
	Notes []string
	W, H  int
	Line  string
	// Points are drawn in order; a point marked Few is drawn hollow.
	Points []chartPoint
	YTicks []chartTick
	XTicks []chartTick
	// HasCut draws the mastery cut as a dashed line at CutY.
	HasCut   bool
	CutY     string
	CutLabel string
	// Left and Right are the x of the plot's edges, Bottom its baseline,
	// for the grid lines and axes.
	Left, Right, Top, Bottom string
	// Head names the columns of the data table: what a point is at, its
	// value and, when there is a third, what the value rests on.
	Head []string
}

type chartPoint struct {
	X, Y         string
	Label, Value string
	// Behind is what the value rests on (18, standards worked on), in
	// the data table's third column and the point's tooltip; empty when
	// the chart has no such column.
	Behind string
	// Few marks a value that rests on too little to be read on its own.
	Few bool
}

type chartTick struct {
	At, Label string
	// Alternate ticks are left out on a narrow screen, where every
	// label would not fit.
	Alternate bool
}

// chartValue is one value to draw, in order along the x axis.
type chartValue struct {
	Label string // what the x axis shows ("Sep", "Mar 14")
	// Long names the point in the data table where the x axis is too
	// short for it ("Dec, to date"); Label when empty.
	Long   string
	Value  float64
	Behind string
	Few    bool
}

// chartAxis is the y axis: its range, the values it marks, and
// optionally the mastery cut.
type chartAxis struct {
	Lo, Hi float64
	Ticks  []float64
	Cut    *float64
}

// scaleAxis is the y axis of values on a scale: its levels, and its
// mastery cut.
func scaleAxis(sc standards.Scale) chartAxis {
	a := chartAxis{Lo: sc.Min(), Hi: sc.Max()}
	for _, l := range sc.Levels {
		a.Ticks = append(a.Ticks, l.Value)
	}
	cut := sc.MasteryCut
	a.Cut = &cut
	return a
}

// countAxis is the y axis of a count from 0 to at least most, marked at
// round numbers, at most six of them.
func countAxis(most int) chartAxis {
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		step = s
		if most <= 5*s {
			break
		}
	}
	hi := max(step, int(math.Ceil(float64(most)/float64(step)))*step)
	a := chartAxis{Lo: 0, Hi: float64(hi)}
	for v := 0; v <= hi; v += step {
		a.Ticks = append(a.Ticks, float64(v))
	}
	return a
}

// Chart geometry, in SVG user units: the drawing scales to the width of
// its container, never wider, and its words are drawn larger on a narrow
// screen (cairn.css) so that they stay readable. The right margin holds
// the label of the mastery line, beside the plot where no point or line
// can cover it; the left one the y axis's numbers.
const (
	chartW, chartH                               = 600, 240
	chartLeft, chartRight, chartTop, chartBottom = 44, 86, 14, 34
)

// newChart lays out values against a scale: levels on the y axis, the
// mastery cut as a dashed line, at most a dozen labels along x.
func newChart(pr *i18n.Printer, id, title, desc string, sc standards.Scale, values []chartValue, head [2]string) *chartView {
	if len(sc.Levels) == 0 {
		return nil
	}
	return plotChart(pr, id, title, desc, scaleAxis(sc), values, head[:])
}

// plotChart lays out values against a y axis, at most a dozen labels
// along x; nil when there are no values.
func plotChart(pr *i18n.Printer, id, title, desc string, axis chartAxis, values []chartValue, head []string) *chartView {
	if len(values) == 0 || !(axis.Hi > axis.Lo) {
		return nil
	}
	c := &chartView{ID: id, Title: title, Desc: desc, W: chartW, H: chartH, Head: head}
	x0, x1 := float64(chartLeft), float64(chartW-chartRight)
	y0, y1 := float64(chartH-chartBottom), float64(chartTop)
	lo, hi := axis.Lo, axis.Hi
	f := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	y := func(v float64) float64 { return y0 - (v-lo)/(hi-lo)*(y0-y1) }
	x := func(i int) float64 {
		if len(values) == 1 {
			return (x0 + x1) / 2
		}
		return x0 + 10 + float64(i)*(x1-x0-20)/float64(len(values)-1)
	}
	c.Left, c.Right, c.Top, c.Bottom = f(x0), f(x1), f(y1), f(y0)
	for _, v := range axis.Ticks {
		c.YTicks = append(c.YTicks, chartTick{At: f(y(v)), Label: pr.Number(v)})
	}
	if axis.Cut != nil {
		c.HasCut = true
		c.CutY = f(y(*axis.Cut))
		c.CutLabel = pr.T("chart.cut")
	}
	var pts []string
	every := max(1, (len(values)+11)/12)
	for i, v := range values {
		px, py := f(x(i)), f(y(min(max(v.Value, lo), hi)))
		pts = append(pts, px+","+py)
		label := v.Label
		if v.Long != "" {
			label = v.Long
		}
		c.Points = append(c.Points, chartPoint{X: px, Y: py, Label: label, Value: pr.Number(v.Value), Behind: v.Behind, Few: v.Few})
		// Labels are counted from the last, so that the latest is always
		// there, and every other one is left out on a narrow screen.
		if back := len(values) - 1 - i; back%every == 0 {
			c.XTicks = append(c.XTicks, chartTick{At: px, Label: v.Label, Alternate: (back/every)%2 == 1})
		}
	}
	c.Line = strings.Join(pts, " ")
	return c
}
