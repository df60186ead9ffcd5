package auth

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cpcready/cpcready/internal/domain"
)

// KeyCacheTTL is how long a key found live is trusted without asking the
// database again. A key revoked on any instance, or by the keys command,
// stops working on every instance within it: an entry's age counts from
// before the query that found the key, so no entry outlives a revocation
// by more than KeyCacheTTL, and the promise made in the docs (5 seconds)
// keeps a second in hand.
const KeyCacheTTL = 4 * time.Second

// KeyCacheSize bounds how many keys a KeyCache holds, far more than the
// case systems and staff keys of any one deployment.
const KeyCacheSize = 10000

// KeyCache is a KeyStore that remembers live keys for KeyCacheTTL, so a
// busy key costs one query every few seconds rather than one a request.
// Only keys the database found live are kept, in a least-recently-used
// cache of bounded size: an unknown or revoked key is looked up every
// time (failed authentication is rate limited per client address), so a
// client sending made-up keys cannot grow the cache or crowd out the
// keys in use.
type KeyCache struct {
	keys    KeyStore
	now     func() time.Time
	entries *lru.Cache[string, cachedKey]
}

type cachedKey struct {
	principal domain.Principal
	hash      string
	asked     time.Time // when the database was asked
}

// NewKeyCache caches at most size keys from keys, ageing them by now.
func NewKeyCache(keys KeyStore, size int, now func() time.Time) *KeyCache {
	entries, err := lru.New[string, cachedKey](size)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &KeyCache{keys: keys, now: now, entries: entries}
}

// APIKeyByHash answers from the cache while the entry is younger than
// KeyCacheTTL, and asks the database otherwise.
func (c *KeyCache) APIKeyByHash(ctx context.Context, hash string) (domain.Principal, string, error) {
	asked := c.now()
	if e, ok := c.entries.Get(hash); ok && asked.Sub(e.asked) < KeyCacheTTL {
		return e.principal, e.hash, nil
	}
	p, stored, err := c.keys.APIKeyByHash(ctx, hash)
	if err != nil {
		c.entries.Remove(hash)
		return p, stored, err
	}
	c.entries.Add(hash, cachedKey{principal: p, hash: stored, asked: asked})
	return p, stored, nil
}

// Len is how many keys the cache holds.
func (c *KeyCache) Len() int { return c.entries.Len() }
