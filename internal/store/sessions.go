package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/cpcready/cpcready/internal/domain"
)

// Sessions keeps the web app's sessions in the service's own database, as
// an scs store. It is written here rather than taken from scs's stores
// because those open their own statements on a *sql.DB: this one goes
// through the store's writer (SQLite's single writer and its group commit)
// and works on both dialects with one piece of code.
//
// Expiry is wall-clock time, as the session manager works it out, not the
// store's (settable) clock.
type Sessions struct{ db *DB }

// Sessions returns the session store on db.
func (db *DB) Sessions() *Sessions { return &Sessions{db: db} }

type sessionRow struct {
	Token  string `gorm:"primaryKey"`
	Data   []byte
	Expiry int64 // Unix milliseconds
}

func (sessionRow) TableName() string { return "web_sessions" }

// FindCtx returns a live session's data.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row sessionRow
	err := s.db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Where("token = ? AND expiry > ?", token, time.Now().UnixMilli()).Take(&row).Error
	})
	if domain.ErrorKind(err) == domain.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return row.Data, true, nil
}

// CommitCtx stores a session's data until expiry.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := sessionRow{Token: token, Data: b, Expiry: expiry.UnixMilli()}
	return s.db.inWrite(ctx, func(t *Tx) error {
		return t.orm().Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "token"}}, DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"})}).Create(&row).Error
	})
}

// DeleteCtx ends a session.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	return s.db.inWrite(ctx, func(t *Tx) error {
		return t.orm().Where("token = ?", token).Delete(&sessionRow{}).Error
	})
}

// Find, Commit and Delete are the context-free forms scs.Store requires;
// the session manager calls the Ctx forms.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) error {
	return db.inWrite(ctx, func(t *Tx) error {
		return t.orm().Where("expiry <= ?", time.Now().UnixMilli()).Delete(&sessionRow{}).Error
	})
}
