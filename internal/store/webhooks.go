package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

type webhookRow struct {
	ID              string `gorm:"primaryKey"`
	Org             string
	URL             string `gorm:"column:url"`
	EventTypes      string
	Secret          string
	Enabled         bool
	DisabledReason  *string
	DisabledAt      *time.Time
	ConsecutiveDead int
	LastSequence    int64
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) webhook() (domain.Webhook, error) {
	enabled := r.Enabled
	w := domain.Webhook{
		ID: r.ID, WebhookFields: domain.WebhookFields{URL: r.URL, Enabled: &enabled},
		DisabledReason: colText(r.DisabledReason), DisabledAt: r.DisabledAt,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.DisabledAt != nil {
		t := r.DisabledAt.UTC()
		w.DisabledAt = &t
	}
	return w, json.Unmarshal([]byte(r.EventTypes), &w.EventTypes)
}

// CreateWebhook adds a subscription for p's organisation. It hears of
// events from now on, not of those before it. The result carries the
// secret; nothing else ever returns it.
func (db *DB) CreateWebhook(ctx context.Context, p domain.Principal, f domain.WebhookFields) (domain.Webhook, error) {
	now := db.now()
	types, err := json.Marshal(f.EventTypes)
	if err != nil {
		return domain.Webhook{}, err
	}
	row := webhookRow{ID: uuid.NewString(), Org: p.Org, URL: f.URL, EventTypes: string(types), Secret: domain.NewWebhookSecret(), Enabled: f.IsEnabled(), Version: 1, CreatedAt: now, UpdatedAt: now}
	err = db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var count int64
		if err := tx.Model(&webhookRow{}).Where("org = ?", p.Org).Count(&count).Error; err != nil {
			return err
		}
		if count >= domain.MaxWebhooks {
			return domain.Errorf(domain.ECONFLICT, "an organisation has at most %d webhooks", domain.MaxWebhooks)
		}
		var counter struct{ LastSequence int64 }
		err := tx.Table("event_counters").Select("last_sequence").Where("org = ?", p.Org).Take(&counter).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		row.LastSequence = counter.LastSequence
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		w, err := row.webhook()
		if err != nil {
			return err
		}
		return db.auditIn(t, p, domain.Change{Action: "create", Entity: "webhook", EntityID: row.ID, After: w.Audited()})
	})
	if err != nil {
		return domain.Webhook{}, err
	}
	w, err := row.webhook()
	w.Secret = row.Secret
	return w, err
}

// Webhooks lists p's organisation's subscriptions, oldest first.
func (db *DB) Webhooks(ctx context.Context, p domain.Principal) ([]domain.Webhook, error) {
	var rows []webhookRow
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Where("org = ?", p.Org).Order("created_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Webhook, len(rows))
	for i, r := range rows {
		if out[i], err = r.webhook(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Webhook returns one of p's organisation's subscriptions.
func (db *DB) Webhook(ctx context.Context, p domain.Principal, id string) (domain.Webhook, error) {
	var row webhookRow
	err := db.inReadOne(ctx, func(t *Tx) error { return findWebhook(t.orm(), p.Org, id, &row) })
	if err != nil {
		return domain.Webhook{}, err
	}
	return row.webhook()
}

func findWebhook(q *gorm.DB, org, id string, row *webhookRow) error {
	if uuid.Validate(id) != nil {
		return domain.Errorf(domain.ENOTFOUND, "webhook not found")
	}
	err := q.Where("id = ? AND org = ?", id, org).Take(row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Errorf(domain.ENOTFOUND, "webhook not found")
	}
	return err
}

// UpdateWebhook applies change to a subscription, checking ifMatch against
// its version. Enabling it again clears the reason it was disabled and
// gives the receiver a fresh start.
func (db *DB) UpdateWebhook(ctx context.Context, p domain.Principal, id string, ifMatch *int, change func(f *domain.WebhookFields) error) (domain.Webhook, error) {
	var out domain.Webhook
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var row webhookRow
		if err := findWebhook(db.forUpdate(tx), p.Org, id, &row); err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != row.Version {
			return domain.Errorf(domain.EPRECONDITION, "the webhook has changed: version is %d", row.Version)
		}
		before, err := row.webhook()
		if err != nil {
			return err
		}
		f := before.WebhookFields
		f.EventTypes = append([]string(nil), f.EventTypes...)
		if err := change(&f); err != nil {
			return err
		}
		types, err := json.Marshal(f.EventTypes)
		if err != nil {
			return err
		}
		if before.Reenabled(f) {
			row.DisabledReason, row.DisabledAt, row.ConsecutiveDead = nil, nil, 0
		}
		row.URL, row.EventTypes, row.Enabled = f.URL, string(types), f.IsEnabled()
		row.Version++
		row.UpdatedAt = db.now()
		if err := tx.Model(&row).Select("*").Updates(&row).Error; err != nil {
			return err
		}
		if out, err = row.webhook(); err != nil {
			return err
		}
		return db.auditIn(t, p, domain.Change{Action: "update", Entity: "webhook", EntityID: row.ID, Before: before.Audited(), After: out.Audited()})
	})
	return out, err
}

// RotateWebhookSecret gives a subscription a new secret and returns it.
// Deliveries from then on are signed with the new one.
func (db *DB) RotateWebhookSecret(ctx context.Context, p domain.Principal, id string) (domain.Webhook, error) {
	var out domain.Webhook
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var row webhookRow
		if err := findWebhook(db.forUpdate(tx), p.Org, id, &row); err != nil {
			return err
		}
		row.Secret = domain.NewWebhookSecret()
		row.Version++
		row.UpdatedAt = db.now()
		if err := tx.Model(&row).Select("secret", "version", "updated_at").Updates(&row).Error; err != nil {
			return err
		}
		var err error
		if out, err = row.webhook(); err != nil {
			return err
		}
		out.Secret = row.Secret
		return db.auditIn(t, p, domain.Change{Action: "update", Entity: "webhook_secret", EntityID: row.ID, Before: map[string]any{}, After: map[string]any{"secret": "rotated"}})
	})
	return out, err
}

// DeleteWebhook removes a subscription and its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, p domain.Principal, id string) error {
	return db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var row webhookRow
		if err := findWebhook(tx, p.Org, id, &row); err != nil {
			return err
		}
		before, err := row.webhook()
		if err != nil {
			return err
		}
		if err := tx.Delete(&row).Error; err != nil {
			return err
		}
		return db.auditIn(t, p, domain.Change{Action: "delete", Entity: "webhook", EntityID: row.ID, Before: before.Audited()})
	})
}
