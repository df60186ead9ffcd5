package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// countedKeys is a real store that counts the key lookups reaching it.
type countedKeys struct {
	*store.DB
	lookups atomic.Int64
}

func (c *countedKeys) APIKeyByHash(ctx context.Context, hash string) (domain.Principal, string, error) {
	c.lookups.Add(1)
	return c.DB.APIKeyByHash(ctx, hash)
}

// twoInstances opens one database twice, as two instances of the service
// would, each with a key cache of its own on one test clock.
func twoInstances(t *testing.T, size int) (db *store.DB, caches [2]*auth.KeyCache, stores [2]*countedKeys, clock *storetest.Clock) {
	t.Helper()
	url := filepath.Join(t.TempDir(), "keys.db")
	if os.Getenv(storetest.PostgresEnv) != "" {
		url = storetest.PostgresSchemaURL(t)
	}
	for i := range caches {
		d, c := storetest.MustOpenURL(t, url)
		if i == 0 {
			db, clock = d, c
		}
		stores[i] = &countedKeys{DB: d}
		caches[i] = auth.NewKeyCache(stores[i], size, clock.Now)
	}
	return db, caches, stores, clock
}

func newKey(t *testing.T, db *store.DB) (key, id string) {
	t.Helper()
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.CreateAPIKey(t.Context(), "E09000006", domain.RoleCaseSystem, "cache test", hash)
	if err != nil {
		t.Fatal(err)
	}
	return key, k.ID
}

func authenticates(t *testing.T, cache *auth.KeyCache, key string) bool {
	t.Helper()
	_, err := (&auth.Authenticator{Keys: cache}).Authenticate(t.Context(), key)
	switch {
	case err == nil:
		return true
	case domain.ErrorKind(err) == domain.EUNAUTHORIZED:
		return false
	}
	t.Fatalf("authenticate: %v", err)
	return false
}

// A busy key costs no query while its entry is fresh; a key revoked
// through the store, as the keys command does, stops working on both
// instances within 5 seconds, and stays refused.
func TestKeyCacheRevocationReachesEveryInstance(t *testing.T) {
	db, caches, stores, clock := twoInstances(t, auth.KeyCacheSize)
	key, id := newKey(t, db)
	start := clock.Now()
	for i, c := range caches {
		for range 100 {
			if !authenticates(t, c, key) {
				t.Fatalf("instance %d refused a live key", i)
			}
		}
		if n := stores[i].lookups.Load(); n != 1 {
			t.Errorf("instance %d asked the database %d times for 100 requests, want 1", i, n)
		}
	}
	if err := db.RevokeAPIKey(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(5 * time.Second))
	for i, c := range caches {
		if authenticates(t, c, key) {
			t.Errorf("instance %d still takes a key revoked 5 seconds ago", i)
		}
		if authenticates(t, c, key) {
			t.Errorf("instance %d takes a revoked key on the second try", i)
		}
	}
}

// A live key is asked about again once its entry is KeyCacheTTL old, and
// not before.
func TestKeyCacheRevalidatesAfterTTL(t *testing.T) {
	db, caches, stores, clock := twoInstances(t, auth.KeyCacheSize)
	key, _ := newKey(t, db)
	start := clock.Now()
	for _, at := range []struct {
		after   time.Duration
		lookups int64
	}{{0, 1}, {auth.KeyCacheTTL - time.Millisecond, 1}, {auth.KeyCacheTTL, 2}, {2*auth.KeyCacheTTL - time.Millisecond, 2}, {2 * auth.KeyCacheTTL, 3}} {
		clock.Set(start.Add(at.after))
		if !authenticates(t, caches[0], key) {
			t.Fatalf("after %s: a live key was refused", at.after)
		}
		if n := stores[0].lookups.Load(); n != at.lookups {
			t.Errorf("after %s: %d lookups, want %d", at.after, n, at.lookups)
		}
	}
}

// A flood of made-up keys leaves nothing in the cache, and live keys past
// its size push the least recently used out: it never holds more than its
// bound.
func TestKeyCacheIsBounded(t *testing.T) {
	db, caches, stores, _ := twoInstances(t, 3)
	cache := caches[0]
	for range 2000 {
		key, _, err := auth.NewAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		if authenticates(t, cache, key) {
			t.Fatal("a made-up key was taken")
		}
	}
	if cache.Len() != 0 {
		t.Errorf("the cache holds %d entries after a flood of unknown keys, want 0", cache.Len())
	}
	if n := stores[0].lookups.Load(); n != 2000 {
		t.Errorf("%d lookups for 2000 unknown keys: unknown keys must not be answered from the cache", n)
	}
	var keys []string
	for range 5 {
		key, _ := newKey(t, db)
		keys = append(keys, key)
		if !authenticates(t, cache, key) {
			t.Fatal("a live key was refused")
		}
	}
	if cache.Len() != 3 {
		t.Errorf("the cache holds %d keys, want its size, 3", cache.Len())
	}
	before := stores[0].lookups.Load()
	for _, key := range keys {
		authenticates(t, cache, key)
	}
	if n := stores[0].lookups.Load() - before; n != 5 {
		t.Errorf("%d lookups cycling 5 keys through a cache of 3, want 5 (least recently used goes first)", n)
	}
}

// A database that cannot answer is an error, never a stale yes: the entry
// it could not confirm is dropped.
func TestKeyCacheDoesNotServeWhatItCannotConfirm(t *testing.T) {
	db, caches, stores, clock := twoInstances(t, auth.KeyCacheSize)
	key, _ := newKey(t, db)
	if !authenticates(t, caches[1], key) {
		t.Fatal("a live key was refused")
	}
	if err := stores[1].Close(); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(auth.KeyCacheTTL))
	if _, err := (&auth.Authenticator{Keys: caches[1]}).Authenticate(t.Context(), key); err == nil {
		t.Error("an entry the database could not confirm was served")
	}
	if caches[1].Len() != 0 {
		t.Errorf("the cache keeps %d entries it could not confirm", caches[1].Len())
	}
}
