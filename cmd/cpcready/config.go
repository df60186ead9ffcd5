package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

// config is everything the service reads from its environment. Flags,
// where a command has them, override the environment.
type config struct {
	Addr              string
	DatabaseURL       string
	SQLiteSynchronous string
	MaxOpenConns      int
	MaxIdleConns      int
	ConnMaxLifetime   time.Duration
	ExtraBankHolidays []domain.Date
	OIDC              auth.OIDCConfig
	TrustedProxies    []string
	CORSOrigins       []string
	RateLimit         float64
	RateBurst         int
	TLSCert, TLSKey   string
	PurgeAfter        time.Duration
	PurgeEvery        time.Duration
	// AuditRetention, when set, is how long audit events are kept; the
	// purge deletes older ones. Off by default: the trail is kept whole.
	AuditRetention  time.Duration
	ShutdownTimeout time.Duration
	// EventRetention is how long events (and their deliveries) are kept.
	EventRetention time.Duration
	// WebhookAllowPrivate lets webhooks use http and reach private
	// addresses: for the demo and tests only.
	WebhookAllowPrivate bool
	// DrainDelay is how long the service keeps answering, with /readyz at
	// 503, before it stops accepting connections.
	DrainDelay time.Duration
	// MetricsAddr, when set, serves /metrics on a listener of its own and
	// not on the API's; MetricsToken, when set, is the bearer token it takes.
	MetricsAddr, MetricsToken string
	// PprofAddr, when set, serves Go's profiling endpoints on a listener of
	// their own, never on the API's.
	PprofAddr string
	// ReevaluatePause is how long the background re-evaluation after new
	// rules waits between pages, to leave the database more room for
	// requests.
	ReevaluatePause time.Duration
	Web             webConfig
}

// webConfig sets up the staff web app. It is served when a client id is
// set, or in demo mode.
type webConfig struct {
	ClientID, ClientSecret string
	// BaseURL is the app's public address; the sign-in returns to
	// BaseURL + /sign-in/callback.
	BaseURL       string
	StaffRefClaim string
	Demo          bool
	// InsecureCookie is for demo mode on plain http.
	InsecureCookie bool
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:              orDefault(getenv("CPCREADY_ADDR"), ":8080"),
		DatabaseURL:       orDefault(getenv("CPCREADY_DATABASE_URL"), "cpcready.db"),
		SQLiteSynchronous: getenv("CPCREADY_SQLITE_SYNCHRONOUS"),
		OIDC: auth.OIDCConfig{
			Issuer: getenv("CPCREADY_OIDC_ISSUER"), Audience: getenv("CPCREADY_OIDC_AUDIENCE"),
			JWKSURL: getenv("CPCREADY_OIDC_JWKS_URL"), RolesClaim: getenv("CPCREADY_OIDC_ROLES_CLAIM"),
			OrgClaim: getenv("CPCREADY_OIDC_ORG_CLAIM"), NameClaim: getenv("CPCREADY_OIDC_NAME_CLAIM"),
		},
		TrustedProxies: list(getenv("CPCREADY_TRUSTED_PROXIES")),
		CORSOrigins:    list(getenv("CPCREADY_CORS_ORIGINS")),
		TLSCert:        getenv("CPCREADY_TLS_CERT"),
		TLSKey:         getenv("CPCREADY_TLS_KEY"),
		PprofAddr:      getenv("CPCREADY_PPROF_ADDR"),
		MetricsAddr:    getenv("CPCREADY_METRICS_ADDR"),
		MetricsToken:   getenv("CPCREADY_METRICS_TOKEN"),
		Web: webConfig{
			ClientID: getenv("CPCREADY_WEB_CLIENT_ID"), ClientSecret: getenv("CPCREADY_WEB_CLIENT_SECRET"),
			BaseURL: strings.TrimSuffix(getenv("CPCREADY_WEB_BASE_URL"), "/"), StaffRefClaim: getenv("CPCREADY_WEB_STAFF_REF_CLAIM"),
		},
	}
	var errs []string
	var err error
	if c.ExtraBankHolidays, err = workdays.ParseExtra(getenv("CPCREADY_EXTRA_BANK_HOLIDAYS")); err != nil {
		errs = append(errs, "CPCREADY_EXTRA_BANK_HOLIDAYS: "+err.Error())
	}
	ints := []struct {
		name string
		dst  *int
		def  int
	}{
		{"CPCREADY_DB_MAX_OPEN_CONNS", &c.MaxOpenConns, 10},
		{"CPCREADY_DB_MAX_IDLE_CONNS", &c.MaxIdleConns, 10},
		{"CPCREADY_RATE_BURST", &c.RateBurst, 40},
	}
	for _, v := range ints {
		if *v.dst, err = intOr(getenv(v.name), v.def); err != nil {
			errs = append(errs, v.name+": "+err.Error())
		}
	}
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"CPCREADY_DB_CONN_MAX_LIFETIME", &c.ConnMaxLifetime, 30 * time.Minute},
		{"CPCREADY_PURGE_AFTER", &c.PurgeAfter, 0},
		{"CPCREADY_PURGE_EVERY", &c.PurgeEvery, 24 * time.Hour},
		{"CPCREADY_AUDIT_RETENTION", &c.AuditRetention, 0},
		{"CPCREADY_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, 20 * time.Second},
		{"CPCREADY_EVENT_RETENTION", &c.EventRetention, store.DefaultEventRetention},
		// Two failed checks of a load balancer polling every 5 seconds,
		// with time to spare.
		{"CPCREADY_DRAIN_DELAY", &c.DrainDelay, 15 * time.Second},
		{"CPCREADY_OIDC_MAX_TOKEN_LIFETIME", &c.OIDC.MaxLifetime, auth.DefaultMaxTokenLifetime},
		{"CPCREADY_REEVALUATE_PAUSE", &c.ReevaluatePause, 0},
	}
	for _, v := range durations {
		if *v.dst, err = durationOr(getenv(v.name), v.def); err != nil {
			errs = append(errs, v.name+": "+err.Error())
		}
	}
	if c.RateLimit, err = floatOr(getenv("CPCREADY_RATE_LIMIT"), 20); err != nil {
		errs = append(errs, "CPCREADY_RATE_LIMIT: "+err.Error())
	}
	if c.ReevaluatePause < 0 {
		errs = append(errs, "CPCREADY_REEVALUATE_PAUSE: must not be negative")
	}
	if c.DrainDelay < 0 || c.ShutdownTimeout <= 0 {
		errs = append(errs, "CPCREADY_DRAIN_DELAY must not be negative, and CPCREADY_SHUTDOWN_TIMEOUT must be positive")
	}
	if err := checkAuditRetention(c.AuditRetention); err != nil {
		errs = append(errs, "CPCREADY_AUDIT_RETENTION: "+err.Error())
	}
	if c.EventRetention <= 0 {
		errs = append(errs, "CPCREADY_EVENT_RETENTION: must be a positive duration")
	}
	switch v := getenv("CPCREADY_WEBHOOK_ALLOW_PRIVATE"); v {
	case "", "false":
	case "true":
		c.WebhookAllowPrivate = true
	default:
		errs = append(errs, "CPCREADY_WEBHOOK_ALLOW_PRIVATE: want true or false")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, "CPCREADY_TLS_CERT and CPCREADY_TLS_KEY go together")
	}
	if c.Web.ClientID != "" && (c.OIDC.Issuer == "" || c.Web.BaseURL == "") {
		errs = append(errs, "CPCREADY_WEB_CLIENT_ID needs CPCREADY_OIDC_ISSUER and CPCREADY_WEB_BASE_URL")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// openStore opens the database and wires in the readiness engine.
func openStore(c config) (*store.DB, error) {
	db, err := store.Open(store.Config{
		URL: c.DatabaseURL, SQLiteSynchronous: c.SQLiteSynchronous,
		MaxOpenConns: c.MaxOpenConns, MaxIdleConns: c.MaxIdleConns, ConnMaxLifetime: c.ConnMaxLifetime,
	})
	if err != nil {
		return nil, err
	}
	db.Evaluate = readiness.Evaluator(func() time.Time { return db.Now() }, workdays.New(c.ExtraBankHolidays))
	return db, nil
}

// openMigrated opens the store and applies pending migrations.
func openMigrated(ctx context.Context, c config) (*store.DB, error) {
	db, err := openStore(c)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// newFlagSet returns a flag set that prints its errors to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func intOr(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

func floatOr(v string, def float64) (float64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseFloat(v, 64)
}

func durationOr(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	return time.ParseDuration(v)
}

// minAuditRetention is the shortest audit retention accepted. Councils keep
// access records for years; a shorter setting is far more likely a slip of
// units (hours for days) than a schedule, and deleting the trail cannot be
// undone.
const minAuditRetention = 30 * 24 * time.Hour

func checkAuditRetention(d time.Duration) error {
	if d != 0 && d < minAuditRetention {
		return fmt.Errorf("must be 0 (keep every event) or at least %s", minAuditRetention)
	}
	return nil
}
