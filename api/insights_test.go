package api_test

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// at is an instant written as RFC 3339 in UTC.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// script drives one organisation's conferences over HTTP, failing the test
// on any answer but the one expected.
type script struct {
	e   *env
	org string
}

func (s script) call(role domain.Role, method, path string, body any, want int, header map[string]string) map[string]any {
	s.e.t.Helper()
	r := s.e.do(req{Method: method, Path: path, Key: s.e.key(s.org, role), Body: body, Header: header, ContentType: contentTypeFor(method, path)})
	if r.Status != want {
		s.e.t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON(s.e.t)
}

func contentTypeFor(method, path string) string {
	if method == "PATCH" && strings.Count(path, "/") == 3 {
		return "application/merge-patch+json"
	}
	return ""
}

// conference creates a conference; a child ref starting "U-" is unborn.
func (s script) conference(ref, typ, start string, children ...string) string {
	s.e.t.Helper()
	body := conferenceBody(ref)
	body["type"], body["scheduled_start"] = typ, start
	delete(body, "strategy_discussion_on")
	switch typ {
	case "review":
		body["previous_conference_on"], body["previous_conference_type"] = "2026-01-05", "initial"
	case "pre_birth":
		body["expected_delivery_on"] = "2026-06-01"
	}
	var kids []any
	for _, c := range children {
		kids = append(kids, map[string]any{"ref": c, "unborn": strings.HasPrefix(c, "U-")})
	}
	body["children"] = kids
	return s.call(domain.RoleCaseSystem, "POST", "/v1/conferences", body, http.StatusCreated, nil)["id"].(string)
}

func (s script) participant(conf, relationship string, invited bool, attendance string) string {
	s.e.t.Helper()
	today := s.e.clock.Now().Format("2006-01-02")
	body := map[string]any{"display_name": "Family Member", "relationship": relationship, "invited": invited, "attendance": attendance, "needs_assessed_on": today, "informed_on": today}
	return s.call(domain.RoleSocialWorker, "POST", "/v1/conferences/"+conf+"/participants", body, http.StatusCreated, nil)["id"].(string)
}

func (s script) need(conf, p, kind, status string) {
	s.e.t.Helper()
	body := map[string]any{"status": status}
	if kind == "language" {
		body["language"] = "pl"
		if status == "arranged" {
			body["interpreter"] = "professional"
		}
	}
	r := s.e.do(req{Method: "PUT", Path: "/v1/conferences/" + conf + "/participants/" + p + "/needs/" + kind, Key: s.e.key(s.org, domain.RoleSocialWorker), Body: body})
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		s.e.t.Fatalf("put need: %d %s", r.Status, r.Body)
	}
}

func (s script) contact(conf, p, with, on string) {
	s.e.t.Helper()
	role := domain.RoleSocialWorker
	if with == "chair" {
		role = domain.RoleChair
	}
	s.call(role, "POST", "/v1/conferences/"+conf+"/participants/"+p+"/contacts", map[string]any{"with": with, "on": on, "method": "phone"}, http.StatusCreated, nil)
}

func (s script) report(conf string) string {
	s.e.t.Helper()
	return s.call(domain.RoleSocialWorker, "POST", "/v1/conferences/"+conf+"/reports", map[string]any{"agency": "social_care", "title": "Assessment", "shared_with_chair_on": s.e.clock.Now().Format("2006-01-02")}, http.StatusCreated, nil)["id"].(string)
}

func (s script) share(conf, report string, body map[string]any) {
	s.e.t.Helper()
	s.call(domain.RoleSocialWorker, "POST", "/v1/conferences/"+conf+"/reports/"+report+"/shares", body, http.StatusCreated, nil)
}

func (s script) professional(conf, agency string) {
	s.e.t.Helper()
	body := map[string]any{"agency": agency, "name": "Professional", "attendance": "confirmed", "report_expected": false}
	s.call(domain.RoleCaseSystem, "POST", "/v1/conferences/"+conf+"/professionals", body, http.StatusCreated, nil)
}

func (s script) views(conf, child, recorded, shared string) {
	s.e.t.Helper()
	body := map[string]any{"means": "written", "recorded_on": recorded}
	if shared != "" {
		body["shared_on"] = shared
	}
	s.call(domain.RoleSocialWorker, "PUT", "/v1/conferences/"+conf+"/children/"+child+"/views", body, http.StatusCreated, nil)
}

func (s script) check(conf, decision string) {
	s.e.t.Helper()
	s.call(domain.RoleChair, "POST", "/v1/conferences/"+conf+"/readiness-checks", map[string]any{"decision": decision, "note": "checked"}, http.StatusCreated, nil)
}

func (s script) patch(conf string, body map[string]any) {
	s.e.t.Helper()
	s.call(domain.RoleCaseSystem, "PATCH", "/v1/conferences/"+conf, body, http.StatusOK, map[string]string{"If-Match": s.e.etagOf(s.org, conf)})
}

func (s script) patchParticipant(conf, p string, body map[string]any) {
	s.e.t.Helper()
	s.call(domain.RoleSocialWorker, "PATCH", "/v1/conferences/"+conf+"/participants/"+p, body, http.StatusOK, map[string]string{"If-Match": s.e.etagOf(s.org, conf)})
}

// buildInsightsScenario writes, over HTTP and with the clock moving as in
// life, conferences whose every count is known (see the expectations in
// TestInsightsOnHandBuiltConferences). Initial conferences' reports are due
// 3 working days before; for 1 April 2026 that is Friday 27 March.
func buildInsightsScenario(e *env) {
	s := script{e, orgA}
	e.clock.Set(at("2026-03-02T09:00:00Z"))

	// A: 1 April 2026 at 00:30 BST, which is 31 March in UTC: it belongs to
	// April. Two invited parents and a grandparent who is not invited.
	a := s.conference("INS-A", "initial", "2026-03-31T23:30:00Z", "C-1", "C-2")
	mother := s.participant(a, "mother", true, "phone")
	father := s.participant(a, "father", true, "in_person")
	s.participant(a, "grandparent", false, "video")
	s.need(a, mother, "language", "identified")
	s.need(a, mother, "childcare", "arranged")
	s.need(a, father, "technology", "identified")
	ra := s.report(a)

	// B: 16 March 2026 (GMT), a review. The report is withheld from the
	// carer with the chair's agreement; the chair proceeds while it is
	// ready, and it becomes not ready before the start.
	b := s.conference("INS-B", "review", "2026-03-16T10:00:00Z", "C-1")
	carer := s.participant(b, "carer", true, "in_person")
	rb := s.report(b)
	for _, agency := range []string{"social_care", "police", "health"} {
		s.professional(b, agency)
	}
	// Only a chair (or a case system) may record the chair's agreement.
	s.call(domain.RoleChair, "POST", "/v1/conferences/"+b+"/reports/"+rb+"/shares", map[string]any{"participant_id": carer, "withheld": true, "reason": "risk", "chair_agreed_on": "2026-03-02"}, http.StatusCreated, nil)

	// D: 15 April 2026, pre-birth: an unborn child, a child whose views
	// are not applicable, and one whose views were shared; a grandparent
	// invited (not owed the reports) and a father with parental
	// responsibility who is not invited.
	d := s.conference("INS-D", "pre_birth", "2026-04-15T10:00:00Z", "U-1", "C-2", "C-3")
	dm := s.participant(d, "mother", true, "video")
	s.participant(d, "grandparent", true, "in_person")
	s.call(domain.RoleSocialWorker, "POST", "/v1/conferences/"+d+"/participants", map[string]any{"display_name": "Father", "relationship": "father", "invited": false, "attendance": "unknown", "parental_responsibility": true}, http.StatusCreated, nil)
	rd := s.report(d)
	s.call(domain.RoleSocialWorker, "PUT", "/v1/conferences/"+d+"/children/C-2/views", map[string]any{"means": "not_applicable", "reason": "a baby"}, http.StatusCreated, nil)

	// C: cancelled; counted nowhere.
	c := s.conference("INS-C", "initial", "2026-03-20T10:00:00Z", "C-1")
	cm := s.participant(c, "mother", true, "phone")

	// E: 20 April 2026 (BST); the chair postpones it.
	eConf := s.conference("INS-E", "initial", "2026-04-20T09:00:00Z", "C-1")
	s.participant(eConf, "mother", true, "video")

	// F: 1 May 2026 at 00:30 BST: outside a window ending on 1 May.
	f := s.conference("INS-F", "initial", "2026-04-30T23:30:00Z", "C-1")
	s.participant(f, "father", true, "phone")

	// Another organisation's conference in the window.
	other := script{e, orgB}
	o := other.conference("INS-O", "initial", "2026-04-01T10:00:00Z", "C-1")
	other.participant(o, "mother", true, "phone")

	e.clock.Set(at("2026-03-12T09:00:00Z"))
	s.contact(b, carer, "social_worker", "2026-03-10")
	s.contact(b, carer, "chair", "2026-03-12")
	s.views(b, "C-1", "2026-03-09", "2026-03-09")
	s.contact(c, cm, "social_worker", "2026-03-12")
	s.patch(c, map[string]any{"status": "cancelled"})

	e.clock.Set(at("2026-03-16T09:30:00Z"))
	s.check(b, "proceed")
	e.clock.Set(at("2026-03-16T09:45:00Z"))
	s.patchParticipant(b, carer, map[string]any{"safety": map[string]any{"concern": "domestic_abuse"}})

	// After B began: edits that must not change what it was at the start.
	e.clock.Set(at("2026-03-20T09:00:00Z"))
	s.patchParticipant(b, carer, map[string]any{"attendance": "unknown"})
	s.patchParticipant(b, carer, map[string]any{"attendance": "in_person"})

	e.clock.Set(at("2026-03-27T09:00:00Z"))
	s.contact(a, mother, "social_worker", "2026-03-20")
	s.contact(a, father, "social_worker", "2026-03-25")
	s.share(a, ra, map[string]any{"participant_id": mother, "shared_on": "2026-03-27"}) // on the due date
	s.views(a, "C-1", "2026-03-26", "2026-03-27")
	s.views(a, "C-2", "2026-03-26", "")
	e.clock.Set(at("2026-03-30T09:00:00Z"))
	s.contact(a, father, "chair", "2026-03-30")
	s.share(a, ra, map[string]any{"participant_id": father, "shared_on": "2026-03-28"}) // a day after it was due

	// After A began: arranging the interpreter does not make it arranged in
	// time, and a chair's meeting after the conference does not count.
	e.clock.Set(at("2026-04-01T12:00:00Z"))
	s.share(d, rd, map[string]any{"participant_id": dm, "shared_on": "2026-04-01"})
	s.views(d, "C-3", "2026-04-01", "2026-04-01")
	s.contact(d, dm, "social_worker", "2026-04-01")

	e.clock.Set(at("2026-04-02T12:00:00Z"))
	s.need(a, mother, "language", "arranged")
	s.contact(a, mother, "chair", "2026-04-02")

	e.clock.Set(at("2026-04-20T08:00:00Z"))
	s.check(eConf, "postpone")
	e.clock.Set(at("2026-05-05T09:00:00Z"))
	s.patch(eConf, map[string]any{"status": "postponed"})
}

// measuresWant is the expected measures, each as "numerator/denominator".
type measuresWant map[string]string

func (e *env) insights(org, query string) map[string]any {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: "/v1/insights?" + query, Key: e.key(org, domain.RoleManager)})
	if r.Status != http.StatusOK {
		e.t.Fatalf("insights: %d %s", r.Status, r.Body)
	}
	return r.JSON(e.t)
}

// flatMeasures flattens a measures object to name → "n/d", needs as
// needs.<kind>, leaving out needs nobody had.
func flatMeasures(t *testing.T, m map[string]any) measuresWant {
	t.Helper()
	out := measuresWant{}
	nd := func(v any) string {
		r := v.(map[string]any)
		n, d := r["numerator"].(float64), r["denominator"].(float64)
		if d == 0 && r["rate"] != nil || d != 0 && r["rate"].(float64) != n/d {
			t.Errorf("rate of %v is wrong", r)
		}
		return fmt.Sprintf("%v/%v", n, d)
	}
	for k, v := range m {
		if k != "needs" {
			out[k] = nd(v)
			continue
		}
		for kind, need := range v.(map[string]any) {
			nm := need.(map[string]any)
			if nm["had"].(float64) == 0 {
				continue
			}
			if nm["had"] != nm["arranged_in_time"].(map[string]any)["denominator"] {
				t.Errorf("need %s: had %v but arranged_in_time over %v", kind, nm["had"], nm["arranged_in_time"])
			}
			out["needs."+kind] = nd(nm["arranged_in_time"])
		}
	}
	return out
}

func compareMeasures(t *testing.T, what string, got, want measuresWant) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s is %s, want %s", what, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s = %s", what, k, g)
		}
	}
}

var (
	wantMarch = measuresWant{
		"spoke_to_social_worker": "1/1", "spoke_to_chair": "1/1", "reports_shared_in_time": "1/1",
		"child_views_shared": "1/1", "phone_only": "0/1", "ready_at_start": "1/1", "postponed_by_chair": "0/1",
	}
	wantApril = measuresWant{
		"spoke_to_social_worker": "3/5", "spoke_to_chair": "1/5", "reports_shared_in_time": "2/4",
		"child_views_shared": "2/4", "phone_only": "1/5", "ready_at_start": "0/3", "postponed_by_chair": "1/3",
		"needs.language": "0/1", "needs.childcare": "1/1", "needs.technology": "0/1",
	}
	wantTotal = measuresWant{
		"spoke_to_social_worker": "4/6", "spoke_to_chair": "2/6", "reports_shared_in_time": "3/5",
		"child_views_shared": "3/5", "phone_only": "1/6", "ready_at_start": "1/4", "postponed_by_chair": "1/4",
		"needs.language": "0/1", "needs.childcare": "1/1", "needs.technology": "0/1",
	}
)

// TestInsightsOnHandBuiltConferences checks every numerator and
// denominator on conferences built by hand: A (a report shared a day late,
// a participant not invited, a need arranged only after the start, 1 April
// in BST), B (a withheld report, the chair's check deciding readiness at
// the start), C (cancelled), D (an unborn child, views not applicable, a
// grandparent not owed the reports, a parent not invited), E (postponed by
// the chair), F (1 May in BST,
// outside the window) and another organisation's conference.
func TestInsightsOnHandBuiltConferences(t *testing.T) {
	e := newEnv(t)
	buildInsightsScenario(e)

	got := e.insights(orgA, "from=2026-03-01&to=2026-05-01&group=month")
	months := got["months"].([]any)
	if len(months) != 2 || months[0].(map[string]any)["month"] != "2026-03" || months[1].(map[string]any)["month"] != "2026-04" {
		t.Fatalf("months: %v", months)
	}
	compareMeasures(t, "March", flatMeasures(t, months[0].(map[string]any)["measures"].(map[string]any)), wantMarch)
	compareMeasures(t, "April", flatMeasures(t, months[1].(map[string]any)["measures"].(map[string]any)), wantApril)
	compareMeasures(t, "total", flatMeasures(t, got["total"].(map[string]any)), wantTotal)

	// Without grouping, only the total; a window starting mid-month counts
	// only the days inside it.
	none := e.insights(orgA, "from=2026-03-17&to=2026-05-01&group=none")
	if _, ok := none["months"]; ok {
		t.Errorf("group=none has months: %v", none["months"])
	}
	compareMeasures(t, "April only", flatMeasures(t, none["total"].(map[string]any)), wantApril)

	// May holds F alone.
	may := e.insights(orgA, "from=2026-05-01&to=2026-06-01&group=none")
	compareMeasures(t, "May", flatMeasures(t, may["total"].(map[string]any)), measuresWant{
		"spoke_to_social_worker": "0/1", "spoke_to_chair": "0/1", "reports_shared_in_time": "0/1",
		"child_views_shared": "0/1", "phone_only": "1/1", "ready_at_start": "0/1", "postponed_by_chair": "0/1",
	})

	// The tallies the answers came from agree with a full recount.
	rep, err := e.db.RecountInsights(t.Context())
	if err != nil || rep.Repaired != 0 {
		t.Fatalf("recount: %+v %v", rep, err)
	}
	again := e.insights(orgA, "from=2026-03-01&to=2026-05-01&group=month")
	compareMeasures(t, "total after recount", flatMeasures(t, again["total"].(map[string]any)), wantTotal)
}

// TestInsightsCSV checks the CSV form row by row against the JSON.
func TestInsightsCSV(t *testing.T) {
	e := newEnv(t)
	buildInsightsScenario(e)
	r := e.do(req{Method: "GET", Path: "/v1/insights?from=2026-03-01&to=2026-05-01", Key: e.key(orgA, domain.RoleAdmin), Header: map[string]string{"Accept": "text/csv"}})
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "month,measure,numerator,denominator,rate" {
		t.Fatalf("header: %v", rows[0])
	}
	perMonth := 5 + len(domain.NeedKinds) + 2
	if len(rows) != 1+3*perMonth {
		t.Fatalf("%d rows, want %d", len(rows), 1+3*perMonth)
	}
	want := map[string]measuresWant{"2026-03": wantMarch, "2026-04": wantApril, "total": wantTotal}
	got := map[string]measuresWant{"2026-03": {}, "2026-04": {}, "total": {}}
	for _, row := range rows[1:] {
		month, measure, n, d, rate := row[0], row[1], row[2], row[3], row[4]
		if d == "0" {
			if rate != "" {
				t.Errorf("%v: a rate over nothing", row)
			}
			continue
		}
		num, _ := strconv.ParseFloat(n, 64)
		den, _ := strconv.ParseFloat(d, 64)
		if r, err := strconv.ParseFloat(rate, 64); err != nil || math.Abs(r-num/den) > 1e-9 {
			t.Errorf("%v: rate %q, want %v", row, rate, num/den)
		}
		got[month][measure] = n + "/" + d
	}
	for m := range want {
		compareMeasures(t, "CSV "+m, got[m], want[m])
	}
}

// TestInsightsIdenticalOnBothDatabases runs the scenario on SQLite and on
// PostgreSQL and compares the answers whole. It needs PostgreSQL, so it
// runs in the PostgreSQL pass.
func TestInsightsIdenticalOnBothDatabases(t *testing.T) {
	pg := newEnvOnPostgres(t)
	lite := newEnvOnSQLite(t)
	buildInsightsScenario(pg)
	buildInsightsScenario(lite)
	for _, q := range []string{"from=2026-03-01&to=2026-05-01&group=month", "from=2026-01-01&to=2027-01-01", "from=2026-03-16&to=2026-03-17&group=none"} {
		a, b := pg.do(req{Method: "GET", Path: "/v1/insights?" + q, Key: pg.key(orgA, domain.RoleManager)}), lite.do(req{Method: "GET", Path: "/v1/insights?" + q, Key: lite.key(orgA, domain.RoleManager)})
		if a.Status != http.StatusOK || string(a.Body) != string(b.Body) {
			t.Errorf("%s:\nPostgreSQL %d %s\nSQLite     %d %s", q, a.Status, a.Body, b.Status, b.Body)
		}
	}
}

// TestInsightsRefusesBadWindows: every bad query is a 422 problem naming
// the parameter, never a 5xx; roles other than manager and admin get 403.
func TestInsightsRefusesBadWindows(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleManager)
	for q, field := range map[string]string{
		"":                                              "from",
		"to=2026-01-01":                                 "from",
		"from=2026-01-01":                               "to",
		"from=2026-13-01&to=2027-01-01":                 "from",
		"from=2026-02-30&to=2027-01-01":                 "from",
		"from=2026-01-01&to=2026-01-01":                 "to",
		"from=2026-02-01&to=2026-01-01":                 "to",
		"from=2023-01-01&to=2026-01-02":                 "to",
		"from=2026-01-01&to=2027-01-01&group=week":      "group",
		"from=2026-01-01&to=2027-01-01&from=2026-02-01": "from",
		"from=2026-01-01&to=2027-01-01&org=E09000007":   "org",
		"from=01/01/2026&to=2027-01-01":                 "from",
	} {
		r := e.do(req{Method: "GET", Path: "/v1/insights?" + q, Key: key})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"`+field+`"`) {
			t.Errorf("%q: %d %s, want 422 naming %s", q, r.Status, r.Body, field)
		}
	}
	// Exactly three years is allowed.
	if r := e.do(req{Method: "GET", Path: "/v1/insights?from=2023-01-01&to=2026-01-01", Key: key}); r.Status != http.StatusOK {
		t.Errorf("three years: %d %s", r.Status, r.Body)
	}
	for _, role := range []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair} {
		if r := e.do(req{Method: "GET", Path: "/v1/insights?from=2026-01-01&to=2027-01-01", Key: e.key(orgA, role)}); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d", role, r.Status)
		}
	}
}

func newEnvOnPostgres(t *testing.T) *env {
	db, clock := storetest.MustOpenURL(t, storetest.PostgresSchemaURL(t))
	return newEnvOn(t, db, clock)
}

func newEnvOnSQLite(t *testing.T) *env {
	db, clock := storetest.MustOpenURL(t, filepath.Join(t.TempDir(), "cpcready.db"))
	return newEnvOn(t, db, clock)
}
