package web

import (
	"fmt"
	"strings"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/standards"
)

// chartView is a line chart of values on a scale, drawn by the server as
// SVG (no script, nothing to download) with its data also given as a
// table for those who cannot see the chart.
type chartView struct {
	ID          string
	Title, Desc string
	W, H        int
	Line        string
	Points      []chartPoint
	YTicks      []chartTick
	XTicks      []chartTick
	CutY        string
	CutLabel    string
	// Left and Right are the x of the plot's edges, Bottom its baseline,
	// for the grid lines and axes.
	Left, Right, Top, Bottom string
	// Head names the columns of the data table.
	Head [2]string
}

type chartPoint struct {
	X, Y         string
	Label, Value string
}

type chartTick struct {
	At, Label string
}

// chartValue is one value to draw, in order along the x axis.
type chartValue struct {
	Label string // what the x axis shows ("Sep", "Mar 14")
	Value float64
}

// Chart geometry, in SVG user units: the drawing scales to its container.
// The right margin holds the label of the mastery line, beside the plot
// where no point or line can cover it.
const (
	chartW, chartH                               = 600, 220
	chartLeft, chartRight, chartTop, chartBottom = 34, 62, 12, 30
)

// newChart lays out values against a scale: levels on the y axis, the
// mastery cut as a dashed line, at most a dozen labels along x.
func newChart(pr *i18n.Printer, id, title, desc string, sc standards.Scale, values []chartValue, head [2]string) *chartView {
	if len(values) == 0 || len(sc.Levels) == 0 {
		return nil
	}
	c := &chartView{ID: id, Title: title, Desc: desc, W: chartW, H: chartH, Head: head}
	x0, x1 := float64(chartLeft), float64(chartW-chartRight)
	y0, y1 := float64(chartH-chartBottom), float64(chartTop)
	lo, hi := sc.Min(), sc.Max()
	f := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	y := func(v float64) float64 { return y0 - (v-lo)/(hi-lo)*(y0-y1) }
	x := func(i int) float64 {
		if len(values) == 1 {
			return (x0 + x1) / 2
		}
		return x0 + 8 + float64(i)*(x1-x0-16)/float64(len(values)-1)
	}
	c.Left, c.Right, c.Top, c.Bottom = f(x0), f(x1), f(y1), f(y0)
	for _, l := range sc.Levels {
		c.YTicks = append(c.YTicks, chartTick{At: f(y(l.Value)), Label: pr.Number(l.Value)})
	}
	c.CutY = f(y(sc.MasteryCut))
	c.CutLabel = pr.T("chart.cut")
	var pts []string
	every := max(1, (len(values)+11)/12)
	for i, v := range values {
		px, py := f(x(i)), f(y(min(max(v.Value, lo), hi)))
		pts = append(pts, px+","+py)
		c.Points = append(c.Points, chartPoint{X: px, Y: py, Label: v.Label, Value: pr.Number(v.Value)})
		if i%every == 0 || i == len(values)-1 {
			c.XTicks = append(c.XTicks, chartTick{At: px, Label: v.Label})
		}
	}
	c.Line = strings.Join(pts, " ")
	return c
}
