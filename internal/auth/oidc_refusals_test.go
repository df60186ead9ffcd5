package auth

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

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
		{"org not a string", with(func(c map[string]any) { c["org"] = []string{"E09000001"} }), msgNoOrg},
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
