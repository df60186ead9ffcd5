package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// seedEvents stores n events for each of two organisations, interleaved,
// straight into the table: the feed's cost depends on the rows, not on
// how they came.
func seedEvents(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const perStatement, perTx = 400, 40000
	for done := 0; done < n; {
		batch := min(perTx, n-done)
		err := db.inWrite(ctx, func(t *Tx) error {
			for i := 0; i < batch; i += perStatement {
				var sql strings.Builder
				sql.WriteString("INSERT INTO events (id, org, sequence, type, conference_id, external_ref, occurred_at, data) VALUES ")
				var args []any
				for j := i; j < min(i+perStatement, batch); j++ {
					seq := int64(done + j + 1)
					for k, org := range []string{"E09000006", "E09000007"} {
						if j > i || k > 0 {
							sql.WriteString(", ")
						}
						sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
						args = append(args, uuid.NewString(), org, seq, domain.EventConferenceUpdated, uuid.NewString(), "REF-"+strconv.FormatInt(seq%5000, 10), at, `{"version":2,"status":"scheduled","entity":"need","action":"update"}`)
					}
				}
				if _, err := t.tx.ExecContext(t.ctx, sql.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += batch
	}
	for _, org := range []string{"E09000006", "E09000007"} {
		if _, err := db.sql[writer].Exec("INSERT INTO event_counters (org, last_sequence) VALUES (?, ?)", org, n); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.Optimize(ctx); err != nil {
		tb.Fatal(err)
	}
}

// TestEventFeedUsesTheIndex asks SQLite how it reads a feed page: a search
// of the (org, sequence) index in order, never a scan or a sort.
func TestEventFeedUsesTheIndex(t *testing.T) {
	db := openSQLiteForBatches(t)
	seedEvents(t, db, 5000)
	got := plan(t, db, eventsAfter.text[0], "E09000006", 2500, 500)
	if !strings.Contains(got, "SEARCH events USING INDEX sqlite_autoindex_events_2 (org=? AND sequence>?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Fatalf("plan %q, want a search of the (org, sequence) index without a sort", got)
	}
}

// BenchmarkEventFeed reads pages of 500 events out of CPCREADY_BENCH_EVENTS
// per organisation (100,000 unless set; docs/benchmarks.md records a
// million), from the start, the middle and the end, and checks every page
// is in order and whole.
func BenchmarkEventFeed(b *testing.B) {
	n := 100000
	if v := os.Getenv("CPCREADY_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	db := openSQLiteForBatches(b)
	start := time.Now()
	seedEvents(b, db, n)
	b.Logf("seeded %d events for each of two organisations in %s", n, time.Since(start).Round(time.Millisecond))
	p := domain.Principal{Org: "E09000006"}
	ctx := context.Background()
	for _, from := range []int64{0, int64(n / 2), int64(n - 500)} {
		b.Run(fmt.Sprintf("after=%d", from), func(b *testing.B) {
			for b.Loop() {
				page, err := db.Events(ctx, p, from, MaxEventPage)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) != MaxEventPage || page[0].Sequence != from+1 || page[len(page)-1].Sequence != from+MaxEventPage {
					b.Fatalf("page after %d: %d events from %d", from, len(page), page[0].Sequence)
				}
			}
		})
	}
	// Reading the whole feed once, page by page, as a case system catching
	// up would: reported as a metric, since one pass is the unit.
	began := time.Now()
	after, read := int64(0), 0
	for {
		page, err := db.Events(ctx, p, after, MaxEventPage)
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if page[0].Sequence != after+1 {
			b.Fatalf("a gap after %d", after)
		}
		read += len(page)
		after = page[len(page)-1].Sequence
	}
	if read != n {
		b.Fatalf("read %d events, want %d", read, n)
	}
	b.Logf("read the whole feed of %d events in pages of %d in %s", n, MaxEventPage, time.Since(began).Round(time.Millisecond))
}
