// Package storetest gives tests a fresh database that already holds
// cairn's schema, on either engine, without migrating each one: the
// schema is migrated once per test binary, and each test gets a copy.
// Migrating takes seconds under the race detector, on every database a
// test opens; a copy takes milliseconds.
//
// A test that wants an empty database, such as one testing migrations
// themselves, uses t.TempDir or pgtest.URL instead. A package whose tests
// use Postgres stops the PostgreSQL cluster in its TestMain with
// pgtest.Main.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cairn-learning/cairn/internal/pgtest"
	"github.com/cairn-learning/cairn/internal/store"
)

// Engines are the two engines with a fresh database for each call of
// URL, for tests that run one suite on both (each engine's name is
// store.SQLite or store.Postgres).
var Engines = []struct {
	Name string
	URL  func(t testing.TB) string
}{
	{store.SQLite, SQLite},
	{store.Postgres, Postgres},
}

// SQLite returns the path of a new SQLite database in t's temporary
// directory holding cairn's schema, with nothing in it.
func SQLite(t testing.TB) string {
	t.Helper()
	image, err := migrated()
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return Write(t, image)
}

// Postgres returns the URL of a new PostgreSQL database holding cairn's
// schema, with nothing in it, dropped when t ends. It skips (or fails,
// under CAIRN_TEST_STRICT) as pgtest.URL does when there is no PostgreSQL.
func Postgres(t testing.TB) string {
	t.Helper()
	return pgtest.URLFrom(t, "migrated", func(url string) error {
		st, err := store.Open(context.Background(), store.Config{URL: url})
		if err != nil {
			return err
		}
		return st.Close()
	})
}

// migrated returns the bytes of an SQLite database holding the schema,
// made once.
var migrated = sync.OnceValues(func() ([]byte, error) {
	return Image(func(path string) error {
		st, err := store.Open(context.Background(), store.Config{URL: path})
		if err != nil {
			return err
		}
		return st.Close()
	})
})

// Image runs build on a new SQLite database file and returns the file's
// bytes once build has closed it, for Write to copy into tests. A package
// keeps an image of a database that is costly to build (a demo district),
// made once, and each test that writes gets its own copy.
func Image(build func(path string) error) ([]byte, error) {
	dir, err := os.MkdirTemp("", "cairn-storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cairn.db")
	if err := build(path); err != nil {
		return nil, err
	}
	// A store that closed cleanly leaves the whole database in the file,
	// with no write-ahead log beside it.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("storetest: the database at %s was not closed: its write-ahead log is left", path)
	}
	return os.ReadFile(path)
}

// Write writes an SQLite database image (from Image) to a new file in
// t's temporary directory and returns its path.
func Write(t testing.TB, image []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cairn.db")
	if err := os.WriteFile(path, image, 0o600); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return path
}
