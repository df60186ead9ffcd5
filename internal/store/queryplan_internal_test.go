package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

// TestListQueriesUseAnIndex asks SQLite how it would run each common list,
// with planner statistics from a spread of conferences: every one must
// seek an index in order, neither scanning the table nor sorting, so that
// a page costs the same at a million conferences.
func TestListQueriesUseAnIndex(t *testing.T) {
	db := openSQLiteForBatches(t)
	seedForPlans(t, db)
	today := domain.NewDate(2026, 11, 23)
	from, to := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	yes, no := true, false
	after := &cursor{Start: from.Add(36 * time.Hour), ID: "0b8e3a5e-7d43-4c55-9d3e-6f1f3c1a2b3c"}
	cases := []struct {
		name   string
		filter ConferenceFilter
		after  *cursor
		index  string
	}{
		{"everything", ConferenceFilter{}, nil, "conferences_by_start"},
		{"next page", ConferenceFilter{}, after, "conferences_by_start"},
		{"dates", ConferenceFilter{From: &from, To: &to}, after, "conferences_by_start"},
		{"not ready in the next 14 days", ConferenceFilter{Readiness: domain.NotReady, From: &from, To: &to}, nil, "conferences_by_readiness"},
		{"its next page", ConferenceFilter{Readiness: domain.NotReady, From: &from, To: &to}, after, "conferences_by_readiness"},
		{"not ready and overdue", ConferenceFilter{Readiness: domain.NotReady, Overdue: &yes}, nil, "conferences_by_readiness"},
		{"overdue", ConferenceFilter{Overdue: &yes}, nil, "conferences_by_start"},
		{"ready, not overdue", ConferenceFilter{Readiness: domain.Ready, Overdue: &no}, after, "conferences_by_readiness"},
	}
	for _, c := range cases {
		c.filter.Limit = 50
		q, args := listQuery("E09000006", c.filter, today, c.after)
		got := plan(t, db, q.text[0], args...)
		if !strings.Contains(got, "USING INDEX "+c.index) || strings.Contains(got, "TEMP B-TREE") || strings.Contains(got, "SCAN conferences") {
			t.Errorf("%s: plan %q, want a search of %s without a sort", c.name, got, c.index)
		}
	}
}

// TestStartUpQueriesUseAnIndex holds the start-up pass's reads to the
// index that bounds them: the window's by start, the later ones due in it
// by readiness. With two bounds on the start, SQLite once walked
// conferences_by_start to the last conference for the second: 3.3 s
// against 0.3 s, cold, at a million.
func TestStartUpQueriesUseAnIndex(t *testing.T) {
	db := openSQLiteForBatches(t)
	seedForPlans(t, db)
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 0, NearDays+1)
	for _, c := range []struct {
		name  string
		slice nearSlice
		index string
	}{
		{"a week of the window", nearSlice{org: "E09000006", q: nearByStart, from: cursor{Start: from}, until: from.AddDate(0, 0, nearDaysEach)}, "conferences_by_start"},
		{"later, due in the window", nearSlice{org: "E09000006", q: nearByDue, from: cursor{Start: until}, until: until}, "conferences_by_readiness"},
	} {
		args := []any{c.slice.org, int64(7), c.slice.from.Start, c.slice.from.ID, c.slice.until}
		if c.slice.q == nearByDue {
			args[4] = domain.DateOf(c.slice.until).String()
		}
		got := plan(t, db, c.slice.q.text[0], append(args, nearPage)...)
		if !strings.Contains(got, "USING INDEX "+c.index) || strings.Contains(got, "TEMP B-TREE") || strings.Contains(got, "SCAN conferences") {
			t.Errorf("%s: plan %q, want a search of %s without a sort", c.name, got, c.index)
		}
	}
}

// plan is SQLite's plan for a statement, its steps joined by "; ".
func plan(tb testing.TB, db *DB, query string, args ...any) string {
	tb.Helper()
	rows, err := db.sql[reader].Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			tb.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(steps, "; ")
}

// seedForPlans stores conferences over a year, a third of them ready, and
// gathers statistics as the hourly housekeeping would.
func seedForPlans(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	err := db.inWrite(ctx, func(t *Tx) error {
		start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		for i := range 3000 {
			c := &domain.Conference{ID: uuid.NewString(), ConferenceFields: domain.ConferenceFields{
				ExternalRef: fmt.Sprint("P-", i), Type: domain.TypeReview, Format: "video", Status: domain.StatusScheduled,
				ScheduledStart: domain.Timestamp{Time: start.Add(time.Duration(i) * 3 * time.Hour)},
			}, Version: 1, CreatedAt: start, UpdatedAt: start}
			c.Readiness = domain.ReadinessSummary{Status: domain.NotReady, Blockers: 2}
			if i%3 == 0 {
				c.Readiness = domain.ReadinessSummary{Status: domain.Ready}
			} else {
				due := domain.DateOf(c.ScheduledStart.Time).AddDays(-3)
				c.Readiness.DueOn = &due
			}
			org := "E09000006"
			if i%10 == 0 {
				org = "E09000007"
			}
			row := toConferenceRow(org, c)
			if err := writeConference(t, nil, &row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryQueriesReadOnlyTheirPage asks SQLite how it would read a page
// of a conference's history and of a policy's: each source must be sought
// along its index, and the events fetched by id, never by scanning the
// organisation's whole trail.
func TestHistoryQueriesReadOnlyTheirPage(t *testing.T) {
	db := openSQLiteForBatches(t)
	conf := uuid.NewString()
	cases := []struct {
		name  string
		query func(tx *gorm.DB) *gorm.DB
		want  []string
	}{
		{"conference, oldest first", func(tx *gorm.DB) *gorm.DB {
			return conferenceEvents(tx, "E09000006", conf, HistoryPage{Limit: 50, After: 10})
		}, []string{"INTEGER PRIMARY KEY", "INDEX audit_events_by_conference (org=? AND conference_id=? AND id>?)", "audit_listed USING PRIMARY KEY (conference_id=? AND event_id>?)"}},
		{"conference, newest first", func(tx *gorm.DB) *gorm.DB {
			return conferenceEvents(tx, "E09000006", conf, HistoryPage{Limit: 50, NewestFirst: true})
		}, []string{"INTEGER PRIMARY KEY", "INDEX audit_events_by_conference (org=? AND conference_id=? AND id<?)", "audit_listed USING PRIMARY KEY (conference_id=? AND event_id<?)"}},
		{"policy", func(tx *gorm.DB) *gorm.DB {
			return pageOf(tx.Where("org = ? AND conference_id IS NULL AND entity = ?", "E09000006", "policy"), HistoryPage{Limit: 50})
		}, []string{"INDEX audit_events_outside_conferences (org=? AND entity=? AND id>?)"}},
	}
	for _, c := range cases {
		sql := db.gorm[reader].ToSQL(func(tx *gorm.DB) *gorm.DB {
			var rows []auditRow
			return c.query(tx).Find(&rows)
		})
		got := plan(t, db, sql)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: plan %q, want %q", c.name, got, w)
			}
		}
		if strings.Contains(got, "SCAN audit_events") || strings.Contains(got, "audit_events USING INDEX audit_events_by_conference (org=?)") {
			t.Errorf("%s: plan %q reads the organisation's whole trail", c.name, got)
		}
	}
}
