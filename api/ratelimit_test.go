package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// keyWithRate creates a key of its own allowed perSecond requests a second
// and returns it with its id.
func (e *env) keyWithRate(org string, role domain.Role, perSecond float64) string {
	k, _ := e.keyAndID(org, role, perSecond)
	return k
}

func (e *env) keyAndID(org string, role domain.Role, perSecond float64) (key, id string) {
	e.t.Helper()
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		e.t.Fatal(err)
	}
	k, err := e.db.CreateAPIKeyWithRate(context.Background(), org, role, "rate test", hash, perSecond)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return key, k.ID
}

// spend sends GETs until the first 429 (or n requests) and returns how
// many were answered 200.
func spend(e *env, key string, n int) int {
	ok := 0
	for range n {
		switch got := e.send(req{Method: "GET", Path: "/v1/conferences?limit=1", Key: key}); got {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			return ok
		default:
			e.t.Fatalf("status %d", got)
		}
	}
	return ok
}

// Each key takes its own rate: a case system's key set for a nightly sync
// is not held to a person's limit, and a key set low is held to it.
func TestEachKeyHasItsOwnRate(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 1, 3 })
	if got := spend(e, e.keyWithRate(orgA, domain.RoleCaseSystem, 40), 40); got < 40 {
		t.Errorf("a key allowed 40 a second was refused after %d requests", got)
	}
	if got := spend(e, e.key(orgA, domain.RoleManager), domain.DefaultKeyRateLimit); got < domain.DefaultKeyRateLimit {
		t.Errorf("a key with the default rate (%d a second) was refused after %d requests", domain.DefaultKeyRateLimit, got)
	}
	if got := spend(e, e.keyWithRate(orgA, domain.RoleManager, 1), 10); got != 3 {
		t.Errorf("a key allowed 1 a second answered %d requests at once, want the burst of 3", got)
	}
	for _, bad := range []float64{0, -1, domain.MaxKeyRateLimit + 1} {
		if _, err := e.db.CreateAPIKeyWithRate(context.Background(), orgA, domain.RoleManager, "bad", "x", bad); domain.ErrorKind(err) != domain.EINVALID {
			t.Errorf("rate %v: %v", bad, err)
		}
	}
}

// Rate-limit buckets belong to one principal of one kind in one
// organisation: a staff token whose sub is an API key's id (ids appear in
// every history), or the same sub in another organisation, has a bucket
// of its own and cannot drain, or be drained by, anyone else's.
func TestRateLimitBucketsAreKeyedByOrgKindAndID(t *testing.T) {
	idp := newStaffIdP(t)
	e := newEnv(t, func(c *api.Config) {
		c.RateLimit, c.RateBurst = 1, 3
		o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: idp.srv.URL, Audience: "cpcready", JWKSURL: idp.srv.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth.OIDC = o
	})
	exp := time.Now().Add(time.Hour)
	key, keyID := e.keyAndID(orgA, domain.RoleManager, 1)
	if got := spend(e, key, 10); got != 3 {
		t.Fatalf("the key answered %d before its 429, want 3", got)
	}
	if got := spend(e, idp.token(t, keyID, "Impostor", orgA, "manager", exp), 3); got != 3 {
		t.Errorf("a token whose sub is the key's id shares the key's empty bucket: %d of 3 answered", got)
	}
	if got := spend(e, idp.token(t, "alice", "Alice", orgA, "manager", exp), 10); got != 3 {
		t.Fatalf("alice in A answered %d before her 429, want 3", got)
	}
	if got := spend(e, idp.token(t, "alice", "Alice", orgB, "manager", exp), 3); got != 3 {
		t.Errorf("alice in B shares alice in A's empty bucket: %d of 3 answered", got)
	}
	if got := spend(e, idp.token(t, "alice", "Alice", orgA, "manager", exp), 1); got != 0 {
		t.Errorf("alice in A was answered again at once: her bucket was refilled by another principal")
	}
}
