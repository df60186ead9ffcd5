package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// TestAuditRetention lets a year and more pass between two conferences and
// their list reads, then applies a year's retention: the older events and
// their list links go, the newer stay whole, and afterwards the trail is
// as append-only as before.
func TestAuditRetention(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	count := func(query string) int {
		t.Helper()
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := sqlDB.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	list := func() {
		t.Helper()
		if _, _, err := db.ListConferences(ctx, caseSystem, store.ConferenceFilter{Limit: 50}); err != nil {
			t.Fatal(err)
		}
	}
	start := clock.Now()
	old := mustPopulate(t, db, "RET-OLD", start.Add(240*time.Hour), domain.StatusScheduled)
	list()
	oldEvents := count("SELECT COUNT(*) FROM audit_events")
	clock.Set(start.Add(400 * 24 * time.Hour))
	kept := mustPopulate(t, db, "RET-NEW", clock.Now().Add(240*time.Hour), domain.StatusScheduled)
	list()
	all := count("SELECT COUNT(*) FROM audit_events")
	if count("SELECT COUNT(*) FROM audit_listed") != 3 {
		t.Fatalf("list links before retention: %d, want 3 (1 then 2)", count("SELECT COUNT(*) FROM audit_listed"))
	}

	if n, err := db.ExpireAudit(ctx, 30*24*time.Hour*13); err != nil || int(n) != oldEvents {
		t.Fatalf("retention deleted %d events (%v), want %d", n, err, oldEvents)
	}
	if got := count("SELECT COUNT(*) FROM audit_events"); got != all-oldEvents {
		t.Errorf("%d events left, want %d", got, all-oldEvents)
	}
	if got := count("SELECT COUNT(*) FROM audit_listed"); got != 2 {
		t.Errorf("%d list links left, want the newer list's 2", got)
	}
	if got := count("SELECT COUNT(*) FROM audit_retention"); got != 0 {
		t.Errorf("the retention permit outlived its transaction: %d rows", got)
	}
	page, err := db.History(ctx, caseSystem, kept.ID, store.HistoryPage{Limit: 50})
	if err != nil || len(page) != 3 || page[2].Entity != "conference_list" {
		t.Errorf("newer conference's history after retention: %+v %v, want its two writes and the list read", page, err)
	}
	page, err = db.History(ctx, caseSystem, old.ID, store.HistoryPage{Limit: 50})
	if err != nil || len(page) != 1 || page[0].Entity != "conference_list" {
		t.Errorf("older conference's history after retention: %+v %v, want only the newer list read", page, err)
	}
	if n, err := db.ExpireAudit(ctx, 30*24*time.Hour*13); err != nil || n != 0 {
		t.Errorf("a second run deleted %d (%v), want 0", n, err)
	}

	// Outside retention the trail is append-only, links included.
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DELETE FROM audit_events", "DELETE FROM audit_listed", "UPDATE audit_listed SET conference_id = 'x'"} {
		if _, err := sqlDB.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", stmt, err)
		}
	}
}
