package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// fixture is one conference with one of everything, in orgA.
type fixture struct {
	conf, participant, report, contact, share, check, professional string
	etag                                                           string
	env                                                            *env // for operations that need state of their own
}

func (e *env) mustFixture(ref string) fixture {
	e.t.Helper()
	f := fixture{conf: e.mustCreate(orgA, ref), env: e}
	f.participant = e.mustAddParticipant(orgA, f.conf)
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "PUT", Path: "/v1/conferences/" + f.conf + "/participants/" + f.participant + "/needs/childcare", Key: cs, Body: map[string]any{"status": "identified"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("put need: %d %s", r.Status, r.Body)
	}
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + f.conf + "/reports", Key: cs, Body: map[string]any{"agency": "social_care", "title": "Report", "received_on": "2026-11-20"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add report: %d %s", r.Status, r.Body)
	}
	f.report = r.JSON(e.t)["id"].(string)
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + f.conf + "/participants/" + f.participant + "/contacts", Key: cs, Body: map[string]any{"with": "chair", "on": "2026-11-20", "method": "video"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add contact: %d %s", r.Status, r.Body)
	}
	f.contact = r.JSON(e.t)["id"].(string)
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + f.conf + "/reports/" + f.report + "/shares", Key: cs, Body: map[string]any{"participant_id": f.participant, "shared_on": "2026-11-20"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add share: %d %s", r.Status, r.Body)
	}
	f.share = r.JSON(e.t)["id"].(string)
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + f.conf + "/professionals", Key: cs, Body: map[string]any{"agency": "police", "name": "DC Example"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add professional: %d %s", r.Status, r.Body)
	}
	f.professional = r.JSON(e.t)["id"].(string)
	f.etag = r.Header.Get("ETag")
	r = e.do(req{Method: "POST", Path: "/v1/conferences/" + f.conf + "/readiness-checks", Key: e.key(orgA, domain.RoleChair), Body: map[string]any{"decision": "postpone"}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add check: %d %s", r.Status, r.Body)
	}
	f.check = r.JSON(e.t)["id"].(string)
	return f
}

// operation builds a request that succeeds for an allowed role. Its roles
// are written out from PRODUCT.md's role column, not read from the
// permission table, so the test also checks the table itself.
type operation struct {
	id      string
	allowed []domain.Role
	build   func(f fixture) req
}

var (
	allRoles     = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin}
	csOnly       = []domain.Role{domain.RoleCaseSystem}
	csAndSW      = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker}
	contactRoles = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair}
	chairOnly    = []domain.Role{domain.RoleChair}
	// csSWAndChair may call a route where the chair records a decision.
	csSWAndChair = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair}
	// chairDecides may write what only the chair decides: the chair, or a
	// case system relaying the chair's decision from the case record.
	chairDecides = []domain.Role{domain.RoleCaseSystem, domain.RoleChair}
	adminOnly    = []domain.Role{domain.RoleAdmin}
	managers     = []domain.Role{domain.RoleManager, domain.RoleAdmin}
)

func operations() []operation {
	c := func(f fixture) string { return "/v1/conferences/" + f.conf }
	p := func(f fixture) string { return c(f) + "/participants/" + f.participant }
	ifMatch := func(f fixture) map[string]string { return map[string]string{"If-Match": f.etag} }
	return append([]operation{
		{"listConferences", allRoles, func(f fixture) req { return req{Method: "GET", Path: "/v1/conferences"} }},
		{"createConference", csOnly, func(f fixture) req {
			return req{Method: "POST", Path: "/v1/conferences", Body: conferenceBody("NEW-" + f.conf[:8])}
		}},
		{"getConference", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f)} }},
		{"updateConference", csOnly, func(f fixture) req {
			return req{Method: "PATCH", Path: c(f), Body: map[string]any{"format": "video"}, ContentType: "application/merge-patch+json", Header: ifMatch(f)}
		}},
		{"addParticipant", csAndSW, func(f fixture) req { return req{Method: "POST", Path: c(f) + "/participants", Body: participantBody()} }},
		{"updateParticipant", csSWAndChair, func(f fixture) req {
			return req{Method: "PATCH", Path: p(f), Body: map[string]any{"attendance": "phone"}, Header: ifMatch(f)}
		}},
		{"deleteParticipant", csAndSW, func(f fixture) req { return req{Method: "DELETE", Path: p(f), Header: ifMatch(f)} }},
		{"putNeed", csAndSW, func(f fixture) req {
			return req{Method: "PUT", Path: p(f) + "/needs/transport", Body: map[string]any{"status": "arranged"}}
		}},
		{"deleteNeed", csAndSW, func(f fixture) req { return req{Method: "DELETE", Path: p(f) + "/needs/childcare", Header: ifMatch(f)} }},
		{"addContact", contactRoles, func(f fixture) req {
			return req{Method: "POST", Path: p(f) + "/contacts", Body: map[string]any{"with": "social_worker", "on": "2026-11-20", "method": "phone"}}
		}},
		{"addReport", csAndSW, func(f fixture) req {
			return req{Method: "POST", Path: c(f) + "/reports", Body: map[string]any{"agency": "police", "title": "Police report"}}
		}},
		{"addShare", csSWAndChair, func(f fixture) req {
			return req{Method: "POST", Path: c(f) + "/reports/" + f.report + "/shares", Body: map[string]any{"participant_id": f.participant, "withheld": true, "reason": "Risk to the child"}}
		}},
		{"putChildViews", csAndSW, func(f fixture) req {
			return req{Method: "PUT", Path: c(f) + "/children/C-1/views", Body: map[string]any{"means": "written", "recorded_on": "2026-11-20"}}
		}},
		{"getReadiness", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/readiness"} }},
		{"listReadinessChecks", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/readiness-checks"} }},
		{"addReadinessCheck", chairOnly, func(f fixture) req {
			return req{Method: "POST", Path: c(f) + "/readiness-checks", Body: map[string]any{"decision": "postpone", "note": "not ready"}}
		}},
		{"getHistory", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/history"} }},
		{"getParticipant", allRoles, func(f fixture) req { return req{Method: "GET", Path: p(f)} }},
		{"getContact", allRoles, func(f fixture) req { return req{Method: "GET", Path: p(f) + "/contacts/" + f.contact} }},
		{"getReport", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/reports/" + f.report} }},
		{"getShare", allRoles, func(f fixture) req {
			return req{Method: "GET", Path: c(f) + "/reports/" + f.report + "/shares/" + f.share}
		}},
		{"getReadinessCheck", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/readiness-checks/" + f.check} }},
		{"getInsights", managers, func(f fixture) req { return req{Method: "GET", Path: "/v1/insights?from=2026-01-01&to=2027-01-01"} }},
		{"updateReport", csAndSW, func(f fixture) req {
			return req{Method: "PATCH", Path: c(f) + "/reports/" + f.report, Body: map[string]any{"shared_with_chair_on": "2026-11-20"}, Header: ifMatch(f)}
		}},
		{"listProfessionals", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/professionals"} }},
		{"addProfessional", csAndSW, func(f fixture) req {
			return req{Method: "POST", Path: c(f) + "/professionals", Body: map[string]any{"agency": "health", "name": "Health Visitor", "attendance": "confirmed"}}
		}},
		{"getProfessional", allRoles, func(f fixture) req { return req{Method: "GET", Path: c(f) + "/professionals/" + f.professional} }},
		{"updateProfessional", csAndSW, func(f fixture) req {
			return req{Method: "PATCH", Path: c(f) + "/professionals/" + f.professional, Body: map[string]any{"attendance": "confirmed"}, Header: ifMatch(f)}
		}},
		{"deleteProfessional", csAndSW, func(f fixture) req {
			return req{Method: "DELETE", Path: c(f) + "/professionals/" + f.professional, Header: ifMatch(f)}
		}},
		{"getPolicy", adminOnly, func(f fixture) req { return req{Method: "GET", Path: "/v1/policy"} }},
		{"putPolicy", adminOnly, func(f fixture) req { return req{Method: "PUT", Path: "/v1/policy", Body: domain.DefaultPolicy()} }},
		{"getPolicyHistory", adminOnly, func(f fixture) req { return req{Method: "GET", Path: "/v1/policy/history"} }},
		{"listEvents", []domain.Role{domain.RoleCaseSystem, domain.RoleManager, domain.RoleAdmin}, func(f fixture) req {
			return req{Method: "GET", Path: "/v1/events?after=0&limit=10"}
		}},
	}, webhookOperations()...)
}

// fieldCase is a request to an operation that sets one field with a rule
// of its own in the permission table (or several, named with spaces
// between, that are only valid together). Its roles are the roles that may
// both call the operation and write the field, written out from the brief
// (decisions that belong to the chair are the chair's), not read from
// the table.
type fieldCase struct {
	op, field string
	allowed   []domain.Role
	build     func(f fixture) req
}

func fieldCases() []fieldCase {
	c := func(f fixture) string { return "/v1/conferences/" + f.conf }
	p := func(f fixture) string { return c(f) + "/participants/" + f.participant }
	shares := func(f fixture) string { return c(f) + "/reports/" + f.report + "/shares" }
	ifMatch := func(f fixture) map[string]string { return map[string]string{"If-Match": f.etag} }
	patch := func(body map[string]any) func(f fixture) req {
		return func(f fixture) req { return req{Method: "PATCH", Path: p(f), Body: body, Header: ifMatch(f)} }
	}
	newParticipant := func(exclusion map[string]any) func(f fixture) req {
		return func(f fixture) req {
			b := participantBody()
			b["attendance"], b["exclusion"] = "excluded", exclusion
			return req{Method: "POST", Path: c(f) + "/participants", Body: b}
		}
	}
	return []fieldCase{
		{"addParticipant", "exclusion.decided_by_chair_on", csOnly, newParticipant(map[string]any{"decided_by_chair_on": "2026-11-20"})},
		{"addParticipant", "exclusion.grounds", csOnly, newParticipant(map[string]any{"grounds": "Risk of violence"})},
		{"updateParticipant", "exclusion.decided_by_chair_on", chairDecides, patch(map[string]any{"exclusion": map[string]any{"decided_by_chair_on": "2026-11-20"}})},
		{"updateParticipant", "exclusion.grounds", chairDecides, patch(map[string]any{"exclusion": map[string]any{"grounds": "Risk of violence"}})},
		{"updateParticipant", "attendance", csSWAndChair, patch(map[string]any{"attendance": "excluded"})},
		{"updateParticipant", auth.AnyOtherField, csAndSW, patch(map[string]any{"needs_assessed_on": "2026-11-20"})},
		{"addShare", "chair_agreed_on", chairDecides, func(f fixture) req {
			return req{Method: "POST", Path: shares(f), Body: map[string]any{"participant_id": f.participant, "withheld": true, "reason": "Risk to the child", "chair_agreed_on": "2026-11-20"}}
		}},
		{"addShare", "participant_id withheld reason", csSWAndChair, func(f fixture) req {
			return req{Method: "POST", Path: shares(f), Body: map[string]any{"participant_id": f.participant, "withheld": true, "reason": "Risk to the child"}}
		}},
		{"addShare", auth.AnyOtherField, csAndSW, func(f fixture) req {
			return req{Method: "POST", Path: shares(f), Body: map[string]any{"participant_id": f.participant, "shared_on": "2026-11-20", "language": "pl"}}
		}},
	}
}

// TestRoleMatrixByField calls every operation with a field rule, setting
// each ruled field, as every role: allowed roles succeed, others get 403
// naming the field, with nothing written. It also checks that every field
// in the table has a case, so a new chair-only field cannot go untested.
func TestRoleMatrixByField(t *testing.T) {
	e := newEnv(t)
	covered := map[string]bool{}
	n := 0
	for _, fc := range fieldCases() {
		fields := strings.Fields(fc.field)
		for _, field := range fields {
			covered[fc.op+" "+field] = true
		}
		for _, role := range domain.Roles {
			n++
			f := e.mustFixture(fmt.Sprintf("F-%03d", n))
			r := fc.build(f)
			r.Key = e.key(orgA, role)
			allowed := slices.Contains(fc.allowed, role)
			table := auth.Allowed(fc.op, role)
			for _, field := range fields {
				table = table && auth.FieldAllowed(fc.op, field, role)
			}
			if table != allowed {
				t.Errorf("the permission table says %s may write %s in %s: %v; the brief says %v", role, fc.field, fc.op, table, allowed)
			}
			before := e.aggregate(f.conf)
			got := e.do(r)
			switch {
			case allowed && (got.Status < 200 || got.Status > 299):
				t.Errorf("%s %s as %s: %d, want 2xx: %s", fc.op, fc.field, role, got.Status, got.Body)
			case !allowed && got.Status != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403: %s", fc.op, fc.field, role, got.Status, got.Body)
			case !allowed && e.aggregate(f.conf) != before:
				t.Errorf("%s %s as %s was refused but changed the conference", fc.op, fc.field, role)
			}
		}
	}
	for op, fields := range auth.FieldPermissions {
		for field := range fields {
			if !covered[op+" "+field] {
				t.Errorf("the field %s of %s has a rule in the permission table but no case here", field, op)
			}
		}
	}
}

// orgScoped reports whether an operation names a conference, so that
// another organisation must get 404 rather than its own empty answer.
func orgScoped(op string) bool {
	switch op {
	case "listConferences", "createConference", "getPolicy", "putPolicy", "getPolicyHistory", "listEvents", "listWebhooks", "createWebhook", "getInsights":
		return false
	}
	return true
}

// TestRoleMatrix calls every route as every role, and as an allowed role
// of another organisation: allowed roles succeed, others get 403 with
// nothing written, and another organisation's conference is always 404.
func TestRoleMatrix(t *testing.T) {
	e := newEnv(t, allowPrivateWebhooks)
	ops := operations()
	if len(ops) != len(auth.Permissions) {
		t.Fatalf("the matrix covers %d operations, the permission table has %d", len(ops), len(auth.Permissions))
	}
	n := 0
	for _, op := range ops {
		for _, role := range domain.Roles {
			n++
			f := e.mustFixture(fmt.Sprintf("M-%03d", n))
			r := op.build(f)
			r.Key = e.key(orgA, role)
			allowed := slices.Contains(op.allowed, role)
			if auth.Allowed(op.id, role) != allowed {
				t.Errorf("the permission table says %s may %s: %v; PRODUCT.md says %v", role, op.id, !allowed, allowed)
			}
			before := e.aggregate(f.conf)
			got := e.do(r)
			if !allowed && e.aggregate(f.conf) != before {
				t.Errorf("%s as %s was refused but changed the conference", op.id, role)
			}
			switch {
			case allowed && (got.Status < 200 || got.Status > 299):
				t.Errorf("%s as %s: %d, want 2xx: %s", op.id, role, got.Status, got.Body)
			case !allowed && got.Status != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403: %s", op.id, role, got.Status, got.Body)
			}
			if !allowed || !orgScoped(op.id) {
				continue
			}
			before = e.aggregate(f.conf)
			r.Key = e.key(orgB, role)
			if got := e.do(r); got.Status != http.StatusNotFound {
				t.Errorf("%s as %s of another organisation: %d, want 404: %s", op.id, role, got.Status, got.Body)
			}
			if after := e.aggregate(f.conf); after != before {
				t.Errorf("%s as %s of another organisation changed the conference", op.id, role)
			}
		}
	}
}

// TestOtherOrganisationNeverListed checks lists only ever hold the caller's
// organisation's conferences.
func TestOtherOrganisationNeverListed(t *testing.T) {
	e := newEnv(t)
	mine := e.mustCreate(orgA, "MINE-1")
	e.mustCreate(orgB, "THEIRS-1")
	r := e.do(req{Method: "GET", Path: "/v1/conferences", Key: e.key(orgA, domain.RoleManager)})
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	r.Decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != mine {
		t.Fatalf("orgA sees %+v, want only %s", page.Items, mine)
	}
	r = e.do(req{Method: "GET", Path: "/v1/conferences?external_ref=THEIRS-1", Key: e.key(orgA, domain.RoleManager)})
	r.Decode(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("orgA found another organisation's conference by external_ref: %+v", page.Items)
	}
}
