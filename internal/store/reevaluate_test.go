package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

// calendarChange is a new calendar that moves the deadlines of conferences
// on the given Mondays: a one-off bank holiday on the Friday before each.
func calendarChange(mondays ...time.Time) *workdays.Calendar {
	var extra []domain.Date
	for _, m := range mondays {
		extra = append(extra, domain.DateOf(m).AddDays(-3))
	}
	return workdays.New(extra)
}

// sensitiveConference creates a conference on start whose readiness the
// calendar changes: a parent was sent the social care report on the very
// day reports were due, so a holiday before the conference makes the
// report late (a measure changes) and moves every deadline (the due date
// changes).
func sensitiveConference(t *testing.T, db *store.DB, ref string, start time.Time, status domain.ConferenceStatus) *domain.Conference {
	t.Helper()
	ctx := context.Background()
	yes := true
	c, err := db.CreateConference(ctx, caseSystem, domain.ConferenceFields{
		ExternalRef: ref, Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start}, Format: "video", Status: status,
		Children: []domain.Child{{Ref: "C-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := db.Policy(ctx, caseSystem)
	if err != nil {
		t.Fatal(err)
	}
	due := readiness.ReportsDue(c, pol, workdays.New(nil))
	c, err = db.UpdateConference(ctx, caseSystem, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Parent", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo, ParentalResponsibility: true,
		}}
		c.Participants = append(c.Participants, p)
		c.Reports = append(c.Reports, domain.Report{ID: uuid.NewString(), Agency: "social_care", Title: "Report",
			Shares: []domain.Share{{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: &due, Format: "written"}}})
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stored reads what a conference row holds of its readiness, bypassing
// the store's reads, which evaluate live what is not yet re-evaluated.
func stored(t *testing.T, db *store.DB, id string) (due string, measures string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var d, m *string
	if err := sqlDB.QueryRow("SELECT readiness_due_on, insight_measures FROM conferences WHERE id = "+placeholder(db), id).Scan(&d, &m); err != nil {
		t.Fatal(err)
	}
	if d == nil || m == nil {
		t.Fatalf("conference %s has no stored due date or measures", id)
	}
	return *d, *m
}

// judged is a conference as one calendar and another judge it.
type judged struct {
	id            string
	before, after domain.ReadinessResult
}

func judge(t *testing.T, db *store.DB, clock *storetest.Clock, c *domain.Conference, from, to *workdays.Calendar) judged {
	t.Helper()
	pol, err := db.Policy(context.Background(), caseSystem)
	if err != nil {
		t.Fatal(err)
	}
	j := judged{id: c.ID, before: readiness.Evaluator(clock.Now, from)(c, pol), after: readiness.Evaluator(clock.Now, to)(c, pol)}
	if j.before.EarliestDueOn == nil || j.after.EarliestDueOn == nil || *j.before.EarliestDueOn == *j.after.EarliestDueOn ||
		fmt.Sprint(j.before.Measures) == fmt.Sprint(j.after.Measures) {
		t.Fatalf("the new calendar changes nothing of %s: due %v then %v, measures %v then %v", c.ExternalRef,
			j.before.EarliestDueOn, j.after.EarliestDueOn, j.before.Measures, j.after.Measures)
	}
	return j
}

// TestANewCalendarReevaluatesNearConferencesFirstAndTheRestInTheBackground
// changes the calendar under conferences near, just beyond the near
// window but due within it, far ahead and past, and follows the
// re-evaluation: the near ones before PrepareReadiness returns, a far one
// read meanwhile answered under the new calendar, the overdue scheduler
// holding back until the pass reaches a conference, and at the end a
// database a full re-evaluation and recount leave unchanged.
func TestANewCalendarReevaluatesNearConferencesFirstAndTheRestInTheBackground(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	old := workdays.New(nil)
	if _, err := db.SyncReadiness(ctx, readiness.Fingerprint(old.Fingerprint())); err != nil {
		t.Fatal(err)
	}
	// Created a fortnight before today, so that the past scheduled
	// conference's start is still to be recorded.
	clock.Set(storetest.DefaultNow.AddDate(0, 0, -14))
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }
	near := sensitiveConference(t, db, "NEAR", at(2026, 12, 7), domain.StatusScheduled)
	// The near window ends with 2027-02-21; this one is the day after, but
	// its deadlines fall inside.
	edge := sensitiveConference(t, db, "EDGE", at(2027, 2, 22), domain.StatusScheduled)
	far := sensitiveConference(t, db, "FAR", at(2027, 5, 10), domain.StatusScheduled)
	past := sensitiveConference(t, db, "PAST", at(2026, 6, 15), domain.StatusHeld)
	begun := sensitiveConference(t, db, "BEGUN", at(2026, 11, 16), domain.StatusScheduled)
	clock.Set(storetest.DefaultNow)

	cal := calendarChange(at(2026, 12, 7), at(2027, 2, 22), at(2027, 5, 10), at(2026, 6, 15), at(2026, 11, 16))
	all := map[string]judged{}
	for _, c := range []*domain.Conference{near, edge, far, past, begun} {
		all[c.ExternalRef] = judge(t, db, clock, c, old, cal)
	}
	db.Evaluate = readiness.Evaluator(clock.Now, cal)
	pass, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint()))
	if err != nil || pass == nil {
		t.Fatalf("prepare: %v, %v", pass, err)
	}
	if pass.Near != 2 {
		t.Errorf("re-evaluated %d conferences before listening, want 2 (NEAR and EDGE)", pass.Near)
	}
	for ref, j := range all {
		due, _ := stored(t, db, j.id)
		want := j.before
		if ref == "NEAR" || ref == "EDGE" {
			want = j.after
		}
		if due != want.EarliestDueOn.String() {
			t.Errorf("%s stored due %s after prepare, want %s", ref, due, want.EarliestDueOn)
		}
	}
	// The start that passed unrecorded is recorded as it stood, not as the
	// new rules would judge it.
	sqlDB, _ := db.SQL()
	var startStatus *string
	if err := sqlDB.QueryRow("SELECT start_status FROM conferences WHERE id = "+placeholder(db), begun.ID).Scan(&startStatus); err != nil ||
		startStatus == nil || *startStatus != all["BEGUN"].before.Status {
		t.Errorf("BEGUN's start recorded as %v (%v), want %s", startStatus, err, all["BEGUN"].before.Status)
	}

	// A far conference read before the pass reaches it: the new calendar,
	// and nothing stored by the read.
	got, _, err := db.Readiness(ctx, caseSystem, far.ID)
	if err != nil || got.EarliestDueOn == nil || *got.EarliestDueOn != *all["FAR"].after.EarliestDueOn {
		t.Errorf("readiness of FAR: due %v (%v), want %s", got.EarliestDueOn, err, all["FAR"].after.EarliestDueOn)
	}
	conf, err := db.Conference(ctx, caseSystem, far.ID)
	if err != nil || conf.Readiness.DueOn == nil || *conf.Readiness.DueOn != *all["FAR"].after.EarliestDueOn {
		t.Errorf("FAR read whole: due %v (%v), want %s", conf.Readiness.DueOn, err, all["FAR"].after.EarliestDueOn)
	}
	_, withReadiness, err := db.ConferenceReadiness(ctx, caseSystem, far.ID)
	if err != nil || *withReadiness.EarliestDueOn != *all["FAR"].after.EarliestDueOn {
		t.Errorf("FAR read for a page: due %v (%v), want %s", withReadiness.EarliestDueOn, err, all["FAR"].after.EarliestDueOn)
	}
	if due, _ := stored(t, db, far.ID); due != all["FAR"].before.EarliestDueOn.String() {
		t.Errorf("reading FAR stored due %s", due)
	}

	// BEGUN is overdue under either calendar, but its deadline is not
	// announced until the pass has judged it under the new one.
	if n, err := db.EmitOverdue(ctx); err != nil || n != 0 {
		t.Errorf("overdue events before the pass reached BEGUN: %d (%v)", n, err)
	}
	steps := 0
	for {
		p, err := pass.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		steps++
		if p.Finished {
			if p.Visited != 5 || p.Evaluated != 3 || p.Total != 5 {
				t.Errorf("finished having visited %d of %d and evaluated %d; want 5 of 5 and 3", p.Visited, p.Total, p.Evaluated)
			}
			break
		}
	}
	if db.ReevaluationRemaining() != 0 || steps != 2 {
		t.Errorf("after %d steps (want 2) %d remain", steps, db.ReevaluationRemaining())
	}
	for ref, j := range all {
		if due, measures := stored(t, db, j.id); due != j.after.EarliestDueOn.String() || measures != jsonOf(t, j.after.Measures) {
			t.Errorf("%s stored due %s and measures %s after the pass, want %s and %s", ref, due, measures, j.after.EarliestDueOn, jsonOf(t, j.after.Measures))
		}
	}
	if n, err := db.EmitOverdue(ctx); err != nil || n == 0 {
		t.Errorf("overdue events after the pass: %d (%v)", n, err)
	}

	// A full re-evaluation and recount find nothing to change.
	before := storetest.TableSums(t, db)
	rep, err := db.RecountInsights(ctx)
	if err != nil || rep.Repaired != 0 {
		t.Errorf("recount repaired %d tallies (%v)", rep.Repaired, err)
	}
	after := storetest.TableSums(t, db)
	for _, table := range []string{"conferences", "insight_tallies", "events"} {
		if before[table] != after[table] {
			t.Errorf("a full re-evaluation changed %s", table)
		}
	}
	if again, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint())); err != nil || again != nil {
		t.Errorf("a start after the pass finished prepared %v (%v)", again, err)
	}
}

// oneConferenceUnderNewHoliday opens a database in line with the default
// calendar, with one conference starting at start, and has the store
// evaluate under a calendar with a new holiday that moves its deadlines,
// which it returns with what the conference is judged under each.
func oneConferenceUnderNewHoliday(t *testing.T, ref string, start time.Time) (*store.DB, *domain.Conference, *workdays.Calendar, judged) {
	t.Helper()
	db, clock := storetest.MustOpenDB(t)
	if _, err := db.SyncReadiness(context.Background(), readiness.Fingerprint(workdays.New(nil).Fingerprint())); err != nil {
		t.Fatal(err)
	}
	c := sensitiveConference(t, db, ref, start, domain.StatusScheduled)
	cal := calendarChange(start)
	j := judge(t, db, clock, c, workdays.New(nil), cal)
	db.Evaluate = readiness.Evaluator(clock.Now, cal)
	return db, c, cal, j
}

// TestAWriteTheReevaluationOvertakesIsDoneAgain lets the background pass
// re-evaluate a conference between a write's snapshot and its commit. The
// write must start again, or it would take from the tallies what the
// conference added before the pass rather than what it adds now.
func TestAWriteTheReevaluationOvertakesIsDoneAgain(t *testing.T) {
	db, far, cal, _ := oneConferenceUnderNewHoliday(t, "FAR", time.Date(2027, 5, 10, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	pass, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint()))
	if err != nil || pass == nil || pass.Near != 0 {
		t.Fatalf("prepare: %v, %v", pass, err)
	}
	runs := 0
	_, err = db.UpdateConference(ctx, caseSystem, far.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		runs++
		if runs == 1 {
			if _, err := pass.Step(ctx); err != nil {
				t.Error(err)
			}
		}
		c.Format = "hybrid"
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("the write ran %d times, want 2", runs)
	}
	rep, err := db.RecountInsights(ctx)
	if err != nil || rep.Repaired != 0 {
		t.Errorf("recount repaired %d tallies (%v)", rep.Repaired, err)
	}
}

// TestANearPageAWriteOvertakesIsDoneAgainUnderTheLock changes a near
// conference while the start-up pass has read it and not yet written it
// (the pass reads and evaluates outside the write transaction). The stale
// page must not be written over the change: it is read again under the
// lock, and a recount finds the tallies right.
func TestANearPageAWriteOvertakesIsDoneAgainUnderTheLock(t *testing.T) {
	db, near, cal, j := oneConferenceUnderNewHoliday(t, "NEAR", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()

	var pageRead, overtaken, redone atomic.Bool
	db.OnStatement(func(sql string) {
		if strings.Contains(sql, "FROM conferences WHERE org = ? AND id IN") || strings.Contains(sql, "FROM conferences WHERE org = $1 AND id = ANY") {
			redone.Store(true)
		}
		if strings.Contains(sql, "readiness_rules <> ?") || strings.Contains(sql, "readiness_rules <> $2") {
			pageRead.Store(true)
		}
		// The page is read; its policy is being read for its evaluation.
		if !pageRead.Load() || !strings.Contains(sql, "FROM policies") || overtaken.Swap(true) {
			return
		}
		if _, err := db.UpdateConference(ctx, caseSystem, near.ID, nil, func(c *domain.Conference) (domain.Change, error) {
			c.Format = "hybrid"
			return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
		}); err != nil {
			t.Error(err)
		}
	})
	pass, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint()))
	db.OnStatement(nil)
	if err != nil || pass == nil {
		t.Fatalf("prepare: %v, %v", pass, err)
	}
	if !overtaken.Load() || !redone.Load() {
		t.Fatalf("overtaken %v, page read again %v: the test did not test", overtaken.Load(), redone.Load())
	}
	got, err := db.Conference(ctx, caseSystem, near.ID)
	if err != nil || got.Format != "hybrid" || got.Version != near.Version+1 {
		t.Fatalf("NEAR after prepare: %+v (%v), want the write kept", got, err)
	}
	if due, _ := stored(t, db, near.ID); due != j.after.EarliestDueOn.String() {
		t.Errorf("NEAR stored due %s, want %s under the new calendar", due, j.after.EarliestDueOn)
	}
	if rep, err := db.RecountInsights(ctx); err != nil || rep.Repaired != 0 {
		t.Errorf("recount repaired %d tallies (%v)", rep.Repaired, err)
	}
}

// TestAReevaluationCutShortResumesWhereItStopped stops after one page of
// the background pass and starts again on the same database, as a new
// process would: the next start resumes after that page, and evaluates
// none of its conferences again.
func TestAReevaluationCutShortResumesWhereItStopped(t *testing.T) {
	url := filepath.Join(t.TempDir(), "resume.db")
	if os.Getenv(storetest.PostgresEnv) != "" {
		url = storetest.PostgresSchemaURL(t)
	}
	first, clock := storetest.MustOpenURL(t, url)
	ctx := context.Background()
	if _, err := first.SyncReadiness(ctx, readiness.Fingerprint(workdays.New(nil).Fingerprint())); err != nil {
		t.Fatal(err)
	}
	const n = 300 // more than a page
	start := time.Date(2027, 5, 10, 10, 0, 0, 0, time.UTC)
	var cs []*domain.Conference
	for i := range n {
		cs = append(cs, &domain.Conference{ConferenceFields: domain.ConferenceFields{
			ExternalRef: fmt.Sprintf("FAR-%d", i), Type: domain.TypeReview, ScheduledStart: domain.Timestamp{Time: start}, Format: "video",
		}})
	}
	if err := first.SeedConferences(ctx, caseSystem, cs); err != nil {
		t.Fatal(err)
	}
	cal := calendarChange(start)
	fingerprint := readiness.Fingerprint(cal.Fingerprint())
	first.Evaluate = readiness.Evaluator(clock.Now, cal)
	pass, err := first.PrepareReadiness(ctx, fingerprint)
	if err != nil || pass == nil {
		t.Fatalf("prepare: %v, %v", pass, err)
	}
	p, err := pass.Step(ctx)
	if err != nil || p.Finished || p.Visited == 0 || p.Visited >= n {
		t.Fatalf("first page: %+v, %v", p, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, clock := storetest.MustOpenURL(t, url)
	second.Evaluate = readiness.Evaluator(clock.Now, cal)
	pass, err = second.PrepareReadiness(ctx, fingerprint)
	if err != nil || pass == nil {
		t.Fatalf("prepare again: %v, %v", pass, err)
	}
	if p, err := pass.Progress(ctx); err != nil || p.Visited == 0 {
		t.Fatalf("resumed from %+v (%v), want the first page done", p, err)
	}
	if err := pass.Run(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	p, err = pass.Progress(ctx)
	if err != nil || !p.Finished || p.Visited != n || p.Evaluated != n {
		t.Errorf("finished %+v (%v); want every conference visited and evaluated once", p, err)
	}
	rep, err := second.RecountInsights(ctx)
	if err != nil || rep.Repaired != 0 {
		t.Errorf("recount repaired %d tallies (%v)", rep.Repaired, err)
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
