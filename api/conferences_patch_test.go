package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// --- PATCH /v1/conferences/{id} ---

func TestPatchConferenceMergesAndBumpsVersion(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	id := e.mustCreate(orgA, "PATCH-1")

	// A merge patch changes only what it names; a nested object merges.
	r := e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, ContentType: "application/merge-patch+json", Header: ctIfMatch(`"1"`),
		Body: map[string]any{"format": "video", "chair": map[string]any{"name": "New Chair"}, "previous_conference_on": "2026-11-23"}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("ETag"); got != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", got)
	}
	var c domain.Conference
	r.Decode(t, &c)
	if c.Version != 2 || c.Format != "video" || c.Type != "initial" || c.ExternalRef != "PATCH-1" || c.Status != "scheduled" {
		t.Errorf("after patch: version %d format %s type %s ref %s status %s", c.Version, c.Format, c.Type, c.ExternalRef, c.Status)
	}
	if c.Chair == nil || *c.Chair != (domain.Person{Ref: "CH-1", Name: "New Chair"}) {
		t.Errorf("chair = %+v, want ref kept and name changed", c.Chair)
	}
	if c.SocialWorker == nil || c.SocialWorker.Ref != "SW-1" || c.StrategyDiscussionOn == nil || c.StrategyDiscussionOn.String() != "2026-11-20" {
		t.Errorf("untouched fields changed: %+v %v", c.SocialWorker, c.StrategyDiscussionOn)
	}
	if c.PreviousConferenceOn == nil || c.PreviousConferenceOn.String() != "2026-11-23" {
		t.Errorf("previous_conference_on = %v", c.PreviousConferenceOn)
	}
	if g := e.do(req{Method: "GET", Path: ctPath(id), Key: cs}); string(g.Body) != string(r.Body) {
		t.Errorf("GET after PATCH differs:\n%s\n%s", g.Body, r.Body)
	}

	// null removes a field; plain application/json is accepted too; a weak
	// tag names the same version.
	r = e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, Header: ctIfMatch(`W/"2"`),
		Body: map[string]any{"chair": nil, "status": "postponed", "children": []any{map[string]any{"ref": "C-2", "name": "Second"}}}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch 2: %d %s", r.Status, r.Body)
	}
	body := r.JSON(t)
	if _, ok := body["chair"]; ok {
		t.Errorf("chair still present: %v", body["chair"])
	}
	if body["status"] != "postponed" || body["version"] != float64(3) || r.Header.Get("ETag") != `"3"` {
		t.Errorf("status %v version %v ETag %s", body["status"], body["version"], r.Header.Get("ETag"))
	}
	if ctRaw(t, body, "children") != `[{"name":"Second","ref":"C-2","unborn":false}]` {
		t.Errorf("children = %s", ctRaw(t, body, "children"))
	}

	// If-Match: * matches any version; removing status sets it back to scheduled.
	r = e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, Header: ctIfMatch("*"), Body: map[string]any{"status": nil}})
	if r.Status != http.StatusOK || r.JSON(t)["status"] != "scheduled" || r.Header.Get("ETag") != `"4"` {
		t.Errorf("patch *: %d %s ETag %s", r.Status, r.Body, r.Header.Get("ETag"))
	}
}

// A child's views are recorded through their own route and survive a
// patch of the conference.
func TestPatchConferenceKeepsChildViews(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	id := e.mustCreate(orgA, "PATCH-VIEWS")
	r := e.do(req{Method: "PUT", Path: ctPath(id, "children", "C-1", "views"), Key: cs, Body: map[string]any{"means": "written", "recorded_on": "2026-11-20"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("views: %d %s", r.Status, r.Body)
	}
	r = e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, Header: ctIfMatch(`"2"`), Body: map[string]any{"format": "in_person"}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	var c domain.Conference
	r.Decode(t, &c)
	if len(c.Children) != 1 || c.Children[0].Views == nil || c.Children[0].Views.Means != "written" || c.Children[0].Views.RecordedOn.String() != "2026-11-20" {
		t.Errorf("children after patch = %+v", c.Children)
	}
	if c.Format != "in_person" || c.Version != 3 {
		t.Errorf("format %s version %d", c.Format, c.Version)
	}
}

func TestPatchConferenceRefused(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	id := e.mustCreate(orgA, "PATCH-REF")
	other := e.mustCreate(orgA, "PATCH-OTHER")
	foreign := e.mustCreate(orgB, "PATCH-B")
	// Move to version 2, so that "1" is stale.
	if r := e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, Header: ctIfMatch(`"1"`), Body: map[string]any{"format": "video"}}); r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	current := ctIfMatch(`"2"`)
	cases := []struct {
		name   string
		r      req
		status int
		fields []string
	}{
		{"no If-Match", req{Body: map[string]any{"format": "phone"}}, http.StatusPreconditionRequired, nil},
		{"empty If-Match", req{Body: map[string]any{"format": "phone"}, Header: ctIfMatch(" ")}, http.StatusPreconditionRequired, nil},
		{"stale If-Match", req{Body: map[string]any{"format": "phone"}, Header: ctIfMatch(`"1"`)}, http.StatusPreconditionFailed, nil},
		{"future If-Match", req{Body: map[string]any{"format": "phone"}, Header: ctIfMatch(`"3"`)}, http.StatusPreconditionFailed, nil},
		{"foreign If-Match", req{Body: map[string]any{"format": "phone"}, Header: ctIfMatch(`"abc"`)}, http.StatusPreconditionFailed, nil},
		{"duplicate external_ref", req{Body: map[string]any{"external_ref": "PATCH-OTHER"}, Header: current}, http.StatusConflict, nil},
		{"bad enum", req{Body: map[string]any{"type": "annual"}, Header: current}, http.StatusUnprocessableEntity, []string{"type"}},
		{"bad status", req{Body: map[string]any{"status": "finished"}, Header: current}, http.StatusUnprocessableEntity, []string{"status"}},
		{"remove required", req{Body: map[string]any{"external_ref": nil}, Header: current}, http.StatusUnprocessableEntity, []string{"external_ref"}},
		{"too long", req{Body: map[string]any{"external_ref": strings.Repeat("x", 101)}, Header: current}, http.StatusUnprocessableEntity, []string{"external_ref"}},
		{"nested too long", req{Body: map[string]any{"social_worker": map[string]any{"name": strings.Repeat("x", 201)}}, Header: current}, http.StatusUnprocessableEntity, []string{"social_worker.name"}},
		{"future strategy date", req{Body: map[string]any{"strategy_discussion_on": "2026-11-24"}, Header: current}, http.StatusUnprocessableEntity, []string{"strategy_discussion_on"}},
		{"date not YYYY-MM-DD", req{Body: map[string]any{"strategy_discussion_on": "2026-11-2"}, Header: current}, http.StatusUnprocessableEntity, []string{"strategy_discussion_on"}},
		{"scheduled_start not RFC 3339", req{Body: map[string]any{"scheduled_start": "7 Dec 2026 10:00"}, Header: current}, http.StatusUnprocessableEntity, []string{"scheduled_start"}},
		{"child views in a patch", req{Body: map[string]any{"children": []any{map[string]any{"ref": "C-1", "views": map[string]any{"means": "written"}}}}, Header: current}, http.StatusUnprocessableEntity, []string{"children[0].views"}},
		{"id is not patchable", req{Body: map[string]any{"id": "00000000-0000-4000-8000-000000000000"}, Header: current}, http.StatusBadRequest, []string{"id"}},
		{"version is not patchable", req{Body: map[string]any{"version": 9}, Header: current}, http.StatusBadRequest, []string{"version"}},
		{"participants are not patchable", req{Body: map[string]any{"participants": []any{}}, Header: current}, http.StatusBadRequest, []string{"participants"}},
		{"text/plain", req{Body: `{"format":"phone"}`, ContentType: "text/plain", Header: current}, http.StatusUnsupportedMediaType, nil},
		{"over 1 MiB", req{Body: `{"external_ref":"` + strings.Repeat("x", 1<<20) + `"}`, Header: current}, http.StatusRequestEntityTooLarge, nil},
		{"another organisation's key", req{Key: e.key(orgB, domain.RoleCaseSystem), Body: map[string]any{"format": "phone"}, Header: current}, http.StatusNotFound, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e, id, other, foreign)
			r := tc.r
			r.Method, r.Path = "PATCH", ctPath(id)
			if r.Key == "" {
				r.Key = cs
			}
			res := e.do(r)
			p := ctProblem(t, res, tc.status)
			ctFields(t, p, tc.fields...)
			if tc.status == http.StatusPreconditionFailed && !strings.Contains(p.Detail, "version is 2") && tc.name != "foreign If-Match" {
				t.Errorf("412 detail = %q, want the current version", p.Detail)
			}
			frozen()
		})
	}
}

// A patch that leaves the children alone leaves them as they were: an
// unborn child stays unborn, and recorded views stay.
func TestPatchConferenceKeepsItsChildren(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	b := conferenceBody("PATCH-UNBORN")
	b["type"], b["expected_delivery_on"], b["strategy_discussion_on"] = "pre_birth", "2027-02-01", nil
	b["children"] = []any{map[string]any{"ref": "U-1", "unborn": true}, map[string]any{"ref": "C-1", "name": "Sibling"}}
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: withValue(b, "strategy_discussion_on", nil)})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := r.JSON(t)["id"].(string)
	if v := e.do(req{Method: "PUT", Path: ctPath(id, "children", "C-1", "views"), Key: cs, Body: map[string]any{"means": "written"}}); v.Status != http.StatusCreated {
		t.Fatalf("views: %d %s", v.Status, v.Body)
	}
	r = e.do(req{Method: "PATCH", Path: ctPath(id), Key: cs, Header: ctIfMatch("*"), Body: map[string]any{"format": "video"}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	var c domain.Conference
	r.Decode(t, &c)
	if !c.Children[0].Unborn || c.Children[1].Unborn || c.Children[1].Views == nil || c.Children[1].Views.Means != "written" {
		t.Errorf("children after a patch of the format: %+v", c.Children)
	}
}
