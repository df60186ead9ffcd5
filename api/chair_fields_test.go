package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// TestChairDecisionsStayTheChairs probes the chair's decisions as a social
// worker would try to clear a blocker: changing or removing a recorded
// exclusion, in every way a merge patch allows, is refused with nothing
// written; editing the participant's other fields leaves the decision as
// the chair recorded it; only the chair agrees a withholding; and the chair
// writes only the decisions, not the family's other details.
func TestChairDecisionsStayTheChairs(t *testing.T) {
	e := newEnv(t)
	f := e.mustFixture("CHAIR-1")
	p := "/v1/conferences/" + f.conf + "/participants/" + f.participant
	chair, sw := e.key(orgA, domain.RoleChair), e.key(orgA, domain.RoleSocialWorker)
	patch := func(key string, body any) resp {
		return e.do(req{Method: "PATCH", Path: p, Key: key, Body: body, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": e.etagOf(orgA, f.conf)}})
	}
	decision := map[string]any{"attendance": "excluded", "exclusion": map[string]any{"decided_by_chair_on": "2026-11-20", "grounds": "Risk of violence"}}
	if r := patch(chair, decision); r.Status != http.StatusOK {
		t.Fatalf("the chair records an exclusion: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{
		`{"exclusion":null}`,
		`{"exclusion":{"decided_by_chair_on":null}}`,
		`{"exclusion":{"grounds":null}}`,
		`{"exclusion":{"decided_by_chair_on":"2026-11-19"}}`,
		`{"exclusion":{"grounds":"Something else"}}`,
		`{"attendance":"video","exclusion":null}`,
	} {
		before := e.aggregate(f.conf)
		r := patch(sw, body)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), `"field":"exclusion.`) {
			t.Errorf("social worker sends %s: %d %s, want 403 naming the field", body, r.Status, r.Body)
		}
		if e.aggregate(f.conf) != before {
			t.Errorf("social worker sends %s: refused but the conference changed", body)
		}
	}
	// Other fields are the social worker's; sending the decision unchanged
	// is no change.
	if r := patch(sw, `{"needs_assessed_on":"2026-11-20","exclusion":{"grounds":"Risk of violence"}}`); r.Status != http.StatusOK {
		t.Fatalf("social worker edits another field: %d %s", r.Status, r.Body)
	}
	got := e.do(req{Method: "GET", Path: p, Key: chair}).JSON(t)
	if ex, _ := got["exclusion"].(map[string]any); ex["decided_by_chair_on"] != "2026-11-20" || ex["grounds"] != "Risk of violence" {
		t.Fatalf("the chair's decision after another edit: %v", got["exclusion"])
	}
	// The chair may record a decision, not rewrite the family's details.
	if r := patch(chair, `{"display_name":"Someone Else"}`); r.Status != http.StatusForbidden {
		t.Errorf("chair renames a family member: %d %s, want 403", r.Status, r.Body)
	}

	// A withholding the social worker records still needs the chair.
	shares := "/v1/conferences/" + f.conf + "/reports/" + f.report + "/shares"
	withheld := map[string]any{"participant_id": f.participant, "withheld": true, "reason": "Risk to the child"}
	if r := e.do(req{Method: "POST", Path: shares, Key: sw, Body: withheld}); r.Status != http.StatusCreated {
		t.Fatalf("social worker withholds: %d %s", r.Status, r.Body)
	}
	withheld["chair_agreed_on"] = "2026-11-20"
	before := e.aggregate(f.conf)
	if r := e.do(req{Method: "POST", Path: shares, Key: sw, Body: withheld}); r.Status != http.StatusForbidden {
		t.Errorf("social worker records the chair's agreement: %d %s, want 403", r.Status, r.Body)
	}
	if e.aggregate(f.conf) != before {
		t.Error("a refused agreement changed the conference")
	}
	if r := e.do(req{Method: "POST", Path: shares, Key: chair, Body: withheld}); r.Status != http.StatusCreated {
		t.Fatalf("the chair agrees the withholding: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "POST", Path: shares, Key: chair, Body: map[string]any{"participant_id": f.participant, "shared_on": "2026-11-20"}}); r.Status != http.StatusForbidden {
		t.Errorf("chair records a share as sent: %d %s, want 403", r.Status, r.Body)
	}
}
