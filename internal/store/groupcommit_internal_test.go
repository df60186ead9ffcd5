package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func openSQLiteForBatches(t testing.TB) *DB {
	t.Helper()
	db, err := Open(Config{URL: filepath.Join(t.TempDir(), "batch.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func putState(key string) func(t *Tx) error {
	return func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, "INSERT INTO service_state (key, value, updated_at) VALUES (?, 'v', ?)", key, time.Now())
		return err
	}
}

// column reads one column of every row a query returns.
func column(t *testing.T, db *DB, query string) []string {
	t.Helper()
	var out []string
	if err := db.gorm[reader].Raw(query).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func stateKeys(t *testing.T, db *DB) []string {
	t.Helper()
	return column(t, db, "SELECT key FROM service_state ORDER BY key")
}

// rollback breaks the transaction a write runs in.
func rollback(t *Tx) error {
	_, err := t.tx.ExecContext(t.ctx, "ROLLBACK")
	return err
}

// runBatch commits jobs as one batch, as the loop would, and runs again
// alone those the batch could not commit.
func runBatch(db *DB, jobs ...*writeJob) {
	db.commits.commit(jobs)
	for _, j := range jobs {
		if j.solo {
			j.panic, j.err = call(func() error { return db.writeAlone(j.ctx, j.fn) })
		}
	}
}

func job(ctx context.Context, fn func(t *Tx) error) *writeJob {
	return &writeJob{ctx: ctx, fn: fn, done: make(chan struct{})}
}

func TestABatchRollsBackOnlyTheWriteThatFailed(t *testing.T) {
	db := openSQLiteForBatches(t)
	ctx := context.Background()
	refused := errors.New("refused")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	jobs := []*writeJob{
		job(ctx, putState("a")),
		job(ctx, func(t *Tx) error {
			if err := putState("b")(t); err != nil {
				return err
			}
			return refused
		}),
		job(ctx, func(t *Tx) error {
			if err := putState("c")(t); err != nil {
				return err
			}
			panic("bug")
		}),
		job(cancelled, putState("d")),
		job(ctx, putState("a")), // a duplicate key: fails on its own
		job(ctx, putState("e")),
	}
	runBatch(db, jobs...)
	if got := stateKeys(t, db); !slices.Equal(got, []string{"a", "e"}) {
		t.Errorf("committed keys %v, want [a e]", got)
	}
	if jobs[0].err != nil || jobs[5].err != nil {
		t.Errorf("good writes failed: %v, %v", jobs[0].err, jobs[5].err)
	}
	if !errors.Is(jobs[1].err, refused) {
		t.Errorf("refused write: err %v", jobs[1].err)
	}
	if jobs[2].panic != "bug" {
		t.Errorf("panicking write: panic %v", jobs[2].panic)
	}
	if !errors.Is(jobs[3].err, context.Canceled) {
		t.Errorf("cancelled write: err %v", jobs[3].err)
	}
	if jobs[4].err == nil {
		t.Error("duplicate key was accepted")
	}
}

// When a write breaks the transaction itself, SQLite has rolled back every
// write before it; each must then run again alone, and land exactly once.
func TestABrokenBatchRunsEachWriteAgainAlone(t *testing.T) {
	db := openSQLiteForBatches(t)
	ctx := context.Background()
	jobs := []*writeJob{
		job(ctx, putState("a")),
		job(ctx, func(t *Tx) error {
			if err := rollback(t); err != nil {
				return err
			}
			return errors.New("the transaction is gone")
		}),
		job(ctx, putState("c")),
	}
	runBatch(db, jobs...)
	if got := stateKeys(t, db); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("committed keys %v, want [a c]", got)
	}
	if jobs[0].err != nil || jobs[2].err != nil {
		t.Errorf("good writes failed: %v, %v", jobs[0].err, jobs[2].err)
	}
	if jobs[1].err == nil {
		t.Error("the breaking write reported success")
	}
}

// Concurrent writers share transactions, and every one lands.
func TestConcurrentWritesAllLand(t *testing.T) {
	db := openSQLiteForBatches(t)
	const writers = 100
	var wg sync.WaitGroup
	want := make([]string, writers)
	for i := range writers {
		want[i] = string(rune('A'+i/26)) + string(rune('a'+i%26))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.inWrite(context.Background(), putState(want[i])); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sort.Strings(want)
	if got := stateKeys(t, db); !slices.Equal(got, want) {
		t.Errorf("%d keys landed, want %d", len(got), writers)
	}
	if commits, writes := db.CommitCounts(); writes != writers || commits < 1 || commits > writes {
		t.Errorf("counted %d commits of %d writes, want %d writes", commits, writes, writers)
	}
}

func TestWritesAfterCloseAreRefused(t *testing.T) {
	db := openSQLiteForBatches(t)
	db.Close()
	if err := db.inWrite(context.Background(), putState("late")); !errors.Is(err, errStoreClosed) {
		t.Errorf("write after close: %v", err)
	}
}

// Audit rows of reads in a batch are writes like any other: they go in in
// order with the writes around them, and survive a write beside them
// that fails.
func TestABatchInsertsReadsInOrder(t *testing.T) {
	db := openSQLiteForBatches(t)
	ctx := context.Background()
	audit := func(action, entity string, fail bool) *writeJob {
		return job(ctx, func(t *Tx) error {
			if err := auditEvents.add(t, []auditRow{{OccurredAt: time.Now(), Action: action, Entity: entity}}); err != nil {
				return err
			}
			if fail {
				return errors.New("refused")
			}
			return nil
		})
	}
	jobs := []*writeJob{audit("read", "a", false), audit("read", "b", false), audit("update", "x", false), audit("read", "c", false),
		audit("update", "y", true), audit("read", "d", false)}
	runBatch(db, jobs...)
	if got, want := column(t, db, "SELECT entity FROM audit_events ORDER BY id"), []string{"a", "b", "x", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("audit rows %v, want %v", got, want)
	}
	for i, j := range jobs {
		if (j.err != nil) != (i == 4) {
			t.Errorf("job %d: err %v", i, j.err)
		}
	}
}

// A write whose savepoint was released, whose caller then left, in a batch
// that then failed as a whole, was rolled back with the batch: it must not
// be reported as done, or the idempotency layer would store a success for a
// write that never happened and replay it to the retry.
func TestACancelledWriteInAFailedBatchIsNotReportedDone(t *testing.T) {
	db := openSQLiteForBatches(t)
	ctx := context.Background()
	leaving, leave := context.WithCancel(ctx)
	defer leave()
	jobs := []*writeJob{
		job(leaving, putState("a")),
		job(ctx, func(t *Tx) error {
			leave() // the first write's client goes after its savepoint
			if err := rollback(t); err != nil {
				return err
			}
			return errors.New("the transaction is gone")
		}),
		job(ctx, putState("c")),
	}
	runBatch(db, jobs...)
	if got := stateKeys(t, db); !slices.Equal(got, []string{"c"}) {
		t.Errorf("committed keys %v, want [c]", got)
	}
	if jobs[0].err == nil {
		t.Error("a write rolled back with its batch was reported done")
	} else if !errors.Is(jobs[0].err, context.Canceled) {
		t.Errorf("rolled-back write: err %v, want its context's cancellation", jobs[0].err)
	}
	if jobs[2].err != nil {
		t.Errorf("good write failed: %v", jobs[2].err)
	}
}

func oneStatement(ctx context.Context, fn func(t *Tx) error) *writeJob {
	j := job(ctx, fn)
	j.oneStatement = true
	return j
}

// Writes of one statement share a batch without savepoints: one refused by
// a constraint fails alone, and one failing otherwise, which may have
// ended the transaction, has every write run again alone.
func TestOneStatementWritesNeedNoSavepoint(t *testing.T) {
	db := openSQLiteForBatches(t)
	ctx := context.Background()
	var savepoints atomic.Int32
	db.OnStatement(func(sql string) {
		if sql == savepoint.text[0] {
			savepoints.Add(1)
		}
	})
	jobs := []*writeJob{oneStatement(ctx, putState("a")), oneStatement(ctx, putState("a")), oneStatement(ctx, putState("b"))}
	runBatch(db, jobs...)
	if got := stateKeys(t, db); !slices.Equal(got, []string{"a", "b"}) || jobs[0].err != nil || jobs[1].err == nil || jobs[2].err != nil {
		t.Errorf("committed keys %v, errors %v %v %v; want [a b] and the duplicate refused", got, jobs[0].err, jobs[1].err, jobs[2].err)
	}
	if n := savepoints.Load(); n != 0 {
		t.Errorf("%d savepoints for writes of one statement", n)
	}
	jobs = []*writeJob{oneStatement(ctx, putState("c")), oneStatement(ctx, func(t *Tx) error {
		if err := rollback(t); err != nil {
			return err
		}
		return errors.New("the transaction is gone")
	}), oneStatement(ctx, putState("d"))}
	runBatch(db, jobs...)
	if got := stateKeys(t, db); !slices.Equal(got, []string{"a", "b", "c", "d"}) || jobs[0].err != nil || jobs[1].err == nil || jobs[2].err != nil {
		t.Errorf("committed keys %v, errors %v %v %v; want [a b c d] and the breaking write failed", got, jobs[0].err, jobs[1].err, jobs[2].err)
	}
}
