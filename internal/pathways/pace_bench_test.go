package pathways

import (
	"testing"
	"time"
)

// BenchmarkPaceOfSchool computes the pace of 2,000 enrollments, a school
// of 1,000 students in two classes each, from counts: what the school
// overview computes once the database has counted.
func BenchmarkPaceOfSchool(b *testing.B) {
	term := PaceTerm{Start: time.Date(2026, 8, 17, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 6, 4, 0, 0, 0, 0, time.UTC)}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	th := DefaultPaceThresholds()
	for b.Loop() {
		for i := range 2000 {
			n := 28 + i%14
			c := PaceCounts{Mastered: i % 16, InTerm: i % 16, Last: now.AddDate(0, 0, -i%20)}
			PaceOf(DueFromCounts(n, 0, n, term, now), c, term, th, now)
		}
	}
}
