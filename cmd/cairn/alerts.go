package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

func runAlerts(ctx context.Context, env *environment, args []string) error {
	const usage = ` cairn alerts sweep [--district ID]

  cairn alerts sweep   evaluate the rules that depend on time passing (no evidence for
                       N days on a target, pace behind the plan) on the district's today
                       and raise their alerts; 'cairn serve' does it once a day`
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintf(env.stdout, "Usage:%s\n", usage)
		return nil
	}
	if len(args) == 0 || args[0] != "sweep" {
		fmt.Fprintf(env.stderr, "Usage:%s\n", usage)
		return fmt.Errorf("%w: alerts needs sweep", errUsage)
	}
	fs := newFlags(env, "alerts sweep [flags]", `
Evaluates the district's rules that depend on time passing (no evidence for
N days on an active target of a student's plan, pace behind the plan) on the
district's today, and raises their alerts for the responsible teachers, in
one transaction. An alert already open, or dismissed in the last week, is
not raised again: running it twice raises nothing more. The rules evaluated
on evidence need no sweep: they run in the transaction of every write.`)
	district := fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district; may be left out when the database holds one (CAIRN_DISTRICT)")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, id, err := openDistrict(ctx, db.url, *district)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.SweepAlerts(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d firings, %d alerts raised on %s\n", rep.Firings, rep.Raised, rep.At.Format(time.DateOnly))
	return nil
}

// sweepCheck is how often the server looks whether the district's day has
// changed since its last sweep.
const sweepCheck = 10 * time.Minute

// sweepDaily runs the alerts' sweep (store.SweepAlerts) once on each of the
// district's days, by the store's clock, until ctx ends: at start, then
// when the day changes. A failed sweep changes nothing and is tried again
// at the next check.
func sweepDaily(ctx context.Context, logger *slog.Logger, st *store.Store, districtID int64, check time.Duration) {
	var last time.Time
	for {
		if today := supports.Day(st.Now()); !today.Equal(last) {
			rep, err := st.SweepAlerts(ctx, districtID)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Error("sweeping the rules that depend on time", "district", districtID, "err", err)
			case err == nil:
				last = today
				logger.Info("rules swept", "district", districtID, "day", today.Format(time.DateOnly), "firings", rep.Firings, "raised", rep.Raised)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(check):
		}
	}
}
