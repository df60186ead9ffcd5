// Package storetest opens real databases for tests: a SQLite file in the
// test's temporary directory by default, or a fresh PostgreSQL schema when
// CPCREADY_TEST_POSTGRES_URL is set. Nothing is mocked.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver gorm's postgres driver uses too

	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

// PostgresEnv names the variable that switches tests to PostgreSQL.
const PostgresEnv = "CPCREADY_TEST_POSTGRES_URL"

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// DefaultNow is the instant tests run at unless they set their own: a
// Monday morning in London.
var DefaultNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// MustOpenDB opens a migrated store for tb on the database the environment
// picks, with its clock at DefaultNow. It is closed when the test ends.
func MustOpenDB(tb testing.TB) (*store.DB, *Clock) {
	tb.Helper()
	if os.Getenv(PostgresEnv) != "" {
		return MustOpenURL(tb, PostgresSchemaURL(tb))
	}
	return MustOpenURL(tb, filepath.Join(tb.TempDir(), "cpcready.db"))
}

// MustOpenURL opens and migrates a store at url, closing it at cleanup.
func MustOpenURL(tb testing.TB, dbURL string) (*store.DB, *Clock) {
	tb.Helper()
	db, err := store.Open(store.Config{URL: dbURL, MaxOpenConns: 8})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	clock := NewClock(DefaultNow)
	db.Now = clock.Now
	db.Evaluate = readiness.Evaluator(clock.Now, workdays.New(nil))
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db, clock
}

// PostgresSchemaURL creates a fresh schema for tb and returns a URL whose
// connections use it; the schema is dropped at cleanup. The test is
// skipped, with the reason, when no PostgreSQL is configured or reachable.
func PostgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL test skipped: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Skipf("PostgreSQL test skipped: %s is not usable: %v", PostgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		tb.Skipf("PostgreSQL test skipped: no server answers at %s: %v", PostgresEnv, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cpcready_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
