package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// A seeded conference reads back exactly as stored, with its readiness
// evaluated, it lists by that readiness, and its history holds one create.
func TestSeedConferencesStoresWholeAggregates(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	yes := true
	past := domain.NewDate(2026, 11, 20)
	var cs []*domain.Conference
	for i := range 3 {
		p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Parent", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceInPerson, NeedsAssessedOn: &past,
		}, Needs: []domain.Need{{Kind: "childcare", Status: domain.NeedArranged}}, Contacts: []domain.Contact{}}
		if i == 0 {
			p.Needs[0].Status = domain.NeedIdentified
		}
		cs = append(cs, &domain.Conference{
			ID: uuid.NewString(),
			ConferenceFields: domain.ConferenceFields{
				ExternalRef: fmt.Sprintf("SEED-%d", i), Type: domain.TypeReview, Format: "in_person",
				ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
				Children:       []domain.Child{{Ref: "C-1"}},
			},
			Participants: []domain.Participant{p},
			Reports:      []domain.Report{},
		})
	}
	if err := db.SeedConferences(ctx, caseSystem, cs); err != nil {
		t.Fatal(err)
	}
	for _, want := range cs {
		got, err := db.Conference(ctx, caseSystem, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || got.Status != domain.StatusScheduled || got.Readiness.Status != domain.NotReady {
			t.Errorf("%s: version %d, status %s, readiness %s", want.ExternalRef, got.Version, got.Status, got.Readiness.Status)
		}
		a, _ := json.Marshal(got.Participants)
		b, _ := json.Marshal(want.Participants)
		if string(a) != string(b) {
			t.Errorf("%s participants:\n got %s\nwant %s", want.ExternalRef, a, b)
		}
		events, err := db.History(ctx, caseSystem, want.ID, store.HistoryPage{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 || events[0].Action != "create" || events[0].Entity != "conference" {
			t.Errorf("%s history starts %+v, want a conference create", want.ExternalRef, events)
		}
	}
	items, _, err := db.ListConferences(ctx, caseSystem, store.ConferenceFilter{Readiness: domain.NotReady, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("listed %d not-ready conferences, want 3", len(items))
	}
	if len(items[0].Children) != 1 {
		t.Errorf("the first is listed with %d children, want 1", len(items[0].Children))
	}
	// A list leaves out the parts no list shows.
	if len(items[0].Participants) != 0 || items[0].Readiness.Findings != nil {
		t.Errorf("the first is listed with %d family members and findings %v, want neither", len(items[0].Participants), items[0].Readiness.Findings)
	}
}

// A repeated id fails the whole batch: nothing of it is stored.
func TestSeedConferencesIsAllOrNothing(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	id := uuid.NewString()
	mk := func(ref string) *domain.Conference {
		return &domain.Conference{ID: id, ConferenceFields: domain.ConferenceFields{
			ExternalRef: ref, Type: domain.TypeInitial, Format: "video",
			ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
		}}
	}
	if err := db.SeedConferences(ctx, caseSystem, []*domain.Conference{mk("A"), mk("B")}); err == nil {
		t.Fatal("a repeated id was accepted")
	}
	if _, err := db.Conference(ctx, caseSystem, id); domain.ErrorKind(err) != domain.ENOTFOUND {
		t.Errorf("after a failed batch, reading its first conference: %v, want not found", err)
	}
}
