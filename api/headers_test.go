package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/domain"
)

// Every answer, whoever gives it (a route, a problem, the router's 404 or
// 405, the docs, the metrics), forbids sniffing and framing.
func TestEveryResponseForbidsSniffingAndFraming(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleManager)
	for _, r := range []req{
		{Method: "GET", Path: "/healthz"},
		{Method: "GET", Path: "/readyz"},
		{Method: "GET", Path: "/metrics"},
		{Method: "GET", Path: "/openapi.yaml"},
		{Method: "GET", Path: "/docs"},
		{Method: "GET", Path: "/docs/index.html"},
		{Method: "GET", Path: "/docs/swagger-ui.css"},
		{Method: "GET", Path: "/docs/nope.js"},
		{Method: "GET", Path: "/no/such/route"},
		{Method: "DELETE", Path: "/healthz"},
		{Method: "GET", Path: "/v1/conferences"},
		{Method: "GET", Path: "/v1/conferences", Key: key},
		{Method: "GET", Path: "/v1/conferences/" + "00000000-0000-0000-0000-000000000000", Key: key},
	} {
		got := e.do(r)
		if v := got.Header.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q", r.Method, r.Path, got.Status, v)
		}
		if v := got.Header.Get("Content-Security-Policy"); !strings.Contains(v, "frame-ancestors 'none'") {
			t.Errorf("%s %s (%d): Content-Security-Policy %q", r.Method, r.Path, got.Status, v)
		}
		if strings.HasPrefix(got.Header.Get("Content-Type"), "text/html") && !strings.Contains(got.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s %s: an HTML page without its own script policy", r.Method, r.Path)
		}
		if v := got.Header.Get("Strict-Transport-Security"); v != "" {
			t.Errorf("%s %s: HSTS %q on plain HTTP", r.Method, r.Path, v)
		}
	}
}

// HSTS is sent when cpcready serves TLS itself, on every answer.
func TestHSTSWhenServingTLS(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.TLS = true })
	for _, path := range []string{"/healthz", "/docs", "/nope", "/v1/conferences"} {
		got := e.do(req{Method: "GET", Path: path})
		if v := got.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(v, "max-age=31536000") {
			t.Errorf("GET %s (%d): Strict-Transport-Security %q", path, got.Status, v)
		}
	}
}

// /docs shows cpcready's own spec whichever way it is opened; the demo
// page and initializer shipped with Swagger UI are not served.
func TestDocsRenderOnlyOurSpec(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/docs", "/docs/index.html"} {
		got := e.do(req{Method: "GET", Path: path})
		if got.Status != http.StatusOK || !strings.Contains(string(got.Body), "/docs/docs-init.js") || strings.Contains(strings.ToLower(string(got.Body)), "petstore") {
			t.Errorf("GET %s: %d %s", path, got.Status, truncate(got.Body))
		}
	}
	if got := e.do(req{Method: "GET", Path: "/docs/docs-init.js"}); !strings.Contains(string(got.Body), `"/openapi.yaml"`) {
		t.Errorf("docs-init.js does not load /openapi.yaml: %s", got.Body)
	}
	for _, path := range []string{"/docs/swagger-initializer.js", "/docs/oauth2-redirect.html", "/docs/index.css", "/docs/swagger-ui.js"} {
		if got := e.do(req{Method: "GET", Path: path}); got.Status != http.StatusNotFound || strings.Contains(strings.ToLower(string(got.Body)), "petstore") {
			t.Errorf("GET %s: %d, want 404", path, got.Status)
		}
	}
}

// /metrics can require a bearer token.
func TestMetricsBehindToken(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.MetricsToken = "s3cret-metrics-token" })
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-metrics-token"}} {
		if got := e.do(req{Method: "GET", Path: "/metrics", Header: h}); got.Status != http.StatusUnauthorized {
			t.Errorf("/metrics with %v: %d, want 401", h, got.Status)
		}
	}
	got := e.do(req{Method: "GET", Path: "/metrics", Header: map[string]string{"Authorization": "Bearer s3cret-metrics-token"}})
	if got.Status != http.StatusOK || !strings.Contains(string(got.Body), "cpcready_http_requests_total") {
		t.Errorf("/metrics with the token: %d", got.Status)
	}
}

// /metrics can move to a listener of its own, off the API's.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.MetricsElsewhere = true })
	if got := e.do(req{Method: "GET", Path: "/metrics"}); got.Status != http.StatusNotFound {
		t.Errorf("/metrics on the API listener: %d, want 404", got.Status)
	}
	rec := newRecorder(e.api.MetricsHandler(), "GET", "/metrics")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "cpcready_http_requests_total") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("metrics listener: %d %v", rec.Code, rec.Header())
	}
}

var seriesLine = regexp.MustCompile(`(?m)^cpcready_http_[a-z_]+\{[^}]*\} `)

// Hostile methods and paths do not mint metric series: after a first
// round has created every series a client can reach, a second round of
// new methods and paths adds none.
func TestMetricsSeriesDoNotGrowWithHostileRequests(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(1, 2))
	round := func(n int) {
		for i := range n {
			method := fmt.Sprintf("Z%dQ%d", rng.IntN(1e9), i)
			if i%3 == 0 {
				method = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}[i%7]
			}
			path := fmt.Sprintf("/x%d/%d", rng.IntN(1e9), i)
			if i%2 == 0 {
				path = fmt.Sprintf("/v1/conferences/%d", rng.IntN(1e9))
			}
			e.send(req{Method: method, Path: path})
		}
	}
	series := func() int {
		return len(seriesLine.FindAllString(string(e.do(req{Method: "GET", Path: "/metrics"}).Body), -1))
	}
	round(300)
	series() // its own series, counted from the next call on
	before := series()
	round(600)
	if after := series(); after != before {
		t.Errorf("/metrics had %d series after 300 hostile requests and %d after 600 more", before, after)
	}
	if body := string(e.do(req{Method: "GET", Path: "/metrics"}).Body); strings.Contains(body, `method="Z`) || strings.Contains(body, `route="/x`) {
		t.Errorf("/metrics labels carry a client's method or path")
	}
}

func newRecorder(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
