package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The writer leaves copying the log back to the checkpointer: every
// connection checkpoints for itself only past walBackstop pages, and
// after commits the checkpointer copies the whole log into the file.
func TestCheckpointerCopiesTheLogBesideTheWriter(t *testing.T) {
	db := openSQLiteForBatches(t)
	for name, pool := range map[string]int{"writer": writer, "reader": reader} {
		var pages int
		if err := db.sql[pool].QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if pages != walBackstop {
			t.Errorf("the %s checkpoints past %d pages, want %d", name, pages, walBackstop)
		}
	}
	// Past the 1,000 pages at which SQLite's writer would checkpoint by
	// itself: 600 commits of two pages and more.
	big := strings.Repeat("x", 6000)
	ctx := context.Background()
	for i := range 600 {
		err := db.inWrite(ctx, func(t *Tx) error {
			_, err := t.tx.ExecContext(t.ctx, "INSERT INTO service_state (key, value, updated_at) VALUES (?, ?, ?)", i, big, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := db.ckpt.runs.Load()
	deadline := time.Now().Add(10 * time.Second)
	for db.ckpt.runs.Load() <= before || !db.ckpt.caughtUp.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("after the writes the checkpointer ran %d times, caught up %v", db.ckpt.runs.Load()-before, db.ckpt.caughtUp.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
