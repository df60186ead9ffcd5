package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var today = NewDate(2026, 11, 23)

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != EINVALID {
		t.Fatalf("error %v is not EINVALID", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestConferenceValidationNamesJSONPaths(t *testing.T) {
	tomorrow := today.AddDays(1)
	f := ConferenceFields{
		ExternalRef: strings.Repeat("x", 101), Type: "weekly", Format: "video",
		ScheduledStart: Timestamp{Time: time.Now()}, StrategyDiscussionOn: &tomorrow,
		Chair:    &Person{Ref: ""},
		Children: []Child{{Ref: "C"}, {Ref: "C"}, {Ref: "D", Views: &ChildViews{Means: "written"}}},
	}
	got := fieldsOf(t, f.Validate(today))
	want := []string{"external_ref", "type", "children", "chair.ref", "strategy_discussion_on", "children[2].views"}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing field error %q in %v", w, got)
		}
	}
}

func TestPastEventDatesMayBeTodayButNotLater(t *testing.T) {
	yes := true
	p := ParticipantFields{DisplayName: "P", Relationship: "mother", Invited: &yes, Attendance: AttendanceVideo, NeedsAssessedOn: &today}
	if err := p.Validate(today); err != nil {
		t.Fatalf("today refused: %v", err)
	}
	tomorrow := today.AddDays(1)
	p.NeedsAssessedOn = &tomorrow
	if got := fieldsOf(t, p.Validate(today)); !reflect.DeepEqual(got, []string{"needs_assessed_on"}) {
		t.Fatalf("fields %v", got)
	}
}

func TestShareNeedsADateOrAReason(t *testing.T) {
	s := Share{ParticipantID: "6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b9c"}
	if got := fieldsOf(t, s.Validate(today)); !reflect.DeepEqual(got, []string{"shared_on"}) {
		t.Fatalf("no date: %v", got)
	}
	s = Share{ParticipantID: s.ParticipantID, Withheld: true}
	if got := fieldsOf(t, s.Validate(today)); !reflect.DeepEqual(got, []string{"reason"}) {
		t.Fatalf("withheld without reason: %v", got)
	}
	s = Share{ParticipantID: s.ParticipantID, SharedOn: &today}.WithDefaults()
	if err := s.Validate(today); err != nil || s.Language != "en" {
		t.Fatalf("shared today: %v, language %q", err, s.Language)
	}
}

func TestDateJSONNamesTheField(t *testing.T) {
	var v struct {
		On *Date `json:"on"`
	}
	err := json.Unmarshal([]byte(`{"on":"23/11/2026"}`), &v)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "on" {
		t.Fatalf("error %#v does not name the field", err)
	}
	if err := json.Unmarshal([]byte(`{"on":"2026-11-23"}`), &v); err != nil || *v.On != today {
		t.Fatalf("good date: %v %v", err, v.On)
	}
}

func TestTimestampIsUTCToTheSecond(t *testing.T) {
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"2026-03-29T01:30:15.75+01:00"`), &ts); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 29, 0, 30, 15, 0, time.UTC); !ts.Equal(want) || ts.Location() != time.UTC {
		t.Fatalf("got %v, want %v", ts.Time, want)
	}
	if err := json.Unmarshal([]byte(`"2026-03-29 01:30"`), &ts); err == nil {
		t.Fatal("a timestamp without a zone was accepted")
	}
}

func TestDateOfUsesLondon(t *testing.T) {
	// 23:30 UTC on 28 June is 00:30 on 29 June in London (BST).
	if got := DateOf(time.Date(2026, 6, 28, 23, 30, 0, 0, time.UTC)); got != NewDate(2026, 6, 29) {
		t.Fatalf("got %v", got)
	}
}
