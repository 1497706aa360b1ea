package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// runner runs statements inside a transaction or on a pool. On SQLite,
// statements outside read transactions are prepared once per connection
// and kept, because preparing one costs about as much as running a small
// one; pgx keeps its own cache of prepared statements on PostgreSQL.
type runner struct {
	s       *Store
	db      *sql.DB // outside a transaction
	tx      *sql.Tx
	reading bool // on the reader pool (SQLite) rather than the writer
	// pinned is set in SQLite write transactions: they run on the
	// writer's one connection, and statements prepared on that connection
	// run inside the transaction.
	pinned bool
	// committed are run by inTx once the transaction has committed, before
	// the next write transaction can start on SQLite.
	committed []func()
	// changed are the districts whose config_version the transaction
	// advances when it commits.
	changed map[int64]bool
}

// dropModel drops the district's cached hierarchy, scales and model
// parameters, now and again once the transaction commits (a reader that
// loads them in between sees the rows from before the commit, and must not
// keep them), and advances the district's config_version so that other
// servers on the database drop theirs too.
func (r *runner) dropModel(districtID int64) {
	r.s.models.invalidate(districtID)
	r.committed = append(r.committed, func() { r.s.models.invalidate(districtID) })
	r.changeConfig(districtID)
}

// dropPolicies is dropModel for the district's cached policies.
func (r *runner) dropPolicies(districtID int64) {
	r.s.policies.invalidate(districtID)
	r.committed = append(r.committed, func() { r.s.policies.invalidate(districtID) })
	r.changeConfig(districtID)
}

func (r *runner) changeConfig(districtID int64) {
	if r.changed == nil {
		r.changed = map[int64]bool{}
	}
	r.changed[districtID] = true
}

// advanceConfig advances config_version of the districts the transaction
// changed; inTx calls it just before the commit.
func (r *runner) advanceConfig(ctx context.Context) error {
	for id := range r.changed {
		if _, err := r.exec(ctx, `UPDATE districts SET config_version = config_version + 1 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("advancing the district's config_version: %w", err)
		}
	}
	return nil
}

// configVersion returns the district's config_version as this transaction
// sees it; problem.ErrNotFound when there is no such district.
func (r *runner) configVersion(ctx context.Context, districtID int64) (int64, error) {
	var v int64
	err := r.queryRow(ctx, `SELECT config_version FROM districts WHERE id = $1`, districtID).Scan(&v)
	return v, noRows(err, "district", districtID)
}

// scanner is what sql.Row and sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// stmt returns the kept prepared statement for q, or nil when q is to be
// run directly.
func (r *runner) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	switch {
	case r.s.engine == Postgres:
		return nil, nil
	case r.pinned:
		return r.s.prepared(ctx, q, false)
	case r.tx != nil:
		// A read transaction holds one reader; preparing on the pool could
		// wait for another that never comes free.
		return nil, nil
	}
	return r.s.prepared(ctx, q, true)
}

// prepared returns the statement for q prepared on the reader pool or on
// the writer's connection, preparing it the first time.
func (s *Store) prepared(ctx context.Context, q string, reading bool) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	m := s.writeStmt
	if reading {
		m = s.readStmt
	}
	if st, ok := m[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if reading {
		st, err = s.read.PrepareContext(ctx, q)
	} else {
		st, err = s.wconn.PrepareContext(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", firstLine(q), err)
	}
	m[q] = st
	return st, nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		q = q[:i]
	}
	if len(q) > 80 {
		q = q[:80]
	}
	return q
}

func (r *runner) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.s.statement(q)
	q = r.s.rewrite(q)
	st, err := r.stmt(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.ExecContext(ctx, args...)
	case r.tx != nil:
		return r.tx.ExecContext(ctx, q, args...)
	}
	return r.db.ExecContext(ctx, q, args...)
}

func (r *runner) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.s.statement(q)
	r.yield()
	q = r.s.rewrite(q)
	st, err := r.stmt(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	case r.tx != nil:
		return r.tx.QueryContext(ctx, q, args...)
	}
	return r.db.QueryContext(ctx, q, args...)
}

func (r *runner) queryRow(ctx context.Context, q string, args ...any) scanner {
	r.s.statement(q)
	r.yield()
	q = r.s.rewrite(q)
	st, err := r.stmt(ctx, q)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	case r.tx != nil:
		return r.tx.QueryRowContext(ctx, q, args...)
	}
	return r.db.QueryRowContext(ctx, q, args...)
}

// yield lets a waiting goroutine run before a read's next statement.
func (r *runner) yield() {
	if r.reading {
		runtime.Gosched()
	}
}

// each runs q and calls f for every row.
func (r *runner) each(ctx context.Context, q string, args []any, f func(row scanner) error) error {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exists reports whether q returns a row.
func (r *runner) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := r.queryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// The chunk sizes of multi-row statements: a few fixed sizes keep the
// number of distinct prepared statements small.
var chunkSizes = []int{256, 64, 16, 8, 4, 2, 1}

// smallInsert is the most rows inserted by a statement of their own size.
const smallInsert = 8

// insertRows runs head + "(...), (...)" + tail for rows, in multi-row
// statements of the chunk sizes. Each row has the same number of values.
func (r *runner) insertRows(ctx context.Context, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	ncols := len(rows[0])
	// Keep under SQLite's and PostgreSQL's limits on bound parameters.
	maxRows := 30000 / ncols
	args := make([]any, 0, min(len(rows), chunkSizes[0])*ncols)
	for len(rows) > 0 {
		// A few rows, as one piece of evidence writes, go in one statement
		// of their own size; more in chunks of the fixed sizes.
		n := len(rows)
		if n > smallInsert {
			n = 1
			for _, c := range chunkSizes {
				if c <= len(rows) && c <= maxRows {
					n = c
					break
				}
			}
		}
		args = args[:0]
		for _, row := range rows[:n] {
			args = append(args, row...)
		}
		if _, err := r.exec(ctx, multiRow(head, tail, n, ncols, r.s.engine == SQLite), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// multiRow builds (and remembers) the text of a multi-row statement. On
// SQLite its parameters are anonymous (?): SQLite looks up the name of each
// numbered parameter in a list as long as the statement's parameters, which
// makes binding a long statement quadratic.
func multiRow(head, tail string, n, ncols int, anonymous bool) string {
	key := multiRowKey{head, tail, n, ncols, anonymous}
	if q, ok := multiRowText.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range ncols {
			if j > 0 {
				b.WriteString(", ")
			}
			if anonymous {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	b.WriteString(tail)
	q := b.String()
	multiRowText.Store(key, q)
	return q
}

type multiRowKey struct {
	head, tail string
	n, ncols   int
	anonymous  bool
}

var multiRowText sync.Map

// idsMacro marks a test of membership in a list of ids bound as one
// parameter: "x IN ids($2)". SQLite reads the list as JSON, PostgreSQL as
// an array.
var idsMacro = regexp.MustCompile(`IN ids\((\$\d+)\)`)

// rewrite returns q for the store's engine.
func (s *Store) rewrite(q string) string {
	if v, ok := s.rewritten.Load(q); ok {
		return v.(string)
	}
	out := q
	switch s.engine {
	case SQLite:
		out = idsMacro.ReplaceAllString(out, "IN (SELECT value FROM json_each($1))")
	case Postgres:
		out = idsMacro.ReplaceAllString(out, "= ANY($1::bigint[])")
	}
	s.rewritten.Store(q, out)
	return out
}

// ids is the parameter for "IN ids($n)".
func (s *Store) ids(v []int64) any {
	if s.engine == Postgres {
		if v == nil {
			v = []int64{}
		}
		return v
	}
	b := make([]byte, 0, 2+len(v)*8)
	b = append(b, '[')
	for i, id := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// pick returns the query written for the store's engine, for the few
// queries whose dialects differ too much for rewrite.
func (s *Store) pick(sqlite, postgres string) string {
	if s.engine == Postgres {
		return postgres
	}
	return sqlite
}

// pairsSQL returns a table expression "... p" of the pairs (a[i], b[i]),
// with columns p.a and p.b, and its parameters, numbered from $2.
//
// PostgreSQL takes two arrays. SQLite takes one JSON list: of a<<32|b when
// every id fits in 32 bits, which SQLite splits with integer arithmetic,
// else of [a, b] lists, which it has to parse.
func (s *Store) pairsSQL(a, b []int64) (string, []any) {
	if s.engine == Postgres {
		if a == nil {
			a, b = []int64{}, []int64{}
		}
		return `unnest($2::bigint[], $3::bigint[]) AS p (a, b)`, []any{a, b}
	}
	small := true
	for i := range a {
		small = small && a[i] >= 0 && a[i] <= math.MaxUint32 && b[i] >= 0 && b[i] <= math.MaxUint32
	}
	buf := make([]byte, 0, 2+len(a)*16)
	buf = append(buf, '[')
	for i := range a {
		if i > 0 {
			buf = append(buf, ',')
		}
		if small {
			buf = strconv.AppendInt(buf, a[i]<<32|b[i], 10)
			continue
		}
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, a[i], 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, b[i], 10)
		buf = append(buf, ']')
	}
	arg := string(append(buf, ']'))
	if small {
		return `(SELECT value >> 32 AS a, value & 4294967295 AS b FROM json_each($2)) p`, []any{arg}
	}
	return `(SELECT value ->> 0 AS a, value ->> 1 AS b FROM json_each($2)) p`, []any{arg}
}

// ts is the parameter for a timestamp: microseconds since the epoch on
// SQLite, a UTC time on PostgreSQL.
func (s *Store) ts(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.engine == Postgres {
		return t
	}
	return t.UnixMicro()
}

// tsOrNull is ts, or NULL for a nil or zero time.
func (s *Store) tsOrNull(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return s.ts(*t)
}

// tsCol scans a timestamp column of either engine; NULL gives the zero time.
type tsCol struct{ t *time.Time }

func (c tsCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("timestamp column holds %T", src)
	}
	return nil
}

// tsPtrCol scans a nullable timestamp column into a *time.Time.
type tsPtrCol struct{ t **time.Time }

func (c tsPtrCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (tsCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// nullCol scans a nullable column into a *T: nil for NULL.
type nullCol[T any] struct{ p **T }

func (c nullCol[T]) Scan(src any) error {
	var n sql.Null[T]
	if err := n.Scan(src); err != nil {
		return err
	}
	*c.p = nil
	if n.Valid {
		v := n.V
		*c.p = &v
	}
	return nil
}

// jsonCol scans JSON text into v. NULL, "" and an empty list leave v as
// it is.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("JSON column holds %T", src)
	}
	// An empty list reads back as a nil slice, as it was most likely
	// written, so that records round-trip unchanged.
	if len(b) == 0 || string(b) == "[]" || string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, c.v)
}

// jsonText encodes v as JSON text for a column; nil slices become "[]".
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only values of the store's own types are encoded, and they
		// always encode; a failure here is a programming error.
		panic(fmt.Sprintf("store: encoding %T as JSON: %v", v, err))
	}
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// nullInt64 is the parameter for an optional reference.
func nullInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullFloat64 is the parameter for an optional number.
func nullFloat64(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullBool is the parameter for an optional yes/no.
func nullBool(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

// isUniqueViolation reports whether err is a unique or primary key
// violation on either engine.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// utcMicro is t as it reads back from either engine: UTC, to the microsecond.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// utcMicroPtr is utcMicro for an optional time.
func utcMicroPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := utcMicro(*t)
	return &v
}
