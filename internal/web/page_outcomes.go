package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/reports"
	"github.com/cairn-learning/cairn/internal/supports"
)

// outcomesPage is the outcomes of supports of a school or of the
// district: for each kind of support, the students who received it
// against comparable students who did not, for all and by subgroup (and,
// for the district, by school), with small groups hidden and the reason
// said.
type outcomesPage struct {
	pageBase
	Heading, Intro, AsOf string
	// School is the school's name, empty for the district.
	School            string
	Windows           []string
	CSV, API, PaceURL string
	Kinds             []outcomesKindView
	// SpanGroup is the columns of one group (students, each window, the
	// median), SpanAll those of a row; Sides the two groups.
	SpanGroup, SpanAll, Min int
	Sides                   []int
}

type outcomesKindView struct {
	Kind, Label, About string
	// Chart compares the two groups of all students, when both are shown.
	Chart   *outcomesChart
	Groups  []outcomesGroupView
	LeftOut []string
}

// outcomesGroupView is a block of rows: all students, one dimension's
// categories, or the schools.
type outcomesGroupView struct {
	Label string
	Rows  []outcomesRowView
}

type outcomesRowView struct {
	Label               string
	Supported, Compared outcomesCellView
}

type outcomesCellView struct {
	Hidden           bool
	Span             int
	Why, Reason      string
	Students, Median string
	Within           []string
}

func outcomeCellViewOf(pr *i18n.Printer, c reports.Cell[supports.OutcomeFigure]) outcomesCellView {
	if c.Suppression.Hidden() {
		return outcomesCellView{Hidden: true, Span: len(supports.OutcomeWindows) + 2, Reason: string(c.Suppression),
			Why: pr.T("outcomes.hidden."+string(c.Suppression), reports.MinCell)}
	}
	n := c.Students
	v := outcomesCellView{Students: strconv.Itoa(n)}
	for _, r := range c.Figure.Reached {
		v.Within = append(v.Within, shareText(pr, reports.ShareOf(r, n)))
	}
	switch d, over, _ := c.Figure.Median(n); {
	case over:
		v.Median = pr.T("outcomes.median_over", supports.OutcomeFollowUp)
	default:
		v.Median = pr.N("outcomes.days", d)
	}
	return v
}

// outcomesChart is a bar chart, drawn on the server, of the share of each
// group that reached mastery within each window; its description says the
// same in words.
type outcomesChart struct {
	ID, Title, Desc string
	W, H, Left      int
	Bars            []outcomesBar
	Labels          []outcomesChartLabel
}

type outcomesBar struct {
	Y, Width, TextX int
	Fill, Text      string
}

type outcomesChartLabel struct {
	Y    int
	Text string
}

// The chart's geometry: labels on the left, bars to the right of
// outcomesChartLeft, 100% at outcomesChartLeft + outcomesChartBars.
const (
	outcomesChartW, outcomesChartLeft, outcomesChartBars = 640, 230, 330
	outcomesChartBar, outcomesChartGap                   = 18, 6
	// The groups' colours, dark enough against white for text beside
	// them and told apart by position and label as well.
	outcomesSupportedFill, outcomesComparedFill = "#1d4e89", "#6b7280"
)

// newOutcomesChart draws the shares of the two groups' cells.
func newOutcomesChart(pr *i18n.Printer, kind, label string, sup, cmp reports.Cell[supports.OutcomeFigure]) *outcomesChart {
	if sup.Suppression.Hidden() || cmp.Suppression.Hidden() || sup.Students == 0 || cmp.Students == 0 {
		return nil
	}
	c := &outcomesChart{ID: "chart-" + kind, W: outcomesChartW, Left: outcomesChartLeft, Title: pr.T("outcomes.chart.title", label)}
	y := 0
	var desc []string
	for i, w := range supports.OutcomeWindows {
		within := pr.N("outcomes.within", w)
		c.Labels = append(c.Labels, outcomesChartLabel{Y: y + 14, Text: within})
		y += 20
		var texts [2]string
		for j, g := range []struct {
			cell reports.Cell[supports.OutcomeFigure]
			fill string
			name string
		}{{sup, outcomesSupportedFill, pr.T("outcomes.supported")}, {cmp, outcomesComparedFill, pr.T("outcomes.compared")}} {
			sh := reports.ShareOf(g.cell.Figure.Reached[i], g.cell.Students)
			text := shareText(pr, sh)
			texts[j] = text
			width := outcomesChartBars * sh.Percent / 100
			c.Labels = append(c.Labels, outcomesChartLabel{Y: y + 14, Text: g.name})
			c.Bars = append(c.Bars, outcomesBar{Y: y, Width: max(width, 1), TextX: outcomesChartLeft + max(width, 1) + 6, Fill: g.fill, Text: text})
			y += outcomesChartBar + outcomesChartGap
		}
		desc = append(desc, pr.T("outcomes.chart.desc", within, texts[0], texts[1]))
		y += 8
	}
	c.H = y
	c.Desc = strings.Join(desc, " ")
	return c
}

// shareText writes a share, "37%", or its bound, "≤5%".
func shareText(pr *i18n.Printer, sh reports.Share) string {
	p := pr.Percent(float64(sh.Percent) / 100)
	if sh.Bound != reports.Exact {
		return pr.T("outcomes.bound."+string(sh.Bound), p)
	}
	return p
}

// view fills the page's sections from the report of school (0: the
// district).
func (o *outcomes) view(pr *i18n.Printer, school int64, names map[int64]string) []outcomesKindView {
	var out []outcomesKindView
	for _, ko := range o.Kinds {
		k := outcomesKindView{Kind: string(ko.Kind), Label: pr.T("outcomes.kind." + string(ko.Kind)), About: pr.T("outcomes.kind." + string(ko.Kind) + ".about")}
		row := func(label string, key reports.Key) outcomesRowView {
			return outcomesRowView{Label: label, Supported: outcomeCellViewOf(pr, ko.Supported.Cell(key)), Compared: outcomeCellViewOf(pr, ko.Compared.Cell(key))}
		}
		k.Groups = append(k.Groups, outcomesGroupView{Rows: []outcomesRowView{row(pr.T("outcomes.all"), reports.Key{Unit: school})}})
		k.Chart = newOutcomesChart(pr, string(ko.Kind), k.Label, ko.Supported.Cell(reports.Key{Unit: school}), ko.Compared.Cell(reports.Key{Unit: school}))
		if school == 0 && len(o.Schools) > 1 {
			g := outcomesGroupView{Label: pr.T("outcomes.by_school")}
			for _, sc := range o.Schools {
				g.Rows = append(g.Rows, row(names[sc.ID], reports.Key{Unit: sc.ID}))
			}
			k.Groups = append(k.Groups, g)
		}
		for _, d := range reports.Dimensions {
			g := outcomesGroupView{Label: pr.T("outcomes.dim." + string(d))}
			for _, c := range ko.Supported.Categories(d) {
				g.Rows = append(g.Rows, row(pr.T("outcomes.cat."+c), reports.Key{Unit: school, Dimension: d, Category: c}))
			}
			k.Groups = append(k.Groups, g)
		}
		l := o.LeftOutAt(ko.Kind, school)
		for _, x := range []struct {
			key string
			n   int
		}{{"recent", l.Recent}, {"no_standard", l.NoStandard}, {"no_school", l.NoSchool}, {"mastered", l.Mastered}} {
			if x.n > 0 {
				k.LeftOut = append(k.LeftOut, pr.N("outcomes.left."+x.key, x.n, supports.OutcomeFollowUp))
			}
		}
		out = append(out, k)
	}
	return out
}

func (s *Server) renderOutcomes(w http.ResponseWriter, r *http.Request, o *outcomes, school int64, name string) error {
	pr := s.printerOf(r)
	title := pr.T("outcomes.title_district")
	page := &outcomesPage{School: name, CSV: "/admin/outcomes.csv", API: "/api/v1/outcomes"}
	if school != 0 {
		title = pr.T("outcomes.title_school", name)
		page.CSV = fmt.Sprintf("/schools/%d/outcomes.csv", school)
		page.API = fmt.Sprintf("/api/v1/schools/%d/outcomes", school)
		page.PaceURL = fmt.Sprintf("/schools/%d/pace", school)
	}
	page.pageBase = s.newBase(w, r, title)
	page.SpanGroup = len(supports.OutcomeWindows) + 2
	page.SpanAll = 2*page.SpanGroup + 1
	page.Min, page.Sides = reports.MinCell, []int{0, 1}
	page.Heading = title
	page.AsOf = pr.T("outcomes.as_of", pr.Date(o.AsOf))
	page.Intro = pr.T("outcomes.rules", supports.OutcomeFollowUp, supports.ComparisonMargin)
	for _, d := range supports.OutcomeWindows {
		page.Windows = append(page.Windows, pr.N("outcomes.within", d))
	}
	names := map[int64]string{}
	for _, sc := range o.Schools {
		names[sc.ID] = sc.Name
	}
	page.Kinds = o.view(pr, school, names)
	return s.renderPage(w, r, http.StatusOK, "outcomes", page)
}

// schoolOutcomesPage is a school's outcomes of supports, for those who
// lead or coach it and the district's administrators.
func (s *Server) schoolOutcomesPage(w http.ResponseWriter, r *http.Request) error {
	id, err := outcomesSchool(r)
	if outcomesNotFound(err) {
		return notFoundPage("school", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	sc, err := o.school(id)
	if err != nil {
		return notFoundPage("school", id)
	}
	return s.renderOutcomes(w, r, o, id, sc.Name)
}

// adminOutcomesPage is the district's outcomes of supports.
func (s *Server) adminOutcomesPage(w http.ResponseWriter, r *http.Request) error {
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	return s.renderOutcomes(w, r, o, 0, "")
}

// schoolOutcomesCSV is a school's table as a spreadsheet: the same cells
// as the page, hidden ones with their reason and no figure.
func (s *Server) schoolOutcomesCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := outcomesSchool(r)
	if err != nil {
		return err
	}
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	if _, err := o.school(id); err != nil {
		return err
	}
	return writeOutcomesCSV(w, o, id, fmt.Sprintf("outcomes-school-%d.csv", id))
}

// adminOutcomesCSV is the district's table as a spreadsheet.
func (s *Server) adminOutcomesCSV(w http.ResponseWriter, r *http.Request) error {
	o, err := s.supportOutcomes(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	return writeOutcomesCSV(w, o, 0, "outcomes-district.csv")
}

// writeOutcomesCSV writes one line per kind, group and cell of the API's
// answer, in the API's words, so that a spreadsheet and a program read
// the same figures.
func writeOutcomesCSV(w http.ResponseWriter, o *outcomes, school int64, file string) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := []string{"kind", "group", "school_id", "dimension", "category", "suppressed", "students"}
	for _, d := range supports.OutcomeWindows {
		head = append(head, fmt.Sprintf("percent_reached_within_%d_days", d))
	}
	head = append(head, "median_days")
	if err := cw.Write(head); err != nil {
		return err
	}
	j := o.json(school)
	for _, k := range j.Kinds {
		for _, g := range []struct {
			name  string
			cells []outcomeCellJSON
		}{{"supported", k.Supported}, {"compared", k.Compared}} {
			for _, c := range g.cells {
				rec := []string{string(k.Kind), g.name, "", string(c.Dimension), c.Category, string(c.Suppressed), ""}
				if c.SchoolID != 0 {
					rec[2] = strconv.FormatInt(c.SchoolID, 10)
				}
				if c.Students != nil {
					rec[6] = strconv.Itoa(*c.Students)
				}
				for i := range supports.OutcomeWindows {
					v := ""
					if i < len(c.Reached) {
						v = strconv.Itoa(c.Reached[i].Percent)
						switch c.Reached[i].Bound {
						case reports.AtMost:
							v = "<=" + v
						case reports.AtLeast:
							v = ">=" + v
						}
					}
					rec = append(rec, v)
				}
				switch {
				case c.MedianDays != nil:
					rec = append(rec, strconv.Itoa(*c.MedianDays))
				case c.MedianOver:
					rec = append(rec, fmt.Sprintf(">%d", supports.OutcomeFollowUp))
				default:
					rec = append(rec, "")
				}
				if err := cw.Write(rec); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
