package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// On the writer's single connection, a transaction meeting statements for
// the first time must not wait for a connection to prepare them; they are
// prepared once it is over, and kept for the next.
func TestStatementsAreKeptWithoutBlockingTheWriter(t *testing.T) {
	db := openSQLiteForBatches(t)
	cache := db.write.ConnPool.(*stmtCache)
	queries := make([]string, 20)
	for i := range queries {
		queries[i] = fmt.Sprintf("SELECT COUNT(*) + %d FROM service_state", i)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.writeAlone(context.Background(), func(tx *gorm.DB) error {
			for _, q := range queries {
				var n int
				if err := tx.Raw(q).Scan(&n).Error; err != nil {
					return err
				}
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the transaction is stuck behind its own statements")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cache.mu.RLock()
		kept := 0
		for _, q := range queries {
			if cache.stmts[q] != nil {
				kept++
			}
		}
		cache.mu.RUnlock()
		if kept == len(queries) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d statements prepared for next time", kept, len(queries))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
