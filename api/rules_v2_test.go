package api_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// v2Conference is a conference body of the given type, with changes.
func v2Conference(ref string, typ string, changes map[string]any) map[string]any {
	b := conferenceBody(ref)
	b["type"] = typ
	delete(b, "strategy_discussion_on")
	for k, v := range changes {
		if v == nil {
			delete(b, k)
			continue
		}
		b[k] = v
	}
	return b
}

func TestProfessionals(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "PR-1")
	cs, sw := e.key(orgA, domain.RoleCaseSystem), e.key(orgA, domain.RoleSocialWorker)
	path := rrPath(id, "/professionals")

	// Attendance and report_expected take their defaults.
	r := e.do(req{Method: "POST", Path: path, Key: cs, Body: map[string]any{"agency": "police", "name": "DC Example", "role": "child abuse investigation"}})
	rrStatus(t, r, 201)
	var police domain.Professional
	r.Decode(t, &police)
	if uuid.Validate(police.ID) != nil || police.Agency != "police" || police.Name != "DC Example" || police.Attendance != "invited" ||
		police.ReportExpected == nil || !*police.ReportExpected {
		t.Errorf("created %s", r.Body)
	}
	if got, want := r.Header.Get("Location"), path+"/"+police.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	ev := rrLastEvent(t, e, id)
	if ev.Action != "create" || ev.Entity != "professional" || ev.EntityID != police.ID || strings.Contains(ev.Changes, "DC Example") || strings.Contains(ev.Changes, "child abuse") {
		t.Errorf("audit row = %+v: names and roles are redacted", ev)
	}
	rd := rrGetReadiness(e, orgA, id)
	if len(rrFindings(rd.Findings, "QUORUM_NOT_CONFIRMED")) != 1 {
		t.Errorf("no quorum with one invited professional: %v", rrCodes(rd.Findings))
	}
	missing := rrFindings(rd.Findings, "AGENCY_REPORT_MISSING")
	if len(missing) != 1 || missing[0].Agency != "police" || missing[0].Severity != "advisory" || missing[0].DueOn == nil || missing[0].DueOn.String() != "2026-12-02" {
		t.Errorf("AGENCY_REPORT_MISSING = %+v", missing)
	}

	// Confirmed professionals from social care and two other agencies make
	// a quorum; two from one agency count once.
	rrWrite(e, orgA, domain.RoleSocialWorker, "POST", path, map[string]any{"agency": "social_care", "name": "Team Manager", "attendance": "confirmed", "report_expected": false}, 201)
	rrWrite(e, orgA, domain.RoleSocialWorker, "POST", path, map[string]any{"agency": "health", "name": "Health Visitor", "attendance": "confirmed", "report_expected": false}, 201)
	rrWrite(e, orgA, domain.RoleSocialWorker, "POST", path, map[string]any{"agency": "health", "name": "GP", "attendance": "confirmed", "report_expected": false}, 201)
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "QUORUM_NOT_CONFIRMED"); len(fs) != 1 {
		t.Errorf("social care and two health professionals: %+v", fs)
	}
	r = e.do(req{Method: "PATCH", Path: path + "/" + police.ID, Key: sw, Header: ctIfMatch("*"), ContentType: "application/merge-patch+json",
		Body: map[string]any{"attendance": "confirmed", "role": nil}})
	rrStatus(t, r, 200)
	var patched domain.Professional
	r.Decode(t, &patched)
	if patched.Attendance != "confirmed" || patched.Role != "" || patched.Name != "DC Example" || !*patched.ReportExpected {
		t.Errorf("patched %s", r.Body)
	}
	rd = rrGetReadiness(e, orgA, id)
	if fs := rrFindings(rd.Findings, "QUORUM_NOT_CONFIRMED"); len(fs) != 0 {
		t.Errorf("quorate, yet %+v", fs)
	}
	// A police report clears AGENCY_REPORT_MISSING.
	rrAddReport(e, orgA, id, "police")
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "AGENCY_REPORT_MISSING"); len(fs) != 0 {
		t.Errorf("the police reported, yet %+v", fs)
	}

	var list struct {
		Items []domain.Professional `json:"items"`
	}
	r = e.do(req{Method: "GET", Path: path, Key: e.key(orgA, domain.RoleManager)})
	rrStatus(t, r, 200)
	r.Decode(t, &list)
	if len(list.Items) != 4 || list.Items[0].ID != police.ID {
		t.Fatalf("list = %s", r.Body)
	}
	var got domain.Professional
	e.do(req{Method: "GET", Path: path + "/" + police.ID, Key: e.key(orgA, domain.RoleChair)}).Decode(t, &got)
	if got.ID != police.ID || got.Attendance != "confirmed" {
		t.Errorf("get = %+v", got)
	}

	rrStatus(t, e.do(req{Method: "DELETE", Path: path + "/" + police.ID, Key: sw, Header: ctIfMatch("*")}), 204)
	rrProblem(t, e.do(req{Method: "GET", Path: path + "/" + police.ID, Key: sw}), 404)
	rrProblem(t, e.do(req{Method: "DELETE", Path: path + "/" + police.ID, Key: sw, Header: ctIfMatch("*")}), 404)
	rrProblem(t, e.do(req{Method: "PATCH", Path: path + "/" + uuid.NewString(), Key: sw, Header: ctIfMatch("*"), Body: map[string]any{"attendance": "declined"}}), 404)
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "QUORUM_NOT_CONFIRMED"); len(fs) != 1 {
		t.Errorf("the police left, yet quorate: %+v", fs)
	}
	// Another organisation sees none of it.
	rrProblem(t, e.do(req{Method: "GET", Path: path, Key: e.key(orgB, domain.RoleManager)}), 404)
	rrProblem(t, e.do(req{Method: "GET", Path: path + "/" + list.Items[1].ID, Key: e.key(orgB, domain.RoleManager)}), 404)
	rrProblem(t, e.do(req{Method: "POST", Path: path, Key: e.key(orgB, domain.RoleCaseSystem), Body: map[string]any{"agency": "police", "name": "X"}}), 404)
}

func TestProfessionalsRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "PR-2")
	cs := e.key(orgA, domain.RoleCaseSystem)
	path := rrPath(id, "/professionals")
	ok := map[string]any{"agency": "police", "name": "DC Example"}
	with := func(k string, v any) map[string]any {
		b := map[string]any{"agency": "police", "name": "DC Example"}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	rrRefuses(t, e, id, "POST", path, []rrCase{
		{name: "no agency", key: cs, body: with("agency", nil), status: 422, fields: []string{"agency"}},
		{name: "unknown agency", key: cs, body: with("agency", "fire_service"), status: 422, fields: []string{"agency"}},
		{name: "no name", key: cs, body: with("name", nil), status: 422, fields: []string{"name"}},
		{name: "name too long", key: cs, body: with("name", strings.Repeat("n", 201)), status: 422, fields: []string{"name"}},
		{name: "role too long", key: cs, body: with("role", strings.Repeat("r", 201)), status: 422, fields: []string{"role"}},
		{name: "unknown attendance", key: cs, body: with("attendance", "maybe"), status: 422, fields: []string{"attendance"}},
		{name: "report_expected a string", key: cs, body: with("report_expected", "yes"), status: 422, fields: []string{"report_expected"}},
		{name: "unknown field", key: cs, body: with("email", "x@example.org"), status: 400, fields: []string{"email"}},
		{name: "chair", key: e.key(orgA, domain.RoleChair), body: ok, status: 403},
		{name: "manager", key: e.key(orgA, domain.RoleManager), body: ok, status: 403},
		{name: "unknown conference", key: cs, path: rrPath(uuid.NewString(), "/professionals"), body: ok, status: 404},
	})
	prof := rrWrite(e, orgA, domain.RoleCaseSystem, "POST", path, ok, 201)["id"].(string)
	rrRefuses(t, e, id, "PATCH", path+"/"+prof, []rrCase{
		{name: "name removed", key: cs, header: ctIfMatch("*"), body: map[string]any{"name": nil}, status: 422, fields: []string{"name"}},
		{name: "agency removed", key: cs, header: ctIfMatch("*"), body: map[string]any{"agency": nil}, status: 422, fields: []string{"agency"}},
		{name: "unknown attendance", key: cs, header: ctIfMatch("*"), body: map[string]any{"attendance": "sometimes"}, status: 422, fields: []string{"attendance"}},
		{name: "without If-Match", key: cs, body: map[string]any{"attendance": "confirmed"}, status: 428},
		{name: "stale If-Match", key: cs, header: ctIfMatch(`"1"`), body: map[string]any{"attendance": "confirmed"}, status: 412},
	})
}

// Each new check of a body is a 422 naming the field, with nothing written.
func TestRulesV2Refusals(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "V2-REF")
	pid := e.mustAddParticipant(orgA, id)
	rid := rrAddReport(e, orgA, id, "social_care")
	cs := e.key(orgA, domain.RoleCaseSystem)
	tomorrow := "2026-11-24"

	t.Run("create conference", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"pre-birth without an expected delivery", v2Conference("PB-1", "pre_birth", nil), []string{"expected_delivery_on"}},
			{"pre-birth without a child", v2Conference("PB-2", "pre_birth", map[string]any{"expected_delivery_on": "2027-03-01", "children": []any{}}), []string{"children"}},
			{"expected delivery on an initial", v2Conference("PB-3", "initial", map[string]any{"expected_delivery_on": "2027-03-01"}), []string{"expected_delivery_on"}},
			{"transfer notice on a review", v2Conference("TI-1", "review", map[string]any{"transfer_notice_on": "2026-11-20"}), []string{"transfer_notice_on"}},
			{"transfer notice in the future", v2Conference("TI-2", "transfer_in", map[string]any{"transfer_notice_on": tomorrow}), []string{"transfer_notice_on"}},
			{"unborn not a boolean", v2Conference("PB-4", "initial", map[string]any{"children": []any{map[string]any{"ref": "C-1", "unborn": "yes"}}}), []string{"children.unborn"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := rrProblem(t, e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: c.body}), 422)
				rrFields(t, p, c.fields...)
			})
		}
	})
	rrRefuses(t, e, id, "PATCH", rrPath(id), []rrCase{
		{name: "to pre-birth without an expected delivery", key: cs, header: ctIfMatch("*"), body: map[string]any{"type": "pre_birth"}, status: 422, fields: []string{"expected_delivery_on"}},
		{name: "to pre-birth without children", key: cs, header: ctIfMatch("*"), body: map[string]any{"type": "pre_birth", "expected_delivery_on": "2027-03-01", "children": nil}, status: 422, fields: []string{"children"}},
	})
	rrRefuses(t, e, id, "PATCH", rrPath(id, "/participants/", pid), []rrCase{
		{name: "none needed without a note", key: cs, header: ctIfMatch("*"), body: map[string]any{"safety": map[string]any{"concern": "domestic_abuse", "arrangement": "none_needed"}}, status: 422, fields: []string{"safety.note"}},
		{name: "none needed with a blank note", key: cs, header: ctIfMatch("*"), body: map[string]any{"safety": map[string]any{"concern": "other", "arrangement": "none_needed", "note": "  "}}, status: 422, fields: []string{"safety.note"}},
		{name: "informed tomorrow", key: cs, header: ctIfMatch("*"), body: map[string]any{"informed_on": tomorrow}, status: 422, fields: []string{"informed_on"}},
		{name: "advocacy offered tomorrow", key: cs, header: ctIfMatch("*"), body: map[string]any{"advocacy_offered_on": tomorrow}, status: 422, fields: []string{"advocacy_offered_on"}},
		{name: "parental responsibility not a boolean", key: cs, header: ctIfMatch("*"), body: map[string]any{"parental_responsibility": "yes"}, status: 422, fields: []string{"parental_responsibility"}},
	})
	shares := rrPath(id, "/reports/", rid, "/shares")
	rrRefuses(t, e, id, "POST", shares, []rrCase{
		{name: "other format without a note", key: cs, body: map[string]any{"participant_id": pid, "shared_on": "2026-11-20", "format": "other"}, status: 422, fields: []string{"format_note"}},
		{name: "note with a written format", key: cs, body: map[string]any{"participant_id": pid, "shared_on": "2026-11-20", "format": "written", "format_note": "x"}, status: 422, fields: []string{"format_note"}},
		{name: "unknown format", key: cs, body: map[string]any{"participant_id": pid, "shared_on": "2026-11-20", "format": "braille_only"}, status: 422, fields: []string{"format"}},
		{name: "format on a withholding", key: cs, body: map[string]any{"participant_id": pid, "withheld": true, "reason": "risk", "format": "spoken"}, status: 422, fields: []string{"format"}},
	})
	rrRefuses(t, e, id, "POST", rrPath(id, "/reports"), []rrCase{
		{name: "with the chair tomorrow", key: cs, body: map[string]any{"agency": "police", "title": "Police", "shared_with_chair_on": tomorrow}, status: 422, fields: []string{"shared_with_chair_on"}},
	})
	rrRefuses(t, e, id, "PATCH", rrPath(id, "/reports/", rid), []rrCase{
		{name: "with the chair tomorrow", key: cs, header: ctIfMatch("*"), body: map[string]any{"shared_with_chair_on": tomorrow}, status: 422, fields: []string{"shared_with_chair_on"}},
		{name: "title removed", key: cs, header: ctIfMatch("*"), body: map[string]any{"title": nil}, status: 422, fields: []string{"title"}},
		{name: "shares in a patch", key: cs, header: ctIfMatch("*"), body: map[string]any{"shares": []any{}}, status: 400, fields: []string{"shares"}},
		{name: "unknown report", key: cs, header: ctIfMatch("*"), path: rrPath(id, "/reports/", uuid.NewString()), body: map[string]any{"title": "x"}, status: 404},
		{name: "without If-Match", key: cs, body: map[string]any{"title": "x"}, status: 428},
		{name: "as a chair", key: e.key(orgA, domain.RoleChair), header: ctIfMatch("*"), body: map[string]any{"title": "x"}, status: 403},
	})
	rrRefuses(t, e, id, "PUT", rrPath(id, "/children/C-1/views"), []rrCase{
		{name: "not applicable without a reason", key: cs, body: map[string]any{"means": "not_applicable"}, status: 422, fields: []string{"reason"}},
		{name: "a reason with written views", key: cs, body: map[string]any{"means": "written", "recorded_on": "2026-11-20", "reason": "baby"}, status: 422, fields: []string{"reason"}},
	})
}

// A pre-birth conference with an unborn child, and a transfer-in one: both
// are accepted, the unborn child needs no views, and each timescale fires.
func TestPreBirthAndTransferInConferences(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	// 7 December 2026 falls after week 28 of a pregnancy due 28 February
	// 2027: week 28 ends twelve weeks before, on 6 December.
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: v2Conference("PB-OK", "pre_birth", map[string]any{
		"expected_delivery_on": "2027-02-28", "children": []any{map[string]any{"ref": "U-1", "unborn": true}},
	})})
	rrStatus(t, r, 201)
	var pb domain.Conference
	r.Decode(t, &pb)
	if !pb.Children[0].Unborn || pb.ExpectedDeliveryOn == nil || pb.ExpectedDeliveryOn.String() != "2027-02-28" {
		t.Errorf("pre-birth = %s", r.Body)
	}
	rd := rrGetReadiness(e, orgA, pb.ID)
	late := rrFindings(rd.Findings, "PRE_BIRTH_CONFERENCE_LATE")
	if len(late) != 1 || late[0].DueOn == nil || late[0].DueOn.String() != "2026-12-06" {
		t.Errorf("PRE_BIRTH_CONFERENCE_LATE = %+v", late)
	}
	if n := len(rrFindings(rd.Findings, "CHILD_VIEWS_NOT_RECORDED")); n != 0 {
		t.Errorf("an unborn child's views were asked for: %v", rrCodes(rd.Findings))
	}

	r = e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: v2Conference("TI-OK", "transfer_in", map[string]any{"transfer_notice_on": "2026-11-10"})})
	rrStatus(t, r, 201)
	ti := r.JSON(t)["id"].(string)
	rd = rrGetReadiness(e, orgA, ti)
	// 15 working days after 10 November is 1 December; the conference is on the 7th.
	if fs := rrFindings(rd.Findings, "TRANSFER_IN_TIMESCALE_EXCEEDED"); len(fs) != 1 || fs[0].DueOn.String() != "2026-12-01" {
		t.Errorf("TRANSFER_IN_TIMESCALE_EXCEEDED = %+v", fs)
	}
	// Views that cannot be had clear both rules on views.
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", rrPath(ti, "/children/C-1/views"), map[string]any{"means": "not_applicable", "reason": "a baby of four weeks"}, 201)
	rd = rrGetReadiness(e, orgA, ti)
	if n := len(rrFindings(rd.Findings, "CHILD_VIEWS_NOT_RECORDED")) + len(rrFindings(rd.Findings, "CHILD_VIEWS_NOT_SHARED")); n != 0 {
		t.Errorf("views not applicable: %v", rrCodes(rd.Findings))
	}
}

// Reports are owed by relationship and parental responsibility; a parent
// with responsibility who is not invited is a blocker until the chair
// decides to exclude them.
func TestReportsOwedAndParentNotInvited(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "OWED-1")
	rid := rrAddReport(e, orgA, id, "social_care")
	gran := rrWrite(e, orgA, domain.RoleSocialWorker, "POST", rrPath(id, "/participants"), map[string]any{
		"display_name": "Gran", "relationship": "grandparent", "invited": true, "attendance": "in_person",
	}, 201)["id"].(string)
	for _, f := range rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED") {
		if f.ParticipantID == gran {
			t.Errorf("a grandparent is owed the report: %+v", f)
		}
	}
	rrStatus(t, e.do(req{Method: "PATCH", Path: rrPath(id, "/participants/", gran), Key: e.key(orgA, domain.RoleSocialWorker), Header: ctIfMatch("*"),
		Body: map[string]any{"parental_responsibility": true}}), 200)
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED"); len(fs) != 1 || fs[0].ParticipantID != gran || fs[0].ReportID != rid {
		t.Errorf("a grandparent with parental responsibility: %+v", fs)
	}

	dad := rrWrite(e, orgA, domain.RoleSocialWorker, "POST", rrPath(id, "/participants"), map[string]any{
		"display_name": "Dad", "relationship": "father", "invited": false, "attendance": "not_attending", "parental_responsibility": true,
	}, 201)["id"].(string)
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "PARENT_NOT_INVITED"); len(fs) != 1 || fs[0].ParticipantID != dad || fs[0].Severity != "blocker" {
		t.Errorf("PARENT_NOT_INVITED = %+v", fs)
	}
	rrStatus(t, e.do(req{Method: "PATCH", Path: rrPath(id, "/participants/", dad), Key: e.key(orgA, domain.RoleCaseSystem), Header: ctIfMatch("*"),
		Body: map[string]any{"exclusion": map[string]any{"decided_by_chair_on": "2026-11-20", "grounds": "risk to the mother"}}}), 200)
	if fs := rrFindings(rrGetReadiness(e, orgA, id).Findings, "PARENT_NOT_INVITED"); len(fs) != 0 {
		t.Errorf("excluded by the chair, yet %+v", fs)
	}
}
