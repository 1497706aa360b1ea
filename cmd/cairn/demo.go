package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/web"
)

func runDemo(ctx context.Context, env *environment, args []string) error {
	fset := newFlags(env, "demo [flags]", `
Builds a fresh demo district (two middle schools, about 300 students with
their guardians and teachers, real Common Core standards and a school year
of evidence), serves it, and prints what to open first. By default the
database is a temporary SQLite file removed when the demo stops; --db keeps
it, and must name a file that does not exist yet (or an empty PostgreSQL
database).`)
	addr := fset.String("addr", envOr(env, "CAIRN_ADDR", defaultAddr), "address to listen on (CAIRN_ADDR)")
	dbPath := fset.String("db", "", "where to build the demo database: a new SQLite file or an empty postgres:// database (default: a temporary file)")
	seed := fset.Int64("seed", 1, "seed of the simulation: the same seed and date give the same district")
	students := fset.Int("students", 300, "number of students")
	date := fset.String("date", "", "the demo's today, YYYY-MM-DD: evidence runs from the start of that school year up to it (default: today)")
	noServe := fset.Bool("no-serve", false, "build the database, print the summary and exit")
	var lo logOptions
	lo.register(fset, env)
	var turns readTurns
	turns.register(fset)
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := turns.check(); err != nil {
		return err
	}
	logger, err := lo.logger(env.stderr)
	if err != nil {
		return err
	}
	now := time.Now()
	if *date != "" {
		d, err := time.ParseInLocation("2006-01-02", *date, time.Local)
		if err != nil {
			return fmt.Errorf("%w: --date %q is not a date like 2026-11-23", errUsage, *date)
		}
		now = d.Add(15 * time.Hour) // mid-afternoon: the school day's evidence is in
	}
	if *students < 30 || *students > 100000 {
		return fmt.Errorf("%w: --students %d: want between 30 and 100000", errUsage, *students)
	}

	url := *dbPath
	if url == "" {
		dir, err := os.MkdirTemp("", "cairn-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		url = filepath.Join(dir, "demo.db")
	} else if !strings.Contains(url, "://") {
		if _, err := os.Stat(url); err == nil {
			return fmt.Errorf("%s already exists: the demo builds a fresh database; remove it or choose another --db", url)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}

	ds, err := demo.Generate(demo.Options{Seed: *seed, Now: now, Students: *students})
	if err != nil {
		return fmt.Errorf("generate demo district: %w", err)
	}
	reg := prometheus.NewRegistry()
	metrics := web.NewMetrics(reg)
	// The date moves the school calendar (the year's evidence, who is
	// enrolled, what may be recorded), not signing in: sessions, tokens
	// and reset links keep the real time (the store's WallClock), so a
	// demo dated in the past still lets people sign in.
	today := time.Now
	if *date != "" {
		today = func() time.Time { return now }
	}
	st, err := store.Open(ctx, store.Config{URL: url, Logger: logger, OnChange: metrics.ObserveChange, Now: today})
	if err != nil {
		return fmt.Errorf("open database %s: %w", redactURL(url), err)
	}
	defer st.Close()
	if existing, err := st.Districts(ctx); err != nil {
		return err
	} else if len(existing) > 0 {
		return fmt.Errorf("database %s already holds %d district(s): the demo needs an empty one", redactURL(url), len(existing))
	}

	start := time.Now()
	bar := newProgress(env.stderr)
	sum, err := demo.Load(ctx, st, ds, bar.update)
	bar.finish()
	if err != nil {
		return fmt.Errorf("load demo district: %w", err)
	}
	logger.Info("demo district built", "elapsed", time.Since(start).Round(time.Millisecond), "evidence", sum.Evidence)

	district, err := st.District(ctx, sum.DistrictID)
	if err != nil {
		return err
	}
	announce := func(base string) { printDemoSummary(env, district.Name, sum, base, url, *dbPath != "") }
	if *noServe {
		announce("")
		return nil
	}
	return serve(ctx, env, logger, serverParts{store: st, metrics: metrics, districtID: sum.DistrictID, concurrentReads: turns.n}, *addr, announce)
}

func printDemoSummary(env *environment, districtName string, sum demo.Summary, base, dbURL string, kept bool) {
	w := env.stdout
	fmt.Fprintf(w, "\ncairn demo: %s\n", districtName)
	fmt.Fprintf(w, "  %d schools, %d teachers, %d students, %d guardians, %d classes\n",
		sum.Schools, sum.Teachers, sum.Students, sum.Guardians, sum.Classes)
	fmt.Fprintf(w, "  %d frameworks with %d standards, %d pieces of evidence\n", sum.Frameworks, sum.Standards, sum.Evidence)
	if kept {
		fmt.Fprintf(w, "  database: %s\n", redactURL(dbURL))
	}
	if base != "" || kept {
		printSignIns(w, sum.SignIns, base)
	}
	if base == "" {
		return
	}
	fmt.Fprintf(w, "\nServing on %s\n\nOpen first:\n", base)
	fmt.Fprintf(w, "  %s/classes/%d\n      as the teacher: %s, every student against every standard\n", base, sum.Class.ID, sum.Class.Title)
	fmt.Fprintf(w, "  %s/classes/%d/groups\n      as the teacher: today's flexible groups, the schedule, and %s/alerts for what the rules raised\n", base, sum.Class.ID, base)
	fmt.Fprintf(w, "  %s/me\n      as the student: %s's standards, evidence and growth\n", base, sum.Student.Name())
	fmt.Fprintf(w, "  %s/family\n      as the guardian: %s's children in plain words\n", base, sum.Guardian.Name())
	fmt.Fprintf(w, "  %s/admin\n      as the administrator: calculation method, scales, users, imports, audit log\n", base)
	fmt.Fprintf(w, "  %s/api/v1/openapi.json\n      the JSON API (make a token at %s/account/tokens)\n", base, base)
	fmt.Fprintf(w, "\nPress Ctrl-C to stop.\n")
}

// printSignIns lists the demo's accounts. Their passwords are new each
// time the demo is built and are shown only here.
func printSignIns(w io.Writer, signIns []demo.SignIn, base string) {
	if len(signIns) == 0 {
		return
	}
	if base != "" {
		fmt.Fprintf(w, "\nSign in at %s/signin as:\n", base)
	} else {
		fmt.Fprintf(w, "\nSign in as:\n")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  ROLE\tUSERNAME\tPASSWORD\tNAME\n")
	for _, si := range signIns {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", si.Role, si.Username, si.Password, si.Name)
	}
	tw.Flush()
	fmt.Fprintf(w, "  (new passwords each time the demo is built; they are shown only here)\n")
}
