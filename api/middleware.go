package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID gives every request the server's own id, answered in
// X-Request-ID and stored in logs and the audit trail. A caller's
// X-Request-ID is kept beside it, when it is a plain token (so it cannot
// smuggle text into logs), and never replaces it: clients can reuse ids,
// and one the client chose must not make the trail name another request.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		c.Header("X-Request-ID", id)
		ctx := domain.WithRequestID(c.Request.Context(), id)
		if client := c.GetHeader("X-Request-ID"); requestIDPattern.MatchString(client) {
			ctx = domain.WithClientRequestID(ctx, client)
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// accessLog writes one JSON line per request. It logs the route pattern,
// never the path or query, since those can carry references to a family.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := []slog.Attr{
			slog.String("request_id", domain.RequestIDFrom(c.Request.Context())),
			slog.String("client_request_id", domain.ClientRequestIDFrom(c.Request.Context())),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if p, ok := domain.PrincipalFrom(c.Request.Context()); ok {
			attrs = append(attrs, slog.String("principal_kind", string(p.Kind)), slog.String("principal_id", p.ID), slog.String("role", string(p.Role)), slog.String("org", p.Org))
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request", attrs...)
		s.metrics.observe(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	}
}

// recovery turns a panic into a 500 problem, logging no request values.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", slog.String("request_id", domain.RequestIDFrom(c.Request.Context())), slog.String("type", typeName(r)))
				s.writeError(c, domain.Errorf(domain.EINTERNAL, "internal"))
			}
		}()
		c.Next()
	}
}

// bodyLimit caps every request body; reading past it fails with 413.
func bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			writeProblem(c, Problem{Type: "urn:cpcready:problem:" + domain.ETOOLARGE, Title: http.StatusText(http.StatusRequestEntityTooLarge), Status: http.StatusRequestEntityTooLarge, Detail: "the body is larger than " + strconv.FormatInt(n, 10) + " bytes"})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// noStore marks /v1 responses as never to be cached, and stops browsers
// sending referrers; securityHeaders has already forbidden sniffing.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("Referrer-Policy", "no-referrer")
		c.Next()
	}
}

// authenticate finds the principal behind the bearer credential.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			token = ""
		}
		p, err := s.auth.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			// Failed attempts are limited by client address, so that
			// guessing keys or forcing key-set fetches is slowed too.
			if domain.ErrorKind(err) == domain.EUNAUTHORIZED && !s.limiter.allowClient(c.ClientIP()) {
				c.Header("Retry-After", "1")
				err = domain.Errorf(domain.ERATELIMITED, "too many failed attempts; retry after a second")
			}
			s.writeError(c, err)
			return
		}
		if !s.limiter.allowPrincipal(p) {
			c.Header("Retry-After", "1")
			s.writeError(c, domain.Errorf(domain.ERATELIMITED, "too many requests; retry after a second"))
			return
		}
		c.Request = c.Request.WithContext(domain.WithPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

// authorize refuses roles the permission table does not list for operation.
func (s *Server) authorize(operation string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := domain.PrincipalFrom(c.Request.Context())
		c.Set(operationKey, operation)
		if !auth.Allowed(operation, p.Role) {
			s.writeError(c, domain.Errorf(domain.EFORBIDDEN, "the %s role may not do this", p.Role))
			return
		}
		c.Next()
	}
}

func principal(c *gin.Context) domain.Principal {
	p, _ := domain.PrincipalFrom(c.Request.Context())
	return p
}

// rateLimiter is a token bucket per principal, held in process: with N
// instances the effective limit is N times the setting (docs/security.md).
// A key's bucket takes the key's own rate; a staff token's takes the
// per-person default. Buckets are keyed by organisation, principal kind
// and id, so a token whose sub equals a key's id, or another
// organisation's sub, never drains someone else's bucket.
type rateLimiter struct {
	limit rate.Limit // per staff member; 0 turns every limit off
	burst int
	mu    sync.Mutex
	byKey map[string]*rate.Limiter
}

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	if burst <= 0 {
		burst = int(perSecond*2) + 1
	}
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, byKey: map[string]*rate.Limiter{}}
}

// allowPrincipal takes a token from p's bucket.
func (r *rateLimiter) allowPrincipal(p domain.Principal) bool {
	limit, burst := r.limit, r.burst
	if p.Kind == domain.PrincipalKey && p.RateLimit > 0 {
		// A second's worth of burst, and never less than a person has.
		limit, burst = rate.Limit(p.RateLimit), max(int(p.RateLimit), r.burst)
	}
	return r.allow("principal\x00"+p.Key(), limit, burst)
}

// allowClient takes a token from the bucket of failed sign-ins from ip.
func (r *rateLimiter) allowClient(ip string) bool {
	return r.allow("client\x00"+ip, r.limit, r.burst)
}

func (r *rateLimiter) allow(bucket string, limit rate.Limit, burst int) bool {
	if r.limit <= 0 {
		return true
	}
	r.mu.Lock()
	l, ok := r.byKey[bucket]
	if !ok {
		if len(r.byKey) > 100_000 { // bound memory: forget idle buckets wholesale
			r.byKey = map[string]*rate.Limiter{}
		}
		l = rate.NewLimiter(limit, burst)
		r.byKey[bucket] = l
	}
	r.mu.Unlock()
	return l.Allow()
}
