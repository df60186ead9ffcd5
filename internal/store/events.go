package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

type eventRow struct {
	ID           string `gorm:"primaryKey"`
	Org          string
	Sequence     int64
	Type         string
	ConferenceID string
	ExternalRef  string
	OccurredAt   time.Time
	Data         string
}

func (eventRow) TableName() string { return "events" }

func (r *eventRow) fields() []any {
	return []any{&r.ID, &r.Org, &r.Sequence, &r.Type, &r.ConferenceID, &r.ExternalRef, &r.OccurredAt, &r.Data}
}

var (
	// A write announces one event or two, a re-evaluation up to a page.
	eventLog = newTable((*eventRow).fields, []int{64, 8, 2, 1}, "")
	// takeSequences moves an organisation's counter on by n and returns
	// the last sequence taken.
	takeSequences = newQuery(`INSERT INTO event_counters (org, last_sequence) VALUES (?, ?)
		ON CONFLICT (org) DO UPDATE SET last_sequence = event_counters.last_sequence + excluded.last_sequence
		RETURNING last_sequence`)
)

type eventCounterRow struct {
	Org          string `gorm:"primaryKey"`
	LastSequence int64
}

func (eventCounterRow) TableName() string { return "event_counters" }

// appendEvents writes events inside tx, so that they commit with the write
// that caused them or not at all. Sequences come from the organisation's
// counter row, taken last: on PostgreSQL its row lock is held from here to
// COMMIT, so the organisation's events commit in sequence order and a feed
// reader paging by sequence never passes one still to commit. SQLite has
// one writer, which gives the same.
func (db *DB) appendEvents(t *Tx, org string, events ...domain.PendingEvent) error {
	if len(events) == 0 {
		return nil
	}
	var last int64
	if err := t.scan(takeSequences, []any{org, len(events)}, &last); err != nil {
		return err
	}
	now := db.now()
	rows := make([]eventRow, len(events))
	for i, e := range events {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		if e.ID == "" {
			e.ID = uuid.NewString()
		}
		rows[i] = eventRow{
			ID: e.ID, Org: org, Sequence: last - int64(len(events)-1-i), Type: e.Type,
			ConferenceID: e.Conference.ID, ExternalRef: e.Conference.ExternalRef, OccurredAt: now, Data: string(data),
		}
	}
	return eventLog.add(t, rows)
}

// MaxEventPage is the most events one feed page returns.
const MaxEventPage = 500

var eventsAfter = newQuery("SELECT " + eventLog.columns("") + " FROM events WHERE org = ? AND sequence > ? ORDER BY sequence LIMIT ?")

// Events returns p's organisation's events after the given sequence, in
// order, up to limit, read from the (org, sequence) index.
func (db *DB) Events(ctx context.Context, p domain.Principal, after int64, limit int) ([]domain.Event, error) {
	var rows []eventRow
	err := db.inReadOne(ctx, func(t *Tx) error {
		var err error
		rows, err = selectRows(t, (*eventRow).fields, eventsAfter, p.Org, after, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

func (r eventRow) event() domain.Event {
	return domain.Event{
		ID: r.ID, Type: r.Type, Organisation: r.Org, Sequence: r.Sequence, ConferenceID: r.ConferenceID,
		ExternalRef: r.ExternalRef, Timestamp: r.OccurredAt.UTC(), Data: json.RawMessage(r.Data),
	}
}

// DefaultEventRetention is how long events are kept unless configured.
const DefaultEventRetention = 30 * 24 * time.Hour

// ExpireEvents deletes events older than keep, with their deliveries, in
// batches so that no transaction holds the writer for long. It returns how
// many it deleted.
func (db *DB) ExpireEvents(ctx context.Context, keep time.Duration) (int, error) {
	cutoff := db.now().Add(-keep)
	total := 0
	for {
		var n int64
		err := db.inWrite(ctx, func(t *Tx) error {
			res := t.orm().Exec("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE occurred_at < ? LIMIT 1000)", cutoff)
			n = res.RowsAffected
			return res.Error
		})
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < 1000 {
			return total, nil
		}
	}
}
