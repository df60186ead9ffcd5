package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

// seeder is the principal that seeded conferences are created by, as a
// case-management system would create them.
var seeder = domain.Principal{Kind: domain.PrincipalSystem, ID: "cpcbench-seed", Name: "cpcbench seed", Role: domain.RoleCaseSystem, Org: benchOrg}

// openBenchStore opens a SQLite file the way serve does, with the same
// default pragmas and the calendar serve uses when no extra holidays are set,
// but a page cache of 1 GiB: seeding inserts rows with random ids all over
// large indexes, and with serve's 2 MB cache nearly every insert would read
// its page from disk again.
func openBenchStore(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.Open(store.Config{URL: "file:" + path + "?_cache_size=-1048576"})
	if err != nil {
		return nil, err
	}
	db.Evaluate = readiness.Evaluator(time.Now, workdays.New(nil))
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Record what stored readiness depends on (the rules and the calendar)
	// now, so that serve finds it unchanged and does not re-evaluate every
	// conference at start-up. A cache seeded under older rules is
	// re-evaluated here, once.
	if _, err := db.SyncReadiness(ctx, readiness.Fingerprint(workdays.New(nil).Fingerprint())); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// seedDatabase writes n conferences into the SQLite file at path, batch to
// a transaction. One goroutine builds the next batch while the store writes
// the last, so generation costs almost nothing on two cores or more.
func seedDatabase(ctx context.Context, path string, n, batch int, sh shaper, progress io.Writer) error {
	db, err := openBenchStore(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedingCache(db); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*domain.Conference, 2)
	go func() {
		defer close(batches)
		for lo := 0; lo < n; lo += batch {
			cs := make([]*domain.Conference, 0, min(batch, n-lo))
			for i := lo; i < lo+cap(cs); i++ {
				cs = append(cs, sh.conference(i))
			}
			select {
			case batches <- cs:
			case <-ctx.Done():
				return
			}
		}
	}()
	began := time.Now()
	done, reported := 0, 0
	// The driver watches a cancellable context from a goroutine per
	// statement; seeding checks for cancellation between batches instead.
	quiet := context.WithoutCancel(ctx)
	for cs := range batches {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := db.SeedConferences(quiet, seeder, cs); err != nil {
			return fmt.Errorf("seeding conferences %d to %d: %w", done, done+len(cs), err)
		}
		done += len(cs)
		if done-reported >= max(n/20, 1) || done == n {
			reported = done
			rate := float64(done) / time.Since(began).Seconds()
			fmt.Fprintf(progress, "  seeded %d of %d (%.0f a second, %s left)\n", done, n, rate,
				time.Duration(float64(n-done)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Give the planner statistics, as serve's housekeeping keeps them on a
	// database in service, so that the first queries pick the right index.
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	return checkpoint(db)
}

// checkpoint folds the write-ahead log into the database file, so that the
// file alone is the whole database and can be copied.
func checkpoint(db *store.DB) error {
	s, err := db.SQL()
	if err != nil {
		return err
	}
	_, err = s.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// seedingCache gives the writer connection a page cache big enough to hold
// the indexes a seeding transaction touches. The ids are random, so inserts
// land all over each index; with SQLite's default 2 MB cache most of them
// would read pages back from the file. It changes speed, not durability.
func seedingCache(db *store.DB) error {
	s, err := db.SQL()
	if err != nil {
		return err
	}
	_, err = s.Exec("PRAGMA cache_size = -262144") // KiB: 256 MB
	return err
}
