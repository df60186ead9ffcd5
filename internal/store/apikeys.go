package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

type apiKeyRow struct {
	ID        string `gorm:"primaryKey"`
	Org       string
	Role      string
	Name      string
	Hash      string
	RateLimit float64
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

// APIKey describes a stored key; the key itself is never stored.
type APIKey struct {
	ID        string     `json:"id"`
	Org       string     `json:"org"`
	Role      string     `json:"role"`
	Name      string     `json:"name"`
	RateLimit float64    `json:"rate_limit"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateAPIKey stores the hash of a new key with the default rate limit.
func (db *DB) CreateAPIKey(ctx context.Context, org string, role domain.Role, name, hash string) (APIKey, error) {
	return db.CreateAPIKeyWithRate(ctx, org, role, name, hash, domain.DefaultKeyRateLimit)
}

// CreateAPIKeyWithRate stores the hash of a new key allowed perSecond
// requests a second. The organisation must be an organisation code.
func (db *DB) CreateAPIKeyWithRate(ctx context.Context, org string, role domain.Role, name, hash string, perSecond float64) (APIKey, error) {
	if !domain.ValidOrg(org) {
		return APIKey{}, domain.Invalid(domain.FieldError{Field: "org", Message: "must be 1 to 16 upper-case letters and digits, such as E09000006"})
	}
	if !(perSecond > 0 && perSecond <= domain.MaxKeyRateLimit) {
		return APIKey{}, domain.Invalid(domain.FieldError{Field: "rate_limit", Message: "must be more than 0 and at most 1000000 requests a second"})
	}
	row := apiKeyRow{ID: uuid.NewString(), Org: org, Role: string(role), Name: name, Hash: hash, RateLimit: perSecond, CreatedAt: db.now()}
	err := db.inWrite(ctx, func(t *Tx) error { return t.orm().Create(&row).Error })
	return toAPIKey(row), err
}

// APIKeyByHash finds a live key by the hash of the presented secret. The
// lookup is by an index on the hash: the hash of a random 256-bit key
// reveals nothing to a timing attack, and the caller compares the hash
// again in constant time.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (domain.Principal, string, error) {
	var row apiKeyRow
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Where("hash = ? AND revoked_at IS NULL", hash).Take(&row).Error
	})
	return domain.Principal{ID: row.ID, Name: row.Name, Role: domain.Role(row.Role), Org: row.Org, Kind: domain.PrincipalKey, RateLimit: row.RateLimit}, row.Hash, err
}

// APIKeys lists every key, newest first.
func (db *DB) APIKeys(ctx context.Context) ([]APIKey, error) {
	var rows []apiKeyRow
	err := db.inReadOne(ctx, func(t *Tx) error { return t.orm().Order("created_at DESC").Find(&rows).Error })
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = toAPIKey(r)
	}
	return out, err
}

// RevokeAPIKey stops a key from working.
func (db *DB) RevokeAPIKey(ctx context.Context, id string) error {
	return db.inWrite(ctx, func(t *Tx) error {
		res := t.orm().Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", db.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.Errorf(domain.ENOTFOUND, "no live key with that id")
		}
		return nil
	})
}

func toAPIKey(r apiKeyRow) APIKey {
	return APIKey{ID: r.ID, Org: r.Org, Role: r.Role, Name: r.Name, RateLimit: r.RateLimit, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}
