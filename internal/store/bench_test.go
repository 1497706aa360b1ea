package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// benchDistrict is a district shaped like a middle school's math
// department: 240 students in 8 classes, and a framework of 4 domains, each
// of 2 clusters of 3 standards, so that every piece of evidence updates a
// standard, its cluster and its domain. It starts with 5,000 pieces of
// evidence already recorded.
type benchDistrict struct {
	s        *store.Store
	district int64
	teacher  int64
	classes  []int64
	students [][]int64 // by class
	leaves   []int64
	// above are each leaf's ancestors, nearest first.
	above map[int64][]int64
	rng   *rand.Rand
	now   time.Time
}

func newBenchDistrict(b testing.TB, url string) *benchDistrict {
	return newDistrictWith(b, url, 5)
}

// newDistrictWith is newBenchDistrict with thousands of pieces of evidence
// already recorded.
func newDistrictWith(b testing.TB, url string, thousands int) *benchDistrict {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	x := &benchDistrict{s: s, above: map[int64][]int64{}, rng: rand.New(rand.NewPCG(1, 2)), now: time.Now()}
	d := roster.District{Name: "Bench"}
	must(s.CreateDistrict(ctx, &d))
	x.district = d.ID
	school := roster.School{DistrictID: d.ID, Name: "Bench Middle"}
	must(s.CreateSchool(ctx, &school))
	term := roster.Term{DistrictID: d.ID, Title: "Year", Type: roster.TermSchoolYear, StartDate: x.now.AddDate(0, -6, 0), EndDate: x.now.AddDate(0, 6, 0)}
	must(s.CreateTerm(ctx, &term))
	course := roster.Course{DistrictID: d.ID, Title: "Math 7"}
	must(s.CreateCourse(ctx, &course))
	teacher := roster.Person{DistrictID: d.ID, GivenName: "T", FamilyName: "Teacher", Roles: []roster.Role{roster.RoleTeacher}}
	must(s.CreatePerson(ctx, &teacher))
	x.teacher = teacher.ID
	for c := range 8 {
		class := roster.Class{DistrictID: d.ID, SchoolID: school.ID, CourseID: course.ID, TermID: term.ID, Title: fmt.Sprintf("Math 7 - P%d", c+1)}
		must(s.CreateClass(ctx, &class))
		x.classes = append(x.classes, class.ID)
		var ids []int64
		for i := range 30 {
			p := roster.Person{DistrictID: d.ID, GivenName: fmt.Sprintf("S%d", i), FamilyName: fmt.Sprintf("C%d", c), Roles: []roster.Role{roster.RoleStudent}}
			must(s.CreatePerson(ctx, &p))
			must(s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: p.ID, Role: roster.EnrolledStudent}))
			ids = append(ids, p.ID)
		}
		x.students = append(x.students, ids)
	}
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	must(s.CreateScale(ctx, &scale))
	fw := standards.Framework{DistrictID: d.ID, Title: "Math 7", Kind: standards.Academic, ScaleID: scale.ID}
	must(s.CreateFramework(ctx, &fw))
	var mapped []int64
	for dm := range 4 {
		domain := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Statement: fmt.Sprintf("Domain %d", dm), Position: dm}
		must(s.CreateStandard(ctx, &domain))
		for cl := range 2 {
			cluster := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Statement: fmt.Sprintf("Cluster %d.%d", dm, cl), ParentID: &domain.ID, Position: cl}
			must(s.CreateStandard(ctx, &cluster))
			for l := range 3 {
				leaf := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Statement: fmt.Sprintf("Standard %d.%d.%d", dm, cl, l), ParentID: &cluster.ID, Position: l}
				must(s.CreateStandard(ctx, &leaf))
				x.leaves = append(x.leaves, leaf.ID)
				x.above[leaf.ID] = []int64{cluster.ID, domain.ID}
				mapped = append(mapped, leaf.ID)
			}
		}
	}
	must(s.SetCourseStandards(ctx, d.ID, course.ID, mapped))

	// A district in use already has evidence, and its database has
	// statistics on it (PostgreSQL's autovacuum gathers them within a
	// minute of the first thousands of rows), so plans are made for tables
	// of that size rather than for empty ones.
	for range thousands {
		batch := make([]evidence.Evidence, 1000)
		for i := range batch {
			batch[i] = x.evidence()
		}
		must(s.RecordEvidenceBatch(ctx, batch))
	}
	if s.Engine() == store.Postgres {
		db, err := sql.Open("pgx", url)
		must(err)
		_, err = db.ExecContext(ctx, `ANALYZE`)
		must(errors.Join(err, db.Close()))
	}
	return x
}

// evidence returns a random exit ticket: one or two standards, levels 1-4,
// assessed within the last month.
func (x *benchDistrict) evidence() evidence.Evidence {
	c := x.rng.IntN(len(x.classes))
	student := x.students[c][x.rng.IntN(len(x.students[c]))]
	n := 1 + x.rng.IntN(2)
	scores := make([]evidence.Score, 0, n)
	first := x.rng.IntN(len(x.leaves) - 1)
	for i := range n {
		v := float64(1 + x.rng.IntN(4))
		scores = append(scores, evidence.Score{StandardID: x.leaves[first+i], Level: &v})
	}
	return evidence.Evidence{
		DistrictID: x.district, StudentID: student, ClassID: &x.classes[c], Kind: evidence.Formative,
		Scores: scores, AssessedAt: x.now.Add(-time.Duration(x.rng.IntN(30*24*60)) * time.Minute), RecordedBy: x.teacher,
	}
}

// BenchmarkRecordEvidence records evidence one record per transaction.
func BenchmarkRecordEvidence(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			ctx := context.Background()
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				ev := x.evidence()
				if err := x.s.RecordEvidence(ctx, &ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/record")
		})
	}
}

// BenchmarkRecordEvidenceBatch1000 records evidence in batches of 1,000
// records per transaction, as an import does.
func BenchmarkRecordEvidenceBatch1000(b *testing.B) {
	const size = 1000
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			ctx := context.Background()
			batch := make([]evidence.Evidence, size)
			b.ResetTimer()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				for i := range batch {
					batch[i] = x.evidence()
				}
				start := cpuTime()
				b.StartTimer()
				if err := x.s.RecordEvidenceBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - start
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*size), "cpu-µs/record")
		})
	}
}

// BenchmarkPredictUpdate is what a live system does for each answer: record
// one score on one standard, which updates the student's knowledge tracing
// state (and the method's value, and the ancestors') in the evidence's
// transaction, then read the new prediction back. It reports the latency of
// the pair at the 50th and 99th percentiles.
func BenchmarkPredictUpdate(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			ctx := context.Background()
			lat := make([]time.Duration, 0, 1<<14)
			at := x.now.Add(-24 * time.Hour) // then a moment later for each answer
			b.ResetTimer()
			for b.Loop() {
				c := x.rng.IntN(len(x.classes))
				student := x.students[c][x.rng.IntN(len(x.students[c]))]
				std := x.leaves[x.rng.IntN(len(x.leaves))]
				v := float64(1 + x.rng.IntN(4))
				at = at.Add(10 * time.Millisecond)
				ev := evidence.Evidence{DistrictID: x.district, StudentID: student, ClassID: &x.classes[c], Kind: evidence.Formative,
					Scores: []evidence.Score{{StandardID: std, Level: &v}}, AssessedAt: at, RecordedBy: x.teacher}
				start := time.Now()
				if err := x.s.RecordEvidence(ctx, &ev); err != nil {
					b.Fatal(err)
				}
				ms, err := x.s.MasteryOf(ctx, x.district, student, std)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if ms.Model == nil {
					b.Fatal("no model estimate after recording")
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
			b.ReportMetric(q(0.5), "p50-µs")
			b.ReportMetric(q(0.9), "p90-µs")
			b.ReportMetric(q(0.99), "p99-µs")
		})
	}
}

// limit prepares x for the write path's limit: the rows recording would
// write, without the reads and computation that decide them. It returns
// the states to write, one for every student on every standard (a
// student without a state on one gets another student's, so that the
// limit writes as many rows as recording does), and the first free
// evidence id.
func (x *benchDistrict) limit(b *testing.B) (store.LimitStates, int64) {
	b.Helper()
	ctx := context.Background()
	var all []store.MasteryState
	byStd := map[int64]store.MasteryState{}
	for _, class := range x.students {
		for _, st := range class {
			states, err := x.s.StudentMastery(ctx, x.district, st)
			if err != nil {
				b.Fatal(err)
			}
			for _, ms := range states {
				byStd[ms.StandardID] = ms
			}
			all = append(all, states...)
		}
	}
	have := map[[2]int64]bool{}
	for _, ms := range all {
		have[[2]int64{ms.StudentID, ms.StandardID}] = true
	}
	for _, class := range x.students {
		for _, st := range class {
			for std, ms := range byStd {
				if !have[[2]int64{st, std}] {
					ms.StudentID = st
					all = append(all, ms)
				}
			}
		}
	}
	last, err := x.s.MaxEvidenceID(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return x.s.LimitStatesOf(all), last + 1
}

// limitEvidence returns x.evidence() as recording would store it: id,
// recording time and score values set.
func (x *benchDistrict) limitEvidence(id int64) evidence.Evidence {
	ev := x.evidence()
	ev.ID = id
	ev.AssessedAt = ev.AssessedAt.UTC().Truncate(time.Microsecond)
	ev.RecordedAt = time.Now().UTC().Truncate(time.Microsecond)
	ev.Attempt = 1
	for i := range ev.Scores {
		ev.Scores[i].Value = *ev.Scores[i].Level
	}
	return ev
}

// targets are the standards whose states recording ev rewrites.
func (x *benchDistrict) targets(ev *evidence.Evidence) []int64 {
	var out []int64
	for _, sc := range ev.Scores {
		out = append(out, sc.StandardID)
		out = append(out, x.above[sc.StandardID]...)
	}
	return out
}

// BenchmarkRecordLimit is the limit of BenchmarkRecordEvidence on the
// same database: one transaction per record writing the rows recording
// writes (evidence, scores, the states of its standards and their
// ancestors) with the same statements, indexes and pragmas, but reading
// nothing and computing nothing. Recording's records/s divided by this
// one's is how close the write path comes to what the database allows.
func BenchmarkRecordLimit(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			states, id := x.limit(b)
			ctx := context.Background()
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				evs := []evidence.Evidence{x.limitEvidence(id)}
				id++
				if err := x.s.WriteLimit(ctx, evs, x.targets, states); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/record")
		})
	}
}

// BenchmarkRecordLimitBatch1000 is the limit of
// BenchmarkRecordEvidenceBatch1000, as BenchmarkRecordLimit is of
// BenchmarkRecordEvidence.
func BenchmarkRecordLimitBatch1000(b *testing.B) {
	const size = 1000
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			states, id := x.limit(b)
			ctx := context.Background()
			batch := make([]evidence.Evidence, size)
			b.ResetTimer()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				for i := range batch {
					batch[i] = x.limitEvidence(id)
					id++
				}
				start := cpuTime()
				b.StartTimer()
				if err := x.s.WriteLimit(ctx, batch, x.targets, states); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - start
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*size), "cpu-µs/record")
		})
	}
}
