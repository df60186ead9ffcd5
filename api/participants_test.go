package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// --- POST /v1/conferences/{id}/participants ---

func TestAddParticipant(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "P-ADD")
	// The case system: the exclusion is the chair's decision, which a
	// social worker may not record (TestRoleMatrixByField).
	cs := e.key(orgA, domain.RoleCaseSystem)
	body := map[string]any{
		"display_name": "Sam Parent", "relationship": "father", "invited": true, "attendance": "phone",
		"needs_assessed_on": "2026-11-23", "private_space_confirmed": true, "technology_checked": true,
		"safety":    map[string]any{"concern": "domestic_abuse", "arrangement": "separate_attendance", "note": "attends apart"},
		"exclusion": map[string]any{"decided_by_chair_on": "2026-11-20", "grounds": "none yet"},
	}
	r := e.do(req{Method: "POST", Path: ctPath(id, "participants"), Key: cs, Body: body})
	if r.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	var p domain.Participant
	r.Decode(t, &p)
	if len(p.ID) != 36 {
		t.Fatalf("id = %q", p.ID)
	}
	if got := r.Header.Get("Location"); got != ctPath(id, "participants", p.ID) {
		t.Errorf("Location = %q", got)
	}
	if got := r.Header.Get("ETag"); got != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", got)
	}
	if p.DisplayName != "Sam Parent" || p.Relationship != "father" || !p.IsInvited() || p.Attendance != "phone" ||
		p.NeedsAssessedOn.String() != "2026-11-23" || !p.PrivateSpaceConfirmed || !p.TechnologyChecked {
		t.Errorf("participant = %+v", p)
	}
	if p.Safety == nil || *p.Safety != (domain.Safety{Concern: "domestic_abuse", Arrangement: "separate_attendance", Note: "attends apart"}) {
		t.Errorf("safety = %+v", p.Safety)
	}
	if p.Exclusion == nil || p.Exclusion.DecidedByChairOn.String() != "2026-11-20" || p.Exclusion.Grounds != "none yet" {
		t.Errorf("exclusion = %+v", p.Exclusion)
	}
	if got := r.JSON(t); ctRaw(t, got, "needs") != "[]" || ctRaw(t, got, "contacts") != "[]" {
		t.Errorf("needs/contacts = %s / %s, want []", ctRaw(t, got, "needs"), ctRaw(t, got, "contacts"))
	}
	// The aggregate holds it, first in its list, and the version moved.
	var c domain.Conference
	e.do(req{Method: "GET", Path: ctPath(id), Key: cs}).Decode(t, &c)
	if c.Version != 2 || len(c.Participants) != 1 || c.Participants[0].ID != p.ID || c.Participants[0].DisplayName != "Sam Parent" {
		t.Errorf("conference = version %d participants %+v", c.Version, c.Participants)
	}
	// A second is appended after it; the case system may add too, and a
	// current If-Match is honoured.
	r = e.do(req{Method: "POST", Path: ctPath(id, "participants"), Key: e.key(orgA, domain.RoleCaseSystem), Header: ctIfMatch(`"2"`), Body: participantBody()})
	if r.Status != http.StatusCreated || r.Header.Get("ETag") != `"3"` {
		t.Fatalf("second add: %d %s ETag %s", r.Status, r.Body, r.Header.Get("ETag"))
	}
	e.do(req{Method: "GET", Path: ctPath(id), Key: cs}).Decode(t, &c)
	if len(c.Participants) != 2 || c.Participants[0].ID != p.ID || c.Participants[1].DisplayName != "Parent Person" {
		t.Errorf("participants = %+v", c.Participants)
	}
}

func TestAddParticipantRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "P-REF")
	sw := e.key(orgA, domain.RoleSocialWorker)
	cases := []struct {
		name    string
		changes map[string]any
		header  map[string]string
		status  int
		fields  []string
	}{
		{"bad relationship", map[string]any{"relationship": "uncle"}, nil, 422, []string{"relationship"}},
		{"bad attendance", map[string]any{"attendance": "maybe"}, nil, 422, []string{"attendance"}},
		{"missing invited", map[string]any{"invited": nil}, nil, 422, []string{"invited"}},
		{"missing display name", map[string]any{"display_name": nil}, nil, 422, []string{"display_name"}},
		{"display name too long", map[string]any{"display_name": strings.Repeat("n", 201)}, nil, 422, []string{"display_name"}},
		{"needs assessed tomorrow", map[string]any{"needs_assessed_on": "2026-11-24"}, nil, 422, []string{"needs_assessed_on"}},
		{"needs assessed not a date", map[string]any{"needs_assessed_on": "23/11/2026"}, nil, 422, []string{"needs_assessed_on"}},
		{"needs assessed a number", map[string]any{"needs_assessed_on": 20261123}, nil, 422, []string{"needs_assessed_on"}},
		{"bad safety concern", map[string]any{"safety": map[string]any{"concern": "loud"}}, nil, 422, []string{"safety.concern"}},
		{"safety without concern", map[string]any{"safety": map[string]any{"arrangement": "exclusion"}}, nil, 422, []string{"safety.concern"}},
		{"bad safety arrangement", map[string]any{"safety": map[string]any{"concern": "other", "arrangement": "hope"}}, nil, 422, []string{"safety.arrangement"}},
		{"safety note too long", map[string]any{"safety": map[string]any{"concern": "other", "note": strings.Repeat("n", 2001)}}, nil, 422, []string{"safety.note"}},
		{"exclusion decided tomorrow", map[string]any{"exclusion": map[string]any{"decided_by_chair_on": "2026-11-24"}}, nil, 422, []string{"exclusion.decided_by_chair_on"}},
		{"several at once", map[string]any{"relationship": "x", "attendance": "y", "needs_assessed_on": "2027-01-01"}, nil, 422, []string{"relationship", "attendance", "needs_assessed_on"}},
		{"id in the body", map[string]any{"id": "00000000-0000-4000-8000-000000000000"}, nil, 400, []string{"id"}},
		{"needs in the body", map[string]any{"needs": []any{}}, nil, 400, []string{"needs"}},
		{"stale If-Match", nil, ctIfMatch(`"7"`), 412, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e, id)
			r := e.do(req{Method: "POST", Path: ctPath(id, "participants"), Key: sw, Header: tc.header, Body: ctWith(participantBody(), tc.changes)})
			ctFields(t, ctProblem(t, r, tc.status), tc.fields...)
			frozen()
		})
	}
}

// needs_assessed_on is checked against London's today: at 23:30 UTC on
// 30 June it is 1 July in London.
func TestAddParticipantTodayIsLondon(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "P-BST")
	e.clock.Set(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC))
	sw := e.key(orgA, domain.RoleSocialWorker)
	r := e.do(req{Method: "POST", Path: ctPath(id, "participants"), Key: sw, Body: ctWith(participantBody(), map[string]any{"needs_assessed_on": "2026-07-01"})})
	if r.Status != http.StatusCreated {
		t.Fatalf("London's today refused: %d %s", r.Status, r.Body)
	}
	frozen := ctFrozen(t, e, id)
	r = e.do(req{Method: "POST", Path: ctPath(id, "participants"), Key: sw, Body: ctWith(participantBody(), map[string]any{"needs_assessed_on": "2026-07-02"})})
	p := ctProblem(t, r, http.StatusUnprocessableEntity)
	ctFields(t, p, "needs_assessed_on")
	if p.Errors[0].Message != "must not be after today (2026-07-01)" {
		t.Errorf("message = %q", p.Errors[0].Message)
	}
	frozen()
}

// --- PATCH /v1/conferences/{id}/participants/{pid} ---

func TestUpdateParticipant(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "P-UPD")
	sw := e.key(orgA, domain.RoleSocialWorker)
	r := e.do(req{Method: "PATCH", Path: ctPath(f.conf, "participants", f.participant), Key: sw, ContentType: "application/merge-patch+json", Header: ctIfMatch(`"3"`),
		Body: map[string]any{"attendance": "in_person", "needs_assessed_on": "2026-11-23", "safety": map[string]any{"concern": "none"}}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("ETag"); got != `"4"` {
		t.Errorf("ETag = %q, want \"4\"", got)
	}
	var p domain.Participant
	r.Decode(t, &p)
	if p.ID != f.participant || p.Attendance != "in_person" || p.NeedsAssessedOn.String() != "2026-11-23" || p.DisplayName != "Parent Person" || p.Relationship != "mother" || !p.IsInvited() {
		t.Errorf("participant = %+v", p)
	}
	if p.Safety == nil || p.Safety.Concern != "none" {
		t.Errorf("safety = %+v", p.Safety)
	}
	// The need set before the patch is untouched by it.
	if len(p.Needs) != 1 || p.Needs[0] != (domain.Need{Kind: "childcare", Status: "identified"}) {
		t.Errorf("needs = %+v", p.Needs)
	}
	// null clears an optional field.
	r = e.do(req{Method: "PATCH", Path: ctPath(f.conf, "participants", f.participant), Key: e.key(orgA, domain.RoleCaseSystem), Header: ctIfMatch(`"4"`), Body: map[string]any{"safety": nil, "needs_assessed_on": nil}})
	if r.Status != http.StatusOK || r.Header.Get("ETag") != `"5"` {
		t.Fatalf("patch 2: %d %s", r.Status, r.Body)
	}
	got := r.JSON(t)
	if _, ok := got["safety"]; ok {
		t.Errorf("safety still present: %v", got["safety"])
	}
	if _, ok := got["needs_assessed_on"]; ok {
		t.Errorf("needs_assessed_on still present: %v", got["needs_assessed_on"])
	}
}

func TestUpdateParticipantRefused(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "P-UPD-REF")
	sw := e.key(orgA, domain.RoleSocialWorker)
	cur := ctIfMatch(`"3"`)
	cases := []struct {
		name   string
		pid    string
		r      req
		status int
		fields []string
	}{
		{"no If-Match", "", req{Body: map[string]any{"attendance": "phone"}}, 428, nil},
		{"stale If-Match", "", req{Body: map[string]any{"attendance": "phone"}, Header: ctIfMatch(`"2"`)}, 412, nil},
		{"unknown participant", "00000000-0000-4000-8000-000000000000", req{Body: map[string]any{"attendance": "phone"}, Header: cur}, 404, nil},
		{"bad enum", "", req{Body: map[string]any{"attendance": "carrier"}, Header: cur}, 422, []string{"attendance"}},
		{"remove required", "", req{Body: map[string]any{"relationship": nil}, Header: cur}, 422, []string{"relationship"}},
		{"too long", "", req{Body: map[string]any{"display_name": strings.Repeat("n", 201)}, Header: cur}, 422, []string{"display_name"}},
		{"future date", "", req{Body: map[string]any{"needs_assessed_on": "2026-11-24"}, Header: cur}, 422, []string{"needs_assessed_on"}},
		{"wrong type", "", req{Body: map[string]any{"invited": "yes"}, Header: cur}, 422, []string{"invited"}},
		{"needs are not patchable", "", req{Body: map[string]any{"needs": []any{}}, Header: cur}, 400, []string{"needs"}},
		{"id is not patchable", "", req{Body: map[string]any{"id": "x"}, Header: cur}, 400, []string{"id"}},
		{"text/plain", "", req{Body: `{"attendance":"phone"}`, ContentType: "text/plain", Header: cur}, 415, nil},
		{"over 1 MiB", "", req{Body: `{"display_name":"` + strings.Repeat("x", 1<<20) + `"}`, Header: cur}, 413, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pid := f.participant
			if tc.pid != "" {
				pid = tc.pid
			}
			r := tc.r
			r.Method, r.Path, r.Key = "PATCH", ctPath(f.conf, "participants", pid), sw
			frozen := ctFrozen(t, e, f.conf)
			ctFields(t, ctProblem(t, e.do(r), tc.status), tc.fields...)
			frozen()
		})
	}
}

// --- DELETE /v1/conferences/{id}/participants/{pid} ---

func TestDeleteParticipantRemovesTheirShares(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "P-DEL")
	other := e.mustAddParticipant(orgA, f.conf) // version 4
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "POST", Path: ctPath(f.conf, "reports"), Key: cs, Body: map[string]any{"agency": "social_care", "title": "SW report", "received_on": "2026-11-20"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	report := r.JSON(t)["id"].(string)
	for _, pid := range []string{f.participant, other} {
		r = e.do(req{Method: "POST", Path: ctPath(f.conf, "reports", report, "shares"), Key: cs, Body: map[string]any{"participant_id": pid, "shared_on": "2026-11-20", "language": "en"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("share: %d %s", r.Status, r.Body)
		}
	}
	var shared domain.Conference
	e.do(req{Method: "GET", Path: ctPath(f.conf), Key: cs}).Decode(t, &shared)
	if len(shared.Reports) != 1 || len(shared.Reports[0].Shares) != 2 {
		t.Fatalf("shares before delete = %+v", shared.Reports)
	}
	// Version 7 now: create, participant, need, participant, report, 2 shares.
	r = e.do(req{Method: "DELETE", Path: ctPath(f.conf, "participants", f.participant), Key: e.key(orgA, domain.RoleSocialWorker), Header: ctIfMatch(`"7"`)})
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %d %q", r.Status, r.Body)
	}
	if got := r.Header.Get("ETag"); got != `"8"` {
		t.Errorf("ETag = %q, want \"8\"", got)
	}
	var c domain.Conference
	e.do(req{Method: "GET", Path: ctPath(f.conf), Key: cs}).Decode(t, &c)
	if c.Version != 8 || len(c.Participants) != 1 || c.Participants[0].ID != other {
		t.Errorf("after delete: version %d participants %+v", c.Version, c.Participants)
	}
	if len(c.Reports) != 1 || len(c.Reports[0].Shares) != 1 || c.Reports[0].Shares[0].ParticipantID != other {
		t.Errorf("shares after delete = %+v", c.Reports)
	}
	// Deleting again is a 404 and writes nothing.
	frozen := ctFrozen(t, e, f.conf)
	ctProblem(t, e.do(req{Method: "DELETE", Path: ctPath(f.conf, "participants", f.participant), Key: cs, Header: ctIfMatch(`"8"`)}), http.StatusNotFound)
	frozen()
}

func TestDeleteParticipantRefused(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "P-DEL-REF")
	sw := e.key(orgA, domain.RoleSocialWorker)
	path := ctPath(f.conf, "participants", f.participant)
	for name, tc := range map[string]struct {
		r      req
		status int
	}{
		"no If-Match":         {req{Path: path}, 428},
		"stale If-Match":      {req{Path: path, Header: ctIfMatch(`"2"`)}, 412},
		"garbage If-Match":    {req{Path: path, Header: ctIfMatch(`"three"`)}, 412},
		"unknown participant": {req{Path: ctPath(f.conf, "participants", "00000000-0000-4000-8000-000000000000"), Header: ctIfMatch(`"3"`)}, 404},
		"manager":             {req{Path: path, Header: ctIfMatch(`"3"`), Key: e.key(orgA, domain.RoleManager)}, 403},
		"chair":               {req{Path: path, Header: ctIfMatch(`"3"`), Key: e.key(orgA, domain.RoleChair)}, 403},
	} {
		t.Run(name, func(t *testing.T) {
			r := tc.r
			r.Method = "DELETE"
			if r.Key == "" {
				r.Key = sw
			}
			frozen := ctFrozen(t, e, f.conf)
			ctProblem(t, e.do(r), tc.status)
			frozen()
		})
	}
}
