package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/storetest"
)

func TestSessionsStoreFindAndDelete(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	s := db.Sessions()
	ctx := context.Background()
	if _, found, err := s.FindCtx(ctx, "absent"); found || err != nil {
		t.Fatalf("an absent session: found %v, %v", found, err)
	}
	if err := s.CommitCtx(ctx, "tok", []byte("one"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second commit of the same token replaces its data and expiry.
	if err := s.CommitCtx(ctx, "tok", []byte("two"), time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, found, err := s.FindCtx(ctx, "tok"); !found || err != nil || string(b) != "two" {
		t.Fatalf("find: %q %v %v", b, found, err)
	}
	if err := s.DeleteCtx(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.FindCtx(ctx, "tok"); found {
		t.Error("a deleted session is found")
	}
	if err := s.DeleteCtx(ctx, "tok"); err != nil {
		t.Errorf("deleting an absent session: %v", err)
	}
}

func TestSessionsStoreExpires(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	s := db.Sessions()
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "live", []byte("y"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.FindCtx(ctx, "old"); found {
		t.Error("an expired session is found")
	}
	if err := db.DeleteExpiredSessions(ctx); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.SQL()
	var n int
	if err := sqlDB.QueryRow("SELECT count(*) FROM web_sessions").Scan(&n); err != nil || n != 1 {
		t.Errorf("after deleting expired sessions %d remain (%v), want 1", n, err)
	}
}
