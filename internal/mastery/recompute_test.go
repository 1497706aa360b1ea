package mastery

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// testDistrict is a District held in memory: a hierarchy, one scale for
// every standard, default tracers and a policy per standard.
type testDistrict struct {
	graph    *standards.Graph
	scale    standards.Scale
	policy   Policy
	byStd    map[int64]Policy
	fitted   map[int64]BKTParams
	standard map[int64]bool
}

func (d *testDistrict) Children(id int64) []int64  { return d.graph.Children(id) }
func (d *testDistrict) Ancestors(id int64) []int64 { return d.graph.Ancestors(id) }
func (d *testDistrict) Depth(id int64) int         { return len(d.graph.Ancestors(id)) }
func (d *testDistrict) Scale(id int64) (standards.Scale, bool) {
	return d.scale, d.standard[id]
}
func (d *testDistrict) Tracer(id int64) Tracer {
	if p, ok := d.fitted[id]; ok {
		return Tracer{Params: p, Fitted: true}
	}
	return Tracer{Params: DefaultBKTParams()}
}
func (d *testDistrict) Policy(id int64) Policy {
	if p, ok := d.byStd[id]; ok {
		return p
	}
	return d.policy
}

// newTestDistrict is a domain 1 with clusters 10 (standards 11 and 12)
// and 20 (standard 21, computed as the mean of its evidence, and rolled
// up as the lowest of its children), and a
// retired standard 30 that was under 20: the store cuts a retired standard
// loose, so here it is a root of its own.
func newTestDistrict() *testDistrict {
	p := func(id int64) *int64 { return &id }
	all := []standards.Standard{
		{ID: 1}, {ID: 10, ParentID: p(1), Position: 0}, {ID: 20, ParentID: p(1), Position: 1},
		{ID: 12, ParentID: p(10), Position: 1}, {ID: 11, ParentID: p(10), Position: 0},
		{ID: 21, ParentID: p(20)}, {ID: 30, Retired: true},
	}
	d := &testDistrict{graph: standards.NewGraph(all, nil), scale: standards.DefaultScale(), policy: DefaultPolicy(),
		byStd: map[int64]Policy{20: {Method: Method{Name: Mean}, Rollup: RollupLowest}, 21: {Method: Method{Name: Mean}, Rollup: RollupMean}}, standard: map[int64]bool{}}
	for _, st := range all {
		d.standard[st.ID] = true
	}
	return d
}

func TestTargetsDeepestFirst(t *testing.T) {
	d := newTestDistrict()
	cases := []struct {
		name string
		stds []int64
		want []int64
	}{
		{"one leaf", []int64{21}, []int64{21, 20, 1}},
		{"leaves of two clusters, repeated", []int64{21, 12, 11, 21}, []int64{11, 12, 21, 10, 20, 1}},
		{"a cluster and its leaf", []int64{10, 11}, []int64{11, 10, 1}},
		{"the root", []int64{1}, []int64{1}},
		{"a retired standard stands alone", []int64{30}, []int64{30}},
		{"none", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Targets(d, c.stds); !slices.Equal(got, c.want) {
				t.Fatalf("Targets(%v) = %v, want %v", c.stds, got, c.want)
			}
		})
	}
}

// obsOn returns observations with the given values, the first assessed on
// day start, each a day after the one before, with evidence ids from id.
func obsOn(id int64, start int, values ...float64) []Observation {
	out := make([]Observation, len(values))
	for i, v := range values {
		out[i] = Observation{EvidenceID: id + int64(i), Value: v, AssessedAt: day(start + i), RecordedAt: day(start + i).Add(time.Hour)}
	}
	return out
}

func TestRecomputeRollsUpThroughTheHierarchy(t *testing.T) {
	d := newTestDistrict()
	obs := map[int64][]Observation{11: obsOn(1, 0, 3, 4), 21: obsOn(10, 1, 2, 4)}
	got := Recompute(d, Targets(d, []int64{11, 21}), obs, nil)

	if _, ok := got[12]; ok {
		t.Fatal("standard 12 has no evidence and got a state")
	}
	s11 := DefaultPolicy().Decide(d.scale, obs[11], d.Tracer(11))
	if got[11].Value != 3.65 || got[11].Value != s11.Value || got[11].Model == nil {
		t.Fatalf("standard 11 = %+v, want the decaying average 3.65 with a model estimate", got[11])
	}
	// Cluster 10: the mean of its assessed children, 12 listed as not
	// assessed.
	c10 := got[10]
	if c10.Value != 3.65 || c10.EvidenceCount != 2 || c10.Model != nil {
		t.Fatalf("cluster 10 = %+v, want 3.65 from 2 pieces of evidence, no model", c10)
	}
	wantKids := []ChildInput{{StandardID: 11, Value: 3.65, Mastered: true, Assessed: true}, {StandardID: 12}}
	if !slices.Equal(c10.Explanation.Children, wantKids) {
		t.Fatalf("cluster 10's children = %+v, want %+v", c10.Explanation.Children, wantKids)
	}
	// Cluster 20: its course policy, mean for 21 and lowest to roll up.
	if got[21].Value != 3 || got[21].Explanation.Method != Mean {
		t.Fatalf("standard 21 = %+v, want the mean 3 under its own policy", got[21])
	}
	if got[20].Value != 3 || got[20].Explanation.Rollup != RollupLowest {
		t.Fatalf("cluster 20 = %+v, want the lowest of its children, 3", got[20])
	}
	// The domain: the mean of its clusters, all evidence counted.
	if d1 := got[1]; d1.Value != 3.325 || d1.EvidenceCount != 4 || !d1.LastAssessed.Equal(day(2)) || !d1.Mastered {
		t.Fatalf("domain 1 = %+v, want 3.325 mastered from 4 pieces of evidence, last on day 2", d1)
	}
}

func TestRecomputeUsesStoredStatesOfChildrenNotRecomputed(t *testing.T) {
	d := newTestDistrict()
	all := map[int64][]Observation{11: obsOn(1, 0, 1, 2), 21: obsOn(10, 1, 4)}
	full := Recompute(d, Targets(d, []int64{11, 21}), all, nil)
	// Only 21 changed: cluster 10 comes from the store.
	part := Recompute(d, Targets(d, []int64{21}), map[int64][]Observation{21: all[21]}, map[int64]State{10: full[10]})
	for _, id := range []int64{21, 20, 1} {
		if got, want := part[id], full[id]; got.Value != want.Value || got.EvidenceCount != want.EvidenceCount ||
			!slices.Equal(got.Explanation.Children, want.Explanation.Children) {
			t.Fatalf("standard %d recomputed alone = %+v, want %+v", id, got, want)
		}
	}
	if _, ok := part[10]; ok {
		t.Fatal("a stored child that is not a target was recomputed")
	}
	// Without the stored state, the domain sees cluster 10 unassessed.
	alone := Recompute(d, Targets(d, []int64{21}), map[int64][]Observation{21: all[21]}, nil)
	if alone[1].Value != 4 || alone[1].EvidenceCount != 1 {
		t.Fatalf("domain without cluster 10 = %+v, want 4 from 1 piece of evidence", alone[1])
	}
}

func TestRecomputeParentWithEvidenceOfItsOwn(t *testing.T) {
	d := newTestDistrict()
	obs := map[int64][]Observation{10: obsOn(1, 0, 2), 11: obsOn(5, 0, 4)}
	got := Recompute(d, Targets(d, []int64{10, 11}), obs, nil)
	kids := got[10].Explanation.Children
	if len(kids) != 3 || kids[2].StandardID != 10 || kids[2].Value != 2 || !kids[2].Assessed {
		t.Fatalf("cluster 10's children = %+v, want 11, 12 and its own evidence last", kids)
	}
	if got[10].Value != 3 || got[10].EvidenceCount != 2 {
		t.Fatalf("cluster 10 = %+v, want the mean of 4 and its own 2", got[10])
	}
}

func TestRecomputeRetiredStandard(t *testing.T) {
	d := newTestDistrict()
	obs := map[int64][]Observation{30: obsOn(1, 0, 4), 21: obsOn(2, 0, 1)}
	got := Recompute(d, Targets(d, []int64{30, 21}), obs, nil)
	if got[30].Value != 4 || got[30].Model == nil {
		t.Fatalf("retired standard 30 = %+v, want its own evidence's state", got[30])
	}
	if got[20].Value != 1 || got[20].EvidenceCount != 1 || len(got[20].Explanation.Children) != 1 {
		t.Fatalf("cluster 20 = %+v, want standard 21 alone rolled up: the retired standard is not its child", got[20])
	}
	if got[1].EvidenceCount != 1 {
		t.Fatalf("domain 1 counts %d pieces of evidence, want 1", got[1].EvidenceCount)
	}
}

func TestRecomputeTargetWithoutEvidenceHasNoState(t *testing.T) {
	d := newTestDistrict()
	got := Recompute(d, Targets(d, []int64{12}), nil, nil)
	if len(got) != 0 {
		t.Fatalf("got states %v with no evidence, want none", got)
	}
}

func TestReplay(t *testing.T) {
	d := newTestDistrict()
	obs := map[int64][]Observation{11: obsOn(1, 0, 1, 2, 4), 21: obsOn(10, 1, 3)}
	targets := Targets(d, []int64{11, 21})
	at := []time.Time{day(-1), day(0), day(1).Add(time.Hour), day(30)}
	got := Replay(d, targets, obs, at)
	if len(got) != len(at) {
		t.Fatalf("%d results for %d times", len(got), len(at))
	}
	if len(got[0]) != 0 {
		t.Fatalf("before any evidence: %v, want no state", got[0])
	}
	if s := got[1][11]; s.EvidenceCount != 1 || s.Value != 1 {
		t.Fatalf("on day 0 standard 11 = %+v, want 1 from its first piece of evidence", s)
	}
	if _, ok := got[1][20]; ok {
		t.Fatal("on day 0 cluster 20 has a state, but 21 was first assessed on day 1")
	}
	if s := got[2][1]; s.EvidenceCount != 3 {
		t.Fatalf("on day 1 the domain counts %d pieces of evidence, want 3", s.EvidenceCount)
	}
	now := Recompute(d, targets, obs, nil)
	for _, id := range targets {
		if got[3][id].Value != now[id].Value || got[3][id].EvidenceCount != now[id].EvidenceCount {
			t.Fatalf("after every assessment standard %d = %+v, want %+v", id, got[3][id], now[id])
		}
	}
	// The history itself is untouched.
	if len(obs[11]) != 3 {
		t.Fatal("Replay changed the observations")
	}
}

func TestAssessedBy(t *testing.T) {
	obs := obsOn(1, 0, 1, 2, 3)
	for _, c := range []struct {
		at   time.Time
		want int
	}{{day(-1), 0}, {day(0), 1}, {day(1).Add(-time.Nanosecond), 1}, {day(2), 3}, {day(9), 3}} {
		if got := AssessedBy(obs, c.at); got != c.want {
			t.Errorf("AssessedBy(%v) = %d, want %d", c.at, got, c.want)
		}
	}
}

func TestCompareObservations(t *testing.T) {
	at := day(0)
	ordered := []Observation{
		{EvidenceID: 9, AssessedAt: at.Add(-time.Hour), RecordedAt: at.Add(time.Hour)},
		{EvidenceID: 5, AssessedAt: at, RecordedAt: at},
		{EvidenceID: 3, AssessedAt: at, RecordedAt: at.Add(time.Minute)},
		{EvidenceID: 4, AssessedAt: at, RecordedAt: at.Add(time.Minute), Value: 1},
		{EvidenceID: 4, AssessedAt: at, RecordedAt: at.Add(time.Minute), Value: 2},
	}
	shuffled := []Observation{ordered[3], ordered[0], ordered[4], ordered[2], ordered[1]}
	slices.SortFunc(shuffled, CompareObservations)
	if !slices.Equal(shuffled, ordered) {
		t.Fatalf("sorted = %+v, want %+v", shuffled, ordered)
	}
}
