package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cpcready/cpcready/internal/domain"
)

const testAudience = "cpcready-api"

// testNow is the fixed clock every test token is judged against.
var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type testKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

func newRSAKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: jose.RS256, priv: k}
}

func newECKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: jose.ES256, priv: k}
}

func (k testKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// testIdP serves a JWKS at /jwks and a discovery document at
// /.well-known/openid-configuration; its issuer is the server's URL.
type testIdP struct {
	srv            *httptest.Server
	mu             sync.Mutex
	keys           []testKey
	jwksHits       atomic.Int32
	discoveryHits  atomic.Int32
	discoveryFails atomic.Int32 // answer 503 to this many discovery requests first
}

func newTestIdP(t *testing.T, keys ...testKey) *testIdP {
	t.Helper()
	idp := &testIdP{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		idp.jwksHits.Add(1)
		idp.mu.Lock()
		var set jose.JSONWebKeySet
		for _, k := range idp.keys {
			set.Keys = append(set.Keys, k.jwk())
		}
		idp.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		idp.discoveryHits.Add(1)
		if idp.discoveryFails.Load() > 0 {
			idp.discoveryFails.Add(-1)
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                idp.srv.URL,
			"jwks_uri":                              idp.srv.URL + "/jwks",
			"authorization_endpoint":                idp.srv.URL + "/authorize",
			"token_endpoint":                        idp.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		})
	})
	idp.srv = httptest.NewServer(mux)
	t.Cleanup(idp.srv.Close)
	return idp
}

func (idp *testIdP) issuer() string  { return idp.srv.URL }
func (idp *testIdP) jwksURL() string { return idp.srv.URL + "/jwks" }

func (idp *testIdP) setKeys(keys ...testKey) {
	idp.mu.Lock()
	idp.keys = keys
	idp.mu.Unlock()
}

// verifier returns an OIDC using the IdP's JWKS URL directly (no discovery).
func (idp *testIdP) verifier(t *testing.T) *OIDC {
	t.Helper()
	return idp.verifierAt(t, func() time.Time { return testNow })
}

// verifierAt is verifier with a clock of the test's own.
func (idp *testIdP) verifierAt(t *testing.T, now func() time.Time) *OIDC {
	t.Helper()
	o, err := NewOIDC(OIDCConfig{
		Issuer:   idp.issuer(),
		Audience: testAudience,
		JWKSURL:  idp.jwksURL(),
		Now:      now,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// claims returns a valid claim set for idp; callers change what they test.
func (idp *testIdP) claims() map[string]any {
	return map[string]any{
		"iss":   idp.issuer(),
		"aud":   testAudience,
		"sub":   "user-123",
		"name":  "Alice Example",
		"org":   "E09000001",
		"roles": []string{"social_worker"},
		"iat":   testNow.Add(-time.Minute).Unix(),
		"nbf":   testNow.Add(-time.Minute).Unix(),
		"exp":   testNow.Add(time.Hour).Unix(),
	}
}

func sign(t *testing.T, k testKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func b64(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// wantUnauthorized asserts err is a *domain.Error of kind EUNAUTHORIZED with
// the given message, that the principal is empty and that the message leaks
// neither the token nor its claims.
func wantUnauthorized(t *testing.T, p domain.Principal, err error, msg string, token string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify succeeded with %+v, want refusal %q", p, msg)
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %T %v is not a *domain.Error", err, err)
	}
	if de.Kind != domain.EUNAUTHORIZED {
		t.Fatalf("kind = %q, want %q (%v)", de.Kind, domain.EUNAUTHORIZED, err)
	}
	if de.Message != msg {
		t.Fatalf("message = %q, want %q", de.Message, msg)
	}
	if p != (domain.Principal{}) {
		t.Fatalf("principal = %+v on refusal, want zero", p)
	}
	for _, secret := range []string{"user-123", "Alice", "E09000001", "social_worker", "127.0.0.1"} {
		if strings.Contains(de.Message, secret) {
			t.Fatalf("message %q leaks %q", de.Message, secret)
		}
	}
	if token != "" && len(token) > 10 && strings.Contains(de.Message, token[:10]) {
		t.Fatalf("message %q leaks the token", de.Message)
	}
}

// testClock is a clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}
