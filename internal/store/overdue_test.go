package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// A finding announced as overdue is passed over by the next scan in its
// query: the scan writes nothing, and takes no write at all.
func TestTheOverdueScanPassesOverAnnouncedFindings(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	mustPopulate(t, db, "OVERDUE-1", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), domain.StatusScheduled)
	clock.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	first, err := db.EmitOverdue(ctx)
	if err != nil || first == 0 {
		t.Fatalf("the first scan announced %d (%v), want some", first, err)
	}
	var mu sync.Mutex
	var sqls []string
	db.OnStatement(func(sql string) {
		mu.Lock()
		defer mu.Unlock()
		sqls = append(sqls, sql)
	})
	defer db.OnStatement(nil)
	again, err := db.EmitOverdue(ctx)
	if err != nil || again != 0 {
		t.Fatalf("the second scan announced %d (%v), want none", again, err)
	}
	for _, s := range sqls {
		if !strings.HasPrefix(strings.TrimSpace(s), "SELECT") {
			t.Errorf("the second scan ran %q", s)
		}
	}
	if len(sqls) == 0 {
		t.Error("the second scan ran no statement")
	}
}
