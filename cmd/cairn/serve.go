package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/web"
)

const defaultAddr = "127.0.0.1:8080"

// dbOptions is the --db flag every command that opens the database shares.
type dbOptions struct{ url string }

func (o *dbOptions) register(fs *flag.FlagSet, env *environment, def string) {
	fs.StringVar(&o.url, "db", envOr(env, "CAIRN_DB", def),
		"database: an SQLite file path, or a postgres:// URL (CAIRN_DB)")
}

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "serve [flags]", `
Serves cairn over HTTP from a database, creating or migrating the database
first. The database is an SQLite file (the default, cairn.db in the working
directory) or a PostgreSQL URL. Stops cleanly on SIGTERM or Ctrl-C.`)
	addr := fs.String("addr", envOr(env, "CAIRN_ADDR", defaultAddr), "address to listen on (CAIRN_ADDR)")
	district := fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district to serve; may be left out when the database holds one (CAIRN_DISTRICT)")
	fitEvery := fs.String("fit-every", env.getenv("CAIRN_FIT_EVERY"),
		"refit the knowledge-tracing model this often, e.g. 24h; empty or 0: only by 'cairn fit' (CAIRN_FIT_EVERY)")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	var lo logOptions
	lo.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	var every time.Duration
	if *fitEvery != "" {
		d, err := time.ParseDuration(*fitEvery)
		if err != nil || d < 0 || (d > 0 && d < time.Minute) {
			return fmt.Errorf("%w: --fit-every %q: give a duration of at least a minute, such as 24h, or 0", errUsage, *fitEvery)
		}
		every = d
	}
	logger, err := lo.logger(env.stderr)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	metrics := web.NewMetrics(reg)
	st, err := store.Open(ctx, store.Config{URL: db.url, Logger: logger, OnChange: metrics.ObserveChange})
	if err != nil {
		return fmt.Errorf("open database %s: %w", redactURL(db.url), err)
	}
	defer st.Close()
	id, err := chooseDistrict(ctx, st, *district)
	if err != nil {
		return err
	}
	if every > 0 {
		go refitEvery(ctx, logger, st, id, every)
	}
	return serve(ctx, env, logger, serverParts{store: st, metrics: metrics, districtID: id}, *addr, nil)
}

// refitEvery refits the district's knowledge-tracing model every interval
// until ctx ends, logging what each fit did. A failed fit changes nothing
// (FitModels is one transaction) and is tried again at the next tick.
func refitEvery(ctx context.Context, logger *slog.Logger, st *store.Store, districtID int64, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rep, err := st.FitModels(ctx, districtID, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1}})
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("refitting the knowledge-tracing model", "district", districtID, "err", err)
			}
			continue
		}
		logger.Info("knowledge-tracing model refitted", "district", districtID, "standards", len(rep.Standards),
			"kept", rep.Kept(), "responses", rep.Responses, "states", rep.States, "fit", rep.FitTime, "elapsed", rep.Elapsed)
	}
}

// chooseDistrict returns the district to serve: the one named by flag, or
// the only one in the database.
func chooseDistrict(ctx context.Context, st *store.Store, flagValue string) (int64, error) {
	if flagValue != "" {
		id, err := strconv.ParseInt(flagValue, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: --district %q is not a district id", errUsage, flagValue)
		}
		if _, err := st.District(ctx, id); err != nil {
			return 0, fmt.Errorf("district %d: %w", id, err)
		}
		return id, nil
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		return 0, err
	}
	switch len(ds) {
	case 0:
		return 0, errors.New("the database holds no district yet: create one with 'cairn district create --name NAME', or try 'cairn demo'")
	case 1:
		return ds[0].ID, nil
	}
	return 0, fmt.Errorf("%w: the database holds %d districts: choose one with --district (see 'cairn district list')", errUsage, len(ds))
}

// serverParts are what the HTTP server is built from.
type serverParts struct {
	store      *store.Store
	metrics    *web.Metrics
	districtID int64
}

// serve listens on addr and serves until ctx is done, then shuts down
// gracefully. announce, when not nil, is called with the server's base URL
// once it is listening.
func serve(ctx context.Context, env *environment, logger *slog.Logger, p serverParts, addr string, announce func(url string)) error {
	h, err := web.New(web.Config{Store: p.store, DistrictID: p.districtID, Logger: logger, Metrics: p.metrics})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && addr == defaultAddr && errors.Is(err, syscall.EADDRINUSE) {
		logger.Warn("default address in use; listening on a free port instead", "addr", addr)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("serving", "url", url, "engine", p.store.Engine(), "district", p.districtID)
	if announce != nil {
		announce(url)
	} else {
		fmt.Fprintf(env.stdout, "cairn is serving on %s\n", url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
