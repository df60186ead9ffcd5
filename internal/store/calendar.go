package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type stateRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (stateRow) TableName() string { return "service_state" }

const calendarKey = "calendar"

// SyncReadiness makes the stored readiness summaries and findings agree
// with the rules and the working-day calendar in use (see
// readiness.Fingerprint). When the fingerprint differs from the one they
// were computed under (a new release's rules, or a new one-off bank holiday
// configured), every organisation's conferences are evaluated again. It
// returns whether it re-evaluated. Several instances starting together
// may each do it; the work is the same and the result is too.
func (db *DB) SyncReadiness(ctx context.Context, fingerprint string) (bool, error) {
	changed := false
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var st stateRow
		err := tx.Where("key = ?", calendarKey).Take(&st).Error
		if err == nil && st.Value == fingerprint {
			changed = false
			return nil
		}
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		changed = true
		var orgs []string
		if err := tx.Model(&conferenceRow{}).Distinct("org").Pluck("org", &orgs).Error; err != nil {
			return err
		}
		for _, org := range orgs {
			// The tallies are rebuilt rather than changed: rows stored
			// before measures were kept were never in them.
			if err := db.reevaluateAll(t, org, nil); err != nil {
				return err
			}
			if err := rebuildTallies(t, org); err != nil {
				return err
			}
		}
		row := stateRow{Key: calendarKey, Value: fingerprint, UpdatedAt: db.now()}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	})
	return changed, err
}
