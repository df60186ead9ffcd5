package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// --- helpers shared by reports_test.go, readiness_test.go, policy_test.go,
// history_test.go and list_property_test.go; prefixed rr so they cannot
// clash with other files ---

func rrPath(confID string, rest ...string) string {
	return "/v1/conferences/" + confID + strings.Join(rest, "")
}

// rrStatus fails the test unless r has the status.
func rrStatus(t testing.TB, r resp, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %d, want %d: %s", r.Status, want, truncate(r.Body))
	}
}

// rrProblem asserts that r is an RFC 9457 problem with the status.
func rrProblem(t testing.TB, r resp, status int) api.Problem {
	t.Helper()
	rrStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p api.Problem
	r.Decode(t, &p)
	if p.Status != status || p.Title != http.StatusText(status) || !strings.HasPrefix(p.Type, "urn:cpcready:problem:") {
		t.Errorf("problem = %+v, want status %d", p, status)
	}
	return p
}

// rrFields asserts that a problem names exactly these fields.
func rrFields(t testing.TB, p api.Problem, want ...string) {
	t.Helper()
	got := []string{}
	for _, f := range p.Errors {
		got = append(got, f.Field)
		if f.Message == "" {
			t.Errorf("field %q has no message", f.Field)
		}
	}
	want = append([]string{}, want...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("problem fields = %q, want %q", got, want)
	}
}

// rrEvent is one stored audit row, read straight from the table.
type rrEvent struct{ Action, Entity, EntityID, Role, Changes string }

// rrAudit returns the audit rows of a conference, oldest first, without
// going through the API (which would add a row of its own).
func rrAudit(t testing.TB, e *env, confID string) []rrEvent {
	t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	ph := "?"
	if e.db.Dialect == store.Postgres {
		ph = "$1"
	}
	rows, err := sqlDB.Query("SELECT action, entity, entity_id, actor_role, COALESCE(CAST(changes AS TEXT), '') FROM audit_events WHERE conference_id = "+ph+" ORDER BY id", confID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rrEvent
	for rows.Next() {
		var ev rrEvent
		if err := rows.Scan(&ev.Action, &ev.Entity, &ev.EntityID, &ev.Role, &ev.Changes); err != nil {
			t.Fatal(err)
		}
		ev.Changes = rrCanonical(t, ev.Changes)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rrCanonical rewrites stored changes as this service writes them, so that
// PostgreSQL's JSONB spelling compares equal to SQLite's text.
func rrCanonical(t testing.TB, changes string) string {
	t.Helper()
	if changes == "" {
		return ""
	}
	var m map[string]audit.FieldChange
	if err := json.Unmarshal([]byte(changes), &m); err != nil {
		t.Fatalf("stored changes %q: %v", changes, err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rrLastEvent returns the newest audit row of a conference.
func rrLastEvent(t testing.TB, e *env, confID string) rrEvent {
	t.Helper()
	evs := rrAudit(t, e, confID)
	if len(evs) == 0 {
		t.Fatal("no audit rows")
	}
	return evs[len(evs)-1]
}

// rrUnchanged snapshots a conference's aggregate and audit trail; the
// returned function fails the test if either has changed since.
func rrUnchanged(t testing.TB, e *env, confID string) func() {
	t.Helper()
	agg, n := e.aggregate(confID), len(rrAudit(t, e, confID))
	return func() {
		t.Helper()
		if got := e.aggregate(confID); got != agg {
			t.Errorf("a refused write changed the aggregate:\nbefore %s\nafter  %s", agg, got)
		}
		if got := len(rrAudit(t, e, confID)); got != n {
			t.Errorf("a refused write left audit rows: %d, want %d", got, n)
		}
	}
}

// rrCase is one request a route must refuse.
type rrCase struct {
	name   string
	key    string
	path   string // the route's path unless set
	body   any
	ct     string
	header map[string]string
	status int
	fields []string // the problem's field names, checked when not nil
}

// rrRefuses sends each case and checks its problem, and that neither the
// conference nor its audit trail changed.
func rrRefuses(t *testing.T, e *env, confID, method, path string, cases []rrCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unchanged := rrUnchanged(t, e, confID)
			p := c.path
			if p == "" {
				p = path
			}
			r := e.do(req{Method: method, Path: p, Key: c.key, Body: c.body, ContentType: c.ct, Header: c.header})
			pr := rrProblem(t, r, c.status)
			if c.fields != nil {
				rrFields(t, pr, c.fields...)
			}
			unchanged()
		})
	}
}

// rrHuge is a JSON body over the 1 MiB limit.
var rrHuge = `{"title":"` + strings.Repeat("x", 1<<20+16) + `"}`

// rrCommonRefusals are the refusals every preparer-only write shares: no
// credentials, the wrong roles, another organisation, bad bodies.
func rrCommonRefusals(e *env, body any) []rrCase {
	return []rrCase{
		{name: "no key", body: body, status: 401},
		{name: "chair", key: e.key(orgA, domain.RoleChair), body: body, status: 403},
		{name: "manager", key: e.key(orgA, domain.RoleManager), body: body, status: 403},
		{name: "admin", key: e.key(orgA, domain.RoleAdmin), body: body, status: 403},
		{name: "other organisation", key: e.key(orgB, domain.RoleCaseSystem), body: body, status: 404},
		{name: "malformed JSON", key: e.key(orgA, domain.RoleCaseSystem), body: `{"agency":`, status: 400},
		{name: "not an object", key: e.key(orgA, domain.RoleCaseSystem), body: `[]`, status: 400},
		{name: "trailing data", key: e.key(orgA, domain.RoleCaseSystem), body: `{} {}`, status: 400},
		{name: "unknown field", key: e.key(orgA, domain.RoleCaseSystem), body: `{"surprise":1}`, status: 400, fields: []string{"surprise"}},
		{name: "text/plain", key: e.key(orgA, domain.RoleCaseSystem), body: body, ct: "text/plain", status: 415},
		{name: "too large", key: e.key(orgA, domain.RoleCaseSystem), body: rrHuge, status: 413},
		{name: "stale If-Match", key: e.key(orgA, domain.RoleCaseSystem), body: body, header: map[string]string{"If-Match": `"1"`}, status: 412},
		{name: "foreign If-Match", key: e.key(orgA, domain.RoleCaseSystem), body: body, header: map[string]string{"If-Match": `"abc"`}, status: 412},
	}
}

// rrCreateAt creates a conference scheduled at start and returns its id.
func rrCreateAt(e *env, org, ref, start string) string {
	e.t.Helper()
	b := conferenceBody(ref)
	b["scheduled_start"] = start
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(org, domain.RoleCaseSystem), Body: b})
	rrStatus(e.t, r, 201)
	return r.JSON(e.t)["id"].(string)
}

// rrWrite sends a write that must succeed with want and returns the body.
func rrWrite(e *env, org string, role domain.Role, method, path string, body any, want int) map[string]any {
	e.t.Helper()
	r := e.do(req{Method: method, Path: path, Key: e.key(org, role), Body: body})
	rrStatus(e.t, r, want)
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON(e.t)
}

func rrAddReport(e *env, org, confID, agency string) string {
	e.t.Helper()
	b := rrWrite(e, org, domain.RoleSocialWorker, "POST", rrPath(confID, "/reports"), map[string]any{"agency": agency, "title": "A " + agency + " report"}, 201)
	return b["id"].(string)
}

func rrShare(e *env, org, confID, rid, pid, on string) string {
	e.t.Helper()
	b := rrWrite(e, org, domain.RoleSocialWorker, "POST", rrPath(confID, "/reports/", rid, "/shares"), map[string]any{"participant_id": pid, "shared_on": on}, 201)
	return b["id"].(string)
}

// rrContact records a conversation; a chair records their own.
func rrContact(e *env, org, confID, pid, with, on string) {
	e.t.Helper()
	role := domain.RoleSocialWorker
	if with == "chair" {
		role = domain.RoleChair
	}
	rrWrite(e, org, role, "POST", rrPath(confID, "/participants/", pid, "/contacts"), map[string]any{"with": with, "on": on, "method": "phone"}, 201)
}

// rrReadyParticipant adds a mother attending in person, assessed and
// spoken to by both the social worker and the chair.
func rrReadyParticipant(e *env, org, confID string) string {
	e.t.Helper()
	b := rrWrite(e, org, domain.RoleSocialWorker, "POST", rrPath(confID, "/participants"), map[string]any{
		"display_name": "Parent Person", "relationship": "mother", "invited": true,
		"attendance": "in_person", "needs_assessed_on": "2026-11-20",
		"informed_on": "2026-11-20", "advocacy_offered_on": "2026-11-20",
	}, 201)
	pid := b["id"].(string)
	rrContact(e, org, confID, pid, "social_worker", "2026-11-20")
	rrContact(e, org, confID, pid, "chair", "2026-11-21")
	return pid
}

// rrMakeReady brings a conferenceBody conference to ready: a prepared
// mother, a shared social care report and the child's views shared.
func rrMakeReady(e *env, org, confID string) (pid, rid string) {
	e.t.Helper()
	pid = rrReadyParticipant(e, org, confID)
	rid = rrAddReport(e, org, confID, "social_care")
	rrShare(e, org, confID, rid, pid, "2026-11-23")
	rrWrite(e, org, domain.RoleSocialWorker, "PUT", rrPath(confID, "/children/C-1/views"), map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-11-22"}, 201)
	rrToChair(e, org, confID, rid, "2026-11-22")
	rrQuorate(e, org, confID)
	return pid, rid
}

// rrToChair records the day a report reached the chair.
func rrToChair(e *env, org, confID, rid, on string) {
	e.t.Helper()
	rrStatus(e.t, e.do(req{Method: "PATCH", Path: rrPath(confID, "/reports/", rid), Key: e.key(org, domain.RoleSocialWorker),
		Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"shared_with_chair_on": on}}), 200)
}

// rrQuorate records children's social care, the police and health as
// confirmed, none of them owing a report: a quorum under the default policy.
func rrQuorate(e *env, org, confID string) {
	e.t.Helper()
	for _, agency := range []string{"social_care", "police", "health"} {
		rrWrite(e, org, domain.RoleCaseSystem, "POST", rrPath(confID, "/professionals"), map[string]any{
			"agency": agency, "name": "A " + agency + " professional", "attendance": "confirmed", "report_expected": false,
		}, 201)
	}
}

// rrReadiness is GET /readiness decoded.
type rrReadiness struct {
	Status      string           `json:"status"`
	Blockers    int              `json:"blockers"`
	Advisories  int              `json:"advisories"`
	Findings    []domain.Finding `json:"findings"`
	EvaluatedAt string           `json:"evaluated_at"`
}

func rrGetReadiness(e *env, org, confID string) rrReadiness {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: rrPath(confID, "/readiness"), Key: e.key(org, domain.RoleManager)})
	rrStatus(e.t, r, 200)
	var out rrReadiness
	r.Decode(e.t, &out)
	return out
}

// rrCodes lists the findings' codes in order.
func rrCodes(fs []domain.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func rrWantCodes(t testing.TB, fs []domain.Finding, want ...string) {
	t.Helper()
	if got := rrCodes(fs); !slices.Equal(got, want) {
		t.Errorf("finding codes = %q, want %q", got, want)
	}
}

// --- reports ---

func TestReportAdd(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "REP-1")
	r := e.do(req{Method: "POST", Path: rrPath(id, "/reports"), Key: e.key(orgA, domain.RoleCaseSystem),
		Body: map[string]any{"agency": "social_care", "title": "Social work report", "received_on": "2026-11-20"}})
	rrStatus(t, r, 201)
	var rep domain.Report
	r.Decode(t, &rep)
	if uuid.Validate(rep.ID) != nil || rep.Agency != "social_care" || rep.Title != "Social work report" ||
		rep.ReceivedOn == nil || rep.ReceivedOn.String() != "2026-11-20" || rep.Shares == nil || len(rep.Shares) != 0 {
		t.Errorf("report = %s", r.Body)
	}
	if got, want := r.Header.Get("Location"), rrPath(id, "/reports/", rep.ID); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := r.Header.Get("ETag"); got != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", got)
	}
	ev := rrLastEvent(t, e, id)
	if ev.Action != "create" || ev.Entity != "report" || ev.EntityID != rep.ID || ev.Role != "case_system" ||
		ev.Changes != `{"agency":{"before":null,"after":"social_care"},"received_on":{"before":null,"after":"2026-11-20"},"title":{"before":null,"after":null,"redacted":true}}` {
		t.Errorf("audit row = %+v", ev)
	}
	// A social care report clears SOCIAL_WORKER_REPORT_MISSING; with no
	// family member there is nobody to share it with.
	rrWantCodes(t, rrGetReadiness(e, orgA, id).Findings, "NO_FAMILY_PARTICIPANTS", "QUORUM_NOT_CONFIRMED", "REPORT_NOT_WITH_CHAIR", "CHILD_VIEWS_NOT_RECORDED")

	// A social worker may add one too, without received_on.
	r = e.do(req{Method: "POST", Path: rrPath(id, "/reports"), Key: e.key(orgA, domain.RoleSocialWorker),
		Body: map[string]any{"agency": "police", "title": "Police report"}})
	rrStatus(t, r, 201)
	if b := r.JSON(t); b["received_on"] != nil || b["agency"] != "police" || r.Header.Get("ETag") != `"3"` {
		t.Errorf("second report = %s, ETag %s", r.Body, r.Header.Get("ETag"))
	}
	var conf domain.Conference
	e.do(req{Method: "GET", Path: rrPath(id), Key: e.key(orgA, domain.RoleManager)}).Decode(t, &conf)
	if len(conf.Reports) != 2 || conf.Reports[0].ID != rep.ID || conf.Reports[1].Agency != "police" {
		t.Errorf("reports = %+v", conf.Reports)
	}
}

func TestReportAddRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "REP-2")
	e.mustAddParticipant(orgA, id) // version 2, so "1" is stale
	cs := e.key(orgA, domain.RoleCaseSystem)
	ok := map[string]any{"agency": "police", "title": "Police report"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{"agency": "police", "title": "Police report"}
		m[k] = v
		return m
	}
	cases := append(rrCommonRefusals(e, ok),
		rrCase{name: "unknown conference", key: cs, path: rrPath(uuid.NewString(), "/reports"), body: ok, status: 404},
		rrCase{name: "agency", key: cs, body: with("agency", "social"), status: 422, fields: []string{"agency"}},
		rrCase{name: "no title", key: cs, body: map[string]any{"agency": "police"}, status: 422, fields: []string{"title"}},
		rrCase{name: "long title", key: cs, body: with("title", strings.Repeat("t", 301)), status: 422, fields: []string{"title"}},
		rrCase{name: "future received_on", key: cs, body: with("received_on", "2026-11-24"), status: 422, fields: []string{"received_on"}},
		rrCase{name: "bad received_on", key: cs, body: with("received_on", "20/11/2026"), status: 422, fields: []string{"received_on"}},
		rrCase{name: "title not a string", key: cs, body: with("title", 7), status: 422, fields: []string{"title"}},
	)
	rrRefuses(t, e, id, "POST", rrPath(id, "/reports"), cases)
	// Another organisation's conference, unknown to the caller, stays as it was.
	other := e.mustCreate(orgB, "REP-2")
	rrRefuses(t, e, other, "POST", rrPath(other, "/reports"), []rrCase{{name: "cross org", key: cs, body: ok, status: 404}})
}

func TestReportAddIdempotent(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "REP-3")
	body := map[string]any{"agency": "health", "title": "Health visitor report"}
	send := func(b any) resp {
		return e.do(req{Method: "POST", Path: rrPath(id, "/reports"), Key: e.key(orgA, domain.RoleCaseSystem), Body: b, Header: map[string]string{"Idempotency-Key": "rep-3-health"}})
	}
	first, again := send(body), send(body)
	rrStatus(t, first, 201)
	rrStatus(t, again, 201)
	if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Errorf("replay differs: %s / %s", first.Body, again.Body)
	}
	unchanged := rrUnchanged(t, e, id)
	pr := rrProblem(t, send(map[string]any{"agency": "police", "title": "Other"}), 422)
	rrFields(t, pr, "Idempotency-Key")
	unchanged()
	creates := 0
	for _, ev := range rrAudit(t, e, id) {
		if ev.Entity == "report" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("report audit rows = %d, want 1", creates)
	}
}
