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
}

func (auditRow) TableName() string { return "audit_events" }

func (r *auditRow) fields() []any {
	return []any{&r.OccurredAt, &r.ActorKind, &r.ActorID, &r.ActorName, &r.ActorRole, &r.Org, &r.Action, &r.Entity,
		&r.EntityID, &r.ConferenceID, &r.RequestID, &r.ClientRequestID, &r.Changes}
}

var (
	auditEvents = newTable((*auditRow).fields, manyRowChunks, "")
	// auditListRead stores a list read's event, for its id.
	auditListRead = newQuery(auditEvents.insert[len(auditEvents.insert)-1].q.text[0] + " RETURNING id")
	// auditListedIDs links a list read's event to every conference listed.
	auditListedIDs = newDialectQuery("INSERT INTO audit_listed (conference_id, event_id) SELECT value, ? FROM json_each(?)",
		"INSERT INTO audit_listed (conference_id, event_id) SELECT x, ?::bigint FROM unnest(?::text[]) AS x")
)

// listedRow links a list read's event to one conference it listed, so
// that the conference's history finds the event.
type listedRow struct {
	ConferenceID string `gorm:"primaryKey"`
	EventID      int64  `gorm:"primaryKey"`
}

func (listedRow) TableName() string { return "audit_listed" }

// appendAudit records changes inside t, so that a write and its audit
// rows commit together or not at all.
func (db *DB) appendAudit(t *Tx, p domain.Principal, conferenceID string, changes ...domain.Change) error {
	rows := make([]auditRow, len(changes))
	for i, ch := range changes {
		rows[i] = db.auditRow(t.ctx, p, conferenceID, ch.Action, ch.Entity, ch.EntityID)
		diff, err := audit.Diff(ch.Before, ch.After)
		if err != nil {
			return err
		}
		b, err := json.Marshal(diff)
		if err != nil {
			return err
		}
		s := string(b)
		rows[i].Changes = &s
	}
	return auditEvents.add(t, rows)
}

func (db *DB) auditRow(ctx context.Context, p domain.Principal, conferenceID, action, entity, entityID string) auditRow {
	return auditRow{
		OccurredAt: db.now(), ActorKind: textCol(string(p.Kind)), ActorID: p.ID, ActorName: p.Name, ActorRole: string(p.Role), Org: p.Org,
		Action: action, Entity: entity, EntityID: entityID, ConferenceID: textCol(conferenceID),
		RequestID: domain.RequestIDFrom(ctx), ClientRequestID: textCol(domain.ClientRequestIDFrom(ctx)),
	}
}

// AuditRead records that p read an entity. A read that cannot be audited
// fails, so that nobody sees a family's record without a trace. On SQLite
// the reads that arrive together share a commit, as writes do.
func (db *DB) AuditRead(ctx context.Context, p domain.Principal, entity, entityID, conferenceID string) error {
	row := db.auditRow(ctx, p, conferenceID, "read", entity, entityID)
	return db.inWriteOne(ctx, func(t *Tx) error { return auditEvents.add(t, []auditRow{row}) })
}

// auditListed records a list read as one event, linked to each conference
// it listed, so that a conference's history shows who saw it in a list
// too while a page of 200 costs one event, not 200.
func (db *DB) auditListed(ctx context.Context, p domain.Principal, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	row := db.auditRow(ctx, p, "", "read", "conference_list", "conferences")
	return db.inWrite(ctx, func(t *Tx) error {
		var id int64
		if err := t.scan(auditListRead, row.fields(), &id); err != nil {
			return err
		}
		_, err := t.exec(auditListedIDs, id, db.list(ids))
		return err
	})
}

// auditIn records a change that is not part of a conference, such as a
// policy or a webhook, in the transaction of the change itself.
func (db *DB) auditIn(t *Tx, p domain.Principal, ch domain.Change) error {
	return db.appendAudit(t, p, "", ch)
}

// conferenceExists answers whether org has the conference, for reads of
// what hangs off one.
var conferenceExists = newQuery("SELECT COUNT(*) FROM conferences WHERE id = ? AND org = ?")

// mustHaveConference fails as not found unless org has the conference.
// Anything but a UUID names no conference, and must not reach PostgreSQL,
// which refuses text that is not UTF-8.
func mustHaveConference(t *Tx, org, id string) error {
	n := 0
	if uuid.Validate(id) == nil {
		if err := t.scan(conferenceExists, []any{id, org}, &n); err != nil {
			return err
		}
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	return nil
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
	var rows []auditRow
	err := db.inRead(ctx, func(t *Tx) error {
		if err := mustHaveConference(t, p.Org, conferenceID); err != nil {
			return err
		}
		return conferenceEvents(t.orm(), p.Org, conferenceID, page).Find(&rows).Error
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
	err := db.inRead(ctx, func(t *Tx) error {
		q := t.orm().Where("org = ? AND conference_id IS NULL AND entity = ?", p.Org, "policy")
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
