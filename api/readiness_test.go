package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// rrSummary is the readiness summary a conference or list item carries.
type rrSummary struct {
	Status     string `json:"status"`
	Blockers   int    `json:"blockers"`
	Advisories int    `json:"advisories"`
	DueOn      string `json:"due_on"`
	Overdue    bool   `json:"overdue"`
}

func rrStoredSummary(e *env, org, confID string) rrSummary {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: rrPath(confID), Key: e.key(org, domain.RoleManager)})
	rrStatus(e.t, r, 200)
	var c struct {
		Readiness rrSummary `json:"readiness"`
	}
	r.Decode(e.t, &c)
	return c.Readiness
}

// rrList pages through GET /v1/conferences?query and returns every item's
// id and readiness summary, in order.
func rrList(e *env, org, query string) ([]string, map[string]rrSummary) {
	e.t.Helper()
	var ids []string
	sums := map[string]rrSummary{}
	cursor := ""
	for page := 0; ; page++ {
		q, err := url.ParseQuery(query)
		if err != nil {
			e.t.Fatal(err)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.do(req{Method: "GET", Path: "/v1/conferences?" + q.Encode(), Key: e.key(org, domain.RoleManager)})
		rrStatus(e.t, r, 200)
		var body struct {
			Items []struct {
				ID        string    `json:"id"`
				Readiness rrSummary `json:"readiness"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		r.Decode(e.t, &body)
		for _, it := range body.Items {
			ids = append(ids, it.ID)
			sums[it.ID] = it.Readiness
		}
		if body.NextCursor == nil {
			return ids, sums
		}
		if page > 1000 {
			e.t.Fatal("the list never ends")
		}
		cursor = *body.NextCursor
	}
}

func rrWantList(t *testing.T, e *env, query string, want ...string) {
	t.Helper()
	got, _ := rrList(e, orgA, query)
	if got == nil {
		got = []string{}
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("GET /v1/conferences?%s = %q, want %q", query, got, want)
	}
}

// rrNotReadyWithDeadlines builds a conference whose blockers include three
// with deadlines: a social care report neither shared with the mother nor
// with the chair, and unshared child's views.
func rrNotReadyWithDeadlines(e *env, ref string) (id, pid, rid string) {
	e.t.Helper()
	id = e.mustCreate(orgA, ref)
	pid = e.mustAddParticipant(orgA, id)
	rid = rrAddReport(e, orgA, id, "social_care")
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", rrPath(id, "/children/C-1/views"), map[string]any{"means": "social_worker", "recorded_on": "2026-11-20"}, 201)
	return id, pid, rid
}

func TestReadinessFindingsAgreeWithStoredSummary(t *testing.T) {
	e := newEnv(t)
	id, pid, rid := rrNotReadyWithDeadlines(e, "RD-1")
	r := e.do(req{Method: "GET", Path: rrPath(id, "/readiness"), Key: e.key(orgA, domain.RoleChair)})
	rrStatus(t, r, 200)
	if got := r.Header.Get("ETag"); got != `"4"` {
		t.Errorf("ETag = %q, want the conference's \"4\"", got)
	}
	var rd rrReadiness
	r.Decode(t, &rd)
	rrWantCodes(t, rd.Findings, "QUORUM_NOT_CONFIRMED",
		"NEEDS_NOT_ASSESSED", "NOT_SPOKEN_TO_SOCIAL_WORKER", "NOT_SPOKEN_TO_CHAIR", "FAMILY_NOT_INFORMED", "ADVOCACY_NOT_OFFERED",
		"PRIVATE_SPACE_NOT_CONFIRMED", "TECHNOLOGY_NOT_CHECKED", "REPORT_NOT_WITH_CHAIR", "REPORT_NOT_SHARED", "CHILD_VIEWS_NOT_SHARED")
	if rd.Status != "not_ready" || rd.Blockers != 10 || rd.Advisories != 1 || rd.EvaluatedAt != "2026-11-23T09:00:00Z" {
		t.Errorf("readiness = %+v", rd)
	}
	for i, f := range rd.Findings {
		if (f.Severity != "blocker") != (f.Code == "ADVOCACY_NOT_OFFERED") || f.Overdue || f.Message == "" {
			t.Errorf("finding %d = %+v", i, f)
		}
		due := ""
		if f.DueOn != nil {
			due = f.DueOn.String()
		}
		switch f.Code {
		case "REPORT_NOT_SHARED":
			if f.ParticipantID != pid || f.ReportID != rid || due != "2026-12-02" {
				t.Errorf("REPORT_NOT_SHARED = %+v", f)
			}
		case "CHILD_VIEWS_NOT_SHARED":
			if f.ChildRef != "C-1" || due != "2026-12-02" {
				t.Errorf("CHILD_VIEWS_NOT_SHARED = %+v", f)
			}
		case "REPORT_NOT_WITH_CHAIR":
			if f.ParticipantID != "" || f.ReportID != rid || due != "2026-12-02" {
				t.Errorf("REPORT_NOT_WITH_CHAIR = %+v", f)
			}
		case "QUORUM_NOT_CONFIRMED":
			if f.ParticipantID != "" || due != "" {
				t.Errorf("QUORUM_NOT_CONFIRMED = %+v", f)
			}
		default:
			if f.ParticipantID != pid || due != "" {
				t.Errorf("%s = %+v", f.Code, f)
			}
		}
	}
	want := rrSummary{Status: "not_ready", Blockers: 10, Advisories: 1, DueOn: "2026-12-02", Overdue: false}
	if got := rrStoredSummary(e, orgA, id); got != want {
		t.Errorf("stored summary = %+v, want %+v", got, want)
	}
	if _, sums := rrList(e, orgA, "readiness=not_ready"); sums[id] != want {
		t.Errorf("list summary = %+v, want %+v", sums[id], want)
	}
	// Every role may read readiness.
	for _, role := range domain.Roles {
		rrStatus(t, e.do(req{Method: "GET", Path: rrPath(id, "/readiness"), Key: e.key(orgA, role)}), 200)
	}
}

func TestReadinessOverdueFollowsTheClockWithoutAWrite(t *testing.T) {
	e := newEnv(t)
	id, pid, rid := rrNotReadyWithDeadlines(e, "RD-2")
	agg := e.aggregate(id)
	rrWantList(t, e, "overdue=true")
	rrWantList(t, e, "overdue=false", id)

	// On the due date itself nothing is overdue yet.
	e.clock.Set(time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC))
	rrWantList(t, e, "overdue=true")
	if s := rrStoredSummary(e, orgA, id); s.Overdue {
		t.Errorf("overdue on the due date: %+v", s)
	}

	e.clock.Set(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	rd := rrGetReadiness(e, orgA, id)
	if rd.EvaluatedAt != "2026-12-03T08:00:00Z" || rd.Status != "not_ready" || rd.Blockers != 10 {
		t.Errorf("readiness = %+v", rd)
	}
	for _, f := range rd.Findings {
		if want := f.DueOn != nil; f.Overdue != want {
			t.Errorf("%s overdue = %v, want %v", f.Code, f.Overdue, want)
		}
	}
	want := rrSummary{Status: "not_ready", Blockers: 10, Advisories: 1, DueOn: "2026-12-02", Overdue: true}
	if got := rrStoredSummary(e, orgA, id); got != want {
		t.Errorf("stored summary = %+v, want %+v", got, want)
	}
	rrWantList(t, e, "overdue=true", id)
	rrWantList(t, e, "overdue=false")
	rrWantList(t, e, "readiness=not_ready&overdue=true", id)
	if _, sums := rrList(e, orgA, "overdue=true"); sums[id] != want {
		t.Errorf("list summary = %+v, want %+v", sums[id], want)
	}
	if got := e.aggregate(id); got != agg {
		t.Errorf("reading readiness changed the conference:\n%s\n%s", agg, got)
	}

	// Sharing late clears the blocker, leaves an advisory that is never
	// overdue, and takes the conference off the overdue list.
	rrShare(e, orgA, id, rid, pid, "2026-12-03")
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", rrPath(id, "/children/C-1/views"), map[string]any{"means": "social_worker", "recorded_on": "2026-11-20", "shared_on": "2026-12-03"}, 200)
	rrStatus(t, e.do(req{Method: "PATCH", Path: rrPath(id, "/reports/", rid), Key: e.key(orgA, domain.RoleSocialWorker),
		Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"shared_with_chair_on": "2026-12-03"}}), 200)
	rd = rrGetReadiness(e, orgA, id)
	late := rrFindings(rd.Findings, "REPORT_SHARED_LATE")
	if len(late) != 1 || late[0].Severity != "advisory" || late[0].Overdue || late[0].DueOn == nil || late[0].DueOn.String() != "2026-12-02" || rd.Advisories != 2 || rd.Blockers != 7 {
		t.Errorf("after a late share: %+v", rd)
	}
	want = rrSummary{Status: "not_ready", Blockers: 7, Advisories: 2}
	if got := rrStoredSummary(e, orgA, id); got != want {
		t.Errorf("stored summary = %+v, want %+v", got, want)
	}
	rrWantList(t, e, "overdue=true")
	rrWantList(t, e, "overdue=false", id)
}

func TestReadinessRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "RD-3")
	for name, c := range map[string]struct {
		key, path string
		status    int
	}{
		"no key":             {"", rrPath(id, "/readiness"), 401},
		"other organisation": {e.key(orgB, domain.RoleManager), rrPath(id, "/readiness"), 404},
		"unknown":            {e.key(orgA, domain.RoleManager), rrPath(uuid.NewString(), "/readiness"), 404},
		"not an id":          {e.key(orgA, domain.RoleManager), rrPath("RD-3", "/readiness"), 404},
		"checks, no key":     {"", rrPath(id, "/readiness-checks"), 401},
		"checks, other org":  {e.key(orgB, domain.RoleChair), rrPath(id, "/readiness-checks"), 404},
		"checks, unknown":    {e.key(orgA, domain.RoleChair), rrPath(uuid.NewString(), "/readiness-checks"), 404},
		"checks, not an id":  {e.key(orgA, domain.RoleChair), rrPath("RD-3", "/readiness-checks"), 404},
	} {
		t.Run(name, func(t *testing.T) {
			rrProblem(t, e.do(req{Method: "GET", Path: c.path, Key: c.key}), c.status)
		})
	}
}

func TestListReadinessAndDateFilters(t *testing.T) {
	e := newEnv(t)
	ready := e.mustCreate(orgA, "LF-READY") // 2026-12-07
	rrMakeReady(e, orgA, ready)
	soon := rrCreateAt(e, orgA, "LF-SOON", "2026-11-26T10:00:00Z") // reports due 2026-11-23
	rrAddReport(e, orgA, soon, "social_care")
	e.mustAddParticipant(orgA, soon)
	later := rrCreateAt(e, orgA, "LF-LATER", "2026-12-10T10:00:00Z") // no deadline among its blockers
	e.mustCreate(orgB, "LF-OTHER")

	if s := rrStoredSummary(e, orgA, ready); s != (rrSummary{Status: "ready"}) {
		t.Fatalf("ready summary = %+v", s)
	}
	rrWantList(t, e, "readiness=ready", ready)
	rrWantList(t, e, "readiness=not_ready", soon, later)
	rrWantList(t, e, "readiness=not_ready&limit=1", soon, later) // two pages
	rrWantList(t, e, "overdue=true")
	rrWantList(t, e, "from=2026-12-01", ready, later)
	rrWantList(t, e, "to=2026-12-07", soon, ready)
	rrWantList(t, e, "from=2026-12-07&to=2026-12-07", ready)
	rrWantList(t, e, "from=2026-12-07T10:00:00Z", ready, later)
	rrWantList(t, e, "to=2026-12-07T10:00:00Z", soon)
	rrWantList(t, e, "readiness=not_ready&from=2026-12-01", later)

	e.clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	rrWantList(t, e, "overdue=true", soon)
	rrWantList(t, e, "overdue=false", ready, later)
	rrWantList(t, e, "readiness=ready&overdue=true")
	rrWantList(t, e, "readiness=not_ready&overdue=false", later)
	rrWantList(t, e, "overdue=true&to=2026-11-25")

	mgr := e.key(orgA, domain.RoleManager)
	for _, c := range []struct{ query, field string }{
		{"readiness=maybe", "readiness"},
		{"overdue=yes", "overdue"},
		{"overdue=1", "overdue"},
		{"from=tomorrow", "from"},
		{"to=2026-13-01", "to"},
		{"limit=0", "limit"},
		{"limit=201", "limit"},
		{"cursor=not-a-cursor", "cursor"},
		{"readiness=ready&readiness=not_ready", "readiness"},
		{"colour=blue", "colour"},
	} {
		p := rrProblem(t, e.do(req{Method: "GET", Path: "/v1/conferences?" + c.query, Key: mgr}), 422)
		rrFields(t, p, c.field)
	}
}

func TestReadinessChecks(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "RC-1")
	pid := rrReadyParticipant(e, orgA, id)
	rrQuorate(e, orgA, id)
	chair := e.key(orgA, domain.RoleChair)
	path := rrPath(id, "/readiness-checks")
	version := e.etagOf(orgA, id)

	unchanged := rrUnchanged(t, e, id)
	p := rrProblem(t, e.do(req{Method: "POST", Path: path, Key: chair, Body: map[string]any{"decision": "proceed"}}), 422)
	rrFields(t, p, "note")
	unchanged()

	r := e.do(req{Method: "POST", Path: path, Key: chair, Body: map[string]any{"decision": "proceed", "note": "The family asked to go ahead"}})
	rrStatus(t, r, 201)
	var first domain.ReadinessCheck
	r.Decode(t, &first)
	if uuid.Validate(first.ID) != nil || first.Decision != "proceed" || first.Note != "The family asked to go ahead" ||
		first.CheckedBy == "" || first.CheckedByKind != domain.PrincipalKey || !first.CheckedAt.Equal(e.clock.Now()) || first.Readiness.Status != "not_ready" ||
		first.Readiness.Blockers != 2 || first.Readiness.Advisories != 0 {
		t.Errorf("check = %s", r.Body)
	}
	rrWantCodes(t, first.Readiness.Findings, "SOCIAL_WORKER_REPORT_MISSING", "CHILD_VIEWS_NOT_RECORDED")
	if got, want := r.Header.Get("Location"), path+"/"+first.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	ev := rrLastEvent(t, e, id)
	if ev.Action != "create" || ev.Entity != "readiness_check" || ev.EntityID != first.ID || ev.Role != "chair" ||
		ev.Changes != `{"decision":{"before":null,"after":"proceed"},"note":{"before":null,"after":null,"redacted":true},"status":{"before":null,"after":"not_ready"}}` {
		t.Errorf("audit row = %+v", ev)
	}
	if got := e.etagOf(orgA, id); got != version {
		t.Errorf("a check changed the conference's version: %s, was %s", got, version)
	}

	// The conference becomes ready; the first check keeps its findings.
	e.clock.Set(e.clock.Now().Add(time.Hour))
	rid := rrAddReport(e, orgA, id, "social_care")
	rrShare(e, orgA, id, rid, pid, "2026-11-23")
	rrToChair(e, orgA, id, rid, "2026-11-23")
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", rrPath(id, "/children/C-1/views"), map[string]any{"means": "attending", "recorded_on": "2026-11-23", "shared_on": "2026-11-23"}, 201)
	second := rrWrite(e, orgA, domain.RoleChair, "POST", path, map[string]any{"decision": "proceed"}, 201)
	if rd := second["readiness"].(map[string]any); rd["status"] != "ready" || rd["blockers"] != 0.0 || len(rd["findings"].([]any)) != 0 {
		t.Errorf("second check = %v", second)
	}
	e.clock.Set(e.clock.Now().Add(time.Hour))
	third := rrWrite(e, orgA, domain.RoleChair, "POST", path, map[string]any{"decision": "postpone"}, 201)

	for _, role := range domain.Roles {
		r := e.do(req{Method: "GET", Path: path, Key: e.key(orgA, role)})
		rrStatus(t, r, 200)
		var list struct{ Items []domain.ReadinessCheck }
		r.Decode(t, &list)
		if len(list.Items) != 3 || list.Items[0].ID != first.ID || list.Items[1].ID != second["id"] || list.Items[2].ID != third["id"] {
			t.Fatalf("%s: checks = %s", role, r.Body)
		}
		was, _ := json.Marshal(first.Readiness)
		kept, _ := json.Marshal(list.Items[0].Readiness)
		if string(was) != string(kept) || list.Items[0].Note != first.Note || !list.Items[0].CheckedAt.Equal(first.CheckedAt) || list.Items[0].CheckedBy != first.CheckedBy || list.Items[0].CheckedByKind != domain.PrincipalKey {
			t.Errorf("the stored check changed:\nwas  %s\nkept %s", was, kept)
		}
		if list.Items[1].Readiness.Status != "ready" || list.Items[2].Decision != "postpone" || list.Items[2].Note != "" {
			t.Errorf("%s: checks = %s", role, r.Body)
		}
	}
}

func TestReadinessCheckRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "RC-2")
	chair := e.key(orgA, domain.RoleChair)
	ok := map[string]any{"decision": "postpone", "note": "Reports not shared"}
	rrRefuses(t, e, id, "POST", rrPath(id, "/readiness-checks"), []rrCase{
		{name: "no key", body: ok, status: 401},
		{name: "case system", key: e.key(orgA, domain.RoleCaseSystem), body: ok, status: 403},
		{name: "social worker", key: e.key(orgA, domain.RoleSocialWorker), body: ok, status: 403},
		{name: "manager", key: e.key(orgA, domain.RoleManager), body: ok, status: 403},
		{name: "admin", key: e.key(orgA, domain.RoleAdmin), body: ok, status: 403},
		{name: "other organisation", key: e.key(orgB, domain.RoleChair), body: ok, status: 404},
		{name: "unknown conference", key: chair, path: rrPath(uuid.NewString(), "/readiness-checks"), body: ok, status: 404},
		{name: "proceed while not ready", key: chair, body: map[string]any{"decision": "proceed"}, status: 422, fields: []string{"note"}},
		{name: "decision", key: chair, body: map[string]any{"decision": "maybe", "note": "x"}, status: 422, fields: []string{"decision"}},
		{name: "no decision", key: chair, body: map[string]any{"note": "x"}, status: 422, fields: []string{"decision"}},
		{name: "long note", key: chair, body: map[string]any{"decision": "postpone", "note": rrLongText(2001)}, status: 422, fields: []string{"note"}},
		{name: "malformed", key: chair, body: `{"decision":`, status: 400},
		{name: "unknown field", key: chair, body: map[string]any{"decision": "postpone", "by": "me"}, status: 400, fields: []string{"by"}},
		{name: "text/plain", key: chair, body: ok, ct: "text/plain", status: 415},
		{name: "too large", key: chair, body: rrHuge, status: 413},
	})
	r := e.do(req{Method: "GET", Path: rrPath(id, "/readiness-checks"), Key: chair})
	rrStatus(t, r, 200)
	if string(r.Body) != `{"items":[]}` {
		t.Errorf("refused checks were stored: %s", r.Body)
	}
}

func rrLongText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'n'
	}
	return string(b)
}
