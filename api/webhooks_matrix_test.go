package api_test

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// webhookState is a fresh subscription with one delivered delivery, for
// the role matrix: each webhook operation runs on state of its own.
type webhookState struct {
	id, etag, delivery string
}

// freshWebhook replaces orgA's subscriptions with one that has delivered
// an event to a receiver on loopback.
func (e *env) freshWebhook() webhookState {
	e.t.Helper()
	ctx := context.Background()
	admin := domain.Principal{ID: "test", Name: "test", Role: domain.RoleAdmin, Org: orgA}
	existing, err := e.db.Webhooks(ctx, admin)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, w := range existing {
		if err := e.db.DeleteWebhook(ctx, admin, w.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	rcv := newReceiver(e.t, http.StatusOK)
	id, _ := e.subscribe(orgA, rcv.URL, domain.EventConferenceCreated)
	e.mustCreate(orgA, "WH-"+id[:8])
	e.sendDue()
	ds, err := e.db.Deliveries(ctx, admin, id, store.DeliveryPage{Limit: 10})
	if err != nil || len(ds) != 1 || ds[0].Status != domain.DeliveryDelivered {
		e.t.Fatalf("fresh webhook: %v %+v", err, ds)
	}
	w, err := e.db.Webhook(ctx, admin, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return webhookState{id: id, etag: strconv.Quote(strconv.Itoa(w.Version)), delivery: ds[0].ID}
}

func webhookOperations() []operation {
	w := func(f fixture) webhookState { return f.env.freshWebhook() }
	return []operation{
		{"listWebhooks", adminOnly, func(f fixture) req { return req{Method: "GET", Path: "/v1/webhooks"} }},
		{"createWebhook", adminOnly, func(f fixture) req {
			f.env.freshWebhook()
			return req{Method: "POST", Path: "/v1/webhooks", Body: map[string]any{"url": "https://receiver.example.org/hooks", "event_types": []string{"conference.created"}}}
		}},
		{"getWebhook", adminOnly, func(f fixture) req { return req{Method: "GET", Path: "/v1/webhooks/" + w(f).id} }},
		{"updateWebhook", adminOnly, func(f fixture) req {
			s := w(f)
			return req{Method: "PATCH", Path: "/v1/webhooks/" + s.id, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": s.etag}, Body: map[string]any{"enabled": false}}
		}},
		{"deleteWebhook", adminOnly, func(f fixture) req { return req{Method: "DELETE", Path: "/v1/webhooks/" + w(f).id} }},
		{"rotateWebhookSecret", adminOnly, func(f fixture) req { return req{Method: "POST", Path: "/v1/webhooks/" + w(f).id + "/rotate-secret"} }},
		{"listWebhookDeliveries", adminOnly, func(f fixture) req { return req{Method: "GET", Path: "/v1/webhooks/" + w(f).id + "/deliveries"} }},
		{"redeliverWebhookDelivery", adminOnly, func(f fixture) req {
			s := w(f)
			return req{Method: "POST", Path: "/v1/webhooks/" + s.id + "/deliveries/" + s.delivery + "/redeliver"}
		}},
	}
}
