package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

func createForUpdate(t *testing.T, db *store.DB) *domain.Conference {
	t.Helper()
	c, err := db.CreateConference(context.Background(), caseSystem, domain.ConferenceFields{
		ExternalRef: "U-1", Type: domain.TypeInitial, Format: "video",
		ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A write prepared from a snapshot that another write overtakes is done
// again from a fresh one, and after a few tries under the lock: nothing is
// lost either way.
func TestAnOvertakenUpdateIsDoneAgain(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	c := createForUpdate(t, db)
	runs := 0
	got, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		runs++
		if runs <= 3 {
			// Another writer gets in first, every time but under the lock.
			_, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
				c.Children = append(c.Children, domain.Child{Ref: "other-" + string(rune('0'+len(c.Children)))})
				return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
			})
			if err != nil {
				t.Error(err)
			}
		}
		c.Format = "hybrid"
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 4 {
		t.Errorf("the mutation ran %d times, want 3 from snapshots and 1 under the lock", runs)
	}
	stored, err := db.Conference(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != 5 || got.Version != 5 || stored.Format != "hybrid" || len(stored.Children) != 3 {
		t.Errorf("version %d (answered %d), format %s, %d children: want 5, hybrid and every other writer's child", stored.Version, got.Version, stored.Format, len(stored.Children))
	}
}

// A policy change between the snapshot and the commit makes the write
// evaluate again, under the new policy.
func TestAnUpdateEvaluatesUnderAPolicyChangedMeanwhile(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	c := createForUpdate(t, db)
	admin := domain.Principal{ID: "admin", Role: domain.RoleAdmin, Org: caseSystem.Org}
	strict := domain.DefaultPolicy()
	strict.ReportDays.Initial = 10
	recorded := domain.NewDate(2026, 11, 20)
	runs := 0
	_, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		runs++
		if runs == 1 {
			if _, err := db.SetPolicy(ctx, admin, strict, nil); err != nil {
				t.Error(err)
			}
		}
		// Views recorded and not shared: due a policy's report days before.
		c.Children = []domain.Child{{Ref: "C-1", Views: &domain.ChildViews{Means: "written", RecordedOn: &recorded}}}
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("the mutation ran %d times, want 2", runs)
	}
	stored, err := db.Conference(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := db.Policy(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	want, old := db.Evaluate(stored, pol).EarliestDueOn, db.Evaluate(stored, domain.DefaultPolicy()).EarliestDueOn
	got, _, err := db.Readiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want == nil || old == nil || *want == *old || got.EarliestDueOn == nil || *got.EarliestDueOn != *want {
		t.Errorf("stored due date %v; under the new policy %v, under the old %v", got.EarliestDueOn, want, old)
	}
}

// A conference stored before findings were kept answers readiness by live
// evaluation, and the next start's re-evaluation stores its findings.
func TestReadinessOfARowWithoutStoredFindings(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	c := createForUpdate(t, db)
	stored, _, err := db.Readiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec("UPDATE conferences SET readiness_findings = NULL WHERE id = "+placeholder(db), c.ID); err != nil {
		t.Fatal(err)
	}
	live, _, err := db.Readiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Findings) == 0 || !reflect.DeepEqual(live.Findings, stored.Findings) || live.Status != stored.Status {
		t.Errorf("live %+v, stored %+v", live, stored)
	}
	if _, err := db.SyncReadiness(ctx, "a new release"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM conferences WHERE readiness_findings IS NULL").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows still without findings after re-evaluation (%v)", n, err)
	}
}

func placeholder(db *store.DB) string {
	if db.Dialect == store.Postgres {
		return "$1"
	}
	return "?"
}

// TestAWriteReadsBackAsItWasAnswered: what an update answers, its version,
// time, parts and readiness, is what every later read of the conference
// gives, so that the row it wrote holds all of it.
func TestAWriteReadsBackAsItWasAnswered(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	c := createForUpdate(t, db)
	later := c.UpdatedAt.Add(time.Hour)
	db.Now = func() time.Time { return later }
	yes := true
	got, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		_, ch, err := c.AddParticipant("00000000-0000-4000-8000-0000000000a1", domain.ParticipantFields{
			DisplayName: "Parent", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo,
		}, domain.DateOf(later))
		return ch, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != c.Version+1 || !got.UpdatedAt.Equal(later) {
		t.Fatalf("answered version %d at %s, want %d at %s", got.Version, got.UpdatedAt, c.Version+1, later)
	}
	read, err := db.Conference(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, got) {
		t.Fatalf("read back differs from the answer:\nanswered %+v\nread     %+v", *got, *read)
	}
}
