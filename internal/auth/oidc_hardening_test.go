package auth

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A stream of tokens with kids the key set does not hold fetches the key
// set at most once a minute, however many arrive and however concurrently.
func TestOIDCUnknownKidRefetchesAtMostOnceAMinute(t *testing.T) {
	real := newRSAKey(t, "real")
	idp := newTestIdP(t, real)
	clock := &testClock{at: testNow}
	o := idp.verifierAt(t, clock.now)
	if _, err := o.Verify(context.Background(), sign(t, real, idp.claims())); err != nil {
		t.Fatal(err)
	}
	forged := make([]string, 20)
	for i := range forged {
		forged[i] = sign(t, newECKey(t, "forged-"+string(rune('a'+i))), idp.claims())
	}
	flood := func() {
		var wg sync.WaitGroup
		for _, tok := range forged {
			for range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p, err := o.Verify(context.Background(), tok)
					wantUnauthorized(t, p, err, msgSignature, tok)
				}()
			}
		}
		wg.Wait()
	}
	flood()
	if n := idp.jwksHits.Load(); n != 1 {
		t.Fatalf("100 tokens with unknown kids within the minute fetched the key set %d times in all, want 1 (the first use)", n)
	}
	clock.advance(59 * time.Second)
	flood()
	if n := idp.jwksHits.Load(); n != 1 {
		t.Fatalf("after 59s: %d fetches, want still 1", n)
	}
	clock.advance(2 * time.Second)
	flood()
	if n := idp.jwksHits.Load(); n != 2 {
		t.Fatalf("after a minute: %d fetches, want 2", n)
	}
	// The real key still works throughout, from the cache.
	if _, err := o.Verify(context.Background(), sign(t, real, idp.claims())); err != nil || idp.jwksHits.Load() != 2 {
		t.Fatalf("real token: %v, %d fetches", err, idp.jwksHits.Load())
	}
}

// exp, nbf and iat are whole seconds written as JSON integers. A string
// (which encoding/json would read as a number) or a fraction is refused.
func TestOIDCTimeClaimsMustBeIntegers(t *testing.T) {
	key := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, key)
	o := idp.verifier(t)
	exp, nbf := testNow.Add(time.Hour).Unix(), testNow.Add(-time.Minute).Unix()
	for name, edit := range map[string]func(c map[string]any){
		"exp as a string":    func(c map[string]any) { c["exp"] = jsonNumberString(exp) },
		"exp as a float":     func(c map[string]any) { c["exp"] = float64(exp) + 0.5 },
		"exp with exponent":  func(c map[string]any) { c["exp"] = 1.8e9 },
		"exp negative":       func(c map[string]any) { c["exp"] = -1 },
		"nbf as a string":    func(c map[string]any) { c["nbf"] = jsonNumberString(nbf) },
		"nbf as a float":     func(c map[string]any) { c["nbf"] = float64(nbf) + 0.25 },
		"iat as a string":    func(c map[string]any) { c["iat"] = jsonNumberString(nbf) },
		"exp a boolean":      func(c map[string]any) { c["exp"] = true },
		"exp past year 5138": func(c map[string]any) { c["exp"] = int64(1e12) },
	} {
		c := idp.claims()
		edit(c)
		tok := sign(t, key, c)
		p, err := o.Verify(context.Background(), tok)
		t.Run(name, func(t *testing.T) { wantUnauthorized(t, p, err, msgMalformed, tok) })
	}
}

func jsonNumberString(n int64) string { return strconv.FormatInt(n, 10) }

// A token living longer than the maximum (24 hours unless configured) is
// refused, measured from iat, else nbf, else now.
func TestOIDCMaxTokenLifetime(t *testing.T) {
	key := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, key)
	o := idp.verifier(t)
	at := func(d time.Duration) int64 { return testNow.Add(d).Unix() }
	for name, tc := range map[string]struct {
		edit func(c map[string]any)
		ok   bool
	}{
		"24h from iat":         {func(c map[string]any) { c["iat"], c["exp"] = at(-time.Hour), at(23*time.Hour) }, true},
		"24h and 1s from iat":  {func(c map[string]any) { c["iat"], c["exp"] = at(-time.Hour), at(23*time.Hour+time.Second) }, false},
		"a year from iat":      {func(c map[string]any) { c["exp"] = at(365 * 24 * time.Hour) }, false},
		"25h from nbf, no iat": {func(c map[string]any) { delete(c, "iat"); c["nbf"], c["exp"] = at(-time.Hour), at(24*time.Hour) }, false},
		"25h from now, no iat or nbf": {func(c map[string]any) {
			delete(c, "iat")
			delete(c, "nbf")
			c["exp"] = at(25 * time.Hour)
		}, false},
		"an hour, no iat or nbf": {func(c map[string]any) { delete(c, "iat"); delete(c, "nbf") }, true},
	} {
		c := idp.claims()
		tc.edit(c)
		tok := sign(t, key, c)
		p, err := o.Verify(context.Background(), tok)
		t.Run(name, func(t *testing.T) {
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantUnauthorized(t, p, err, msgTooLong, tok)
		})
	}
	short, err := NewOIDC(OIDCConfig{Issuer: idp.issuer(), Audience: testAudience, JWKSURL: idp.jwksURL(), MaxLifetime: 30 * time.Minute, Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, key, idp.claims()) // 1h1m from iat
	p, err := short.Verify(context.Background(), tok)
	wantUnauthorized(t, p, err, msgTooLong, tok)
}

// The organisation claim is an organisation code exactly as keys create
// takes it: nothing is trimmed or folded into another tenant.
func TestOIDCOrgClaimIsAnOrgCode(t *testing.T) {
	key := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, key)
	o := idp.verifier(t)
	for _, org := range []string{" E09000001", "E09000001 ", "e09000001", `E09"000001`, "E09000001\n", "E09-000001", "E0900000100000000", "É09000001", "E09000001'--"} {
		c := idp.claims()
		c["org"] = org
		tok := sign(t, key, c)
		p, err := o.Verify(context.Background(), tok)
		t.Run(org, func(t *testing.T) { wantUnauthorized(t, p, err, msgBadOrg, tok) })
	}
	c := idp.claims()
	c["org"] = "E0900000100000AB"
	if p, err := o.Verify(context.Background(), sign(t, key, c)); err != nil || p.Org != "E0900000100000AB" {
		t.Fatalf("a 16-character code: %+v %v", p, err)
	}
}
