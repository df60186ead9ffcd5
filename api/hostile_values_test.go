package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileTypeRows: a value of the wrong JSON type in each kind of member.
func hostileTypeRows(hf hostileFixture) []hostileRow {
	type wrong struct{ op, path, raw, field string }
	var rows []hostileRow
	for _, w := range []wrong{
		{"createConference", "external_ref", `5`, "external_ref"},
		{"createConference", "type", `true`, "type"},
		{"createConference", "scheduled_start", `1764000000`, "scheduled_start"},
		{"createConference", "scheduled_start", `"2026-12-07 10:00"`, "scheduled_start"},
		{"createConference", "format", `["video"]`, "format"},
		{"createConference", "status", `{}`, "status"},
		{"createConference", "strategy_discussion_on", `20261120`, "strategy_discussion_on"},
		{"createConference", "strategy_discussion_on", `"2026-02-30"`, "strategy_discussion_on"},
		{"createConference", "chair", `"CH-1"`, "chair"},
		{"createConference", "chair.ref", `7`, "chair.ref"},
		{"createConference", "children", `{}`, "children"},
		{"createConference", "children", `"C-1"`, "children"},
		{"createConference", "children[0]", `"C-1"`, "children"},
		{"createConference", "children[0].name", `false`, "children.name"},
		{"updateConference", "format", `5`, "format"},
		{"updateConference", "scheduled_start", `"tomorrow"`, "scheduled_start"},
		{"updateConference", "children", `"C-1"`, "children"},
		{"addParticipant", "display_name", `1`, "display_name"},
		{"addParticipant", "invited", `"yes"`, "invited"},
		{"addParticipant", "invited", `1`, "invited"},
		{"addParticipant", "attendance", `2`, "attendance"},
		{"addParticipant", "private_space_confirmed", `"true"`, "private_space_confirmed"},
		{"addParticipant", "technology_checked", `0`, "technology_checked"},
		{"addParticipant", "needs_assessed_on", `true`, "needs_assessed_on"},
		{"addParticipant", "safety", `"none"`, "safety"},
		{"addParticipant", "safety", `[]`, "safety"},
		{"addParticipant", "exclusion", `[]`, "exclusion"},
		{"updateParticipant", "invited", `"yes"`, "invited"},
		{"updateParticipant", "attendance", `[]`, "attendance"},
		{"putNeed", "status", `["arranged"]`, "status"},
		{"putNeed", "detail", `{}`, "detail"},
		{"putNeed", "language", `44`, "language"},
		{"addContact", "with", `true`, "with"},
		{"addContact", "on", `"20 November"`, "on"},
		{"addContact", "on", `20261120`, "on"},
		{"addReport", "agency", `1`, "agency"},
		{"addReport", "title", `[]`, "title"},
		{"addReport", "received_on", `"2026-02-30"`, "received_on"},
		{"addShare", "participant_id", `5`, "participant_id"},
		{"addShare", "withheld", `"no"`, "withheld"},
		{"addShare", "shared_on", `{}`, "shared_on"},
		{"putChildViews", "means", `1`, "means"},
		{"putChildViews", "recorded_on", `"yesterday"`, "recorded_on"},
		{"addReadinessCheck", "decision", `true`, "decision"},
		{"addReadinessCheck", "note", `5`, "note"},
		{"putPolicy", "icpc_working_days", `"15"`, "icpc_working_days"},
		{"putPolicy", "report_days", `3`, "report_days"},
		{"putPolicy", "report_days", `[[1]]`, "report_days"},
		{"createConference", "chair", `[{"ref":"A"}]`, "chair"},
		{"createConference", "children", `{"ref":"A"}`, "children"},
		{"putPolicy", "report_days.initial", `"3"`, "report_days.initial"},
		{"putPolicy", "phone_only_attendance", `"yes"`, "phone_only_attendance"},
		{"putPolicy", "version", `"1"`, "version"},
	} {
		rt := hf.route(w.op)
		rows = append(rows, rt.refuse(hostileName("%s = %s", w.path, w.raw), withRaw(rt.body(), w.path, w.raw), 422, "invalid", w.field))
	}
	// Required members sent as null are absent, and so refused.
	for op, path := range map[string]string{"createConference": "type", "addParticipant": "relationship", "addContact": "method", "addReadinessCheck": "decision"} {
		rt := hf.route(op)
		rows = append(rows, rt.refuse(path+" = null", withRaw(rt.body(), path, `null`), 422, "invalid", path))
	}
	return rows
}

// hostileNumberRows: numbers too big for any integer, fractions, and
// numbers just outside the policy's bounds.
func hostileNumberRows(hf hostileFixture) []hostileRow {
	pol, p := hf.route("putPolicy"), hf.route("addParticipant")
	long := "9" + strings.Repeat("0", 100000)
	var rows []hostileRow
	for _, n := range []string{"1e400", "-1e400", "99999999999999999999", "-99999999999999999999", "9223372036854775808", "1.5", "1e1", "-0.0", long} {
		rows = append(rows, pol.refuse(hostileName("icpc_working_days = %s", n), withRaw(pol.body(), "icpc_working_days", n), 422, "invalid", "icpc_working_days"))
	}
	for _, n := range []string{"9223372036854775807", "-1", "0", "61"} {
		rows = append(rows, pol.refuse("icpc_working_days = "+n, withRaw(pol.body(), "icpc_working_days", n), 422, "invalid", "icpc_working_days"))
	}
	rows = append(rows,
		pol.refuse("report_days.initial = 31", withRaw(pol.body(), "report_days.initial", "31"), 422, "invalid", "report_days.initial"),
		pol.refuse("report_days.review = -1", withRaw(pol.body(), "report_days.review", "-1"), 422, "invalid", "report_days.review"),
		pol.refuse("first_review_months = 1e400", withRaw(pol.body(), "first_review_months", "1e400"), 422, "invalid", "first_review_months"),
		pol.refuse("version = 1e400", withRaw(pol.body(), "version", "1e400"), 422, "invalid", "version"),
		p.refuse("display_name = 1e999", withRaw(p.body(), "display_name", "1e999"), 422, "invalid", "display_name"),
		p.refuse("display_name = 100000 digits", withRaw(p.body(), "display_name", long), 422, "invalid", "display_name"),
		pol.accept("icpc_working_days = 60", withRaw(pol.body(), "icpc_working_days", "60"), 200, "", ""),
		pol.accept("icpc_working_days = 15", withRaw(pol.body(), "icpc_working_days", "15"), 200, "", ""),
	)
	return rows
}

// hostileNestingRows: arrays and objects nested past what the decoder
// allows, and a little nesting where a string belongs.
func hostileNestingRows(hf hostileFixture) []hostileRow {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	var rows []hostileRow
	for _, rt := range hf.bodyRoutes() {
		valid := rt.body()
		member := "zzz"
		for _, ht := range hostileTexts(hf) {
			if ht.op == rt.op {
				member = ht.path
				break
			}
		}
		rows = append(rows,
			rt.refuse("10001 arrays deep", withRaw(valid, member, deep("[", "]", 10001)), 400, "malformed"),
			rt.refuse("10001 objects deep", withRaw(valid, "zzz", strings.Repeat(`{"a":`, 10001)+"1"+strings.Repeat("}", 10001)), 400, "malformed"),
		)
		if member != "zzz" {
			rows = append(rows, rt.refuse("64 arrays in "+member, withRaw(valid, member, deep("[", "]", 64)), 422, "invalid", hostileTypeField(member)))
		}
	}
	return rows
}

// hostileTypeField is the field encoding/json names for a type error: the
// path without array indexes.
func hostileTypeField(path string) string { return jsonIndexes.ReplaceAllString(path, "") }

// hostileData is text that looks like SQL, script, templates or paths.
// It is only data: each must be stored and returned exactly as sent.
var hostileData = []string{
	`Robert'); DROP TABLE participants;--`,
	`' OR '1'='1`,
	`" OR ""="`,
	`1; SELECT * FROM api_keys --`,
	`%' OR 1=1 --`,
	`\'; DELETE FROM audit_events; --`,
	`<script>alert(document.cookie)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`{{7*7}} ${7*7} <%= 7*7 %>`,
	`../../../../etc/passwd`,
	`%00%27%22%3Cscript%3E`,
	`$(rm -rf /) && echo pwned`,
	`ünïcödé Ωμέγα 名前 😀`,
}

// hostileDataRows: every hostileData text in a name, a title, a note and
// an external_ref, which a list filter must then find exactly.
func hostileDataRows(hf hostileFixture) []hostileRow {
	up, rep, chk, c := hf.route("updateParticipant"), hf.route("addReport"), hf.route("addReadinessCheck"), hf.route("createConference")
	var rows []hostileRow
	for i, v := range hostileData {
		name := hostileName("%d %s", i, v)
		rows = append(rows,
			up.accept("display_name "+name, withValue(up.body(), "display_name", v), 200, "display_name", v),
			rep.accept("title "+name, withValue(rep.body(), "title", v), 201, "title", v),
			chk.accept("note "+name, withValue(chk.body(), "note", v), 201, "note", v),
			c.accept("external_ref "+name, withValue(c.body(), "external_ref", v), 201, "external_ref", v),
			hostileRow{
				name: "listConferences/external_ref " + name, role: domain.RoleManager, status: 200,
				req:   req{Method: "GET", Path: "/v1/conferences?external_ref=" + url.QueryEscape(v)},
				check: hostileListed(v),
			},
		)
	}
	return rows
}

// hostileListed checks that a list holds exactly one conference, with
// external_ref ref.
func hostileListed(ref string) func(t *testing.T, r resp) {
	return func(t *testing.T, r resp) {
		t.Helper()
		items, _ := r.JSON(t)["items"].([]any)
		if len(items) != 1 || jsonAt(t, items[0], "external_ref") != ref {
			t.Errorf("list by external_ref %q: %s", ref, truncate(r.Body))
		}
	}
}
