package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// --- PUT and DELETE .../participants/{pid}/needs/{kind} ---

func TestPutNeedCreatesThenReplaces(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "N-PUT") // childcare identified, version 3
	sw := e.key(orgA, domain.RoleSocialWorker)
	path := ctPath(f.conf, "participants", f.participant, "needs", "language")

	r := e.do(req{Method: "PUT", Path: path, Key: sw, Body: map[string]any{"status": "identified", "language": "pl", "detail": "Polish interpreter"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	var n domain.Need
	r.Decode(t, &n)
	if n != (domain.Need{Kind: "language", Status: "identified", Language: "pl", Detail: "Polish interpreter"}) {
		t.Errorf("need = %+v", n)
	}
	if got := r.Header.Get("ETag"); got != `"4"` {
		t.Errorf("ETag = %q, want \"4\"", got)
	}

	// The same kind again replaces it: 200, the kind in the body may repeat
	// the path's, and a current If-Match is honoured.
	r = e.do(req{Method: "PUT", Path: path, Key: e.key(orgA, domain.RoleCaseSystem), Header: ctIfMatch(`"4"`), Body: map[string]any{"kind": "language", "status": "arranged", "language": "pl-PL", "interpreter": "professional"}})
	if r.Status != http.StatusOK {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	var replaced domain.Need
	r.Decode(t, &replaced)
	if replaced != (domain.Need{Kind: "language", Status: "arranged", Language: "pl-PL", Interpreter: "professional"}) {
		t.Errorf("replaced need = %+v (detail must not survive a replace)", replaced)
	}
	if got := r.Header.Get("ETag"); got != `"5"` {
		t.Errorf("ETag = %q, want \"5\"", got)
	}
	// An interpreter that is not needed needs no language.
	r = e.do(req{Method: "PUT", Path: ctPath(f.conf, "participants", f.participant, "needs", "technology"), Key: sw, Body: map[string]any{"status": "not_needed"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("technology: %d %s", r.Status, r.Body)
	}

	var c domain.Conference
	e.do(req{Method: "GET", Path: ctPath(f.conf), Key: sw}).Decode(t, &c)
	want := []domain.Need{ // in the order domain.NeedKinds lists them
		{Kind: "technology", Status: "not_needed"},
		{Kind: "childcare", Status: "identified"},
		{Kind: "language", Status: "arranged", Language: "pl-PL", Interpreter: "professional"},
	}
	if c.Version != 6 || len(c.Participants[0].Needs) != len(want) {
		t.Fatalf("version %d needs %+v", c.Version, c.Participants[0].Needs)
	}
	for i := range want {
		if c.Participants[0].Needs[i] != want[i] {
			t.Errorf("needs[%d] = %+v, want %+v", i, c.Participants[0].Needs[i], want[i])
		}
	}
}

// TestPutTheSameNeedAgainWritesNothing: a write that changes nothing
// stored keeps the version and sends no event, and is audited as a read.
func TestPutTheSameNeedAgainWritesNothing(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "N-SAME")
	sw := e.key(orgA, domain.RoleSocialWorker)
	path := ctPath(f.conf, "participants", f.participant, "needs", "language")
	body := map[string]any{"status": "identified", "language": "pl"}
	first := e.do(req{Method: "PUT", Path: path, Key: sw, Body: body})
	if first.Status != http.StatusCreated {
		t.Fatalf("put: %d %s", first.Status, first.Body)
	}
	before := readState(t, e.db)
	again := e.do(req{Method: "PUT", Path: path, Key: sw, Header: ctIfMatch(first.Header.Get("ETag")), Body: body})
	if again.Status != http.StatusOK || again.Header.Get("ETag") != first.Header.Get("ETag") || string(again.Body) != string(first.Body) {
		t.Fatalf("again: %d ETag %s %s, want 200 with ETag %s and the same need", again.Status, again.Header.Get("ETag"), again.Body, first.Header.Get("ETag"))
	}
	if changed := before.changed(readState(t, e.db)); strings.Join(changed, ",") != "audit_events" {
		t.Errorf("the same need again changed %v, want only the audit trail", changed)
	}
	if ev := rrLastEvent(t, e, f.conf); ev.Action != "read" || ev.Entity != "conference" {
		t.Errorf("last audit row = %+v, want the read", ev)
	}
	// A different value is a change again.
	body["status"], body["interpreter"] = "arranged", "professional"
	if r := e.do(req{Method: "PUT", Path: path, Key: sw, Body: body}); r.Status != http.StatusOK || r.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("a change: %d ETag %s", r.Status, r.Header.Get("ETag"))
	}
}

func TestPutNeedRefused(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "N-REF")
	sw := e.key(orgA, domain.RoleSocialWorker)
	cases := []struct {
		name, kind string
		body       any
		header     map[string]string
		status     int
		fields     []string
	}{
		{"unknown kind", "babysitter", map[string]any{"status": "identified"}, nil, 422, []string{"kind"}},
		{"kind upper case", "Childcare", map[string]any{"status": "identified"}, nil, 422, []string{"kind"}},
		{"body kind differs", "transport", map[string]any{"kind": "childcare", "status": "identified"}, nil, 422, []string{"kind"}},
		{"language without language", "language", map[string]any{"status": "identified"}, nil, 422, []string{"language"}},
		{"arranged language without language", "language", map[string]any{"status": "arranged", "interpreter": "professional"}, nil, 422, []string{"language"}},
		{"arranged language without interpreter", "language", map[string]any{"status": "arranged", "language": "pl"}, nil, 422, []string{"interpreter"}},
		{"interpreter of another kind", "transport", map[string]any{"status": "arranged", "interpreter": "professional"}, nil, 422, []string{"interpreter"}},
		{"interpreter not a choice", "language", map[string]any{"status": "arranged", "language": "pl", "interpreter": "neighbour"}, nil, 422, []string{"interpreter"}},
		{"the old name", "interpreter", map[string]any{"status": "identified", "language": "pl"}, nil, 422, []string{"kind"}},
		{"bad language tag", "language", map[string]any{"status": "identified", "language": "not a language"}, nil, 422, []string{"language"}},
		{"bad status", "transport", map[string]any{"status": "sorted"}, nil, 422, []string{"status"}},
		{"missing status", "transport", map[string]any{"detail": "bus"}, nil, 422, []string{"status"}},
		{"detail too long", "transport", map[string]any{"status": "identified", "detail": strings.Repeat("d", 1001)}, nil, 422, []string{"detail"}},
		{"status a number", "transport", map[string]any{"status": 1}, nil, 422, []string{"status"}},
		{"unknown field", "transport", map[string]any{"status": "identified", "due": "soon"}, nil, 400, []string{"due"}},
		{"stale If-Match", "transport", map[string]any{"status": "identified"}, ctIfMatch(`"1"`), 412, nil},
		{"text/plain", "transport", `{"status":"identified"}`, nil, 415, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := req{Method: "PUT", Path: ctPath(f.conf, "participants", f.participant, "needs", tc.kind), Key: sw, Header: tc.header, Body: tc.body}
			if tc.status == 415 {
				r.ContentType = "text/plain"
			}
			frozen := ctFrozen(t, e, f.conf)
			ctFields(t, ctProblem(t, e.do(r), tc.status), tc.fields...)
			frozen()
		})
	}
}

func TestDeleteNeed(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "N-DEL")
	sw := e.key(orgA, domain.RoleSocialWorker)
	path := ctPath(f.conf, "participants", f.participant, "needs", "childcare")
	for name, tc := range map[string]struct {
		path   string
		header map[string]string
		status int
	}{
		"no If-Match":      {path, nil, 428},
		"stale If-Match":   {path, ctIfMatch(`"2"`), 412},
		"need not set":     {ctPath(f.conf, "participants", f.participant, "needs", "transport"), ctIfMatch(`"3"`), 404},
		"kind not known":   {ctPath(f.conf, "participants", f.participant, "needs", "babysitter"), ctIfMatch(`"3"`), 404},
		"participant gone": {ctPath(f.conf, "participants", "00000000-0000-4000-8000-000000000000", "needs", "childcare"), ctIfMatch(`"3"`), 404},
	} {
		t.Run(name, func(t *testing.T) {
			frozen := ctFrozen(t, e, f.conf)
			p := ctProblem(t, e.do(req{Method: "DELETE", Path: tc.path, Key: sw, Header: tc.header}), tc.status)
			if name == "need not set" && p.Detail != "need not found" {
				t.Errorf("detail = %q", p.Detail)
			}
			frozen()
		})
	}

	r := e.do(req{Method: "DELETE", Path: path, Key: sw, Header: ctIfMatch(`"3"`)})
	if r.Status != http.StatusNoContent || len(r.Body) != 0 || r.Header.Get("ETag") != `"4"` {
		t.Fatalf("delete: %d %q ETag %s", r.Status, r.Body, r.Header.Get("ETag"))
	}
	var c domain.Conference
	e.do(req{Method: "GET", Path: ctPath(f.conf), Key: sw}).Decode(t, &c)
	if c.Version != 4 || len(c.Participants[0].Needs) != 0 {
		t.Errorf("after delete: version %d needs %+v", c.Version, c.Participants[0].Needs)
	}
}

// --- POST .../participants/{pid}/contacts ---

func TestAddContact(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "K-ADD")
	path := ctPath(f.conf, "participants", f.participant, "contacts")
	cases := []struct {
		role domain.Role
		body map[string]any
	}{
		{domain.RoleSocialWorker, map[string]any{"with": "social_worker", "on": "2026-11-23", "method": "in_person"}},
		{domain.RoleChair, map[string]any{"with": "chair", "on": "2026-11-20", "method": "video"}},
		{domain.RoleCaseSystem, map[string]any{"with": "chair", "on": "2026-11-19", "method": "phone"}},
		{domain.RoleChair, map[string]any{"with": "social_worker", "on": "2026-11-18", "method": "phone"}},
	}
	var ids []string
	for i, tc := range cases {
		r := e.do(req{Method: "POST", Path: path, Key: e.key(orgA, tc.role), Body: tc.body})
		if r.Status != http.StatusCreated {
			t.Fatalf("%s %v: %d %s", tc.role, tc.body, r.Status, r.Body)
		}
		var k domain.Contact
		r.Decode(t, &k)
		if len(k.ID) != 36 || k.With != tc.body["with"] || k.On.String() != tc.body["on"] || k.Method != tc.body["method"] {
			t.Errorf("contact = %+v, want %v", k, tc.body)
		}
		if got := r.Header.Get("Location"); got != path+"/"+k.ID {
			t.Errorf("Location = %q", got)
		}
		if got, want := r.Header.Get("ETag"), `"`+strconv.Itoa(4+i)+`"`; got != want {
			t.Errorf("ETag = %q, want %s", got, want)
		}
		ids = append(ids, k.ID)
	}
	// A contact's id is the server's: one in the body is an unknown field.
	r := e.do(req{Method: "POST", Path: path, Key: e.key(orgA, domain.RoleSocialWorker), Body: map[string]any{"id": "mine", "with": "social_worker", "on": "2026-11-17", "method": "phone"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("contact with an id: %d %s", r.Status, r.Body)
	}

	var c domain.Conference
	e.do(req{Method: "GET", Path: ctPath(f.conf), Key: e.key(orgA, domain.RoleManager)}).Decode(t, &c)
	got := c.Participants[0].Contacts
	if c.Version != 7 || len(got) != 4 {
		t.Fatalf("version %d contacts %+v", c.Version, got)
	}
	for i := range ids { // kept in the order they were recorded
		if got[i].ID != ids[i] || got[i].With != cases[i].body["with"] {
			t.Errorf("contacts[%d] = %+v", i, got[i])
		}
	}
}

func TestAddContactRefused(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "K-REF")
	path := ctPath(f.conf, "participants", f.participant, "contacts")
	sw := e.key(orgA, domain.RoleSocialWorker)
	ok := map[string]any{"with": "social_worker", "on": "2026-11-20", "method": "phone"}
	cases := []struct {
		name    string
		key     string
		changes map[string]any
		header  map[string]string
		status  int
		fields  []string
	}{
		{"social worker records a chair contact", sw, map[string]any{"with": "chair"}, nil, 403, nil},
		{"manager", e.key(orgA, domain.RoleManager), nil, nil, 403, nil},
		{"admin", e.key(orgA, domain.RoleAdmin), nil, nil, 403, nil},
		{"tomorrow", sw, map[string]any{"on": "2026-11-24"}, nil, 422, []string{"on"}},
		{"missing on", sw, map[string]any{"on": nil}, nil, 422, []string{"on"}},
		{"on not a date", sw, map[string]any{"on": "yesterday"}, nil, 422, []string{"on"}},
		{"bad with", sw, map[string]any{"with": "police"}, nil, 422, []string{"with"}},
		{"bad method", sw, map[string]any{"method": "letter"}, nil, 422, []string{"method"}},
		{"unknown field", sw, map[string]any{"notes": "x"}, nil, 400, []string{"notes"}},
		{"stale If-Match", sw, nil, ctIfMatch(`"1"`), 412, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e, f.conf)
			r := e.do(req{Method: "POST", Path: path, Key: tc.key, Header: tc.header, Body: ctWith(ok, tc.changes)})
			p := ctProblem(t, r, tc.status)
			ctFields(t, p, tc.fields...)
			if tc.name == "social worker records a chair contact" && !strings.Contains(p.Detail, "only a chair or a case system") {
				t.Errorf("detail = %q", p.Detail)
			}
			frozen()
		})
	}
}

// Every write beneath a conference moves its one version, and each
// response's ETag is the version a GET then reports.
func TestParticipantWritesBumpConferenceVersion(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	id := e.mustCreate(orgA, "V-1")
	pid := e.mustAddParticipant(orgA, id)
	p := ctPath(id, "participants", pid)
	steps := []req{
		{Method: "PUT", Path: p + "/needs/transport", Body: map[string]any{"status": "identified"}},
		{Method: "PUT", Path: p + "/needs/transport", Body: map[string]any{"status": "arranged"}},
		{Method: "POST", Path: p + "/contacts", Body: map[string]any{"with": "chair", "on": "2026-11-23", "method": "video"}},
		{Method: "PATCH", Path: p, Body: map[string]any{"attendance": "in_person"}},
		{Method: "PATCH", Path: ctPath(id), Body: map[string]any{"format": "in_person"}},
		{Method: "DELETE", Path: p + "/needs/transport"},
		{Method: "DELETE", Path: p},
	}
	version := 2
	for _, s := range steps {
		s.Key = cs
		s.Header = ctIfMatch(`"` + strconv.Itoa(version) + `"`)
		r := e.do(s)
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", s.Method, s.Path, r.Status, r.Body)
		}
		version++
		want := `"` + strconv.Itoa(version) + `"`
		if got := r.Header.Get("ETag"); got != want {
			t.Errorf("%s %s: ETag %s, want %s", s.Method, s.Path, got, want)
		}
		if got := e.etagOf(orgA, id); got != want {
			t.Errorf("after %s %s: GET ETag %s, want %s", s.Method, s.Path, got, want)
		}
	}
	if version != 9 {
		t.Errorf("version = %d, want 9", version)
	}
}
