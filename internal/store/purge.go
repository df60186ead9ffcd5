package store

import (
	"context"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Purger is the principal the audit trail names for retention purges.
var Purger = domain.Principal{Kind: domain.PrincipalSystem, ID: "system:purge", Name: "retention purge", Role: "system"}

// idempotencyWindow is how long a stored response is kept for replays.
// Case systems retry within minutes; a day covers an overnight outage.
const idempotencyWindow = 24 * time.Hour

var toPurge = newQuery("SELECT id, org FROM conferences WHERE scheduled_start < ? AND purged_at IS NULL ORDER BY scheduled_start")

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
	err := db.inReadOne(ctx, func(t *Tx) error {
		var err error
		rows, err = selectRows(t, func(r *conferenceRow) []any { return []any{&r.ID, &r.Org} }, toPurge, cutoff)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		p := Purger
		p.Org = r.Org
		_, err := db.UpdateConference(ctx, p, r.ID, nil, func(c *domain.Conference) (domain.Change, error) {
			c.StripPersonalData(db.now())
			after := map[string]any{"purged_at": c.PurgedAt, "personal_data": "removed"}
			return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, Before: map[string]any{}, After: after}, nil
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// auditRetentionBatch is how many events one retention transaction
// deletes, so that it never holds the write lock for long.
const auditRetentionBatch = 5000

// ExpireAudit deletes audit events that occurred before now minus
// olderThan, with the conferences' links to the list reads among them. The
// trail is append-only by triggers; each batch deliberately opens it by
// recording, in audit_retention and inside its own transaction, the last
// id it may delete, and removes that record before it commits. It returns
// how many events it deleted.
func (db *DB) ExpireAudit(ctx context.Context, olderThan time.Duration) (int64, error) {
	cutoff := db.now().Add(-olderThan)
	var deleted int64
	for {
		var n int64
		err := db.inWrite(ctx, func(t *Tx) error {
			tx := t.orm()
			n = 0
			// Events are numbered in the order they occur, so what is due
			// is a range of ids from the oldest: a batch is the next range
			// of ids, cut short at the first event still kept.
			var first *int64
			if err := tx.Model(&auditRow{}).Select("MIN(id)").Scan(&first).Error; err != nil || first == nil {
				return err
			}
			through := *first + auditRetentionBatch - 1
			var kept []int64
			err := tx.Model(&auditRow{}).Where("id BETWEEN ? AND ? AND occurred_at >= ?", *first, through, cutoff).
				Order("id").Limit(1).Pluck("id", &kept).Error
			if err != nil {
				return err
			}
			if len(kept) > 0 {
				through = kept[0] - 1
			}
			if through < *first {
				return nil
			}
			if err := tx.Exec("INSERT INTO audit_retention (through_id) VALUES (?)", through).Error; err != nil {
				return err
			}
			if err := tx.Exec("DELETE FROM audit_listed WHERE event_id <= ?", through).Error; err != nil {
				return err
			}
			res := tx.Exec("DELETE FROM audit_events WHERE id <= ?", through)
			if res.Error != nil {
				return res.Error
			}
			n = res.RowsAffected
			return tx.Exec("DELETE FROM audit_retention").Error
		})
		if err != nil {
			return deleted, err
		}
		deleted += n
		if n == 0 {
			return deleted, nil
		}
	}
}

// ExpireIdempotency drops stored responses past their retry window: they
// hold copies of personal data and are of no more use.
func (db *DB) ExpireIdempotency(ctx context.Context) error {
	return db.inWrite(ctx, func(t *Tx) error {
		return t.orm().Where("created_at < ?", db.now().Add(-idempotencyWindow)).Delete(&idempotencyRow{}).Error
	})
}
