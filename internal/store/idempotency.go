package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

type idempotencyRow struct {
	PrincipalID string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	State       string
	StatusCode  *int
	Body        []byte
	Location    *string
	Etag        *string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

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

// BeginIdempotent claims key for the principal. It returns a stored response
// to replay when the key was used before with the same request hash. A key
// still in flight is a conflict; a key reused with another body is invalid.
// The database's primary key decides races, across any number of instances.
func (db *DB) BeginIdempotent(ctx context.Context, principalID, key, hash string) (*StoredResponse, error) {
	var replay *StoredResponse
	err := db.inWrite(ctx, func(tx *gorm.DB) error {
		var row idempotencyRow
		err := tx.Where("principal_id = ? AND key = ?", principalID, key).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return tx.Create(&idempotencyRow{PrincipalID: principalID, Key: key, RequestHash: hash, State: "in_flight", CreatedAt: db.now()}).Error
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
			return tx.Model(&row).Where("principal_id = ? AND key = ?", principalID, key).Update("created_at", db.now()).Error
		}
	})
	if domain.ErrorKind(err) == domain.ECONFLICT {
		// Another instance claimed the key between our read and insert.
		return nil, domain.Errorf(domain.EINFLIGHT, "a request with this Idempotency-Key is still in progress")
	}
	return replay, err
}

// FinishIdempotent stores the response for replays.
func (db *DB) FinishIdempotent(ctx context.Context, principalID, key string, r StoredResponse) error {
	return db.inWrite(ctx, func(tx *gorm.DB) error {
		return tx.Model(&idempotencyRow{}).Where("principal_id = ? AND key = ?", principalID, key).Updates(map[string]any{
			"state": "done", "status_code": r.Status, "body": r.Body,
			"location": textCol(r.Location), "etag": textCol(r.ETag),
		}).Error
	})
}

// AbandonIdempotent releases a key whose request failed on our side, so
// the client's retry runs afresh.
func (db *DB) AbandonIdempotent(ctx context.Context, principalID, key string) error {
	return db.inWrite(ctx, func(tx *gorm.DB) error {
		return tx.Where("principal_id = ? AND key = ? AND state = ?", principalID, key, "in_flight").Delete(&idempotencyRow{}).Error
	})
}
