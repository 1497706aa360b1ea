package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what every subcommand gets from the outside world, so
// that tests can call run with their own.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// errUsage marks an error in how the command was called (exit status 2).
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

func commands() []command {
	return []command{
		{"serve", "serve cairn over HTTP from a database", runServe},
		{"demo", "build a fresh demo district and serve it", runDemo},
		{"migrate", "apply pending database migrations and exit", runMigrate},
		{"district", "create or list districts, set their language", runDistrict},
		{"user", "create accounts and one-time sign-in links", runUser},
		{"import", "import standards (CASE) or a roster (OneRoster)", runImport},
		{"export", "export standards (CASE), the roster or mastery (OneRoster)", runExport},
		{"fit", "fit the knowledge-tracing model to a district's evidence", runFit},
		{"bench", "measure knowledge-tracing models, or a server under load", runBench},
		{"alerts", "raise the alerts of the rules that depend on time passing", runAlerts},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program: main only calls it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := &environment{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, getenv, stdout, stderr)
		}
		printUsage(stdout)
		if len(args) == 0 {
			return fmt.Errorf("%w: no command given", errUsage)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	printUsage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "cairn: personalized, mastery-based learning for school districts")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: cairn <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cairn <command> --help' for the flags of a command.")
}

// newFlags returns a flag set for a subcommand that writes its usage to
// stderr and returns errors instead of exiting.
func newFlags(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: cairn %s\n\n%s\n\nFlags:\n", name, strings.TrimSpace(usage))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, and turns a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// envOr returns the environment variable name, or def when it is empty.
func envOr(env *environment, name, def string) string {
	if v := env.getenv(name); v != "" {
		return v
	}
	return def
}

// logOptions are the flags every long-running command shares.
type logOptions struct {
	format string
	level  string
}

func (o *logOptions) register(fs *flag.FlagSet, env *environment) {
	fs.StringVar(&o.format, "log-format", envOr(env, "CAIRN_LOG_FORMAT", "text"), "log format: text or json (CAIRN_LOG_FORMAT)")
	fs.StringVar(&o.level, "log-level", envOr(env, "CAIRN_LOG_LEVEL", "info"), "log level: debug, info, warn or error (CAIRN_LOG_LEVEL)")
}

func (o *logOptions) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q: want debug, info, warn or error", errUsage, o.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch o.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: want text or json", errUsage, o.format)
}
