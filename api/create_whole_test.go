package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// wholeConferenceBody is a conference with two family members, their
// needs, and a report shared with one and withheld from the other.
func wholeConferenceBody(ref string) map[string]any {
	b := conferenceBody(ref)
	b["participants"] = []any{
		map[string]any{"display_name": "Parent Person", "relationship": "mother", "invited": true, "attendance": "video", "person_ref": "P-1",
			"needs": []any{map[string]any{"kind": "language", "status": "arranged", "language": "pl", "interpreter": "professional"}, map[string]any{"kind": "childcare", "status": "identified"}}},
		map[string]any{"display_name": "Other Parent", "relationship": "father", "invited": true, "attendance": "phone", "person_ref": "P-2"},
	}
	b["reports"] = []any{
		map[string]any{"agency": "social_care", "title": "Social work report", "received_on": "2026-11-20", "shares": []any{
			map[string]any{"person_ref": "P-1", "shared_on": "2026-11-21", "language": "pl"},
			map[string]any{"person_ref": "P-2", "withheld": true, "reason": "risk to the child"},
		}},
	}
	b["professionals"] = []any{
		map[string]any{"agency": "social_care", "name": "Social Worker Person", "attendance": "confirmed"},
		map[string]any{"agency": "police", "name": "Officer Person"},
	}
	return b
}

// TestOneCallCreate creates a whole conference in one request and gets
// every part back with its id, shares pointing at the right people.
func TestOneCallCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(orgA, domain.RoleCaseSystem), Body: wholeConferenceBody("WHOLE-1")})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c domain.Conference
	r.Decode(t, &c)
	if len(c.Participants) != 2 || len(c.Participants[0].Needs) != 2 || len(c.Reports) != 1 || len(c.Reports[0].Shares) != 2 {
		t.Fatalf("aggregate %s, want 2 participants (2 needs on the first) and a report with 2 shares", r.Body)
	}
	byRef := map[string]string{}
	for _, p := range c.Participants {
		if p.ID == "" {
			t.Fatal("a participant has no id")
		}
		byRef[p.PersonRef] = p.ID
	}
	if c.Reports[0].Shares[0].ParticipantID != byRef["P-1"] || c.Reports[0].Shares[1].ParticipantID != byRef["P-2"] {
		t.Fatalf("shares point at %s and %s, want P-1 %s and P-2 %s", c.Reports[0].Shares[0].ParticipantID, c.Reports[0].Shares[1].ParticipantID, byRef["P-1"], byRef["P-2"])
	}
	if len(c.Professionals) != 2 || c.Professionals[0].ID == "" || c.Professionals[1].Attendance != "invited" {
		t.Fatalf("professionals %+v, want two with ids, the second invited by default", c.Professionals)
	}
	if c.Readiness.Status == "" || r.Header.Get("Location") != "/v1/conferences/"+c.ID {
		t.Fatalf("readiness %+v, Location %q", c.Readiness, r.Header.Get("Location"))
	}
	got := e.do(req{Method: "GET", Path: "/v1/conferences/" + c.ID, Key: e.key(orgA, domain.RoleManager)})
	var stored domain.Conference
	got.Decode(t, &stored)
	if stored.Participants[1].PersonRef != "P-2" || len(stored.Reports[0].Shares) != 2 {
		t.Fatalf("stored aggregate %s", got.Body)
	}
	// The created event counts the parts; one event, whatever the size.
	var feed struct{ Items []domain.Event }
	e.do(req{Method: "GET", Path: "/v1/events", Key: e.key(orgA, domain.RoleCaseSystem)}).Decode(t, &feed)
	if len(feed.Items) != 1 || feed.Items[0].Type != domain.EventConferenceCreated || !strings.Contains(string(feed.Items[0].Data), `"participants":2`) {
		t.Fatalf("feed %+v, want one conference.created counting 2 participants", feed.Items)
	}
}

// TestOneCallCreateRefusesWithPathsAndWritesNothing: every problem in the
// nested parts is named by its path, and a refused create leaves no
// conference, no part, no audit row and no event behind.
func TestOneCallCreateRefusesWithPathsAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	bad := func(edit func(b map[string]any)) map[string]any {
		b := wholeConferenceBody("WHOLE-BAD")
		edit(b)
		return b
	}
	part := func(b map[string]any, key string, i int) map[string]any { return b[key].([]any)[i].(map[string]any) }
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"share names nobody", bad(func(b map[string]any) {
			part(b, "reports", 0)["shares"].([]any)[1].(map[string]any)["person_ref"] = "P-9"
		}), []string{"reports[0].shares[1].person_ref"}},
		{"language need without a language", bad(func(b map[string]any) {
			delete(part(b, "participants", 0)["needs"].([]any)[0].(map[string]any), "language")
		}), []string{"participants[0].needs[0].language"}},
		{"unknown need and a need twice", bad(func(b map[string]any) {
			part(b, "participants", 1)["needs"] = []any{map[string]any{"kind": "jetpack", "status": "identified"}}
			part(b, "participants", 0)["needs"] = []any{map[string]any{"kind": "childcare", "status": "identified"}, map[string]any{"kind": "childcare", "status": "arranged"}}
		}), []string{"participants[0].needs[1].kind", "participants[1].needs[0].kind"}},
		{"person_ref twice", bad(func(b map[string]any) { part(b, "participants", 1)["person_ref"] = "P-1" }), []string{"participants[1].person_ref"}},
		{"missing display name and a future share", bad(func(b map[string]any) {
			delete(part(b, "participants", 1), "display_name")
			part(b, "reports", 0)["shares"].([]any)[0].(map[string]any)["shared_on"] = "2027-01-01"
		}), []string{"participants[1].display_name", "reports[0].shares[0].shared_on"}},
		{"withheld without a reason", bad(func(b map[string]any) {
			delete(part(b, "reports", 0)["shares"].([]any)[1].(map[string]any), "reason")
		}), []string{"reports[0].shares[1].reason"}},
		{"professional with an unknown attendance", bad(func(b map[string]any) {
			b["professionals"].([]any)[1].(map[string]any)["attendance"] = "maybe"
		}), []string{"professionals[1].attendance"}},
		{"report without a title", bad(func(b map[string]any) { delete(part(b, "reports", 0), "title") }), []string{"reports[0].title"}},
		{"conference field and nested field together", bad(func(b map[string]any) {
			b["format"] = "carrier_pigeon"
			part(b, "participants", 0)["relationship"] = "landlord"
		}), []string{"format", "participants[0].relationship"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.tableCounts()
			r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: tc.body})
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.Status, r.Body)
			}
			var p struct{ Errors []domain.FieldError }
			r.Decode(t, &p)
			var got []string
			for _, f := range p.Errors {
				got = append(got, f.Field)
			}
			for _, want := range tc.fields {
				if !strings.Contains(strings.Join(got, " "), want) {
					t.Errorf("fields %v, want %s among them", got, want)
				}
			}
			if after := e.tableCounts(); after != before {
				t.Fatalf("a refused create wrote rows: before %s, after %s", before, after)
			}
		})
	}
	// An unknown member inside a part is a 400 and writes nothing either.
	b := wholeConferenceBody("WHOLE-BAD")
	part(b, "participants", 0)["contacts"] = []any{}
	before := e.tableCounts()
	if r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: b}); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown nested member: %d, want 400: %s", r.Status, r.Body)
	}
	if after := e.tableCounts(); after != before {
		t.Fatalf("a refused create wrote rows")
	}
}

// TestOneCallCreateRepeats: the same Idempotency-Key replays the same
// aggregate, and the same external_ref without a key is a 409 naming the
// conference, with nothing more written.
func TestOneCallCreateRepeats(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	first := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: wholeConferenceBody("WHOLE-2"), Header: map[string]string{"Idempotency-Key": "k-whole-2"}})
	if first.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", first.Status, first.Body)
	}
	before := e.tableCounts()
	again := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: wholeConferenceBody("WHOLE-2"), Header: map[string]string{"Idempotency-Key": "k-whole-2"}})
	if again.Status != http.StatusCreated || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.Status, again.Header)
	}
	dup := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: wholeConferenceBody("WHOLE-2")})
	if dup.Status != http.StatusConflict || dup.JSON(t)["existing_id"] != first.JSON(t)["id"] {
		t.Fatalf("duplicate: %d %s", dup.Status, dup.Body)
	}
	if after := e.tableCounts(); after != before {
		t.Fatalf("a replay or a duplicate wrote conference rows: before %s, after %s", before, after)
	}
}

// tableCounts counts the rows of every table a create writes, except the
// audit trail of reads.
func (e *env) tableCounts() string {
	e.t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		e.t.Fatal(err)
	}
	out := ""
	for _, table := range []string{"conferences", "events", "insight_tallies"} {
		var n int
		if err := sqlDB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out += table + "=" + strconv.Itoa(n) + " "
	}
	var n int
	if err := sqlDB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action <> 'read'").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return out + "audit_writes=" + strconv.Itoa(n)
}

// TestPersonRefIsUniqueWithinAConference: a family member added, or
// changed, to a person_ref already used in the conference is refused as
// one-call create refuses it, 422 naming person_ref, while another
// conference may use it.
func TestPersonRefIsUniqueWithinAConference(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: wholeConferenceBody("WHOLE-3")})
	id := r.JSON(t)["id"].(string)
	p := participantBody()
	p["person_ref"] = "P-1"
	before := e.aggregate(id)
	ctFields(t, ctProblem(t, e.do(req{Method: "POST", Path: "/v1/conferences/" + id + "/participants", Key: cs, Body: p}), http.StatusUnprocessableEntity), "person_ref")
	var c domain.Conference
	e.do(req{Method: "GET", Path: "/v1/conferences/" + id, Key: cs}).Decode(t, &c)
	second := ctPath(id, "participants", c.Participants[1].ID)
	ctFields(t, ctProblem(t, e.do(req{Method: "PATCH", Path: second, Key: cs, Header: ctIfMatch("*"), Body: map[string]any{"person_ref": "P-1"}}), http.StatusUnprocessableEntity), "person_ref")
	if e.aggregate(id) != before {
		t.Fatal("a refused participant was written")
	}
	other := e.mustCreate(orgA, "WHOLE-4")
	if r := e.do(req{Method: "POST", Path: "/v1/conferences/" + other + "/participants", Key: cs, Body: p}); r.Status != http.StatusCreated || r.JSON(t)["person_ref"] != "P-1" {
		t.Fatalf("P-1 in another conference: %d %s", r.Status, r.Body)
	}
}
