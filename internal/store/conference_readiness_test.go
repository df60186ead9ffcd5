package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// A page's one read of a conference and its readiness answers as the two
// separate reads do, writes one audit row, and keeps to its organisation.
func TestConferenceReadinessMatchesTheSeparateReads(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	c := mustBig(t, db)
	before := len(history(t, db, c.ID))
	got, res, err := db.ConferenceReadiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The first history read is audited too: one row for it, one for the
	// conference.
	if n := len(history(t, db, c.ID)); n != before+2 {
		t.Errorf("%d audit rows written, want 1", n-before-1)
	}
	want, err := db.Conference(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRes, _, err := db.Readiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aggregate differs:\n got %+v\nwant %+v", got, want)
	}
	res.EvaluatedAt, wantRes.EvaluatedAt = wantRes.EvaluatedAt, res.EvaluatedAt
	// The insights' measures come with a live evaluation only; the stored
	// answer has the findings alone, and the page shows only those.
	res.Measures = nil
	if !reflect.DeepEqual(res, wantRes) || len(res.Findings) == 0 {
		t.Errorf("readiness differs:\n got %+v\nwant %+v", res, wantRes)
	}
	other := domain.Principal{ID: "x", Role: domain.RoleManager, Org: "E09000007"}
	if _, _, err := db.ConferenceReadiness(ctx, other, c.ID); domain.ErrorKind(err) != domain.ENOTFOUND {
		t.Errorf("another organisation: %v", err)
	}
	if _, _, err := db.ConferenceReadiness(ctx, caseSystem, "not-a-uuid"); domain.ErrorKind(err) != domain.ENOTFOUND {
		t.Errorf("a malformed id: %v", err)
	}
}

func history(t *testing.T, db *store.DB, id string) []any {
	t.Helper()
	events, err := db.History(context.Background(), caseSystem, id, store.HistoryPage{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]any, len(events))
	for i := range events {
		out[i] = events[i]
	}
	return out
}
