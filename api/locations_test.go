package api_test

import (
	"net/http"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// TestEveryLocationResolves follows the Location of every create: each
// names a resource that a GET returns, with the same id.
func TestEveryLocationResolves(t *testing.T) {
	e := newEnv(t)
	cs, chair := e.key(orgA, domain.RoleCaseSystem), e.key(orgA, domain.RoleChair)
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("LOC-1")})
	conf := r.JSON(t)["id"].(string)
	locations := []resp{r}
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/participants", Key: cs, Body: participantBody()})
	pid := r.JSON(t)["id"].(string)
	locations = append(locations, r)
	locations = append(locations, e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/contacts", Key: chair,
		Body: map[string]any{"with": "chair", "on": "2026-11-20", "method": "phone"}}))
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/reports", Key: cs, Body: map[string]any{"agency": "health", "title": "Health report"}})
	rid := r.JSON(t)["id"].(string)
	locations = append(locations, r)
	locations = append(locations, e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/reports/" + rid + "/shares", Key: cs,
		Body: map[string]any{"participant_id": pid, "shared_on": "2026-11-21"}}))
	locations = append(locations, e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/readiness-checks", Key: chair,
		Body: map[string]any{"decision": "postpone", "note": "reports not shared"}}))
	for _, created := range locations {
		if created.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", created.Status, created.Body)
		}
		loc := created.Header.Get("Location")
		got := e.do(req{Method: "GET", Path: loc, Key: e.key(orgA, domain.RoleManager)})
		if got.Status != http.StatusOK || got.JSON(t)["id"] != created.JSON(t)["id"] {
			t.Errorf("GET %s: %d %s, want the created resource", loc, got.Status, got.Body)
		}
		if other := e.do(req{Method: "GET", Path: loc, Key: e.key(orgB, domain.RoleManager)}); other.Status != http.StatusNotFound {
			t.Errorf("GET %s from another organisation: %d, want 404", loc, other.Status)
		}
	}
}
