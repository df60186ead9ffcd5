package domain

import (
	"reflect"
	"testing"
)

// A change to a conference announces its readiness moving only when the
// status changed or a finding's code appeared or cleared: a finding whose
// message or count changed under the same code is no move.
func TestReadinessChangedEvent(t *testing.T) {
	blocker := func(code string) Finding { return Finding{Code: code, Severity: SeverityBlocker} }
	summary := func(status string, fs ...Finding) ReadinessSummary {
		return ReadinessSummary{Status: status, Blockers: len(fs), Findings: fs}
	}
	for _, tc := range []struct {
		name          string
		prior, now    ReadinessSummary
		moved         bool
		appeared, clr []string
	}{
		{name: "nothing changed", prior: summary(NotReady, blocker("A")), now: summary(NotReady, blocker("A"))},
		{name: "the same code twice over", prior: summary(NotReady, blocker("A")), now: summary(NotReady, blocker("A"), blocker("A"))},
		{name: "a code appeared", prior: summary(NotReady, blocker("A")), now: summary(NotReady, blocker("A"), blocker("B")),
			moved: true, appeared: []string{"B"}, clr: []string{}},
		{name: "a code cleared", prior: summary(NotReady, blocker("A"), blocker("B")), now: summary(NotReady, blocker("B")),
			moved: true, appeared: []string{}, clr: []string{"A"}},
		{name: "ready now", prior: summary(NotReady, blocker("A")), now: summary(Ready),
			moved: true, appeared: []string{}, clr: []string{"A"}},
		{name: "the status alone changed", prior: summary(Ready), now: summary(NotReady),
			moved: true, appeared: []string{}, clr: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Conference{ID: newID, Version: 7, Readiness: tc.now}
			e, moved := ReadinessChangedEvent(tc.prior, c)
			if moved != tc.moved {
				t.Fatalf("moved = %v, want %v", moved, tc.moved)
			}
			if !moved {
				return
			}
			d, ok := e.Data.(ReadinessChangedData)
			if !ok || e.Type != EventConferenceReadinessChanged || e.Conference != c {
				t.Fatalf("event = %+v", e)
			}
			want := ReadinessChangedData{Version: 7, OldStatus: tc.prior.Status, NewStatus: tc.now.Status,
				Blockers: tc.now.Blockers, CodesAppeared: tc.appeared, CodesCleared: tc.clr}
			if !reflect.DeepEqual(d, want) {
				t.Fatalf("data = %+v, want %+v", d, want)
			}
		})
	}
}

// An update is always announced, and its readiness move after it when
// there is one.
func TestUpdateEvents(t *testing.T) {
	ch := Change{Action: "update", Entity: "need"}
	for _, tc := range []struct {
		name  string
		prior string
		types []string
	}{
		{name: "readiness as it was", prior: Ready, types: []string{EventConferenceUpdated}},
		{name: "readiness moved", prior: NotReady, types: []string{EventConferenceUpdated, EventConferenceReadinessChanged}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Conference{ID: newID, Version: 3, ConferenceFields: ConferenceFields{Status: StatusScheduled}, Readiness: ReadinessSummary{Status: Ready}}
			events := UpdateEvents(ReadinessSummary{Status: tc.prior}, c, ch)
			var types []string
			for _, e := range events {
				types = append(types, e.Type)
			}
			if !reflect.DeepEqual(types, tc.types) {
				t.Fatalf("types = %v, want %v", types, tc.types)
			}
			want := ConferenceUpdatedData{Version: 3, Status: string(StatusScheduled), Entity: "need", Action: "update"}
			if events[0].Data != want {
				t.Fatalf("data = %+v, want %+v", events[0].Data, want)
			}
		})
	}
}

// Each event carries ids, codes, dates and counts, never names or notes.
func TestEventsCarryNoPersonalData(t *testing.T) {
	due := today
	c := &Conference{ID: newID, Version: 1, ConferenceFields: ConferenceFields{ExternalRef: "CASE-1", Status: StatusScheduled},
		Participants: []Participant{{ID: mum}}, Reports: []Report{{ID: reportID}},
		Readiness: ReadinessSummary{Status: NotReady, Blockers: 1, Findings: []Finding{{Code: "B", Severity: SeverityBlocker, Message: "Jane has no interpreter"}}}}
	chk := ReadinessCheck{ID: shareID, Decision: "postpone", Note: "the family asked for a later date", Readiness: ReadinessResult{Status: NotReady, Blockers: 1}}
	events := []PendingEvent{
		CreatedEvent(c),
		CheckRecordedEvent(c, chk),
		ItemOverdueEvent(contactID, c, Finding{Code: "B", DueOn: &due, ParticipantID: mum, Message: "Jane has no interpreter"}),
	}
	want := []any{
		ConferenceCreatedData{Version: 1, Status: string(StatusScheduled), Participants: 1, Reports: 1,
			Readiness: ReadinessCounts{Status: NotReady, Blockers: 1, Codes: []string{"B"}}},
		CheckRecordedData{CheckID: shareID, Decision: "postpone", Status: NotReady, Blockers: 1},
		ItemOverdueData{Code: "B", DueOn: due, ParticipantID: mum},
	}
	for i, e := range events {
		if e.Conference != c || !reflect.DeepEqual(e.Data, want[i]) {
			t.Errorf("%s: data = %+v, want %+v", e.Type, e.Data, want[i])
		}
	}
	if events[2].ID != contactID {
		t.Errorf("the overdue event's id = %q, want the notice's", events[2].ID)
	}
}
