package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

// TestAStartAfterANewHolidayIsReadyOnceTheNearConferencesAreCurrent runs
// the real binary on a database whose readiness was stored under the
// built-in calendar, with a new one-off bank holiday that moves every
// conference's deadlines. When it first answers /readyz, the conferences
// of the coming weeks hold the new deadlines; a far one the background
// pass has not reached holds the old, yet is answered with the new. Killed
// after the pass's first page, the next start resumes after that page and
// finishes, evaluating no conference twice.
func TestAStartAfterANewHolidayIsReadyOnceTheNearConferencesAreCurrent(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "start.db")
	today := domain.DateOf(time.Now())
	// A Monday that is a working day, after a Friday that is one too, so
	// that a new holiday on the Friday moves the Monday's deadlines.
	builtIn := workdays.New(nil)
	monday := func(d domain.Date) domain.Date {
		for d.Weekday() != time.Monday || !builtIn.IsWorkingDay(d) || !builtIn.IsWorkingDay(d.AddDays(-3)) {
			d = d.AddDays(1)
		}
		return d
	}
	nearDay, farDay := monday(today.AddDays(21)), monday(today.AddDays(200))
	cal := workdays.New([]domain.Date{nearDay.AddDays(-3), farDay.AddDays(-3)})
	const nNear, nFar = 10, 300
	confs := seedForStart(t, dbPath, map[domain.Date]int{nearDay: nNear, farDay: nFar})
	newDue := map[string]string{}
	for _, c := range confs {
		now, was := readiness.Evaluator(time.Now, cal)(c, domain.DefaultPolicy()), readiness.Evaluator(time.Now, workdays.New(nil))(c, domain.DefaultPolicy())
		if *now.EarliestDueOn == *was.EarliestDueOn {
			t.Fatalf("the new holiday leaves %s's deadline at %s", c.ExternalRef, now.EarliestDueOn)
		}
		newDue[c.ID] = now.EarliestDueOn.String()
	}
	key := binaryKey(t, dbPath, "case_system")
	holidays := "CPCREADY_EXTRA_BANK_HOLIDAYS=" + nearDay.AddDays(-3).String() + "," + farDay.AddDays(-3).String()

	// A pause between background pages long enough that the pass stops
	// after its first.
	first := startServe(t, dbPath, holidays, "CPCREADY_REEVALUATE_PAUSE=1h")
	db := openReadOnly(t, dbPath)
	current := func() (near, far int, staleFar string) {
		t.Helper()
		for _, c := range confs {
			var due string
			if err := db.QueryRow("SELECT readiness_due_on FROM conferences WHERE id = ?", c.ID).Scan(&due); err != nil {
				t.Fatal(err)
			}
			switch {
			case due == newDue[c.ID] && c.ScheduledStart.Before(farDay.Time()):
				near++
			case due == newDue[c.ID]:
				far++
			case c.ScheduledStart.After(farDay.Time()):
				staleFar = c.ID
			}
		}
		return near, far, staleFar
	}
	near, far, stale := current()
	if near != nNear || far >= nFar || stale == "" {
		t.Fatalf("when first ready, %d of %d near and %d of %d far conferences held the new deadlines; want all near and not every far", near, nNear, far, nFar)
	}
	if !strings.Contains(first.logs.String(), `"near":10`) {
		t.Errorf("the start logged no count of near conferences re-evaluated:\n%s", first.logs.String())
	}
	if got := readinessDue(t, first.base, key, stale); got != newDue[stale] {
		t.Errorf("a far conference not yet re-evaluated answered due %s, want %s under the new calendar", got, newDue[stale])
	}
	if n := gauge(t, first.base, "cpcready_readiness_reevaluation_remaining"); n <= 0 {
		t.Errorf("the remaining gauge reads %v while the pass is under way", n)
	}
	waitUntil(t, func() bool { v, _, _ := passProgress(t, db); return v > 0 }, "the first background page:\n"+first.logs.String())
	first.signal(syscall.SIGKILL)
	_ = first.wait(10 * time.Second)
	visited, _, _ := passProgress(t, db)

	second := startServe(t, dbPath, holidays)
	waitUntil(t, func() bool { return strings.Contains(second.logs.String(), "readiness re-evaluation finished") }, "the pass to finish")
	if !strings.Contains(second.logs.String(), "resumes in the background") || strings.Contains(second.logs.String(), "near conferences re-evaluated") {
		t.Errorf("the second start re-evaluated the near conferences again:\n%s", second.logs.String())
	}
	v, evaluated, finished := passProgress(t, db)
	if v != nNear+nFar || evaluated != nFar || !finished || visited == 0 {
		t.Errorf("the pass finished having visited %d (%d before the kill) and evaluated %d; want %d and %d, each once", v, visited, evaluated, nNear+nFar, nFar)
	}
	if near, far, _ := current(); near != nNear || far != nFar {
		t.Errorf("after the pass %d near and %d far conferences hold the new deadlines", near, far)
	}
	if n := gauge(t, second.base, "cpcready_readiness_reevaluation_remaining"); n != 0 {
		t.Errorf("the remaining gauge reads %v after the pass", n)
	}
}

// seedForStart stores conferences on the given days, so many on each, in a
// database at dbPath whose readiness is in line with the built-in
// calendar, as serve without extra holidays leaves it.
func seedForStart(t *testing.T, dbPath string, days map[domain.Date]int) []*domain.Conference {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Evaluate = readiness.Evaluator(time.Now, workdays.New(nil))
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncReadiness(ctx, readiness.Fingerprint(workdays.New(nil).Fingerprint())); err != nil {
		t.Fatal(err)
	}
	var cs []*domain.Conference
	for day, n := range days {
		for i := range n {
			cs = append(cs, &domain.Conference{ConferenceFields: domain.ConferenceFields{
				ExternalRef: fmt.Sprintf("START-%s-%d", day, i), Type: domain.TypeReview, Format: "video",
				ScheduledStart: domain.Timestamp{Time: day.Time().Add(10 * time.Hour)},
			}})
		}
	}
	p := domain.Principal{Kind: domain.PrincipalSystem, ID: "seed", Name: "seed", Role: domain.RoleCaseSystem, Org: "E09000006"}
	if err := db.SeedConferences(ctx, p, cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=true&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// passProgress reads the progress of the latest pass from its row.
func passProgress(t *testing.T, db *sql.DB) (visited, evaluated int64, finished bool) {
	t.Helper()
	var done sql.NullString
	if err := db.QueryRow("SELECT visited, evaluated, finished_at FROM readiness_passes ORDER BY began_at DESC LIMIT 1").Scan(&visited, &evaluated, &done); err != nil {
		t.Fatal(err)
	}
	return visited, evaluated, done.Valid
}

// readinessDue asks the API for a conference's readiness and returns the
// earliest due date of its blockers.
func readinessDue(t *testing.T, base, key, id string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/conferences/"+id+"/readiness", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body domain.ReadinessResult
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readiness: %d %v", res.StatusCode, err)
	}
	earliest := ""
	for _, f := range body.Findings {
		if f.Severity == domain.SeverityBlocker && f.DueOn != nil && (earliest == "" || f.DueOn.String() < earliest) {
			earliest = f.DueOn.String()
		}
	}
	return earliest
}

// gauge reads one unlabelled metric from /metrics.
func gauge(t *testing.T, base, name string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// waitUntil polls cond for up to 30 seconds.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
