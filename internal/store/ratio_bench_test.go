package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
)

// BenchmarkRecordRatio measures recording against its limit in turns:
// each iteration records one piece of evidence in one district (as
// BenchmarkRecordEvidence does) and writes the rows of one in another, like
// it (as BenchmarkRecordLimit does), timing each apart. Taking turns record
// by record, the two meet the same load on a busy machine, so their ratio
// holds where each rate alone does not. ratio is recording's rate over the
// limit's: 1 would be recording at the speed of its writes alone.
func BenchmarkRecordRatio(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			y := newBenchDistrict(b, eng.url(b))
			states, id := y.limit(b)
			ctx := context.Background()
			var rec, lim time.Duration
			b.ResetTimer()
			for b.Loop() {
				ev := x.evidence()
				start := time.Now()
				if err := x.s.RecordEvidence(ctx, &ev); err != nil {
					b.Fatal(err)
				}
				rec += time.Since(start)
				evs := []evidence.Evidence{y.limitEvidence(id)}
				id++
				start = time.Now()
				if err := y.s.WriteLimit(ctx, evs, y.targets, states); err != nil {
					b.Fatal(err)
				}
				lim += time.Since(start)
			}
			reportRatio(b, b.N, rec, lim)
		})
	}
}

// BenchmarkRecordRatioBatch1000 is BenchmarkRecordRatio in batches of
// 1,000 records, as BenchmarkRecordEvidenceBatch1000 and
// BenchmarkRecordLimitBatch1000 write them.
func BenchmarkRecordRatioBatch1000(b *testing.B) {
	const size = 1000
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			x := newBenchDistrict(b, eng.url(b))
			y := newBenchDistrict(b, eng.url(b))
			states, id := y.limit(b)
			ctx := context.Background()
			batch := make([]evidence.Evidence, size)
			limBatch := make([]evidence.Evidence, size)
			var rec, lim time.Duration
			b.ResetTimer()
			for b.Loop() {
				for i := range batch {
					batch[i] = x.evidence()
					limBatch[i] = y.limitEvidence(id)
					id++
				}
				start := time.Now()
				if err := x.s.RecordEvidenceBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				rec += time.Since(start)
				start = time.Now()
				if err := y.s.WriteLimit(ctx, limBatch, y.targets, states); err != nil {
					b.Fatal(err)
				}
				lim += time.Since(start)
			}
			reportRatio(b, b.N*size, rec, lim)
		})
	}
}

// reportRatio reports the rates of recording and of its limit, n records
// each, and their ratio.
func reportRatio(b *testing.B, n int, rec, lim time.Duration) {
	b.ReportMetric(float64(n)/rec.Seconds(), "records/s")
	b.ReportMetric(float64(n)/lim.Seconds(), "limit-records/s")
	b.ReportMetric(lim.Seconds()/rec.Seconds(), "ratio")
}
