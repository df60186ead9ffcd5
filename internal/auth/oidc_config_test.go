package auth

import (
	"net/http"
	"testing"
	"time"
)

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
