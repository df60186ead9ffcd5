package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/domain"
)

// --- helpers shared by conferences_*_test.go, participants_*_test.go and
// strict_json_test.go; prefixed ct so they cannot clash with other files ---

// ctProblem asserts that r is an RFC 9457 problem with the given status and
// returns it decoded.
func ctProblem(t *testing.T, r resp, status int) api.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p api.Problem
	r.Decode(t, &p)
	if p.Status != status {
		t.Errorf("problem status = %d, want %d", p.Status, status)
	}
	if p.Title != http.StatusText(status) {
		t.Errorf("problem title = %q, want %q", p.Title, http.StatusText(status))
	}
	if !strings.HasPrefix(p.Type, "urn:cpcready:problem:") {
		t.Errorf("problem type = %q", p.Type)
	}
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-ID") {
		t.Errorf("problem request_id = %q, X-Request-ID = %q", p.RequestID, r.Header.Get("X-Request-ID"))
	}
	return p
}

// ctFields asserts that a problem names exactly these fields, in any order.
func ctFields(t *testing.T, p api.Problem, want ...string) {
	t.Helper()
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
		if f.Message == "" {
			t.Errorf("field %q has no message", f.Field)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("problem fields = %q, want %q (%+v)", got, want, p.Errors)
	}
}

// ctTables are every table a conference write can touch.
var ctTables = []string{"conferences", "readiness_checks", "audit_events", "events", "insight_tallies"}

// ctCount returns the number of rows in table.
func ctCount(t *testing.T, e *env, table string) int {
	t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// ctFrozen records the row count of every table and the stored aggregate
// of each conference; the function it returns fails the test if anything
// changed since. Reads are audited, so take it after any GET.
func ctFrozen(t *testing.T, e *env, confIDs ...string) func() {
	t.Helper()
	counts := map[string]int{}
	for _, tb := range ctTables {
		counts[tb] = ctCount(t, e, tb)
	}
	aggs := map[string]string{}
	for _, id := range confIDs {
		aggs[id] = e.aggregate(id)
	}
	return func() {
		t.Helper()
		for _, tb := range ctTables {
			if n := ctCount(t, e, tb); n != counts[tb] {
				t.Errorf("refused request changed %s: %d rows, was %d", tb, n, counts[tb])
			}
		}
		for id, before := range aggs {
			if after := e.aggregate(id); after != before {
				t.Errorf("refused request changed conference %s:\nbefore %s\nafter  %s", id, before, after)
			}
		}
	}
}

// ctPath joins a conference's path with more segments.
func ctPath(confID string, rest ...string) string {
	return strings.Join(append([]string{"/v1/conferences", confID}, rest...), "/")
}

// ctIfMatch is the header map for an If-Match.
func ctIfMatch(tag string) map[string]string { return map[string]string{"If-Match": tag} }

// ctWith returns a copy of a conference or participant body with changes;
// a nil value removes the field.
func ctWith(body map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// --- POST /v1/conferences ---

func TestCreateConference(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("LCS-100")})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c domain.Conference
	r.Decode(t, &c)
	if len(c.ID) != 36 {
		t.Fatalf("id = %q, want a UUID", c.ID)
	}
	if got := r.Header.Get("Location"); got != "/v1/conferences/"+c.ID {
		t.Errorf("Location = %q", got)
	}
	if got := r.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	body := r.JSON(t)
	for field, want := range map[string]any{
		"external_ref": "LCS-100", "type": "initial", "scheduled_start": "2026-12-07T10:00:00Z",
		"format": "hybrid", "status": "scheduled", "strategy_discussion_on": "2026-11-20", "version": float64(1),
		"created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z",
	} {
		if body[field] != want {
			t.Errorf("%s = %v, want %v", field, body[field], want)
		}
	}
	if c.Chair == nil || *c.Chair != (domain.Person{Ref: "CH-1", Name: "Chair Person"}) {
		t.Errorf("chair = %+v", c.Chair)
	}
	if c.SocialWorker == nil || *c.SocialWorker != (domain.Person{Ref: "SW-1", Name: "Social Worker Person"}) {
		t.Errorf("social_worker = %+v", c.SocialWorker)
	}
	if len(c.Children) != 1 || c.Children[0].Ref != "C-1" || c.Children[0].Name != "Child Person" || c.Children[0].Views != nil {
		t.Errorf("children = %+v", c.Children)
	}
	if ctRaw(t, body, "participants") != "[]" || ctRaw(t, body, "reports") != "[]" {
		t.Errorf("participants/reports = %v / %v, want empty arrays", body["participants"], body["reports"])
	}
	// The readiness summary matches the live evaluation: a conference with
	// no family, no report and no child's views is not ready.
	if c.Readiness.Status != "not_ready" {
		t.Errorf("readiness = %+v", c.Readiness)
	}
	live := e.do(req{Method: "GET", Path: ctPath(c.ID, "readiness"), Key: cs}).JSON(t)
	if float64(c.Readiness.Blockers) != live["blockers"] || float64(c.Readiness.Advisories) != live["advisories"] {
		t.Errorf("summary %+v differs from live readiness %v/%v", c.Readiness, live["blockers"], live["advisories"])
	}
	if !strings.Contains(ctRaw(t, live, "findings"), `"NO_FAMILY_PARTICIPANTS"`) {
		t.Errorf("findings lack NO_FAMILY_PARTICIPANTS: %s", ctRaw(t, live, "findings"))
	}

	// What was stored is what was returned.
	g := e.do(req{Method: "GET", Path: r.Header.Get("Location"), Key: e.key(orgA, domain.RoleManager)})
	if g.Status != http.StatusOK || string(g.Body) != string(r.Body) {
		t.Errorf("GET after create = %d\n%s\nwant\n%s", g.Status, g.Body, r.Body)
	}
	if n := ctCount(t, e, "conferences"); n != 1 {
		t.Errorf("conferences = %d, want 1", n)
	}
}

// ctRaw re-encodes one field of a decoded body.
func ctRaw(t *testing.T, body map[string]any, field string) string {
	t.Helper()
	b, err := json.Marshal(body[field])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateConferenceMinimalAndNormalised(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	// Only the required fields; scheduled_start with an offset and a
	// fraction is stored as whole seconds in UTC.
	body := map[string]any{"external_ref": strings.Repeat("r", 100), "type": "review", "scheduled_start": "2026-12-07T10:00:00.789+01:00", "format": "phone"}
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: body})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	got := r.JSON(t)
	if got["scheduled_start"] != "2026-12-07T09:00:00Z" {
		t.Errorf("scheduled_start = %v, want 2026-12-07T09:00:00Z", got["scheduled_start"])
	}
	if got["status"] != "scheduled" || got["type"] != "review" || got["format"] != "phone" {
		t.Errorf("status/type/format = %v/%v/%v", got["status"], got["type"], got["format"])
	}
	if ctRaw(t, got, "children") != "[]" {
		t.Errorf("children = %s, want []", ctRaw(t, got, "children"))
	}
	for _, absent := range []string{"chair", "social_worker", "strategy_discussion_on", "previous_conference_on"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s present: %v", absent, got[absent])
		}
	}

	// external_ref is unique per organisation only.
	if id := e.mustCreate(orgB, strings.Repeat("r", 100)); id == got["id"] {
		t.Error("another organisation got the same conference")
	}
}

// A past-event date is checked against today in Europe/London, not UTC:
// at 23:30 UTC on 30 June it is already 1 July in London.
func TestCreateConferenceTodayIsLondon(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC))
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("BST-1"), map[string]any{"strategy_discussion_on": "2026-07-01"})})
	if r.Status != http.StatusCreated {
		t.Fatalf("London's today refused: %d %s", r.Status, r.Body)
	}
	frozen := ctFrozen(t, e)
	r = e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("BST-2"), map[string]any{"strategy_discussion_on": "2026-07-02"})})
	ctFields(t, ctProblem(t, r, http.StatusUnprocessableEntity), "strategy_discussion_on")
	frozen()
}

func TestCreateConferenceDuplicateExternalRef(t *testing.T) {
	e := newEnv(t)
	first := e.mustCreate(orgA, "LCS-DUP")
	frozen := ctFrozen(t, e, first)
	// A repeat, even with other fields, names the conference that exists.
	body := ctWith(conferenceBody("LCS-DUP"), map[string]any{"type": "review", "format": "video"})
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(orgA, domain.RoleCaseSystem), Body: body})
	p := ctProblem(t, r, http.StatusConflict)
	if p.ExistingID != first {
		t.Errorf("existing_id = %q, want %q", p.ExistingID, first)
	}
	if r.Header.Get("Location") != "" || r.Header.Get("ETag") != "" {
		t.Errorf("a conflict has Location %q / ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
	}
	frozen()
}

func TestCreateConferenceInvalid(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name    string
		changes map[string]any
		fields  []string
	}{
		{"bad type", map[string]any{"type": "annual"}, []string{"type"}},
		{"bad format", map[string]any{"format": "carrier_pigeon"}, []string{"format"}},
		{"bad status", map[string]any{"status": "done"}, []string{"status"}},
		{"bad previous type", map[string]any{"previous_conference_type": "pre_birth"}, []string{"previous_conference_type"}},
		{"two bad enums", map[string]any{"type": "x", "format": "y"}, []string{"type", "format"}},
		{"missing external_ref", map[string]any{"external_ref": nil}, []string{"external_ref"}},
		{"empty external_ref", map[string]any{"external_ref": ""}, []string{"external_ref"}},
		{"missing type", map[string]any{"type": nil}, []string{"type"}},
		{"missing format", map[string]any{"format": nil}, []string{"format"}},
		{"missing scheduled_start", map[string]any{"scheduled_start": nil}, []string{"scheduled_start"}},
		{"external_ref too long", map[string]any{"external_ref": long(101)}, []string{"external_ref"}},
		{"chair name too long", map[string]any{"chair": map[string]any{"ref": "CH", "name": long(201)}}, []string{"chair.name"}},
		{"chair without ref", map[string]any{"chair": map[string]any{"name": "Chair"}}, []string{"chair.ref"}},
		{"social worker without ref", map[string]any{"social_worker": map[string]any{}}, []string{"social_worker.ref"}},
		{"child without ref", map[string]any{"children": []any{map[string]any{"ref": "C-1"}, map[string]any{"name": "No Ref"}}}, []string{"children[1].ref"}},
		{"child ref too long", map[string]any{"children": []any{map[string]any{"ref": long(101)}}}, []string{"children[0].ref"}},
		{"children repeat a ref", map[string]any{"children": []any{map[string]any{"ref": "C-1"}, map[string]any{"ref": "C-1"}}}, []string{"children"}},
		{"children with views", map[string]any{"children": []any{map[string]any{"ref": "C-1", "views": map[string]any{"means": "written"}}}}, []string{"children[0].views"}},
		{"strategy discussion tomorrow", map[string]any{"strategy_discussion_on": "2026-11-24"}, []string{"strategy_discussion_on"}},
		{"previous conference tomorrow", map[string]any{"previous_conference_on": "2026-11-24"}, []string{"previous_conference_on"}},
		{"date not YYYY-MM-DD", map[string]any{"strategy_discussion_on": "20/11/2026"}, []string{"strategy_discussion_on"}},
		{"date that does not exist", map[string]any{"strategy_discussion_on": "2026-02-30"}, []string{"strategy_discussion_on"}},
		{"date with a time", map[string]any{"previous_conference_on": "2026-11-20T10:00:00Z"}, []string{"previous_conference_on"}},
		{"scheduled_start without zone", map[string]any{"scheduled_start": "2026-12-07T10:00:00"}, []string{"scheduled_start"}},
		{"scheduled_start a date", map[string]any{"scheduled_start": "2026-12-07"}, []string{"scheduled_start"}},
		{"scheduled_start with a space", map[string]any{"scheduled_start": "2026-12-07 10:00:00Z"}, []string{"scheduled_start"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e)
			r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("BAD-1"), tc.changes)})
			ctFields(t, ctProblem(t, r, http.StatusUnprocessableEntity), tc.fields...)
			frozen()
		})
	}
	// Dates of past events may be today.
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("TODAY-1"), map[string]any{"strategy_discussion_on": "2026-11-23", "previous_conference_on": "2026-11-23"})})
	if r.Status != http.StatusCreated {
		t.Errorf("today refused: %d %s", r.Status, r.Body)
	}
}

// --- GET /v1/conferences/{id} ---

func TestGetConference(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "GET-1")
	pid := e.mustAddParticipant(orgA, id)
	for _, role := range []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin} {
		r := e.do(req{Method: "GET", Path: ctPath(id), Key: e.key(orgA, role)})
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", role, r.Status, r.Body)
		}
		if got := r.Header.Get("ETag"); got != `"2"` {
			t.Errorf("%s: ETag = %q, want \"2\"", role, got)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type = %q", role, ct)
		}
		var c domain.Conference
		r.Decode(t, &c)
		if c.ID != id || c.ExternalRef != "GET-1" || c.Version != 2 || len(c.Participants) != 1 || c.Participants[0].ID != pid {
			t.Errorf("%s: got %+v", role, c)
		}
		if c.Participants[0].DisplayName != "Parent Person" || c.Participants[0].Relationship != "mother" || c.Participants[0].Attendance != "video" {
			t.Errorf("%s: participant = %+v", role, c.Participants[0])
		}
	}
}

func TestGetConferenceNotFound(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "GET-404")
	for name, path := range map[string]string{
		"another organisation": ctPath(id),
		"unknown id":           ctPath("00000000-0000-4000-8000-000000000000"),
		"malformed id":         ctPath("not-a-uuid"),
		"id with sql":          ctPath("1'%20OR%20'1'='1"),
	} {
		t.Run(name, func(t *testing.T) {
			key := e.key(orgA, domain.RoleManager)
			if name == "another organisation" {
				key = e.key(orgB, domain.RoleManager)
			}
			frozen := ctFrozen(t, e, id)
			r := e.do(req{Method: "GET", Path: path, Key: key})
			p := ctProblem(t, r, http.StatusNotFound)
			if r.Header.Get("ETag") != "" {
				t.Errorf("404 has an ETag %q", r.Header.Get("ETag"))
			}
			if strings.Contains(string(r.Body), "GET-404") {
				t.Errorf("404 leaks the conference: %s", r.Body)
			}
			if p.Detail != "conference not found" {
				t.Errorf("detail = %q", p.Detail)
			}
			frozen()
		})
	}
}
