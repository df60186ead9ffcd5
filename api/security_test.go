package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, r := range []req{
		{Method: "GET", Path: "/v1/conferences", Key: e.key(orgA, domain.RoleManager)},
		{Method: "GET", Path: "/v1/conferences"}, // refused: the headers still apply
	} {
		got := e.do(r)
		for h, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if v := got.Header.Get(h); v != want {
				t.Errorf("%s %s (%d): %s = %q, want %q", r.Method, r.Path, got.Status, h, v, want)
			}
		}
		if got.Header.Get("X-Request-ID") == "" {
			t.Errorf("no X-Request-ID on %d", got.Status)
		}
	}
	// The answer names the server's own id, never one the client chose.
	got := e.do(req{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "trace-123"}})
	if id := got.Header.Get("X-Request-ID"); id == "" || id == "trace-123" {
		t.Errorf("X-Request-ID %q, want the server's own", id)
	}
	got = e.do(req{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "bad id with {braces} and spaces"}})
	if id := got.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Errorf("an unsafe X-Request-ID was echoed: %q", id)
	}
}

func TestUnauthenticatedIs401WithChallenge(t *testing.T) {
	e := newEnv(t)
	for _, key := range []string{"", "cpk_not-a-real-key", "garbage"} {
		got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: key})
		if got.Status != http.StatusUnauthorized || !strings.HasPrefix(got.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("key %q: %d, WWW-Authenticate %q", key, got.Status, got.Header.Get("WWW-Authenticate"))
		}
	}
	// A revoked key stops working within 5 seconds, though it was in use
	// and so in the key cache (see TestRevokedKeyIsRefusedOnEveryInstance).
	key := e.key(orgA, domain.RoleManager)
	if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: key}); got.Status != http.StatusOK {
		t.Fatalf("live key: %d", got.Status)
	}
	keys, err := e.db.APIKeys(t.Context())
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if err := e.db.RevokeAPIKey(t.Context(), keys[0].ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(5 * time.Second))
	if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: key}); got.Status != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", got.Status)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 1, 3 })
	key := e.keyWithRate(orgA, domain.RoleManager, 1) // a burst of 3, the per-person burst
	var last resp
	for i := 0; i < 4; i++ {
		last = e.do(req{Method: "GET", Path: "/v1/conferences", Key: key})
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request in a burst of 3: %d, Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
	// Another principal has its own bucket.
	if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: e.key(orgB, domain.RoleManager)}); got.Status != http.StatusOK {
		t.Fatalf("another principal: %d", got.Status)
	}
}

func TestCORS(t *testing.T) {
	off := newEnv(t)
	got := off.do(req{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": "https://evil.example"}})
	if v := got.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("CORS is on without configuration: %q", v)
	}
	on := newEnv(t, func(c *api.Config) { c.CORSOrigins = []string{"https://case.example"} })
	got = on.do(req{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": "https://case.example"}})
	if v := got.Header.Get("Access-Control-Allow-Origin"); v != "https://case.example" {
		t.Fatalf("allowed origin: %q", v)
	}
	got = on.do(req{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": "https://evil.example"}})
	if v := got.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("an origin not on the list was allowed: %q", v)
	}
}

// staffIdP is an identity provider for tests: a real JWKS over HTTP and a
// key generated here.
type staffIdP struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newStaffIdP(t *testing.T) *staffIdP {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := &staffIdP{key: k}
	idp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(idp.srv.Close)
	return idp
}

// signsIn makes the server accept the IdP's tokens.
func (idp *staffIdP) signsIn(t *testing.T) envOption {
	return func(c *api.Config) {
		o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: idp.srv.URL, Audience: "cpcready", JWKSURL: idp.srv.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth.OIDC = o
	}
}

func (idp *staffIdP) token(t *testing.T, sub, name, org, role string, exp time.Time) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: idp.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": idp.srv.URL, "aud": "cpcready", "sub": sub, "name": name, "org": org, "roles": []string{role},
		"exp": exp.Unix(), "iat": time.Now().Add(-time.Minute).Unix()}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestStaffTokensThroughTheAPI signs a chair in with an OIDC token: the
// chair records a pre-meeting and a check, and the audit trail names them.
func TestStaffTokensThroughTheAPI(t *testing.T) {
	idp := newStaffIdP(t)
	e := newEnv(t, idp.signsIn(t))
	conf := e.mustCreate(orgA, "STAFF-1")
	pid := e.mustAddParticipant(orgA, conf)
	chair := idp.token(t, "chair-7", "Chair Seven", orgA, "chair", time.Now().Add(time.Hour))
	got := e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/contacts", Key: chair,
		Body: map[string]any{"with": "chair", "on": "2026-11-20", "method": "video"}})
	if got.Status != http.StatusCreated {
		t.Fatalf("chair contact: %d %s", got.Status, got.Body)
	}
	var page struct {
		Items []struct {
			Actor  struct{ ID, Name, Role string }
			Entity string
		}
	}
	e.do(req{Method: "GET", Path: "/v1/conferences/" + conf + "/history?order=newest&limit=2", Key: chair}).Decode(t, &page)
	found := false
	for _, it := range page.Items {
		found = found || (it.Entity == "contact" && it.Actor.ID == "chair-7" && it.Actor.Name == "Chair Seven" && it.Actor.Role == "chair")
	}
	if !found {
		t.Fatalf("the audit trail does not name the chair: %+v", page.Items)
	}
	// The token's organisation scopes it like a key's.
	other := idp.token(t, "chair-8", "Chair Eight", orgB, "chair", time.Now().Add(time.Hour))
	if got := e.do(req{Method: "GET", Path: "/v1/conferences/" + conf, Key: other}); got.Status != http.StatusNotFound {
		t.Fatalf("another organisation's chair: %d", got.Status)
	}
	sw := idp.token(t, "sw-1", "Social Worker", orgA, "social_worker", time.Now().Add(time.Hour))
	if got := e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/readiness-checks", Key: sw, Body: map[string]any{"decision": "postpone"}}); got.Status != http.StatusForbidden {
		t.Fatalf("social worker's readiness check: %d", got.Status)
	}
	expired := idp.token(t, "chair-7", "Chair Seven", orgA, "chair", time.Now().Add(-time.Hour))
	if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: expired}); got.Status != http.StatusUnauthorized || got.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("expired token: %d", got.Status)
	}
}

// TestFailedSignInsAreRateLimited sends bad credentials from one address:
// once its bucket is empty, the answer is 429 rather than another lookup.
func TestFailedSignInsAreRateLimited(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 1, 2 })
	var statuses []int
	for i := 0; i < 4; i++ {
		statuses = append(statuses, e.do(req{Method: "GET", Path: "/v1/conferences", Key: "cpk_guess"}).Status)
	}
	if statuses[0] != http.StatusUnauthorized || statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v, want 401 first and 429 once the burst is spent", statuses)
	}
	// A valid key is judged on its own bucket, not the address's failures.
	if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: e.key(orgA, domain.RoleManager)}); got.Status != http.StatusOK {
		t.Fatalf("a valid key after failures from the same address: %d", got.Status)
	}
}
