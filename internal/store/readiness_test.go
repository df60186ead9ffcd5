package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

// TestReadinessJSONIsTheResultMarshalled holds the readiness answer the
// store writes from stored findings to the bytes json.Marshal gives for
// the same result: over 200 generated conferences, read on days before,
// around and after their deadlines, so that answers with and without
// overdue findings both come up, and while a re-evaluation has yet to
// reach them.
func TestReadinessJSONIsTheResultMarshalled(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.SyncReadiness(ctx, readiness.Fingerprint(workdays.New(nil).Fingerprint())); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 2026))
	base := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 200 {
		c, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{
			ExternalRef: fmt.Sprintf("JSON-%d", i), Type: pickOf(r, []domain.ConferenceType{domain.TypeInitial, domain.TypeReview}),
			ScheduledStart: domain.Timestamp{Time: base.AddDate(0, 0, r.IntN(60))}, Format: "hybrid",
			Children: []domain.Child{{Ref: "C-1", Name: "Child <&> \"quoted\""}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
			randomise(r, c)
			return change(c), nil
		}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	compare := func(when string) (overdue, plain int) {
		for _, id := range ids {
			got, gotVersion, err := db.ReadinessJSON(ctx, caseSystem, id)
			if err != nil {
				t.Fatal(err)
			}
			result, version, err := db.Readiness(ctx, caseSystem, id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(result)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || gotVersion != version {
				t.Fatalf("%s, conference %s: the store wrote\n%s (version %d)\nwant\n%s (version %d)", when, id, got, gotVersion, want, version)
			}
			if bytes.Contains(want, []byte(`"overdue":true`)) {
				overdue++
			} else {
				plain++
			}
		}
		return overdue, plain
	}
	var overdue, plain int
	for _, day := range []time.Time{base.AddDate(0, 0, -10), base.AddDate(0, 0, 30), base.AddDate(0, 0, 90)} {
		clock.Set(day)
		o, p := compare(day.Format(time.DateOnly))
		overdue, plain = overdue+o, plain+p
	}
	if overdue == 0 || plain == 0 {
		t.Fatalf("%d answers with an overdue finding and %d without: the test needs both", overdue, plain)
	}
	// A new calendar leaves every stored answer to be re-evaluated: each
	// is then written from a live evaluation.
	clock.Set(base.AddDate(0, 0, 30))
	cal := workdays.New([]domain.Date{domain.DateOf(base).AddDays(20)})
	db.Evaluate = readiness.Evaluator(clock.Now, cal)
	if _, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint())); err != nil {
		t.Fatal(err)
	}
	compare("during a re-evaluation")
}
