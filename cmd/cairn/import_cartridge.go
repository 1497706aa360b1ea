package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/cartridge"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

func importCartridge(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "import cartridge [flags] FILE|DIR --teacher USERNAME", `
Imports a teacher's activities from a Common Cartridge (1.0 to 1.3) or a
Thin Common Cartridge 1.3: the .imscc file a learning management system
exports a course as, a folder holding its imsmanifest.xml, or a thin
cartridge's manifest alone.

Each link, LTI link and file of the course becomes an activity in the
teacher's playlist for each standard it is aligned to (the cartridge's
curriculum standards metadata names them by CASE identifier: import the
framework with 'cairn import case' first). Assessments, discussions and
assignments are kept by their title. What is not imported (an unknown
resource type, a link that is not http(s), an activity aligned to no
standard of the district) is listed as a warning. Importing the same
cartridge again makes nothing twice.`)
	var f importFlags
	f.register(fs, env)
	teacher := fs.String("teacher", "", "username of the teacher whose playlists the activities go into (required)")
	src, err := parseWithSource(fs, args, "cartridge (a .imscc file, a folder or a manifest)")
	if err != nil {
		return err
	}
	if strings.TrimSpace(*teacher) == "" {
		return fmt.Errorf("%w: give --teacher USERNAME: the teacher whose playlists these become", errUsage)
	}
	st, districtID, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	owner, err := st.PersonByUsername(ctx, districtID, *teacher)
	if err != nil {
		return err
	}
	if !owner.Has(roster.RoleTeacher) {
		return fmt.Errorf("%w: %s is not a teacher of the district", errUsage, *teacher)
	}
	var school *int64
	if len(owner.SchoolIDs) == 1 {
		school = &owner.SchoolIDs[0]
	}

	start := time.Now()
	prog := newProgress(env.stderr)
	prog.update("reading", 0, 1)
	c, err := cartridge.Open(src)
	if err != nil {
		prog.finish()
		return refused(env, src, err)
	}
	defer c.Close()
	prog.update("reading", 1, 1)
	cat, err := st.Catalog(ctx, districtID)
	if err != nil {
		prog.finish()
		return err
	}
	opt := cartridge.PlanOptions{DistrictID: districtID, OwnerID: owner.ID, SchoolID: school, Resolve: cartridge.CatalogResolver(cat)}
	plan, err := cartridge.Plan(c, opt)
	if err != nil {
		prog.finish()
		return refused(env, src, err)
	}
	// What the teacher already has for these standards, so that a second
	// import makes nothing twice.
	seen := map[int64]bool{}
	for _, p := range plan.Playlists {
		if seen[p.StandardID] {
			continue
		}
		seen[p.StandardID] = true
		mine, err := st.SearchPlaylists(ctx, districtID, store.PlaylistQuery{OwnerID: owner.ID, StandardID: p.StandardID, Limit: 200})
		if err != nil {
			prog.finish()
			return err
		}
		opt.Existing = append(opt.Existing, mine...)
	}
	if len(opt.Existing) > 0 {
		if plan, err = cartridge.Plan(c, opt); err != nil {
			prog.finish()
			return refused(env, src, err)
		}
	}
	prog.update("playlists", 0, len(plan.Playlists))
	if !*f.dryRun && len(plan.Playlists) > 0 {
		if err := st.CreatePlaylists(ctx, plan.Playlists); err != nil {
			prog.finish()
			return err
		}
	}
	prog.update("playlists", len(plan.Playlists), len(plan.Playlists))
	prog.finish()

	kind := "Common Cartridge"
	if c.Thin {
		kind = "Thin Common Cartridge"
	}
	title := c.Title
	if title == "" {
		title = c.Name
	}
	fmt.Fprintf(env.stdout, "%s: %s %s %q, %d %s\n", src, kind, c.Version, title, len(c.Entries), plural(len(c.Entries), "entry", "entries"))
	for _, p := range plan.Playlists {
		fmt.Fprintf(env.stdout, "  %s: %d %s\n", p.Title, len(p.Activities), plural(len(p.Activities), "activity", "activities"))
	}
	for i, w := range plan.Warnings {
		if i == maxNotes {
			fmt.Fprintf(env.stdout, "warning: and %d more\n", len(plan.Warnings)-maxNotes)
			break
		}
		fmt.Fprintf(env.stdout, "warning: %s\n", w)
	}
	n, acts := len(plan.Playlists), plan.Activities
	switch {
	case n == 0 && plan.AlreadyImported > 0:
		fmt.Fprintln(env.stdout, "nothing changed: the teacher already has these playlists")
	case n == 0:
		fmt.Fprintln(env.stdout, "nothing to import: no activity is aligned to a standard of the district")
	case *f.dryRun:
		fmt.Fprintf(env.stdout, "dry run: would make %d %s with %d %s; nothing was written\n", n, plural(n, "playlist", "playlists"), acts, plural(acts, "activity", "activities"))
	default:
		fmt.Fprintf(env.stdout, "made %d %s with %d %s for %s in %s\n", n, plural(n, "playlist", "playlists"), acts, plural(acts, "activity", "activities"),
			owner.Username, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
