package api_test

import (
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileFieldRows try to write the chair's decisions without being the
// chair, and to write more than the chair's decisions as the chair: each
// is 403 naming the fields, with nothing written. Sending nothing that
// changes a decision is no change, and is accepted.
func hostileFieldRows(hf hostileFixture) []hostileRow {
	as := func(rt hostileRoute, role domain.Role) hostileRoute { rt.role = role; return rt }
	sw, chair := domain.RoleSocialWorker, domain.RoleChair
	add, up, share := hf.route("addParticipant"), hf.route("updateParticipant"), hf.route("addShare")
	withExclusion := func(ex map[string]any) map[string]any {
		b := participantBody()
		b["attendance"], b["exclusion"] = "excluded", ex
		return b
	}
	withheld := func(extra map[string]any) map[string]any {
		b := map[string]any{"participant_id": hf.participant, "withheld": true, "reason": "risk"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	forbidden := func(rt hostileRoute, name string, body any, fields ...string) hostileRow {
		return rt.refuse(name, body, 403, "forbidden", fields...)
	}
	// The chair may not add a family member at all: the route refuses it
	// before any field is looked at, so the problem names none.
	chairAdds := forbidden(as(add, chair), "chair adds a family member, which the route refuses whatever its fields", withExclusion(map[string]any{"grounds": "risk"}))
	chairAdds.fields = []string{}
	idem := forbidden(as(share, sw), "social worker's chair agreement with an Idempotency-Key", withheld(map[string]any{"chair_agreed_on": "2026-11-20"}), "chair_agreed_on")
	idem.req.Header = map[string]string{"Idempotency-Key": "hostile-chair-field"}
	idem.writes = []string{"idempotency_records"} // the refusal is kept for the retry
	return []hostileRow{
		forbidden(as(add, sw), "social worker sets the exclusion decision", withExclusion(map[string]any{"decided_by_chair_on": "2026-11-20"}), "exclusion.decided_by_chair_on"),
		forbidden(as(add, sw), "social worker sets the exclusion grounds", withExclusion(map[string]any{"grounds": "risk"}), "exclusion.grounds"),
		forbidden(as(add, sw), "social worker sets both", withExclusion(map[string]any{"decided_by_chair_on": "2026-11-20", "grounds": "risk"}), "exclusion.decided_by_chair_on", "exclusion.grounds"),
		forbidden(as(up, sw), "social worker patches the exclusion decision", map[string]any{"exclusion": map[string]any{"decided_by_chair_on": "2026-11-20"}}, "exclusion.decided_by_chair_on"),
		forbidden(as(up, sw), "social worker patches the grounds beside an allowed field", map[string]any{"needs_assessed_on": "2026-11-20", "exclusion": map[string]any{"grounds": "risk"}}, "exclusion.grounds"),
		forbidden(as(share, sw), "social worker records the chair's agreement", withheld(map[string]any{"chair_agreed_on": "2026-11-20"}), "chair_agreed_on"),
		idem,
		forbidden(as(up, chair), "chair renames a family member", map[string]any{"display_name": "Someone Else"}, "display_name"),
		forbidden(as(up, chair), "chair changes safety beside a decision", map[string]any{"exclusion": map[string]any{"grounds": "risk"}, "safety": map[string]any{"concern": "none"}}, "safety.concern"),
		forbidden(as(share, chair), "chair records a share as sent", map[string]any{"participant_id": hf.participant, "shared_on": "2026-11-20", "language": "pl"}, "language", "shared_on"),
		chairAdds,
		{name: "updateParticipant/social worker sends an empty decision, which changes nothing", role: sw, status: 200,
			req: req{Method: up.method, Path: up.path, Header: up.header, Body: map[string]any{"exclusion": map[string]any{}}},
			// The participant is as it was: nothing is written but the
			// audit of the read; the version stays and no event is sent.
			writes: []string{"audit_events"},
			check: func(t *testing.T, r resp) {
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want the participant, not a problem", ct)
				}
				if p := r.JSON(t); p["id"] != hf.participant || p["exclusion"] != nil {
					t.Errorf("answer %s, want the participant without an exclusion", r.Body)
				}
			}},
	}
}
