package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/api/web"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/notify"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CPCREADY_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "SQLite file or postgres:// URL (CPCREADY_DATABASE_URL)")
	noMigrate := fs.Bool("no-migrate", false, "do not apply migrations at start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*noMigrate {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	// New rules or a changed holiday list change readiness: bring what is
	// stored for the coming weeks in line before answering from it, and the
	// rest in the background.
	pass, err := prepareReadiness(ctx, db, readiness.Fingerprint(workdays.New(cfg.ExtraBankHolidays).Fingerprint()), log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if pass != nil {
		stop := reevaluateInBackground(ctx, pass, cfg.ReevaluatePause, log)
		defer stop()
	}
	return serve(ctx, cfg, db, ln, log, nil)
}

// serve runs the HTTP server on ln until ctx ends, then drains: /readyz
// answers 503 at once while every request is still answered for
// DrainDelay, so load balancers notice and stop sending; only then does
// the listener close, and in-flight requests get ShutdownTimeout to
// finish. ready, when set, hears the server.
func serve(ctx context.Context, cfg config, db *store.DB, ln net.Listener, log *slog.Logger, ready func(*api.Server)) error {
	authn := &auth.Authenticator{Keys: auth.NewKeyCache(db, auth.KeyCacheSize, time.Now)}
	if cfg.OIDC.Issuer != "" {
		o, err := auth.NewOIDC(cfg.OIDC, nil)
		if err != nil {
			return err
		}
		authn.OIDC = o
	}
	registry := prometheus.NewRegistry()
	if err := registerReevaluationMetric(registry, db); err != nil {
		return err
	}
	srv, err := api.New(api.Config{
		DB: db, Auth: authn, Log: log, TrustedProxies: cfg.TrustedProxies,
		CORSOrigins: cfg.CORSOrigins, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		Registry: registry, WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		TLS: cfg.TLSCert != "", MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != "",
	})
	if err != nil {
		return err
	}
	deliveryMetrics, err := notify.NewMetrics(registry)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(srv)
	}
	handler, err := withWebApp(cfg, db, srv, log)
	if err != nil {
		return err
	}
	hs := api.NewHTTPServer(handler, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	if cfg.PprofAddr != "" {
		if err := startPprof(ctx, cfg.PprofAddr, log); err != nil {
			return fmt.Errorf("pprof: %w", err)
		}
	}
	if cfg.MetricsAddr != "" {
		stop, err := startMetrics(cfg.MetricsAddr, srv.MetricsHandler(), log)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		defer stop()
	}
	go maintain(ctx, db, cfg.PurgeAfter, cfg.PurgeEvery, cfg.AuditRetention, cfg.EventRetention, log)
	sender := &notify.Sender{DB: db, Client: notify.NewClient(cfg.WebhookAllowPrivate), Metrics: deliveryMetrics, Log: log}
	go sender.Run(ctx, time.Second)
	go (&notify.OverdueScheduler{DB: db, Log: log}).Run(ctx)
	go recordStarts(ctx, db, log)
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("database", string(db.Dialect)), slog.Bool("tls", cfg.TLSCert != ""))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("draining")
	srv.Drain()
	select {
	case <-time.After(cfg.DrainDelay):
	case err := <-errc:
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// withWebApp puts the staff web app beside the API when it is configured.
func withWebApp(cfg config, db *store.DB, srv *api.Server, log *slog.Logger) (http.Handler, error) {
	wc := web.Config{DB: db, Log: log, Demo: cfg.Web.Demo, InsecureCookie: cfg.Web.InsecureCookie, StaffRefClaim: cfg.Web.StaffRefClaim}
	if !cfg.Web.Demo {
		if cfg.Web.ClientID == "" {
			return srv, nil
		}
		oc := cfg.OIDC
		oc.Audience = cfg.Web.ClientID
		o, err := auth.NewOIDC(oc, nil)
		if err != nil {
			return nil, fmt.Errorf("web sign-in: %w", err)
		}
		wc.OIDC, wc.Issuer, wc.ClientID, wc.ClientSecret = o, oc.Issuer, cfg.Web.ClientID, cfg.Web.ClientSecret
		wc.RedirectURL = cfg.Web.BaseURL + "/sign-in/callback"
	}
	app, err := web.New(wc)
	if err != nil {
		return nil, err
	}
	return web.Mount(srv, app), nil
}

// startMetrics serves /metrics on addr, apart from the API, until stop is
// called; Prometheus can then be let in by network policy alone.
func startMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	hs := api.NewHTTPServer(h, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("metrics listener stopped", slog.String("error", err.Error()))
		}
	}()
	log.Info("metrics listening", slog.String("addr", ln.Addr().String()))
	return func() { _ = hs.Close() }, nil
}
