package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// migrations holds the schema changes of each engine, one numbered file per
// change (0001_init.sql, 0002_...). A file that has shipped is never
// edited; a later change is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies pending migrations, each in its own transaction, records
// them in schema_migrations, and returns the names of those it applied.
// Running it again applies nothing.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	defer wrap(&err, "store.Migrate")
	dir := "migrations/" + s.engine
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)

	createTable := `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`
	err = s.inTx(ctx, func(r *runner) error {
		_, err := r.tx.ExecContext(ctx, createTable)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		body, err := migrations.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		did := false
		err = s.inTx(ctx, func(r *runner) error {
			if s.engine == Postgres {
				// Two servers starting at once must not both apply a
				// migration; the lock ends with the transaction.
				if _, err := r.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261635)`); err != nil {
					return err
				}
			}
			var n int
			if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := r.tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if _, err := r.tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.now().UTC().UnixMicro()); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, err
		}
		if did {
			applied = append(applied, name)
			s.log.Info("applied migration", "engine", s.engine, "name", name)
		}
	}
	return applied, s.afterMigrations(ctx, applied)
}

// rebuildAfter are the migrations after which every district's mastery
// states are recomputed, because they add to what a state holds: without
// it, states written before would lack it until their next change.
var rebuildAfter = []string{
	"0006_models.sql",       // the knowledge tracing model's estimate
	"0016_items_models.sql", // the logistic model's state of each student
}

// afterMigrations recomputes the mastery states of every district when a
// migration of rebuildAfter was just applied.
func (s *Store) afterMigrations(ctx context.Context, applied []string) error {
	if !slices.ContainsFunc(applied, func(name string) bool { return slices.Contains(rebuildAfter, name) }) {
		return nil
	}
	ds, err := s.Districts(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		stats, err := s.RebuildMastery(ctx, d.ID, nil)
		if err != nil {
			return fmt.Errorf("recomputing mastery after the migrations: %w", err)
		}
		s.log.Info("recomputed mastery after the migrations", "district", d.ID, "states", stats.States, "elapsed", stats.Elapsed)
	}
	return nil
}
