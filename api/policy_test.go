package api_test

import (
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// rrPolicyBody is a whole policy: the defaults with these changes.
func rrPolicyBody(changes map[string]any) map[string]any {
	b := map[string]any{
		"report_days":       map[string]any{"initial": 3, "review": 5, "pre_birth": 3},
		"icpc_working_days": 15, "first_review_months": 3, "review_interval_months": 6,
		"chair_report_days":     map[string]any{"initial": 3, "review": 5, "pre_birth": 3},
		"quorum_other_agencies": 2, "pre_birth_latest_week": 28, "transfer_in_days": 15,
		"phone_only_attendance": true,
	}
	for k, v := range changes {
		if k == "initial" {
			b["report_days"] = map[string]any{"initial": v, "review": 5, "pre_birth": 3}
			continue
		}
		if v == nil {
			delete(b, k)
			continue
		}
		b[k] = v
	}
	return b
}

func rrPutPolicy(e *env, org string, changes map[string]any) map[string]any {
	e.t.Helper()
	return rrWrite(e, org, domain.RoleAdmin, "PUT", "/v1/policy", rrPolicyBody(changes), 200)
}

// rrPolicyEvents returns the changes of the policy audit rows, oldest first.
func rrPolicyEvents(t testing.TB, e *env) []string {
	t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.Query("SELECT entity_id, COALESCE(CAST(changes AS TEXT), '') FROM audit_events WHERE entity = 'policy' AND conference_id IS NULL ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var org, ch string
		if err := rows.Scan(&org, &ch); err != nil {
			t.Fatal(err)
		}
		out = append(out, org+" "+rrCanonical(t, ch))
	}
	return out
}

const rrDefaultPolicy = `{"report_days":{"initial":3,"review":5,"pre_birth":3},"icpc_working_days":15,"first_review_months":3,"review_interval_months":6,"chair_report_days":{"initial":3,"review":5,"pre_birth":3},"quorum_other_agencies":2,"pre_birth_latest_week":28,"transfer_in_days":15,"phone_only_attendance":true,"version":0}`

func TestPolicyGetAndPut(t *testing.T) {
	e := newEnv(t)
	admin := e.key(orgA, domain.RoleAdmin)
	r := e.do(req{Method: "GET", Path: "/v1/policy", Key: admin})
	rrStatus(t, r, 200)
	if string(r.Body) != rrDefaultPolicy || r.Header.Get("ETag") != `"0"` {
		t.Errorf("default policy = %s, ETag %s", r.Body, r.Header.Get("ETag"))
	}

	r = e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: map[string]any{
		"report_days":       map[string]any{"initial": 2, "review": 4, "pre_birth": 2},
		"icpc_working_days": 20, "first_review_months": 4, "review_interval_months": 5, "phone_only_attendance": false,
		"chair_report_days":     map[string]any{"initial": 4, "review": 6, "pre_birth": 4},
		"quorum_other_agencies": 3, "pre_birth_latest_week": 26, "transfer_in_days": 10,
	}})
	rrStatus(t, r, 200)
	want := `{"report_days":{"initial":2,"review":4,"pre_birth":2},"icpc_working_days":20,"first_review_months":4,"review_interval_months":5,"chair_report_days":{"initial":4,"review":6,"pre_birth":4},"quorum_other_agencies":3,"pre_birth_latest_week":26,"transfer_in_days":10,"phone_only_attendance":false,"version":1}`
	if string(r.Body) != want || r.Header.Get("ETag") != `"1"` {
		t.Errorf("PUT = %s, ETag %s", r.Body, r.Header.Get("ETag"))
	}
	r = e.do(req{Method: "GET", Path: "/v1/policy", Key: admin})
	if string(r.Body) != want || r.Header.Get("ETag") != `"1"` {
		t.Errorf("GET after PUT = %s, ETag %s", r.Body, r.Header.Get("ETag"))
	}
	// Another organisation keeps the defaults.
	if r := e.do(req{Method: "GET", Path: "/v1/policy", Key: e.key(orgB, domain.RoleAdmin)}); string(r.Body) != rrDefaultPolicy {
		t.Errorf("orgB policy = %s", r.Body)
	}
	evs := rrPolicyEvents(t, e)
	if len(evs) != 1 || !strings.HasPrefix(evs[0], orgA+" ") ||
		!strings.Contains(evs[0], `"icpc_working_days":{"before":15,"after":20}`) ||
		!strings.Contains(evs[0], `"report_days.initial":{"before":3,"after":2}`) ||
		!strings.Contains(evs[0], `"phone_only_attendance":{"before":true,"after":false}`) {
		t.Errorf("policy audit rows = %q", evs)
	}

	// If-Match guards the policy like a conference; a version in the body
	// is not trusted.
	stale := e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: rrPolicyBody(nil), Header: map[string]string{"If-Match": `"0"`}})
	rrProblem(t, stale, 412)
	r = e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: rrPolicyBody(map[string]any{"version": 99}), Header: map[string]string{"If-Match": `"1"`}})
	rrStatus(t, r, 200)
	if r.JSON(t)["version"] != 2.0 || r.Header.Get("ETag") != `"2"` {
		t.Errorf("PUT with If-Match = %s, ETag %s", r.Body, r.Header.Get("ETag"))
	}
	r = e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: rrPolicyBody(nil), Header: map[string]string{"If-Match": "*"}})
	rrStatus(t, r, 200)
	if r.Header.Get("ETag") != `"3"` {
		t.Errorf("PUT with If-Match * = ETag %s", r.Header.Get("ETag"))
	}
	if n := len(rrPolicyEvents(t, e)); n != 3 {
		t.Errorf("policy audit rows = %d, want 3", n)
	}
}

func TestPolicyRefused(t *testing.T) {
	e := newEnv(t)
	rrPutPolicy(e, orgA, map[string]any{"icpc_working_days": 10}) // version 1
	admin := e.key(orgA, domain.RoleAdmin)
	get := func() string {
		r := e.do(req{Method: "GET", Path: "/v1/policy", Key: admin})
		rrStatus(t, r, 200)
		return string(r.Body)
	}
	before, events := get(), len(rrPolicyEvents(t, e))
	ok := rrPolicyBody(nil)
	cases := []rrCase{
		{name: "no key", body: ok, status: 401},
		{name: "stale If-Match", key: admin, body: ok, header: map[string]string{"If-Match": `"0"`}, status: 412},
		{name: "icpc_working_days 0", key: admin, body: rrPolicyBody(map[string]any{"icpc_working_days": 0}), status: 422, fields: []string{"icpc_working_days"}},
		{name: "icpc_working_days 61", key: admin, body: rrPolicyBody(map[string]any{"icpc_working_days": 61}), status: 422, fields: []string{"icpc_working_days"}},
		{name: "report_days.initial 31", key: admin, body: rrPolicyBody(map[string]any{"initial": 31}), status: 422, fields: []string{"report_days.initial"}},
		{name: "report_days.initial negative", key: admin, body: rrPolicyBody(map[string]any{"initial": -1}), status: 422, fields: []string{"report_days.initial"}},
		{name: "first_review_months 0", key: admin, body: rrPolicyBody(map[string]any{"first_review_months": 0}), status: 422, fields: []string{"first_review_months"}},
		{name: "review_interval_months 25", key: admin, body: rrPolicyBody(map[string]any{"review_interval_months": 25}), status: 422, fields: []string{"review_interval_months"}},
		{name: "missing fields", key: admin, body: rrPolicyBody(map[string]any{"icpc_working_days": nil, "first_review_months": nil}), status: 422, fields: []string{"icpc_working_days", "first_review_months"}},
		{name: "not a number", key: admin, body: rrPolicyBody(map[string]any{"icpc_working_days": "15"}), status: 422, fields: []string{"icpc_working_days"}},
		{name: "fraction", key: admin, body: rrPolicyBody(map[string]any{"icpc_working_days": 1.5}), status: 422, fields: []string{"icpc_working_days"}},
		{name: "quorum_other_agencies 0", key: admin, body: rrPolicyBody(map[string]any{"quorum_other_agencies": 0}), status: 422, fields: []string{"quorum_other_agencies"}},
		{name: "quorum_other_agencies 6", key: admin, body: rrPolicyBody(map[string]any{"quorum_other_agencies": 6}), status: 422, fields: []string{"quorum_other_agencies"}},
		{name: "pre_birth_latest_week 41", key: admin, body: rrPolicyBody(map[string]any{"pre_birth_latest_week": 41}), status: 422, fields: []string{"pre_birth_latest_week"}},
		{name: "transfer_in_days 0", key: admin, body: rrPolicyBody(map[string]any{"transfer_in_days": 0}), status: 422, fields: []string{"transfer_in_days"}},
		{name: "chair_report_days.review 31", key: admin, body: rrPolicyBody(map[string]any{"chair_report_days": map[string]any{"initial": 3, "review": 31, "pre_birth": 3}}), status: 422, fields: []string{"chair_report_days.review"}},
		{name: "missing v2 counts", key: admin, body: rrPolicyBody(map[string]any{"quorum_other_agencies": nil, "pre_birth_latest_week": nil, "transfer_in_days": nil}), status: 422, fields: []string{"quorum_other_agencies", "pre_birth_latest_week", "transfer_in_days"}},
		{name: "malformed", key: admin, body: `{"report_days":`, status: 400},
		{name: "unknown field", key: admin, body: rrPolicyBody(map[string]any{"report_deadline": 3}), status: 400, fields: []string{"report_deadline"}},
		{name: "text/plain", key: admin, body: ok, ct: "text/plain", status: 415},
		{name: "too large", key: admin, body: rrHuge, status: 413},
	}
	for _, role := range []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager} {
		cases = append(cases, rrCase{name: string(role), key: e.key(orgA, role), body: ok, status: 403})
		rrProblem(t, e.do(req{Method: "GET", Path: "/v1/policy", Key: e.key(orgA, role)}), 403)
	}
	rrProblem(t, e.do(req{Method: "GET", Path: "/v1/policy"}), 401)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := rrProblem(t, e.do(req{Method: "PUT", Path: "/v1/policy", Key: c.key, Body: c.body, ContentType: c.ct, Header: c.header}), c.status)
			if c.fields != nil {
				rrFields(t, p, c.fields...)
			}
			if got := get(); got != before {
				t.Errorf("a refused PUT changed the policy: %s", got)
			}
			if n := len(rrPolicyEvents(t, e)); n != events {
				t.Errorf("a refused PUT left an audit row")
			}
		})
	}
}

func TestPolicyChangeReevaluatesConferences(t *testing.T) {
	e := newEnv(t)
	// A ready conference (2026-12-07) whose mother attends in person and
	// whose father joins by phone: one advisory, PHONE_ONLY_ATTENDANCE.
	ready := e.mustCreate(orgA, "PO-READY")
	_, rid := rrMakeReady(e, orgA, ready)
	dad := rrWrite(e, orgA, domain.RoleSocialWorker, "POST", rrPath(ready, "/participants"), map[string]any{
		"display_name": "Other Parent", "relationship": "father", "invited": true, "attendance": "phone",
		"needs_assessed_on": "2026-11-20", "private_space_confirmed": true,
		"informed_on": "2026-11-20", "advocacy_offered_on": "2026-11-20",
	}, 201)["id"].(string)
	rrContact(e, orgA, ready, dad, "social_worker", "2026-11-20")
	rrContact(e, orgA, ready, dad, "chair", "2026-11-20")
	rrShare(e, orgA, ready, rid, dad, "2026-11-23")
	// A conference with an unshared report, due 2026-12-02 by default; and
	// the same in another organisation.
	pending, _, _ := rrNotReadyWithDeadlines(e, "PO-PENDING")
	otherOrg := e.mustCreate(orgB, "PO-OTHER")
	e.mustAddParticipant(orgB, otherOrg)
	rrAddReport(e, orgB, otherOrg, "social_care")

	readyTag, pendingTag, otherAgg := e.etagOf(orgA, ready), e.etagOf(orgA, pending), e.aggregate(otherOrg)
	check := func(step string, id string, want rrSummary, codes ...string) {
		t.Helper()
		if got := rrStoredSummary(e, orgA, id); got != want {
			t.Errorf("%s: stored summary = %+v, want %+v", step, got, want)
		}
		if _, sums := rrList(e, orgA, ""); sums[id] != want {
			t.Errorf("%s: list summary = %+v, want %+v", step, sums[id], want)
		}
		rd := rrGetReadiness(e, orgA, id)
		if rd.Status != want.Status || rd.Blockers != want.Blockers || rd.Advisories != want.Advisories {
			t.Errorf("%s: live readiness = %+v, want %+v", step, rd, want)
		}
		var adv []string
		for _, f := range rd.Findings {
			if f.Severity == "advisory" {
				adv = append(adv, f.Code)
			}
		}
		if strings.Join(adv, ",") != strings.Join(codes, ",") {
			t.Errorf("%s: advisories = %q, want %q", step, adv, codes)
		}
	}
	check("default", ready, rrSummary{Status: "ready", Advisories: 1}, "PHONE_ONLY_ATTENDANCE")
	check("default", pending, rrSummary{Status: "not_ready", Blockers: 10, Advisories: 1, DueOn: "2026-12-02"}, "ADVOCACY_NOT_OFFERED")
	rrWantList(t, e, "overdue=true")

	// Eleven working days before 2026-12-07 is 2026-11-20: the shares of
	// 2026-11-23 become late, and the unshared report is overdue today.
	rrPutPolicy(e, orgA, map[string]any{"initial": 11})
	check("initial 11", ready, rrSummary{Status: "ready", Advisories: 3}, "PHONE_ONLY_ATTENDANCE", "REPORT_SHARED_LATE", "REPORT_SHARED_LATE")
	check("initial 11", pending, rrSummary{Status: "not_ready", Blockers: 10, Advisories: 1, DueOn: "2026-11-20", Overdue: true}, "ADVOCACY_NOT_OFFERED")
	rrWantList(t, e, "overdue=true", pending)
	rrWantList(t, e, "readiness=ready", ready)

	// Ten working days before is 2026-11-23 itself: on time again.
	rrPutPolicy(e, orgA, map[string]any{"initial": 10})
	check("initial 10", ready, rrSummary{Status: "ready", Advisories: 1}, "PHONE_ONLY_ATTENDANCE")
	check("initial 10", pending, rrSummary{Status: "not_ready", Blockers: 10, Advisories: 1, DueOn: "2026-11-23"}, "ADVOCACY_NOT_OFFERED")
	rrWantList(t, e, "overdue=true")

	// Turning the phone advisory off, and shortening the ICPC timescale to
	// five working days after 2026-11-20 (limit 2026-11-27).
	rrPutPolicy(e, orgA, map[string]any{"phone_only_attendance": false})
	check("phone off", ready, rrSummary{Status: "ready"})
	rrPutPolicy(e, orgA, map[string]any{"phone_only_attendance": false, "icpc_working_days": 5})
	check("icpc 5", ready, rrSummary{Status: "ready", Advisories: 1}, "ICPC_TIMESCALE_EXCEEDED")
	check("icpc 5", pending, rrSummary{Status: "not_ready", Blockers: 10, Advisories: 2, DueOn: "2026-12-02"}, "ICPC_TIMESCALE_EXCEEDED", "ADVOCACY_NOT_OFFERED")
	rrPutPolicy(e, orgA, nil)
	check("back to default", ready, rrSummary{Status: "ready", Advisories: 1}, "PHONE_ONLY_ATTENDANCE")

	// Nobody wrote to the conferences: their versions stand, and the other
	// organisation's conference is untouched.
	if e.etagOf(orgA, ready) != readyTag || e.etagOf(orgA, pending) != pendingTag {
		t.Error("a policy change bumped a conference's version")
	}
	if e.aggregate(otherOrg) != otherAgg {
		t.Error("orgA's policy changed orgB's conference")
	}
	for _, ev := range rrAudit(t, e, ready) {
		if ev.Action != "read" && ev.Entity == "policy" {
			t.Errorf("a policy change was written into a conference's history: %+v", ev)
		}
	}
}
