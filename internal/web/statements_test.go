package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// statementLog records the statements a store runs (store.Config's
// OnStatement) between start and stop.
type statementLog struct {
	mu      sync.Mutex
	on      bool
	queries []string
}

func (l *statementLog) add(q string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.queries = append(l.queries, q)
	}
}

// start begins recording afresh.
func (l *statementLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.queries = true, nil
}

// stop ends recording and returns what was recorded.
func (l *statementLog) stop() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.queries
}

// firstLines names each statement by the start of its text, for a
// failure message.
func firstLines(queries []string) string {
	var b strings.Builder
	for i, q := range queries {
		q = strings.Join(strings.Fields(q), " ")
		if len(q) > 110 {
			q = q[:110] + "…"
		}
		fmt.Fprintf(&b, "\n  %2d. %s", i+1, q)
	}
	return b.String()
}

// heatmapStatements is the most statements a view of a class's heatmap
// may run once the district's catalog is cached: the session, the
// actor, the class with the actor's relation to it, the roster, the
// states, the audit entries (begin and insert), the course's title and
// the count of proposals waiting for the teacher, and the count of the
// teacher's open alerts in the class. It was 20, and 22 with the
// transactions begun, before the catalog.
const heatmapStatements = 10

// TestClassHeatmapStatements counts the statements a view of the heatmap
// runs, with a student stalled below a prerequisite the course does not
// teach, whose code and state used to cost statements of their own.
func TestClassHeatmapStatements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	earlier := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: "5.NF.1", Statement: "Add fractions."}
	if err := f.st.CreateStandard(ctx, &earlier); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: f.district, StandardID: f.childA, PrerequisiteID: earlier.ID}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f.record(f.students[i], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: float64(1 + i), f.childB: 1, earlier.ID: 1})
	}
	b := f.signedIn(f.teacher)
	path := fmt.Sprintf("/classes/%d", f.class)
	b.get(path) // fills the caches
	f.statements.start()
	res := b.get(path)
	got := f.statements.stop()
	if res.Status != 200 {
		t.Fatalf("status %d", res.Status)
	}
	body := string(res.Body)
	if !strings.Contains(body, "6.RP.A.1 (needs 5.NF.1)") {
		t.Errorf("no student is flagged as stalled below 5.NF.1, which the course does not teach:\n%s", body)
	}
	if len(got) > heatmapStatements {
		t.Errorf("a view of the heatmap ran %d statements, more than %d:%s", len(got), heatmapStatements, firstLines(got))
	}
	t.Logf("%d statements:%s", len(got), firstLines(got))
}
