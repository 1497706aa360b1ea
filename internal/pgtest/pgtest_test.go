package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/cairn-learning/cairn/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestURL checks that each call gives a separate, empty, usable database.
func TestURL(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.URL(t), pgtest.URL(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	dbA, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer dbA.Close()
	dbB, err := sql.Open("pgx", b)
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	if _, err := dbA.ExecContext(ctx, `CREATE TABLE marker (n int)`); err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := dbB.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("second database has %d tables, want 0 (it should be fresh)", tables)
	}
	var version int
	if err := dbA.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version < 150000 {
		t.Errorf("server version %d, want 15 or later", version)
	}
}
