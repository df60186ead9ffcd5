package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/notify"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

var caseSystem = domain.Principal{ID: "cs", Name: "case system", Role: domain.RoleCaseSystem, Org: "E09000006"}

// notReadyConference stores a conference whose blockers have due dates: a
// family member nobody has spoken to and a report nobody has seen.
func notReadyConference(t *testing.T, db *store.DB, ref string) (string, []domain.Finding) {
	t.Helper()
	ctx := context.Background()
	start, _ := time.Parse(time.RFC3339, "2026-12-07T10:00:00Z")
	invited := true
	f := domain.ConferenceFields{
		ExternalRef: ref, Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start}, Format: "hybrid",
		Children: []domain.Child{{Ref: "C-1"}},
	}
	var participants []domain.Participant
	for i, rel := range []string{"mother", "father"} {
		participants = append(participants, domain.Participant{ID: fmt.Sprintf("1111111%d-1111-4111-8111-%s", i, ref[len(ref)-12:]), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Parent Person", Relationship: rel, Invited: &invited, Attendance: domain.AttendanceVideo,
		}, Needs: []domain.Need{}, Contacts: []domain.Contact{}})
	}
	var reports []domain.Report
	for i, agency := range []string{"social_care", "police"} {
		reports = append(reports, domain.Report{ID: fmt.Sprintf("2222222%d-2222-4222-8222-%s", i, ref[len(ref)-12:]), Agency: agency, Title: "Report", Shares: []domain.Share{}})
	}
	c, err := db.CreateConferenceWith(ctx, caseSystem, f, store.Parts{Participants: participants, Reports: reports})
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := db.Readiness(ctx, caseSystem, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var due []domain.Finding
	for _, f := range res.Findings {
		if f.Severity == domain.SeverityBlocker && f.DueOn != nil {
			due = append(due, f)
		}
	}
	if len(due) < 2 {
		t.Fatalf("the fixture has %d blockers with due dates, want several: %+v", len(due), res.Findings)
	}
	return c.ID, due
}

// overdueEvents returns the item_overdue events on the feed, as
// "conference code due_on" strings.
func overdueEvents(t *testing.T, db *store.DB) []string {
	t.Helper()
	events, err := db.Events(context.Background(), caseSystem, 0, store.MaxEventPage)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Type != domain.EventConferenceItemOverdue {
			continue
		}
		var d domain.ItemOverdueData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, e.ConferenceID+" "+d.Code+" "+d.ParticipantID+d.ReportID+d.ChildRef+" "+d.DueOn.String())
	}
	sort.Strings(out)
	return out
}

// wantOverdue is what should have been announced by today: every blocker
// due before it, once.
func wantOverdue(confID string, due []domain.Finding, today domain.Date) []string {
	var out []string
	for _, f := range due {
		if today.After(*f.DueOn) {
			out = append(out, confID+" "+f.Code+" "+f.ParticipantID+f.ReportID+f.ChildRef+" "+f.DueOn.String())
		}
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// londonAt is a wall-clock time in London on the given date.
func londonAt(d domain.Date, hour, minute int) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, domain.London)
}

// TestOverdueSchedulerAnnouncesEachFindingOnce runs the scheduler at
// instants across midnights and a weekend, restarts included: after each
// run, exactly the blockers due before that day have one event each.
func TestOverdueSchedulerAnnouncesEachFindingOnce(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	confID, due := notReadyConference(t, db, "OVERDUE-000000000001")
	first := *due[0].DueOn
	for _, f := range due {
		if f.DueOn.Before(first) {
			first = *f.DueOn
		}
	}
	// The evening of the first due date, just after midnight, later that
	// day, across the following days (a weekend among them), and twice
	// at the same instant as two restarts would.
	var instants []time.Time
	instants = append(instants, londonAt(first, 23, 59))
	for day := 1; day <= 12; day++ {
		d := first.AddDays(day)
		instants = append(instants, londonAt(d, 0, 5), londonAt(d, 0, 5), londonAt(d, 13, 0))
	}
	sawWeekend, sawEvents := false, false
	for _, at := range instants {
		clock.Set(at)
		sched := &notify.OverdueScheduler{DB: db}
		if _, err := sched.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		today := domain.DateOf(at)
		got, want := overdueEvents(t, db), wantOverdue(confID, due, today)
		if !equal(got, want) {
			t.Fatalf("at %s: announced %v, want %v", at, got, want)
		}
		sawEvents = sawEvents || len(got) > 0
		wd := today.Time().Weekday()
		sawWeekend = sawWeekend || wd == time.Saturday || wd == time.Sunday
	}
	if !sawEvents || !sawWeekend {
		t.Fatalf("the run never announced anything (%v) or never crossed a weekend (%v)", sawEvents, sawWeekend)
	}
	if len(overdueEvents(t, db)) != len(due) {
		t.Fatalf("by the end %d events, want one for each of the %d blockers", len(overdueEvents(t, db)), len(due))
	}
}

// TestOverdueSchedulerRunsOnceAcrossInstances: several instances on one
// PostgreSQL database, scanning at the same moment, still announce each
// finding once.
func TestOverdueSchedulerRunsOnceAcrossInstances(t *testing.T) {
	url := storetest.PostgresSchemaURL(t) // skips without PostgreSQL
	var instances []*store.DB
	var clocks []*storetest.Clock
	for range 3 {
		db, clock := storetest.MustOpenURL(t, url)
		instances, clocks = append(instances, db), append(clocks, clock)
	}
	var confs []string
	var dues [][]domain.Finding
	for i := range 5 {
		id, due := notReadyConference(t, instances[0], "OVERDUE-00000000010"+string(rune('0'+i)))
		confs, dues = append(confs, id), append(dues, due)
	}
	later := londonAt(domain.DateOf(storetest.DefaultNow).AddDays(30), 0, 5)
	for _, c := range clocks {
		c.Set(later)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make(chan error, len(instances))
		for _, db := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Straight at the store as well as through the lock: the
				// notices alone must keep it to once.
				if round == 1 {
					_, err := db.EmitOverdue(context.Background())
					errs <- err
					return
				}
				_, err := (&notify.OverdueScheduler{DB: db}).RunOnce(context.Background())
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []string
	for i := range confs {
		want = append(want, wantOverdue(confs[i], dues[i], domain.DateOf(later))...)
	}
	sort.Strings(want)
	if got := overdueEvents(t, instances[1]); !equal(got, want) {
		t.Fatalf("announced %d events, want %d, once each:\n got %v\nwant %v", len(got), len(want), got, want)
	}
}
