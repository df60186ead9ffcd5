package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// rrNewest returns the newest events of a conference's history, read as
// the case system. The read of the history is recorded after the page is
// read, so it is not among them.
func rrNewest(e *env, confID string, n int) rrHistoryPage {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: rrPath(confID, "/history") + "?order=newest&limit=" + strconv.Itoa(n), Key: e.key(orgA, domain.RoleCaseSystem)})
	rrStatus(e.t, r, 200)
	var page rrHistoryPage
	r.Decode(e.t, &page)
	return page
}

// TestReadingOneItemRecordsThatItem reads each item of a conference on its
// own: the trail must name the participant, contact, report, share or
// check that was read, not only the conference.
func TestReadingOneItemRecordsThatItem(t *testing.T) {
	e := newEnv(t)
	f := e.mustFixture("ITEM-1")
	c := rrPath(f.conf)
	p := c + "/participants/" + f.participant
	for _, it := range []struct{ path, entity, id string }{
		{p, "participant", f.participant},
		{p + "/contacts/" + f.contact, "contact", f.contact},
		{c + "/reports/" + f.report, "report", f.report},
		{c + "/reports/" + f.report + "/shares/" + f.share, "share", f.share},
		{c + "/readiness-checks/" + f.check, "readiness_check", f.check},
	} {
		rrStatus(t, e.do(req{Method: "GET", Path: it.path, Key: e.key(orgA, domain.RoleManager)}), 200)
		got := rrNewest(e, f.conf, 1).Items[0]
		if got.Action != "read" || got.Entity != it.entity || got.EntityID != it.id || got.Actor.Role != "manager" || got.ConferenceID != f.conf {
			t.Errorf("read of a %s recorded as %s %s %s by %s", it.entity, got.Action, got.Entity, got.EntityID, got.Actor.Role)
		}
	}
}

// TestDeletingAParticipantRecordsWhatWentWithIt deletes a family member
// with needs, contacts and shares: the delete's event must name every one
// of them, so that the trail shows what was lost, without personal text.
func TestDeletingAParticipantRecordsWhatWentWithIt(t *testing.T) {
	e := newEnv(t)
	f := e.mustFixture("DEL-1")
	r := e.do(req{Method: "DELETE", Path: rrPath(f.conf, "/participants/", f.participant), Key: e.key(orgA, domain.RoleSocialWorker), Header: map[string]string{"If-Match": e.etagOf(orgA, f.conf)}})
	rrStatus(t, r, 204)
	ev := rrLastEvent(t, e, f.conf)
	if ev.Action != "delete" || ev.Entity != "participant" {
		t.Fatalf("last event %+v, want the delete", ev)
	}
	for _, want := range []string{
		`"needs[0].kind":{"before":"childcare","after":null}`,
		`"contacts[0].id":{"before":"` + f.contact + `","after":null}`,
		`"shares[0].id":{"before":"` + f.share + `","after":null}`,
		`"shares[0].report_id":{"before":"` + f.report + `","after":null}`,
		`"display_name":{"before":null,"after":null,"redacted":true}`,
	} {
		if !strings.Contains(ev.Changes, want) {
			t.Errorf("the delete's changes lack %s:\n%s", want, ev.Changes)
		}
	}
	if strings.Contains(ev.Changes, "Parent Person") {
		t.Errorf("the delete's changes hold a name: %s", ev.Changes)
	}
}

// TestPolicyChangesAreReadableByAnAdmin changes the policy twice and reads
// its history as the admin: both changes, their actor and fields, newest
// first on request; another organisation's admin sees none of them, and
// the read is itself recorded.
func TestPolicyChangesAreReadableByAnAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.key(orgA, domain.RoleAdmin)
	pol := domain.DefaultPolicy()
	for _, days := range []int{4, 6} {
		pol.ReportDays.Initial = days
		rrStatus(t, e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: pol}), 200)
	}
	r := e.do(req{Method: "GET", Path: "/v1/policy/history?order=newest", Key: admin})
	rrStatus(t, r, 200)
	var page rrHistoryPage
	r.Decode(t, &page)
	if len(page.Items) != 2 {
		t.Fatalf("policy history: %s", r.Body)
	}
	newest := page.Items[0]
	if newest.Entity != "policy" || newest.Action != "update" || newest.Actor.Role != "admin" || newest.Actor.Kind != "key" ||
		string(newest.Changes["report_days.initial"]) != `{"before":4,"after":6}` {
		t.Errorf("newest policy change: %+v", newest)
	}
	r = e.do(req{Method: "GET", Path: "/v1/policy/history", Key: e.key(orgB, domain.RoleAdmin)})
	r.Decode(t, &page)
	if r.Status != http.StatusOK || len(page.Items) != 0 {
		t.Errorf("another organisation's admin: %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{"limit=0", "cursor=x", "order=sideways", "since=1", "limit=1&limit=2"} {
		if r := e.do(req{Method: "GET", Path: "/v1/policy/history?" + bad, Key: admin}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("?%s: %d, want 422", bad, r.Status)
		}
	}
	var reads int64
	if err := rawCount(e, "SELECT COUNT(*) FROM audit_events WHERE entity = 'policy_history' AND org = '"+orgA+"'", &reads); err != nil || reads != 1 {
		t.Errorf("reads of the policy history recorded: %d %v, want 1", reads, err)
	}
}

// TestTheStoredRequestIDIsTheServersOwn sends a request id another request
// already used: each event must carry the server's own id, different for
// each request, with the client's kept beside it.
func TestTheStoredRequestIDIsTheServersOwn(t *testing.T) {
	e := newEnv(t)
	conf := e.mustCreate(orgA, "RID-1")
	var answered []string
	for range 2 {
		r := e.do(req{Method: "GET", Path: rrPath(conf), Key: e.key(orgA, domain.RoleManager), Header: map[string]string{"X-Request-ID": "reused-id"}})
		rrStatus(t, r, 200)
		answered = append(answered, r.Header.Get("X-Request-ID"))
	}
	page := rrNewest(e, conf, 2)
	first, second := page.Items[1], page.Items[0]
	if first.ClientRequestID != "reused-id" || second.ClientRequestID != "reused-id" {
		t.Errorf("client request ids %q, %q; want the one sent kept", first.ClientRequestID, second.ClientRequestID)
	}
	if first.RequestID == second.RequestID || first.RequestID == "reused-id" || first.RequestID != answered[0] || second.RequestID != answered[1] {
		t.Errorf("stored request ids %q, %q (answered %q); want the server's own, one per request", first.RequestID, second.RequestID, answered)
	}
}

// TestAListReadIsOneEventInEveryListedHistory lists a page of conferences:
// one event is written, not one per conference, and the history of each
// conference listed shows it, while an unlisted one's does not.
func TestAListReadIsOneEventInEveryListedHistory(t *testing.T) {
	e := newEnv(t)
	var confs []string
	for _, ref := range []string{"LIST-1", "LIST-2", "LIST-3"} {
		confs = append(confs, e.mustCreate(orgA, ref))
	}
	unlisted := e.mustCreate(orgB, "LIST-B")
	var before, after int64
	count := "SELECT COUNT(*) FROM audit_events"
	if err := rawCount(e, count, &before); err != nil {
		t.Fatal(err)
	}
	rrStatus(t, e.do(req{Method: "GET", Path: "/v1/conferences?limit=200", Key: e.key(orgA, domain.RoleManager), Header: map[string]string{"X-Request-ID": "list-1"}}), 200)
	if err := rawCount(e, count, &after); err != nil {
		t.Fatal(err)
	}
	if after-before != 1 {
		t.Errorf("a list of %d conferences wrote %d audit events, want 1", len(confs), after-before)
	}
	for _, conf := range confs {
		got := rrNewest(e, conf, 1).Items[0]
		if got.Entity != "conference_list" || got.Action != "read" || got.Actor.Role != "manager" || got.ClientRequestID != "list-1" {
			t.Errorf("history of listed %s: %+v, want the list read", conf, got)
		}
	}
	var page rrHistoryPage
	r := e.do(req{Method: "GET", Path: rrPath(unlisted, "/history"), Key: e.key(orgB, domain.RoleManager)})
	r.Decode(t, &page)
	for _, it := range page.Items {
		if it.Entity == "conference_list" {
			t.Errorf("another organisation's list shows in %s's history", unlisted)
		}
	}
}

// rawCount runs a counting query straight on the database, so that the
// count adds no audit row of its own.
func rawCount(e *env, query string, n *int64) error {
	sqlDB, err := e.db.SQL()
	if err != nil {
		return err
	}
	return sqlDB.QueryRow(query).Scan(n)
}
