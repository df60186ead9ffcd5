package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// rrHistoryPage is GET /history decoded.
type rrHistoryPage struct {
	Items []struct {
		ID         int64     `json:"id"`
		OccurredAt time.Time `json:"occurred_at"`
		Actor      struct {
			Kind, ID, Name, Role string
		} `json:"actor"`
		Action          string                     `json:"action"`
		Entity          string                     `json:"entity"`
		EntityID        string                     `json:"entity_id"`
		ConferenceID    string                     `json:"conference_id"`
		RequestID       string                     `json:"request_id"`
		ClientRequestID string                     `json:"client_request_id"`
		Changes         map[string]json.RawMessage `json:"changes"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func rrHistory(e *env, org, confID, query string) (rrHistoryPage, resp) {
	e.t.Helper()
	path := rrPath(confID, "/history")
	if query != "" {
		path += "?" + query
	}
	r := e.do(req{Method: "GET", Path: path, Key: e.key(org, domain.RoleManager)})
	rrStatus(e.t, r, 200)
	var page rrHistoryPage
	r.Decode(e.t, &page)
	return page, r
}

// rrPatchParticipant sends a merge patch with If-Match.
func rrPatchParticipant(e *env, confID, pid, etag string, patch map[string]any, requestID string) resp {
	e.t.Helper()
	return e.do(req{Method: "PATCH", Path: rrPath(confID, "/participants/", pid), Key: e.key(orgA, domain.RoleSocialWorker),
		Body: patch, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": etag, "X-Request-ID": requestID}})
}

func TestHistoryRecordsEveryWriteOnce(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "HI-1")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	body := participantBody()
	body["attendance"] = "unknown"
	r := e.do(req{Method: "POST", Path: rrPath(id, "/participants"), Key: e.key(orgA, domain.RoleSocialWorker), Body: body})
	rrStatus(t, r, 201)
	pid := r.JSON(t)["id"].(string)

	e.clock.Set(e.clock.Now().Add(time.Minute))
	r = rrPatchParticipant(e, id, pid, r.Header.Get("ETag"), map[string]any{"attendance": "video"}, "req-attendance")
	rrStatus(t, r, 200)
	r = rrPatchParticipant(e, id, pid, r.Header.Get("ETag"), map[string]any{"display_name": "Renamed Person"}, "req-rename")
	rrStatus(t, r, 200)
	if got := len(rrAudit(t, e, id)); got != 4 {
		t.Fatalf("audit rows after four writes = %d", got)
	}

	// Refused writes leave no row.
	unchanged := rrUnchanged(t, e, id)
	rrProblem(t, rrPatchParticipant(e, id, pid, `"2"`, map[string]any{"attendance": "phone"}, ""), 412)
	rrProblem(t, rrPatchParticipant(e, id, pid, r.Header.Get("ETag"), map[string]any{"attendance": "sometimes"}, ""), 422)
	rrProblem(t, e.do(req{Method: "POST", Path: rrPath(id, "/reports"), Key: e.key(orgA, domain.RoleCaseSystem), Body: map[string]any{"agency": "nobody", "title": "x"}}), 422)
	rrProblem(t, e.do(req{Method: "POST", Path: rrPath(id, "/readiness-checks"), Key: e.key(orgA, domain.RoleChair), Body: map[string]any{"decision": "proceed"}}), 422)
	rrProblem(t, e.do(req{Method: "POST", Path: rrPath(id, "/reports"), Key: e.key(orgA, domain.RoleManager), Body: map[string]any{"agency": "police", "title": "x"}}), 403)
	unchanged()

	// Reads of the conference and of its readiness are recorded.
	rrStatus(t, e.do(req{Method: "GET", Path: rrPath(id), Key: e.key(orgA, domain.RoleManager)}), 200)
	rrStatus(t, e.do(req{Method: "GET", Path: rrPath(id, "/readiness"), Key: e.key(orgA, domain.RoleChair)}), 200)

	page, raw := rrHistory(e, orgA, id, "")
	type row struct{ action, entity, entityID, role, requestID string }
	want := []row{
		{"create", "conference", id, "case_system", ""},
		{"create", "participant", pid, "social_worker", ""},
		{"update", "participant", pid, "social_worker", "req-attendance"},
		{"update", "participant", pid, "social_worker", "req-rename"},
		{"read", "conference", id, "manager", ""},
		{"read", "readiness", id, "chair", ""},
	}
	if len(page.Items) != len(want) || page.NextCursor != nil {
		t.Fatalf("history = %s", raw.Body)
	}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i, w := range want {
		it := page.Items[i]
		// The client's X-Request-ID is kept apart from the server's own.
		got := row{it.Action, it.Entity, it.EntityID, it.Actor.Role, it.ClientRequestID}
		if it.RequestID == "" || it.RequestID == it.ClientRequestID {
			t.Errorf("item %d: request id %q is not the server's own", i, it.RequestID)
		}
		if got != w || it.ConferenceID != id || it.Actor.ID == "" || (i > 0 && it.ID <= page.Items[i-1].ID) {
			t.Errorf("item %d = %+v, want %+v", i, it, w)
		}
		if wantAt := start.Add(time.Duration(min(i, 2)) * time.Minute); !it.OccurredAt.Equal(wantAt) {
			t.Errorf("item %d occurred_at = %s, want %s", i, it.OccurredAt, wantAt)
		}
		if it.Action == "read" && it.Changes != nil {
			t.Errorf("a read has changes: %+v", it)
		}
	}
	changes := func(i int) string { b, _ := json.Marshal(page.Items[i].Changes); return string(b) }
	if got := changes(2); got != `{"attendance":{"before":"unknown","after":"video"}}` {
		t.Errorf("attendance changes = %s", got)
	}
	if got := changes(3); got != `{"display_name":{"before":null,"after":null,"redacted":true}}` {
		t.Errorf("display_name changes = %s", got)
	}
	if got := string(page.Items[0].Changes["external_ref"]); got != `{"before":null,"after":"HI-1"}` {
		t.Errorf("create external_ref = %s", got)
	}
	if got := string(page.Items[0].Changes["chair.name"]); got != `{"before":null,"after":null,"redacted":true}` {
		t.Errorf("create chair.name = %s", got)
	}
	// No name or free text reaches the trail, not even inside a list.
	for _, s := range []string{"Parent Person", "Renamed Person", "Child Person", "Chair Person", "Social Worker Person"} {
		if strings.Contains(string(raw.Body), s) {
			t.Errorf("the history holds %q: %s", s, raw.Body)
		}
	}
	if got := string(page.Items[0].Changes["children[0].ref"]); got != `{"before":null,"after":"C-1"}` {
		t.Errorf("create children[0].ref = %s, want the child's ref kept", got)
	}
	if got := string(page.Items[0].Changes["children[0].name"]); got != `{"before":null,"after":null,"redacted":true}` {
		t.Errorf("create children[0].name = %s, want it redacted", got)
	}

	// Reading the history is itself recorded.
	page, _ = rrHistory(e, orgA, id, "order=newest&limit=1")
	if last := page.Items[0]; last.Action != "read" || last.Entity != "history" || last.Actor.Role != "manager" {
		t.Errorf("newest event = %+v, want the history read", last)
	}
}

func TestHistoryPagination(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "HI-2")
	for _, agency := range []string{"police", "health", "education", "probation", "other", "social_care"} {
		rrAddReport(e, orgA, id, agency)
	}
	stored := rrAudit(t, e, id)
	if len(stored) != 7 {
		t.Fatalf("audit rows = %d, want 7", len(stored))
	}

	// Newest first: pages go back from the first request, so later reads
	// (each page adds one) never appear.
	var newest []int64
	var ents []string
	query := "order=newest&limit=3"
	for pages := 1; ; pages++ {
		page, raw := rrHistory(e, orgA, id, query)
		if want := []int{3, 3, 1}[pages-1]; len(page.Items) != want {
			t.Fatalf("newest page %d has %d items, want %d: %s", pages, len(page.Items), want, raw.Body)
		}
		for _, it := range page.Items {
			newest = append(newest, it.ID)
			ents = append(ents, it.Entity)
		}
		if page.NextCursor == nil {
			break
		}
		query = "order=newest&limit=3&cursor=" + *page.NextCursor
	}
	for i := 1; i < len(newest); i++ {
		if newest[i] >= newest[i-1] {
			t.Errorf("newest ids not descending: %v", newest)
		}
	}
	if strings.Join(ents, ",") != "report,report,report,report,report,report,conference" {
		t.Errorf("newest entities = %v", ents)
	}

	// Oldest first: the seven writes in order, then only the history reads
	// made meanwhile; the paging ends.
	var oldest []string
	query = "limit=3"
	for pages := 1; ; pages++ {
		page, _ := rrHistory(e, orgA, id, query)
		for _, it := range page.Items {
			oldest = append(oldest, it.Action+"/"+it.Entity)
		}
		if page.NextCursor == nil {
			break
		}
		if pages > 20 {
			t.Fatal("paging oldest first never ends")
		}
		query = "order=oldest&limit=3&cursor=" + *page.NextCursor
	}
	for i, s := range oldest {
		want := "read/history"
		if i < 7 {
			want = stored[i].Action + "/" + stored[i].Entity
		}
		if s != want {
			t.Errorf("oldest item %d = %s, want %s (%v)", i, s, want, oldest)
		}
	}
	if len(oldest) < 10 {
		t.Errorf("oldest = %v, want the writes and the newest-first reads", oldest)
	}
	page, _ := rrHistory(e, orgA, id, "")
	if len(page.Items) != len(oldest)+1 || page.NextCursor != nil {
		t.Errorf("default page = %d items, want %d", len(page.Items), len(oldest)+1)
	}
}

func TestHistoryRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "HI-3")
	mgr := e.key(orgA, domain.RoleManager)
	for _, role := range domain.Roles {
		rrStatus(t, e.do(req{Method: "GET", Path: rrPath(id, "/history"), Key: e.key(orgA, role)}), 200)
	}
	n := len(rrAudit(t, e, id))
	for _, c := range []struct {
		name, key, path string
		status          int
		field           string
	}{
		{"no key", "", rrPath(id, "/history"), 401, ""},
		{"other organisation", e.key(orgB, domain.RoleManager), rrPath(id, "/history"), 404, ""},
		{"unknown", mgr, rrPath(uuid.NewString(), "/history"), 404, ""},
		{"not an id", mgr, rrPath("HI-3", "/history"), 404, ""},
		{"order", mgr, rrPath(id, "/history?order=sideways"), 422, "order"},
		{"limit 0", mgr, rrPath(id, "/history?limit=0"), 422, "limit"},
		{"limit 201", mgr, rrPath(id, "/history?limit=201"), 422, "limit"},
		{"limit word", mgr, rrPath(id, "/history?limit=ten"), 422, "limit"},
		{"cursor", mgr, rrPath(id, "/history?cursor=abc"), 422, "cursor"},
		{"cursor 0", mgr, rrPath(id, "/history?cursor=0"), 422, "cursor"},
		{"unknown parameter", mgr, rrPath(id, "/history?entity=report"), 422, "entity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := rrProblem(t, e.do(req{Method: "GET", Path: c.path, Key: c.key}), c.status)
			if c.field != "" {
				rrFields(t, p, c.field)
			}
		})
	}
	// Refused reads are not recorded as reads.
	if got := len(rrAudit(t, e, id)); got != n {
		t.Errorf("refused history reads left %d audit rows", got-n)
	}
}
