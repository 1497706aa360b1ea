package web

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cairn-learning/cairn/internal/store"
)

// Metrics are the Prometheus metrics of a cairn server. The binary makes
// one set, hands ObserveChange to the store and the set to New, so that
// evidence written by any path (the API, an import) is counted.
type Metrics struct {
	requestDuration *prometheus.HistogramVec
	evidence        prometheus.Counter
	masteryUpdates  prometheus.Counter
	// liveStreams counts the open event streams of live updates, which
	// are kept out of requestDuration: a stream lasts its lifetime.
	liveStreams prometheus.Gauge
	scrape      http.Handler
}

// NewMetrics registers cairn's metrics, and the Go runtime and process
// collectors, on reg.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cairn_http_request_duration_seconds",
			Help: "Time taken to answer HTTP requests, by route pattern, method and status class.",
			// From 1 ms to 10 s: a teacher's page should answer well under
			// 100 ms; the long tail shows imports and rebuilds.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		evidence: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cairn_evidence_recorded_total",
			Help: "Evidence records written.",
		}),
		masteryUpdates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cairn_mastery_updates_total",
			Help: "Mastery states updated after evidence was written or voided.",
		}),
		liveStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cairn_live_streams",
			Help: "Open event streams of live updates (GET /events).",
		}),
	}
	m.scrape = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	reg.MustRegister(m.requestDuration, m.evidence, m.masteryUpdates, m.liveStreams)
	// The runtime collectors may already be on a registry the caller shares;
	// that is not an error worth refusing to start for.
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			if _, ok := err.(prometheus.AlreadyRegisteredError); !ok {
				panic(err)
			}
		}
	}
	return m
}

// ObserveChange counts the evidence and the mastery states of one committed
// change. It has the signature of store.Config.OnChange.
func (m *Metrics) ObserveChange(c store.Change) {
	m.evidence.Add(float64(c.Evidence))
	m.masteryUpdates.Add(float64(len(c.StandardIDs)))
}

// observeRequest records one answered request.
func (m *Metrics) observeRequest(route, method string, status int, seconds float64) {
	m.requestDuration.WithLabelValues(route, method, statusClass(status)).Observe(seconds)
}

// handler serves the registry in the Prometheus exposition format.
func (m *Metrics) handler() http.Handler { return m.scrape }

// statusClass keeps the label set small: 2xx, 4xx, 5xx.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
