package api_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// dbState is everything a request could change: a digest of every table
// but the audit trail, and the audit trail's row count and last id. The
// trail is append-only (triggers refuse UPDATE and DELETE on it), so its
// count and last id change exactly when its rows do, and stay cheap to
// read however long it grows.
type dbState struct {
	sums        map[string]string
	audit, last int64
}

func readState(t testing.TB, db *store.DB) dbState {
	t.Helper()
	s := dbState{sums: storetest.TableSums(t, db, "audit_events")}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRowContext(context.Background(), "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM audit_events").Scan(&s.audit, &s.last); err != nil {
		t.Fatalf("audit trail: %v", err)
	}
	return s
}

// changed names the tables that differ from s in now, in order.
func (s dbState) changed(now dbState) []string {
	tables := storetest.ChangedTables(s.sums, now.sums)
	if s.audit != now.audit || s.last != now.last {
		tables = append(tables, "audit_events")
		slices.Sort(tables)
	}
	return tables
}
