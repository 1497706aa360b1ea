package demo

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/pgtest"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openStore opens a store whose clock stands at the dataset's Now, so that
// evidence of the demo's today is not in the store's future.
func openStore(t testing.TB, url string, now time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: url, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// smallGenerated is a district of 60 students, for what does not need the
// default size.
var smallGenerated = sync.OnceValues(func() (*Dataset, error) { return Generate(Options{Seed: 1, Now: testNow, Students: 60}) })

// TestLoad loads a district on each engine and checks what is there. The
// store's statements are the same whatever the district's size, and
// SQLite under the race detector takes minutes over the default district:
// SQLite loads a small one, PostgreSQL the default. (The web tests load
// the default district into SQLite too.)
func TestLoad(t *testing.T) {
	big, bigEvs := defaultDataset(t)
	small, err := smallGenerated()
	if err != nil {
		t.Fatal(err)
	}
	engines := []struct {
		name string
		url  func(t testing.TB) string
		ds   *Dataset
		evs  []Evidence
	}{
		{store.SQLite, storetest.SQLite, small, slices.Collect(small.Evidence())},
		{store.Postgres, storetest.Postgres, big, bigEvs},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ds, evs := e.ds, e.evs
			ctx := context.Background()
			st := openStore(t, e.url(t), ds.Now)
			last := map[string][2]int{}
			began := map[string]time.Time{}
			var order []string
			start := time.Now()
			sum, err := Load(ctx, st, ds, func(stage string, done, total int) {
				if _, ok := began[stage]; !ok {
					began[stage] = time.Now()
					order = append(order, stage)
				}
				if p := last[stage]; done < p[0] || done > total {
					t.Errorf("progress of %s went from %d to %d of %d", stage, p[0], done, total)
				}
				last[stage] = [2]int{done, total}
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			t.Logf("%s: loaded %d records of evidence in %s", e.name, sum.Evidence, time.Since(start).Round(time.Millisecond))
			for i, stage := range order {
				end := time.Now()
				if i+1 < len(order) {
					end = began[order[i+1]]
				}
				t.Logf("  %-9s %s", stage, end.Sub(began[stage]).Round(time.Millisecond))
			}
			if !slices.Equal(order, []string{StageRoster, StageStandards, StageEvidence, StageModel}) {
				t.Errorf("stages %v", order)
			}
			for _, stage := range []string{StageRoster, StageStandards, StageEvidence, StageModel} {
				if p := last[stage]; p[0] != p[1] || p[1] == 0 {
					t.Errorf("stage %s ended at %d of %d", stage, p[0], p[1])
				}
			}

			want := Summary{DistrictID: sum.DistrictID, Schools: 2, Teachers: countRole(ds, roster.RoleTeacher),
				Students: countRole(ds, roster.RoleStudent), Guardians: countRole(ds, roster.RoleGuardian), Classes: len(ds.Classes), Frameworks: 4,
				Standards: len(ds.Standards), Evidence: len(evs),
				Teacher: sum.Teacher, Student: sum.Student, Guardian: sum.Guardian, Admin: sum.Admin, Class: sum.Class,
				SignIns: sum.SignIns}
			if diff := cmp.Diff(want, sum); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			checkSignIns(t, st, sum)
			if n, _, err := st.FittedModels(ctx, sum.DistrictID); err != nil || n < 50 {
				t.Errorf("the demo's model is fitted for %d standards (%v); want most of those with evidence", n, err)
			}
			schools, _, err := st.Schools(ctx, sum.DistrictID, store.RosterFilter{})
			if err != nil || len(schools) != 2 {
				t.Errorf("Schools: %d, %v", len(schools), err)
			}
			if !sum.Admin.Has(roster.RoleDistrictAdmin) || !sum.Teacher.Has(roster.RoleTeacher) {
				t.Errorf("admin %+v, teacher %+v", sum.Admin, sum.Teacher)
			}
			children, err := st.Children(ctx, sum.DistrictID, sum.Guardian.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(children) != 2 || !slices.ContainsFunc(children, func(p roster.Person) bool { return p.ID == sum.Student.ID }) ||
				sum.Guardian.Language != "es" {
				t.Errorf("guardian %s (%s) has children %v, want two, %s among them", sum.Guardian.Name(), sum.Guardian.Language,
					children, sum.Student.Name())
			}

			// The teacher's heatmap: 28 students against the course's
			// standards, with a spread of levels.
			m, err := st.ClassMastery(ctx, sum.DistrictID, sum.Class.ID)
			if err != nil {
				t.Fatalf("ClassMastery: %v", err)
			}
			if want := classSize(ds, ds.Featured.Class); len(m.Students) != want || (ds == big && want != 28) {
				t.Errorf("the heatmap has %d students, want the class's %d (28 in the default district)", len(m.Students), want)
			}
			if n := len(m.Standards); n < 20 || n > 60 {
				t.Errorf("the heatmap has %d standards, want 20 to 60", n)
			}
			if !slices.ContainsFunc(m.Students, func(p roster.Person) bool { return p.ID == sum.Student.ID }) {
				t.Errorf("the featured student %s is not in the heatmap", sum.Student.Name())
			}
			levels := map[float64]int{}
			filled, mastered := 0, 0
			for _, row := range m.Cells {
				if len(row) != len(m.Standards) {
					t.Fatalf("a row of %d cells for %d standards", len(row), len(m.Standards))
				}
				for _, c := range row {
					if c == nil {
						continue
					}
					filled++
					levels[c.Level]++
					if c.Mastered {
						mastered++
					}
				}
			}
			t.Logf("heatmap %dx%d: %d cells with evidence, levels %v, %d mastered", len(m.Students), len(m.Standards),
				filled, levels, mastered)
			for _, l := range []float64{1, 2, 3, 4} {
				if levels[l] == 0 {
					t.Errorf("no cell at level %g: want a spread of levels", l)
				}
			}
			if filled == len(m.Students)*len(m.Standards) {
				t.Error("every cell has evidence: the later standards of the year should not yet")
			}

			// The featured class has a pathway; every student a plan of
			// their own, some going beyond the course and some with what
			// they missed first; every student some interests.
			cp, err := st.ClassPlanning(ctx, sum.DistrictID, sum.Class.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(cp.Pathway.Targets); n < 10 {
				t.Errorf("the featured class's pathway has %d targets, want the course's year", n)
			}
			beyond, interested := 0, 0
			for _, p := range cp.Students {
				plan := cp.Plans[p.ID]
				if !plan.Stored || len(plan.Targets) < len(cp.Pathway.Targets) {
					t.Errorf("%s's plan is not stored or lacks the pathway: %+v", p.Name(), plan)
				}
				if slices.ContainsFunc(plan.Targets, func(t pathways.Target) bool { return t.Beyond }) {
					beyond++
				}
				if len(cp.Interests[p.ID]) > 0 {
					interested++
				}
			}
			if beyond == 0 || interested != len(cp.Students) {
				t.Errorf("%d students go beyond the course (want some), %d of %d have interests (want all)", beyond, interested, len(cp.Students))
			}

			// A voided record is stored voided, with its reason.
			for _, ev := range evs {
				if ev.Voided == nil {
					continue
				}
				p, err := st.PersonBySourcedID(ctx, sum.DistrictID, ev.Student)
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := st.StudentEvidence(ctx, sum.DistrictID, p.ID, store.EvidenceFilter{IncludeVoided: true, Page: store.Page{Limit: 500}})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(got, func(e2 evidence.Evidence) bool { return e2.Void != nil && e2.Void.Reason == ev.Voided.Reason }) {
					t.Errorf("the voided record of %s (%s) is not stored voided", ev.Student, ev.Voided.Reason)
				}
				break
			}
		})
	}
}

// checkSignIns checks that the featured people, the school administrators
// and the coach can sign in with the passwords in the summary, and nobody
// else has an account.
func checkSignIns(t *testing.T, st *store.Store, sum Summary) {
	t.Helper()
	ctx := context.Background()
	var roles []string
	for _, si := range sum.SignIns {
		roles = append(roles, si.Role)
		acc, hash, err := st.AccountByUsername(ctx, si.Username)
		if err != nil {
			t.Errorf("%s %s: %v", si.Role, si.Username, err)
			continue
		}
		if ok, _, err := access.CheckPassword(si.Password, hash); !ok || err != nil {
			t.Errorf("%s %s does not sign in with the password shown: %v %v", si.Role, si.Username, ok, err)
		}
		if err := access.ValidatePassword(si.Password); err != nil {
			t.Errorf("%s: %v", si.Role, err)
		}
		p, err := st.Person(ctx, sum.DistrictID, acc.PersonID)
		if err != nil || p.Name() != si.Name {
			t.Errorf("%s %s is person %d %q: %v", si.Role, si.Username, acc.PersonID, p.Name(), err)
		}
	}
	want := []string{"Teacher", "Student", "Guardian", "District admin", "School admin", "School admin", "Coach"}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("sign-ins (-want +got):\n%s", diff)
	}
	if len(sum.SignIns) > 1 && sum.SignIns[0].Username != store.NormalizeUsername(sum.Teacher.Username) {
		t.Errorf("the first sign-in is %+v, want the featured teacher %s", sum.SignIns[0], sum.Teacher.Username)
	}
	accs, _, err := st.Accounts(ctx, sum.DistrictID, store.Page{Limit: 100})
	if err != nil || len(accs) != len(want) {
		t.Errorf("%d accounts in the district (%v), want %d", len(accs), err, len(want))
	}
}

// BenchmarkLoad loads the default district into a fresh SQLite file.
func BenchmarkLoad(b *testing.B) {
	ds, err := generated()
	if err != nil {
		b.Fatal(err)
	}
	n := ds.CountEvidence()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := openStore(b, filepath.Join(b.TempDir(), "demo.db"), ds.Now)
		b.StartTimer()
		if _, err := Load(ctx, st, ds, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "evidence/s")
}

// BenchmarkRebuildDemo recomputes all the demo district's mastery from its
// evidence, in SQLite.
func BenchmarkRebuildDemo(b *testing.B) {
	ds, err := generated()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st := openStore(b, filepath.Join(b.TempDir(), "demo.db"), ds.Now)
	sum, err := Load(ctx, st, ds, nil)
	if err != nil {
		b.Fatal(err)
	}
	records := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stats, err := st.RebuildMastery(ctx, sum.DistrictID, nil)
		if err != nil {
			b.Fatal(err)
		}
		records += stats.Evidence
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "evidence/s")
}
