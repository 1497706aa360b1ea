package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/web"
)

// The bounds of 'cairn bench load': enough to saturate a server on this
// machine, not enough to make the command a tool against anyone else's.
const (
	maxLoadReaders  = 200
	maxLoadWriters  = 50
	minLoadDuration = 100 * time.Millisecond
	maxLoadDuration = 10 * time.Minute
)

// The routes 'cairn bench load' asks, as its report names them.
const (
	routeHeatmap  = "GET /classes/{id}"
	routeAPIClass = "GET /api/v1/classes/{id}/mastery"
	routeEvidence = "POST /api/v1/evidence"
)

// loadConfig is what one run of 'cairn bench load' does.
type loadConfig struct {
	base                         string
	username, password           string
	classID                      int64
	readers, apiReaders, writers int
	duration                     time.Duration
	aloneFirst                   bool
	seed                         uint64
	students                     int
	logger                       *slog.Logger
	stdout, stderr               io.Writer
}

func runBenchLoad(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "bench load [flags]", `
Loads a cairn server with readers and writers at once and prints, per
route, how many requests were answered per second and their latency
(p50, p95, p99): --readers clients open a class's heatmap page, as a
teacher's browser does, --api-readers read the same class's mastery
through the JSON API, and --writers record evidence through the API, one
record with one score at a time, each client waiting for its answer before
asking again. With --alone-first (the default) the writers first run
alone for the same duration, and the report says what share of that rate
they kept beside the readers.

Without --url the command builds a demo district in this process (as
'cairn demo' does, --students students) and loads it as the demo's
teacher. With --url it loads a server already running on this machine,
such as one started with 'cairn demo --addr 127.0.0.1:8081', signing in
with --username and --password (the demo prints them; CAIRN_BENCH_PASSWORD
may hold the password) and making itself an access token. Only loopback
addresses are accepted: this is a measurement of your own server, not a
load generator for anyone else's. A server of its own process shares the
CPU with its clients; to compare two builds, run each as a server and
point this command at it.`)
	var c loadConfig
	fs.StringVar(&c.base, "url", "", "base URL of a running cairn server on a loopback address (default: build a demo district in this process)")
	fs.StringVar(&c.username, "username", "", "with --url: the username of a teacher (or anyone who may record evidence in the class)")
	fs.StringVar(&c.password, "password", envOr(env, "CAIRN_BENCH_PASSWORD", ""), "with --url: that account's password (CAIRN_BENCH_PASSWORD)")
	fs.Int64Var(&c.classID, "class", 0, "id of the class to read and record in (default: the demo's class, or the first class the account's class list links)")
	fs.IntVar(&c.readers, "readers", 20, fmt.Sprintf("clients reading the class heatmap page (0-%d)", maxLoadReaders))
	fs.IntVar(&c.apiReaders, "api-readers", 0, fmt.Sprintf("clients reading the class's mastery through the JSON API (0-%d)", maxLoadReaders))
	fs.IntVar(&c.writers, "writers", 1, fmt.Sprintf("clients recording evidence through the JSON API (0-%d)", maxLoadWriters))
	fs.DurationVar(&c.duration, "duration", 10*time.Second, fmt.Sprintf("how long each phase lasts (%v-%v)", minLoadDuration, maxLoadDuration))
	fs.BoolVar(&c.aloneFirst, "alone-first", true, "first run the writers alone, to compare their rate beside the readers with it")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the writers' choice of students, standards and points")
	fs.IntVar(&c.students, "students", 300, "without --url: number of students of the demo district")
	if err := parse(fs, args); err != nil {
		return err
	}
	c.stdout, c.stderr = env.stdout, env.stderr
	// The demo server's own log stays quiet: requests cut short at the
	// end of a phase would fill it, and what fails is counted and shown.
	c.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := c.check(); err != nil {
		return err
	}
	return benchLoad(ctx, c)
}

// check refuses a run outside the command's bounds.
func (c *loadConfig) check() error {
	switch {
	case c.readers < 0 || c.readers > maxLoadReaders:
		return fmt.Errorf("%w: --readers %d: want between 0 and %d", errUsage, c.readers, maxLoadReaders)
	case c.apiReaders < 0 || c.apiReaders > maxLoadReaders:
		return fmt.Errorf("%w: --api-readers %d: want between 0 and %d", errUsage, c.apiReaders, maxLoadReaders)
	case c.writers < 0 || c.writers > maxLoadWriters:
		return fmt.Errorf("%w: --writers %d: want between 0 and %d", errUsage, c.writers, maxLoadWriters)
	case c.readers+c.apiReaders+c.writers == 0:
		return fmt.Errorf("%w: no clients: give --readers, --api-readers or --writers", errUsage)
	case c.duration < minLoadDuration || c.duration > maxLoadDuration:
		return fmt.Errorf("%w: --duration %v: want between %v and %v", errUsage, c.duration, minLoadDuration, maxLoadDuration)
	case c.classID < 0:
		return fmt.Errorf("%w: --class %d: want the id of a class", errUsage, c.classID)
	}
	if c.base == "" {
		if c.students < 30 || c.students > 100000 {
			return fmt.Errorf("%w: --students %d: want between 30 and 100000", errUsage, c.students)
		}
		if c.username != "" || c.password != "" {
			return fmt.Errorf("%w: --username and --password are for a server given by --url; the demo built here signs in by itself", errUsage)
		}
		return nil
	}
	base, err := loopbackURL(c.base)
	if err != nil {
		return err
	}
	c.base = base
	if c.username == "" || c.password == "" {
		return fmt.Errorf("%w: --url needs --username and --password (or CAIRN_BENCH_PASSWORD) of an account on that server", errUsage)
	}
	return nil
}

// loopbackURL checks that u is an http(s) URL of a loopback address and
// returns it without a trailing slash.
func loopbackURL(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", fmt.Errorf("%w: --url %q: want a base URL such as http://127.0.0.1:8080", errUsage, u)
	}
	if p.User != nil || p.RawQuery != "" || p.Fragment != "" || strings.Trim(p.Path, "/") != "" {
		return "", fmt.Errorf("%w: --url %q: want the server's base URL only, such as http://127.0.0.1:8080", errUsage, u)
	}
	host := p.Hostname()
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%w: --url %q: cairn bench load only loads a server on this machine, at a loopback address (127.0.0.1, ::1 or localhost); %s is not one", errUsage, u, host)
	}
	return p.Scheme + "://" + p.Host, nil
}

// benchLoad runs the phases and prints the report.
func benchLoad(ctx context.Context, c loadConfig) error {
	if c.base == "" {
		stop, err := c.startDemo(ctx)
		if err != nil {
			return err
		}
		defer stop()
	}
	lc, err := newLoadClient(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "cairn bench load: %s, class %d (%d students, %d standards to record on), %v per phase\n",
		c.base, lc.classID, len(lc.students), len(lc.standards), c.duration)
	fmt.Fprintf(c.stdout, "clients: %d heatmap readers, %d API readers, %d writers%s\n", c.readers, c.apiReaders, c.writers, machineLoad())

	var phases []loadPhase
	if c.aloneFirst && c.writers > 0 && c.readers+c.apiReaders > 0 {
		p, err := lc.run(ctx, "writers alone", 0, 0, c.writers)
		if err != nil {
			return err
		}
		phases = append(phases, p)
	}
	p, err := lc.run(ctx, "all together", c.readers, c.apiReaders, c.writers)
	if err != nil {
		return err
	}
	phases = append(phases, p)

	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "phase\troute\trequests\terrors\tper second\tp50\tp95\tp99\t\n")
	for _, p := range phases {
		for _, r := range p.routes {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t\n", p.name, r.route, len(r.took), r.errors,
				r.rate(p.elapsed), ms(r.quantile(0.50)), ms(r.quantile(0.95)), ms(r.quantile(0.99)))
		}
	}
	tw.Flush()
	if len(phases) == 2 {
		alone, together := phases[0].route(routeEvidence), phases[1].route(routeEvidence)
		a, b := alone.rate(phases[0].elapsed), together.rate(phases[1].elapsed)
		if a > 0 {
			fmt.Fprintf(c.stdout, "the writers kept %.0f%% of their rate alone (%.1f of %.1f records/s)\n", 100*b/a, b, a)
		}
	}
	for _, p := range phases {
		for _, r := range p.routes {
			if len(r.took) == 0 && r.errors > 0 {
				return fmt.Errorf("%s: every request of %s failed; the first: %v", p.name, r.route, r.firstErr)
			}
			if r.firstErr != nil {
				fmt.Fprintf(c.stderr, "%s: %d of %s failed; the first: %v\n", p.name, r.errors, r.route, r.firstErr)
			}
		}
	}
	return nil
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// machineLoad is the system's load average where the system tells it, to
// print beside figures that depend on it.
func machineLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return fmt.Sprintf("; machine load %s %s %s", f[0], f[1], f[2])
}

// startDemo builds a demo district in this process, serves it on a free
// loopback port and sets c's URL, account and class to the demo's. stop
// stops the server and removes the database.
func (c *loadConfig) startDemo(ctx context.Context) (stop func(), err error) {
	dir, err := os.MkdirTemp("", "cairn-bench-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	fmt.Fprintf(c.stderr, "building a demo district of %d students...\n", c.students)
	ds, err := demo.Generate(demo.Options{Seed: 1, Now: time.Now(), Students: c.students})
	if err != nil {
		return nil, fmt.Errorf("generate demo district: %w", err)
	}
	metrics := web.NewMetrics(prometheus.NewRegistry())
	st, err := store.Open(ctx, store.Config{URL: dir + "/demo.db", Logger: c.logger, OnChange: metrics.ObserveChange})
	if err != nil {
		return nil, err
	}
	sum, err := demo.Load(ctx, st, ds, nil)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load demo district: %w", err)
	}
	for _, si := range sum.SignIns {
		if si.Role == "Teacher" {
			c.username, c.password = si.Username, si.Password
		}
	}
	if c.classID == 0 {
		c.classID = sum.Class.ID
	}
	sctx, cancel := context.WithCancel(ctx)
	based := make(chan string, 1)
	served := make(chan error, 1)
	env := &environment{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: c.stderr}
	go func() {
		served <- serve(sctx, env, c.logger, serverParts{store: st, metrics: metrics, districtID: sum.DistrictID}, "127.0.0.1:0",
			func(u string) { based <- u })
	}()
	stop = func() {
		cancel()
		if err := <-served; err != nil {
			fmt.Fprintf(c.stderr, "the demo server: %v\n", err)
		}
		st.Close()
		os.RemoveAll(dir)
	}
	select {
	case c.base = <-based:
	case err := <-served:
		cancel()
		st.Close()
		return nil, fmt.Errorf("serve the demo: %w", err)
	}
	return stop, nil
}

// loadClient holds what the clients need: a signed-in browser's cookies,
// an access token, and the class's students and standards.
type loadClient struct {
	c         loadConfig
	transport *http.Transport
	jar       http.CookieJar
	token     string
	classID   int64
	students  []int64
	standards []int64
	assessed  time.Time
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	newToken  = regexp.MustCompile(`id="new-token"[^>]* value="([^"]+)"`)
	classLink = regexp.MustCompile(`href="/classes/(\d+)"`)
)

// newLoadClient signs in, makes an access token that may record evidence,
// and finds the class and what to record in it.
func newLoadClient(ctx context.Context, c loadConfig) (*loadClient, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	conns := c.readers + c.apiReaders + c.writers + 4
	lc := &loadClient{c: c, jar: jar, classID: c.classID, transport: &http.Transport{
		Proxy:               nil, // the server is on this machine
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
	}}
	browser := &http.Client{Transport: lc.transport, Jar: jar, Timeout: time.Minute}
	page, err := lc.fetch(ctx, browser, http.MethodGet, "/signin", nil)
	if err != nil {
		return nil, err
	}
	form := url.Values{"csrf": {field(csrfField, page)}, "username": {c.username}, "password": {c.password}}
	if _, err := lc.fetch(ctx, browser, http.MethodPost, "/signin", form); err != nil {
		return nil, fmt.Errorf("signing in as %s: %w", c.username, err)
	}
	page, err = lc.fetch(ctx, browser, http.MethodGet, "/account/tokens", nil)
	if err != nil {
		return nil, err
	}
	form = url.Values{"csrf": {field(csrfField, page)}, "name": {"cairn bench load " + time.Now().UTC().Format(time.RFC3339)},
		"scope": {"write"}, "expires": {"30"}}
	page, err = lc.fetch(ctx, browser, http.MethodPost, "/account/tokens", form)
	if err != nil {
		return nil, fmt.Errorf("making an access token: %w", err)
	}
	if lc.token = field(newToken, page); lc.token == "" {
		return nil, fmt.Errorf("making an access token: the tokens page shows no new token")
	}
	if lc.classID == 0 {
		page, err := lc.fetch(ctx, browser, http.MethodGet, "/classes", nil)
		if err != nil {
			return nil, err
		}
		if lc.classID, _ = strconv.ParseInt(field(classLink, page), 10, 64); lc.classID == 0 {
			return nil, fmt.Errorf("%s's class list links no class: give --class", c.username)
		}
	}
	return lc, lc.findRecordables(ctx)
}

// field is the first group of re in page, unescaped, or "".
func field(re *regexp.Regexp, page []byte) string {
	m := re.FindSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// fetch answers one request of the signing in and returns the body; an
// answer other than 2xx, or one that ends on the sign-in page after
// signing in, is an error.
func (lc *loadClient) fetch(ctx context.Context, client *http.Client, method, path string, form url.Values) ([]byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, lc.c.base+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, b)
	}
	if path != "/signin" && resp.Request.URL.Path == "/signin" {
		return nil, fmt.Errorf("%s %s: sent to sign in: the username or password is not right", method, path)
	}
	return b, nil
}

// findRecordables reads the class's students, the standards of its
// course that have no standards below them, and the start of its term,
// which is the date the writers give their evidence (it is never after
// the server's today, whatever day that is).
func (lc *loadClient) findRecordables(ctx context.Context) error {
	var matrix struct {
		Students []struct {
			ID int64 `json:"id"`
		} `json:"students"`
		Standards []struct {
			ID       int64  `json:"id"`
			ParentID *int64 `json:"parentId"`
		} `json:"standards"`
		Class struct {
			TermID int64 `json:"termId"`
		} `json:"class"`
	}
	if err := lc.getJSON(ctx, fmt.Sprintf("/api/v1/classes/%d/mastery", lc.classID), &matrix); err != nil {
		return err
	}
	parents := map[int64]bool{}
	for _, s := range matrix.Standards {
		if s.ParentID != nil {
			parents[*s.ParentID] = true
		}
	}
	for _, s := range matrix.Standards {
		if !parents[s.ID] {
			lc.standards = append(lc.standards, s.ID)
		}
	}
	for _, s := range matrix.Students {
		lc.students = append(lc.students, s.ID)
	}
	if lc.c.writers > 0 && (len(lc.students) == 0 || len(lc.standards) == 0) {
		return fmt.Errorf("class %d has %d students and %d standards: the writers need both", lc.classID, len(lc.students), len(lc.standards))
	}
	var term struct {
		StartDate time.Time `json:"startDate"`
	}
	if err := lc.getJSON(ctx, fmt.Sprintf("/api/v1/terms/%d", matrix.Class.TermID), &term); err != nil {
		return err
	}
	lc.assessed = term.StartDate
	return nil
}

func (lc *loadClient) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, lc.c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+lc.token)
	resp, err := (&http.Client{Transport: lc.transport, Timeout: time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", path, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

// loadPhase is what one phase measured.
type loadPhase struct {
	name    string
	elapsed time.Duration
	routes  []*routeStats
}

func (p loadPhase) route(name string) *routeStats {
	for _, r := range p.routes {
		if r.route == name {
			return r
		}
	}
	return &routeStats{route: name}
}

// routeStats are the answers of one route in one phase.
type routeStats struct {
	route    string
	mu       sync.Mutex
	took     []time.Duration // of the successful requests
	errors   int
	firstErr error
}

func (r *routeStats) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errors++
		if r.firstErr == nil {
			r.firstErr = err
		}
		return
	}
	r.took = append(r.took, d)
}

func (r *routeStats) rate(elapsed time.Duration) float64 {
	return float64(len(r.took)) / elapsed.Seconds()
}

// quantile is the q-th quantile of the latencies (nearest rank); took
// must be sorted.
func (r *routeStats) quantile(q float64) time.Duration {
	if len(r.took) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(r.took)))) - 1
	return r.took[max(i, 0)]
}

// run runs one phase: the clients ask in a loop until the duration is
// over; requests cut short by its end are not counted.
func (lc *loadClient) run(ctx context.Context, name string, readers, apiReaders, writers int) (loadPhase, error) {
	p := loadPhase{name: name}
	heat, api, ev := &routeStats{route: routeHeatmap}, &routeStats{route: routeAPIClass}, &routeStats{route: routeEvidence}
	if readers > 0 {
		p.routes = append(p.routes, heat)
	}
	if apiReaders > 0 {
		p.routes = append(p.routes, api)
	}
	if writers > 0 {
		p.routes = append(p.routes, ev)
	}
	pctx, cancel := context.WithTimeout(ctx, lc.c.duration)
	defer cancel()
	// The pages are read as a browser reads them, without following a
	// redirect: one to the sign-in page is an error, not a page.
	browser := &http.Client{Transport: lc.transport, Jar: lc.jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	api1 := &http.Client{Transport: lc.transport}
	var wg sync.WaitGroup
	worker := func(stats *routeStats, ask func(ctx context.Context) error) {
		defer wg.Done()
		for pctx.Err() == nil {
			start := time.Now()
			err := ask(pctx)
			if pctx.Err() != nil {
				return
			}
			stats.add(time.Since(start), err)
		}
	}
	heatPath := fmt.Sprintf("/classes/%d", lc.classID)
	apiPath := fmt.Sprintf("/api/v1/classes/%d/mastery", lc.classID)
	start := time.Now()
	for range readers {
		wg.Add(1)
		go worker(heat, func(ctx context.Context) error { return lc.ask(ctx, browser, http.MethodGet, heatPath, nil, false) })
	}
	for range apiReaders {
		wg.Add(1)
		go worker(api, func(ctx context.Context) error { return lc.ask(ctx, api1, http.MethodGet, apiPath, nil, true) })
	}
	for i := range writers {
		rng := rand.New(rand.NewPCG(lc.c.seed, uint64(i)))
		wg.Add(1)
		go worker(ev, func(ctx context.Context) error {
			return lc.ask(ctx, api1, http.MethodPost, "/api/v1/evidence", lc.evidence(rng), true)
		})
	}
	wg.Wait()
	p.elapsed = min(time.Since(start), lc.c.duration)
	for _, r := range p.routes {
		slices.Sort(r.took)
	}
	return p, ctx.Err()
}

// evidence is one record with one score, on a student and standard of
// the class drawn from rng.
func (lc *loadClient) evidence(rng *rand.Rand) []byte {
	in := map[string]any{
		"studentId":  lc.students[rng.IntN(len(lc.students))],
		"kind":       "formative",
		"title":      "cairn bench load",
		"assessedAt": lc.assessed,
		"scores": []map[string]any{{
			"standardId": lc.standards[rng.IntN(len(lc.standards))],
			"points":     rng.IntN(11),
			"maxPoints":  10,
		}},
	}
	b, _ := json.Marshal(in)
	return b
}

// ask makes one request of the load and reads the whole answer.
func (lc *loadClient) ask(ctx context.Context, client *http.Client, method, path string, body []byte, token bool) error {
	req, err := http.NewRequestWithContext(ctx, method, lc.c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if token {
		req.Header.Set("Authorization", "Bearer "+lc.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
