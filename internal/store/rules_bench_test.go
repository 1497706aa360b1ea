package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// BenchmarkRecordEvidenceRules is BenchmarkRecordEvidence on two copies of
// the same district, one with the default rules and one with every rule
// switched off, written to in turn so that both see the same load: each
// leaf standard is a prerequisite of the next (so that stalls are looked
// for), and the teacher teaches every class (so that alerts are raised).
// It reports the latency of one write at the 50th and 99th percentiles
// with the rules and without, the process's CPU time per write, and the
// alerts open at the end.
func BenchmarkRecordEvidenceRules(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			ctx := context.Background()
			setup := func(rules bool) *benchDistrict {
				x := newBenchDistrict(b, eng.url(b))
				for _, c := range x.classes {
					if err := x.s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: x.district, ClassID: c, PersonID: x.teacher, Role: roster.EnrolledTeacher}); err != nil {
						b.Fatal(err)
					}
				}
				for i := 1; i < len(x.leaves); i++ {
					if err := x.s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: x.district, StandardID: x.leaves[i], PrerequisiteID: x.leaves[i-1]}); err != nil {
						b.Fatal(err)
					}
				}
				if !rules {
					all, err := x.s.SupportRules(ctx, x.district)
					if err != nil {
						b.Fatal(err)
					}
					for _, r := range all {
						if _, err := x.s.UpdateSupportRule(ctx, x.district, r.Kind, store.RuleUpdate{Params: json.RawMessage(r.Params.ParamsJSON(r.Kind))}, x.teacher); err != nil {
							b.Fatal(err)
						}
					}
				}
				return x
			}
			on, off := setup(true), setup(false)
			var latOn, latOff []time.Duration
			var cpuOn, cpuOff time.Duration
			write := func(x *benchDistrict, lat *[]time.Duration, cpu *time.Duration) {
				ev := x.evidence()
				c := cpuTime()
				start := time.Now()
				if err := x.s.RecordEvidence(ctx, &ev); err != nil {
					b.Fatal(err)
				}
				*lat = append(*lat, time.Since(start))
				*cpu += cpuTime() - c
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// Which goes first alternates, so that neither always
				// follows the other's write.
				if i%2 == 0 {
					write(on, &latOn, &cpuOn)
					write(off, &latOff, &cpuOff)
				} else {
					write(off, &latOff, &cpuOff)
					write(on, &latOn, &cpuOn)
				}
			}
			b.StopTimer()
			q := func(lat []time.Duration, p float64) float64 {
				slices.Sort(lat)
				return float64(lat[int(p*float64(len(lat)-1))].Microseconds())
			}
			b.ReportMetric(q(latOn, 0.5), "p50-µs-rules")
			b.ReportMetric(q(latOff, 0.5), "p50-µs-off")
			b.ReportMetric(q(latOn, 0.99), "p99-µs-rules")
			b.ReportMetric(q(latOff, 0.99), "p99-µs-off")
			// The process's CPU time: on PostgreSQL the server's own is
			// not in it.
			b.ReportMetric(float64(cpuOn.Microseconds())/float64(len(latOn)), "cpu-µs-rules")
			b.ReportMetric(float64(cpuOff.Microseconds())/float64(len(latOff)), "cpu-µs-off")
			open, _, err := on.s.Alerts(ctx, on.district, store.AlertFilter{Page: store.Page{Limit: 500}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(open)), "open-alerts")
		})
	}
}
