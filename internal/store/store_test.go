package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

var caseSystem = domain.Principal{Kind: domain.PrincipalKey, ID: "key-1", Name: "case system", Role: domain.RoleCaseSystem, Org: "E09000006"}

// mustPopulate writes a conference with one of everything and returns it.
func mustPopulate(t *testing.T, db *store.DB, ref string, start time.Time, status domain.ConferenceStatus) *domain.Conference {
	t.Helper()
	ctx := context.Background()
	yes := true
	past := domain.NewDate(2026, 11, 20)
	c, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{
		ExternalRef: ref, Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start}, Format: "video", Status: status,
		Chair: &domain.Person{Ref: "CH", Name: "Chair Name"}, Children: []domain.Child{{Ref: "C-1", Name: "Child Name"}, {Ref: "C-2", Unborn: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err = db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Parent Name", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo,
			NeedsAssessedOn: &past, Safety: &domain.Safety{Concern: "domestic_abuse", Arrangement: "separate_attendance", Note: "Safety note"},
			ParentalResponsibility: true, InformedOn: &past, AdvocacyOfferedOn: &past,
		}, Needs: []domain.Need{{Kind: "language", Status: "arranged", Language: "pl", Interpreter: "professional", Detail: "Need detail"}},
			Contacts: []domain.Contact{{ID: uuid.NewString(), With: "chair", On: &past, Method: "phone"}}}
		c.Participants = append(c.Participants, p)
		c.Reports = append(c.Reports, domain.Report{ID: uuid.NewString(), Agency: "social_care", Title: "Report title", SharedWithChairOn: &past,
			Shares: []domain.Share{{ID: uuid.NewString(), ParticipantID: p.ID, Withheld: true, Reason: "Withheld reason", ChairAgreedOn: &past},
				{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: &past, Language: "pl", Format: "other", FormatNote: "Format note"}}})
		c.Children[0].Views = &domain.ChildViews{Means: "written", RecordedOn: &past}
		c.Children[1].Views = &domain.ChildViews{Means: "not_applicable", Reason: "Views reason"}
		no := false
		c.Professionals = append(c.Professionals, domain.Professional{ID: uuid.NewString(), ProfessionalFields: domain.ProfessionalFields{
			Agency: "police", Role: "Professional role", Name: "Professional Name", Attendance: "confirmed", ReportExpected: &no}})
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]string{"populated": "yes"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAggregateRoundTrip(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	c := mustPopulate(t, db, "RT-1", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	got, err := db.Conference(context.Background(), caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Fatalf("the aggregate changed on the way through the database:\nwrote %s\nread  %s", a, b)
	}
	if got.Version != 2 || got.Readiness.Status != domain.NotReady {
		t.Fatalf("version %d readiness %+v", got.Version, got.Readiness)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	mustPopulate(t, db, "AUD-1", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit rows: %d %v, want 2", n, err)
	}
	for _, stmt := range []string{"UPDATE audit_events SET actor_name = 'someone else'", "DELETE FROM audit_events"} {
		if _, err := sqlDB.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", stmt, err)
		}
	}
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit rows after tampering: %d %v", n, err)
	}
}

// TestPurge strips names and free text from long-past conferences and keeps
// their structure, readiness and history.
func TestPurge(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	old := mustPopulate(t, db, "OLD-1", time.Date(2025, 1, 10, 10, 0, 0, 0, time.UTC), domain.StatusHeld)
	cancelled := mustPopulate(t, db, "OLD-2", time.Date(2025, 2, 10, 10, 0, 0, 0, time.UTC), domain.StatusCancelled)
	recent := mustPopulate(t, db, "NEW-1", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), domain.StatusHeld)
	stale := mustPopulate(t, db, "OLD-3", time.Date(2025, 1, 12, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	upcoming := mustPopulate(t, db, "NEW-2", time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	ctx := context.Background()
	chair := domain.Principal{ID: "chair", Role: domain.RoleChair, Org: caseSystem.Org}
	if _, err := db.AddReadinessCheck(ctx, chair, old.ID, domain.ReadinessCheck{Decision: "proceed", Note: "Chair note about the family"}); err != nil {
		t.Fatal(err)
	}
	before, _ := db.History(ctx, caseSystem, old.ID, store.HistoryPage{Limit: 100})
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))

	n, err := db.Purge(ctx, 365*24*time.Hour)
	if err != nil || n != 3 {
		t.Fatalf("purged %d (%v), want 3", n, err)
	}
	for _, c := range []*domain.Conference{old, cancelled, stale} {
		raw, err := db.AggregateJSON(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Parent Name", "Chair Name", "Child Name", "Safety note", "Need detail", "Report title", "Withheld reason",
			"Format note", "Views reason", "Professional Name", "Professional role"} {
			if strings.Contains(string(raw), s) {
				t.Errorf("%s still holds %q after the purge", c.ExternalRef, s)
			}
		}
		got, _ := db.Conference(ctx, caseSystem, c.ID)
		if got.PurgedAt == nil || len(got.Participants) != 1 || len(got.Reports) != 1 || got.Readiness.Status != c.Readiness.Status || got.Readiness.Blockers != c.Readiness.Blockers || got.Readiness.DueOn.String() != c.Readiness.DueOn.String() || got.Version != c.Version+1 {
			t.Errorf("%s after purge: purged_at %v, %d participants, %d reports, readiness %+v (was %+v), version %d",
				c.ExternalRef, got.PurgedAt, len(got.Participants), len(got.Reports), got.Readiness, c.Readiness, got.Version)
		}
	}
	checks, err := db.ReadinessChecks(ctx, chair, old.ID)
	if err != nil || len(checks) != 1 || checks[0].Note != "" || checks[0].Decision != "proceed" {
		t.Fatalf("readiness checks after the purge: %+v %v", checks, err)
	}
	for _, c := range []*domain.Conference{recent, upcoming} {
		raw, _ := db.AggregateJSON(ctx, c.ID)
		if !strings.Contains(string(raw), "Parent Name") {
			t.Errorf("%s was purged but should not have been", c.ExternalRef)
		}
	}
	after, _ := db.History(ctx, caseSystem, old.ID, store.HistoryPage{Limit: 100})
	if len(after) <= len(before) {
		t.Fatalf("history shrank or the purge was not audited: %d then %d rows", len(before), len(after))
	}
	var purge bool
	for _, ev := range after {
		purge = purge || (ev.Actor.ID == store.Purger.ID && ev.Action == "update")
		raw, _ := json.Marshal(ev)
		if strings.Contains(string(raw), "Parent Name") {
			t.Errorf("the audit trail holds a name: %s", raw)
		}
	}
	if !purge {
		t.Fatal("no audit row records the purge")
	}
	if n, err := db.Purge(ctx, 365*24*time.Hour); err != nil || n != 0 {
		t.Fatalf("a second purge purged %d (%v), want 0", n, err)
	}
}

// TestCopySQLiteToPostgres copies a populated SQLite database to
// PostgreSQL, checks every aggregate and audit row is equal, and that a
// rerun changes nothing.
func TestCopySQLiteToPostgres(t *testing.T) {
	pgURL := storetest.PostgresSchemaURL(t)
	src, _ := storetest.MustOpenURL(t, filepath.Join(t.TempDir(), "src.db"))
	ctx := context.Background()
	admin := domain.Principal{ID: "admin", Role: domain.RoleAdmin, Org: "E09000006"}
	if _, err := src.CreateWebhook(ctx, admin, domain.WebhookFields{URL: "https://receiver.example.org/", EventTypes: []string{domain.EventConferenceCreated}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, ref := range []string{"CP-1", "CP-2", "CP-3"} {
		c := mustPopulate(t, src, ref, time.Date(2026, 12, 7+i, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
		ids = append(ids, c.ID)
		if _, err := src.Conference(ctx, caseSystem, c.ID); err != nil { // a read row too
			t.Fatal(err)
		}
	}
	if _, err := src.CreateAPIKey(ctx, "E09000006", domain.RoleChair, "chair key", strings.Repeat("a", 64)); err != nil {
		t.Fatal(err)
	}
	pol := domain.DefaultPolicy()
	pol.ReportDays.Initial = 4
	if _, err := src.SetPolicy(ctx, domain.Principal{ID: "admin", Role: domain.RoleAdmin, Org: "E09000006"}, pol, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := src.AddReadinessCheck(ctx, domain.Principal{ID: "chair", Role: domain.RoleChair, Org: "E09000006"}, ids[0], domain.ReadinessCheck{Decision: "postpone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.FanOut(ctx); err != nil {
		t.Fatal(err)
	}
	dst, _ := storetest.MustOpenURL(t, pgURL)
	rep, err := src.CopyTo(ctx, dst)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if rep.Conferences != 3 || rep.Tables["audit_events"][1] == 0 || rep.Tables["api_keys"][1] != 1 ||
		rep.Tables["events"][1] == 0 || rep.Tables["webhook_deliveries"][1] != 3 || rep.Tables["event_counters"][1] != 1 {
		t.Fatalf("report: %+v", rep)
	}
	srcFeed, _ := src.Events(ctx, caseSystem, 0, store.MaxEventPage)
	dstFeed, _ := dst.Events(ctx, caseSystem, 0, store.MaxEventPage)
	if a, b := fmt.Sprint(srcFeed), fmt.Sprint(dstFeed); a != b || len(srcFeed) == 0 {
		t.Fatalf("the feed differs after the copy:\nsqlite   %s\npostgres %s", a, b)
	}
	histories := func(db *store.DB) string {
		var all []any
		for _, id := range ids {
			evs, err := db.History(ctx, caseSystem, id, store.HistoryPage{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, evs)
		}
		b, _ := json.Marshal(all)
		return string(b)
	}
	// Reading history appends read rows, so compare before either side
	// reads, then copy again: the rerun must still verify.
	want, got := histories(src), histories(dst)
	if want != got {
		t.Fatalf("the audit trail differs after the copy:\nsqlite   %s\npostgres %s", want, got)
	}
	rep2, err := src.CopyTo(ctx, dst)
	if err != nil || rep2.Conferences != 3 {
		t.Fatalf("rerun: %+v %v", rep2, err)
	}
	for _, id := range ids {
		a, _ := src.AggregateJSON(ctx, id)
		b, _ := dst.AggregateJSON(ctx, id)
		if string(a) != string(b) {
			t.Fatalf("aggregate %s differs after the rerun", id)
		}
	}
	// The copy is usable: new audit rows get fresh ids after the copied ones.
	if _, err := dst.Conference(ctx, caseSystem, ids[0]); err != nil {
		t.Fatalf("read on the copy: %v", err)
	}
	// Once the target has data of its own, copying into it is refused.
	mustPopulate(t, dst, "PG-ONLY", time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	if _, err := src.CopyTo(ctx, dst); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("copy into a target with its own data: %v, want a refusal", err)
	}
}

// TestSyncReadinessReevaluatesWhenHolidaysChange configures a new one-off
// bank holiday and checks the stored deadline moves without any write.
func TestSyncReadinessReevaluatesWhenHolidaysChange(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	if changed, err := db.SyncReadiness(ctx, workdays.New(nil).Fingerprint()); err != nil || !changed {
		t.Fatalf("first sync: %v %v", changed, err)
	}
	c := mustPopulate(t, db, "CAL-1", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	c, err := db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		c.Reports = append(c.Reports, domain.Report{ID: uuid.NewString(), Agency: "health", Title: "Unshared"})
		return domain.Change{Action: "create", Entity: "report", EntityID: "r", After: map[string]string{"agency": "health"}}, nil
	})
	if err != nil || c.Readiness.DueOn.String() != "2026-12-02" {
		t.Fatalf("due %v, %v; want 2026-12-02", c.Readiness.DueOn, err)
	}
	cal := workdays.New([]domain.Date{domain.NewDate(2026, 12, 3)})
	db.Evaluate = readiness.Evaluator(clock.Now, cal)
	if changed, err := db.SyncReadiness(ctx, cal.Fingerprint()); err != nil || !changed {
		t.Fatalf("sync after the change: %v %v", changed, err)
	}
	got, err := db.Conference(ctx, caseSystem, c.ID)
	if err != nil || got.Readiness.DueOn.String() != "2026-12-01" || got.Version != c.Version {
		t.Fatalf("after sync: due %v version %d (was %d), %v; want 2026-12-01 and no new version", got.Readiness.DueOn, got.Version, c.Version, err)
	}
	if changed, err := db.SyncReadiness(ctx, cal.Fingerprint()); err != nil || changed {
		t.Fatalf("a second sync with the same calendar re-evaluated: %v %v", changed, err)
	}
}

// TestIdempotencyRecordsExpire checks a purge run drops stored responses
// once they are past the retry window, and keeps recent ones.
func TestIdempotencyRecordsExpire(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	start := clock.Now()
	p := caseSystem
	if _, err := db.BeginIdempotent(ctx, p, "old", "h1"); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishIdempotent(ctx, p, "old", store.StoredResponse{Status: 201, Body: []byte(`{"name":"Parent Name"}`)}); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(23 * time.Hour))
	if _, err := db.BeginIdempotent(ctx, p, "new", "h2"); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(25 * time.Hour))
	if _, err := db.Purge(ctx, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	// The old key is gone, so it may be used afresh for another request;
	// the recent one is kept, so another request under it is refused.
	if replay, err := db.BeginIdempotent(ctx, p, "old", "other-hash"); err != nil || replay != nil {
		t.Fatalf("expired key: replay %v, %v; want a fresh claim", replay, err)
	}
	if _, err := db.BeginIdempotent(ctx, p, "new", "other-hash"); domain.ErrorKind(err) != domain.EINVALID {
		t.Fatalf("recent key reused for another request: %v, want refused", err)
	}
}

// TestInstancesStartingTogetherMigrateOnce migrates one fresh PostgreSQL
// schema from four instances at once: goose's advisory lock lets one apply
// each migration, and the others find nothing to do.
func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	url := storetest.PostgresSchemaURL(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		db, err := store.Open(store.Config{URL: url, MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		go func() { errs <- db.Migrate(context.Background()) }()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	db, _ := storetest.MustOpenURL(t, url)
	sqlDB, _ := db.SQL()
	var applied, distinct int
	if err := sqlDB.QueryRow("SELECT COUNT(*), COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	status, err := db.MigrationStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := len(status); want < 3 || applied != want || distinct != want {
		t.Fatalf("goose recorded %d applications of %d migrations, want each of %d once", applied, distinct, want)
	}
}
