package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

// Purger is the principal the audit trail names for retention purges.
var Purger = domain.Principal{Kind: domain.PrincipalSystem, ID: "system:purge", Name: "retention purge", Role: "system"}

// idempotencyWindow is how long a stored response is kept for replays.
// Case systems retry within minutes; a day covers an overnight outage.
const idempotencyWindow = 24 * time.Hour

// Purge strips personal data from conferences whose date is before now
// minus olderThan, whatever their status: held, cancelled, postponed and
// never rescheduled, or never updated after the day. Each is purged in its
// own transaction, through the same path as any write, so it is
// re-evaluated, versioned and audited. Stored idempotent responses, which
// hold copies of personal data, are dropped once past their retry window.
// It returns how many conferences it purged.
func (db *DB) Purge(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := db.Now().Add(-olderThan).UTC()
	if err := db.ExpireIdempotency(ctx); err != nil {
		return 0, err
	}
	var rows []conferenceRow
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		return tx.Select("id", "org").
			Where("scheduled_start < ? AND purged_at IS NULL", cutoff).
			Order("scheduled_start").Find(&rows).Error
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		p := Purger
		p.Org = r.Org
		_, err := db.UpdateConference(ctx, p, r.ID, nil, func(c *domain.Conference) (Change, error) {
			c.StripPersonalData(db.now())
			after := map[string]any{"purged_at": c.PurgedAt, "personal_data": "removed"}
			return Change{Action: "update", Entity: "conference", EntityID: c.ID, Before: map[string]any{}, After: after}, nil
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ExpireIdempotency drops stored responses past their retry window: they
// hold copies of personal data and are of no more use.
func (db *DB) ExpireIdempotency(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *gorm.DB) error {
		return tx.Where("created_at < ?", db.now().Add(-idempotencyWindow)).Delete(&idempotencyRow{}).Error
	})
}
