package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// chartRow is one row of a chart's data table.
type chartRow struct {
	Label  string
	Value  float64
	Few    bool
	Behind int
}

var chartRowRE = regexp.MustCompile(`<tr><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>`)

// chartRows reads the data table of the chart with the id from a page.
func chartRows(t *testing.T, body, id string) []chartRow {
	t.Helper()
	i := strings.Index(body, `<figure class="chart-box" id="`+id+`">`)
	if i < 0 {
		t.Fatalf("the page has no chart %q", id)
	}
	fig := body[i:]
	fig = fig[:strings.Index(fig, "</figure>")]
	var out []chartRow
	for _, m := range chartRowRE.FindAllStringSubmatch(fig, -1) {
		v, few := strings.CutSuffix(m[2], " *")
		value, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("chart %s: value %q: %v", id, m[2], err)
		}
		n, err := strconv.Atoi(m[3])
		if err != nil {
			t.Fatalf("chart %s: count %q: %v", id, m[3], err)
		}
		out = append(out, chartRow{Label: m[1], Value: value, Few: few, Behind: n})
	}
	return out
}

// TestGrowthChart follows a student who mastered standard after standard
// over the winter and has two low scores this month: the growth charts
// show the standards mastered month by month and the level across the
// standards worked on, which a few fresh scores move a little, not to the
// bottom; a month that rests on too few standards is marked and said so;
// and the last points are where the page stands.
func TestGrowthChart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var extra []int64
	for i := range 5 {
		st := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: fmt.Sprintf("6.RP.A.%d", i+3),
			Statement: fmt.Sprintf("Ratio reasoning, part %d.", i+3), ParentID: &f.parent, Position: i + 2}
		if err := f.st.CreateStandard(ctx, &st); err != nil {
			t.Fatal(err)
		}
		extra = append(extra, st.ID)
	}
	if err := f.st.SetCourseStandards(ctx, f.district, f.course, append([]int64{f.parent, f.childA, f.childB}, extra...)); err != nil {
		t.Fatal(err)
	}
	maya := f.students[0]
	day := func(m time.Month, d int) time.Time {
		return time.Date(2024+map[bool]int{true: 1}[m < 8], m, d, 15, 0, 0, 0, time.UTC)
	}
	f.record(maya, "Diagnostic", day(11, 20), map[int64]float64{f.childA: 3})
	for _, at := range []time.Time{day(12, 10), day(1, 15), day(2, 12)} {
		scores := map[int64]float64{f.childB: 4}
		for _, id := range extra {
			scores[id] = 4
		}
		f.record(maya, "Unit check", at, scores)
	}
	// Two low scores this month, a few days before the page is read.
	f.record(maya, "Quiz", day(3, 10), map[int64]float64{f.childA: 1, extra[0]: 1})

	body := wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/students/%d", maya)), http.StatusOK)
	level := chartRows(t, body, "growth-level")
	mastered := chartRows(t, body, "growth")
	if len(level) != 5 || len(mastered) != 5 {
		t.Fatalf("the charts have %d and %d months, want November to March: %+v", len(mastered), len(level), level)
	}
	if got, want := level[4].Label, "Mar, to date"; got != want {
		t.Errorf("the last month is %q, want %q", got, want)
	}
	if got, want := level[0].Label, "Nov 2024"; got != want {
		t.Errorf("the first month is %q, want %q", got, want)
	}
	// November rests on one standard and its rollup: marked, and said.
	if !level[0].Few || level[1].Few || level[4].Few {
		t.Errorf("months marked as resting on too few standards: %+v", level)
	}
	if !strings.Contains(body, "rests on fewer than 3 standards worked on") || !strings.Contains(body, `class="dot few"`) {
		t.Error("the level chart does not say that a point rests on too few standards")
	}
	// Two low scores do not make the level fall to the bottom.
	if feb, mar := level[3].Value, level[4].Value; mar < 3 || feb-mar > 0.75 {
		t.Errorf("the level falls from %.2f in February to %.2f in March on two low scores", feb, mar)
	}
	// The mastered count grows month by month and ends where the page
	// stands; each point says how many standards it counts among.
	states, err := f.st.StudentMastery(ctx, f.district, maya)
	if err != nil {
		t.Fatal(err)
	}
	wantMastered := 0
	for _, s := range states {
		if s.Mastered {
			wantMastered++
		}
	}
	if last := mastered[4]; int(last.Value) != wantMastered || last.Behind != len(states) {
		t.Errorf("the last month counts %v mastered of %d worked on; the page's states: %d mastered of %d", last.Value, last.Behind, wantMastered, len(states))
	}
	if !strings.Contains(body, fmt.Sprintf(`<p class="big" id="mastered-count">%d / `, wantMastered)) {
		t.Errorf("the page's headline does not count %d mastered", wantMastered)
	}
	// November: 6.RP.A.1 and its cluster; December: every standard.
	if mastered[0].Value != 2 || mastered[1].Value != 8 || mastered[4].Value != 6 {
		t.Errorf("mastered month by month: %+v, want 2 in November, 8 in December, 6 now", mastered)
	}
	for _, want := range []string{"Each point counts the standards Maya had mastered", "A few new scores move only the standards they assess"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}

	// The student reads the same in Spanish.
	me := f.signedIn(maya)
	me.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: "es"}
	es := wantPage(t, me.get("/me"), http.StatusOK)
	// Spanish writes 3,5 for 3.5.
	if rows := chartRows(t, strings.ReplaceAll(es, ",", "."), "growth-level"); len(rows) != 5 || !strings.Contains(rows[4].Label, "hasta hoy") {
		t.Errorf("the Spanish chart: %+v", rows)
	}
	if !strings.Contains(es, "Cada punto cuenta los estándares que Maya dominaba") {
		t.Error("the Spanish page does not say what the chart shows")
	}
}
