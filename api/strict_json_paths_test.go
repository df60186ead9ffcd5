package api_test

import (
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// Faults deep in a body are refused before anything is written, and named
// by their path with its array indexes; a type error names its member
// without them, and an unknown member is named as sent.
func TestStrictJSONPaths(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleCaseSystem)
	whole := wholeConferenceBody("PATHS-1")
	at := func(path, raw string) string { return withRaw(whole, path, raw) }
	for _, tc := range []struct {
		name, body string
		status     int
		kind       string
		fields     []string
	}{
		{"duplicate key deep in a nested array", at("participants[0].needs[1]", `{"kind":"childcare","status":"identified","kind":"transport"}`),
			400, "malformed", []string{"participants[0].needs[1].kind"}},
		{"Kind for kind", at("participants[0].needs[1]", `{"Kind":"childcare","status":"identified"}`),
			400, "malformed", []string{"participants[0].needs[1].Kind"}},
		{"STATUS for status", at("participants[0].needs[1]", `{"kind":"childcare","STATUS":"identified"}`),
			400, "malformed", []string{"participants[0].needs[1].STATUS"}},
		{"embedded member twice beside the outer struct's own", at("participants[1]", `{"display_name":"A","relationship":"father","invited":true,"attendance":"phone","display_name":"B"}`),
			400, "malformed", []string{"participants[1].display_name"}},
		{"outer member twice beside an embedded struct's", at("reports[0].shares[1]", `{"person_ref":"P-2","withheld":true,"reason":"risk","person_ref":"P-1"}`),
			400, "malformed", []string{"reports[0].shares[1].person_ref"}},
		{"embedded member named in the wrong case", at("reports[0].shares[1]", `{"person_ref":"P-2","Withheld":true}`),
			400, "malformed", []string{"reports[0].shares[1].Withheld"}},
		{"invalid UTF-8 inside a string", at("participants[1].display_name", "\"a\xffb\""), 400, "malformed", nil},
		{"unpaired surrogate deep", at("participants[1].display_name", `"a\ud800b"`), 400, "malformed", []string{"participants[1].display_name"}},
		{"invalid escape deep", at("reports[0].title", `"a\qb"`), 400, "malformed", []string{"reports[0].title"}},
		{"NUL deep", at("reports[0].shares[1].reason", `"a\u0000b"`), 400, "malformed", []string{"reports[0].shares[1].reason"}},
		{"NUL in a name deep", at("participants[0].needs[1]", `{"kind":"childcare","st\u0000atus":"identified"}`),
			400, "malformed", []string{`participants[0].needs[1].st\u0000atus`}},
		{"unknown member deep", at("participants[0].needs[1]", `{"kind":"childcare","status":"identified","zzz":1}`), 400, "malformed", []string{"zzz"}},
		{"date out of range deep", at("participants[0].needs_assessed_on", `"1899-12-31"`), 422, "invalid", []string{"participants[0].needs_assessed_on"}},
		{"date out of range in a share", at("reports[0].shares[0].shared_on", `"2101-01-01"`), 422, "invalid", []string{"reports[0].shares[0].shared_on"}},
		{"instant out of range", at("scheduled_start", `"0001-01-01T00:00:00Z"`), 422, "invalid", []string{"scheduled_start"}},
		{"type error deep", at("participants[0].needs[1].status", `5`), 422, "invalid", []string{"participants.needs.status"}},
		{"date of the wrong type deep", at("reports[0].received_on", `20261120`), 422, "invalid", []string{"reports.received_on"}},
		{"a duplicate after a type error", `{"external_ref":5,"type":"initial","type":"review"}`, 400, "malformed", []string{"type"}},
		{"a NUL after a type error", `{"external_ref":5,"type":"a\u0000"}`, 400, "malformed", []string{"type"}},
		{"bad JSON after a type error", at("external_ref", `5`)[:40] + `,}`, 400, "malformed", nil},
		{"trailing data after a type error", at("external_ref", `5`) + `{}`, 400, "malformed", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e)
			p := ctProblem(t, e.do(req{Method: "POST", Path: "/v1/conferences", Key: key, Body: tc.body}), tc.status)
			if want := "urn:cpcready:problem:" + tc.kind; p.Type != want {
				t.Errorf("problem type %q, want %q", p.Type, want)
			}
			ctFields(t, p, tc.fields...)
			frozen()
		})
	}
}

// A merge patch is read under the same rules, deep in it too.
func TestStrictJSONPatchPaths(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "PATHS-2")
	key := e.key(orgA, domain.RoleCaseSystem)
	for _, tc := range []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"duplicate key in a child", `{"children":[{"ref":"C-1"},{"ref":"C-2","ref":"C-3"}]}`, 400, []string{"children[1].ref"}},
		{"Ref for ref in a child", `{"children":[{"ref":"C-1"},{"Ref":"C-2"}]}`, 400, []string{"children[1].Ref"}},
		{"NUL in a child's name", `{"children":[{"ref":"C-1","name":"a\u0000"}]}`, 400, []string{"children[0].name"}},
		{"date out of range", `{"strategy_discussion_on":"1899-12-31"}`, 422, []string{"strategy_discussion_on"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frozen := ctFrozen(t, e, f.conf)
			r := e.do(req{Method: "PATCH", Path: ctPath(f.conf), Key: key, Header: ctIfMatch(`"3"`), Body: tc.body, ContentType: "application/merge-patch+json"})
			ctFields(t, ctProblem(t, r, tc.status), tc.fields...)
			frozen()
		})
	}
}
