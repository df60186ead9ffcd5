package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

type feedPage struct {
	Items []domain.Event
	Next  int64
}

// TestEventFeedIsInOrderAndPages: each organisation sees its own events,
// numbered from 1 without gaps, in order, page after page.
func TestEventFeedIsInOrderAndPages(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		id := e.mustCreate(orgA, fmt.Sprintf("FEED-A-%d", i))
		e.mustAddParticipant(orgA, id)
		e.mustCreate(orgB, fmt.Sprintf("FEED-B-%d", i))
	}
	cs := e.key(orgA, domain.RoleCaseSystem)
	var all []domain.Event
	after := int64(0)
	for pages := 0; ; pages++ {
		var p feedPage
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/v1/events?after=%d&limit=2", after), Key: cs})
		if r.Status != http.StatusOK {
			t.Fatalf("feed: %d %s", r.Status, r.Body)
		}
		r.Decode(t, &p)
		if len(p.Items) == 0 {
			if p.Next != after {
				t.Fatalf("an empty page moved next from %d to %d", after, p.Next)
			}
			break
		}
		if len(p.Items) > 2 || pages > 10 {
			t.Fatalf("page of %d items, page %d", len(p.Items), pages)
		}
		all = append(all, p.Items...)
		after = p.Next
	}
	// 3 creates, and per participant added: updated and readiness_changed.
	if len(all) != 9 {
		t.Fatalf("%d events, want 9", len(all))
	}
	for i, ev := range all {
		if ev.Sequence != int64(i+1) || ev.Organisation != orgA {
			t.Fatalf("event %d: sequence %d organisation %s, want %d in %s", i, ev.Sequence, ev.Organisation, i+1, orgA)
		}
		body, _ := ev.Data.MarshalJSON()
		if len(body) == 0 {
			t.Fatalf("event %d has no data", i)
		}
	}
	if all[0].Type != domain.EventConferenceCreated || all[1].Type != domain.EventConferenceUpdated || all[2].Type != domain.EventConferenceReadinessChanged {
		t.Fatalf("types %s %s %s", all[0].Type, all[1].Type, all[2].Type)
	}
	var b feedPage
	e.do(req{Method: "GET", Path: "/v1/events", Key: e.key(orgB, domain.RoleManager)}).Decode(t, &b)
	if len(b.Items) != 3 || b.Items[0].Sequence != 1 || b.Items[0].Organisation != orgB {
		t.Fatalf("orgB's feed %+v, want its own 3 creates from 1", b.Items)
	}
	for _, q := range []string{"after=-1", "after=x", "limit=0", "limit=501", "cursor=1", "after=1&after=2"} {
		if r := e.do(req{Method: "GET", Path: "/v1/events?" + q, Key: cs}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("?%s: %d, want 422", q, r.Status)
		}
	}
}

// TestFailedWriteLeavesNoEvent: a write that fails after its events were
// inserted rolls them back with it, and a refused write makes none.
func TestFailedWriteLeavesNoEvent(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "ATOMIC-1")
	refuseEventsFor(t, e, "ATOMIC-1", "ATOMIC-2")
	before := e.tableCounts()
	etag := e.etagOf(orgA, id)
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "PATCH", Path: "/v1/conferences/" + id, Key: cs, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": etag}, Body: map[string]any{"format": "video"}})
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("patch with its event refused: %d, want 500: %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("ATOMIC-2")}); r.Status != http.StatusInternalServerError {
		t.Fatalf("create with its event refused: %d, want 500", r.Status)
	}
	if after := e.tableCounts(); after != before {
		t.Fatalf("failed writes left rows: before %s, after %s", before, after)
	}
	if got := e.etagOf(orgA, id); got != etag {
		t.Fatalf("the conference moved from %s to %s", etag, got)
	}
	// Refused before the transaction: a stale If-Match, a duplicate.
	r = e.do(req{Method: "PATCH", Path: "/v1/conferences/" + id, Key: cs, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": `"99"`}, Body: map[string]any{"format": "video"}})
	if r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale patch: %d", r.Status)
	}
	if r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("ATOMIC-1")}); r.Status != http.StatusConflict {
		t.Fatalf("duplicate: %d", r.Status)
	}
	if after := e.tableCounts(); after != before {
		t.Fatalf("refused writes left rows: before %s, after %s", before, after)
	}
}

// refuseEventsFor makes the database fail any transaction that inserts an
// event for the given external_refs, after the insert: the last thing a
// write does before it commits.
func refuseEventsFor(t *testing.T, e *env, ref1, ref2 string) {
	t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{fmt.Sprintf(`CREATE TRIGGER refuse_events AFTER INSERT ON events
		WHEN NEW.external_ref IN ('%s', '%s') BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, ref1, ref2)}
	if os.Getenv(storetest.PostgresEnv) != "" {
		stmts = []string{
			fmt.Sprintf(`CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.external_ref IN ('%s', '%s') THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`, ref1, ref2),
			`CREATE TRIGGER refuse_events AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_events()`,
		}
	}
	for _, s := range stmts {
		if _, err := sqlDB.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestCrashBetweenCommitAndDeliveryStillDelivers: an event committed by an
// instance that dies before sending it is sent by the next; so is one a
// sender claimed and then died holding.
func TestCrashBetweenCommitAndDeliveryStillDelivers(t *testing.T) {
	url := filepath.Join(t.TempDir(), "crash.db")
	if os.Getenv(storetest.PostgresEnv) != "" {
		url = storetest.PostgresSchemaURL(t)
	}
	rcv := newReceiver(t, http.StatusOK)

	db1, clock1 := storetest.MustOpenURL(t, url)
	first := newEnvOn(t, db1, clock1, allowPrivateWebhooks)
	first.subscribe(orgA, rcv.URL, domain.EventConferenceCreated)
	first.mustCreate(orgA, "CRASH-1")
	first.srv.Close()
	if err := db1.Close(); err != nil { // the instance dies: nothing was sent
		t.Fatal(err)
	}
	if len(rcv.requests()) != 0 {
		t.Fatal("sent before the crash")
	}

	db2, clock2 := storetest.MustOpenURL(t, url)
	second := newEnvOn(t, db2, clock2, allowPrivateWebhooks)
	second.sendDue()
	if got := rcv.requests(); len(got) != 1 {
		t.Fatalf("after restart the receiver got %d deliveries, want 1", len(got))
	}

	// A sender claims the next delivery and dies before sending it.
	second.mustCreate(orgA, "CRASH-2")
	if _, err := db2.FanOut(context.Background()); err != nil {
		t.Fatal(err)
	}
	jobs, err := db2.ClaimDeliveries(context.Background(), 10, 30*time.Second)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v, %d jobs", err, len(jobs))
	}
	second.sendDue()
	if len(rcv.requests()) != 1 {
		t.Fatal("a claimed delivery was sent while its claim held")
	}
	clock2.Set(clock2.Now().Add(31 * time.Second))
	second.sendDue()
	if got := rcv.requests(); len(got) != 2 || got[1].header.Get("webhook-id") != jobs[0].EventID {
		t.Fatalf("after the claim ran out the receiver has %d deliveries, want the abandoned one", len(got))
	}
}
