package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

func runDistrict(ctx context.Context, env *environment, args []string) error {
	const usage = ` cairn district create|list|set [flags]

  cairn district create --name NAME [--sourced-id ID] [--language TAG]   create a district
  cairn district list                                                    list the districts
  cairn district set --language TAG [--district ID]                      set the language the district writes in`
	if len(args) == 0 {
		fmt.Fprintf(env.stderr, "Usage:%s\n", usage)
		return fmt.Errorf("%w: district needs create, list or set", errUsage)
	}
	switch args[0] {
	case "create":
		fs := newFlags(env, "district create [flags]", "Creates a district in the database.")
		name := fs.String("name", "", "the district's name (required)")
		sourced := fs.String("sourced-id", "", "the district's id in the student information system (OneRoster sourcedId)")
		language := fs.String("language", "en", "the BCP 47 tag of the language the district writes its course, class and school names, evidence titles and comments in (en, es-MX)")
		var db dbOptions
		db.register(fs, env, "cairn.db")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if strings.TrimSpace(*name) == "" {
			return fmt.Errorf("%w: --name is required", errUsage)
		}
		st, err := openQuiet(ctx, db.url)
		if err != nil {
			return err
		}
		defer st.Close()
		d := roster.District{Name: strings.TrimSpace(*name), SourcedID: *sourced, Language: *language}
		if err := st.CreateDistrict(ctx, &d); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "created district %d: %s (writes in %s)\n", d.ID, d.Name, d.Language)
		return nil
	case "list":
		fs := newFlags(env, "district list [flags]", "Lists the districts in the database.")
		var db dbOptions
		db.register(fs, env, "cairn.db")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		st, err := openQuiet(ctx, db.url)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, err := st.Districts(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSOURCED ID\tLANGUAGE")
		for _, d := range ds {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", d.ID, d.Name, d.SourcedID, d.Language)
		}
		return tw.Flush()
	case "set":
		fs := newFlags(env, "district set --language TAG [flags]",
			"Sets the language the district writes its own text in (course, class and school names, evidence\ntitles and comments), a BCP 47 tag such as en or es-MX. Pages in another language mark that text\nwith it, so that screen readers pronounce it right.")
		district := fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district; may be left out when the database holds one (CAIRN_DISTRICT)")
		tag := fs.String("language", "", "the BCP 47 tag of the language the district writes in (en, es-MX)")
		var db dbOptions
		db.register(fs, env, "cairn.db")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *tag == "" {
			return fmt.Errorf("%w: district set needs --language, such as --language es-MX", errUsage)
		}
		st, id, err := openDistrict(ctx, db.url, *district)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.SetDistrictLanguage(ctx, id, *tag); err != nil {
			return err
		}
		d, err := st.District(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "district %d: %s writes in %s\n", d.ID, d.Name, d.Language)
		return nil
	case "-h", "--help", "help":
		fmt.Fprintf(env.stdout, "Usage:%s\n", usage)
		return nil
	}
	return fmt.Errorf("%w: unknown district command %q (want create, list or set)", errUsage, args[0])
}

// openDistrict opens the database quietly and finds the district a
// command works on: the one named by --district, or the only one.
func openDistrict(ctx context.Context, url, district string) (*store.Store, int64, error) {
	st, err := openQuiet(ctx, url)
	if err != nil {
		return nil, 0, err
	}
	id, err := chooseDistrict(ctx, st, district)
	if err != nil {
		st.Close()
		return nil, 0, err
	}
	return st, id, nil
}

func openQuiet(ctx context.Context, url string) (*store.Store, error) {
	st, err := store.Open(ctx, store.Config{URL: url, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(url), err)
	}
	return st, nil
}
