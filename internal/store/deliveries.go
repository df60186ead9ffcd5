package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

type deliveryRow struct {
	ID            string `gorm:"primaryKey"`
	WebhookID     string
	EventID       string
	Sequence      int64
	ConferenceID  string
	Status        string
	Attempts      int
	RoundAttempts int
	NextAttemptAt *time.Time
	LeaseUntil    *time.Time
	CreatedAt     time.Time
	DeliveredAt   *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

type attemptRow struct {
	DeliveryID  string `gorm:"primaryKey"`
	Number      int    `gorm:"primaryKey"`
	AttemptedAt time.Time
	Outcome     string
	StatusCode  *int
	DurationMs  int64
}

func (attemptRow) TableName() string { return "webhook_attempts" }

// fanOutPage is how many events FanOut moves per subscription per pass.
const fanOutPage = 500

// FanOut turns new events into deliveries, one for each enabled
// subscription of the event's organisation that wants its type. Each
// subscription keeps the last sequence it has seen, moved in the same
// transaction as the deliveries it made, so a crash never loses or
// doubles one. It reads first, and writes only when there is something to
// move. It returns how many deliveries it made.
func (db *DB) FanOut(ctx context.Context) (int, error) {
	var behind []string
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Raw(`SELECT w.id FROM webhooks w JOIN event_counters c ON c.org = w.org
			WHERE w.enabled AND w.last_sequence < c.last_sequence`).Scan(&behind).Error
	})
	if err != nil || len(behind) == 0 {
		return 0, err
	}
	made := 0
	for _, id := range behind {
		n, err := db.fanOutOne(ctx, id)
		if err != nil {
			return made, err
		}
		made += n
	}
	return made, nil
}

func (db *DB) fanOutOne(ctx context.Context, webhookID string) (int, error) {
	made := 0
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		made = 0
		var w webhookRow
		q := tx.Where("id = ? AND enabled", webhookID)
		if db.Dialect == Postgres {
			// Another instance fanning out the same subscription skips it.
			q = q.Clauses(skipLocked)
		}
		if err := q.Limit(1).Find(&w).Error; err != nil || w.ID == "" {
			return err
		}
		var types []string
		if err := json.Unmarshal([]byte(w.EventTypes), &types); err != nil {
			return err
		}
		var events []eventRow
		if err := tx.Select("id", "sequence", "type", "conference_id").Where("org = ? AND sequence > ?", w.Org, w.LastSequence).
			Order("sequence").Limit(fanOutPage).Find(&events).Error; err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		now := db.now()
		var rows []deliveryRow
		for _, e := range events {
			if slices.Contains(types, e.Type) {
				rows = append(rows, deliveryRow{
					ID: uuid.NewString(), WebhookID: w.ID, EventID: e.ID, Sequence: e.Sequence, ConferenceID: e.ConferenceID,
					Status: domain.DeliveryPending, NextAttemptAt: &now, CreatedAt: now,
				})
			}
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 200).Error; err != nil {
				return err
			}
		}
		made = len(rows)
		return tx.Model(&webhookRow{}).Where("id = ?", w.ID).Update("last_sequence", events[len(events)-1].Sequence).Error
	})
	return made, err
}

// DeliveryJob is a delivery claimed for sending: what to send, where and
// with which secret.
type DeliveryJob struct {
	ID, WebhookID, URL, Secret string
	EventID, EventType         string
	EventTime                  time.Time
	Body                       []byte
	Round                      int       // attempts in this round so far
	lease                      time.Time // the claim; recording checks it is still ours
	attempts                   int
}

// ClaimDeliveries leases up to limit due deliveries for lease, so that no
// other instance sends them meanwhile; if this one dies, the lease runs
// out and another picks them up. Per subscription and conference, only the
// earliest pending delivery is due, so a receiver hears of one conference
// in sequence order. On PostgreSQL the claim skips rows another instance
// is claiming (FOR UPDATE SKIP LOCKED); SQLite has one writer.
func (db *DB) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]DeliveryJob, error) {
	now := db.now()
	// Look before taking the writer: most passes find nothing due.
	var due []string
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Model(&deliveryRow{}).Where("status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)", domain.DeliveryPending, now, now).
			Limit(1).Pluck("id", &due).Error
	})
	if err != nil || len(due) == 0 {
		return nil, err
	}
	var jobs []DeliveryJob
	err = db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		jobs = nil
		lock := ""
		if db.Dialect == Postgres {
			lock = " FOR UPDATE OF d SKIP LOCKED"
		}
		var rows []deliveryRow
		err := tx.Raw(`SELECT d.* FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) AND w.enabled
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id
				AND e.conference_id = d.conference_id AND e.sequence < d.sequence AND e.status = 'pending')
			ORDER BY d.next_attempt_at, d.sequence LIMIT ?`+lock, now, now, limit).Scan(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		until := now.Add(lease)
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		if err := tx.Model(&deliveryRow{}).Where("id IN ?", ids).Update("lease_until", until).Error; err != nil {
			return err
		}
		hookIDs, eventIDs := make([]string, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			hookIDs[i], eventIDs[i] = r.WebhookID, r.EventID
		}
		var hooks []webhookRow
		if err := tx.Select("id", "url", "secret").Where("id IN ?", hookIDs).Find(&hooks).Error; err != nil {
			return err
		}
		var events []eventRow
		if err := tx.Where("id IN ?", eventIDs).Find(&events).Error; err != nil {
			return err
		}
		hookByID, eventByID := map[string]webhookRow{}, map[string]eventRow{}
		for _, w := range hooks {
			hookByID[w.ID] = w
		}
		for _, e := range events {
			eventByID[e.ID] = e
		}
		for _, r := range rows {
			w, e := hookByID[r.WebhookID], eventByID[r.EventID]
			body, err := json.Marshal(e.event())
			if err != nil {
				return err
			}
			jobs = append(jobs, DeliveryJob{
				ID: r.ID, WebhookID: w.ID, URL: w.URL, Secret: w.Secret, EventID: e.ID, EventType: e.Type,
				EventTime: e.OccurredAt.UTC(), Body: body, Round: r.RoundAttempts, lease: until, attempts: r.Attempts,
			})
		}
		return nil
	})
	return jobs, err
}

// AttemptResult is how one try went, and what follows: another try after
// RetryIn, or none (Dead) when the round's tries are used up.
type AttemptResult struct {
	Outcome    string
	StatusCode int
	Duration   time.Duration
	RetryIn    time.Duration
	Dead       bool
}

// RecordAttempt stores a try and its consequence. If the claim ran out and
// another instance took the delivery over, the try is forgotten: the
// receiver may hear of the event twice, which at-least-once allows. It
// reports whether the subscription was disabled by this result.
func (db *DB) RecordAttempt(ctx context.Context, job DeliveryJob, res AttemptResult) (disabled bool, err error) {
	now := db.now()
	err = db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		disabled = false
		updates := map[string]any{"attempts": job.attempts + 1, "round_attempts": job.Round + 1, "lease_until": nil}
		switch {
		case res.Outcome == domain.OutcomeDelivered:
			updates["status"], updates["delivered_at"], updates["next_attempt_at"] = domain.DeliveryDelivered, now, nil
		case res.Dead:
			updates["status"], updates["next_attempt_at"] = domain.DeliveryDead, nil
		default:
			// At the precision both databases keep, so that it compares as stored.
			updates["next_attempt_at"] = now.Add(res.RetryIn).Truncate(time.Microsecond)
		}
		upd := tx.Model(&deliveryRow{}).Where("id = ? AND status = ? AND lease_until = ?", job.ID, domain.DeliveryPending, job.lease).Updates(updates)
		if upd.Error != nil || upd.RowsAffected == 0 {
			return upd.Error
		}
		a := attemptRow{DeliveryID: job.ID, Number: job.attempts + 1, AttemptedAt: now, Outcome: res.Outcome, DurationMs: res.Duration.Milliseconds()}
		if res.StatusCode != 0 {
			a.StatusCode = &res.StatusCode
		}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		switch {
		case res.Outcome == domain.OutcomeDelivered:
			return tx.Model(&webhookRow{}).Where("id = ? AND consecutive_dead > 0", job.WebhookID).Update("consecutive_dead", 0).Error
		case res.Dead:
			var w webhookRow
			if err := db.forUpdate(tx).Where("id = ?", job.WebhookID).Take(&w).Error; err != nil {
				return err
			}
			w.ConsecutiveDead++
			cols := map[string]any{"consecutive_dead": w.ConsecutiveDead}
			last := domain.Attempt{Outcome: res.Outcome, StatusCode: res.StatusCode}
			if reason, off := domain.DisabledAfter(w.ConsecutiveDead, last); off && w.Enabled {
				disabled = true
				cols["enabled"], cols["disabled_at"], cols["disabled_reason"] = false, now, reason
			}
			return tx.Model(&webhookRow{}).Where("id = ?", w.ID).Updates(cols).Error
		}
		return nil
	})
	return disabled, err
}

// DeliveryPage asks for one page of a subscription's deliveries.
type DeliveryPage struct {
	Status string // empty for all
	After  int64  // the sequence of the last delivery of the previous page
	Limit  int
}

// Deliveries lists a subscription's deliveries in sequence order, each
// with its attempts.
func (db *DB) Deliveries(ctx context.Context, p domain.Principal, webhookID string, page DeliveryPage) ([]domain.Delivery, error) {
	var out []domain.Delivery
	err := db.inRead(ctx, func(t *Tx) error {
		tx := t.orm()
		var w webhookRow
		if err := findWebhook(tx.Select("id"), p.Org, webhookID, &w); err != nil {
			return err
		}
		q := tx.Where("webhook_id = ? AND sequence > ?", w.ID, page.After)
		if page.Status != "" {
			q = q.Where("status = ?", page.Status)
		}
		var rows []deliveryRow
		if err := q.Order("sequence").Limit(page.Limit).Find(&rows).Error; err != nil {
			return err
		}
		var err error
		out, err = deliveriesWithAttempts(tx, rows)
		return err
	})
	return out, err
}

func deliveriesWithAttempts(tx *gorm.DB, rows []deliveryRow) ([]domain.Delivery, error) {
	out := make([]domain.Delivery, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids, eventIDs := make([]string, len(rows)), make([]string, len(rows))
	byID := map[string]*domain.Delivery{}
	for i, r := range rows {
		ids[i], eventIDs[i] = r.ID, r.EventID
		out[i] = domain.Delivery{
			ID: r.ID, EventID: r.EventID, Sequence: r.Sequence, ConferenceID: r.ConferenceID, Status: r.Status,
			NextAttemptAt: utc(r.NextAttemptAt), DeliveredAt: utc(r.DeliveredAt), CreatedAt: r.CreatedAt.UTC(), Attempts: []domain.Attempt{},
		}
		byID[r.ID] = &out[i]
	}
	var events []eventRow
	if err := tx.Select("id", "type").Where("id IN ?", eventIDs).Find(&events).Error; err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, e := range events {
		types[e.ID] = e.Type
	}
	for i := range out {
		out[i].EventType = types[out[i].EventID]
	}
	var attempts []attemptRow
	if err := tx.Where("delivery_id IN ?", ids).Order("delivery_id, number").Find(&attempts).Error; err != nil {
		return nil, err
	}
	for _, a := range attempts {
		d := byID[a.DeliveryID]
		at := domain.Attempt{Number: a.Number, AttemptedAt: a.AttemptedAt.UTC(), Outcome: a.Outcome, DurationMS: a.DurationMs}
		if a.StatusCode != nil {
			at.StatusCode = *a.StatusCode
		}
		d.Attempts = append(d.Attempts, at)
	}
	return out, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Redeliver sends a delivery again with a fresh round of tries, whether it
// died or was delivered; one still pending is a conflict.
func (db *DB) Redeliver(ctx context.Context, p domain.Principal, webhookID, deliveryID string) (domain.Delivery, error) {
	var out domain.Delivery
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var w webhookRow
		if err := findWebhook(tx, p.Org, webhookID, &w); err != nil {
			return err
		}
		var row deliveryRow
		if uuid.Validate(deliveryID) != nil {
			return domain.Errorf(domain.ENOTFOUND, "delivery not found")
		}
		if err := db.forUpdate(tx).Where("id = ? AND webhook_id = ?", deliveryID, w.ID).Limit(1).Find(&row).Error; err != nil {
			return err
		}
		if row.ID == "" {
			return domain.Errorf(domain.ENOTFOUND, "delivery not found")
		}
		if row.Status == domain.DeliveryPending {
			return domain.Errorf(domain.ECONFLICT, "the delivery is still being tried")
		}
		now := db.now()
		row.Status, row.RoundAttempts, row.NextAttemptAt, row.LeaseUntil = domain.DeliveryPending, 0, &now, nil
		if err := tx.Model(&row).Select("status", "round_attempts", "next_attempt_at", "lease_until").Updates(&row).Error; err != nil {
			return err
		}
		if err := db.auditIn(t, p, domain.Change{Action: "update", Entity: "webhook_delivery", EntityID: row.ID, Before: map[string]any{}, After: map[string]any{"redeliver": true}}); err != nil {
			return err
		}
		ds, err := deliveriesWithAttempts(tx, []deliveryRow{row})
		if err != nil {
			return err
		}
		out = ds[0]
		return nil
	})
	return out, err
}

// PendingDeliveries returns how many deliveries are waiting to be sent.
func (db *DB) PendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Model(&deliveryRow{}).Where("status = ?", domain.DeliveryPending).Count(&n).Error
	})
	return n, err
}
