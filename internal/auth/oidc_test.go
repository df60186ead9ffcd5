package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
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
	o, err := NewOIDC(OIDCConfig{
		Issuer:   idp.issuer(),
		Audience: testAudience,
		JWKSURL:  idp.jwksURL(),
		Now:      func() time.Time { return testNow },
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
		"org":   "council-a",
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
	for _, secret := range []string{"user-123", "Alice", "council-a", "social_worker", "127.0.0.1"} {
		if strings.Contains(de.Message, secret) {
			t.Fatalf("message %q leaks %q", de.Message, secret)
		}
	}
	if token != "" && len(token) > 10 && strings.Contains(de.Message, token[:10]) {
		t.Fatalf("message %q leaks the token", de.Message)
	}
}

func TestOIDCValidRS256(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o := idp.verifier(t)

	p, err := o.Verify(context.Background(), sign(t, rsaKey, idp.claims()))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-123", Name: "Alice Example", Role: domain.RoleSocialWorker, Org: "council-a"}
	if p != want {
		t.Fatalf("principal = %+v, want %+v", p, want)
	}
}

func TestOIDCValidES256(t *testing.T) {
	rsaKey, ecKey := newRSAKey(t, "rsa-1"), newECKey(t, "ec-1")
	idp := newTestIdP(t, rsaKey, ecKey)
	o := idp.verifier(t)

	c := idp.claims()
	c["sub"] = "user-456"
	c["name"] = "Bob Example"
	c["org"] = "council-b"
	c["roles"] = []string{"chair"}
	p, err := o.Verify(context.Background(), sign(t, ecKey, c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-456", Name: "Bob Example", Role: domain.RoleChair, Org: "council-b"}
	if p != want {
		t.Fatalf("principal = %+v, want %+v", p, want)
	}
}

func TestOIDCRolesAndNames(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o := idp.verifier(t)

	cases := []struct {
		name     string
		edit     func(c map[string]any)
		wantRole domain.Role
		wantName string
	}{
		{"roles as a string", func(c map[string]any) { c["roles"] = "manager" }, domain.RoleManager, "Alice Example"},
		{"roles as an array", func(c map[string]any) { c["roles"] = []string{"admin"} }, domain.RoleAdmin, "Alice Example"},
		{"unknown roles ignored", func(c map[string]any) { c["roles"] = []string{"offline_access", "chair", "uma_authorization"} }, domain.RoleChair, "Alice Example"},
		{"same role twice", func(c map[string]any) { c["roles"] = []string{"chair", "chair"} }, domain.RoleChair, "Alice Example"},
		{"name falls back to preferred_username", func(c map[string]any) {
			delete(c, "name")
			c["preferred_username"] = "alice@council-a.example"
		}, domain.RoleSocialWorker, "alice@council-a.example"},
		{"name falls back to sub", func(c map[string]any) { delete(c, "name") }, domain.RoleSocialWorker, "user-123"},
		{"blank name falls back", func(c map[string]any) { c["name"] = "  " }, domain.RoleSocialWorker, "user-123"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := idp.claims()
			tc.edit(c)
			p, err := o.Verify(context.Background(), sign(t, rsaKey, c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if p.Role != tc.wantRole || p.Name != tc.wantName || p.ID != "user-123" || p.Org != "council-a" {
				t.Fatalf("principal = %+v, want role %q name %q", p, tc.wantRole, tc.wantName)
			}
		})
	}
}

func TestOIDCCustomClaimNames(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o, err := NewOIDC(OIDCConfig{
		Issuer: idp.issuer(), Audience: testAudience, JWKSURL: idp.jwksURL(),
		RolesClaim: "cpc_roles", OrgClaim: "tenant", NameClaim: "display",
		Now: func() time.Time { return testNow },
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := idp.claims()
	c["cpc_roles"] = "admin"
	c["tenant"] = "council-z"
	c["display"] = "Zed"
	p, err := o.Verify(context.Background(), sign(t, rsaKey, c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-123", Name: "Zed", Role: domain.RoleAdmin, Org: "council-z"}
	if p != want {
		t.Fatalf("principal = %+v, want %+v", p, want)
	}
}

func TestOIDCRefusals(t *testing.T) {
	rsaKey, ecKey := newRSAKey(t, "rsa-1"), newECKey(t, "ec-1")
	idp := newTestIdP(t, rsaKey, ecKey)
	o := idp.verifier(t)
	rogue := newRSAKey(t, "rsa-1") // same kid as the real key, different key

	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256 := func(secret []byte) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "rsa-1"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(signer).Claims(idp.claims()).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	with := func(edit func(c map[string]any)) string {
		c := idp.claims()
		edit(c)
		return sign(t, rsaKey, c)
	}
	noneHeader := b64(map[string]any{"alg": "none", "typ": "JWT"})
	nonePayload := b64(idp.claims())
	valid := sign(t, rsaKey, idp.claims())
	parts := strings.Split(valid, ".")

	cases := []struct {
		name  string
		token string
		msg   string
	}{
		{"alg none, empty signature", noneHeader + "." + nonePayload + ".", msgMalformed},
		{"alg none, some signature", noneHeader + "." + nonePayload + ".c2ln", msgAlgorithm},
		{"alg None (case)", b64(map[string]any{"alg": "None"}) + "." + nonePayload + ".c2ln", msgAlgorithm},
		{"HS256 with public key PEM as secret", hs256(pubPEM), msgAlgorithm},
		{"HS256 with public key DER as secret", hs256(pubDER), msgAlgorithm},
		{"RS384 not accepted", func() string {
			k := rsaKey
			k.alg = jose.RS384
			return sign(t, k, idp.claims())
		}(), msgAlgorithm},
		{"signed by another key with the same kid", sign(t, rogue, idp.claims()), msgSignature},
		{"signed by an unknown kid", sign(t, newECKey(t, "ec-unknown"), idp.claims()), msgSignature},
		{"payload swapped", parts[0] + "." + b64(map[string]any{"sub": "admin"}) + "." + parts[2], msgSignature},
		{"expired beyond leeway", with(func(c map[string]any) { c["exp"] = testNow.Add(-31 * time.Second).Unix() }), msgExpired},
		{"expired exactly at leeway", with(func(c map[string]any) { c["exp"] = testNow.Add(-30 * time.Second).Unix() }), msgExpired},
		{"expired long ago", with(func(c map[string]any) { c["exp"] = testNow.Add(-24 * time.Hour).Unix() }), msgExpired},
		{"no exp", with(func(c map[string]any) { delete(c, "exp") }), msgNoExp},
		// go-oidc alone would accept this: its own nbf skew is 5 minutes.
		{"nbf 2 minutes ahead", with(func(c map[string]any) { c["nbf"] = testNow.Add(2 * time.Minute).Unix() }), msgNotYetValid},
		{"nbf 31s ahead", with(func(c map[string]any) { c["nbf"] = testNow.Add(31 * time.Second).Unix() }), msgNotYetValid},
		{"iat in the future", with(func(c map[string]any) { c["iat"] = testNow.Add(10 * time.Minute).Unix() }), msgIssuedFuture},
		{"exp not a number", with(func(c map[string]any) { c["exp"] = "tomorrow" }), msgMalformed},
		{"wrong audience", with(func(c map[string]any) { c["aud"] = "someone-else" }), msgAudience},
		{"audience list without us", with(func(c map[string]any) { c["aud"] = []string{"a", "b"} }), msgAudience},
		{"no audience", with(func(c map[string]any) { delete(c, "aud") }), msgAudience},
		{"wrong issuer", with(func(c map[string]any) { c["iss"] = "https://evil.example" }), msgIssuer},
		{"issuer with trailing slash", with(func(c map[string]any) { c["iss"] = idp.issuer() + "/" }), msgIssuer},
		{"no org", with(func(c map[string]any) { delete(c, "org") }), msgNoOrg},
		{"blank org", with(func(c map[string]any) { c["org"] = " " }), msgNoOrg},
		{"org not a string", with(func(c map[string]any) { c["org"] = []string{"council-a"} }), msgNoOrg},
		{"no sub", with(func(c map[string]any) { delete(c, "sub") }), msgNoSubject},
		{"no roles", with(func(c map[string]any) { delete(c, "roles") }), msgNoRole},
		{"empty roles", with(func(c map[string]any) { c["roles"] = []string{} }), msgNoRole},
		{"unknown role", with(func(c map[string]any) { c["roles"] = "superuser" }), msgNoRole},
		{"role wrong case", with(func(c map[string]any) { c["roles"] = "Admin" }), msgNoRole},
		{"ambiguous roles", with(func(c map[string]any) { c["roles"] = []string{"chair", "admin"} }), msgAmbiguousRole},
		{"roles not strings", with(func(c map[string]any) { c["roles"] = []any{1, "chair"} }), msgBadRoles},
		{"roles an object", with(func(c map[string]any) { c["roles"] = map[string]any{"chair": true} }), msgBadRoles},
		{"empty", "", msgMalformed},
		{"garbage", "not a token", msgMalformed},
		{"garbage with dots", "aaa.bbb.ccc", msgMalformed},
		{"garbage base64 header", b64("x") + ".e30.c2ln", msgMalformed},
		{"header object, payload garbage", b64(map[string]any{"alg": "RS256", "kid": "rsa-1"}) + ".!!!.c2ln", msgMalformed},
		{"header object, payload not JSON", b64(map[string]any{"alg": "RS256", "kid": "rsa-1"}) + ".bm90anNvbg.c2ln", msgSignature},
		{"four segments", valid + ".x", msgMalformed},
		{"JWS JSON serialization", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, msgMalformed},
		{"whitespace inside", parts[0] + ". " + parts[1] + "." + parts[2], msgMalformed},
		{"oversized", parts[0] + "." + strings.Repeat("A", maxJWTBytes) + "." + parts[2], msgMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := o.Verify(context.Background(), tc.token)
			wantUnauthorized(t, p, err, tc.msg, tc.token)
		})
	}

	// The unmodified token still passes, so the refusals above are caused by
	// what each case changed.
	if _, err := o.Verify(context.Background(), valid); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
}

func TestOIDCLeeway(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o := idp.verifier(t)

	accepted := []struct {
		name string
		edit func(c map[string]any)
	}{
		{"expired 20s ago, within 30s leeway", func(c map[string]any) { c["exp"] = testNow.Add(-20 * time.Second).Unix() }},
		{"nbf 20s ahead, within leeway", func(c map[string]any) { c["nbf"] = testNow.Add(20 * time.Second).Unix() }},
		{"iat 20s ahead, within leeway", func(c map[string]any) { c["iat"] = testNow.Add(20 * time.Second).Unix() }},
		{"no nbf and no iat", func(c map[string]any) { delete(c, "nbf"); delete(c, "iat") }},
		{"fractional exp", func(c map[string]any) { c["exp"] = float64(testNow.Unix()) + 0.5 }},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			c := idp.claims()
			tc.edit(c)
			p, err := o.Verify(context.Background(), sign(t, rsaKey, c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if p.ID != "user-123" {
				t.Fatalf("ID = %q", p.ID)
			}
		})
	}

	// A shorter leeway turns the same token into a refusal.
	strict, err := NewOIDC(OIDCConfig{
		Issuer: idp.issuer(), Audience: testAudience, JWKSURL: idp.jwksURL(),
		Leeway: 5 * time.Second, Now: func() time.Time { return testNow },
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := idp.claims()
	c["exp"] = testNow.Add(-20 * time.Second).Unix()
	tok := sign(t, rsaKey, c)
	p, err := strict.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgExpired, tok)
}

func TestOIDCJWKSUnreachable(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o := idp.verifier(t)
	tok := sign(t, rsaKey, idp.claims())
	idp.srv.Close()

	p, err := o.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgKeys, tok)
}

func TestOIDCJWKSBadResponse(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>oops</html>", http.StatusInternalServerError)
	}))
	defer srv.Close()
	o, err := NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: testAudience, JWKSURL: srv.URL,
		Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{"iss": "https://idp.example", "aud": testAudience, "sub": "user-123",
		"org": "council-a", "roles": "chair", "exp": testNow.Add(time.Hour).Unix()}
	tok := sign(t, rsaKey, c)
	p, err := o.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgKeys, tok)
}

func TestOIDCCancelledContext(t *testing.T) {
	// A JWKS that never answers: a cancelled request must not hang.
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	rsaKey := newRSAKey(t, "rsa-1")
	o, err := NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: testAudience, JWKSURL: srv.URL,
		Now: func() time.Time { return testNow }}, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{"iss": "https://idp.example", "aud": testAudience, "sub": "user-123",
		"org": "council-a", "roles": "chair", "exp": testNow.Add(time.Hour).Unix()}
	tok := sign(t, rsaKey, c)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	p, err := o.Verify(ctx, tok)
	wantUnauthorized(t, p, err, msgCancelled, tok)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Verify took %v after its context ended", d)
	}
}

func TestOIDCKeyRotation(t *testing.T) {
	keyA := newRSAKey(t, "key-a")
	keyB := newECKey(t, "key-b")
	idp := newTestIdP(t, keyA)
	o := idp.verifier(t)
	if n := idp.jwksHits.Load(); n != 0 {
		t.Fatalf("NewOIDC fetched the JWKS %d times, want 0", n)
	}

	if _, err := o.Verify(context.Background(), sign(t, keyA, idp.claims())); err != nil {
		t.Fatalf("key A: %v", err)
	}
	if n := idp.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times after first token, want 1", n)
	}
	// Cached: a second token with a known kid needs no fetch.
	if _, err := o.Verify(context.Background(), sign(t, keyA, idp.claims())); err != nil {
		t.Fatalf("key A again: %v", err)
	}
	if n := idp.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times after a cached kid, want 1", n)
	}

	// Before the IdP publishes B, a B token is refused (after one refetch).
	// Give go-oidc a moment to retire the first fetch (see below).
	time.Sleep(20 * time.Millisecond)
	tokB := sign(t, keyB, idp.claims())
	p, err := o.Verify(context.Background(), tokB)
	wantUnauthorized(t, p, err, msgSignature, tokB)
	if n := idp.jwksHits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after an unknown kid, want 2", n)
	}

	// The IdP rotates to B; the unknown kid triggers a refetch and succeeds.
	// go-oidc hands waiters a fetch's result a moment before it lets a new
	// fetch start, so a call right on the heels of the last refetch may
	// still see the old keys: allow a few tries, as a client's retry would.
	idp.setKeys(keyB)
	for i := 0; i < 50; i++ {
		if p, err = o.Verify(context.Background(), tokB); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("key B after rotation: %v", err)
	}
	if p.ID != "user-123" || p.Role != domain.RoleSocialWorker {
		t.Fatalf("principal = %+v", p)
	}
	if n := idp.jwksHits.Load(); n < 3 {
		t.Fatalf("JWKS fetched %d times after rotation, want at least 3", n)
	}
	// A is no longer published and the cache now holds only B.
	tokA := sign(t, keyA, idp.claims())
	p, err = o.Verify(context.Background(), tokA)
	wantUnauthorized(t, p, err, msgSignature, tokA)
}

func TestOIDCDiscovery(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	idp.discoveryFails.Store(1)
	o, err := NewOIDC(OIDCConfig{
		Issuer:   idp.issuer(),
		Audience: testAudience,
		Now:      func() time.Time { return testNow },
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := idp.discoveryHits.Load(); n != 0 {
		t.Fatalf("NewOIDC ran discovery %d times, want 0", n)
	}
	tok := sign(t, rsaKey, idp.claims())

	// First attempt: discovery answers 503; the failure is not cached.
	p, err := o.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgDiscovery, tok)
	if n := idp.discoveryHits.Load(); n != 1 {
		t.Fatalf("discovery ran %d times, want 1", n)
	}

	// Second attempt: discovery is retried and works.
	p, err = o.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify after discovery recovered: %v", err)
	}
	want := domain.Principal{ID: "user-123", Name: "Alice Example", Role: domain.RoleSocialWorker, Org: "council-a"}
	if p != want {
		t.Fatalf("principal = %+v, want %+v", p, want)
	}
	if n, k := idp.discoveryHits.Load(), idp.jwksHits.Load(); n != 2 || k != 1 {
		t.Fatalf("discovery ran %d times and JWKS %d times, want 2 and 1", n, k)
	}

	// Success is cached: no more discovery.
	if _, err := o.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if n := idp.discoveryHits.Load(); n != 2 {
		t.Fatalf("discovery ran %d times after success, want 2", n)
	}
}

func TestOIDCDiscoveryIssuerMismatch(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	// Configured issuer differs from the one the document declares.
	o, err := NewOIDC(OIDCConfig{Issuer: idp.issuer() + "/realms/x", Audience: testAudience,
		Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// /realms/x/.well-known/... is 404 on this server, and even a served
	// document would carry the wrong issuer.
	tok := sign(t, rsaKey, idp.claims())
	p, err := o.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgDiscovery, tok)
}

func TestOIDCDiscoveryUnreachable(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	issuer := idp.issuer()
	claims := idp.claims()
	idp.srv.Close()
	o, err := NewOIDC(OIDCConfig{Issuer: issuer, Audience: testAudience,
		Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatalf("NewOIDC must not need the IdP: %v", err)
	}
	tok := sign(t, rsaKey, claims)
	p, err := o.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgDiscovery, tok)
}

func TestOIDCConcurrentDiscovery(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o, err := NewOIDC(OIDCConfig{Issuer: idp.issuer(), Audience: testAudience,
		Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, rsaKey, idp.claims())
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := o.Verify(context.Background(), tok)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Verify: %v", err)
		}
	}
	if n := idp.discoveryHits.Load(); n < 1 || n > 2 {
		t.Fatalf("discovery ran %d times for 20 concurrent calls", n)
	}
}

func TestNewOIDCConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  OIDCConfig
		ok   bool
	}{
		{"minimal", OIDCConfig{Issuer: "https://idp.example", Audience: "a"}, true},
		{"no issuer", OIDCConfig{Audience: "a"}, false},
		{"blank issuer", OIDCConfig{Issuer: "  ", Audience: "a"}, false},
		{"relative issuer", OIDCConfig{Issuer: "idp.example", Audience: "a"}, false},
		{"no audience", OIDCConfig{Issuer: "https://idp.example"}, false},
		{"bad JWKS URL", OIDCConfig{Issuer: "https://idp.example", Audience: "a", JWKSURL: "ftp://x"}, false},
		{"negative leeway", OIDCConfig{Issuer: "https://idp.example", Audience: "a", Leeway: -time.Second}, false},
		// Unreachable hosts are fine: construction does no I/O.
		{"unreachable JWKS", OIDCConfig{Issuer: "https://idp.invalid", Audience: "a", JWKSURL: "https://idp.invalid/keys"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := NewOIDC(tc.cfg, nil)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && o == nil {
				t.Fatal("nil OIDC without error")
			}
		})
	}

	o, err := NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.RolesClaim != "roles" || o.cfg.OrgClaim != "org" || o.cfg.NameClaim != "name" || o.cfg.Leeway != 30*time.Second {
		t.Fatalf("defaults = %+v", o.cfg)
	}
}

func TestOIDCClientTimeout(t *testing.T) {
	got := func(o *OIDC) time.Duration { return o.client.Timeout }
	o, err := NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := got(o); d != 10*time.Second {
		t.Fatalf("default client timeout = %v, want 10s", d)
	}
	mine := &http.Client{}
	o, err = NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: "a"}, mine)
	if err != nil {
		t.Fatal(err)
	}
	if d := got(o); d != 10*time.Second || mine.Timeout != 0 {
		t.Fatalf("client without timeout: got %v, caller's client changed to %v", got(o), mine.Timeout)
	}
	o, err = NewOIDC(OIDCConfig{Issuer: "https://idp.example", Audience: "a"}, &http.Client{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if d := got(o); d != 3*time.Second {
		t.Fatalf("caller's timeout = %v, want 3s", d)
	}
}

func TestLooksLikeJWT(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	real := sign(t, rsaKey, map[string]any{"sub": "x"})
	cases := []struct {
		in   string
		want bool
	}{
		{real, true},
		{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln", true},
		{"", false},
		{"cpc_live_0123456789abcdef", false},
		{"abc.def", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30.", false},
		{"eyJhbGciOiJSUzI1NiJ9..c2ln", false},
		{".e30.c2ln", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln.x", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30=.c2ln", false},
		{"eyJhbGciOiJSUzI1NiJ9.e3+0.c2ln", false},
		{"aaa.bbb.ccc", false}, // header is not a JSON object
		{"eyJhbGciOiJSUzI1NiJ9 .e30.c2ln", false},
	}
	for _, tc := range cases {
		if got := LooksLikeJWT(tc.in); got != tc.want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
