package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

// ConferenceFilter selects conferences for a list. Zero values select all.
type ConferenceFilter struct {
	Readiness       string // ready or not_ready
	Overdue         *bool
	From, To        *time.Time // scheduled_start in [From, To)
	ExternalRef     string
	ChairRef        string
	SocialWorkerRef string
	Status          string
	Limit           int
	Cursor          string
	// WithoutChildren leaves each conference's children out, for a list
	// that does not show them: it saves a read of a row per child.
	WithoutChildren bool
}

type cursor struct {
	Start time.Time `json:"s"`
	ID    string    `json:"i"`
}

// EncodeCursor and DecodeCursor make the opaque list cursor.
func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	// Only a conference id can be in a cursor this service gave out; any
	// other text would reach the query, where PostgreSQL may refuse it.
	if err != nil || uuid.Validate(c.ID) != nil {
		return c, domain.Invalid(domain.FieldError{Field: "cursor", Message: "is not a cursor this service gave out"})
	}
	return c, nil
}

// ListConferences returns one page of p's organisation's conferences, ordered
// by scheduled_start then id, answered from the stored readiness columns.
// Overdue is decided at query time: the earliest outstanding deadline is
// before today in Europe/London.
func (db *DB) ListConferences(ctx context.Context, p domain.Principal, f ConferenceFilter) ([]domain.Conference, string, error) {
	today := db.today()
	var after *cursor
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		after = &c
	}
	var (
		rows  []conferenceRow
		items []domain.Conference
		more  bool
	)
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		if err := listQuery(tx, p.Org, f, today, after).Find(&rows).Error; err != nil {
			return err
		}
		more = len(rows) > f.Limit
		if more {
			rows = rows[:f.Limit]
		}
		items = make([]domain.Conference, len(rows))
		for i, r := range rows {
			items[i] = fromConferenceRow(r)
			items[i].Readiness.SetOverdue(today)
		}
		if f.WithoutChildren {
			return nil
		}
		return loadChildren(tx, items)
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := rows[len(rows)-1]
		next = encodeCursor(cursor{Start: last.ScheduledStart.UTC(), ID: last.ID})
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	if err := db.auditListed(ctx, p, ids); err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// listQuery selects one page (and one row more, to tell whether another
// page follows). Every filter narrows the one index range
// conferences_by_readiness or conferences_by_start gives, and the cursor is
// a row-value comparison so that the index seeks straight to it; the
// filters are added in a fixed order, so each combination is one prepared
// statement.
func listQuery(tx *gorm.DB, org string, f ConferenceFilter, today domain.Date, after *cursor) *gorm.DB {
	q := tx.Where("org = ?", org)
	if f.Readiness != "" {
		q = q.Where("readiness_status = ?", f.Readiness)
	}
	if f.Overdue != nil && *f.Overdue {
		q = q.Where("readiness_due_on < ?", today.String())
	} else if f.Overdue != nil {
		q = q.Where("readiness_due_on IS NULL OR readiness_due_on >= ?", today.String())
	}
	if f.From != nil {
		q = q.Where("scheduled_start >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("scheduled_start < ?", f.To.UTC())
	}
	for _, eq := range []struct{ col, value string }{
		{"external_ref", f.ExternalRef}, {"chair_ref", f.ChairRef}, {"social_worker_ref", f.SocialWorkerRef}, {"status", f.Status},
	} {
		if eq.value != "" {
			q = q.Where(eq.col+" = ?", eq.value)
		}
	}
	if after != nil {
		q = q.Where("(scheduled_start, id) > (?, ?)", after.Start.UTC(), after.ID)
	}
	// A list shows no findings and no insights: their columns are most of
	// a row, and decoding the measures cost more than the query.
	return q.Omit(storedFindings, "insight_measures", "start_needs").Order("scheduled_start, id").Limit(f.Limit + 1)
}
