package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// Live updates (decision 28). A page that shows what evidence changes (a
// class's heatmap, a student's page, a teacher's alerts) subscribes to
// GET /events with what it shows, and the server tells it, by server-sent
// events, when that changed; the page's script then fetches the page
// again and swaps the changed region. Events carry only the kind of
// change: what changed is read through the page, decided and logged as
// every read is.
//
// The hub takes the store's committed changes (Store.WatchChanges: this
// server's own and, on PostgreSQL, every other server's), finds the
// subscriptions they concern (a student's mastery concerns the heatmaps of
// the student's classes: one store read per student, kept a minute, not a
// read per subscriber) and wakes each. A subscriber that is woken several
// times before it writes sends one event: pages fetch the latest anyway.

// The defaults of the live updates' settings (Config).
const (
	defaultLiveConnections = 10000
	defaultLivePerPerson   = 16
	defaultLiveHeartbeat   = 25 * time.Second
	defaultLiveLifetime    = 30 * time.Minute
	// liveRetry is how long a browser waits before reconnecting, in
	// milliseconds, spread by up to liveRetryJitter so that a restarted
	// server is not reconnected to all at once.
	liveRetry       = 2000
	liveRetryJitter = 3000
	// liveWriteTimeout drops a subscriber that does not take an event.
	liveWriteTimeout = 10 * time.Second
	// liveCacheFor is how long the classes of a student and the teachers
	// of a class are kept: an enrollment made meanwhile reaches open
	// heatmaps within it.
	liveCacheFor = time.Minute
	// liveCacheMost bounds each cache: past it, it starts again.
	liveCacheMost = 100000
	// liveQueue is how many changes wait for the hub; past it they are
	// dropped and every subscriber is told to refresh.
	liveQueue = 8192
)

// liveKinds is a set of kinds of change, one bit each.
type liveKinds uint8

const (
	liveMastery liveKinds = 1 << iota
	liveAlerts
	liveSupports
	liveGroups
	liveMissed
)

// liveKindOf is the bit of a store change's kind.
func liveKindOf(k store.ChangeKind) liveKinds {
	switch k {
	case store.MasteryChanged:
		return liveMastery
	case store.AlertsChanged:
		return liveAlerts
	case store.SupportsChanged:
		return liveSupports
	case store.GroupsChanged:
		return liveGroups
	}
	// A kind this server does not know (a newer server's) and missed
	// changes make every page look again.
	return liveMissed
}

// names are the kinds in the event's data, in the store's words.
func (k liveKinds) names() []string {
	var out []string
	for _, x := range []struct {
		bit  liveKinds
		name string
	}{{liveMastery, "mastery"}, {liveAlerts, "alerts"}, {liveSupports, "supports"}, {liveGroups, "groups"}, {liveMissed, "missed"}} {
		if k&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return out
}

// liveTopic is what a subscription follows: a class ('c'), a student
// ('s') or the alerts of a teacher's students ('a', by the teacher's id).
type liveTopic struct {
	kind byte
	id   int64
}

// liveSub is one open event stream.
type liveSub struct {
	topic    liveTopic
	person   int64
	district int64
	// sees are the kinds of change the subscriber may know of.
	sees liveKinds
	wake chan struct{}

	mu      sync.Mutex
	pending liveKinds
}

// signal records kinds and wakes the stream, without waiting.
func (s *liveSub) signal(k liveKinds) {
	s.mu.Lock()
	s.pending |= k
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *liveSub) take() liveKinds {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.pending
	s.pending = 0
	return k
}

// cachedIDs are ids read from the store at a time.
type cachedIDs struct {
	ids []int64
	at  time.Time
}

// liveHub routes committed changes to the open event streams.
type liveHub struct {
	store        *store.Store
	log          *slog.Logger
	maxConns     int
	maxPerPerson int
	heartbeat    time.Duration
	lifetime     time.Duration
	off          bool

	mu        sync.Mutex
	topics    map[liveTopic]map[*liveSub]struct{}
	perPerson map[int64]int
	// byKind counts the subscriptions of each kind of topic, so that a
	// change no class or alert list follows costs no store read.
	byKind  map[byte]int
	stopped bool

	count    atomic.Int64
	streams  prometheus.Gauge // count, for the metrics
	seq      atomic.Uint64
	queue    chan store.Change
	overflow atomic.Bool
	done     chan struct{}
	start    sync.Once
	worker   sync.WaitGroup
	unwatch  func()
	stopOnce sync.Once

	// The caches are the worker's alone.
	classesOf  map[int64]cachedIDs // student -> classes
	teachersOf map[int64]cachedIDs // class -> teachers
}

// The route of the event streams; its path is what the request metrics
// leave out.
const (
	liveEventsRoute = "GET " + liveEventsPath
	liveEventsPath  = "/events"
)

func newLiveHub(cfg Config, log *slog.Logger, streams prometheus.Gauge) *liveHub {
	h := &liveHub{
		store:        cfg.Store,
		log:          log,
		maxConns:     cfg.LiveConnections,
		maxPerPerson: cfg.LivePerPerson,
		heartbeat:    cfg.LiveHeartbeat,
		lifetime:     cfg.LiveLifetime,
		topics:       map[liveTopic]map[*liveSub]struct{}{},
		perPerson:    map[int64]int{},
		byKind:       map[byte]int{},
		queue:        make(chan store.Change, liveQueue),
		done:         make(chan struct{}),
		classesOf:    map[int64]cachedIDs{},
		teachersOf:   map[int64]cachedIDs{},
		streams:      streams,
	}
	if h.maxConns < 0 {
		h.off = true
	}
	if h.maxConns == 0 {
		h.maxConns = defaultLiveConnections
	}
	if h.maxPerPerson <= 0 {
		h.maxPerPerson = defaultLivePerPerson
	}
	if h.heartbeat <= 0 {
		h.heartbeat = defaultLiveHeartbeat
	}
	if h.lifetime <= 0 {
		h.lifetime = defaultLiveLifetime
	}
	if !h.off {
		h.unwatch = cfg.Store.WatchChanges(h.publish)
	}
	return h
}

// publish takes a committed change. It never waits: it is called right
// after the writer's commit.
func (h *liveHub) publish(c store.Change) {
	if h.count.Load() == 0 {
		return
	}
	select {
	case h.queue <- c:
	default:
		h.overflow.Store(true)
	}
}

// run routes changes until the hub stops.
func (h *liveHub) run() {
	for {
		select {
		case <-h.done:
			return
		case c := <-h.queue:
			if h.overflow.Swap(false) {
				h.route(store.Change{Kind: store.ChangesMissed})
			}
			h.route(c)
		}
	}
}

// route wakes the subscriptions a change concerns and that may know of
// its kind.
func (h *liveHub) route(c store.Change) {
	kind := liveKindOf(c.Kind)
	if kind == liveMissed {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, subs := range h.topics {
			for s := range subs {
				s.signal(liveMissed)
			}
		}
		return
	}
	h.mu.Lock()
	wantClasses := h.byKind['c'] > 0 || (kind == liveAlerts && h.byKind['a'] > 0)
	wantTeachers := kind == liveAlerts && h.byKind['a'] > 0
	h.mu.Unlock()

	topics := make([]liveTopic, 0, 8)
	if c.StudentID != 0 {
		topics = append(topics, liveTopic{'s', c.StudentID})
	}
	var classes []int64
	if c.ClassID != 0 {
		classes = append(classes, c.ClassID)
	}
	if wantClasses && c.StudentID != 0 {
		classes = append(classes, h.lookup(h.classesOf, c.StudentID, func(ctx context.Context) ([]int64, error) {
			cs, err := h.store.PersonClasses(ctx, c.DistrictID, c.StudentID)
			ids := make([]int64, len(cs))
			for i, x := range cs {
				ids[i] = x.ID
			}
			return ids, err
		})...)
	}
	for _, id := range classes {
		topics = append(topics, liveTopic{'c', id})
		if !wantTeachers {
			continue
		}
		for _, t := range h.lookup(h.teachersOf, id, func(ctx context.Context) ([]int64, error) {
			ps, err := h.store.ClassTeachers(ctx, c.DistrictID, id)
			ids := make([]int64, len(ps))
			for i, p := range ps {
				ids[i] = p.ID
			}
			return ids, err
		}) {
			topics = append(topics, liveTopic{'a', t})
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		for s := range h.topics[t] {
			if s.district == c.DistrictID && s.sees&kind != 0 {
				s.signal(kind)
			}
		}
	}
}

// lookup returns the ids cache holds for key, reading them again when
// they are older than liveCacheFor. A failed read is logged and taken as
// none: the pages still show the truth when reloaded.
func (h *liveHub) lookup(cache map[int64]cachedIDs, key int64, read func(context.Context) ([]int64, error)) []int64 {
	now := time.Now()
	if e, ok := cache[key]; ok && now.Sub(e.at) < liveCacheFor {
		return e.ids
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ids, err := read(ctx)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		h.log.Warn("live updates: cannot read whom a change concerns", "err", err)
		return nil
	}
	if len(cache) >= liveCacheMost {
		clear(cache)
	}
	cache[key] = cachedIDs{ids: ids, at: now}
	return ids
}

// add opens a subscription, or refuses it over a limit, naming the limit.
func (h *liveHub) add(s *liveSub) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.stopped:
		return &requestError{status: http.StatusServiceUnavailable,
			detail: "live updates: this server is shutting down; the page reconnects to the next, and works by reloading meanwhile"}
	case int(h.count.Load()) >= h.maxConns:
		return &requestError{status: http.StatusServiceUnavailable, detail: fmt.Sprintf(
			"live updates: this server holds its limit of %d open event streams (cairn serve --live-connections); the page works by reloading", h.maxConns)}
	case h.perPerson[s.person] >= h.maxPerPerson:
		return &requestError{status: http.StatusTooManyRequests, detail: fmt.Sprintf(
			"live updates: you have %d pages receiving live updates open, the limit for one person; close some, or reload pages to see changes", h.maxPerPerson)}
	}
	h.start.Do(func() { h.worker.Go(h.run) })
	subs := h.topics[s.topic]
	if subs == nil {
		subs = map[*liveSub]struct{}{}
		h.topics[s.topic] = subs
	}
	subs[s] = struct{}{}
	h.perPerson[s.person]++
	h.byKind[s.topic.kind]++
	h.count.Add(1)
	h.streams.Inc()
	return nil
}

// remove closes a subscription.
func (h *liveHub) remove(s *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.topics[s.topic]
	if _, ok := subs[s]; !ok {
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(h.topics, s.topic)
	}
	if h.perPerson[s.person]--; h.perPerson[s.person] <= 0 {
		delete(h.perPerson, s.person)
	}
	h.byKind[s.topic.kind]--
	h.count.Add(-1)
	h.streams.Dec()
}

// stop ends every stream and stops taking changes.
func (h *liveHub) stop() {
	h.stopOnce.Do(func() {
		h.mu.Lock()
		h.stopped = true
		h.mu.Unlock()
		if h.unwatch != nil {
			h.unwatch()
		}
		close(h.done)
		h.worker.Wait()
	})
}

// StopLive ends every open event stream of live updates and refuses new
// ones. Event streams never end by themselves, so a server shutting down
// calls it first (http.Server.RegisterOnShutdown), or Shutdown waits for
// them until its deadline. The browsers reconnect to whichever server
// answers next.
func (s *Server) StopLive() { s.live.stop() }

// liveEvents is GET /events: a stream of server-sent events telling a page
// when what it shows changed. Exactly one of class, student or alerts says
// what the page shows; it is decided as the page itself is, and a class or
// student the person may not see is answered like one that does not
// exist. The stream begins with a "ready" event, sends a "change" event
// with the kinds of change ({"kinds":["mastery"]}) when one concerns the
// page, a comment line as a heartbeat, and ends after a while (the browser
// reconnects, and the subscription is decided again).
func (s *Server) liveEvents(w http.ResponseWriter, r *http.Request) error {
	h := s.live
	if h.off {
		return &requestError{status: http.StatusServiceUnavailable,
			detail: "live updates are off on this server (cairn serve --live-connections -1); pages show changes when reloaded"}
	}
	sub, err := s.liveSubscription(r)
	if err != nil {
		return err
	}
	// A stream holds no read turn: it waits, and reads nothing more.
	if t := readTurnOf(r.Context()); t != nil {
		t.release()
	}
	if err := h.add(sub); err != nil {
		w.Header().Set("Retry-After", "30")
		return err
	}
	defer h.remove(sub)

	rc := http.NewResponseController(w)
	// The server's read timeout is for requests, not for a stream that
	// stays open: without this the stream would end with it.
	_ = rc.SetReadDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	// Proxies that buffer responses (nginx) would hold the events back.
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(text string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout))
		if _, err := w.Write([]byte(text)); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	retry := liveRetry + rand.IntN(liveRetryJitter)
	if !send("retry: " + strconv.Itoa(retry) + "\nevent: ready\ndata: {}\n\n") {
		return nil
	}
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	// Streams end at spread times, so that they are decided again (a
	// teacher who left a class stops hearing of it) without all
	// reconnecting at once.
	life := time.NewTimer(h.lifetime - time.Duration(rand.Int64N(int64(h.lifetime/10)+1)))
	defer life.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-h.done:
			return nil
		case <-life.C:
			return nil
		case <-beat.C:
			if !send(": \n\n") {
				return nil
			}
		case <-sub.wake:
			k := sub.take()
			if k == 0 {
				continue
			}
			data := `{"kinds":["` + strings.Join(k.names(), `","`) + `"]}`
			if !send("id: " + strconv.FormatUint(h.seq.Add(1), 10) + "\nevent: change\ndata: " + data + "\n\n") {
				return nil
			}
		}
	}
}

// liveSubscription decides what the request may follow, as the page that
// shows it decides: a class the person may view (classChecked), a student
// whose mastery they may view (the relations access.Decide rules on), or
// the alerts of their own classes, for a teacher. Nothing is logged: a
// stream shows nothing of a record, and each refresh of the page is the
// read that is decided and logged.
func (s *Server) liveSubscription(r *http.Request) (*liveSub, error) {
	q := r.URL.Query()
	a := actorOf(r)
	var given []string
	for _, name := range []string{"class", "student", "alerts"} {
		if q.Has(name) {
			given = append(given, name)
		}
	}
	if len(given) != 1 {
		return nil, malformed("", "give exactly one of class, student or alerts: what the page shows")
	}
	sub := &liveSub{person: a.PersonID, district: a.DistrictID, wake: make(chan struct{}, 1)}
	idOf := func(name string) (int64, error) {
		id, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || id <= 0 {
			return 0, malformed(name, "%s must be the id of a %s, a positive whole number", name, name)
		}
		return id, nil
	}
	switch given[0] {
	case "class":
		id, err := idOf("class")
		if err != nil {
			return nil, err
		}
		c, scope, err := s.classChecked(r, id, access.View)
		if err != nil {
			return nil, err
		}
		// The relation the person has to the class's students, for the
		// kinds of change they may know of.
		rel := access.Relations{Teacher: scope.ClassTaught,
			SchoolAdmin:   a.Has(roster.RoleSchoolAdmin) && a.AtSchool(c.SchoolID),
			Coach:         a.Has(roster.RoleCoach) && a.AtSchool(c.SchoolID),
			DistrictAdmin: a.Has(roster.RoleDistrictAdmin)}
		sub.topic = liveTopic{'c', id}
		sub.sees = liveSees(a, rel) | liveGroups
	case "student":
		id, err := idOf("student")
		if err != nil {
			return nil, err
		}
		rel, err := s.store.RelationsTo(r.Context(), a, id)
		if err != nil && !errors.Is(err, problem.ErrNotFound) {
			return nil, err
		}
		if err != nil {
			return nil, notFound("student", id)
		}
		if _, derr := access.Decide(a, access.View, access.Mastery, rel); derr != nil {
			if errors.Is(derr, problem.ErrForbidden) {
				return nil, derr
			}
			return nil, notFound("student", id)
		}
		sub.topic = liveTopic{'s', id}
		sub.sees = liveSees(a, rel)
	case "alerts":
		if v := q.Get("alerts"); v != "mine" {
			return nil, malformed("alerts", "alerts must be mine: the alerts of the students in the classes one teaches")
		}
		if !a.Has(roster.RoleTeacher) {
			return nil, problem.Forbidden("%s has no classes of their own whose alerts to follow", liveRolesText(a))
		}
		sub.topic = liveTopic{'a', a.PersonID}
		sub.sees = liveAlerts | liveMissed
	}
	return sub, nil
}

// liveSees are the kinds of change about a student that a person with
// relations rel may know of: each that access.Decide lets them view.
// Supports changes are of plans and of teachers' notes alike, so only
// those who may view both hear of them; the others see plans when a page
// is next loaded.
func liveSees(a access.Actor, rel access.Relations) liveKinds {
	may := func(w access.What) bool {
		_, err := access.Decide(a, access.View, w, rel)
		return err == nil
	}
	k := liveMissed
	if may(access.Mastery) {
		k |= liveMastery
	}
	if may(access.Alerts) {
		k |= liveAlerts
	}
	if may(access.Supports) && may(access.Notes) {
		k |= liveSupports | liveGroups
	}
	return k
}

// liveRolesText names the actor's roles for a refusal.
func liveRolesText(a access.Actor) string {
	if len(a.Roles) == 0 {
		return "someone with no role"
	}
	names := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		names[i] = "a " + strings.ReplaceAll(string(r), "_", " ")
	}
	return strings.Join(names, " and ")
}
