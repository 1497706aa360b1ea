package web

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
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

func TestClassHeatmapStatements(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.record(f.students[i], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: float64(1 + i), f.childB: 1})
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
	t.Logf("%d statements:%s", len(got), firstLines(got))
}
