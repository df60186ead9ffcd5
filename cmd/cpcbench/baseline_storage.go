package main

import (
	"context"
	"database/sql"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver gorm's sqlite driver uses

	"github.com/cpcready/cpcready/internal/store"
)

// storageBaseline measures the durable commit rate SQLite gives on this
// disk: conc goroutines each commit one single-row transaction after
// another for d. They share one connection, as the store's writers do:
// SQLite admits one writer at a time, so more connections would only wait
// on its lock instead of in the pool.
func storageBaseline(ctx context.Context, path string, conc int, d time.Duration) (*tally, error) {
	dsn, err := store.SQLiteWriterDSN(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS baseline (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	commit := func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO baseline (at, note) VALUES (?, ?)`, time.Now().UTC().Format(time.RFC3339Nano), "one durable row"); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	t := newTally()
	var mu sync.Mutex
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(d)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				start := time.Now()
				err := commit()
				latency := time.Since(start)
				code, msg := 200, ""
				if err != nil {
					code, msg = -1, err.Error()
				}
				mu.Lock()
				t.add(code, latency, msg)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.elapsed = time.Since(began)
	return t, ctx.Err()
}
