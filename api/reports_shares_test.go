package api_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// Shares of reports and children's views; the helpers are in reports_test.go.

// rrFindings returns the findings with the code.
func rrFindings(fs []domain.Finding, code string) []domain.Finding {
	var out []domain.Finding
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func TestShareAdd(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "SH-1")
	mum := e.mustAddParticipant(orgA, id)
	dad := rrWrite(e, orgA, domain.RoleSocialWorker, "POST", rrPath(id, "/participants"),
		map[string]any{"display_name": "Other Parent", "relationship": "father", "invited": true, "attendance": "in_person"}, 201)["id"].(string)
	rid := rrAddReport(e, orgA, id, "social_care")

	notShared := rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED")
	if len(notShared) != 2 {
		t.Fatalf("REPORT_NOT_SHARED = %+v, want one per parent", notShared)
	}
	for i, pid := range []string{mum, dad} {
		f := notShared[i]
		if f.ParticipantID != pid || f.ReportID != rid || f.Severity != "blocker" || f.DueOn == nil || f.DueOn.String() != "2026-12-02" || f.Overdue {
			t.Errorf("finding %d = %+v", i, f)
		}
	}

	r := e.do(req{Method: "POST", Path: rrPath(id, "/reports/", rid, "/shares"), Key: e.key(orgA, domain.RoleCaseSystem),
		Body: map[string]any{"participant_id": mum, "shared_on": "2026-11-23"}})
	rrStatus(t, r, 201)
	b := r.JSON(t)
	sid, _ := b["id"].(string)
	if uuid.Validate(sid) != nil || b["participant_id"] != mum || b["shared_on"] != "2026-11-23" || b["language"] != "en" || b["withheld"] != false {
		t.Errorf("share = %s", r.Body)
	}
	if _, ok := b["reason"]; ok {
		t.Errorf("a share that is not withheld has a reason: %s", r.Body)
	}
	if got, want := r.Header.Get("Location"), rrPath(id, "/reports/", rid, "/shares/", sid); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := r.Header.Get("ETag"); got != `"5"` {
		t.Errorf("ETag = %q, want \"5\"", got)
	}
	ev := rrLastEvent(t, e, id)
	want := `{"format":{"before":null,"after":"written"},"id":{"before":null,"after":"` + sid + `"},"language":{"before":null,"after":"en"},"participant_id":{"before":null,"after":"` + mum +
		`"},"shared_on":{"before":null,"after":"2026-11-23"},"withheld":{"before":null,"after":false}}`
	if ev.Action != "create" || ev.Entity != "share" || ev.EntityID != sid || ev.Changes != want {
		t.Errorf("audit row = %+v\nwant changes %s", ev, want)
	}
	notShared = rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED")
	if len(notShared) != 1 || notShared[0].ParticipantID != dad {
		t.Fatalf("after sharing with the mother: %+v", notShared)
	}

	// Withheld without the chair's agreement still blocks, and says so.
	r = e.do(req{Method: "POST", Path: rrPath(id, "/reports/", rid, "/shares"), Key: e.key(orgA, domain.RoleSocialWorker),
		Body: map[string]any{"participant_id": dad, "withheld": true, "reason": "Risk to the mother"}})
	rrStatus(t, r, 201)
	b = r.JSON(t)
	if b["withheld"] != true || b["reason"] != "Risk to the mother" || b["shared_on"] != nil || b["language"] != nil {
		t.Errorf("withholding = %s", r.Body)
	}
	ev = rrLastEvent(t, e, id)
	if !strings.Contains(ev.Changes, `"reason":{"before":null,"after":null,"redacted":true}`) || strings.Contains(ev.Changes, "Risk") {
		t.Errorf("withholding audit changes = %s", ev.Changes)
	}
	notShared = rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED")
	if len(notShared) != 1 || notShared[0].ParticipantID != dad || !strings.Contains(notShared[0].Message, "withheld") {
		t.Errorf("withheld without agreement: %+v", notShared)
	}
	// With the chair's agreement, recorded by the chair, it clears.
	rrWrite(e, orgA, domain.RoleChair, "POST", rrPath(id, "/reports/", rid, "/shares"),
		map[string]any{"participant_id": dad, "withheld": true, "reason": "Risk to the mother", "chair_agreed_on": "2026-11-23"}, 201)
	if got := rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_SHARED"); len(got) != 0 {
		t.Errorf("withheld with agreement still blocks: %+v", got)
	}

	// A mother who needs Polish needs a share in Polish; languages compare
	// without regard to case.
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", rrPath(id, "/participants/", mum, "/needs/language"), map[string]any{"status": "arranged", "language": "pl", "interpreter": "professional"}, 201)
	nt := rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_TRANSLATED")
	if len(nt) != 1 || nt[0].ParticipantID != mum || nt[0].ReportID != rid || nt[0].DueOn == nil || nt[0].DueOn.String() != "2026-12-02" {
		t.Fatalf("REPORT_NOT_TRANSLATED = %+v", nt)
	}
	b = rrWrite(e, orgA, domain.RoleSocialWorker, "POST", rrPath(id, "/reports/", rid, "/shares"), map[string]any{"participant_id": mum, "shared_on": "2026-11-23", "language": "PL"}, 201)
	if b["language"] != "PL" {
		t.Errorf("language = %v, want PL", b["language"])
	}
	if got := rrFindings(rrGetReadiness(e, orgA, id).Findings, "REPORT_NOT_TRANSLATED"); len(got) != 0 {
		t.Errorf("a Polish share did not clear REPORT_NOT_TRANSLATED: %+v", got)
	}
	var conf domain.Conference
	e.do(req{Method: "GET", Path: rrPath(id), Key: e.key(orgA, domain.RoleManager)}).Decode(t, &conf)
	if n := len(conf.Reports[0].Shares); n != 4 {
		t.Errorf("stored shares = %d, want 4", n)
	}
}

func TestShareAddRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "SH-2")
	pid := e.mustAddParticipant(orgA, id)
	rid := rrAddReport(e, orgA, id, "social_care")
	other := e.mustCreate(orgA, "SH-3")
	otherPid := e.mustAddParticipant(orgA, other)
	otherRid := rrAddReport(e, orgA, other, "police")
	cs := e.key(orgA, domain.RoleCaseSystem)
	path := rrPath(id, "/reports/", rid, "/shares")
	ok := map[string]any{"participant_id": pid, "shared_on": "2026-11-23"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{"participant_id": pid, "shared_on": "2026-11-23"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	withheld := func(kv ...any) map[string]any {
		return with(append([]any{"shared_on", nil, "withheld", true, "reason", "Risk"}, kv...)...)
	}
	cases := append(rrCommonRefusals(e, ok),
		rrCase{name: "unknown report", key: cs, path: rrPath(id, "/reports/", uuid.NewString(), "/shares"), body: ok, status: 404},
		rrCase{name: "another conference's report", key: cs, path: rrPath(id, "/reports/", otherRid, "/shares"), body: ok, status: 404},
		rrCase{name: "unknown conference", key: cs, path: rrPath(uuid.NewString(), "/reports/", rid, "/shares"), body: ok, status: 404},
		rrCase{name: "participant not in the conference", key: cs, body: with("participant_id", uuid.NewString()), status: 422, fields: []string{"participant_id"}},
		rrCase{name: "another conference's participant", key: cs, body: with("participant_id", otherPid), status: 422, fields: []string{"participant_id"}},
		rrCase{name: "participant_id not a uuid", key: cs, body: with("participant_id", "p-1"), status: 422, fields: []string{"participant_id"}},
		rrCase{name: "no participant_id", key: cs, body: with("participant_id", nil), status: 422, fields: []string{"participant_id"}},
		rrCase{name: "neither shared nor withheld", key: cs, body: with("shared_on", nil), status: 422, fields: []string{"shared_on"}},
		rrCase{name: "withheld without reason", key: cs, body: withheld("reason", nil), status: 422, fields: []string{"reason"}},
		rrCase{name: "withheld and shared", key: cs, body: withheld("shared_on", "2026-11-23"), status: 422, fields: []string{"shared_on"}},
		rrCase{name: "future shared_on", key: cs, body: with("shared_on", "2026-11-24"), status: 422, fields: []string{"shared_on"}},
		rrCase{name: "bad shared_on", key: cs, body: with("shared_on", "2026-11-23T10:00:00Z"), status: 422, fields: []string{"shared_on"}},
		rrCase{name: "future chair_agreed_on", key: cs, body: withheld("chair_agreed_on", "2026-12-01"), status: 422, fields: []string{"chair_agreed_on"}},
		rrCase{name: "language", key: cs, body: with("language", "not a language!"), status: 422, fields: []string{"language"}},
		rrCase{name: "withheld not a boolean", key: cs, body: with("withheld", "yes"), status: 422, fields: []string{"withheld"}},
	)
	rrRefuses(t, e, id, "POST", path, cases)
}

func TestViewPut(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "CV-1")
	path := rrPath(id, "/children/C-1/views")
	r := e.do(req{Method: "PUT", Path: path, Key: e.key(orgA, domain.RoleSocialWorker), Body: map[string]any{"means": "written", "recorded_on": "2026-11-20"}})
	rrStatus(t, r, 201)
	if got := string(r.Body); got != `{"ref":"C-1","name":"Child Person","unborn":false,"views":{"means":"written","recorded_on":"2026-11-20"}}` {
		t.Errorf("body = %s", got)
	}
	if got := r.Header.Get("ETag"); got != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", got)
	}
	ev := rrLastEvent(t, e, id)
	if ev.Action != "create" || ev.Entity != "child_views" || ev.EntityID != "C-1" ||
		ev.Changes != `{"means":{"before":null,"after":"written"},"recorded_on":{"before":null,"after":"2026-11-20"}}` {
		t.Errorf("audit row = %+v", ev)
	}
	rd := rrGetReadiness(e, orgA, id)
	rrWantCodes(t, rd.Findings, "NO_FAMILY_PARTICIPANTS", "SOCIAL_WORKER_REPORT_MISSING", "QUORUM_NOT_CONFIRMED", "CHILD_VIEWS_NOT_SHARED")
	if f := rd.Findings[3]; f.ChildRef != "C-1" || f.DueOn == nil || f.DueOn.String() != "2026-12-02" || f.Overdue || f.Severity != "blocker" {
		t.Errorf("CHILD_VIEWS_NOT_SHARED = %+v", f)
	}

	// The second PUT replaces the views and answers 200.
	r = e.do(req{Method: "PUT", Path: path, Key: e.key(orgA, domain.RoleCaseSystem), Body: map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-11-23"}})
	rrStatus(t, r, 200)
	if got := r.Header.Get("ETag"); got != `"3"` {
		t.Errorf("ETag = %q, want \"3\"", got)
	}
	ev = rrLastEvent(t, e, id)
	if ev.Action != "update" || ev.Entity != "child_views" || ev.Changes != `{"shared_on":{"before":null,"after":"2026-11-23"}}` {
		t.Errorf("audit row = %+v", ev)
	}
	rrWantCodes(t, rrGetReadiness(e, orgA, id).Findings, "NO_FAMILY_PARTICIPANTS", "SOCIAL_WORKER_REPORT_MISSING", "QUORUM_NOT_CONFIRMED")

	// Shared on the day it was recorded is allowed; means is replaced too.
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", path, map[string]any{"means": "advocate", "recorded_on": "2026-11-23", "shared_on": "2026-11-23"}, 200)
	var conf domain.Conference
	e.do(req{Method: "GET", Path: rrPath(id), Key: e.key(orgA, domain.RoleManager)}).Decode(t, &conf)
	v := conf.Children[0].Views
	if v == nil || v.Means != "advocate" || v.RecordedOn.String() != "2026-11-23" || v.SharedOn.String() != "2026-11-23" {
		t.Errorf("stored views = %+v", v)
	}
	// A PUT is a whole replacement: views without dates are not recorded.
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", path, map[string]any{"means": "attending"}, 200)
	rrWantCodes(t, rrGetReadiness(e, orgA, id).Findings, "NO_FAMILY_PARTICIPANTS", "SOCIAL_WORKER_REPORT_MISSING", "QUORUM_NOT_CONFIRMED", "CHILD_VIEWS_NOT_RECORDED")
}

func TestViewPutRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "CV-2")
	path := rrPath(id, "/children/C-1/views")
	ok := map[string]any{"means": "written", "recorded_on": "2026-11-20"}
	rrWrite(e, orgA, domain.RoleSocialWorker, "PUT", path, ok, 201) // version 2
	cs := e.key(orgA, domain.RoleCaseSystem)
	cases := append(rrCommonRefusals(e, ok),
		rrCase{name: "unknown child", key: cs, path: rrPath(id, "/children/C-9/views"), body: ok, status: 404},
		rrCase{name: "unknown conference", key: cs, path: rrPath(uuid.NewString(), "/children/C-1/views"), body: ok, status: 404},
		rrCase{name: "shared before recorded", key: cs, body: map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-11-19"}, status: 422, fields: []string{"shared_on"}},
		rrCase{name: "future recorded_on", key: cs, body: map[string]any{"means": "written", "recorded_on": "2026-11-24"}, status: 422, fields: []string{"recorded_on"}},
		rrCase{name: "future shared_on", key: cs, body: map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-12-01"}, status: 422, fields: []string{"shared_on"}},
		rrCase{name: "shared but not recorded", key: cs, body: map[string]any{"means": "written", "shared_on": "2026-11-20"}, status: 422, fields: []string{"recorded_on"}},
		rrCase{name: "means", key: cs, body: map[string]any{"means": "video", "recorded_on": "2026-11-20"}, status: 422, fields: []string{"means"}},
		rrCase{name: "no means", key: cs, body: map[string]any{"recorded_on": "2026-11-20"}, status: 422, fields: []string{"means"}},
		rrCase{name: "bad date", key: cs, body: map[string]any{"means": "written", "recorded_on": "yesterday"}, status: 422, fields: []string{"recorded_on"}},
	)
	rrRefuses(t, e, id, "PUT", path, cases)
}
