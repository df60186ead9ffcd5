package api_test

import (
	"encoding/json"
	"strconv"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileFixture is what the hostile table aims at: a conference with one
// of everything in orgA, a second one so that lists have a next page, and
// a conference in orgB.
type hostileFixture struct {
	fixture
	other  string // a conference in orgB
	cursor string // a real next_cursor of GET /v1/conferences?limit=1
	refs   *int   // numbers the external_ref of each new conference
}

func newHostileFixture(e *env) hostileFixture {
	e.t.Helper()
	hf := hostileFixture{fixture: e.mustFixture("HOSTILE-1"), other: e.mustCreate(orgB, "HOSTILE-B"), refs: new(int)}
	e.mustCreate(orgA, "HOSTILE-2")
	for _, role := range allRoles { // so that no row is the first use of a key
		e.key(orgA, role)
	}
	// Record the need and the views the table replaces, so that every
	// accepted PUT to them is a 200.
	for path, body := range map[string]string{
		ctPath(hf.conf, "participants", hf.participant, "needs", "language"): `{"status":"arranged","language":"pl","interpreter":"professional"}`,
		ctPath(hf.conf, "children", "C-1", "views"):                          `{"means":"written"}`,
	} {
		if r := e.do(req{Method: "PUT", Path: path, Key: e.key(orgA, domain.RoleCaseSystem), Body: body}); r.Status != 201 {
			e.t.Fatalf("PUT %s: %d %s", path, r.Status, r.Body)
		}
	}
	r := e.do(req{Method: "GET", Path: "/v1/conferences?limit=1", Key: e.key(orgA, domain.RoleManager)})
	hf.cursor, _ = r.JSON(e.t)["next_cursor"].(string)
	if hf.cursor == "" {
		e.t.Fatalf("no next_cursor: %s", r.Body)
	}
	return hf
}

// ref returns an external_ref no conference has yet.
func (hf hostileFixture) ref() string {
	*hf.refs++
	return "HOSTILE-NEW-" + strconv.Itoa(*hf.refs)
}

// hostileRoute is a route that reads a JSON body, with a body it accepts.
type hostileRoute struct {
	op, method, path string
	role             domain.Role
	header           map[string]string
	body             func() map[string]any
	// read is where an accepted change can be read back when the response
	// has no Location; the route's own path when empty.
	read string
}

func (hf hostileFixture) bodyRoutes() []hostileRoute {
	c := ctPath(hf.conf)
	p := c + "/participants/" + hf.participant
	anyVersion := map[string]string{"If-Match": "*"}
	cs := domain.RoleCaseSystem
	fixed := func(body string) func() map[string]any {
		return func() map[string]any {
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				panic(err)
			}
			return m
		}
	}
	policy, _ := json.Marshal(domain.DefaultPolicy())
	return []hostileRoute{
		{"createConference", "POST", "/v1/conferences", cs, nil, func() map[string]any { return conferenceBody(hf.ref()) }, ""},
		{"updateConference", "PATCH", c, cs, anyVersion, fixed(`{"format":"video"}`), ""},
		{"addParticipant", "POST", c + "/participants", cs, nil, participantBody, ""},
		{"updateParticipant", "PATCH", p, cs, anyVersion, fixed(`{"attendance":"video"}`), ""},
		{"putNeed", "PUT", p + "/needs/language", cs, nil, fixed(`{"status":"arranged","language":"pl","interpreter":"professional","detail":"booked"}`), p},
		{"addContact", "POST", p + "/contacts", cs, nil, fixed(`{"with":"social_worker","on":"2026-11-20","method":"phone"}`), ""},
		{"addReport", "POST", c + "/reports", cs, nil, fixed(`{"agency":"health","title":"Health report"}`), ""},
		{"addShare", "POST", c + "/reports/" + hf.report + "/shares", cs, nil,
			fixed(`{"participant_id":"` + hf.participant + `","shared_on":"2026-11-20","language":"pl"}`), ""},
		{"putChildViews", "PUT", c + "/children/C-1/views", cs, nil, fixed(`{"means":"written","recorded_on":"2026-11-20"}`), c},
		{"addReadinessCheck", "POST", c + "/readiness-checks", domain.RoleChair, nil, fixed(`{"decision":"postpone","note":"waiting"}`), ""},
		{"putPolicy", "PUT", "/v1/policy", domain.RoleAdmin, nil, fixed(string(policy)), ""},
		{"addProfessional", "POST", c + "/professionals", cs, nil, fixed(`{"agency":"health","name":"Health Visitor","role":"health visitor","attendance":"confirmed"}`), ""},
		{"updateProfessional", "PATCH", c + "/professionals/" + hf.professional, cs, anyVersion, fixed(`{"attendance":"declined"}`), ""},
		{"updateReport", "PATCH", c + "/reports/" + hf.report, cs, anyVersion, fixed(`{"shared_with_chair_on":"2026-11-20"}`), ""},
	}
}

// route returns the body route for an operation.
func (hf hostileFixture) route(op string) hostileRoute {
	for _, rt := range hf.bodyRoutes() {
		if rt.op == op {
			return rt
		}
	}
	panic("no route " + op)
}

// refuse is a row sending body to the route, refused with status and kind.
func (rt hostileRoute) refuse(name string, body any, status int, kind string, fields ...string) hostileRow {
	return hostileRow{
		name: rt.op + "/" + name, role: rt.role, status: status, kind: kind, fields: fields,
		req: req{Method: rt.method, Path: rt.path, Body: body, Header: rt.header},
	}
}

// accept is a row sending body to the route, accepted with status; the
// text at echo must come back verbatim.
func (rt hostileRoute) accept(name string, body any, status int, echo, value string) hostileRow {
	read := rt.read
	if read == "" && rt.method != "POST" {
		read = rt.path
	}
	return hostileRow{
		name: rt.op + "/" + name, role: rt.role, status: status, echo: echo, value: value, read: read,
		req: req{Method: rt.method, Path: rt.path, Body: body, Header: rt.header},
	}
}

// created is the status of an accepted request to the route: 201 for a
// POST, and for a PUT that makes something new; 200 otherwise.
func (rt hostileRoute) created() int {
	if rt.method == "POST" {
		return 201
	}
	return 200
}
