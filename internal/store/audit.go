package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/domain"
)

type auditRow struct {
	ID              int64 `gorm:"primaryKey;autoIncrement"`
	OccurredAt      time.Time
	ActorKind       *string
	ActorID         string
	ActorName       string
	ActorRole       string
	Org             string
	Action          string
	Entity          string
	EntityID        string
	ConferenceID    *string
	RequestID       string
	ClientRequestID *string
	Changes         *string
	// Listed are the conferences a list read showed, kept in audit_listed.
	Listed []string `gorm:"-"`
}

func (auditRow) TableName() string { return "audit_events" }

// listedRow links a list read's event to one conference it listed, so
// that the conference's history finds the event.
type listedRow struct {
	ConferenceID string `gorm:"primaryKey"`
	EventID      int64  `gorm:"primaryKey"`
}

func (listedRow) TableName() string { return "audit_listed" }

// appendAudit writes one audit row inside tx, so that the write and its
// audit row commit together or not at all.
func (db *DB) appendAudit(tx *gorm.DB, ctx context.Context, p domain.Principal, conferenceID string, ch domain.Change) error {
	row := db.auditRow(ctx, p, conferenceID, ch.Action, ch.Entity, ch.EntityID)
	if ch.Action != "read" {
		diff, err := audit.Diff(ch.Before, ch.After)
		if err != nil {
			return err
		}
		b, err := json.Marshal(diff)
		if err != nil {
			return err
		}
		s := string(b)
		row.Changes = &s
	}
	return tx.Create(&row).Error
}

func (db *DB) auditRow(ctx context.Context, p domain.Principal, conferenceID, action, entity, entityID string) auditRow {
	return auditRow{
		OccurredAt: db.now(), ActorKind: textCol(string(p.Kind)), ActorID: p.ID, ActorName: p.Name, ActorRole: string(p.Role), Org: p.Org,
		Action: action, Entity: entity, EntityID: entityID, ConferenceID: textCol(conferenceID),
		RequestID: domain.RequestIDFrom(ctx), ClientRequestID: textCol(domain.ClientRequestIDFrom(ctx)),
	}
}

// AuditRead records that p read an entity. A read that cannot be audited
// fails, so that nobody sees a family's record without a trace.
func (db *DB) AuditRead(ctx context.Context, p domain.Principal, entity, entityID, conferenceID string) error {
	return db.appendReads(ctx, []auditRow{db.auditRow(ctx, p, conferenceID, "read", entity, entityID)})
}

// appendReads makes audit rows of reads durable. On SQLite the rows of
// reads arriving together go in as one insert.
func (db *DB) appendReads(ctx context.Context, rows []auditRow) error {
	if db.commits != nil {
		return db.commits.appendReads(ctx, rows)
	}
	return db.writeAlone(ctx, insertRows(rows))
}

// auditListed records a list read as one event, linked to each conference
// it listed, so that a conference's history shows who saw it in a list
// too while a page of 200 costs one event, not 200.
func (db *DB) auditListed(ctx context.Context, p domain.Principal, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	row := db.auditRow(ctx, p, "", "read", "conference_list", "conferences")
	row.Listed = ids
	return db.appendReads(ctx, []auditRow{row})
}

// AuditWrite records a change that is not part of a conference, such as a
// policy or an API key, in its own transaction with the change itself.
func (db *DB) auditIn(tx *gorm.DB, ctx context.Context, p domain.Principal, ch domain.Change) error {
	return db.appendAudit(tx, ctx, p, "", ch)
}

// HistoryPage asks for one page of a conference's audit trail.
type HistoryPage struct {
	NewestFirst bool
	After       int64 // the cursor: the last id of the previous page
	Limit       int
}

// History returns one page of a conference's audit trail, and audits the
// read. The conference must belong to p's organisation.
func (db *DB) History(ctx context.Context, p domain.Principal, conferenceID string, page HistoryPage) ([]audit.Event, error) {
	// As findAggregate: anything but a UUID names no conference, and
	// must not reach PostgreSQL, which refuses text that is not UTF-8.
	if uuid.Validate(conferenceID) != nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	var rows []auditRow
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var c conferenceRow
		if err := tx.Select("id").Where("id = ? AND org = ?", conferenceID, p.Org).Take(&c).Error; err != nil {
			return err
		}
		return conferenceEvents(tx, p.Org, conferenceID, page).Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	if err := db.AuditRead(ctx, p, "history", conferenceID, conferenceID); err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// PolicyHistory returns one page of the changes to p's organisation's
// policy, and audits the read.
func (db *DB) PolicyHistory(ctx context.Context, p domain.Principal, page HistoryPage) ([]audit.Event, error) {
	var rows []auditRow
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		q := tx.Where("org = ? AND conference_id IS NULL AND entity = ?", p.Org, "policy")
		return pageOf(q, page).Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	if err := db.AuditRead(ctx, p, "policy_history", p.Org, ""); err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// conferenceEvents selects one page of a conference's events: its own,
// and the list reads linked to it in audit_listed. Each source is read
// along its own index and cut to a page before the two are merged, so the
// read costs a page whatever the size of the trail.
func conferenceEvents(tx *gorm.DB, org, conferenceID string, page HistoryPage) *gorm.DB {
	cmp, dir, after := ">", "ASC", page.After
	if page.NewestFirst {
		cmp, dir = "<", "DESC"
		if after <= 0 {
			after = math.MaxInt64
		}
	}
	ids := fmt.Sprintf(`id IN (
		SELECT id FROM (SELECT id FROM audit_events WHERE org = ? AND conference_id = ? AND id %[1]s ? ORDER BY id %[2]s LIMIT ?) own
		UNION ALL
		SELECT event_id FROM (SELECT event_id FROM audit_listed WHERE conference_id = ? AND event_id %[1]s ? ORDER BY event_id %[2]s LIMIT ?) listed)`, cmp, dir)
	// No organisation filter outside: both sources are already of org's
	// conference, and one would tempt SQLite to scan org's whole trail.
	return tx.Where(ids, org, conferenceID, after, page.Limit, conferenceID, after, page.Limit).
		Order("id " + dir).Limit(page.Limit)
}

// pageOf orders q by id and takes one page after the cursor.
func pageOf(q *gorm.DB, page HistoryPage) *gorm.DB {
	if page.NewestFirst {
		if page.After > 0 {
			q = q.Where("id < ?", page.After)
		}
		q = q.Order("id DESC")
	} else {
		q = q.Where("id > ?", page.After).Order("id")
	}
	return q.Limit(page.Limit)
}

func toEvents(rows []auditRow) []audit.Event {
	out := make([]audit.Event, 0, len(rows))
	for _, r := range rows {
		e := audit.Event{
			ID: r.ID, OccurredAt: r.OccurredAt.UTC(),
			Actor:  audit.Actor{Kind: colText(r.ActorKind), ID: r.ActorID, Name: r.ActorName, Role: r.ActorRole},
			Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
			ConferenceID: colText(r.ConferenceID), RequestID: r.RequestID, ClientRequestID: colText(r.ClientRequestID),
		}
		if r.Changes != nil {
			_ = json.Unmarshal([]byte(*r.Changes), &e.Changes)
		}
		out = append(out, e)
	}
	return out
}
