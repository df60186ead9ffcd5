package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// Two servers on one database, each caching keys: a key in use on both
// and then revoked, as `cpcready keys revoke` does, is refused by both
// within 5 seconds. Its per-key rate limit holds while it is cached.
func TestRevokedKeyIsRefusedOnEveryInstance(t *testing.T) {
	url := filepath.Join(t.TempDir(), "two.db")
	if os.Getenv(storetest.PostgresEnv) != "" {
		url = storetest.PostgresSchemaURL(t)
	}
	db1, clock := storetest.MustOpenURL(t, url)
	db2, _ := storetest.MustOpenURL(t, url)
	db2.Now = clock.Now
	limited := func(c *api.Config) { c.RateLimit, c.RateBurst = 1, 3 }
	a, b := newEnvOn(t, db1, clock, limited), newEnvOn(t, db2, clock, limited)
	key, id := a.keyAndID(orgA, domain.RoleManager, 1)
	for name, e := range map[string]*env{"first": a, "second": b} {
		if got := spend(e, key, 10); got != 3 {
			t.Errorf("%s server: a key allowed 1 a second answered %d requests at once, want the burst of 3", name, got)
		}
	}
	if err := db1.RevokeAPIKey(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	// A key still taken would be refused by its empty bucket (429), not
	// as unknown (401).
	clock.Set(clock.Now().Add(5 * time.Second))
	for name, e := range map[string]*env{"first": a, "second": b} {
		if got := e.do(req{Method: "GET", Path: "/v1/conferences", Key: key}); got.Status != http.StatusUnauthorized {
			t.Errorf("%s server: a key revoked 5 seconds ago: %d, want 401", name, got.Status)
		}
	}
}
