package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// The class the matrix benchmarks read: 30 students and 60 standards with
// about 10 pieces of evidence per cell.
const (
	benchStudents  = 30
	benchStandards = 60
	benchPerCell   = 10
)

// BenchmarkClassMatrixAPI measures GET /api/v1/classes/{id}/mastery for a
// class of 30 students and 60 standards with about 10 pieces of evidence
// per cell, through the whole handler (routing, store, JSON). It reports
// the 99th percentile of the requests' durations as p99-ms; the target is
// under 20 ms.
func BenchmarkClassMatrixAPI(b *testing.B) {
	st, districtID, classID := matrixFixture(b)
	srv, err := New(Config{Store: st, DistrictID: districtID, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/classes/%d/mastery", classID)
	token := benchToken(b, st, districtID)
	get := func() *http.Request {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return req
	}

	// One request to check the answer before timing it.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, get())
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var m classMatrixJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		b.Fatal(err)
	}
	if len(m.Students) != benchStudents || len(m.Standards) != benchStandards || m.Cells[0][0] == nil || m.Cells[0][0].Count != benchPerCell {
		b.Fatalf("matrix %d x %d, first cell %+v", len(m.Students), len(m.Standards), m.Cells[0][0])
	}
	b.SetBytes(int64(rec.Body.Len()))

	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, get())
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	reportP99(b, durations)
}

// BenchmarkClassMatrixStore measures store.ClassMastery alone on the same
// class, so that the handler's own share of BenchmarkClassMatrixAPI (the
// difference) can be told apart from the database's.
func BenchmarkClassMatrixStore(b *testing.B) {
	st, districtID, classID := matrixFixture(b)
	ctx := context.Background()
	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := st.ClassMastery(ctx, districtID, classID); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportP99(b, durations)
}

// benchToken makes a district administrator of the benchmark district
// and a read token of theirs, for the API benchmarks.
func benchToken(b *testing.B, st *store.Store, districtID int64) string {
	b.Helper()
	ctx := context.Background()
	admin := roster.Person{DistrictID: districtID, GivenName: "A", FamilyName: "Admin", Roles: []roster.Role{roster.RoleDistrictAdmin}}
	if err := st.CreatePerson(ctx, &admin); err != nil {
		b.Fatal(err)
	}
	secret, hash := access.NewAccessToken()
	if err := st.CreateToken(ctx, &store.Token{DistrictID: districtID, PersonID: admin.ID, Name: "bench", Hash: hash, Scope: access.TokenRead}); err != nil {
		b.Fatal(err)
	}
	return secret
}

// reportP99 reports the 99th percentile of durations in milliseconds.
func reportP99(b *testing.B, durations []time.Duration) {
	if len(durations) == 0 {
		return
	}
	slices.Sort(durations)
	p99 := durations[min(len(durations)-1, len(durations)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

// matrixFixture loads the benchmark class through the store, evidence
// by RecordEvidenceBatch, and returns the district and class ids.
func matrixFixture(b *testing.B) (*store.Store, int64, int64) {
	b.Helper()
	const (
		nStudents  = benchStudents
		nStandards = benchStandards
		perCell    = benchPerCell
	)
	ctx := context.Background()
	st := openStore(b, nil)
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	d := roster.District{Name: "Benchmark District"}
	must(st.CreateDistrict(ctx, &d))
	sc := roster.School{DistrictID: d.ID, Name: "School"}
	must(st.CreateSchool(ctx, &sc))
	term := roster.Term{DistrictID: d.ID, Title: "Year", Type: roster.TermSchoolYear,
		StartDate: testNow.AddDate(-1, 0, 0), EndDate: testNow.AddDate(0, 3, 0)}
	must(st.CreateTerm(ctx, &term))
	course := roster.Course{DistrictID: d.ID, Title: "Math"}
	must(st.CreateCourse(ctx, &course))
	class := roster.Class{DistrictID: d.ID, SchoolID: sc.ID, CourseID: course.ID, TermID: term.ID, Title: "Math, period 1"}
	must(st.CreateClass(ctx, &class))
	teacher := roster.Person{DistrictID: d.ID, GivenName: "T", FamilyName: "Teacher", Roles: []roster.Role{roster.RoleTeacher}}
	must(st.CreatePerson(ctx, &teacher))
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	must(st.CreateScale(ctx, &scale))
	fw := standards.Framework{DistrictID: d.ID, Title: "Math", Kind: standards.Academic, ScaleID: scale.ID}
	must(st.CreateFramework(ctx, &fw))
	// Six clusters of ten standards: 66 rows in the framework, 60 of
	// them leaves the course is mapped to.
	var leaves []int64
	for c := range 6 {
		cl := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Code: fmt.Sprintf("C%d", c), Statement: "Cluster", Position: c}
		must(st.CreateStandard(ctx, &cl))
		for i := range nStandards / 6 {
			s := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Code: fmt.Sprintf("C%d.%d", c, i),
				Statement: "Standard", ParentID: &cl.ID, Position: i}
			must(st.CreateStandard(ctx, &s))
			leaves = append(leaves, s.ID)
		}
	}
	must(st.SetCourseStandards(ctx, d.ID, course.ID, leaves))
	var students []int64
	for i := range nStudents {
		p := roster.Person{DistrictID: d.ID, GivenName: fmt.Sprintf("S%02d", i), FamilyName: "Student", Roles: []roster.Role{roster.RoleStudent}}
		must(st.CreatePerson(ctx, &p))
		must(st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: p.ID, Role: roster.EnrolledStudent}))
		students = append(students, p.ID)
	}
	// Ten assessments, each scoring every standard for every student:
	// 300 records of 60 scores, about 10 scores per cell.
	levels := []float64{1, 2, 3, 4}
	for a := range perCell {
		evs := make([]evidence.Evidence, 0, nStudents)
		for si, s := range students {
			ev := evidence.Evidence{DistrictID: d.ID, StudentID: s, ClassID: &class.ID, Kind: evidence.Formative,
				AssessedAt: testNow.Add(time.Duration(a-perCell) * 24 * time.Hour), RecordedBy: teacher.ID}
			for j, std := range leaves {
				lv := levels[(si+j+a)%len(levels)]
				ev.Scores = append(ev.Scores, evidence.Score{StandardID: std, Level: &lv})
			}
			evs = append(evs, ev)
		}
		must(st.RecordEvidenceBatch(ctx, evs))
	}
	return st, d.ID, class.ID
}

// BenchmarkClassMatrixEncode measures the handler's own work on the
// benchmark class's matrix, without the database: turning the store's
// matrix into the API's shape and encoding it.
func BenchmarkClassMatrixEncode(b *testing.B) {
	st, districtID, classID := matrixFixture(b)
	m, err := st.ClassMastery(context.Background(), districtID, classID)
	if err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := httptest.NewRecorder()
		writeJSON(rec, http.StatusOK, newClassMatrixJSON(m))
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportP99(b, durations)
}
