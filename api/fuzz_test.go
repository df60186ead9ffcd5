package api_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// fuzzWriteRoute is a POST, PUT or PATCH route, its path a template of
// the placeholders fuzzEnv.placeholders fills.
type fuzzWriteRoute struct {
	method, template string
	role             domain.Role
	header           map[string]string
	contentType      string
	seed             string // a body it accepts
}

var fuzzWriteRoutes = func() []fuzzWriteRoute {
	cs, c, p := domain.RoleCaseSystem, "/v1/conferences/{id}", "/v1/conferences/{id}/participants/{pid}"
	anyVersion := map[string]string{"If-Match": "*"}
	patch := "application/merge-patch+json"
	return []fuzzWriteRoute{
		{"POST", "/v1/conferences", cs, nil, "", `{"external_ref":"F-1","type":"initial","scheduled_start":"2026-12-07T10:00:00Z","format":"hybrid","chair":{"ref":"CH-1","name":"Chair"},"children":[{"ref":"C-1"}]}`},
		{"PATCH", c, cs, anyVersion, patch, `{"format":"video","chair":{"name":null},"status":"postponed"}`},
		{"POST", c + "/participants", cs, nil, "", `{"display_name":"Parent","relationship":"father","invited":true,"attendance":"phone","safety":{"concern":"domestic_abuse","arrangement":"separate_attendance"}}`},
		{"PATCH", p, cs, anyVersion, patch, `{"attendance":"excluded","exclusion":{"decided_by_chair_on":"2026-11-20","grounds":"risk"}}`},
		{"PUT", p + "/needs/language", cs, nil, "", `{"status":"identified","language":"pl","detail":"Polish"}`},
		{"POST", p + "/contacts", cs, nil, "", `{"with":"chair","on":"2026-11-20","method":"video"}`},
		{"POST", c + "/reports", cs, nil, "", `{"agency":"police","title":"Police report","received_on":"2026-11-19"}`},
		{"POST", c + "/reports/{rid}/shares", cs, nil, "", `{"participant_id":"{pid}","withheld":true,"reason":"risk","chair_agreed_on":"2026-11-20"}`},
		{"PUT", c + "/children/{child_ref}/views", cs, nil, "", `{"means":"advocate","recorded_on":"2026-11-18","shared_on":"2026-11-20"}`},
		{"POST", c + "/readiness-checks", domain.RoleChair, nil, "", `{"decision":"proceed","note":"family ready"}`},
		{"PUT", "/v1/policy", domain.RoleAdmin, nil, "", `{"report_days":{"initial":2,"review":4,"pre_birth":2},"icpc_working_days":15,"first_review_months":3,"review_interval_months":6,"chair_report_days":{"initial":2,"review":4,"pre_birth":2},"quorum_other_agencies":2,"pre_birth_latest_week":28,"transfer_in_days":15,"phone_only_attendance":false}`},
		{"POST", c + "/professionals", cs, nil, "", `{"agency":"police","name":"DC Example","role":"investigating officer","attendance":"confirmed","report_expected":true}`},
		{"PATCH", c + "/professionals/{prof_id}", cs, anyVersion, patch, `{"attendance":"declined","role":null}`},
		{"PATCH", c + "/reports/{rid}", cs, anyVersion, patch, `{"shared_with_chair_on":"2026-11-20","received_on":null}`},
		{"POST", c + "/reports/{rid}/shares", cs, nil, "", `{"participant_id":"{pid}","shared_on":"2026-11-20","format":"other","format_note":"read aloud by phone"}`},
	}
}()

// FuzzWriteBodies sends fuzzed JSON bodies to every write route; the first
// argument picks the route. Placeholders such as {pid} in a body are
// replaced by the fixture's ids, so that accepted bodies can be found.
func FuzzWriteBodies(f *testing.F) {
	for i, rt := range fuzzWriteRoutes {
		n := uint8(i)
		f.Add(n, []byte(rt.seed))
		f.Add(n, []byte(rt.seed[:len(rt.seed)-1]+","+rt.seed[1:]))
		f.Add(n, []byte(strings.Replace(rt.seed, `":"`, `":"\u0000`, 1)))
	}
	f.Add(uint8(0), []byte(`{"external_ref":"\ud800","type":"initial","scheduled_start":"2026-12-07T10:00:00Z","format":"video"}`))
	f.Add(uint8(2), []byte(`{"display_name":[[[[[[[[]]]]]]]],"relationship":"mother","invited":true,"attendance":"video"}`))
	f.Add(uint8(10), []byte(`{"report_days":{"initial":1e400},"icpc_working_days":-1}`))
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := fuzzPick(fuzzWriteRoutes, route)
		ids := fe.placeholders()
		for name, id := range ids {
			body = []byte(strings.ReplaceAll(string(body), name, id))
		}
		fe.try(t, req{
			Method: rt.method, Path: hostilePath(rt.template, ids, "", ""), Key: fe.keys[rt.role],
			Body: body, Header: rt.header, ContentType: rt.contentType,
		}, false)
	})
}

// FuzzListQuery sends fuzzed query strings, with a fuzzed cursor, to the
// conference list, or to a conference's history. Any byte the fuzzer
// makes is sent, percent-encoded where a request line needs it. A cursor
// the service gives out must always be accepted.
func FuzzListQuery(f *testing.F) {
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"2026-01-01T00:00:00Z","i":"' OR 1=1 --"}`))
	for _, s := range []struct {
		history       bool
		query, cursor string
	}{
		{false, "", ""}, {false, "limit=1", ""}, {false, "readiness=not_ready&overdue=false&status=scheduled", ""},
		{false, "from=2026-11-01&to=2026-12-31T00:00:00Z&limit=2", ""}, {false, "external_ref=%27%20OR%201%3D1", ""},
		{false, "limit=0&limits=1", ""}, {false, "chair_ref=%ff&social_worker_ref=%00", ""}, {false, "", "not a cursor"},
		{false, "limit=1", forged}, {false, "cursor=a&cursor=b", ""},
		{true, "", ""}, {true, "order=newest&limit=1", ""}, {true, "", "5"}, {true, "cursor=-1&order=sideways", ""},
		{true, "limit=1", "99999999999999999999"},
	} {
		f.Add(s.history, s.query, s.cursor)
	}
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, history bool, query, cursor string) {
		path := "/v1/conferences"
		if history {
			path = ctPath(fe.fix.conf, "history")
		}
		q := fuzzQuery(query)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		key := fe.keys[domain.RoleManager]
		got := fe.try(t, req{Method: "GET", Path: path + "?" + q, Key: key}, false)
		if got.Status != 200 {
			return
		}
		if next, _ := got.JSON(t)["next_cursor"].(string); next != "" {
			again := fe.try(t, req{Method: "GET", Path: path + "?cursor=" + url.QueryEscape(next), Key: key}, false)
			if again.Status != 200 {
				t.Fatalf("the next_cursor %q the service gave out is refused: %d %s", next, again.Status, truncate(again.Body))
			}
		}
	})
}

// fuzzQuery makes any string a query a request line can carry: bytes
// that may appear there, and valid percent escapes, are kept; every other
// byte is percent-encoded, so the server still sees it once decoded.
func fuzzQuery(s string) string {
	const keep = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			b.WriteString(url.QueryEscape(string([]byte{c})))
		}
	}
	return b.String()
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

// FuzzPathIDs puts a fuzzed id in one id segment of a route, the others
// real; the first two arguments pick the route and the segment.
func FuzzPathIDs(f *testing.F) {
	for _, s := range []struct {
		route, slot uint8
		id          string
	}{
		{0, 0, "not-a-uuid"}, {1, 0, ".."}, {3, 1, "00000000-0000-0000-0000-000000000000"}, {5, 1, "%00"},
		{6, 2, "childcare"}, {6, 2, "CHILDCARE"}, {7, 2, "transport"}, {9, 2, "' OR '1'='1"}, {13, 2, "../../policy"},
		{14, 1, "C-1"}, {14, 1, "c-1\x00"}, {18, 1, "\xff\xfe"}, {19, 0, strings.Repeat("9", 300)},
	} {
		f.Add(s.route, s.slot, s.id)
	}
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, route, slot uint8, id string) {
		if id == "" {
			t.Skip("an empty segment makes another path, not an id")
		}
		rt := fuzzPick(hostileIDRoutes(hostileFixture{fixture: fe.fix}), route)
		slots := idPlaceholder.FindAllString(rt.template, -1)
		n := int(slot) % len(slots)
		path := hostilePath(rt.template, fe.placeholders(), slots[n], url.PathEscape(id))
		// A part that is not found was looked for in a conference that
		// was read, and that read is recorded.
		auditsRefusal := rt.method == "GET" && n > 0
		fe.try(t, req{Method: rt.method, Path: path, Key: fe.keys[rt.role], Body: hostileBody(rt.body), Header: rt.header}, auditsRefusal)
	})
}
