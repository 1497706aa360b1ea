package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
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
directory) or a PostgreSQL URL. Stops cleanly on SIGTERM or Ctrl-C.

With --tls-cert and --tls-key it serves HTTPS itself, picking up a renewed
certificate within a minute of its files changing. Behind a proxy that
terminates TLS, give --public-url (the https:// address people open) and
--trusted-proxies (the proxy's address or network), so that cookies are
Secure, HSTS is sent, links name the public address and sign-in limits
count each person's own address rather than the proxy's.`)
	addr := fs.String("addr", envOr(env, "CAIRN_ADDR", defaultAddr), "address to listen on (CAIRN_ADDR)")
	district := fs.String("district", env.getenv("CAIRN_DISTRICT"), "id of the district to serve; may be left out when the database holds one (CAIRN_DISTRICT)")
	fitEvery := fs.String("fit-every", env.getenv("CAIRN_FIT_EVERY"),
		"refit the knowledge-tracing model this often, e.g. 24h; empty or 0: only by 'cairn fit' (CAIRN_FIT_EVERY)")
	tlsCert := fs.String("tls-cert", env.getenv("CAIRN_TLS_CERT"),
		"serve HTTPS with this certificate file (PEM: the server's certificate, then any intermediates); needs --tls-key (CAIRN_TLS_CERT)")
	tlsKey := fs.String("tls-key", env.getenv("CAIRN_TLS_KEY"), "the private key of --tls-cert (PEM) (CAIRN_TLS_KEY)")
	publicURL := fs.String("public-url", env.getenv("CAIRN_PUBLIC_URL"),
		"the address people open cairn at, such as https://cairn.example.org: links name it, and when it is https cookies are Secure and HSTS is sent, behind a proxy too (CAIRN_PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", env.getenv("CAIRN_TRUSTED_PROXIES"),
		"comma-separated networks or addresses of the proxies in front of cairn, such as 10.0.0.0/8; only requests from them are believed about X-Forwarded-For and X-Forwarded-Proto (CAIRN_TRUSTED_PROXIES)")
	liveConns := fs.String("live-connections", env.getenv("CAIRN_LIVE_CONNECTIONS"),
		"live updates: event streams open at once on this server, each a connection and a file descriptor; 0: 10000; -1: live updates off, pages show changes when reloaded (CAIRN_LIVE_CONNECTIONS)")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	var lo logOptions
	lo.register(fs, env)
	var turns readTurns
	turns.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := turns.check(); err != nil {
		return err
	}
	parts := serverParts{concurrentReads: turns.n}
	live, err := parseLiveConnections(*liveConns)
	if err != nil {
		return err
	}
	parts.liveConnections = live
	switch {
	case *tlsCert != "" && *tlsKey == "":
		return fmt.Errorf("%w: --tls-cert needs --tls-key, the file of the certificate's private key (CAIRN_TLS_KEY)", errUsage)
	case *tlsCert == "" && *tlsKey != "":
		return fmt.Errorf("%w: --tls-key needs --tls-cert, the certificate file (CAIRN_TLS_CERT)", errUsage)
	}
	if *publicURL != "" {
		u, err := web.ParsePublicURL(*publicURL)
		if err != nil {
			return fmt.Errorf("%w: --public-url %w", errUsage, err)
		}
		parts.publicURL = u.String()
	}
	trusted, err := web.ParseTrustedProxies(*proxies)
	if err != nil {
		return fmt.Errorf("%w: --trusted-proxies: %w", errUsage, err)
	}
	parts.trustedProxies = trusted
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
	if *tlsCert != "" {
		// Read before the database is opened: a certificate that cannot
		// be served stops the server before it changes anything.
		if parts.certificate, err = loadCertificate(*tlsCert, *tlsKey, logger); err != nil {
			return err
		}
	}
	if strings.HasPrefix(parts.publicURL, "https:") && parts.certificate == nil && len(trusted) == 0 {
		logger.Warn("--public-url is https but no --trusted-proxies are given: sign-in limits will count everyone behind the proxy as one address")
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
	parts.store, parts.metrics, parts.districtID = st, metrics, id
	// Rules and alerts: the daily sweep stops before the store closes.
	sweepCtx, stopSweeps := context.WithCancel(ctx)
	var sweeps sync.WaitGroup
	defer sweeps.Wait()
	defer stopSweeps()
	sweeps.Go(func() { sweepDaily(sweepCtx, logger, st, id, sweepCheck) })
	if every == 0 {
		return serve(ctx, env, logger, parts, *addr, nil)
	}
	// The refits stop, and the one under way is cancelled (it changes
	// nothing then), before the store closes.
	refitCtx, stopRefits := context.WithCancel(ctx)
	var refits sync.WaitGroup
	defer refits.Wait()
	defer stopRefits()
	refits.Go(func() { refitEvery(refitCtx, logger, st, id, every) })
	return serve(ctx, env, logger, parts, *addr, nil)
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
		rep, err := st.FitModels(ctx, districtID, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1},
			Logistic: &mastery.LogisticOptions{Features: mastery.FeaturesFull, Seed: 1}})
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("refitting the knowledge-tracing model", "district", districtID, "err", err)
			}
			continue
		}
		logger.Info("knowledge-tracing model refitted", "district", districtID, "standards", len(rep.Standards),
			"kept", rep.Kept(), "responses", rep.Responses, "states", rep.States, "fit", rep.FitTime, "elapsed", rep.Elapsed,
			"logistic", rep.Logistic != nil && rep.Logistic.Kept)
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
	// certificate, when not nil, makes the server speak HTTPS.
	certificate *certificate
	// publicURL and trustedProxies are web.Config's.
	publicURL      string
	trustedProxies []netip.Prefix
	// concurrentReads is web.Config.ConcurrentReads.
	concurrentReads int
	// liveConnections is web.Config.LiveConnections.
	liveConnections int
}

// readTurns is --concurrent-reads, which serve and demo take.
type readTurns struct{ n int }

// maxReadTurns bounds --concurrent-reads.
const maxReadTurns = 4096

func (o *readTurns) register(fs *flag.FlagSet) {
	fs.IntVar(&o.n, "concurrent-reads", 0,
		"reads of signed-in people (pages, API reads) served at once; more wait their turn, changes never do; 0: the number of cores, four times that on PostgreSQL")
}

func (o *readTurns) check() error {
	if o.n < 0 || o.n > maxReadTurns {
		return fmt.Errorf("%w: --concurrent-reads %d: want between 0 and %d", errUsage, o.n, maxReadTurns)
	}
	return nil
}

// serve listens on addr and serves until ctx is done, then shuts down
// gracefully. announce, when not nil, is called with the server's base URL
// once it is listening.
func serve(ctx context.Context, env *environment, logger *slog.Logger, p serverParts, addr string, announce func(url string)) error {
	h, err := web.New(web.Config{Store: p.store, DistrictID: p.districtID, Logger: logger, Metrics: p.metrics,
		PublicURL: p.publicURL, TrustedProxies: p.trustedProxies, ConcurrentReads: p.concurrentReads,
		LiveConnections: p.liveConnections})
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
	scheme := "http"
	if p.certificate != nil {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Live updates: open event streams end when shutdown begins, so that
	// it does not wait for them (the browsers reconnect elsewhere).
	srv.RegisterOnShutdown(h.StopLive)
	errc := make(chan error, 1)
	if p.certificate != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: p.certificate.get}
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	attrs := []any{"url", url, "engine", p.store.Engine(), "district", p.districtID}
	if p.publicURL != "" {
		attrs = append(attrs, "public_url", p.publicURL)
	}
	if len(p.trustedProxies) > 0 {
		attrs = append(attrs, "trusted_proxies", fmt.Sprint(p.trustedProxies))
	}
	logger.Info("serving", attrs...)
	if announce != nil {
		announce(url)
	} else {
		fmt.Fprintf(env.stdout, "cairn is serving on %s\n", url)
		if p.publicURL != "" {
			fmt.Fprintf(env.stdout, "people open it at %s\n", p.publicURL)
		}
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

// certificate is the server's TLS certificate and key, read from their
// files at start and again when the files change, so that a certificate
// renewed in place (by certbot, say) is served without a restart.
type certificate struct {
	certFile, keyFile string
	logger            *slog.Logger
	// every is how often a handshake looks whether the files changed.
	every time.Duration

	mu      sync.Mutex
	pair    *tls.Certificate
	stamp   string // the files' sizes and modification times when last read
	checked time.Time
}

// loadCertificate reads a certificate and its key, failing with what is
// wrong when they cannot be served.
func loadCertificate(certFile, keyFile string, logger *slog.Logger) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile, logger: logger, every: time.Minute, checked: time.Now()}
	stamp, err := c.fileStamp()
	if err != nil {
		return nil, err
	}
	pair, err := c.read()
	if err != nil {
		return nil, err
	}
	c.pair, c.stamp = pair, stamp
	c.note("TLS certificate", pair)
	return c, nil
}

// get answers a TLS handshake with the certificate, reading the files
// again first when they have changed since they were last read. Files
// that cannot be used (a renewal half written) leave the certificate
// being served as it is.
func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Sub(c.checked) < c.every {
		return c.pair, nil
	}
	c.checked = now
	stamp, err := c.fileStamp()
	if err != nil || stamp == c.stamp {
		if err != nil {
			c.logger.Warn("cannot look at the TLS certificate files; serving the certificate read before", "err", err)
		}
		return c.pair, nil
	}
	c.stamp = stamp
	pair, err := c.read()
	if err != nil {
		c.logger.Warn("the TLS certificate files changed but cannot be used; serving the certificate read before", "err", err)
		return c.pair, nil
	}
	c.pair = pair
	c.note("TLS certificate read again", pair)
	return c.pair, nil
}

// read reads and checks the certificate and key.
func (c *certificate) read() (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(c.certFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert: %w", err)
	}
	keyPEM, err := os.ReadFile(c.keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s and --tls-key %s are not a certificate and its private key in PEM: %w", c.certFile, c.keyFile, err)
	}
	return &pair, nil
}

// fileStamp is what changes when either file is replaced or rewritten.
func (c *certificate) fileStamp() (string, error) {
	var b strings.Builder
	for _, f := range []struct{ flag, name string }{{"--tls-cert", c.certFile}, {"--tls-key", c.keyFile}} {
		fi, err := os.Stat(f.name)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.flag, err)
		}
		fmt.Fprintf(&b, "%d %d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String(), nil
}

// note logs what certificate is served, and warns when browsers will
// refuse it for its dates.
func (c *certificate) note(msg string, pair *tls.Certificate) {
	leaf := pair.Leaf
	if leaf == nil {
		return
	}
	attrs := []any{"subject", leaf.Subject.String(), "names", strings.Join(leaf.DNSNames, ","), "not_after", leaf.NotAfter}
	now := time.Now()
	switch {
	case now.After(leaf.NotAfter):
		c.logger.Warn(msg+" has expired: browsers will refuse it", attrs...)
	case now.Before(leaf.NotBefore):
		c.logger.Warn(msg+" is not valid yet: browsers will refuse it", append(attrs, "not_before", leaf.NotBefore)...)
	default:
		c.logger.Info(msg, attrs...)
	}
}
