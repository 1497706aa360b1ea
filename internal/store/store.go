// Package store holds all of cairn's SQL: the schema migrations and the
// queries for SQLite and PostgreSQL, behind one Store type.
//
// The same SQL text serves both engines wherever their dialects agree
// (both accept $1 placeholders, RETURNING and ON CONFLICT ... DO UPDATE);
// the few places where they differ are marked in the query and rewritten
// once per engine (see rewrite in sql.go).
//
// On SQLite every write goes through one connection, so writers queue in
// the process instead of fighting over the file lock, and reads use a
// separate pool of query-only connections that WAL lets run beside the
// writer. On PostgreSQL one pool serves both.
//
// Timestamps are UTC and exact to the microsecond on both engines:
// timestamptz on PostgreSQL, and on SQLite an INTEGER count of microseconds
// since 1970-01-01 UTC, which sorts as the time does. Times are truncated
// to the microsecond before they are stored, so what is read back equals
// what was written (and the struct the caller passed is updated to match).
// Lists (roles, grades, school ids, races, scale levels) and structured
// values (policies, mastery explanations) are stored as JSON text on both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// The engines a Store runs on, as Engine reports them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config says which database to open and how.
type Config struct {
	// URL is "postgres://..." or "postgresql://..." for PostgreSQL;
	// "sqlite:PATH", "file:PATH" or a plain path for SQLite.
	URL string
	// Now is the district's today: evidence may not be dated after it,
	// enrollments are active on it, and mastery, policy changes, imports
	// and the audit log are stamped with it; nil means time.Now. The demo
	// sets it to its date.
	Now func() time.Time
	// WallClock is the clock of signing in: accounts' lockouts, sessions,
	// access tokens and reset links are created, checked and expire by it
	// alone, so that one clock governs each from start to end whatever day
	// Now says it is (a demo dated last month still signs people in
	// today); nil means time.Now. The web server keeps its cookies and
	// sign-in limits by it too (Store.WallClock).
	WallClock func() time.Time
	// Logger receives the store's log lines; nil discards them.
	Logger *slog.Logger
	// ReadConns is the size of the SQLite reader pool; 0 means
	// runtime.NumCPU()*2, at least 4.
	ReadConns int
	// OnChange is called after a commit that changed what a page shows
	// (mastery, alerts, supports, groups), never inside the transaction.
	// It may be nil.
	OnChange func(Change)
	// OnStatement is called with the text of every statement the store
	// runs for its callers, before it runs, and with "BEGIN" for every
	// transaction it begins; nil calls nothing. Tests count with it how
	// many round trips a page costs, so that one added by mistake fails a
	// test instead of slowing every view. It must be safe for concurrent
	// use. Migrations and the checkpointer are not reported.
	OnStatement func(query string)

	// checkpointEvery is how often the SQLite checkpointer runs: 0 means
	// checkpointInterval; negative, only when a test calls for it, so
	// that the test decides when checkpoints happen.
	checkpointEvery time.Duration
	// viewsEvery is how often at most the audit entries of reads are
	// written (RecordViews): 0 means the package's viewsEvery; negative,
	// only when a test calls for it, and on Close.
	viewsEvery time.Duration
}

// Change tells listeners, after the commit, that something a page shows
// changed: by default a student's mastery on some standards.
type Change struct {
	Kind                  ChangeKind
	DistrictID, StudentID int64
	// ClassID is the class the change belongs to, when it belongs to one
	// (a class's groups); 0 otherwise.
	ClassID     int64
	StandardIDs []int64
	// Evidence is the number of evidence records written.
	Evidence int
}

// ChangeKind says what a Change changed.
type ChangeKind string

// The kinds of change.
const (
	// MasteryChanged: evidence was recorded and a student's mastery of
	// StandardIDs recomputed.
	MasteryChanged ChangeKind = ""
	// AlertsChanged: alerts for a student were raised or dismissed.
	AlertsChanged ChangeKind = "alerts"
	// SupportsChanged: a student's support plans or notes changed.
	SupportsChanged ChangeKind = "supports"
	// GroupsChanged: a class's groups or schedule changed.
	GroupsChanged ChangeKind = "groups"
)

// Store is cairn's database.
type Store struct {
	engine string
	write  *sql.DB // SQLite: the one writing connection; PostgreSQL: the pool
	read   *sql.DB // SQLite: query-only readers; PostgreSQL: the same pool as write
	// SQLite: wconn is write's one connection, held for the life of the
	// store so that statements prepared on it stay prepared, and wsem lets
	// one write transaction at a time use it.
	wconn    *sql.Conn
	wsem     chan struct{}
	ck       *checkpointer // SQLite only
	views    *viewWriter   // the audit entries of reads, written in batches
	closed   sync.Once
	closeErr error
	now      func() time.Time
	wall     func() time.Time
	log      *slog.Logger
	onChange func(Change)
	// onStatement is Config.OnStatement.
	onStatement func(query string)

	rewritten sync.Map // query text as written -> text for this engine

	stmtMu    sync.Mutex
	readStmt  map[string]*sql.Stmt // SQLite: statements prepared on the reader pool
	writeStmt map[string]*sql.Stmt // SQLite: statements prepared on the writer

	models   cache[*model]        // standards hierarchy and scales per district
	policies cache[*policies]     // mastery policies per district
	catalogs cache[*catalogEntry] // what pages read of standards per district
	// Rules and alerts: the rules and prerequisites the evaluation on
	// evidence reads, per district (rules_eval.go).
	ruleSets cache[*ruleSet]
	// versions are the highest config_version seen of each district.
	versions configVersions

	// feed carries committed changes to WatchChanges's watchers, across
	// servers on PostgreSQL (notify.go; live updates).
	feed changeFeed
}

// Page asks for one page of a list: at most Limit items (0 means 50, at most
// 500) with ids above After.
type Page struct {
	Limit int
	After int64
}

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > 500:
		return 500
	}
	return p.Limit
}

// RosterFilter asks for one page of a list of schools, terms, courses or
// classes. Records an import has retired are left out unless
// IncludeRetired is set.
type RosterFilter struct {
	IncludeRetired bool
	Page           Page
}

// retiredClause is the condition that leaves out retired rows of the table
// aliased alias ("" for none), unless includeRetired.
func retiredClause(alias string, includeRetired bool) string {
	if includeRetired {
		return ""
	}
	if alias != "" {
		alias += "."
	}
	return ` AND ` + alias + `retired_at IS NULL`
}

// Open opens the database and applies pending migrations.
func Open(ctx context.Context, cfg Config) (_ *Store, err error) {
	defer wrap(&err, "store.Open")
	s := &Store{
		now:         cfg.Now,
		wall:        cfg.WallClock,
		log:         cfg.Logger,
		onChange:    cfg.OnChange,
		onStatement: cfg.OnStatement,
		readStmt:    map[string]*sql.Stmt{},
		writeStmt:   map[string]*sql.Stmt{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.feed.origin = newOrigin() // live updates: this store's name on the change channel
	if s.wall == nil {
		s.wall = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	engine, target, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	s.engine = engine
	switch engine {
	case Postgres:
		pc, err := pgx.ParseConfig(target)
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL URL: %w", err)
		}
		// The store's queries are short and hand-written, and several take
		// lists of ids as one array. For those PostgreSQL would plan every
		// execution afresh (0.3 ms each, more than running them), because
		// a plan for the given array looks cheaper than the general one.
		// A URL that sets plan_cache_mode itself is left alone.
		if _, ok := pc.RuntimeParams["plan_cache_mode"]; !ok {
			pc.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
		}
		s.feed.preparePostgres(pc) // live updates: the listening connection (notify.go)
		db := stdlib.OpenDB(*pc)
		// Enough to keep two cores busy with room for slow requests, well
		// under PostgreSQL's default of 100 connections.
		db.SetMaxOpenConns(max(8, runtime.NumCPU()*4))
		db.SetMaxIdleConns(max(4, runtime.NumCPU()*2))
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.write, s.read = db, db
	case SQLite:
		if err := s.openSQLite(ctx, target, cfg.ReadConns, cfg.checkpointEvery); err != nil {
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if cfg.viewsEvery == 0 {
		cfg.viewsEvery = viewsEvery
	}
	s.views = newViewWriter(s, cfg.viewsEvery)
	return s, nil
}

// parseURL tells the engine from a database URL and returns what its driver
// is opened with.
func parseURL(u string) (engine, target string, err error) {
	switch {
	case u == "":
		return "", "", errors.New("no database URL: give postgres://... or the path of a SQLite file")
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return Postgres, u, nil
	case strings.HasPrefix(u, "sqlite:"):
		u = strings.TrimPrefix(u, "sqlite:")
	case strings.HasPrefix(u, "file:"):
		u = strings.TrimPrefix(u, "file:")
	}
	if u == "" || strings.HasPrefix(u, ":memory:") || strings.Contains(u, "mode=memory") {
		// The reader pool and the writer must see the same file.
		return "", "", fmt.Errorf("SQLite database %q: give the path of a file (an in-memory database cannot be shared by the reader and writer connections)", u)
	}
	if strings.ContainsAny(u, "?#") {
		return "", "", fmt.Errorf("SQLite path %q: must not contain ? or #", u)
	}
	return SQLite, u, nil
}

// openSQLite opens the writer and the reader pool on the file at path.
func (s *Store) openSQLite(ctx context.Context, path string, readConns int, checkpointEvery time.Duration) error {
	// busy_timeout lets another process's writer finish instead of failing
	// at once; synchronous=NORMAL is durable across application crashes in
	// WAL mode and loses at most the last commits on power loss.
	common := "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer never checkpoints: a checkpoint copies the write-ahead
	// log into the database and syncs it, which every hundred or so
	// records made one commit take ten times as long as the others. The
	// checkpointer does it beside the writes instead.
	w, err := sql.Open("sqlite", path+common+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Make the file and switch it to WAL before any reader opens it.
	wconn, err := w.Conn(ctx)
	if err != nil {
		w.Close()
		return err
	}
	// Readers map the file (up to 256 MiB) rather than copy its pages
	// into each connection's cache: a read of a whole school's states
	// touched more pages than one cache holds, and every page came again
	// through a system call (decision 24).
	r, err := sql.Open("sqlite", path+common+"&_pragma=query_only(1)&_pragma=cache_size(-16384)&_pragma=mmap_size(268435456)")
	if err != nil {
		wconn.Close()
		w.Close()
		return err
	}
	if readConns <= 0 {
		readConns = max(4, runtime.NumCPU()*2)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	ck, err := sql.Open("sqlite", path+common)
	if err != nil {
		wconn.Close()
		w.Close()
		r.Close()
		return err
	}
	ck.SetMaxOpenConns(1)
	s.write, s.read, s.wconn, s.wsem = w, r, wconn, make(chan struct{}, 1)
	if checkpointEvery == 0 {
		checkpointEvery = checkpointInterval
	}
	s.ck = newCheckpointer(ck, s.wsem, s.log, checkpointEvery)
	return nil
}

// checkpointInterval is how often the checkpointer copies the SQLite
// write-ahead log into the database.
const checkpointInterval = 250 * time.Millisecond

// checkpointer copies the write-ahead log of an SQLite database into the
// database from its own connection. It does it in two steps: first beside
// the writer and the readers (PASSIVE mode never waits for them), which
// copies nearly everything; then between two write transactions, holding
// the writer's turn for the little written meanwhile, so that the next
// write finds the whole log copied and starts it over. Without the second
// step a busy writer would always have written more by the time a
// checkpoint ended, and the log would grow without end.
type checkpointer struct {
	db *sql.DB
	// lastFrames is the log's size at the previous checkpoint, used by
	// the checkpointer's goroutine only (or by the test that runs it).
	lastFrames int
	// runs counts the checkpoints that ran, for the tests.
	runs   atomic.Int64
	wsem   chan struct{} // the writer's turn (Store.wsem)
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
}

// newCheckpointer starts a checkpointer that runs every interval; with a
// negative interval it runs only when checkpoint is called.
func newCheckpointer(db *sql.DB, wsem chan struct{}, log *slog.Logger, every time.Duration) *checkpointer {
	c := &checkpointer{db: db, wsem: wsem, stop: make(chan struct{}), done: make(chan struct{})}
	if every < 0 {
		close(c.done)
		return c
	}
	go func() {
		defer close(c.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			if err := c.checkpoint(); err != nil {
				log.Warn("checkpointing the SQLite write-ahead log", "err", err)
			}
		}
	}()
	return c
}

// checkpoint copies the log into the database in the two steps.
func (c *checkpointer) checkpoint() error {
	defer c.runs.Add(1)
	frames, copied, err := c.passive()
	if err != nil {
		return err
	}
	idle := frames == copied && frames == c.lastFrames
	c.lastFrames = frames
	if idle {
		// Nothing written since the last time, and all of it copied: the
		// writer's turn is not needed. (A log copied whole while a write
		// was under way is not enough: that write's frames came after.)
		return nil
	}
	select {
	case c.wsem <- struct{}{}:
	case <-c.stop:
		return nil
	}
	defer func() { <-c.wsem }()
	_, _, err = c.passive()
	return err
}

// passive runs one PASSIVE checkpoint and returns the number of frames in
// the log and how many of them are copied into the database.
func (c *checkpointer) passive() (frames, copied int, err error) {
	var busy int
	err = c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// close stops the checkpointer and copies what is left of the log. Later
// calls do nothing.
func (c *checkpointer) close() (err error) {
	c.closed.Do(func() {
		close(c.stop)
		<-c.done
		_, _, err = c.passive()
		err = errors.Join(err, c.db.Close())
	})
	return err
}

// Close closes the database. Later calls return the first one's error.
func (s *Store) Close() error {
	s.closed.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Store) close() error {
	// The views still waiting are written first, while the database is
	// open.
	if s.views != nil {
		s.views.close()
	}
	// Live updates: the listener stops and the changes still pending are
	// sent to the other servers (notify.go).
	s.closeFeed()
	s.stmtMu.Lock()
	for _, m := range []map[string]*sql.Stmt{s.readStmt, s.writeStmt} {
		for k, st := range m {
			st.Close()
			delete(m, k)
		}
	}
	s.stmtMu.Unlock()
	var err error
	if s.ck != nil {
		err = s.ck.close()
	}
	if s.wconn != nil {
		err = errors.Join(err, s.wconn.Close())
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ping := s.write.PingContext
	if s.wconn != nil {
		ping = s.wconn.PingContext
	}
	if err := ping(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.engine, err)
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping %s readers: %w", s.engine, err)
		}
	}
	return nil
}

// Engine is "sqlite" or "postgres".
func (s *Store) Engine() string { return s.engine }

// inTx runs f in a write transaction and commits when f returns nil.
//
// The transaction ends here, never on its own: it is begun without ctx's
// cancellation, which its statements still obey. database/sql rolls back
// a transaction whose context ends from a goroutine of its own, and
// Rollback then returns at once; on SQLite's one writer connection the
// next write could begin before that rollback ran, and fail, or have its
// opening undone and its statements committed one by one.
func (s *Store) inTx(ctx context.Context, f func(r *runner) error) error {
	var tx *sql.Tx
	var err error
	txCtx := context.WithoutCancel(ctx)
	if s.wconn != nil {
		select {
		case s.wsem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.wsem }()
		tx, err = s.wconn.BeginTx(txCtx, nil)
	} else {
		tx, err = s.write.BeginTx(txCtx, nil)
	}
	s.statement("BEGIN")
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	r := &runner{s: s, tx: tx, pinned: s.wconn != nil}
	if err := f(r); err != nil {
		tx.Rollback()
		return err
	}
	if err := r.advanceConfig(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := ctx.Err(); err != nil {
		// Whoever asked has gone: what they asked for is not written.
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range r.committed {
		f()
	}
	return nil
}

// inReadTx runs f in a read-only transaction, for reads of several queries
// that must agree with each other.
func (s *Store) inReadTx(ctx context.Context, f func(r *runner) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	s.statement("BEGIN")
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return f(&runner{s: s, tx: tx, reading: true})
}

// statement reports a statement to Config.OnStatement.
func (s *Store) statement(q string) {
	if s.onStatement != nil {
		s.onStatement(q)
	}
}

// reader returns a runner for single-statement reads outside a transaction.
func (s *Store) reader() *runner { return &runner{s: s, db: s.read, reading: true} }

// Now returns the district's today by the store's clock (Config.Now).
func (s *Store) Now() time.Time { return s.now() }

// WallClock returns the time by the store's clock of signing in
// (Config.WallClock). Whatever makes a session, a token or a reset link
// outside the store, or keeps a cookie, takes its time from here.
func (s *Store) WallClock() time.Time { return s.wall() }

// nowUTC is the store's clock, in UTC and truncated to what is stored.
func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// wallUTC is the store's clock of signing in, in UTC and truncated to
// what is stored.
func (s *Store) wallUTC() time.Time { return s.wall().UTC().Truncate(time.Microsecond) }

// wrap adds context to *errp as problem.Wrap does; kept local so that
// every public method reads the same.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
