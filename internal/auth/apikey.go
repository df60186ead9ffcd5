// Package auth turns a bearer credential into a domain.Principal: an API key
// for a case system, or an OIDC token for a member of staff. It also holds
// the one table of which role may call which operation.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// keyPrefix marks cpcready keys, so secret scanners and people can tell one
// when they see it.
const keyPrefix = "cpk_"

// NewAPIKey returns a fresh random key and the hash to store for it.
func NewAPIKey() (key, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	key = keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashAPIKey(key), nil
}

// HashAPIKey returns the hex SHA-256 of a key. Keys are 256 random bits, so
// a plain hash (not a slow password hash) is enough to make a stolen table
// useless.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyStore finds a live key by its hash.
type KeyStore interface {
	APIKeyByHash(ctx context.Context, hash string) (p domain.Principal, storedHash string, err error)
}

// Authenticator checks bearer credentials.
type Authenticator struct {
	Keys KeyStore
	// OIDC verifies staff tokens; nil when no identity provider is set up.
	OIDC *OIDC
}

// Authenticate returns the principal a bearer credential stands for. Every
// failure is EUNAUTHORIZED, except that a database that cannot be reached
// is an internal error, not a bad key.
func (a *Authenticator) Authenticate(ctx context.Context, bearer string) (domain.Principal, error) {
	if bearer == "" {
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "a bearer credential is required")
	}
	if !strings.HasPrefix(bearer, keyPrefix) {
		if a.OIDC != nil && LooksLikeJWT(bearer) {
			return a.OIDC.Verify(ctx, bearer)
		}
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "the credential is not valid")
	}
	hash := HashAPIKey(bearer)
	p, stored, err := a.Keys.APIKeyByHash(ctx, hash)
	if domain.ErrorKind(err) == domain.ENOTFOUND {
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "the credential is not valid")
	}
	if err != nil {
		return domain.Principal{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(stored)) != 1 {
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "the credential is not valid")
	}
	return p, nil
}
