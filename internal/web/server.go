package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/store"
)

// Config is what a Server is built from.
type Config struct {
	// Store is the database. Required.
	Store *store.Store
	// DistrictID is the district this server serves.
	DistrictID int64
	// Logger receives access and error lines; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Metrics are the server's metrics; nil makes a fresh set on a
	// registry of its own.
	Metrics *Metrics
}

// Server answers cairn's HTTP requests. It is an http.Handler.
type Server struct {
	store      *store.Store
	districtID int64
	log        *slog.Logger
	now        func() time.Time
	metrics    *Metrics
	mux        *http.ServeMux
	pages      *pages
	openapi    []byte // the OpenAPI document, built at start

	// routes lists every registered route in registration order;
	// byPattern finds one by its pattern.
	routes    []route
	byPattern map[string]route

	// Request ids are a prefix fixed at start and a counter: unique within
	// a server's life and across restarts, without a source of randomness.
	idPrefix string
	idSeq    atomic.Uint64
}

// New builds a Server and its routes. It fails when the configuration is
// incomplete or a page template does not parse, so that a broken build
// fails at start rather than on the first request.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web.New: Config.Store is required")
	}
	if cfg.DistrictID <= 0 {
		return nil, fmt.Errorf("web.New: Config.DistrictID %d is not a district id", cfg.DistrictID)
	}
	s := &Server{
		store:      cfg.Store,
		districtID: cfg.DistrictID,
		log:        cfg.Logger,
		now:        cfg.Now,
		metrics:    cfg.Metrics,
		mux:        http.NewServeMux(),
		byPattern:  map[string]route{},
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(prometheus.NewRegistry())
	}
	s.idPrefix = strconv.FormatInt(s.now().UnixMilli(), 36)
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.registerRoutes()
	names := make(map[string]string, len(s.routes))
	for _, rt := range s.routes {
		names[rt.Pattern] = rt.Name
	}
	if s.openapi, err = buildOpenAPI(operations, names); err != nil {
		return nil, fmt.Errorf("web: building the OpenAPI document: %w", err)
	}
	return s, nil
}

// ServeHTTP answers one request: it gives the request an id, recovers from
// a panic in a handler, logs the request and measures it by route pattern.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now() // wall clock for latency, not the injected clock
	id := requestID(r.Header.Get("X-Request-ID"))
	if id == "" {
		id = s.idPrefix + "-" + strconv.FormatUint(s.idSeq.Add(1), 10)
	}
	w.Header().Set("X-Request-ID", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	sw := &statusWriter{ResponseWriter: w}

	h, pattern := s.mux.Handler(r)
	rt, known := s.byPattern[pattern]
	label := "unmatched"
	if known {
		label = rt.Path
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !sw.wroteHeader {
				s.writeError(sw, r, fmt.Errorf("panic: %v", v))
			}
		}
		elapsed := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.observeRequest(label, r.Method, status, elapsed.Seconds())
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case known && quietRoutes[rt.Name] && status < 400:
			// Probes and scrapes every few seconds would drown the log.
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", label),
			slog.Int("status", status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", elapsed),
		)
	}()

	if !known && pattern == "" {
		// The mux found no route: h answers 404, or 405 with an Allow
		// header. Ask it which, and answer in problem+json instead of its
		// plain text.
		probe := &probeWriter{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			allow := probe.header.Get("Allow")
			sw.Header().Set("Allow", allow)
			s.writeError(sw, r, &requestError{status: http.StatusMethodNotAllowed,
				detail: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
			return
		}
		s.writeError(sw, r, &requestError{status: http.StatusNotFound,
			detail: fmt.Sprintf("nothing is at %s", r.URL.Path)})
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// quietRoutes are logged at debug level when they succeed.
var quietRoutes = map[string]bool{"healthz": true, "readyz": true, "metrics": true}

// handlerFunc is a handler that returns its failure instead of writing it,
// so that every failure is answered the same way (see problemFor).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one registered route.
type route struct {
	// Name is a stable name for the route ("classMastery"); access rules
	// and the OpenAPI operationId use it.
	Name string
	// Pattern is the ServeMux pattern, "GET /api/v1/classes/{id}/mastery".
	Pattern      string
	Method, Path string
}

// handle registers h under pattern. Every route goes through here, so
// that whatever applies to all routes (the access check, error answers)
// is written once.
func (s *Server) handle(name, pattern string, h handlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic(fmt.Sprintf("web: route %s: pattern %q has no method", name, pattern))
	}
	rt := route{Name: name, Pattern: pattern, Method: method, Path: path}
	if _, dup := s.byPattern[pattern]; dup {
		panic(fmt.Sprintf("web: route %s: pattern %q registered twice", name, pattern))
	}
	s.routes = append(s.routes, rt)
	s.byPattern[pattern] = rt
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := s.allow(r, rt); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// allow decides whether the request may use the route. The server has no
// sign-in yet: it serves one district, and every route is open.
func (s *Server) allow(r *http.Request, rt route) error { return nil }

type requestIDKey struct{}

// requestIDFrom returns the id ServeHTTP gave the request.
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID returns the id a client or proxy sent when it is short and
// plain enough to log safely, or "".
func requestID(h string) string {
	if h == "" || len(h) > 64 {
		return ""
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return ""
		}
	}
	return h
}

// statusWriter remembers the status and size of a response for the access
// log and the metrics.
type statusWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (to flush
// server-sent events).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// probeWriter catches what the mux's own not-found and not-allowed
// handlers would answer.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }
func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
