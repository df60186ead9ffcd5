package auth

import (
	"context"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestOIDCValidRS256(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	idp := newTestIdP(t, rsaKey)
	o := idp.verifier(t)

	p, err := o.Verify(context.Background(), sign(t, rsaKey, idp.claims()))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-123", Name: "Alice Example", Role: domain.RoleSocialWorker, Org: "E09000001", Kind: domain.PrincipalToken}
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
	c["org"] = "E09000002"
	c["roles"] = []string{"chair"}
	p, err := o.Verify(context.Background(), sign(t, ecKey, c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-456", Name: "Bob Example", Role: domain.RoleChair, Org: "E09000002", Kind: domain.PrincipalToken}
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
			if p.Role != tc.wantRole || p.Name != tc.wantName || p.ID != "user-123" || p.Org != "E09000001" {
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
	c["tenant"] = "E09000026"
	c["display"] = "Zed"
	p, err := o.Verify(context.Background(), sign(t, rsaKey, c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := domain.Principal{ID: "user-123", Name: "Zed", Role: domain.RoleAdmin, Org: "E09000026", Kind: domain.PrincipalToken}
	if p != want {
		t.Fatalf("principal = %+v, want %+v", p, want)
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
