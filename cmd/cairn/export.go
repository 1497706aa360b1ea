package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

const exportUsage = ` cairn export case|oneroster|gradebook [flags]

  cairn export case FRAMEWORK [--out FILE] [--base-url URL]
        write a framework as a CASE 1.1 package (JSON); FRAMEWORK is its id,
        its CASE identifier or its title; standard output by default
  cairn export oneroster [--out FILE]
        write the district's roster as a OneRoster 1.2 CSV package (zip)
        that imports back as the same records
  cairn export gradebook [--out FILE]
        write each student's mastery of each standard of their classes as a
        OneRoster 1.2 gradebook (zip), standards named by CASE identifier

All take --db and --district. Run 'cairn export <kind> --help' for the
flags of each.`

func runExport(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(env.stderr, "Usage:%s\n", exportUsage)
		return fmt.Errorf("%w: export needs case, oneroster or gradebook", errUsage)
	}
	switch args[0] {
	case "case":
		return exportCASE(ctx, env, args[1:])
	case "oneroster":
		return exportZip(ctx, env, args[1:], "oneroster", "roster.zip", `
Writes the district's roster as a OneRoster 1.2 CSV package in bulk mode (a
zip): the district and its schools, terms, courses, classes, people with
their roles, guardians, demographics and enrollments. Retired records are
left out. Records made in cairn go out as "cairn-<kind>-<id>"; records
imported go out as the student information system sent them (identifiers,
userIds, user profiles, role rows, metadata, dates), with what cairn holds
of them put in. Importing the package into the same district changes
nothing, and a new district made from it exports the same files.`, func(st *store.Store, districtID int64, w io.Writer) (string, error) {
			sr, err := st.StoredRoster(ctx, districtID)
			if err != nil {
				return "", err
			}
			ro, err := oneroster.WriteStored(w, sr, oneroster.WriteOptions{Now: storeNow(st)})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d %s, %d %s, %d %s", len(ro.Users), plural(len(ro.Users), "person", "people"),
				len(ro.Classes), plural(len(ro.Classes), "class", "classes"),
				len(ro.Enrollments), plural(len(ro.Enrollments), "enrollment", "enrollments")), nil
		})
	case "gradebook":
		return exportZip(ctx, env, args[1:], "gradebook", "gradebook.zip", `
Writes, for every class, each enrolled student's mastery of each standard of
the class's course as a OneRoster 1.2 gradebook (a zip): a line item per
class and standard, a result per student with the mastery value as score
and the level as text (scores to hundredths), each tied to the standard's
CASE identifier as its learning objective (the identifiers 'cairn export
case' writes). Line items run over their class's term and rows are dated by
their evidence, so the same mastery gives the same files.`, func(st *store.Store, districtID int64, w io.Writer) (string, error) {
			m, err := st.MasteryResults(ctx, districtID)
			if err != nil {
				return "", err
			}
			n, err := oneroster.WriteMasteryGradebook(w, m, storeNow(st))
			return fmt.Sprintf("%d %s", n, plural(n, "result", "results")), err
		})
	case "-h", "--help", "help":
		fmt.Fprintf(env.stdout, "Usage:%s\n", exportUsage)
		return nil
	}
	return fmt.Errorf("%w: unknown export %q (want case, oneroster or gradebook)", errUsage, args[0])
}

// exportFlags are the flags every export shares.
type exportFlags struct {
	db       dbOptions
	district *string
	out      *string
}

func (f *exportFlags) register(fs *flag.FlagSet, env *environment, defaultOut string) {
	f.db.register(fs, env, "cairn.db")
	f.district = fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district to export; may be left out when the database holds one (CAIRN_DISTRICT)")
	f.out = fs.String("out", defaultOut, "the file to write; - for standard output")
}

func exportCASE(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "export case [flags] FRAMEWORK", `
Writes a framework as a CASE 1.1 package (CFPackage JSON) that any CASE
reader, cairn included, reads back as the same framework: the document, an
item per standard that is not retired, the hierarchy, prerequisites as
precedes associations, and the crosswalks it was imported with. Imported
frameworks keep their CASE identifiers and URIs; others get identifiers
derived from them, the same on every export. FRAMEWORK is the framework's
id, CASE identifier or title.`)
	var f exportFlags
	f.register(fs, env, "-")
	baseURL := fs.String("base-url", "", "the CASE API address URIs of standards made in cairn are built from, such as https://cairn.example.org/ims/case/v1p1")
	which, err := parseWithSource(fs, args, "framework (its id, CASE identifier or title)")
	if err != nil {
		return err
	}
	st, districtID, err := openDistrict(ctx, f.db.url, *f.district)
	if err != nil {
		return err
	}
	defer st.Close()
	fw, err := findFramework(ctx, st, districtID, which)
	if err != nil {
		return err
	}
	pkg, err := exportStoredCASE(ctx, st, districtID, fw.ID, casepkg.ExportOptions{BaseURL: *baseURL})
	if err != nil {
		return err
	}
	err = writeOutput(env, *f.out, func(w io.Writer) error { return pkg.WriteJSON(w) })
	if err != nil {
		return err
	}
	if *f.out != "-" {
		fmt.Fprintf(env.stdout, "wrote framework %d %q, %d %s, to %s\n", fw.ID, fw.Title, len(pkg.CFItems), plural(len(pkg.CFItems), "standard", "standards"), *f.out)
	}
	return nil
}

// exportStoredCASE writes a framework of the district as a CASE 1.1
// package (casepkg.ExportStored). opt.Now defaults to the store's clock
// (it serves only a framework whose last change is unknown), and
// opt.Creator to the district's name.
func exportStoredCASE(ctx context.Context, st *store.Store, districtID, frameworkID int64, opt casepkg.ExportOptions) (*casepkg.CFPackage, error) {
	sf, err := st.StoredFramework(ctx, districtID, frameworkID)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = storeNow(st)
	}
	if opt.Creator == "" {
		d, err := st.District(ctx, districtID)
		if err != nil {
			return nil, err
		}
		opt.Creator = d.Name
	}
	return casepkg.ExportStored(sf, opt)
}

// storeNow is the store's clock as it dates what it writes: UTC, to the
// microsecond.
func storeNow(st *store.Store) time.Time { return st.Now().UTC().Truncate(time.Microsecond) }

// findFramework finds a framework of the district by id, CASE identifier
// or title (without regard to case).
func findFramework(ctx context.Context, st *store.Store, districtID int64, which string) (standards.Framework, error) {
	fws, err := st.Frameworks(ctx, districtID)
	if err != nil {
		return standards.Framework{}, err
	}
	id, _ := strconv.ParseInt(which, 10, 64)
	var byTitle []standards.Framework
	for _, fw := range fws {
		if fw.ID == id || fw.SourcedID != "" && strings.EqualFold(fw.SourcedID, which) {
			return fw, nil
		}
		if strings.EqualFold(strings.TrimSpace(fw.Title), strings.TrimSpace(which)) {
			byTitle = append(byTitle, fw)
		}
	}
	switch len(byTitle) {
	case 1:
		return byTitle[0], nil
	case 0:
		var names []string
		for _, fw := range fws {
			names = append(names, fmt.Sprintf("%d %q", fw.ID, fw.Title))
		}
		if len(names) == 0 {
			return standards.Framework{}, problem.Errorf(problem.KindNotFound, "framework %q: the district has no framework yet", which)
		}
		return standards.Framework{}, problem.Errorf(problem.KindNotFound, "framework %q: no such framework in the district (it has %s)", which, strings.Join(names, ", "))
	}
	return standards.Framework{}, fmt.Errorf("%w: %d frameworks are called %q: give the id", errUsage, len(byTitle), which)
}

// exportZip runs one of the zip exports.
func exportZip(ctx context.Context, env *environment, args []string, name, defaultOut, usage string,
	write func(st *store.Store, districtID int64, w io.Writer) (string, error)) error {
	fs := newFlags(env, "export "+name+" [flags]", usage)
	var f exportFlags
	f.register(fs, env, defaultOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *f.out == "-" && isTerminal(env.stdout) {
		return fmt.Errorf("%w: a zip file is not for a terminal: give --out FILE", errUsage)
	}
	st, districtID, err := openDistrict(ctx, f.db.url, *f.district)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newProgress(env.stderr)
	prog.update("exporting", 0, 1)
	var what string
	err = writeOutput(env, *f.out, func(w io.Writer) error {
		var err error
		what, err = write(st, districtID, w)
		return err
	})
	prog.update("exporting", 1, 1)
	prog.finish()
	if err != nil {
		return err
	}
	if *f.out != "-" {
		fmt.Fprintf(env.stdout, "wrote %s to %s\n", what, *f.out)
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeOutput writes to standard output for "-", else to a file that only
// takes its name once it is whole, so that a failed export leaves nothing
// half-written behind.
func writeOutput(env *environment, out string, write func(w io.Writer) error) error {
	if out == "-" {
		return write(env.stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
