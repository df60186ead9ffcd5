package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// Content-Security-Policy values. Every response gets apiPolicy, which
// lets nothing load and no page frame it; an HTML page replaces it with a
// policy of its own that still forbids framing.
const (
	apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	// docsPolicy lets Swagger UI load its own files and the spec. Its
	// React components set style attributes, hence 'unsafe-inline' for
	// styles only; scripts stay 'self'.
	docsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

// hstsValue asks browsers to use HTTPS only for a year. It is sent only when
// cpcready terminates TLS itself: behind a proxy, the proxy owns it.
const hstsValue = "max-age=31536000; includeSubDomains"

// securityHeaders marks every response, whatever route or error answers
// it, so that a browser never sniffs a type nor frames a page.
func securityHeaders(tls bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", apiPolicy)
		if tls {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		c.Next()
	}
}

// htmlPage sets the headers an HTML page of the docs needs.
func htmlPage(c *gin.Context) { c.Header("Content-Security-Policy", docsPolicy) }

// MetricsHandler serves /metrics with the same headers as the API, for a
// listener of its own (CPCREADY_METRICS_ADDR).
func (s *Server) MetricsHandler() http.Handler {
	e := gin.New()
	e.Use(requestID(), securityHeaders(s.tls))
	e.GET("/metrics", s.handleMetrics())
	e.NoRoute(func(c *gin.Context) { s.writeError(c, domain.Errorf(domain.ENOTFOUND, "no such resource")) })
	return e
}

// handleMetrics serves Prometheus's exposition, behind a bearer token when
// one is configured. The token is compared in constant time.
func (s *Server) handleMetrics() gin.HandlerFunc {
	h := gin.WrapH(s.metricsHTTP)
	return func(c *gin.Context) {
		if s.metricsToken != "" {
			scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.metricsToken)) != 1 {
				s.writeError(c, domain.Errorf(domain.EUNAUTHORIZED, "the metrics token is missing or wrong"))
				return
			}
		}
		h(c)
	}
}
