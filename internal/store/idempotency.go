package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

type idempotencyRow struct {
	Org           string `gorm:"primaryKey"`
	PrincipalKind string `gorm:"primaryKey"`
	PrincipalID   string `gorm:"primaryKey"`
	Key           string `gorm:"primaryKey"`
	RequestHash   string
	State         string
	StatusCode    *int
	Body          []byte
	Location      *string
	Etag          *string
	CreatedAt     time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_records" }

// StoredResponse is the response replayed for a repeated Idempotency-Key.
type StoredResponse struct {
	Status   int
	Body     []byte
	Location string
	ETag     string
}

// abandonAfter is how long an in-flight key blocks a retry before it is
// taken as abandoned (its server died between write and record).
const abandonAfter = 2 * time.Minute

// ownedBy selects p's record for key. A record belongs to one principal in
// one organisation: ids are unique only within their kind and organisation.
func ownedBy(tx *gorm.DB, p domain.Principal, key string) *gorm.DB {
	return tx.Where("org = ? AND principal_kind = ? AND principal_id = ? AND key = ?", p.Org, string(p.Kind), p.ID, key)
}

// BeginIdempotent claims key for the principal. It returns a stored response
// to replay when the key was used before with the same request hash. A key
// still in flight is a conflict; a key reused with another body is invalid.
// The database's primary key decides races, across any number of instances.
func (db *DB) BeginIdempotent(ctx context.Context, p domain.Principal, key, hash string) (*StoredResponse, error) {
	var replay *StoredResponse
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var row idempotencyRow
		err := ownedBy(tx, p, key).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return tx.Create(&idempotencyRow{Org: p.Org, PrincipalKind: string(p.Kind), PrincipalID: p.ID, Key: key, RequestHash: hash, State: "in_flight", CreatedAt: db.now()}).Error
		case err != nil:
			return err
		case row.RequestHash != hash:
			return domain.Invalid(domain.FieldError{Field: "Idempotency-Key", Message: "was already used with a different request"})
		case row.State == "done":
			replay = &StoredResponse{Status: *row.StatusCode, Body: row.Body, Location: colText(row.Location), ETag: colText(row.Etag)}
			return nil
		case db.Now().Sub(row.CreatedAt) < abandonAfter:
			return domain.Errorf(domain.EINFLIGHT, "a request with this Idempotency-Key is still in progress")
		default:
			return ownedBy(tx.Model(&row), p, key).Update("created_at", db.now()).Error
		}
	})
	if domain.ErrorKind(err) == domain.ECONFLICT {
		// Another instance claimed the key between our read and insert.
		return nil, domain.Errorf(domain.EINFLIGHT, "a request with this Idempotency-Key is still in progress")
	}
	return replay, err
}

// FinishIdempotent stores the response for replays.
func (db *DB) FinishIdempotent(ctx context.Context, p domain.Principal, key string, r StoredResponse) error {
	return db.inWrite(ctx, func(t *Tx) error {
		return ownedBy(t.orm().Model(&idempotencyRow{}), p, key).Updates(map[string]any{
			"state": "done", "status_code": r.Status, "body": r.Body,
			"location": textCol(r.Location), "etag": textCol(r.ETag),
		}).Error
	})
}

// AbandonIdempotent releases a key whose request failed on our side, so
// the client's retry runs afresh.
func (db *DB) AbandonIdempotent(ctx context.Context, p domain.Principal, key string) error {
	return db.inWrite(ctx, func(t *Tx) error {
		return ownedBy(t.orm(), p, key).Where("state = ?", "in_flight").Delete(&idempotencyRow{}).Error
	})
}
