package api_test

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileIDRoute is a route with ids in its path, and a request to it
// that succeeds with the fixture's ids.
type hostileIDRoute struct {
	op, method, template string
	role                 domain.Role
	body                 string
	header               map[string]string
}

func hostileIDRoutes(hf hostileFixture) []hostileIDRoute {
	mgr, cs := domain.RoleManager, domain.RoleCaseSystem
	anyVersion := map[string]string{"If-Match": "*"}
	c, p := "/v1/conferences/{id}", "/v1/conferences/{id}/participants/{pid}"
	return []hostileIDRoute{
		{"getConference", "GET", c, mgr, "", nil},
		{"updateConference", "PATCH", c, cs, `{"format":"video"}`, anyVersion},
		{"addParticipant", "POST", c + "/participants", cs, `{"display_name":"A","relationship":"mother","invited":true,"attendance":"video"}`, nil},
		{"getParticipant", "GET", p, mgr, "", nil},
		{"updateParticipant", "PATCH", p, cs, `{"attendance":"phone"}`, anyVersion},
		{"deleteParticipant", "DELETE", p, cs, "", anyVersion},
		{"putNeed", "PUT", p + "/needs/{kind}", cs, `{"status":"arranged"}`, nil},
		{"deleteNeed", "DELETE", p + "/needs/{kind}", cs, "", anyVersion},
		{"addContact", "POST", p + "/contacts", cs, `{"with":"social_worker","on":"2026-11-20","method":"phone"}`, nil},
		{"getContact", "GET", p + "/contacts/{cid}", mgr, "", nil},
		{"addReport", "POST", c + "/reports", cs, `{"agency":"police","title":"Police report"}`, nil},
		{"getReport", "GET", c + "/reports/{rid}", mgr, "", nil},
		{"addShare", "POST", c + "/reports/{rid}/shares", cs, `{"participant_id":"` + hf.participant + `","shared_on":"2026-11-20"}`, nil},
		{"getShare", "GET", c + "/reports/{rid}/shares/{sid}", mgr, "", nil},
		{"putChildViews", "PUT", c + "/children/{child_ref}/views", cs, `{"means":"written"}`, nil},
		{"getReadiness", "GET", c + "/readiness", mgr, "", nil},
		{"listReadinessChecks", "GET", c + "/readiness-checks", mgr, "", nil},
		{"addReadinessCheck", "POST", c + "/readiness-checks", domain.RoleChair, `{"decision":"postpone"}`, nil},
		{"getReadinessCheck", "GET", c + "/readiness-checks/{check_id}", mgr, "", nil},
		{"getHistory", "GET", c + "/history", mgr, "", nil},
		{"updateReport", "PATCH", c + "/reports/{rid}", cs, `{"shared_with_chair_on":"2026-11-20"}`, anyVersion},
		{"listProfessionals", "GET", c + "/professionals", mgr, "", nil},
		{"addProfessional", "POST", c + "/professionals", cs, `{"agency":"police","name":"DC Example"}`, nil},
		{"getProfessional", "GET", c + "/professionals/{prof_id}", mgr, "", nil},
		{"updateProfessional", "PATCH", c + "/professionals/{prof_id}", cs, `{"attendance":"confirmed"}`, anyVersion},
		{"deleteProfessional", "DELETE", c + "/professionals/{prof_id}", cs, "", anyVersion},
	}
}

var idPlaceholder = regexp.MustCompile(`\{\w+\}`)

// hostileIDRows: ids that are not UUIDs, that look like path traversal or
// SQL, that are empty of meaning (NUL, the nil UUID), very long, in the
// wrong case, or another organisation's; one id at a time, the rest real.
func hostileIDRows(hf hostileFixture) []hostileRow {
	real := map[string]string{
		"{id}": hf.conf, "{pid}": hf.participant, "{kind}": "childcare", "{cid}": hf.contact,
		"{rid}": hf.report, "{sid}": hf.share, "{child_ref}": "C-1", "{check_id}": hf.check,
		"{prof_id}": hf.professional,
	}
	// Every conference id below goes to the store; these are worth trying
	// on each route. The rest only show the router and the UUID check, the
	// same on every route, so a few routes try them.
	everyRoute := []string{"not-a-uuid", "%00", "%ff", "00000000-0000-0000-0000-000000000000"}
	someRoutes := []string{"..", "..%2F..%2Fpolicy", "%27%20OR%20%271%27%3D%271", strings.Repeat("a", 4000)}
	var rows []hostileRow
	for _, rt := range hostileIDRoutes(hf) {
		for i, slot := range idPlaceholder.FindAllString(rt.template, -1) {
			bad := slices.Clone(everyRoute)
			switch {
			case i > 0: // a part's id, looked for in the conference in memory
				bad = []string{"not-a-uuid", "%00"}
			case rt.op == "getConference" || rt.op == "updateConference" || rt.op == "addParticipant":
				bad = append(bad, someRoutes...)
			}
			if upper := strings.ToUpper(real[slot]); upper != real[slot] {
				bad = append(bad, upper)
			}
			if slot == "{id}" {
				bad = append(bad, hf.other)
			}
			var writes []string
			if i > 0 && rt.method == "GET" {
				// The conference was read to look for the part, and that
				// read is recorded even though the part is not found.
				writes = []string{"audit_events"}
			}
			for _, v := range bad {
				status, kind := 404, "not_found"
				if rt.op == "putNeed" && slot == "{kind}" {
					status, kind = 422, "invalid" // the kind is checked before the conference is found
				}
				rows = append(rows, hostileRow{
					name: hostileName("%s/%s=%s", rt.op, slot, v), role: rt.role, status: status, kind: kind, writes: writes,
					req: req{Method: rt.method, Path: hostilePath(rt.template, real, slot, v), Body: hostileBody(rt.body), Header: rt.header},
				})
			}
		}
	}
	return rows
}

// hostilePath fills a template with the real ids, and bad in slot.
func hostilePath(template string, real map[string]string, slot, bad string) string {
	return idPlaceholder.ReplaceAllStringFunc(template, func(s string) string {
		if s == slot {
			return bad
		}
		return real[s]
	})
}

// hostileBody is nil for a request without a body.
func hostileBody(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// hostileQueryRows: bad page sizes, tampered and forged cursors, unknown
// and repeated parameters, and filter text PostgreSQL could not compare.
func hostileQueryRows(hf hostileFixture) []hostileRow {
	mgr := domain.RoleManager
	get := func(name, path string, status int, fields ...string) hostileRow {
		kind := ""
		if status >= 300 {
			kind = "invalid"
		}
		return hostileRow{name: name, role: mgr, status: status, kind: kind, fields: fields, req: req{Method: "GET", Path: path}}
	}
	cursor := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	list, history := "/v1/conferences?", ctPath(hf.conf, "history")+"?"
	var rows []hostileRow
	for _, n := range []string{"-1", "0", "201", "abc", "1e2", "0x10", "1.0", "%205", "99999999999999999999", "-99999999999999999999"} {
		rows = append(rows,
			get("list/limit="+n, list+"limit="+n, 422, "limit"),
			get("history/limit="+n, history+"limit="+n, 422, "limit"))
	}
	for _, c := range []string{"0", "-1", "abc", "1.5", "99999999999999999999", "%00"} {
		rows = append(rows, get("history/cursor="+c, history+"cursor="+c, 422, "cursor"))
	}
	long := strings.Repeat("x", 501)
	for _, c := range []string{
		"not%20a%20cursor!", cursor("{}"), cursor(`{"s":"2026-01-01T00:00:00Z","i":"x' OR '1'='1"}`),
		cursor(`{"s":"2026-01-01T00:00:00Z","i":"\u0000"}`), cursor(`{"s":"yesterday","i":"` + hf.conf + `"}`),
		hf.cursor + "A", hf.cursor + "%3D", hf.cursor[:len(hf.cursor)-2], "%00", "%ff", long,
	} {
		rows = append(rows, get(hostileName("list/cursor=%s", c), list+"cursor="+c, 422, "cursor"))
	}
	for _, q := range []struct{ query, field string }{
		{"limit=1&limit=2", "limit"}, {"limits=5", "limits"}, {"readiness=READY", "readiness"}, {"overdue=TRUE", "overdue"},
		{"overdue=1", "overdue"}, {"status=%27%20OR%201%3D1", "status"}, {"from=yesterday", "from"}, {"from=2026-13-01", "from"},
		{"to=2026-11-23T25:00:00Z", "to"}, {"external_ref=%ff", "external_ref"}, {"external_ref=%00", "external_ref"},
		{"external_ref=" + long, "external_ref"}, {"chair_ref=a%c0%afb", "chair_ref"}, {"social_worker_ref=%00", "social_worker_ref"},
		{"READINESS=ready", "READINESS"}, {"to=9999-12-31", "to"}, {"from=0000-01-01", "from"},
		{"to=9999-12-31T23:59:59-14:00", "to"}, {"from=1899-12-31T23:59:59Z", "from"},
	} {
		rows = append(rows, get("list/"+q.query, list+q.query, 422, q.field))
	}
	for _, q := range []struct{ query, field string }{
		{"order=sideways", "order"}, {"page=2", "page"}, {"limit=1&limit=2", "limit"}, {"order=newest&order=oldest", "order"},
	} {
		rows = append(rows, get("history/"+q.query, history+q.query, 422, q.field))
	}
	forged := cursor(`{"s":"9999-12-31T00:00:00Z","i":"` + hf.conf + `"}`)
	for _, q := range []string{
		"limit=200", "limit=%2B5", "to=2100-12-31", "from=1900-01-01", "cursor=" + hf.cursor, "cursor=" + forged,
		"external_ref=%27%20OR%20%271%27%3D%271", "chair_ref=%25", "status=held&readiness=ready",
	} {
		rows = append(rows, get("list/"+q, list+q, 200))
	}
	for _, q := range []string{"cursor=9223372036854775807", "order=newest&limit=1", "limit=200"} {
		rows = append(rows, get("history/"+q, history+q, 200))
	}
	return rows
}

// hostileHeaderRows: missing and forged credentials, If-Match and
// Idempotency-Key values that cannot be right, request ids that could
// smuggle text into logs, methods a route does not have, and a body past
// the size limit.
func hostileHeaderRows(hf hostileFixture) []hostileRow {
	rep, upp := hf.route("addReport"), hf.route("updateParticipant")
	list := req{Method: "GET", Path: "/v1/conferences"}
	with := func(r req, h map[string]string) req { r.Header = h; return r }
	unauth := func(name, auth string) hostileRow {
		return hostileRow{name: "auth/" + name, status: 401, kind: "unauthorized", req: with(list, map[string]string{"Authorization": auth})}
	}
	ifMatch := func(tag string) hostileRow {
		row := upp.refuse("If-Match "+tag, upp.body(), 412, "precondition")
		row.req.Header = map[string]string{"If-Match": tag}
		return row
	}
	idem := func(name, key string, body any, status int, kind string, writes ...string) hostileRow {
		row := rep.refuse(name, body, status, kind)
		row.req.Header = map[string]string{"Idempotency-Key": key}
		row.writes = writes
		return row
	}
	requestID := func(id string) hostileRow {
		row := hostileRow{name: hostileName("X-Request-ID %q", id), role: domain.RoleManager, status: 200, req: with(list, map[string]string{"X-Request-ID": id})}
		row.check = hostileNewRequestID(id)
		return row
	}
	rows := []hostileRow{
		unauth("none", ""),
		unauth("empty bearer", "Bearer "),
		unauth("basic", "Basic dXNlcjpwYXNz"),
		unauth("8 KiB token", "Bearer cpk_"+strings.Repeat("A", 8<<10)),
		unauth("not UTF-8", "Bearer cpk_\xff\xfe"),
		unauth("SQL", "Bearer cpk_' OR '1'='1"),
		unauth("forged JWT", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
		ifMatch(`"999"`), ifMatch(`W/"999"`), ifMatch(`"-1"`), ifMatch(`"99999999999999999999"`), ifMatch("garbage"), ifMatch(`"1", "2"`),
		idem("Idempotency-Key of 256", strings.Repeat("k", 256), rep.body(), 422, "invalid"),
		idem("Idempotency-Key not UTF-8", "key-\xff", rep.body(), 422, "invalid"),
		idem("Idempotency-Key with a tab", "key\tone", rep.body(), 422, "invalid"),
		idem("Idempotency-Key with UTF-8", "clé", rep.body(), 422, "invalid"),
		// A refusal under a key is kept, so that a retry gets the same answer.
		idem("Idempotency-Key on a refused body", "hostile-refused", `{"agency":"nobody","title":"T"}`, 422, "invalid", "idempotency_records"),
		requestID(`x"><script>alert(1)</script>`),
		requestID(strings.Repeat("r", 129)),
		requestID("line\u2028break"),
		{name: "method/DELETE conferences", role: domain.RoleCaseSystem, status: 405, kind: "method_not_allowed", req: req{Method: "DELETE", Path: "/v1/conferences"}},
		{name: "method/PUT conference", role: domain.RoleCaseSystem, status: 405, kind: "method_not_allowed", req: req{Method: "PUT", Path: ctPath(hf.conf), Body: `{}`}},
		{name: "method/POST policy", role: domain.RoleAdmin, status: 405, kind: "method_not_allowed", req: req{Method: "POST", Path: "/v1/policy", Body: `{}`}},
		{name: "path/unknown", role: domain.RoleManager, status: 404, kind: "not_found", req: req{Method: "GET", Path: "/v1/conferences-all"}},
		{name: "path/list with a trailing slash", role: domain.RoleManager, status: 404, kind: "not_found", req: req{Method: "GET", Path: "/v1/conferences/"}},
		{name: "path/create with a trailing slash", role: domain.RoleCaseSystem, status: 404, kind: "not_found", req: req{Method: "POST", Path: "/v1/conferences/", Body: conferenceBody("SLASH-1")}},
		{name: "path/policy with a trailing slash", role: domain.RoleAdmin, status: 404, kind: "not_found", req: req{Method: "PUT", Path: "/v1/policy/", Body: domain.DefaultPolicy()}},
		{name: "path/share with a dot segment", role: domain.RoleManager, status: 404, kind: "not_found", req: req{Method: "GET", Path: ctPath(hf.conf, "reports", hf.report, "shares", ".%2F")}},
		rep.refuse("body of 1 MiB and a byte", `{"agency":"police","title":"`+strings.Repeat("t", 1<<20)+`"}`, 413, "too_large"),
	}
	return rows
}

// hostileNewRequestID checks that a request id that is not a plain token
// was replaced rather than echoed.
func hostileNewRequestID(sent string) func(t *testing.T, r resp) {
	return func(t *testing.T, r resp) {
		t.Helper()
		if got := r.Header.Get("X-Request-ID"); got == sent || got == "" || url.PathEscape(got) != got {
			t.Errorf("X-Request-ID %q sent, %q echoed", sent, got)
		}
	}
}
