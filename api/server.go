// Package api is cpcready's HTTP layer: the gin router, the handlers, the
// middleware and the mapping from domain errors to RFC 9457 problems.
package api

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// Config is what the HTTP layer needs from its caller.
type Config struct {
	DB   *store.DB
	Auth *auth.Authenticator
	Log  *slog.Logger
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// none by default.
	TrustedProxies []string
	// CORSOrigins turns CORS on for these origins only; off when empty.
	CORSOrigins []string
	// RateLimit is requests per second per member of staff (an API key
	// carries its own), and failed sign-ins per second per client address;
	// 0 turns every limit off. RateBurst is their burst.
	RateLimit float64
	RateBurst int
	// Registry receives the HTTP metrics; a fresh one when nil.
	Registry *prometheus.Registry
	// WebhookAllowPrivate allows webhook URLs with http and private
	// addresses, for the demo and tests.
	WebhookAllowPrivate bool
	// TLS says cpcready terminates TLS itself, so responses carry HSTS.
	TLS bool
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off the API's router, for a
	// listener of its own (MetricsHandler).
	MetricsElsewhere bool
}

// Server holds the HTTP layer's dependencies.
type Server struct {
	db       *store.DB
	auth     *auth.Authenticator
	log      *slog.Logger
	draining atomic.Bool
	limiter  *rateLimiter
	metrics  *metrics
	registry *prometheus.Registry
	engine   *gin.Engine

	webhookAllowPrivate bool
	tls                 bool
	metricsHTTP         http.Handler
	metricsToken        string
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		db: cfg.DB, auth: cfg.Auth, log: cfg.Log,
		limiter:  newRateLimiter(cfg.RateLimit, cfg.RateBurst),
		registry: cfg.Registry,

		webhookAllowPrivate: cfg.WebhookAllowPrivate,
		tls:                 cfg.TLS, metricsToken: cfg.MetricsToken,
		metricsHTTP: promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}),
	}
	var err error
	if s.metrics, err = newMetrics(cfg.Registry, cfg.DB.CommitCounts); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s.engine = gin.New()
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	s.engine.HandleMethodNotAllowed = true
	// A path with a trailing slash is not in the contract: answer it as
	// any unknown path, rather than with an undocumented redirect that a
	// client would follow, re-sending a write to another address.
	s.engine.RedirectTrailingSlash = false
	s.routes(cfg.CORSOrigins, !cfg.MetricsElsewhere)
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Engine exposes the router, for the contract test's route listing.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Drain makes /readyz answer 503, so a load balancer stops sending traffic
// before the server shuts down.
func (s *Server) Drain() { s.draining.Store(true) }

// closeWhileDraining answers with Connection: close once the server is
// draining. Clients then open a new connection for their next request,
// which the closed listener refuses cleanly, instead of sending it on a
// kept-alive connection just as shutdown closes it: a POST lost that way
// leaves the client unsure whether it ran.
func (s *Server) closeWhileDraining() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.draining.Load() {
			c.Header("Connection", "close")
		}
		c.Next()
	}
}

func (s *Server) today() domain.Date { return domain.DateOf(s.db.Now()) }

func (s *Server) handleHealthz() gin.HandlerFunc {
	return func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
}

func (s *Server) handleReadyz() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.draining.Load() {
			writeProblem(c, Problem{Type: "urn:cpcready:problem:draining", Title: "Service Unavailable", Status: http.StatusServiceUnavailable, Detail: "the server is shutting down"})
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.db.Ping(ctx); err != nil {
			writeProblem(c, Problem{Type: "urn:cpcready:problem:" + domain.EUNAVAILABLE, Title: "Service Unavailable", Status: http.StatusServiceUnavailable, Detail: "the database cannot be reached"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}

// NewHTTPServer returns the http.Server settings cpcready serves with: the
// timeouts that bound a slow client. The load benchmark's bare baseline
// uses it too, so that both do the same work.
func NewHTTPServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          errorLog,
	}
}
