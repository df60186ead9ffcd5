package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

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
	err := db.inReadOne(ctx, func(t *Tx) error {
		q, args := listQuery(p.Org, f, today, after)
		var err error
		if rows, err = selectRows(t, (*conferenceRow).fields, q, args...); err != nil {
			return err
		}
		more = len(rows) > f.Limit
		if more {
			rows = rows[:f.Limit]
		}
		items = make([]domain.Conference, len(rows))
		for i, r := range rows {
			if items[i], err = fromConferenceRow(r); err != nil {
				return err
			}
			items[i].Readiness.SetOverdue(today)
		}
		return nil
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

// A page of a list is one of three statements, by the index that serves
// it: the unique index on external_ref when it names one,
// conferences_by_readiness when it filters on readiness, and
// conferences_by_start otherwise. Each seeks its index to the cursor (or
// the start of the window) with a row-value comparison and reads it in
// order; every other filter is a condition on the rows it passes, which
// an empty argument turns off. A page reads all but the stored findings,
// the insights' columns and the parts other than children, which no list
// shows: they are most of a row, and decoding them cost more than the
// query.
var (
	listByRef       = newQuery(listSelect + "external_ref = ? AND " + listWhere)
	listByReadiness = newQuery(listSelect + "readiness_status = ? AND " + listWhere)
	listByStart     = newQuery(listSelect + listWhere)

	listSelect = "SELECT " + strings.NewReplacer("readiness_findings", "NULL", "insight_measures", "NULL", "start_needs", "NULL", "parts", "''").Replace(conferences.columns("")) +
		" FROM conferences WHERE org = ? AND "
)

const listWhere = `(scheduled_start, id) > (?, ?) AND scheduled_start < ?
	AND (? = '' OR readiness_status = ?) AND (? = '' OR chair_ref = ?) AND (? = '' OR social_worker_ref = ?) AND (? = '' OR status = ?)
	AND (? OR readiness_due_on < ?) AND (? OR readiness_due_on IS NULL OR readiness_due_on >= ?)
	ORDER BY scheduled_start, id LIMIT ?`

// Bounds of a list without a start, an end or a cursor.
var (
	listFrom  = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	listUntil = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// listQuery picks the statement for one page (and one row more, to tell
// whether another page follows) and gives its arguments.
func listQuery(org string, f ConferenceFilter, today domain.Date, after *cursor) (*query, []any) {
	q, args := listByStart, []any{org}
	switch {
	case f.ExternalRef != "":
		q, args = listByRef, append(args, f.ExternalRef)
	case f.Readiness != "":
		q, args = listByReadiness, append(args, f.Readiness)
	}
	from := cursor{Start: listFrom}
	if f.From != nil {
		from.Start = f.From.UTC()
	}
	if after != nil && !after.Start.Before(from.Start) {
		from = cursor{Start: after.Start.UTC(), ID: after.ID}
	}
	until := listUntil
	if f.To != nil {
		until = f.To.UTC()
	}
	anyDue, notOverdue := true, true // no overdue filter
	if f.Overdue != nil {
		anyDue, notOverdue = !*f.Overdue, *f.Overdue
	}
	day := today.String()
	return q, append(args, from.Start, from.ID, until, f.Readiness, f.Readiness, f.ChairRef, f.ChairRef,
		f.SocialWorkerRef, f.SocialWorkerRef, f.Status, f.Status, anyDue, day, notOverdue, day, f.Limit+1)
}

// ListConferencesWhole is ListConferences for a page that shows each
// conference whole, with its readiness as it stands now: the page and
// every aggregate on it are read at one moment, and each conference's read
// is audited in one commit, rather than one read and one commit for each.
// It returns no cursor: it is for one page.
func (db *DB) ListConferencesWhole(ctx context.Context, p domain.Principal, f ConferenceFilter) ([]domain.Conference, []domain.ReadinessResult, error) {
	if f.Cursor != "" {
		return nil, nil, domain.Errorf(domain.EINVALID, "a whole list is one page")
	}
	var (
		confs   []domain.Conference
		results []domain.ReadinessResult
	)
	err := db.inRead(ctx, func(t *Tx) error {
		q, args := listQuery(p.Org, f, db.today(), nil)
		page, err := selectRows(t, (*conferenceRow).fields, q, args...)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(page))
		for _, r := range page[:min(len(page), f.Limit)] {
			ids = append(ids, r.ID)
		}
		rows, err := conferenceRows(t, p.Org, ids)
		if err != nil {
			return err
		}
		if confs, err = loadAggregates(rows); err != nil {
			return err
		}
		results = make([]domain.ReadinessResult, len(confs))
		for i := range confs {
			if err := db.current(t, p.Org, &confs[i]); err != nil {
				return err
			}
			results[i] = confs[i].Readiness.Result(db.now())
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	audits := make([]auditRow, len(confs))
	for i := range confs {
		audits[i] = db.auditRow(ctx, p, confs[i].ID, "read", "conference", confs[i].ID)
		confs[i].Readiness.SetOverdue(db.today())
	}
	if len(audits) > 0 {
		if err := db.inWrite(ctx, func(t *Tx) error { return auditEvents.add(t, audits) }); err != nil {
			return nil, nil, err
		}
	}
	return confs, results, nil
}
