package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ImportOptions say how to run an import (ImportCASE, ImportOneRoster).
type ImportOptions struct {
	// DryRun works out everything the import would do, writes it inside
	// the transaction so that the database's own checks run too, and then
	// rolls back: the report says what would change, and nothing does.
	DryRun bool
	// Progress, when not nil, is called as the import goes with the stage
	// it is in ("people", "enrollments"...) and how much of it is done.
	Progress func(stage string, done, total int)
	// ScaleID is the proficiency scale of a framework that a CASE import
	// creates; 0 means the district's first scale, or a new four-level
	// scale when the district has none. A framework imported before keeps
	// its scale.
	ScaleID int64
	// Limit is how many problems are reported in detail; 0 means
	// badinput.DefaultLimit.
	Limit int
}

// ImportReport says what an import did, or would do in a dry run, by kind
// of record ("people", "standards"...).
type ImportReport struct {
	// Created, Updated, Retired, Removed and Unchanged count records by
	// kind. Retired records stay (evidence may point at them) and are
	// marked; Removed are links and facts that were deleted (guardian
	// links, demographics, prerequisites, crosswalks).
	Created   map[string]int `json:"created"`
	Updated   map[string]int `json:"updated"`
	Retired   map[string]int `json:"retired"`
	Removed   map[string]int `json:"removed"`
	Unchanged map[string]int `json:"unchanged"`
	// Warnings are things imported differently from how the input has
	// them, or left out, without being errors.
	Warnings []string `json:"warnings,omitempty"`
	// Refused are the rows a partial import left out, each with its
	// file, line and why ("users.csv:12:7: givenName: required, but
	// blank"): what they name stays as it was.
	Refused []string `json:"refused,omitempty"`
	// DryRun is set when nothing was written.
	DryRun bool `json:"dryRun"`
	// FrameworkID is the framework a CASE import created or updated.
	FrameworkID int64 `json:"frameworkId,omitempty"`
	// Recomputed is the number of mastery states recomputed because the
	// standards hierarchy changed.
	Recomputed int `json:"recomputed,omitempty"`
	// Elapsed is how long the import took, by the store's clock.
	Elapsed time.Duration `json:"elapsed"`
}

func newReport(dryRun bool) ImportReport {
	return ImportReport{
		Created: map[string]int{}, Updated: map[string]int{}, Retired: map[string]int{},
		Removed: map[string]int{}, Unchanged: map[string]int{}, DryRun: dryRun,
	}
}

// kindOrder is the order in which kinds are listed: records before what
// links them, as the files are read.
var kindOrder = []string{
	"districts", "schools", "terms", "courses", "classes", "people", "enrollments", "guardian links", "demographics",
	"scales", "frameworks", "standards", "prerequisites", "crosswalks",
}

// Kinds lists the kinds the report counts anything of, in a fixed order.
func (r ImportReport) Kinds() []string {
	seen := map[string]bool{}
	for _, m := range []map[string]int{r.Created, r.Updated, r.Retired, r.Removed, r.Unchanged} {
		for k, n := range m {
			if n > 0 {
				seen[k] = true
			}
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	rank := func(k string) int {
		if i := slices.Index(kindOrder, k); i >= 0 {
			return i
		}
		return len(kindOrder)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b)) })
	return out
}

// Changed reports whether the import changed (or would change) anything.
func (r ImportReport) Changed() bool {
	for _, m := range []map[string]int{r.Created, r.Updated, r.Retired, r.Removed} {
		for _, n := range m {
			if n > 0 {
				return true
			}
		}
	}
	return false
}

// errDryRun ends a dry run's transaction without committing it.
var errDryRun = errors.New("dry run: rolled back")

// progressFunc calls an ImportOptions.Progress that may be nil.
type progressFunc func(stage string, done, total int)

func (p progressFunc) report(stage string, done, total int) {
	if p != nil {
		p(stage, done, total)
	}
}

// idPool hands out ids for new rows of a table before they are inserted,
// so that rows referring to each other go in with multi-row statements.
// On PostgreSQL it draws blocks from the table's identity sequence; on
// SQLite the write transaction holds the only write lock, so the ids above
// the largest are free until it commits.
type idPool struct {
	r     *runner
	table string
	size  int     // PostgreSQL: how many ids to draw at a time
	next  int64   // SQLite: the next id to give
	block []int64 // PostgreSQL: ids drawn and not yet given
	ready bool
}

func (r *runner) newIDPool(table string) *idPool { return &idPool{r: r, table: table, size: 1024} }

// idsOf returns the IDs of a snapshot: an id pool per table, for the
// tables an import creates records in. Frameworks and scales are made one
// at a time, so their pools draw one id at a time and leave no gaps in the
// sequence.
func (r *runner) idsOf(ctx context.Context) func(table string) (int64, error) {
	pools := map[string]*idPool{}
	return func(table string) (int64, error) {
		p := pools[table]
		if p == nil {
			// The name goes into SQL: only the tables of imports.
			if !slices.Contains([]string{tSchools, tTerms, tCourses, tClasses, tPeople, tEnrollments, tStandards, tFrameworks, tScales}, table) {
				return 0, fmt.Errorf("taking ids: %q is not a table an import creates records in", table)
			}
			p = r.newIDPool(table)
			if table == tFrameworks || table == tScales {
				p.size = 1
			}
			pools[table] = p
		}
		return p.take(ctx)
	}
}

func (p *idPool) take(ctx context.Context) (int64, error) {
	if p.r.s.engine == Postgres {
		if len(p.block) == 0 {
			err := p.r.each(ctx, `SELECT nextval(pg_get_serial_sequence('`+p.table+`', 'id')) FROM generate_series(1, $1)`, []any{p.size}, func(row scanner) error {
				var id int64
				err := row.Scan(&id)
				p.block = append(p.block, id)
				return err
			})
			if err != nil {
				return 0, fmt.Errorf("taking ids of %s: %w", p.table, err)
			}
		}
		id := p.block[0]
		p.block = p.block[1:]
		return id, nil
	}
	if !p.ready {
		if err := p.r.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+p.table).Scan(&p.next); err != nil {
			return 0, fmt.Errorf("taking ids of %s: %w", p.table, err)
		}
		p.next++
		p.ready = true
	}
	id := p.next
	p.next++
	return id, nil
}

// strs is the parameter for "IN strs($n)" (see inStrs): a list of strings.
func (s *Store) strs(v []string) any {
	if s.engine == Postgres {
		if v == nil {
			v = []string{}
		}
		return v
	}
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v) // strings always encode
	return string(b)
}

// inStrs is the condition that column is one of the strings of parameter
// n (given by strs).
func (s *Store) inStrs(column string, n int) string {
	if s.engine == Postgres {
		return fmt.Sprintf("%s = ANY($%d::text[])", column, n)
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", column, n)
}

// writeChunks runs the upsert head+rows+tail over rows made by row(i) for
// i < n, a few thousand rows at a time so that the arguments of a large
// import are never all in memory, and reports progress under stage.
func (r *runner) writeChunks(ctx context.Context, stage string, progress progressFunc, head, tail string, n int, row func(i int) []any) error {
	const chunk = 4096
	rows := make([][]any, 0, min(n, chunk))
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		rows = rows[:0]
		for i := start; i < end; i++ {
			rows = append(rows, row(i))
		}
		if err := r.insertRows(ctx, head, tail, rows); err != nil {
			return fmt.Errorf("writing %s: %w", stage, err)
		}
		progress.report(stage, end, n)
	}
	return nil
}

// exportID is the identifier a record goes out under and is matched by
// when it comes back: its sourcedId, or "cairn-<kind>-<id>" for a record
// made in cairn (as oneroster.FromDistrict names it).
func exportID(kind string, id int64, sourcedID string) string {
	if sourcedID != "" {
		return sourcedID
	}
	return fmt.Sprintf("cairn-%s-%d", kind, id)
}
