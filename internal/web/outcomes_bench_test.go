package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// benchOutcomesPage measures GET path as the district's administrator,
// reporting the 99th percentile as p99-ms.
func benchOutcomesPage(b *testing.B, st *store.Store, sum demo.Summary, path string) {
	srv, err := New(Config{Store: st, DistrictID: sum.DistrictID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PasswordParams: testPasswordParams})
	if err != nil {
		b.Fatal(err)
	}
	cookie := newSessionCookie(b, st, sum.DistrictID, sum.Admin.ID)
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

// BenchmarkOutcomesSchoolPage measures GET /schools/{id}/outcomes on the
// demo district (300 students, two schools): the school-wide rollup of
// the outcomes of supports, whole (routing, the access check, the
// store's reads, every student's mastery timeline on the standards of
// the plans, the comparison, the district's breakdown by school and
// subgroup with its suppression, the page). Target: under 200 ms.
func BenchmarkOutcomesSchoolPage(b *testing.B) {
	st, sum := OpenDemo(b)
	benchOutcomesPage(b, st, sum, fmt.Sprintf("/schools/%d/outcomes", sum.Class.SchoolID))
}

// BenchmarkOutcomesDistrictPage measures GET /admin/outcomes on the demo
// district.
func BenchmarkOutcomesDistrictPage(b *testing.B) {
	st, sum := OpenDemo(b)
	benchOutcomesPage(b, st, sum, "/admin/outcomes")
}

// BenchmarkOutcomesBigSchoolPage measures GET /schools/{id}/outcomes on
// the school of 1,000 students the pace benchmarks read.
func BenchmarkOutcomesBigSchoolPage(b *testing.B) {
	st, sum := openBigSchool(b)
	benchOutcomesPage(b, st, sum, fmt.Sprintf("/schools/%d/outcomes", sum.Class.SchoolID))
}

// BenchmarkOutcomesParts measures the shares of the demo district's
// rollup: the store's reads of plans, pools and demographics, the
// timelines, and the pure tallies with suppression.
func BenchmarkOutcomesParts(b *testing.B) {
	st, sum := OpenDemo(b)
	ctx := context.Background()
	d := sum.DistrictID
	data, err := st.SupportOutcomesData(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	cands, _ := supports.OutcomeCandidates(data.OutcomeInput)
	pairs := supports.OutcomePairs(cands)
	b.Logf("%d plans, %d candidates, %d timelines", len(data.Plans), len(cands), len(pairs))
	b.Run("data", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.SupportOutcomesData(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("timelines", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.MasteryTimelines(ctx, d, pairs); err != nil {
				b.Fatal(err)
			}
		}
	})
	srv := &Server{store: st}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if _, err := srv.supportOutcomes(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
