package domain

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Table tests for the conference's methods: each row changes a fresh
// sample conference and says what must come of it. A refused change must
// leave the conference exactly as it was.

const (
	mum, dad   = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
	reportID   = "00000000-0000-4000-8000-0000000000c1"
	shareID    = "00000000-0000-4000-8000-0000000000d1"
	contactID  = "00000000-0000-4000-8000-0000000000e1"
	profID     = "00000000-0000-4000-8000-0000000000f1"
	newID      = "00000000-0000-4000-8000-000000000999"
	noSuchPart = "00000000-0000-4000-8000-000000000000"
)

var yesterday = today.AddDays(-1)

func parent(name, rel, ref string) ParticipantFields {
	yes := true
	return ParticipantFields{DisplayName: name, Relationship: rel, Invited: &yes, Attendance: AttendanceVideo, PersonRef: ref}
}

// sampleConference is a review conference with two children (one unborn),
// two parents (mum with a need and a conversation), a report shared with
// mum, and a professional.
func sampleConference() *Conference {
	expected := true
	return &Conference{
		ID: "00000000-0000-4000-8000-000000000001",
		ConferenceFields: ConferenceFields{
			ExternalRef: "RULES-1", Type: TypeReview, Format: "video", Status: StatusScheduled,
			ScheduledStart: Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
			Children: []Child{
				{Ref: "C-1", Name: "Child", Views: &ChildViews{Means: "written", RecordedOn: &yesterday}},
				{Ref: "C-2", Unborn: true},
			},
		},
		Participants: []Participant{
			{ID: mum, ParticipantFields: parent("Mum", "mother", "P-1"),
				Needs:    []Need{{Kind: "childcare", Status: NeedIdentified}},
				Contacts: []Contact{{ID: contactID, With: "social_worker", On: &yesterday, Method: "phone"}}},
			{ID: dad, ParticipantFields: parent("Dad", "father", "P-2"), Needs: []Need{}, Contacts: []Contact{}},
		},
		Reports: []Report{{ID: reportID, Agency: "health", Title: "Health report", ReceivedOn: &yesterday,
			Shares: []Share{{ID: shareID, ParticipantID: mum, SharedOn: &yesterday, Language: "en", Format: FormatWritten}}}},
		Professionals: []Professional{{ID: profID, ProfessionalFields: ProfessionalFields{Agency: "police", Name: "Officer", Attendance: ProfessionalInvited, ReportExpected: &expected}}},
		Version:       3,
	}
}

type ruleCase struct {
	name  string
	setup func(c *Conference) // before the call, when set
	call  func(c *Conference) (Change, error)
	// kind is the error wanted; empty for a change that is made, whose
	// action is then action.
	kind   string
	fields []string // the field errors wanted, when stated
	action string
	// same says the change changes nothing: the conference is as it was
	// and the change's before equals its after.
	same  bool
	check func(t *testing.T, c *Conference, ch Change)
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleConference()
			if tc.setup != nil {
				tc.setup(c)
			}
			before := jsonOf(t, c)
			ch, err := tc.call(c)
			if tc.kind != "" {
				if ErrorKind(err) != tc.kind {
					t.Fatalf("error %v, want kind %s", err, tc.kind)
				}
				if tc.fields != nil {
					got := fieldsOf(t, err)
					slices.Sort(got)
					want := slices.Sorted(slices.Values(tc.fields))
					if !slices.Equal(got, want) {
						t.Errorf("fields %q, want %q", got, want)
					}
				}
				if jsonOf(t, c) != before {
					t.Errorf("a refused change changed the conference:\n was %s\n now %s", before, jsonOf(t, c))
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if ch.Action != tc.action {
				t.Errorf("action %q, want %q", ch.Action, tc.action)
			}
			if tc.same {
				if jsonOf(t, c) != before {
					t.Errorf("an unchanged input changed the conference:\n was %s\n now %s", before, jsonOf(t, c))
				}
				if !reflect.DeepEqual(ch.Before, ch.After) {
					t.Errorf("an unchanged input reports a change: %+v to %+v", ch.Before, ch.After)
				}
			}
			if tc.check != nil {
				tc.check(t, c, ch)
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fill adds parts until the list holds n.
func fillParticipants(n int) func(c *Conference) {
	return func(c *Conference) {
		for i := len(c.Participants); i < n; i++ {
			c.Participants = append(c.Participants, Participant{ID: fmt.Sprintf("00000000-0000-4000-8001-%012d", i), ParticipantFields: parent("Other", "other_family", "")})
		}
	}
}

func fillContacts(n int) func(c *Conference) {
	return func(c *Conference) {
		p := &c.Participants[0]
		for i := len(p.Contacts); i < n; i++ {
			p.Contacts = append(p.Contacts, Contact{ID: fmt.Sprintf("00000000-0000-4000-8002-%012d", i), With: "chair", On: &yesterday, Method: "phone"})
		}
	}
}

func fillReports(n int) func(c *Conference) {
	return func(c *Conference) {
		for i := len(c.Reports); i < n; i++ {
			c.Reports = append(c.Reports, Report{ID: fmt.Sprintf("00000000-0000-4000-8003-%012d", i), Agency: "other", Title: "Report", Shares: []Share{}})
		}
	}
}

func fillShares(n int) func(c *Conference) {
	return func(c *Conference) {
		r := &c.Reports[0]
		for i := len(r.Shares); i < n; i++ {
			r.Shares = append(r.Shares, Share{ID: fmt.Sprintf("00000000-0000-4000-8004-%012d", i), ParticipantID: dad, SharedOn: &yesterday, Language: "pl", Format: FormatWritten})
		}
	}
}

func fillProfessionals(n int) func(c *Conference) {
	return func(c *Conference) {
		for i := len(c.Professionals); i < n; i++ {
			c.Professionals = append(c.Professionals, Professional{ID: fmt.Sprintf("00000000-0000-4000-8005-%012d", i), ProfessionalFields: ProfessionalFields{Agency: "other", Name: "Someone"}.WithDefaults()})
		}
	}
}

func TestNewConference(t *testing.T) {
	f := sampleConference().Fields()
	f.Status = ""
	c, ch, err := NewConference("id-1", f, today)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != StatusScheduled || c.Participants == nil || c.Reports == nil || c.Professionals == nil {
		t.Errorf("new conference %+v: want status scheduled and empty, not nil, parts", c)
	}
	if ch.Action != "create" || ch.Entity != "conference" || ch.EntityID != "id-1" || ch.After.(*ConferenceFields).Status != StatusScheduled {
		t.Errorf("change %+v", ch)
	}
	f.Status, f.Children = StatusPostponed, nil
	if c, _, err := NewConference("id-2", f, today); err != nil || c.Status != StatusPostponed || c.Children == nil {
		t.Errorf("a postponed conference without children: %+v, %v", c, err)
	}
	f.Children = []Child{{Ref: "C-1", Views: &ChildViews{Means: "written"}}}
	if _, _, err := NewConference("id-3", f, today); !slices.Equal(fieldsOf(t, err), []string{"children[0].views"}) {
		t.Errorf("views given with the fields: %v", err)
	}
}

func TestConferenceFieldRules(t *testing.T) {
	fields := func(change func(f *ConferenceFields)) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) {
			f := c.Fields()
			change(&f)
			return c.UpdateFields(f, today)
		}
	}
	runRules(t, []ruleCase{
		{name: "a new format", call: fields(func(f *ConferenceFields) { f.Format = "hybrid" }), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Format != "hybrid" || ch.Before.(ConferenceFields).Format != "video" || ch.After.(ConferenceFields).Format != "hybrid" {
					t.Errorf("format %s, change %+v", c.Format, ch)
				}
				if c.Children[0].Views == nil || !c.Children[1].Unborn {
					t.Errorf("children %+v: views and the unborn child must be kept", c.Children)
				}
			}},
		{name: "unchanged fields", call: fields(func(*ConferenceFields) {}), action: "update", same: true},
		{name: "status left out is scheduled", setup: func(c *Conference) { c.Status = StatusPostponed },
			call: fields(func(f *ConferenceFields) { f.Status = "" }), action: "update",
			check: func(t *testing.T, c *Conference, _ Change) {
				if c.Status != StatusScheduled {
					t.Errorf("status %s", c.Status)
				}
			}},
		{name: "a child left out takes its views", call: fields(func(f *ConferenceFields) { f.Children = f.Children[1:] }), action: "update",
			check: func(t *testing.T, c *Conference, _ Change) {
				if len(c.Children) != 1 || c.Children[0].Ref != "C-2" {
					t.Errorf("children %+v", c.Children)
				}
			}},
		{name: "a child added has no views", call: fields(func(f *ConferenceFields) { f.Children = append(f.Children, Child{Ref: "C-3"}) }), action: "update",
			check: func(t *testing.T, c *Conference, _ Change) {
				if len(c.Children) != 3 || c.Children[0].Views == nil || c.Children[2].Views != nil {
					t.Errorf("children %+v", c.Children)
				}
			}},
		{name: "views are not fields", call: fields(func(f *ConferenceFields) { f.Children[0].Views = &ChildViews{Means: "written"} }),
			kind: EINVALID, fields: []string{"children[0].views"}},
		{name: "one child too many", call: fields(func(f *ConferenceFields) {
			for i := len(f.Children); i <= MaxChildren; i++ {
				f.Children = append(f.Children, Child{Ref: fmt.Sprint("X-", i)})
			}
		}), kind: EINVALID, fields: []string{"children"}},
		{name: "a child twice", call: fields(func(f *ConferenceFields) { f.Children[1].Ref = "C-1" }), kind: EINVALID, fields: []string{"children"}},
		{name: "a pre-birth conference without an expected date", call: fields(func(f *ConferenceFields) { f.Type = TypePreBirth }),
			kind: EINVALID, fields: []string{"expected_delivery_on"}},
	})
}

func TestChildViewsRules(t *testing.T) {
	views := func(ref string, v ChildViews) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.RecordChildViews(ref, v, today); return ch, err }
	}
	runRules(t, []ruleCase{
		{name: "first views are a create", call: views("C-2", ChildViews{Means: ViewsNotApplicable, Reason: "not born yet"}), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Children[1].Views == nil || ch.Before != nil || ch.EntityID != "C-2" {
					t.Errorf("views %+v, change %+v", c.Children[1].Views, ch)
				}
			}},
		{name: "new views replace the old", call: views("C-1", ChildViews{Means: "advocate"}), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Children[0].Views.Means != "advocate" || ch.Before.(*ChildViews).Means != "written" {
					t.Errorf("views %+v, change %+v", c.Children[0].Views, ch)
				}
			}},
		{name: "the same views again", call: views("C-1", ChildViews{Means: "written", RecordedOn: &yesterday}), action: "update", same: true},
		{name: "no such child", call: views("C-9", ChildViews{Means: "written"}), kind: ENOTFOUND},
		{name: "not applicable without a reason", call: views("C-2", ChildViews{Means: ViewsNotApplicable}), kind: EINVALID, fields: []string{"reason"}},
		{name: "shared before recorded", call: views("C-1", ChildViews{Means: "written", SharedOn: &yesterday}), kind: EINVALID, fields: []string{"recorded_on"}},
	})
}

func TestParticipantRules(t *testing.T) {
	add := func(id string, f ParticipantFields) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.AddParticipant(id, f, today); return ch, err }
	}
	update := func(id string, change func(f *ParticipantFields)) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) {
			f := c.Participant(mum).ParticipantFields
			if p := c.Participant(id); p != nil {
				f = p.ParticipantFields
			}
			change(&f)
			_, ch, err := c.UpdateParticipant(id, f, today)
			return ch, err
		}
	}
	tomorrow := today.AddDays(1)
	runRules(t, []ruleCase{
		{name: "add", call: add(newID, parent("Gran", "grandparent", "P-3")), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				p := c.Participant(newID)
				if p == nil || p.Needs == nil || p.Contacts == nil || len(p.Needs)+len(p.Contacts) != 0 {
					t.Fatalf("added %+v: want empty, not nil, needs and contacts", p)
				}
				if ch.Entity != "participant" || ch.EntityID != newID || ch.After.(*ParticipantFields).DisplayName != "Gran" || ch.Before != nil {
					t.Errorf("change %+v", ch)
				}
			}},
		{name: "add at the limit less one", setup: fillParticipants(MaxParticipants - 1), call: add(newID, parent("Gran", "grandparent", "")), action: "create",
			check: func(t *testing.T, c *Conference, _ Change) {
				if len(c.Participants) != MaxParticipants {
					t.Errorf("%d participants", len(c.Participants))
				}
			}},
		{name: "add at the limit", setup: fillParticipants(MaxParticipants), call: add(newID, parent("Gran", "grandparent", "")), kind: EINVALID, fields: []string{}},
		{name: "add a person_ref already used", call: add(newID, parent("Gran", "grandparent", "P-2")), kind: EINVALID, fields: []string{"person_ref"}},
		{name: "add two without a person_ref", setup: func(c *Conference) { c.Participants[1].PersonRef = "" },
			call: add(newID, parent("Gran", "grandparent", "")), action: "create"},
		{name: "add an id already used", call: add(dad, parent("Gran", "grandparent", "")), kind: EINVALID, fields: []string{"id"}},
		{name: "add without an id", call: add("", parent("Gran", "grandparent", "")), kind: EINVALID, fields: []string{"id"}},
		{name: "add without a name", call: add(newID, parent("", "grandparent", "")), kind: EINVALID, fields: []string{"display_name"}},
		{name: "add with needs assessed tomorrow", call: add(newID, func() ParticipantFields {
			f := parent("Gran", "grandparent", "")
			f.NeedsAssessedOn = &tomorrow
			return f
		}()), kind: EINVALID, fields: []string{"needs_assessed_on"}},
		{name: "add with an empty exclusion keeps none", call: add(newID, func() ParticipantFields {
			f := parent("Gran", "grandparent", "")
			f.Exclusion = &Exclusion{}
			return f
		}()), action: "create",
			check: func(t *testing.T, c *Conference, _ Change) {
				if c.Participant(newID).Exclusion != nil {
					t.Error("an empty exclusion was kept")
				}
			}},

		{name: "update", call: update(mum, func(f *ParticipantFields) { f.Attendance = AttendancePhone }), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				p := c.Participant(mum)
				if p.Attendance != AttendancePhone || len(p.Needs) != 1 || len(p.Contacts) != 1 {
					t.Errorf("updated %+v: needs and contacts must stay", p)
				}
				if ch.Before.(*ParticipantFields).Attendance != AttendanceVideo || ch.After.(*ParticipantFields).Attendance != AttendancePhone {
					t.Errorf("change %+v", ch)
				}
			}},
		{name: "update with nothing new", call: update(mum, func(*ParticipantFields) {}), action: "update", same: true},
		{name: "update with an empty exclusion", call: update(mum, func(f *ParticipantFields) { f.Exclusion = &Exclusion{} }), action: "update", same: true},
		{name: "update to another's person_ref", call: update(dad, func(f *ParticipantFields) { f.PersonRef = "P-1" }), kind: EINVALID, fields: []string{"person_ref"}},
		{name: "update keeping one's own person_ref", call: update(dad, func(f *ParticipantFields) { f.DisplayName = "Father" }), action: "update"},
		{name: "update somebody else", call: update(noSuchPart, func(*ParticipantFields) {}), kind: ENOTFOUND},
		{name: "update to an unknown relationship", call: update(mum, func(f *ParticipantFields) { f.Relationship = "landlord" }), kind: EINVALID, fields: []string{"relationship"}},
		{name: "update to no arrangement without a note", call: update(mum, func(f *ParticipantFields) {
			f.Safety = &Safety{Concern: "domestic_abuse", Arrangement: "none_needed"}
		}), kind: EINVALID, fields: []string{"safety.note"}},

		{name: "remove takes their shares", call: func(c *Conference) (Change, error) { return c.RemoveParticipant(mum) }, action: "delete",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Participant(mum) != nil || len(c.Participants) != 1 || len(c.Reports[0].Shares) != 0 {
					t.Errorf("after removal: %d participants, %d shares", len(c.Participants), len(c.Reports[0].Shares))
				}
				before := jsonOf(t, ch.Before)
				for _, want := range []string{`"display_name":"Mum"`, `"kind":"childcare"`, `"id":"` + contactID + `"`, `"report_id":"` + reportID + `"`} {
					if !strings.Contains(before, want) {
						t.Errorf("the removal's record %s lacks %s", before, want)
					}
				}
			}},
		{name: "remove keeps others' shares", setup: fillShares(3), call: func(c *Conference) (Change, error) { return c.RemoveParticipant(mum) }, action: "delete",
			check: func(t *testing.T, c *Conference, _ Change) {
				if len(c.Reports[0].Shares) != 2 {
					t.Errorf("%d shares left, want dad's 2", len(c.Reports[0].Shares))
				}
			}},
		{name: "remove somebody else", call: func(c *Conference) (Change, error) { return c.RemoveParticipant(noSuchPart) }, kind: ENOTFOUND},
	})
}

func TestNeedRules(t *testing.T) {
	put := func(pid string, n Need) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { return c.PutNeed(pid, n) }
	}
	remove := func(pid, kind string) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { return c.RemoveNeed(pid, kind) }
	}
	runRules(t, []ruleCase{
		{name: "a new need is a create", call: put(dad, Need{Kind: "transport", Status: NeedArranged}), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Participant(dad).Need("transport") == nil || ch.EntityID != dad+"/transport" || ch.Before != nil {
					t.Errorf("needs %+v, change %+v", c.Participant(dad).Needs, ch)
				}
			}},
		{name: "a need again replaces it", call: put(mum, Need{Kind: "childcare", Status: NeedArranged}), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				p := c.Participant(mum)
				if len(p.Needs) != 1 || p.Needs[0].Status != NeedArranged || ch.Before.(Need).Status != NeedIdentified {
					t.Errorf("needs %+v, change %+v", p.Needs, ch)
				}
			}},
		{name: "the same need again", call: put(mum, Need{Kind: "childcare", Status: NeedIdentified}), action: "update", same: true},
		{name: "an unknown kind", call: put(mum, Need{Kind: "jetpack", Status: NeedArranged}), kind: EINVALID, fields: []string{"kind"}},
		{name: "a language need without its language", call: put(mum, Need{Kind: NeedLanguage, Status: NeedIdentified}), kind: EINVALID, fields: []string{"language"}},
		{name: "an arranged language need without an interpreter", call: put(mum, Need{Kind: NeedLanguage, Status: NeedArranged, Language: "pl"}), kind: EINVALID, fields: []string{"interpreter"}},
		{name: "an interpreter for transport", call: put(mum, Need{Kind: "transport", Status: NeedArranged, Interpreter: InterpreterProfessional}), kind: EINVALID, fields: []string{"interpreter"}},
		{name: "a need for nobody", call: put(noSuchPart, Need{Kind: "transport", Status: NeedArranged}), kind: ENOTFOUND},
		{name: "remove", call: remove(mum, "childcare"), action: "delete",
			check: func(t *testing.T, c *Conference, ch Change) {
				if len(c.Participant(mum).Needs) != 0 || ch.Before.(Need).Kind != "childcare" {
					t.Errorf("needs %+v, change %+v", c.Participant(mum).Needs, ch)
				}
			}},
		{name: "remove a need not set", call: remove(mum, "transport"), kind: ENOTFOUND},
		{name: "remove from nobody", call: remove(noSuchPart, "childcare"), kind: ENOTFOUND},
	})
}

func TestNeedSetKind(t *testing.T) {
	for _, tc := range []struct {
		name, kind string
		need       Need
		fields     []string
	}{
		{"the address gives the kind", "transport", Need{Status: NeedArranged}, nil},
		{"the body agrees", "transport", Need{Kind: "transport", Status: NeedArranged}, nil},
		{"the body disagrees", "transport", Need{Kind: "childcare", Status: NeedArranged}, []string{"kind"}},
		{"an unknown kind is answered alone", "jetpack", Need{Status: "maybe", Interpreter: "x"}, []string{"kind"}},
		{"then the need is checked", "transport", Need{Status: "maybe"}, []string{"status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.need
			err := n.SetKind(tc.kind)
			if tc.fields == nil {
				if err != nil || n.Kind != tc.kind {
					t.Fatalf("kind %q, error %v", n.Kind, err)
				}
				return
			}
			if got := fieldsOf(t, err); !slices.Equal(got, tc.fields) {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
		})
	}
}

func TestContactRules(t *testing.T) {
	add := func(pid string, k Contact) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.AddContact(pid, k, today); return ch, err }
	}
	chat := Contact{ID: newID, With: "chair", On: &today, Method: "video"}
	tomorrow := today.AddDays(1)
	runRules(t, []ruleCase{
		{name: "add", call: add(dad, chat), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				if len(c.Participant(dad).Contacts) != 1 || ch.EntityID != newID || ch.After.(Contact).With != "chair" {
					t.Errorf("contacts %+v, change %+v", c.Participant(dad).Contacts, ch)
				}
			}},
		{name: "add at the limit less one", setup: fillContacts(MaxContacts - 1), call: add(mum, chat), action: "create"},
		{name: "add at the limit", setup: fillContacts(MaxContacts), call: add(mum, chat), kind: EINVALID, fields: []string{}},
		{name: "add tomorrow's", call: add(dad, Contact{ID: newID, With: "chair", On: &tomorrow, Method: "video"}), kind: EINVALID, fields: []string{"on"}},
		{name: "add without a date or a way", call: add(dad, Contact{ID: newID, With: "neighbour"}), kind: EINVALID, fields: []string{"with", "on", "method"}},
		{name: "add with an id already used", call: add(mum, Contact{ID: contactID, With: "chair", On: &today, Method: "video"}), kind: EINVALID, fields: []string{"id"}},
		{name: "add to nobody", call: add(noSuchPart, chat), kind: ENOTFOUND},
	})
}

func TestReportRules(t *testing.T) {
	add := func(id string, f ReportFields) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.AddReport(id, f, today); return ch, err }
	}
	update := func(id string, change func(f *ReportFields)) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) {
			f := ReportFields{}
			if r := c.Report(id); r != nil {
				f = r.Fields()
			}
			change(&f)
			_, ch, err := c.UpdateReport(id, f, today)
			return ch, err
		}
	}
	school := ReportFields{Agency: "education", Title: "School report"}
	tomorrow := today.AddDays(1)
	runRules(t, []ruleCase{
		{name: "add", call: add(newID, school), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				r := c.Report(newID)
				if r == nil || r.Shares == nil || len(r.Shares) != 0 || r.Title != "School report" || ch.After.(ReportFields) != school {
					t.Errorf("added %+v, change %+v", r, ch)
				}
			}},
		{name: "add at the limit less one", setup: fillReports(MaxReports - 1), call: add(newID, school), action: "create"},
		{name: "add at the limit", setup: fillReports(MaxReports), call: add(newID, school), kind: EINVALID, fields: []string{}},
		{name: "add without a title, from nowhere", call: add(newID, ReportFields{Agency: "council"}), kind: EINVALID, fields: []string{"agency", "title"}},
		{name: "add received tomorrow", call: add(newID, ReportFields{Agency: "police", Title: "Police", ReceivedOn: &tomorrow}), kind: EINVALID, fields: []string{"received_on"}},
		{name: "add with an id already used", call: add(reportID, school), kind: EINVALID, fields: []string{"id"}},
		{name: "update keeps the shares", call: update(reportID, func(f *ReportFields) { f.SharedWithChairOn = &today }), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				r := c.Report(reportID)
				if r.SharedWithChairOn == nil || len(r.Shares) != 1 || ch.Before.(ReportFields).SharedWithChairOn != nil {
					t.Errorf("updated %+v, change %+v", r, ch)
				}
			}},
		{name: "update with nothing new", call: update(reportID, func(*ReportFields) {}), action: "update", same: true},
		{name: "update to shared with the chair tomorrow", call: update(reportID, func(f *ReportFields) { f.SharedWithChairOn = &tomorrow }), kind: EINVALID, fields: []string{"shared_with_chair_on"}},
		{name: "update another", call: update(noSuchPart, func(f *ReportFields) { *f = school }), kind: ENOTFOUND},
	})
}

func TestShareRules(t *testing.T) {
	add := func(rid string, s Share) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.AddShare(rid, s, today); return ch, err }
	}
	shared := Share{ID: newID, ParticipantID: dad, SharedOn: &today}
	runRules(t, []ruleCase{
		{name: "shared, in English and writing by default", call: add(reportID, shared), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				got := c.Report(reportID).Shares[1]
				if got.Language != "en" || got.Format != FormatWritten || ch.After.(Share) != got {
					t.Errorf("share %+v, change %+v", got, ch)
				}
			}},
		{name: "withheld, without defaults", call: add(reportID, Share{ID: newID, ParticipantID: dad, Withheld: true, Reason: "risk"}), action: "create",
			check: func(t *testing.T, c *Conference, _ Change) {
				if got := c.Report(reportID).Shares[1]; got.Language != "" || got.Format != "" {
					t.Errorf("withheld share %+v", got)
				}
			}},
		{name: "to somebody not in the conference", call: add(reportID, Share{ID: newID, ParticipantID: noSuchPart, SharedOn: &today}), kind: EINVALID, fields: []string{"participant_id"}},
		{name: "of another report", call: add(noSuchPart, shared), kind: ENOTFOUND},
		{name: "at the limit less one", setup: fillShares(MaxShares - 1), call: add(reportID, shared), action: "create"},
		{name: "at the limit", setup: fillShares(MaxShares), call: add(reportID, shared), kind: EINVALID, fields: []string{}},
		{name: "withheld without a reason", call: add(reportID, Share{ID: newID, ParticipantID: dad, Withheld: true}), kind: EINVALID, fields: []string{"reason"}},
		{name: "neither shared nor withheld", call: add(reportID, Share{ID: newID, ParticipantID: dad}), kind: EINVALID, fields: []string{"shared_on"}},
		{name: "in another format without a note", call: add(reportID, Share{ID: newID, ParticipantID: dad, SharedOn: &today, Format: FormatOther}), kind: EINVALID, fields: []string{"format_note"}},
		{name: "with an id already used", call: add(reportID, Share{ID: shareID, ParticipantID: dad, SharedOn: &today}), kind: EINVALID, fields: []string{"id"}},
	})
}

func TestProfessionalRules(t *testing.T) {
	add := func(id string, f ProfessionalFields) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) { _, ch, err := c.AddProfessional(id, f); return ch, err }
	}
	update := func(id string, change func(f *ProfessionalFields)) func(c *Conference) (Change, error) {
		return func(c *Conference) (Change, error) {
			f := ProfessionalFields{}
			if p := c.Professional(id); p != nil {
				f = p.ProfessionalFields
			}
			change(&f)
			_, ch, err := c.UpdateProfessional(id, f)
			return ch, err
		}
	}
	nurse := ProfessionalFields{Agency: "health", Name: "Nurse"}
	runRules(t, []ruleCase{
		{name: "add, invited and expected to report by default", call: add(newID, nurse), action: "create",
			check: func(t *testing.T, c *Conference, ch Change) {
				p := c.Professional(newID)
				if p.Attendance != ProfessionalInvited || !p.ExpectsReport() || ch.After.(*ProfessionalFields).Attendance != ProfessionalInvited {
					t.Errorf("added %+v, change %+v", p, ch)
				}
			}},
		{name: "add at the limit less one", setup: fillProfessionals(MaxProfessionals - 1), call: add(newID, nurse), action: "create"},
		{name: "add at the limit", setup: fillProfessionals(MaxProfessionals), call: add(newID, nurse), kind: EINVALID, fields: []string{}},
		{name: "add with an unknown attendance", call: add(newID, ProfessionalFields{Agency: "health", Name: "Nurse", Attendance: "maybe"}), kind: EINVALID, fields: []string{"attendance"}},
		{name: "add with an id already used", call: add(profID, nurse), kind: EINVALID, fields: []string{"id"}},
		{name: "update", call: update(profID, func(f *ProfessionalFields) { f.Attendance = ProfessionalDeclined }), action: "update",
			check: func(t *testing.T, c *Conference, ch Change) {
				if c.Professional(profID).Attendance != ProfessionalDeclined || ch.Before.(*ProfessionalFields).Attendance != ProfessionalInvited {
					t.Errorf("updated %+v, change %+v", c.Professional(profID), ch)
				}
			}},
		{name: "update with defaults left out", call: update(profID, func(f *ProfessionalFields) { f.Attendance, f.ReportExpected = "", nil }), action: "update", same: true},
		{name: "update another", call: update(noSuchPart, func(f *ProfessionalFields) { *f = nurse }), kind: ENOTFOUND},
		{name: "remove", call: func(c *Conference) (Change, error) { return c.RemoveProfessional(profID) }, action: "delete",
			check: func(t *testing.T, c *Conference, ch Change) {
				if len(c.Professionals) != 0 || ch.Before.(*ProfessionalFields).Name != "Officer" {
					t.Errorf("professionals %+v, change %+v", c.Professionals, ch)
				}
			}},
		{name: "remove another", call: func(c *Conference) (Change, error) { return c.RemoveProfessional(noSuchPart) }, kind: ENOTFOUND},
	})
}
