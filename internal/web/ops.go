package web

import (
	"context"
	"net/http"
	"time"
)

// healthz answers while the process is up, whatever the database does,
// so that an orchestrator restarts only a process that is truly stuck.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 when the database answers, and 503 otherwise, so
// that a load balancer sends requests only to a server that can serve
// them.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready: the database does not answer", "request_id", requestIDFrom(r.Context()), "err", err)
		writeProblem(w, r, newProblem(http.StatusServiceUnavailable, "the database does not answer"))
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "engine": s.store.Engine()})
	return nil
}

// metricsHandler serves the Prometheus metrics.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}
