package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"
)

// A second run waits for the first to let go of the cached database, and
// gives up when its context ends.
func TestLockCacheExcludesASecondRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	unlock, err := lockCache(context.Background(), path, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := lockCache(ctx, path, io.Discard); err == nil {
		t.Fatal("a second lock was granted while the first was held")
	}
	got := make(chan error, 1)
	go func() {
		again, err := lockCache(context.Background(), path, io.Discard)
		if err == nil {
			again()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting run never got the lock")
	}
}
