package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

func TestIdempotentReplayReturnsTheSameConference(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleCaseSystem)
	send := func(body map[string]any) resp {
		return e.do(req{Method: "POST", Path: "/v1/conferences", Key: key, Body: body, Header: map[string]string{"Idempotency-Key": "k-1"}})
	}
	first := send(conferenceBody("IDEM-1"))
	if first.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := send(conferenceBody("IDEM-1"))
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d replayed=%q", again.Status, again.Header.Get("Idempotent-Replayed"))
	}
	if first.JSON(t)["id"] != again.JSON(t)["id"] || first.Header.Get("Location") != again.Header.Get("Location") || first.Header.Get("ETag") != again.Header.Get("ETag") {
		t.Fatalf("replay differs: %s vs %s", first.Body, again.Body)
	}
	other := conferenceBody("IDEM-2")
	if r := send(other); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, other body: %d %s, want 422", r.Status, r.Body)
	}
	var page struct{ Items []any }
	e.do(req{Method: "GET", Path: "/v1/conferences", Key: key}).Decode(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("%d conferences, want 1", len(page.Items))
	}
	// Keys belong to a principal: another key may use the same value.
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(orgB, domain.RoleCaseSystem), Body: other, Header: map[string]string{"Idempotency-Key": "k-1"}})
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another principal's same key: %d replayed=%q", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
}

func TestIdempotencyKeyInFlightSameRequest(t *testing.T) {
	e := newEnv(t)
	// Claim the key with exactly the hash the middleware will compute, as
	// another instance still running the same request would have.
	body := `{"decision":"postpone","note":"wait"}`
	conf := e.mustCreate(orgA, "FLIGHT-1")
	path := "/v1/conferences/" + conf + "/readiness-checks"
	chair := e.key(orgA, domain.RoleChair)
	cp, _, err := e.db.APIKeyByHash(context.Background(), auth.HashAPIKey(chair))
	if err != nil {
		t.Fatal(err)
	}
	hash := api.RequestHash("POST", path, "application/json\n", []byte(body))
	if _, err := e.db.BeginIdempotent(context.Background(), cp, "flight", hash); err != nil {
		t.Fatal(err)
	}
	r := e.do(req{Method: "POST", Path: path, Key: chair, Body: body, Header: map[string]string{"Idempotency-Key": "flight"}})
	if r.Status != http.StatusConflict {
		t.Fatalf("in-flight key: %d %s, want 409", r.Status, r.Body)
	}
	var list struct{ Items []any }
	e.do(req{Method: "GET", Path: path, Key: chair}).Decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the refused request wrote %d checks", len(list.Items))
	}
}

// TestIdempotencyRecordsBelongToOnePrincipalInOneOrganisation replays a
// chair's stored response to principals who only share an id with the
// chair: a staff token with the same subject in another organisation, and
// tokens whose subject is the chair's API key id (key ids appear in every
// history). Each must run its own request, never see the chair's note.
func TestIdempotencyRecordsBelongToOnePrincipalInOneOrganisation(t *testing.T) {
	idp := newStaffIdP(t)
	e := newEnv(t, idp.signsIn(t))
	conf := e.mustCreate(orgA, "IDEM-ORG-1")
	path := "/v1/conferences/" + conf + "/readiness-checks"
	body := map[string]any{"decision": "postpone", "note": "private note about the family"}
	post := func(cred string) resp {
		return e.do(req{Method: "POST", Path: path, Key: cred, Body: body, Header: map[string]string{"Idempotency-Key": "shared-key"}})
	}
	exp := time.Now().Add(time.Hour)

	// A staff chair and a chair's API key each store a response.
	staff := idp.token(t, "chair-sub", "Chair", orgA, "chair", exp)
	if r := post(staff); r.Status != http.StatusCreated {
		t.Fatalf("staff chair: %d %s", r.Status, r.Body)
	}
	chairKey := e.key(orgA, domain.RoleChair)
	keyed, _, err := e.db.APIKeyByHash(context.Background(), auth.HashAPIKey(chairKey))
	if err != nil {
		t.Fatal(err)
	}
	first := post(chairKey)
	if first.Status != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("chair key, sharing a key value with a token: %d replayed=%q", first.Status, first.Header.Get("Idempotent-Replayed"))
	}
	if again := post(chairKey); again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the chair key's own retry was not replayed: %d", again.Status)
	}

	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"same subject, another organisation", idp.token(t, "chair-sub", "Intruder", orgB, "chair", exp), http.StatusNotFound},
		{"subject equal to a key id, same organisation", idp.token(t, keyed.ID, "Lookalike", orgA, "chair", exp), http.StatusCreated},
		{"subject equal to a key id, another organisation", idp.token(t, keyed.ID, "Intruder", orgB, "chair", exp), http.StatusNotFound},
	} {
		r := post(c.token)
		leaked := r.Status != http.StatusCreated && strings.Contains(string(r.Body), "private note")
		if r.Status == http.StatusCreated && r.JSON(t)["id"] == first.JSON(t)["id"] {
			leaked = true
		}
		if r.Header.Get("Idempotent-Replayed") != "" || leaked || r.Status != c.want {
			t.Errorf("%s: %d replayed=%q %s; want %d, its own answer", c.name, r.Status, r.Header.Get("Idempotent-Replayed"), r.Body, c.want)
		}
	}
	var list struct{ Items []any }
	e.do(req{Method: "GET", Path: path, Key: chairKey}).Decode(t, &list)
	if len(list.Items) != 3 {
		t.Fatalf("%d checks, want 3: the staff chair's, the key's and the lookalike's own", len(list.Items))
	}
}
