// Package pgtest gives tests a fresh, empty PostgreSQL database each.
//
// With CAIRN_TEST_POSTGRES_URL set, the databases are created in that
// server. Otherwise the first call starts one throwaway PostgreSQL cluster
// for the whole test binary, from Debian's postgresql-15 server binaries,
// in a temporary directory on a free loopback port, tuned for speed
// (fsync, synchronous_commit and full_page_writes off: nothing in it needs
// to survive a crash). A package that uses it stops that cluster in its
// TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/cairn-learning/cairn/internal/testenv"
)

// URLVar names the environment variable holding the URL of an existing
// PostgreSQL server to create test databases in, such as
// postgres://postgres@localhost:5432/postgres?sslmode=disable. The role
// must be allowed to create databases.
const URLVar = "CAIRN_TEST_POSTGRES_URL"

const missing = "PostgreSQL 15 server binaries not found; install Debian's postgresql-15 or set " + URLVar

var (
	mu      sync.Mutex
	started *cluster // the cluster this binary started, if any
	failed  error    // why starting it failed, so later tests fail fast
	serial  int
)

// URL returns the URL of a new empty database for t, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
}

// URLFrom returns the URL of a new database for t, dropped when t ends,
// that starts as a copy of a template database: the one prepare made, the
// first time URLFrom was called with this key in the test binary, from an
// empty database whose URL it was given. prepare must close its
// connections before it returns (PostgreSQL copies only a database nobody
// is connected to). Copying a template is much faster than preparing each
// database again, such as migrating it.
func URLFrom(t testing.TB, key string, prepare func(url string) error) string {
	t.Helper()
	base := server(t)
	mu.Lock()
	tp := templates[key]
	if tp == nil {
		tp = &template{}
		templates[key] = tp
	}
	mu.Unlock()
	tp.once.Do(func() {
		tp.name = dbName()
		if tp.err = createDatabase(base, tp.name, ""); tp.err != nil {
			return
		}
		u, err := url.Parse(base)
		if err != nil {
			tp.err = err
			return
		}
		u.Path = "/" + tp.name
		if err := prepare(u.String()); err != nil {
			tp.err = fmt.Errorf("preparing the template database %q: %w", key, err)
		}
	})
	if tp.err != nil {
		t.Fatalf("pgtest: %v", tp.err)
	}
	return newDatabase(t, tp.name)
}

// template is a database made once for a test binary, for URLFrom to copy.
type template struct {
	once sync.Once
	name string
	err  error
}

// templates are the binary's template databases by key, guarded by mu.
var templates = map[string]*template{}

// createDatabase creates the database name on the server at base, empty
// or as a copy of the database from.
func createDatabase(base, name, from string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := `CREATE DATABASE ` + name
	if from != "" {
		// Two copies of one template at once can find each other
		// connected to it: one at a time.
		copying.Lock()
		defer copying.Unlock()
		q += ` TEMPLATE ` + from
	}
	if _, err := admin.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

// copying lets one database at a time be copied from a template.
var copying sync.Mutex

// server returns the URL of the server to create t's databases in,
// skipping t (or failing it, in CI) when there is none.
func server(t testing.TB) string {
	t.Helper()
	base, err := serverURL()
	if errors.Is(err, errNoBinaries) {
		testenv.Skip(t, missing)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return base
}

// newDatabase creates a database for t, empty or as a copy of the
// database from, and returns its URL.
func newDatabase(t testing.TB, from string) string {
	t.Helper()
	base := server(t)
	name := dbName()
	if err := createDatabase(base, name, from); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends connections a test left open (PostgreSQL 13 and later).
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Main runs the tests and then stops the cluster this binary started, if
// any, and removes its directory. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(Stop(m.Run()))
}

// Stop stops the cluster this binary started, if any, and removes its
// directory, for a TestMain that has more to do after m.Run than Main
// does. It returns the exit code the tests should end with: code, or 1
// when the cluster could not be stopped.
func Stop(code int) int {
	mu.Lock()
	c := started
	started = nil
	var names []string
	for _, tp := range templates {
		if tp.name != "" {
			names = append(names, tp.name)
		}
	}
	templates = map[string]*template{}
	mu.Unlock()
	if u := os.Getenv(URLVar); u != "" && len(names) > 0 {
		// A server of someone else's keeps running: leave nothing in it.
		if err := dropDatabases(u, names); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	if c != nil {
		if err := c.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// dropDatabases drops the databases names on the server at base.
func dropDatabases(base string, names []string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for _, n := range names {
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// dbName returns a database name no other test, in this binary or another
// one sharing the server, is using.
func dbName() string {
	mu.Lock()
	serial++
	n := serial
	mu.Unlock()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("cairn_test_%d_%d_%s", os.Getpid(), n, hex.EncodeToString(b[:]))
}

var errNoBinaries = errors.New(missing)

// serverURL returns the URL of the server to create databases in,
// starting the cluster on first use.
func serverURL() (string, error) {
	if u := os.Getenv(URLVar); u != "" {
		return u, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if started != nil {
		return started.url, nil
	}
	if failed != nil {
		return "", failed
	}
	c, err := start()
	if err != nil {
		failed = err
		return "", err
	}
	started = c
	return c.url, nil
}

// cluster is a PostgreSQL server this binary started.
type cluster struct {
	dir  string // holds data/, the socket and the log
	url  string
	cmd  *exec.Cmd
	done chan error // receives the server's exit
	cred *syscall.Credential
}

// binDir finds the directory of initdb and postgres.
func binDir() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if dir := "/usr/lib/postgresql/15/bin"; has(dir) {
		return dir, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); has(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Follow a link such as /usr/local/bin/initdb to the real
		// directory, where postgres lives too.
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	return "", errNoBinaries
}

// start makes and starts a cluster.
func start() (_ *cluster, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cairn-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	// initdb and postgres refuse to run as root.
	if os.Geteuid() == 0 {
		if c.cred, err = unprivileged(); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	if out, err := c.run(initdb); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	for attempt := 0; ; attempt++ {
		err := c.serve(bin, data)
		if err == nil {
			return c, nil
		}
		// Another process may have taken the free port in between; try
		// another one a couple of times.
		if attempt == 2 {
			return nil, err
		}
	}
}

// serve starts postgres on a free port and waits until it accepts
// connections.
func (c *cluster) serve(bin, data string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	if c.cred != nil {
		os.Chown(logPath, int(c.cred.Uid), int(c.cred.Gid))
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
		"-c", "shared_buffers=64MB",
		"-c", "log_min_messages=warning",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Should the test binary die without running Main, the server goes
	// with it (SIGQUIT: immediate shutdown) instead of living on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	db, err := sql.Open("pgx", u)
	if err != nil {
		cmd.Process.Kill()
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-done:
			return fmt.Errorf("postgres exited before it was ready (%v):\n%s", err, tail(logPath))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			c.url, c.cmd, c.done = u, cmd, done
			return nil
		}
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGQUIT)
			<-done
			return fmt.Errorf("postgres not ready after a minute (%v):\n%s", err, tail(logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts the server down (fast shutdown: connections are ended) and
// removes the cluster's directory.
func (c *cluster) stop() error {
	var err error
	if c.cmd != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
			err = errors.New("postgres did not stop within 30s; killed it")
		}
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// run runs cmd as the cluster's user and returns its output.
func (c *cluster) run(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	err := cmd.Run()
	return out.Bytes(), err
}

// unprivileged returns the user to run PostgreSQL as when running as root:
// postgres if the system has it, else nobody.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")
}

// freePort returns a loopback port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the end of the file at path, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
