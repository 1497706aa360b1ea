package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/store"
)

const importUsage = ` cairn import case|oneroster|cartridge [flags] SOURCE

  cairn import case FILE|URL [--dry-run] [--scale N]
        import a standards framework: a CASE 1.0 or 1.1 package, from a JSON
        file or a CASE server (https://.../ims/case/v1p1/CFPackages/{id})
  cairn import oneroster ZIP|DIR [--dry-run] [--partial]
        import a roster: a OneRoster 1.1 or 1.2 CSV package, bulk or delta,
        as a zip file or a folder
  cairn import cartridge FILE|DIR --teacher USERNAME [--dry-run]
        import a teacher's activities, as playlists per standard, from a
        Common Cartridge 1.0-1.3 or Thin Common Cartridge 1.3 (.imscc)

All take --db and --district. An import is all or nothing: when the input
has any error, each is listed with its file, line and column, and nothing
is written (a OneRoster import with --partial imports the rows without
errors instead). Warnings (what the standard allows but is odd) are listed
too and stop nothing. Importing the same input twice changes nothing the
second time.
Run 'cairn import <kind> --help' for the flags of each.`

func runImport(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(env.stderr, "Usage:%s\n", importUsage)
		return fmt.Errorf("%w: import needs case, oneroster or cartridge", errUsage)
	}
	switch args[0] {
	case "case":
		return importCASE(ctx, env, args[1:])
	case "oneroster":
		return importOneRoster(ctx, env, args[1:])
	case "cartridge":
		return importCartridge(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(env.stdout, "Usage:%s\n", importUsage)
		return nil
	}
	return fmt.Errorf("%w: unknown import %q (want case, oneroster or cartridge)", errUsage, args[0])
}

// parseWithSource parses flags that may come before or after the one
// positional argument (cairn import oneroster roster.zip --dry-run) and
// returns that argument.
func parseWithSource(fs *flag.FlagSet, args []string, what string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(pos) {
	case 0:
		return "", fmt.Errorf("%w: give the %s to import", errUsage, what)
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("%w: give one %s, not %d (%s)", errUsage, what, len(pos), strings.Join(pos, ", "))
}

// importFlags are the flags both imports share.
type importFlags struct {
	db       dbOptions
	district *string
	dryRun   *bool
}

func (f *importFlags) register(fs *flag.FlagSet, env *environment) {
	f.db.register(fs, env, "cairn.db")
	f.district = fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district to import into; may be left out when the database holds one (CAIRN_DISTRICT)")
	f.dryRun = fs.Bool("dry-run", false, "show what the import would change, and change nothing")
}

// open opens the database and finds the district.
func (f *importFlags) open(ctx context.Context) (*store.Store, int64, error) {
	return openDistrict(ctx, f.db.url, *f.district)
}

// fetchTimeout bounds the download of a CASE package from a server.
const fetchTimeout = 2 * time.Minute

func importCASE(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "import case [flags] FILE|URL", `
Imports a standards framework from a CASE 1.0 or 1.1 package: a JSON file,
or the address of a CASE server's package, ending in
/ims/case/v1p0/CFPackages/{identifier} or /ims/case/v1p1/CFPackages/{identifier}.

The framework and its standards keep their CASE identifiers. Importing a
newer version of the same framework updates its standards in place, so the
evidence recorded on them stays where it is; standards the new version no
longer has are retired, not deleted.`)
	var f importFlags
	f.register(fs, env)
	scale := fs.Int64("scale", 0, "id of the proficiency scale of a new framework (default: the district's first scale)")
	src, err := parseWithSource(fs, args, "CASE package (a file or a URL)")
	if err != nil {
		return err
	}
	st, districtID, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	prog := newProgress(env.stderr)
	prog.update("reading", 0, 1)
	var pkg *casepkg.Package
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		pkg, err = casepkg.Fetch(ctx, &http.Client{Timeout: fetchTimeout}, src)
	} else {
		pkg, err = parseCASEFile(src)
	}
	if err != nil {
		prog.finish()
		return refused(env, src, err)
	}
	prog.update("reading", 1, 1)
	rep, err := st.ImportCASE(ctx, districtID, pkg, store.ImportOptions{DryRun: *f.dryRun, Progress: prog.update, ScaleID: *scale})
	prog.finish()
	if err != nil {
		return refused(env, src, err)
	}
	fmt.Fprintf(env.stdout, "%s: CASE %s framework %q (framework %d)\n", src, pkg.Version, pkg.Framework.Framework.Title, rep.FrameworkID)
	printReport(env.stdout, rep)
	return nil
}

func parseCASEFile(name string) (*casepkg.Package, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return casepkg.Parse(f, name)
}

// importMemoryLimit is the soft limit on the memory of 'cairn import
// oneroster' when GOMEMLIMIT does not set one. A roster of 100,000 people
// and 400,000 enrollments needs about 300 MB at its peak; the garbage
// collector's default pace would let the process grow to twice that.
const importMemoryLimit = 384 << 20

func importOneRoster(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "import oneroster [flags] ZIP|DIR", `
Imports a roster from a OneRoster 1.1 or 1.2 CSV package, as a zip file or
a folder holding manifest.csv and the files it lists, in bulk or delta mode.

Schools, terms, courses, classes, people and enrollments are matched by
sourcedId and created, updated, or left alone when nothing changed. A file
supplied in bulk retires what an earlier import brought and the file no
longer has; a delta file retires what it marks tobedeleted. Retired records
stay (evidence keeps pointing at them) and are left out of exports.

Errors (a missing required column, a date that is not ISO 8601, a reference
to a record that does not exist) refuse the whole package, unless --partial
is given: then the rows with errors, and the rows that refer to them, are
left out and listed with their file and line, and the records they name are
neither changed nor retired. A problem with a whole file (the manifest, a
header, broken quoting) refuses the package even so. Warnings (a student
enrolled as a teacher, an unknown column, a misspelled manifest key) are
listed and stop nothing.`)
	var f importFlags
	f.register(fs, env)
	partial := fs.Bool("partial", false, "import the rows without errors and list the others, instead of refusing the whole package")
	src, err := parseWithSource(fs, args, "OneRoster package (a zip file or a folder)")
	if err != nil {
		return err
	}
	st, districtID, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	}

	prog := newProgress(env.stderr)
	prog.update("reading", 0, 1)
	// A delta may refer to what is already in cairn.
	known, err := st.OneRosterKnown(ctx, districtID)
	if err != nil {
		prog.finish()
		return err
	}
	ro, err := oneroster.Open(src, oneroster.ReadOptions{Known: oneroster.SnapshotOf(known), Partial: *partial})
	if err != nil {
		prog.finish()
		return refused(env, src, err)
	}
	prog.update("reading", 1, 1)
	rep, err := st.ImportOneRoster(ctx, districtID, ro, store.ImportOptions{DryRun: *f.dryRun, Progress: prog.update})
	prog.finish()
	if err != nil {
		return refused(env, src, err)
	}
	fmt.Fprintf(env.stdout, "%s: OneRoster %s (%s)\n", src, ro.Version, modes(ro))
	printReport(env.stdout, rep)
	if n := len(ro.Refused) + ro.MoreRefused; n > 0 {
		fmt.Fprintf(env.stdout, "partial: %d %s; the rows that have them, and the rows that refer to those, were left out, and what they name is unchanged\n", n, plural(n, "error", "errors"))
	}
	return nil
}

// modes says how the package supplies its files: "bulk", "delta" or
// "bulk and delta".
func modes(ro *oneroster.Roster) string {
	var bulk, delta bool
	for _, m := range ro.Manifest.Files {
		bulk = bulk || m == oneroster.Bulk
		delta = delta || m == oneroster.Delta
	}
	switch {
	case bulk && delta:
		return "bulk and delta"
	case delta:
		return "delta"
	}
	return "bulk"
}

// refused lists the problems of bad input on stderr, one per line, and
// returns the error that ends the command; other errors pass unchanged.
func refused(env *environment, src string, err error) error {
	var be *badinput.Error
	if !errors.As(err, &be) {
		return err
	}
	for _, p := range be.Problems {
		fmt.Fprintln(env.stderr, p.String())
	}
	n := len(be.Problems) + be.More
	if be.More > 0 {
		fmt.Fprintf(env.stderr, "and %d more %s\n", be.More, plural(be.More, "problem", "problems"))
	}
	for _, p := range be.Warnings {
		fmt.Fprintf(env.stderr, "warning: %s\n", p)
	}
	if be.MoreWarnings > 0 {
		fmt.Fprintf(env.stderr, "warning: and %d more\n", be.MoreWarnings)
	}
	return fmt.Errorf("%s: %d %s, nothing was imported", src, n, plural(n, "problem", "problems"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxNotes is how many of an import's warnings are printed.
const maxNotes = 20

// printReport writes an import report as a table, its warnings, and a
// last line saying what happened.
func printReport(w io.Writer, rep store.ImportReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tcreated\tupdated\tretired\tremoved\tunchanged\t")
	for _, k := range rep.Kinds() {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", k, rep.Created[k], rep.Updated[k], rep.Retired[k], rep.Removed[k], rep.Unchanged[k])
	}
	tw.Flush()
	for i, note := range rep.Warnings {
		if i == maxNotes {
			fmt.Fprintf(w, "warning: and %d more\n", len(rep.Warnings)-maxNotes)
			break
		}
		fmt.Fprintf(w, "warning: %s\n", note)
	}
	for i, row := range rep.Refused {
		if i == maxNotes {
			fmt.Fprintf(w, "left out: and %d more\n", len(rep.Refused)-maxNotes)
			break
		}
		fmt.Fprintf(w, "left out: %s\n", row)
	}
	if rep.Recomputed > 0 {
		fmt.Fprintf(w, "recomputed %d mastery %s\n", rep.Recomputed, plural(rep.Recomputed, "state", "states"))
	}
	switch {
	case rep.DryRun && rep.Changed():
		fmt.Fprintln(w, "dry run: nothing was written")
	case rep.DryRun:
		fmt.Fprintln(w, "dry run: the import would change nothing")
	case rep.Changed():
		fmt.Fprintf(w, "imported in %s\n", rep.Elapsed.Round(time.Millisecond))
	default:
		fmt.Fprintln(w, "nothing changed: the database already holds all of it")
	}
}
