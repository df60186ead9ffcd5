package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Refetch intervals of the key set. go-oidc's RemoteKeySet refetches on
// every token whose kid it does not hold, so a stream of forged tokens
// becomes a stream of requests to the identity provider (before the
// failed-sign-in limit can act). Identity providers publish a new key well
// before they sign with it, so a minute's wait for a rotation is harmless.
const (
	jwksRefetchEvery = time.Minute
	// jwksRetryEvery applies while no key set has ever been fetched, so a
	// provider that was down at start-up is not waited for a full minute.
	jwksRetryEvery = 5 * time.Second
	// maxJWKSBytes bounds a key set; real ones are a few kilobytes.
	maxJWKSBytes = 1 << 20
)

// throttledKeySet is an oidc.KeySet that fetches the JWKS on first use and
// again, for a kid it does not hold, at most once a jwksRefetchEvery.
// Concurrent callers share one fetch.
type throttledKeySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	fetch sync.Mutex // held for the length of one fetch

	mu          sync.Mutex
	keys        []jose.JSONWebKey
	haveKeys    bool
	lastAttempt time.Time
	attempts    int // fetches started; lets a waiter see one finish
}

func newThrottledKeySet(url string, client *http.Client, now func() time.Time) *throttledKeySet {
	return &throttledKeySet{url: url, client: client, now: now}
}

// VerifySignature implements oidc.KeySet. Errors say "failed to verify"
// or "fetching keys", which classify reads.
func (k *throttledKeySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("oidc: malformed jwt: %w", err)
	}
	kid := ""
	if len(jws.Signatures) > 0 {
		kid = jws.Signatures[0].Header.KeyID
	}
	keys, seen := k.cached()
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	if keys, err = k.refresh(ctx, seen); err != nil {
		return nil, fmt.Errorf("fetching keys %w", err)
	}
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	return nil, errors.New("failed to verify id token signature")
}

func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) ([]byte, bool) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

func (k *throttledKeySet) cached() ([]jose.JSONWebKey, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys, k.attempts
}

// refresh fetches the key set unless one was fetched too recently, and
// returns the keys held afterwards. The fetch does not run on the caller's
// context: a client that gives up must not spend the minute's one fetch.
func (k *throttledKeySet) refresh(ctx context.Context, seen int) ([]jose.JSONWebKey, error) {
	type result struct {
		keys []jose.JSONWebKey
		err  error
	}
	done := make(chan result, 1)
	go func() {
		keys, err := k.refreshAfter(seen)
		done <- result{keys, err}
	}()
	select {
	case r := <-done:
		return r.keys, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refreshAfter does refresh's work. seen is the number of fetches the
// caller knew of: if another started since, its keys are used.
func (k *throttledKeySet) refreshAfter(seen int) ([]jose.JSONWebKey, error) {
	k.fetch.Lock()
	defer k.fetch.Unlock()
	k.mu.Lock()
	wait := jwksRefetchEvery
	if !k.haveKeys {
		wait = jwksRetryEvery
	}
	if k.attempts != seen || (k.attempts > 0 && k.now().Sub(k.lastAttempt) < wait) {
		keys, have := k.keys, k.haveKeys
		k.mu.Unlock()
		if !have {
			return nil, errors.New("no key set fetched yet")
		}
		return keys, nil
	}
	k.attempts++
	k.lastAttempt = k.now()
	k.mu.Unlock()

	keys, err := k.get()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys, k.haveKeys = keys, true
	k.mu.Unlock()
	return keys, nil
}

// get fetches the key set; the client's timeout bounds it.
func (k *throttledKeySet) get() ([]jose.JSONWebKey, error) {
	req, err := http.NewRequest(http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	res, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(res.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return nil, errors.New("the key set is not JSON")
	}
	return set.Keys, nil
}
