package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// BenchmarkCreateConference measures one create: a write transaction with
// readiness evaluation and an audit row.
func BenchmarkCreateConference(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{
			ExternalRef: fmt.Sprintf("B-%d", i), Type: domain.TypeInitial, Format: "video",
			ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateFullConference measures a sub-resource write on a
// realistic aggregate (four family members, five reports shared with each):
// lock, load, mutate, re-evaluate, rewrite and audit.
func BenchmarkUpdateFullConference(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	ctx := context.Background()
	c := mustBig(b, db)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
			c.Participants[0].TechnologyChecked = i%2 == 0
			return domain.Change{Action: "update", Entity: "participant", EntityID: c.Participants[0].ID, After: map[string]bool{"technology_checked": i%2 == 0}}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListConferences measures one page of 50 not-ready conferences
// from a date, out of 5,000, answered from the stored readiness columns.
func BenchmarkListConferences(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	ctx := context.Background()
	for i := 0; i < 5000; i++ {
		_, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{
			ExternalRef: fmt.Sprintf("L-%d", i), Type: domain.TypeReview, Format: "hybrid",
			ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)},
			Children:       []domain.Child{{Ref: "C", Name: "Child"}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	from := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		items, _, err := db.ListConferences(ctx, caseSystem, store.ConferenceFilter{Readiness: domain.NotReady, From: &from, Limit: 50})
		if err != nil || len(items) != 50 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
}

func mustBig(tb testing.TB, db *store.DB) *domain.Conference {
	tb.Helper()
	ctx := context.Background()
	c, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{ExternalRef: "BIG", Type: domain.TypeInitial, Format: "hybrid",
		ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}, Children: []domain.Child{{Ref: "C-1"}, {Ref: "C-2"}}})
	if err != nil {
		tb.Fatal(err)
	}
	yes := true
	past := domain.NewDate(2026, 11, 20)
	c, err = db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		for i := 0; i < 4; i++ {
			c.Participants = append(c.Participants, domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
				DisplayName: "P", Relationship: "parent", Invited: &yes, Attendance: domain.AttendanceVideo, NeedsAssessedOn: &past},
				Needs:    []domain.Need{{Kind: "technology", Status: "arranged"}, {Kind: "childcare", Status: "identified"}},
				Contacts: []domain.Contact{{ID: uuid.NewString(), With: "social_worker", On: &past, Method: "phone"}}})
		}
		for i := 0; i < 5; i++ {
			r := domain.Report{ID: uuid.NewString(), Agency: "health", Title: "R"}
			for _, p := range c.Participants {
				r.Shares = append(r.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: &past, Language: "en"})
			}
			c.Reports = append(c.Reports, r)
		}
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]string{"bench": "yes"}}, nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkLoadConference measures reading a realistic aggregate (four
// family members, five reports shared with each): its one row, and the
// audit row for the read.
func BenchmarkLoadConference(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	ctx := context.Background()
	c := mustBig(b, db)
	b.ReportAllocs()
	for b.Loop() {
		got, err := db.Conference(ctx, caseSystem, c.ID)
		if err != nil || len(got.Participants) != 4 {
			b.Fatalf("%v, %d participants", err, len(got.Participants))
		}
	}
}

// BenchmarkLoadSnapshot measures the read of the same aggregate that a
// write starts from: its row, in one read transaction, with nothing
// audited or committed.
func BenchmarkLoadSnapshot(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	c := mustBig(b, db)
	b.ReportAllocs()
	for b.Loop() {
		if err := db.LoadConference(caseSystem.Org, c.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadiness measures the chair's readiness read of the same
// aggregate: one row with its stored findings, and the audit row.
func BenchmarkReadiness(b *testing.B) {
	db, _ := storetest.MustOpenDB(b)
	ctx := context.Background()
	c := mustBig(b, db)
	b.ReportAllocs()
	for b.Loop() {
		r, _, err := db.Readiness(ctx, caseSystem, c.ID)
		if err != nil || len(r.Findings) == 0 {
			b.Fatalf("%v, %d findings", err, len(r.Findings))
		}
	}
}
