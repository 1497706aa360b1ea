package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/store"
)

// Config is what a Server is built from.
type Config struct {
	// Store is the database. Required.
	Store *store.Store
	// DistrictID is the district the landing page names to visitors who
	// have not signed in. Everything else is served in the district of
	// the person signed in (or of the access token's owner).
	DistrictID int64
	// Logger receives access and error lines; nil discards them.
	Logger *slog.Logger
	// Now is the district's today, which dates the pages' views of
	// mastery, the evidence grid's default date and the audit log; nil
	// means the store's (Store.Now). Sessions, access tokens, reset links,
	// cookies and sign-in limits do not follow it: they keep the store's
	// clock of signing in (Store.WallClock), the one clock that governs
	// each from start to end.
	Now func() time.Time
	// Metrics are the server's metrics; nil makes a fresh set on a
	// registry of its own.
	Metrics *Metrics
	// Catalog holds the pages' words; nil loads the embedded catalogs.
	Catalog *i18n.Catalog
	// Sessions says how long a sign-in lasts; zero means
	// access.DefaultSessions.
	Sessions access.SessionPolicy
	// Lockout locks an account after repeated wrong passwords; zero means
	// access.DefaultLockout.
	Lockout access.Lockout
	// PasswordParams are the argon2id parameters of new password hashes;
	// zero means access.DefaultParams.
	PasswordParams access.Params
	// SignInEvery and SignInBurst limit sign-in attempts per client
	// address: SignInBurst at once, then one every SignInEvery. Zero
	// means 10 at once, then one every 6 seconds.
	SignInEvery time.Duration
	SignInBurst int
	// TrustedOrigins are other origins (scheme://host[:port]) whose pages
	// may post forms to this server, such as the district's portal.
	TrustedOrigins []string
	// PublicURL is the address people open cairn at, such as
	// https://cairn.example.org (see ParsePublicURL). The absolute links
	// the server writes use it rather than the Host a request names. When
	// it is https, every request is taken to have reached the browser's
	// end over TLS (Secure cookies, HSTS), as it does through a proxy that
	// terminates TLS. Empty: links use the request's Host, and only a
	// request that came over TLS, directly or through a trusted proxy,
	// counts as secure.
	PublicURL string
	// TrustedProxies are the networks of the proxies in front of the
	// server. Only when a request's connection comes from one of them are
	// its X-Forwarded-For (the client's address) and X-Forwarded-Proto
	// (https or not) believed; anyone else's are ignored.
	TrustedProxies []netip.Prefix
	// ConcurrentReads is how many reads of signed-in people (pages and
	// API reads) run at once; the others wait their turn. Changes, public
	// pages and probes never wait for it. 0 means GOMAXPROCS on SQLite
	// and four times that on PostgreSQL.
	ConcurrentReads int

	// Live updates (live.go): LiveConnections bounds the event streams
	// open at once on this server (0 means 10,000; negative turns live
	// updates off), LivePerPerson those of one person (0 means 16).
	// LiveHeartbeat is how often an idle stream sends a comment, so that
	// proxies keep it open (0 means 25 seconds); LiveLifetime how long a
	// stream lasts before the browser reconnects and is authorised again
	// (0 means 30 minutes).
	LiveConnections int
	LivePerPerson   int
	LiveHeartbeat   time.Duration
	LiveLifetime    time.Duration
}

// Server answers cairn's HTTP requests. It is an http.Handler.
type Server struct {
	store      *store.Store
	districtID int64
	log        *slog.Logger
	now        func() time.Time
	wall       func() time.Time // the store's clock of signing in
	metrics    *Metrics
	mux        *http.ServeMux
	pages      *pages
	openapi    []byte // the OpenAPI document, built at start
	catalog    *i18n.Catalog
	sessions   access.SessionPolicy
	lockout    access.Lockout
	pwParams   access.Params
	signins    *access.Limiter
	// crossOrigin refuses state-changing requests that browsers mark as
	// coming from another site.
	crossOrigin *http.CrossOriginProtection
	// publicURL is Config.PublicURL parsed, nil when not given;
	// trustedProxies are Config.TrustedProxies (see arrival).
	publicURL      *url.URL
	trustedProxies []netip.Prefix
	// reads holds a token for each read of a signed-in person under way
	// (Config.ConcurrentReads).
	reads chan struct{}

	// live routes committed changes to the pages' event streams (live.go).
	live *liveHub

	// caseService keeps the district's frameworks as CASE packages.
	caseService caseService
	// imports holds uploads waiting for an administrator to apply them.
	imports importUploads

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
		store:       cfg.Store,
		districtID:  cfg.DistrictID,
		log:         cfg.Logger,
		now:         cfg.Now,
		wall:        cfg.Store.WallClock,
		metrics:     cfg.Metrics,
		mux:         http.NewServeMux(),
		byPattern:   map[string]route{},
		catalog:     cfg.Catalog,
		sessions:    cfg.Sessions,
		lockout:     cfg.Lockout,
		pwParams:    cfg.PasswordParams,
		crossOrigin: http.NewCrossOriginProtection(),
	}
	reads := cfg.ConcurrentReads
	if reads <= 0 {
		// On SQLite a read runs in this process, on its cores; on
		// PostgreSQL it spends much of its time waiting for the
		// database's own processes, and the store's pool is four
		// connections a core.
		reads = runtime.GOMAXPROCS(0)
		if cfg.Store.Engine() == store.Postgres {
			reads *= 4
		}
	}
	s.reads = make(chan struct{}, reads)
	for _, o := range cfg.TrustedOrigins {
		if err := s.crossOrigin.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web.New: Config.TrustedOrigins: %w", err)
		}
	}
	if cfg.PublicURL != "" {
		u, err := ParsePublicURL(cfg.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("web.New: Config.PublicURL %w", err)
		}
		s.publicURL = u
		// A proxy may pass the request on with a Host of its own; the
		// pages' own origin must still be allowed to post forms.
		if err := s.crossOrigin.AddTrustedOrigin(u.String()); err != nil {
			return nil, fmt.Errorf("web.New: Config.PublicURL: %w", err)
		}
	}
	for _, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, errors.New("web.New: Config.TrustedProxies holds an invalid network")
		}
		s.trustedProxies = append(s.trustedProxies, p.Masked())
	}
	if s.sessions == (access.SessionPolicy{}) {
		s.sessions = access.DefaultSessions
	}
	if s.lockout == (access.Lockout{}) {
		s.lockout = access.DefaultLockout
	}
	if s.pwParams == (access.Params{}) {
		s.pwParams = access.DefaultParams
	}
	if s.catalog == nil {
		c, err := i18n.Load()
		if err != nil {
			return nil, fmt.Errorf("web.New: %w", err)
		}
		s.catalog = c
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = cfg.Store.Now
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(prometheus.NewRegistry())
	}
	s.live = newLiveHub(cfg, s.log, s.metrics.liveStreams) // live updates (live.go)
	every, burst := cfg.SignInEvery, cfg.SignInBurst
	if every == 0 {
		every = 6 * time.Second
	}
	if burst == 0 {
		burst = 10
	}
	s.signins = access.NewLimiter(every, burst, s.wall)
	// The real time, whatever the clocks say, so that a server started
	// again on a demo's fixed date still gives new ids.
	s.idPrefix = strconv.FormatInt(time.Now().UnixMilli(), 36)
	p, err := parsePages(s.catalog)
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.registerRoutes()
	routes := make(map[string]route, len(s.routes))
	for _, rt := range s.routes {
		if !rt.Page {
			routes[rt.Pattern] = rt
		}
	}
	if s.openapi, err = buildOpenAPI(operations, routes); err != nil {
		return nil, fmt.Errorf("web: building the OpenAPI document: %w", err)
	}
	return s, nil
}

// ServeHTTP answers one request: it gives the request an id, works out
// how it arrived (see arrival), recovers from a panic in a handler, logs
// the request and measures it by route pattern.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now() // wall clock for latency, not the injected clock
	id := requestID(r.Header.Get("X-Request-ID"))
	if id == "" {
		id = s.idPrefix + "-" + strconv.FormatUint(s.idSeq.Add(1), 10)
	}
	w.Header().Set("X-Request-ID", id)
	st := &requestState{arrival: s.arrive(r)}
	securityHeaders(w.Header(), st.arrival.secure)
	ctx := context.WithValue(r.Context(), requestIDKey{}, id)
	r = r.WithContext(context.WithValue(ctx, requestStateKey{}, st))
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
		if label != liveEventsPath || status != http.StatusOK {
			// An event stream's time is how long a page stayed open: it
			// would fill the top bucket; cairn_live_streams counts them.
			s.metrics.observeRequest(label, r.Method, status, elapsed.Seconds())
		}
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
			slog.String("client", st.arrival.client),
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
		if strings.HasPrefix(r.URL.Path, "/ims/case/") {
			allow := ""
			if probe.status == http.StatusMethodNotAllowed {
				allow = probe.header.Get("Allow")
				sw.Header().Set("Allow", allow)
			}
			s.writeCASEError(sw, r, caseUnrouted(r, allow))
			return
		}
		answer := s.writeError
		if wantsPage(r) {
			// A person typed or followed a wrong address: answer with a
			// page that helps them on, in their language.
			s.identify(sw, r)
			answer = s.writePageError
		}
		if probe.status == http.StatusMethodNotAllowed {
			allow := probe.header.Get("Allow")
			sw.Header().Set("Allow", allow)
			answer(sw, r, &requestError{status: http.StatusMethodNotAllowed,
				detail: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
			return
		}
		answer(sw, r, &requestError{status: http.StatusNotFound,
			detail: fmt.Sprintf("nothing is at %s", r.URL.Path)})
		return
	}
	if known && !rt.Policy.changes && !rt.Policy.public {
		// Reads wait for one of a few turns, so that twenty readers of
		// heatmaps do not share the cores (and SQLite's readers) twenty
		// ways with a teacher recording evidence: the writer competes
		// with as many reads as there are cores, and the reads waiting
		// use nothing. A client that leaves while waiting is not served.
		turn := &readTurn{slots: s.reads}
		if turn.take(r.Context()) != nil {
			return
		}
		defer turn.release()
		r = r.WithContext(context.WithValue(r.Context(), readTurnKey{}, turn))
	}
	s.mux.ServeHTTP(sw, r)
}

// readTurn is a read's hold on one of the server's turns for reads
// (Config.ConcurrentReads). A read gives its turn back while it waits for
// its audit entries' commit (logAccess), which uses no core: holding the
// turn then kept the cores idle while reads queued for it.
type readTurn struct {
	slots chan struct{}
	held  bool
}

type readTurnKey struct{}

// take waits for a turn; an error when ctx ends first.
func (t *readTurn) take(ctx context.Context) error {
	select {
	case t.slots <- struct{}{}:
		t.held = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives the turn back, when held.
func (t *readTurn) release() {
	if t.held {
		<-t.slots
		t.held = false
	}
}

// readTurnOf returns the request's turn, nil for a request that takes
// none (changes, public pages).
func readTurnOf(ctx context.Context) *readTurn {
	t, _ := ctx.Value(readTurnKey{}).(*readTurn)
	return t
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
	// Policy says who may use the route at all; the handler decides about
	// each record it touches.
	Policy policy
	// Page says the route answers a person's browser with HTML, errors
	// included; otherwise it answers JSON and problem documents.
	Page bool
}

// handle registers an API or operations route. Every route goes through
// here or page, so that whatever applies to all routes (who is asking,
// the access policy, protection against forged requests, error answers)
// is written once.
func (s *Server) handle(name, pattern string, pol policy, h handlerFunc) {
	s.register(name, pattern, pol, false, h)
}

// page registers a route that answers with HTML pages.
func (s *Server) page(name, pattern string, pol policy, h handlerFunc) {
	s.register(name, pattern, pol, true, h)
}

// register adds a route. It refuses, by panicking at start, a route
// without an access policy: there is no default, so that a route cannot
// be left open by forgetting to say who may use it.
func (s *Server) register(name, pattern string, pol policy, page bool, h handlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic(fmt.Sprintf("web: route %s: pattern %q has no method", name, pattern))
	}
	if !pol.defined {
		panic(fmt.Sprintf("web: route %s (%s) has no access policy; give it one in routes.go", name, pattern))
	}
	rt := route{Name: name, Pattern: pattern, Method: method, Path: path, Policy: pol, Page: page}
	if _, dup := s.byPattern[pattern]; dup {
		panic(fmt.Sprintf("web: route %s: pattern %q registered twice", name, pattern))
	}
	s.routes = append(s.routes, rt)
	s.byPattern[pattern] = rt
	fail := s.writeError
	switch {
	case page:
		fail = s.writePageError
	case strings.HasPrefix(path, "/ims/case/"):
		// CASE clients read imsx_StatusInfo, whatever refused them.
		fail = s.writeCASEError
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		stateOf(r).route = rt.Pattern
		if err := s.allow(w, r, rt); err != nil {
			if errors.Is(err, errAnswered) {
				return
			}
			fail(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			fail(w, r, err)
		}
	})
}

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
