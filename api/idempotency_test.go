package api_test

import (
	"context"
	"net/http"
	"testing"

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
	if _, err := e.db.BeginIdempotent(context.Background(), cp.ID, "flight", hash); err != nil {
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
