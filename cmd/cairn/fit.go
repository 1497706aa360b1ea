package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/store"
)

func runFit(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "fit [flags]", `
Fits the knowledge tracing model (Bayesian Knowledge Tracing) of every
standard with evidence of its own to the district's evidence, stores the
parameters, and recomputes every student's mastery with them, all in one
transaction: if anything fails, nothing changes. A score at or above its
scale's mastery cut counts as a right answer; voided evidence is left out.
Standards with fewer responses than --min-responses keep the default
parameters. The same evidence and --seed give the same parameters.

With --logistic (the default) it also fits the logistic model, which
predicts each response from the student's record and the item's learnt
difficulty, when the district has at least 1,000 responses; once fitted,
its ability model gives every state's estimate (docs/kt.md).

Run it after a district's first weeks of evidence and then from time to
time ('cairn serve --fit-every' does it on a schedule).`)
	district := fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district; may be left out when the database holds one (CAIRN_DISTRICT)")
	forget := fs.Bool("forget", false, "fit a forgetting parameter too")
	seed := fs.Uint64("seed", 1, "seed of EM's random restarts")
	minResponses := fs.Int("min-responses", 20, "responses a standard needs before its fitted parameters are kept")
	logistic := fs.Bool("logistic", true, "fit the logistic model too, when there are at least 1,000 responses")
	show := fs.Int("show", 20, "standards to list, most responses first (0: all)")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *minResponses < 1 {
		return fmt.Errorf("%w: --min-responses %d: give at least 1", errUsage, *minResponses)
	}
	st, districtID, err := openDistrict(ctx, db.url, *district)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newProgress(env.stderr)
	opt := store.FitOptions{
		BKT:          mastery.BKTFitOptions{Forget: *forget, Seed: *seed},
		MinResponses: *minResponses,
		Progress:     prog.update,
	}
	if *logistic {
		opt.Logistic = &mastery.LogisticOptions{Features: mastery.FeaturesFull, Seed: *seed}
	}
	rep, err := st.FitModels(ctx, districtID, opt)
	prog.finish()
	if err != nil {
		return err
	}
	if l := rep.Logistic; l != nil && l.Kept {
		fmt.Fprintf(env.stdout, "fitted the logistic model to %d responses on %d items in %s: %d L-BFGS iterations (converged %v), penalised log-loss %.4f\n",
			l.Responses, l.Items, l.FitTime.Round(time.Millisecond), l.Iterations, l.Converged, l.Objective)
	}
	writeFitReport(ctx, env, st, districtID, rep, *minResponses, *show)
	return nil
}

// writeFitReport prints what a fit did: a summary, then the standards with
// the most responses, their parameters and anything to know about them.
func writeFitReport(ctx context.Context, env *environment, st *store.Store, districtID int64, rep store.FitReport, minResponses, show int) {
	kept := rep.Kept()
	fmt.Fprintf(env.stdout, "fitted %d %s from %d %s in %s; kept %d, %d with fewer than %d responses keep the defaults\n",
		len(rep.Standards), plural(len(rep.Standards), "standard", "standards"), rep.Responses, plural(rep.Responses, "response", "responses"),
		rep.FitTime.Round(time.Millisecond), kept, len(rep.Standards)-kept, minResponses)
	fmt.Fprintf(env.stdout, "recomputed %d mastery %s in %s\n", rep.States, plural(rep.States, "state", "states"), rep.Elapsed.Round(time.Millisecond))
	if len(rep.Standards) == 0 {
		return
	}
	fits := slices.Clone(rep.Standards)
	slices.SortStableFunc(fits, func(a, b store.StandardFit) int {
		return cmp.Or(cmp.Compare(b.Responses, a.Responses), cmp.Compare(a.StandardID, b.StandardID))
	})
	if show > 0 && len(fits) > show {
		fits = fits[:show]
		fmt.Fprintf(env.stdout, "\nthe %d standards with the most responses (--show 0 lists all):\n", show)
	} else {
		fmt.Fprintln(env.stdout)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "standard\tresponses\tstudents\tprior\tlearn\tguess\tslip\tforget\tkept\tnotes")
	for _, f := range fits {
		code := fmt.Sprint(f.StandardID)
		if s, err := st.Standard(ctx, districtID, f.StandardID); err == nil && s.Code != "" {
			code = s.Code
		}
		p := f.Params
		notes := make([]string, len(f.Notes))
		for i, n := range f.Notes {
			notes[i] = string(n)
		}
		keptText := "yes"
		if !f.Kept {
			keptText = "no"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\n", code, f.Responses, f.Students,
			p.Prior, p.Learn, p.Guess, p.Slip, p.Forget, keptText, strings.Join(notes, "; "))
	}
	tw.Flush()
}
