package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/storetest"
)

// schemaItem is one fact of a migrated schema, written the same way for
// both engines so that the two can be compared line by line: a table, a
// column with its type family and nullability, a primary key, a unique
// constraint, a foreign key, an index, a trigger, or the number of CHECK
// constraints of a table.
type schemaItem = string

// intendedSchemaDifferences are the facts that one engine's schema has and
// the other's has not, on purpose. Each says why. A difference not listed
// here fails TestSchemasAgree: a migration written for one engine only.
var intendedSchemaDifferences = map[schemaItem]string{
	// evidence_scores is read by (student, standard) for every recomputation.
	// SQLite keeps the table itself in that order (WITHOUT ROWID), so the
	// scores of a student's standard are one range of the table; PostgreSQL
	// keys it by (evidence, standard) and carries the same columns in a
	// covering index.
	"primary key evidence_scores (district_id, student_id, standard_id, evidence_id)":                                                       "SQLite stores scores in read order",
	"unique index evidence_scores_evidence on evidence_scores (evidence_id, standard_id)":                                                   "SQLite's key for one score of one evidence",
	"primary key evidence_scores (evidence_id, standard_id)":                                                                                "PostgreSQL's key for one score of one evidence",
	"index evidence_scores_student on evidence_scores (district_id, student_id, standard_id, evidence_id, value, assessed_at, recorded_at)": "PostgreSQL's covering index in read order",

	// Append-only tables are guarded by triggers on both engines. SQLite
	// triggers fire on one event each and raise a fixed message; PostgreSQL
	// has one trigger function per table for update and delete (and one for
	// truncate, which SQLite does not have).
	"trigger evidence_no_delete on evidence":                 "SQLite: evidence is never deleted",
	"trigger evidence_void_once on evidence":                 "SQLite: evidence changes only to be voided, once",
	"trigger evidence_append_only on evidence":               "PostgreSQL: both of the above in one trigger",
	"trigger evidence_scores_no_delete on evidence_scores":   "SQLite: scores are never deleted",
	"trigger evidence_scores_no_update on evidence_scores":   "SQLite: scores are never changed",
	"trigger evidence_scores_append_only on evidence_scores": "PostgreSQL: both of the above in one trigger",
	"trigger audit_log_no_delete on audit_log":               "SQLite: audit entries are never deleted",
	"trigger audit_log_no_update on audit_log":               "SQLite: audit entries are never changed",
	"trigger audit_log_append_only on audit_log":             "PostgreSQL: both of the above in one trigger",
	"trigger audit_log_no_truncate on audit_log":             "PostgreSQL: TRUNCATE, which SQLite lacks",
}

// TestSchemasAgree migrates an SQLite and a PostgreSQL database and
// compares their schemas: tables, columns (types by family: a timestamp is
// an INTEGER of microseconds on SQLite, a boolean an INTEGER of 0 or 1),
// nullability, primary keys, unique constraints, foreign keys, indexes
// (columns, uniqueness, whether partial), triggers and the count of CHECK
// constraints. The two engines run the same SQL, so a column, index or
// constraint that one has and the other lacks is a bug waiting for the
// engine a district did not test on.
func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	lite := openRaw(t, "sqlite", storetest.SQLite(t))
	pg := openRaw(t, "pgx", storetest.Postgres(t))
	a, err := sqliteSchema(ctx, lite)
	if err != nil {
		t.Fatalf("reading the SQLite schema: %v", err)
	}
	b, err := postgresSchema(ctx, pg)
	if err != nil {
		t.Fatalf("reading the PostgreSQL schema: %v", err)
	}
	if len(a) < 100 {
		t.Fatalf("the SQLite schema reads as %d facts; the reading is broken", len(a))
	}
	for _, d := range schemaDiff(a, b) {
		if _, ok := intendedSchemaDifferences[strings.TrimPrefix(strings.TrimPrefix(d, "sqlite only: "), "postgres only: ")]; ok {
			continue
		}
		t.Errorf("%s", d)
	}
	for item := range intendedSchemaDifferences {
		if a[item] == b[item] {
			t.Errorf("%q is listed as an intended difference, but both schemas agree on it", item)
		}
	}
}

// TestSchemaDiffFindsDrift checks the comparison itself: a column, an
// index and a nullability that differ are each reported.
func TestSchemaDiffFindsDrift(t *testing.T) {
	a := map[schemaItem]bool{"table t": true, "column t.a integer not null": true, "index t_a on t (a)": true}
	b := map[schemaItem]bool{"table t": true, "column t.a integer null": true, "column t.b text null": true}
	got := schemaDiff(a, b)
	want := []string{
		"postgres only: column t.a integer null",
		"postgres only: column t.b text null",
		"sqlite only: column t.a integer not null",
		"sqlite only: index t_a on t (a)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("schemaDiff =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func openRaw(t *testing.T, driver, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// schemaDiff lists the facts only one schema has, sorted.
func schemaDiff(sqlite, postgres map[schemaItem]bool) []string {
	var out []string
	for item := range sqlite {
		if !postgres[item] {
			out = append(out, "sqlite only: "+item)
		}
	}
	for item := range postgres {
		if !sqlite[item] {
			out = append(out, "postgres only: "+item)
		}
	}
	slices.Sort(out)
	return out
}

// sqliteFamily is the family of an SQLite column type; STRICT tables allow
// only these.
func sqliteFamily(typ string) string {
	switch strings.ToUpper(typ) {
	case "INTEGER", "INT", "BIGINT":
		return "integer"
	case "REAL":
		return "real"
	case "TEXT":
		return "text"
	case "BLOB":
		return "blob"
	}
	return "unknown " + typ
}

// postgresFamily maps a PostgreSQL type to the SQLite family cairn stores
// it as: timestamps are integer microseconds and booleans integers there.
func postgresFamily(typ string) string {
	switch typ {
	case "bigint", "integer", "smallint", "timestamp with time zone", "boolean":
		return "integer"
	case "double precision", "real":
		return "real"
	case "text", "character varying":
		return "text"
	case "bytea":
		return "blob"
	}
	return "unknown " + typ
}

func sqliteSchema(ctx context.Context, db *sql.DB) (map[schemaItem]bool, error) {
	out := map[schemaItem]bool{}
	type object struct{ typ, name, table, sql string }
	var objects []object
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema
WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.name, &o.table, &o.sql); err != nil {
			return nil, err
		}
		objects = append(objects, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	checks := regexp.MustCompile(`(?i)\bCHECK\s*\(`)
	for _, o := range objects {
		if o.typ == "trigger" {
			out[fmt.Sprintf("trigger %s on %s", o.name, o.table)] = true
			continue
		}
		out["table "+o.name] = true
		if n := len(checks.FindAllString(o.sql, -1)); n > 0 {
			out[fmt.Sprintf("checks %s %d", o.name, n)] = true
		}
		var pk []string
		err := eachRow(ctx, db, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, []any{o.name}, func(r *sql.Rows) error {
			var name, typ string
			var notNull bool
			var pkPos int
			if err := r.Scan(&name, &typ, &notNull, &pkPos); err != nil {
				return err
			}
			if pkPos > 0 {
				pk = append(pk, name)
				notNull = true // a primary key column is never null
			}
			out[columnItem(o.name, name, sqliteFamily(typ), notNull)] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(pk) > 0 {
			out[fmt.Sprintf("primary key %s (%s)", o.name, strings.Join(pk, ", "))] = true
		}
		type fk struct{ from, to []string }
		fks := map[int]*fk{}
		fkTable := map[int]string{}
		err = eachRow(ctx, db, `SELECT id, "table", "from", coalesce("to", '') FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{o.name}, func(r *sql.Rows) error {
			var id int
			var table, from, to string
			if err := r.Scan(&id, &table, &from, &to); err != nil {
				return err
			}
			if fks[id] == nil {
				fks[id] = &fk{}
			}
			fkTable[id] = table
			fks[id].from = append(fks[id].from, from)
			fks[id].to = append(fks[id].to, to)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for id, k := range fks {
			to := k.to
			if slices.Contains(to, "") {
				// A reference without columns names the table's primary key.
				to = []string{"id"}
			}
			out[fmt.Sprintf("foreign key %s (%s) references %s (%s)", o.name, strings.Join(k.from, ", "), fkTable[id], strings.Join(to, ", "))] = true
		}
		type index struct {
			name, origin   string
			unique, partia bool
		}
		var indexes []index
		err = eachRow(ctx, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, []any{o.name}, func(r *sql.Rows) error {
			var ix index
			if err := r.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partia); err != nil {
				return err
			}
			indexes = append(indexes, ix)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, ix := range indexes {
			var cols []string
			err := eachRow(ctx, db, `SELECT coalesce(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno`, []any{ix.name}, func(r *sql.Rows) error {
				var c string
				err := r.Scan(&c)
				cols = append(cols, c)
				return err
			})
			if err != nil {
				return nil, err
			}
			switch ix.origin {
			case "pk":
				// Reported as the primary key above.
			case "u":
				out[fmt.Sprintf("unique %s (%s)", o.name, strings.Join(cols, ", "))] = true
			default:
				out[indexItem(ix.name, o.name, cols, ix.unique, ix.partia)] = true
			}
		}
	}
	return out, nil
}

func postgresSchema(ctx context.Context, db *sql.DB) (map[schemaItem]bool, error) {
	out := map[schemaItem]bool{}
	err := eachRow(ctx, db, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, nil, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		out["table "+name] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
WHERE table_schema = current_schema()`, nil, func(r *sql.Rows) error {
		var table, col, typ string
		var notNull bool
		if err := r.Scan(&table, &col, &typ, &notNull); err != nil {
			return err
		}
		out[columnItem(table, col, postgresFamily(typ), notNull)] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Constraints, with their columns in key order.
	err = eachRow(ctx, db, `
SELECT c.contype, t.relname, coalesce(f.relname, ''),
    (SELECT string_agg(a.attname, ', ' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
    coalesce((SELECT string_agg(a.attname, ', ' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n), '')
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE c.contype IN ('p', 'u', 'f', 'c')`, nil, func(r *sql.Rows) error {
		var kind, table, ref, cols, refCols string
		if err := r.Scan(&kind, &table, &ref, &cols, &refCols); err != nil {
			return err
		}
		switch kind {
		case "p":
			out[fmt.Sprintf("primary key %s (%s)", table, cols)] = true
		case "u":
			out[fmt.Sprintf("unique %s (%s)", table, cols)] = true
		case "f":
			out[fmt.Sprintf("foreign key %s (%s) references %s (%s)", table, cols, ref, refCols)] = true
		case "c":
			out["checks "+table] = true // counted below
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for item := range maps.Clone(out) {
		if table, ok := strings.CutPrefix(item, "checks "); ok {
			delete(out, item)
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
WHERE c.contype = 'c' AND t.relname = $1`, table).Scan(&n); err != nil {
				return nil, err
			}
			out[fmt.Sprintf("checks %s %d", table, n)] = true
		}
	}
	// Indexes that do not back a primary key or unique constraint.
	err = eachRow(ctx, db, `
SELECT i.relname, t.relname, x.indisunique, x.indpred IS NOT NULL,
    (SELECT string_agg(coalesce(a.attname, '(expression)'), ', ' ORDER BY k.i) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, i)
     LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n AND k.n <> 0)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`, nil, func(r *sql.Rows) error {
		var name, table, cols string
		var unique, partial bool
		if err := r.Scan(&name, &table, &unique, &partial, &cols); err != nil {
			return err
		}
		// Columns an index carries without ordering by them (INCLUDE)
		// are trailing key columns on SQLite, which has no INCLUDE: both
		// engines' indexes answer the same reads from the index alone.
		out[indexItem(name, table, strings.Split(cols, ", "), unique, partial)] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, db, `SELECT tg.tgname, t.relname FROM pg_trigger tg
JOIN pg_class t ON t.oid = tg.tgrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
WHERE NOT tg.tgisinternal`, nil, func(r *sql.Rows) error {
		var name, table string
		err := r.Scan(&name, &table)
		out[fmt.Sprintf("trigger %s on %s", name, table)] = true
		return err
	})
	return out, err
}

func columnItem(table, col, family string, notNull bool) schemaItem {
	null := "null"
	if notNull {
		null = "not null"
	}
	return fmt.Sprintf("column %s.%s %s %s", table, col, family, null)
}

func indexItem(name, table string, cols []string, unique, partial bool) schemaItem {
	var b strings.Builder
	if unique {
		b.WriteString("unique ")
	}
	if partial {
		b.WriteString("partial ")
	}
	fmt.Fprintf(&b, "index %s on %s (%s)", name, table, strings.Join(cols, ", "))
	return b.String()
}

func eachRow(ctx context.Context, db *sql.DB, query string, args []any, f func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
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
