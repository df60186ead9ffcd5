package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// edgeDates and edgeInstants lie outside 1900-01-01..2100-12-31, some only
// once read in Europe/London; edgeInside lie just within it.
var (
	edgeDates    = []string{"0000-01-01", "0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"}
	edgeInstants = []string{
		"9999-12-31T23:59:59-14:00", "0000-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z",
		"1899-12-31T23:59:59Z", "2100-12-31T23:30:00-01:00", "2101-01-01T00:30:00Z",
	}
)

// Every date and instant a request can carry is refused with 422 outside
// 1900-01-01..2100-12-31, naming the field, and nothing is written; never
// a 500, on either database.
func TestEdgeDatesAreRefusedEverywhere(t *testing.T) {
	e := newEnv(t)
	f := e.mustFixture("EDGE")
	cs := e.key(orgA, domain.RoleCaseSystem)
	c := "/v1/conferences/" + f.conf
	p := c + "/participants/" + f.participant
	merge := "application/merge-patch+json"
	type target struct {
		name, method, path, ct, field string
		body                          map[string]any
		instant, ifMatch              bool
	}
	views := map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-11-21"}
	share := map[string]any{"participant_id": f.participant, "withheld": true, "reason": "safety", "chair_agreed_on": "2026-11-20"}
	targets := []target{
		{name: "create scheduled_start", method: "POST", path: "/v1/conferences", field: "scheduled_start", body: conferenceBody("EDGE-NEW"), instant: true},
		{name: "create strategy_discussion_on", method: "POST", path: "/v1/conferences", field: "strategy_discussion_on", body: conferenceBody("EDGE-NEW")},
		{name: "create previous_conference_on", method: "POST", path: "/v1/conferences", field: "previous_conference_on", body: conferenceBody("EDGE-NEW")},
		{name: "patch scheduled_start", method: "PATCH", path: c, ct: merge, field: "scheduled_start", body: map[string]any{}, instant: true, ifMatch: true},
		{name: "patch strategy_discussion_on", method: "PATCH", path: c, ct: merge, field: "strategy_discussion_on", body: map[string]any{}, ifMatch: true},
		{name: "participant needs_assessed_on", method: "POST", path: c + "/participants", field: "needs_assessed_on", body: participantBody()},
		{name: "participant exclusion", method: "POST", path: c + "/participants", field: "exclusion.decided_by_chair_on", body: ctWith(participantBody(), map[string]any{"exclusion": map[string]any{"grounds": "risk"}})},
		{name: "patch participant needs_assessed_on", method: "PATCH", path: p, field: "needs_assessed_on", body: map[string]any{}, ifMatch: true},
		{name: "contact on", method: "POST", path: p + "/contacts", field: "on", body: map[string]any{"with": "social_worker", "method": "phone"}},
		{name: "report received_on", method: "POST", path: c + "/reports", field: "received_on", body: map[string]any{"agency": "police", "title": "Police report"}},
		{name: "share shared_on", method: "POST", path: c + "/reports/" + f.report + "/shares", field: "shared_on", body: map[string]any{"participant_id": f.participant}},
		{name: "share chair_agreed_on", method: "POST", path: c + "/reports/" + f.report + "/shares", field: "chair_agreed_on", body: share},
		{name: "views recorded_on", method: "PUT", path: c + "/children/C-1/views", field: "recorded_on", body: views},
		{name: "views shared_on", method: "PUT", path: c + "/children/C-1/views", field: "shared_on", body: views},
	}
	before := e.aggregate(f.conf)
	for _, tg := range targets {
		values := edgeDates
		if tg.instant {
			values = edgeInstants
		}
		for _, v := range values {
			r := req{Method: tg.method, Path: tg.path, Key: cs, ContentType: tg.ct, Body: withValue(tg.body, tg.field, v)}
			if tg.ifMatch {
				r.Header = map[string]string{"If-Match": e.etagOf(orgA, f.conf)}
			}
			got := e.do(r)
			if got.Status != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, got), tg.field) {
				t.Errorf("%s = %s: %d %s, want 422 naming %s", tg.name, v, got.Status, truncate(got.Body), tg.field)
			}
		}
	}
	if after := e.aggregate(f.conf); after != before {
		t.Errorf("a refused edge value changed the conference:\nbefore %s\nafter  %s", before, after)
	}
	// The range's own ends are accepted where the field allows them.
	for _, v := range []string{"1900-01-01T00:00:00Z", "2100-12-31T23:59:59Z"} {
		if got := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("EDGE-"+v[:4]), map[string]any{"scheduled_start": v, "strategy_discussion_on": "1900-01-01"})}); got.Status != http.StatusCreated {
			t.Errorf("scheduled_start %s: %d %s", v, got.Status, truncate(got.Body))
		}
	}
}

// A year-0 conference used to be stored, and then every read of its
// readiness failed. It is refused at the door, so every read stays 2xx.
func TestYearZeroConferenceNeverExists(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	got := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: ctWith(conferenceBody("Y0"), map[string]any{"scheduled_start": "0000-01-01T00:00:00+01:00", "strategy_discussion_on": nil})})
	if got.Status != http.StatusUnprocessableEntity {
		t.Fatalf("year-0 conference: %d %s", got.Status, got.Body)
	}
	if p := ctList(t, e, orgA, ""); len(p.Items) != 0 {
		t.Errorf("a refused conference is listed: %v", p.refs())
	}
}

// A policy must give every report deadline: report_days left out, empty,
// null or with a zero count would make every report due on the day.
func TestPolicyRefusesMissingOrZeroReportDays(t *testing.T) {
	e := newEnv(t)
	admin := e.key(orgA, domain.RoleAdmin)
	before := e.do(req{Method: "GET", Path: "/v1/policy", Key: admin}).Body
	body := func(rd string) string {
		s := `{"icpc_working_days":15,"first_review_months":3,"review_interval_months":6,"phone_only_attendance":true`
		if rd != "-" {
			s += `,"report_days":` + rd
		}
		return s + "}"
	}
	for _, rd := range []string{"{}", "null", "-", `{"initial":0,"review":5,"pre_birth":3}`, `{"initial":3,"review":5}`, `{"initial":3,"review":0,"pre_birth":0}`} {
		got := e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: body(rd)})
		if got.Status != http.StatusUnprocessableEntity || !strings.Contains(string(got.Body), "report_days.") {
			t.Errorf("report_days %s: %d %s, want 422", rd, got.Status, truncate(got.Body))
		}
	}
	if after := e.do(req{Method: "GET", Path: "/v1/policy", Key: admin}).Body; string(after) != string(before) {
		t.Errorf("a refused policy changed it: %s → %s", before, after)
	}
}

// problemFields lists the fields a problem names.
func problemFields(t *testing.T, r resp) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	r.Decode(t, &p)
	var out []string
	for _, fe := range p.Errors {
		out = append(out, fe.Field)
	}
	return out
}
