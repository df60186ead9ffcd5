package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// BenchmarkInsightsTwelveMonths times GET /v1/insights for twelve months,
// grouped by month, over real HTTP, on a SQLite database of
// CPCREADY_INSIGHTS_BENCH_N conferences (default 10,000) seeded through the
// store, and reports the median and 99th percentile. Seeding a million
// takes minutes, so CPCREADY_INSIGHTS_BENCH_DB names a file to keep and
// reuse; see docs/benchmarks.md.
func BenchmarkInsightsTwelveMonths(b *testing.B) {
	n := 10000
	if v := os.Getenv("CPCREADY_INSIGHTS_BENCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	path := os.Getenv("CPCREADY_INSIGHTS_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "insights.db")
	}
	seedForInsights(b, path, storetest.DefaultNow, n)
	if v := os.Getenv("CPCREADY_INSIGHTS_BENCH_COPIES"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		copyConferenceRows(b, path, k)
	}
	// Measured on a store opened as serve opens it: the read's audit row
	// is made durable as in service.
	db, clock := storetest.MustOpenURL(b, path)
	e := newEnvOn(b, db, clock)
	r := req{Method: "GET", Path: "/v1/insights?from=2025-11-01&to=2026-11-01&group=month", Key: e.key(orgA, domain.RoleManager)}
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if status := e.send(r); status != 200 {
			b.Fatalf("status %d", status)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(countConferences(b, db)), "conferences")
}

// seedForInsights fills orgA up to n conferences spread like a council's
// (most in the past five years, the last year busiest, a few still to
// come), each with children, family members with needs and contacts, and a
// report shared with some of them: enough for every measure to have
// counts on every day.
//
// Seeding opens its own store with a 1 GiB page cache and without waiting
// for the disk on each commit, as cmd/cpcbench does: the ids are random,
// and with the default cache nearly every insert would read its index
// page back from the file.
func seedForInsights(b *testing.B, path string, now time.Time, n int) {
	b.Helper()
	db, err := store.Open(store.Config{URL: "file:" + path + "?_cache_size=-1048576", SQLiteSynchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	db.Evaluate = readiness.Evaluator(db.Now, workdays.New(nil))
	if err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	have := countConferences(b, db)
	p := domain.Principal{ID: "bench-seed", Name: "bench seed", Role: domain.RoleCaseSystem, Org: orgA}
	today := domain.DateOf(now)
	relationships := []string{"mother", "father", "carer", "grandparent"}
	attendances := []domain.Attendance{"in_person", "video", "phone", "phone", "unknown"}
	started := time.Now()
	for lo := have; lo < n; lo += 2000 {
		var batch []*domain.Conference
		for i := lo; i < min(lo+2000, n); i++ {
			r := rand.New(rand.NewPCG(uint64(i), 16))
			days := -1 - r.IntN(5*365)
			switch x := r.Float64(); {
			case x < 0.05:
				days = r.IntN(183)
			case x < 0.40:
				days = -1 - r.IntN(365)
			}
			day := today.AddDays(days)
			start := time.Date(day.Time().Year(), day.Time().Month(), day.Time().Day(), 9+r.IntN(6), 0, 0, 0, domain.London)
			c := &domain.Conference{ConferenceFields: domain.ConferenceFields{
				ExternalRef: fmt.Sprintf("INS-%08d", i), Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start}, Format: "hybrid",
				Children: []domain.Child{{Ref: "C-1", Views: &domain.ChildViews{Means: "written", RecordedOn: ptrDate(day.AddDays(-7)), SharedOn: ptrDate(day.AddDays(r.IntN(9) - 6))}}},
			}}
			rep := domain.Report{ID: uuid.NewString(), Agency: "social_care", Title: "Assessment"}
			for j := range 2 + r.IntN(2) {
				invited := r.IntN(10) > 0
				pt := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
					DisplayName: "Family Member", Relationship: relationships[(j+r.IntN(2))%len(relationships)], Invited: &invited, Attendance: attendances[r.IntN(len(attendances))],
				}}
				for range 1 + r.IntN(2) {
					kind := domain.NeedKinds[r.IntN(len(domain.NeedKinds))]
					if pt.Need(kind) == nil && kind != domain.NeedLanguage {
						pt.Needs = append(pt.Needs, domain.Need{Kind: kind, Status: []string{"identified", "arranged", "arranged"}[r.IntN(3)]})
					}
				}
				pt.Contacts = append(pt.Contacts, domain.Contact{ID: uuid.NewString(), With: []string{"social_worker", "chair"}[r.IntN(2)], On: ptrDate(day.AddDays(-r.IntN(10) + 1)), Method: "phone"})
				if r.IntN(3) > 0 {
					rep.Shares = append(rep.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: pt.ID, SharedOn: ptrDate(day.AddDays(-r.IntN(8))), Language: "en"})
				}
				c.Participants = append(c.Participants, pt)
			}
			c.Reports = []domain.Report{rep}
			batch = append(batch, c)
		}
		if err := db.SeedConferences(context.Background(), p, batch); err != nil {
			b.Fatal(err)
		}
		if done := lo + len(batch); done%100000 == 0 {
			b.Logf("seeded %d of %d (%s)", done, n, time.Since(started).Round(time.Second))
		}
	}
}

// copyConferenceRows multiplies the seeded conferences: every conference
// row gets k more copies, on the same date with the same stored readiness,
// measures and start, and every tally is multiplied by k+1 to match. It
// reaches a million conference rows in seconds where seeding through the
// store takes an hour on a busy machine. The copies have no family, reports
// or children: an insights read never touches those tables, only the
// tallies, the index of conferences awaiting their start, and the audit
// trail. SQLite only.
func copyConferenceRows(b *testing.B, path string, k int) {
	b.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var cols []string
	rows, err := db.Query("SELECT name FROM pragma_table_info('conferences') ORDER BY cid")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for copy := 1; copy <= k; copy++ {
		sel := make([]string, len(cols))
		for i, c := range cols {
			switch c {
			case "id":
				sel[i] = "lower(hex(randomblob(16)))"
			case "external_ref":
				sel[i] = fmt.Sprintf("external_ref || '/copy-%d'", copy)
			default:
				sel[i] = c
			}
		}
		q := fmt.Sprintf("INSERT INTO conferences (%s) SELECT %s FROM conferences WHERE external_ref NOT LIKE '%%/copy-%%'",
			strings.Join(cols, ", "), strings.Join(sel, ", "))
		if _, err := tx.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := tx.Exec("UPDATE insight_tallies SET numerator = numerator * ?, denominator = denominator * ?", k+1, k+1); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

func ptrDate(d domain.Date) *domain.Date { return &d }

func countConferences(b *testing.B, db *store.DB) int {
	b.Helper()
	s, err := db.SQL()
	if err != nil {
		b.Fatal(err)
	}
	var n int
	if err := s.QueryRow("SELECT COUNT(*) FROM conferences").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
