package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// paceBenchStudents is the size of the school the pace benchmarks read.
const paceBenchStudents = 1000

// bigSchoolBuilt is the demo district of 1,000 students at DemoNow with
// every class and person moved into its first school: one school of
// 1,000 students (the demo opens a second school past 700), built once
// per test binary.
var bigSchoolBuilt = sync.OnceValues(func() (demoImage, error) {
	var d demoImage
	ds, err := demo.Generate(demo.Options{Seed: 1, Now: DemoNow, Students: paceBenchStudents})
	if err != nil {
		return d, err
	}
	first := ds.Schools[0].SourcedID
	for i := range ds.Classes {
		ds.Classes[i].School = first
	}
	for i := range ds.People {
		if len(ds.People[i].Schools) > 0 {
			ds.People[i].Schools = []string{first}
		}
	}
	d.image, err = storetest.Image(func(path string) error {
		ctx := context.Background()
		st, err := store.Open(ctx, store.Config{URL: path, Now: func() time.Time { return DemoNow }})
		if err != nil {
			return err
		}
		start := time.Now()
		d.sum, err = demo.Load(ctx, st, ds, nil)
		d.took = time.Since(start)
		return errors.Join(err, st.Close())
	})
	return d, err
})

func openBigSchool(b *testing.B) (*store.Store, demo.Summary) {
	b.Helper()
	d, err := bigSchoolBuilt()
	if err != nil {
		b.Fatalf("building the district: %v", err)
	}
	b.Logf("district of %d students: %d records of evidence, built in %s", paceBenchStudents, d.sum.Evidence, d.took.Round(time.Second))
	st, err := store.Open(context.Background(), store.Config{URL: storetest.Write(b, d.image), Now: func() time.Time { return DemoNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st, d.sum
}

// BenchmarkSchoolPacePage measures GET /schools/{id}/pace, the pace
// overview of a school of 1,000 students in the demo district, as its
// district administrator opens it: routing, the access check, the store's
// reads, computing every student's pace, logging the looks at the
// students listed, and the page. It reports the 99th percentile as
// p99-ms; the target is under 200 ms.
func BenchmarkSchoolPacePage(b *testing.B) {
	st, sum := openBigSchool(b)
	srv, err := New(Config{Store: st, DistrictID: sum.DistrictID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PasswordParams: testPasswordParams})
	if err != nil {
		b.Fatal(err)
	}
	cookie := newSessionCookie(b, st, sum.DistrictID, sum.Admin.ID)
	path := fmt.Sprintf("/schools/%d/pace", sum.Class.SchoolID)
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	} else {
		b.SetBytes(int64(rec.Body.Len()))
	}
	durations := make([]time.Duration, 0, 256)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportP99(b, durations)
}

// BenchmarkSchoolPaceStore measures store.SchoolPace alone on the same
// school, the database's share of BenchmarkSchoolPacePage.
func BenchmarkSchoolPaceStore(b *testing.B) {
	st, sum := openBigSchool(b)
	ctx := context.Background()
	cat, err := st.Catalog(ctx, sum.DistrictID)
	if err != nil {
		b.Fatal(err)
	}
	targets := coursePlanStandards(cat)
	sp, err := st.SchoolPace(ctx, sum.DistrictID, sum.Class.SchoolID, DemoNow, targets)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, c := range sp.Classes {
		n += len(c.Students)
	}
	b.Logf("%d classes, %d enrollments", len(sp.Classes), n)
	durations := make([]time.Duration, 0, 256)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := st.SchoolPace(ctx, sum.DistrictID, sum.Class.SchoolID, DemoNow, targets); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportP99(b, durations)
}
