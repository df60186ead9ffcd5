package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/cpcready/cpcready/api/web"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// staffUser is a member of staff at the loopback identity provider, with
// the role and organisation claims the API reads.
type staffUser struct {
	sub, name, org, ref string
	roles               []string
}

func (u staffUser) ID() string                        { return u.sub }
func (u staffUser) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + u.sub + `"}`), nil }

func (u staffUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Name     string   `json:"name,omitempty"`
		Org      string   `json:"org,omitempty"`
		Roles    []string `json:"roles,omitempty"`
		StaffRef string   `json:"staff_ref,omitempty"`
	}{base, u.name, u.org, u.roles, u.ref}, nil
}

// oidcApp is the app signing in against a loopback identity provider.
func oidcApp(t *testing.T) (*app, *mockoidc.MockOIDC) {
	t.Helper()
	db, clock := openDB(t)
	return oidcAppOn(t, db, clock)
}

// oidcAppOn is oidcApp on a database of the caller's.
func oidcAppOn(t testing.TB, db *store.DB, clock *storetest.Clock) (*app, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	a := newAppOn(t, db, clock, func(c *web.Config) {
		o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: cfg.Issuer, Audience: cfg.ClientID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Demo, c.InsecureCookie = false, false
		c.OIDC, c.Issuer, c.ClientID, c.ClientSecret = o, cfg.Issuer, cfg.ClientID, cfg.ClientSecret
		c.RedirectURL = "http://placeholder/sign-in/callback"
		c.StaffRefClaim = "staff_ref"
	})
	return a, m
}

// signInAt runs the authorization code flow: the app sends the browser to
// the provider, which sends it back with a code.
func signInAt(t testing.TB, b *browser, u mockoidc.User, m *mockoidc.MockOIDC) page {
	t.Helper()
	m.QueueUser(u)
	start := b.get("/sign-in/start")
	if start.Status != http.StatusSeeOther || !strings.HasPrefix(start.Location, m.Issuer()) {
		t.Fatalf("sign-in start: %d %s", start.Status, start.Location)
	}
	authz, _ := url.Parse(start.Location)
	q := authz.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("the authorization request lacks PKCE, nonce or state: %s", authz.RawQuery)
	}
	idp := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := idp.Get(start.Location)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("the provider did not send a code back: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return b.get("/sign-in/callback?" + back.RawQuery)
}

func TestSignInWithTheIdentityProvider(t *testing.T) {
	a, m := oidcApp(t)
	// The cookie is Secure, which a client on plain http does not send
	// back; this browser stands in for one on https.
	b := a.browser()
	b.jar = nil
	b.c.Jar = insecureJar()
	got := signInAt(t, b, staffUser{sub: "u-1", name: "Sam Worker", org: "DEMO", ref: "SW-1", roles: []string{"social_worker", "other-app-role"}}, m)
	if got.Status != http.StatusSeeOther || got.Location != "/" {
		t.Fatalf("callback: %d %s", got.Status, got.Body)
	}
	home := b.get("/")
	if home.Status != http.StatusOK || !strings.Contains(home.Body, "Sam Worker (social worker)") || !strings.Contains(home.Body, `id="filter-mine"`) {
		t.Errorf("home after sign-in: %d", home.Status)
	}
	if got := b.get("/sign-in"); got.Status != http.StatusNotFound {
		t.Errorf("outside demo mode /sign-in answered %d", got.Status)
	}
}

func TestSignInRefusesABadStateOrAToken(t *testing.T) {
	a, m := oidcApp(t)
	b := a.browser()
	b.c.Jar = insecureJar()
	// No role the service knows.
	if got := signInAt(t, b, staffUser{sub: "u-2", name: "N", org: "DEMO", roles: []string{"other"}}, m); got.Status != http.StatusUnauthorized {
		t.Errorf("no known role: %d", got.Status)
	}
	if got := b.get("/"); got.Status != http.StatusSeeOther {
		t.Errorf("signed in without a role: %d", got.Status)
	}
	// No organisation.
	if got := signInAt(t, b, staffUser{sub: "u-3", name: "N", roles: []string{"chair"}}, m); got.Status != http.StatusUnauthorized {
		t.Errorf("no organisation: %d", got.Status)
	}
	// A callback that does not answer this browser's sign-in.
	b.get("/sign-in/start")
	if got := b.get("/sign-in/callback?code=abc&state=forged"); got.Status != http.StatusBadRequest {
		t.Errorf("a forged state: %d", got.Status)
	}
	if got := a.browser().get("/sign-in/callback?code=abc&state="); got.Status != http.StatusBadRequest {
		t.Errorf("a callback with no sign-in begun: %d", got.Status)
	}
}

// Starting a sign-in writes nothing to the session store, so a client
// calling /sign-in/start in a loop cannot grow the database.
func TestStartingASignInWritesNoSessionRow(t *testing.T) {
	a, _ := oidcApp(t)
	var writes atomic.Int64
	a.db.OnStatement(func(sql string) {
		if strings.Contains(sql, "web_sessions") && !strings.HasPrefix(strings.TrimSpace(sql), "SELECT") {
			writes.Add(1)
		}
	})
	defer a.db.OnStatement(nil)
	for range 20 {
		if got := a.browser().get("/sign-in/start"); got.Status != http.StatusSeeOther {
			t.Fatalf("sign-in start: %d", got.Status)
		}
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d session writes for 20 sign-ins begun and abandoned", n)
	}
}
