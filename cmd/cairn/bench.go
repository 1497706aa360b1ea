package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/ktbench"
)

// runBench runs a benchmark: 'kt' (knowledge tracing) or 'load' (a
// server under readers and writers at once).
func runBench(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.stderr, "Usage: cairn bench kt|load [flags]\n\nBenchmarks:\n"+
			"  kt    knowledge-tracing models on response data (see 'cairn bench kt --help')\n"+
			"  load  a server on this machine under readers and writers at once (see 'cairn bench load --help')")
		if len(args) == 0 {
			return fmt.Errorf("%w: no benchmark given (want kt or load)", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "kt":
		return runBenchKT(ctx, env, args[1:])
	case "load":
		return runBenchLoad(ctx, env, args[1:])
	}
	return fmt.Errorf("%w: unknown benchmark %q (want kt or load)", errUsage, args[0])
}

func runBenchKT(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "bench kt --train FILE --test FILE | --data FILE --folds N", `
Fits every knowledge-tracing model on the training students, then predicts
each response of the test students from that student's earlier responses
only, updating online as a live system would, and prints AUC, RMSE,
accuracy, log-loss, fit time and predictions per second per model.
With --data and --folds it cross-validates on one file instead, by student.
With --through-store it fits the logistic model on the training students,
puts it in a real store, and replays the test students through the store
one response at a time as the product runs (read the prediction, then
record the response as evidence naming its item), printing the AUC of the
predictions read back and the latency of recording and predicting.

A response file has one response per line, tab- or comma-separated:
user_id, item_id, timestamp, correct (0 or 1), skill_id, with an optional
header line naming the columns. Several skills in one skill_id are split on
any of the --skill-sep characters.

Models:
  `+strings.Join(ktbench.ModelSummaries(), "\n  "))
	var cfg ktbench.Config
	var models string
	fs.StringVar(&cfg.Train, "train", "", "response file to fit the models on")
	fs.StringVar(&cfg.Test, "test", "", "response file to score the models on")
	fs.StringVar(&cfg.Data, "data", "", "response file to cross-validate on (with --folds)")
	fs.IntVar(&cfg.Folds, "folds", 5, "number of student-level folds for --data")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed for everything random: EM restarts, folds")
	fs.StringVar(&models, "models", strings.Join(ktbench.Models(), ","), "comma-separated models to run")
	fs.StringVar(&cfg.SkillSeparators, "skill-sep", ktbench.DefaultSkillSeparators, "characters that separate the skills of a multi-skill skill_id; empty: never split")
	var through bool
	var storeURL string
	var students int
	fs.BoolVar(&through, "through-store", false, "replay the test students through a real store, one response at a time (the logistic model only)")
	fs.StringVar(&storeURL, "store", "", "with --through-store: the database to replay through (default: a new SQLite file in a temporary directory)")
	fs.IntVar(&students, "students", 0, "with --through-store: replay only the first N test students (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if through {
		if cfg.Train == "" || cfg.Test == "" {
			return fmt.Errorf("%w: --through-store needs --train and --test", errUsage)
		}
		_, err := ktbench.RunThroughStore(ctx, ktbench.StoreConfig{Train: cfg.Train, Test: cfg.Test, Seed: cfg.Seed,
			URL: storeURL, Students: students}, env.stdout, env.stderr)
		return err
	}
	if cfg.Data == "" && (cfg.Train == "" || cfg.Test == "") {
		fs.Usage()
		return fmt.Errorf("%w: give --train and --test, or --data", errUsage)
	}
	if cfg.Data != "" && (cfg.Train != "" || cfg.Test != "") {
		return fmt.Errorf("%w: give --data or --train and --test, not both", errUsage)
	}
	for _, m := range strings.Split(models, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		} else if !slices.Contains(ktbench.Models(), m) {
			return fmt.Errorf("%w: --models: %q is not one of %s", errUsage, m, strings.Join(ktbench.Models(), ", "))
		}
		cfg.Models = append(cfg.Models, m)
	}
	cfg.WholeSkillIDs = cfg.SkillSeparators == ""
	if cfg.Data == "" {
		cfg.Folds = 0
	}
	return ktbench.Run(ctx, cfg, env.stdout, env.stderr)
}
