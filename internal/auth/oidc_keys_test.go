package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

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
		"org": "E09000001", "roles": "chair", "exp": testNow.Add(time.Hour).Unix()}
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
		"org": "E09000001", "roles": "chair", "exp": testNow.Add(time.Hour).Unix()}
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
	clock := &testClock{at: testNow}
	o := idp.verifierAt(t, clock.now)
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

	// Before the IdP publishes B, a B token is refused.
	tokB := sign(t, keyB, idp.claims())
	p, err := o.Verify(context.Background(), tokB)
	wantUnauthorized(t, p, err, msgSignature, tokB)

	// The IdP rotates to B; once a minute has passed, the unknown kid
	// fetches the key set again and the token is accepted.
	idp.setKeys(keyB)
	clock.advance(jwksRefetchEvery + time.Second)
	if p, err = o.Verify(context.Background(), tokB); err != nil {
		t.Fatalf("key B after rotation: %v", err)
	}
	if p.ID != "user-123" || p.Role != domain.RoleSocialWorker {
		t.Fatalf("principal = %+v", p)
	}
	if n := idp.jwksHits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after rotation, want 2", n)
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
	want := domain.Principal{ID: "user-123", Name: "Alice Example", Role: domain.RoleSocialWorker, Org: "E09000001", Kind: domain.PrincipalToken}
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
