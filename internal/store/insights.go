package store

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Insights returns org's tallies summed by calendar month ("YYYY-MM") over
// the conferences dated in [from, to), and audits the read. It first
// records the start of every conference whose start has passed, so that
// ready_at_start counts each of them.
func (db *DB) Insights(ctx context.Context, p domain.Principal, from, to domain.Date) (map[string]domain.Tally, error) {
	if err := db.RecordStarts(ctx, p.Org); err != nil {
		return nil, err
	}
	var rows []struct {
		Month       string
		Measure     string
		Numerator   int64
		Denominator int64
	}
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Model(&tallyRow{}).
			Select("substr(day, 1, 7) AS month, measure, CAST(SUM(numerator) AS BIGINT) AS numerator, CAST(SUM(denominator) AS BIGINT) AS denominator").
			Where("org = ? AND day >= ? AND day < ?", p.Org, from.String(), to.String()).
			Group("substr(day, 1, 7), measure").Scan(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := map[string]domain.Tally{}
	for _, r := range rows {
		if out[r.Month] == nil {
			out[r.Month] = domain.Tally{}
		}
		out[r.Month].Add(domain.Tally{r.Measure: {Numerator: r.Numerator, Denominator: r.Denominator}}, 1)
	}
	if err := db.AuditRead(ctx, p, "insights", p.Org, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// startDue reports whether c's start has passed and is not yet recorded.
func (db *DB) startDue(c *domain.Conference) bool {
	return c.History.AtStart == nil && !c.ScheduledStart.After(db.now())
}

// startRecord is c as it stood when it began: the status of the chair's
// last check at or before the start, or else c's stored readiness, which
// is the readiness when the start passed because every write after the
// start records it first.
func startRecord(t *Tx, c *domain.Conference) (*domain.StartRecord, error) {
	checked, err := checkedStatuses(t, []string{c.ID}, map[string]time.Time{c.ID: c.ScheduledStart.Time})
	if err != nil {
		return nil, err
	}
	return newStartRecord(c.Readiness.Status, checked[c.ID], c.Readiness.Measures), nil
}

func newStartRecord(stored, checked string, measures domain.Tally) *domain.StartRecord {
	status := stored
	if checked != "" {
		status = checked
	}
	return &domain.StartRecord{Status: status, Needs: nonNil(measures).NeedsOnly()}
}

var checksOf = newListQuery("SELECT conference_id, checked_at, id, readiness FROM readiness_checks WHERE %s ORDER BY checked_at, id", "conference_id")

// checkedStatuses returns, for each conference, the readiness status of
// the last chair's check at or before its start; none is "".
func checkedStatuses(t *Tx, ids []string, starts map[string]time.Time) (map[string]string, error) {
	rows, err := selectRows(t, func(r *checkRow) []any { return []any{&r.ConferenceID, &r.CheckedAt, &r.ID, &r.Readiness} }, checksOf, t.db.list(ids))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		if r.CheckedAt.After(starts[r.ConferenceID]) {
			continue
		}
		var snap struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(r.Readiness), &snap); err != nil {
			return nil, err
		}
		out[r.ConferenceID] = snap.Status // later checks come later and win
	}
	return out, nil
}

// Conferences whose start has passed and is not yet recorded, of one
// organisation or of all, a page at a time; the first, to tell if any is.
var (
	startsDueIn   = newQuery("SELECT " + conferences.columns("") + " FROM conferences WHERE start_status IS NULL AND scheduled_start <= ? AND org = ? ORDER BY scheduled_start, id LIMIT ?")
	startsDue     = newQuery("SELECT " + conferences.columns("") + " FROM conferences WHERE start_status IS NULL AND scheduled_start <= ? ORDER BY scheduled_start, id LIMIT ?")
	anyStartDue   = newQuery("SELECT COUNT(*) FROM (SELECT 1 FROM conferences WHERE start_status IS NULL AND scheduled_start <= ? LIMIT 1) due")
	anyStartDueIn = newQuery("SELECT COUNT(*) FROM (SELECT 1 FROM conferences WHERE start_status IS NULL AND scheduled_start <= ? AND org = ? LIMIT 1) due")
)

// RecordStarts records the start of every conference of org (of every
// organisation when org is "") whose start has passed and is not yet
// recorded. serve calls it on a timer and the insights read calls it
// first; either may come first, and the result is the same.
func (db *DB) RecordStarts(ctx context.Context, org string) error {
	n := 0
	err := db.inReadOne(ctx, func(t *Tx) error {
		if org == "" {
			return t.scan(anyStartDue, []any{db.now()}, &n)
		}
		return t.scan(anyStartDueIn, []any{db.now(), org}, &n)
	})
	if err != nil || n == 0 {
		return err
	}
	return db.inWrite(ctx, func(t *Tx) error { return db.recordStarts(t, org) })
}

// recordStarts does RecordStarts inside t, a page at a time. Each row is
// recorded only if it is still as read (see writeConference), so a write
// that recorded it meanwhile is not counted twice. The tallies are
// changed once, at the end, so that on PostgreSQL no tally stays locked
// while conference rows are still to be locked.
func (db *DB) recordStarts(t *Tx, org string) error {
	now := db.now()
	deltas := map[string]tallyDelta{}
	for {
		q, args := startsDueIn, []any{now, org, reevaluatePage}
		if org == "" {
			q, args = startsDue, []any{now, reevaluatePage}
		}
		rows, err := selectRows(t, (*conferenceRow).fields, q, args...)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		ids := make([]string, len(rows))
		starts := make(map[string]time.Time, len(rows))
		for i, r := range rows {
			ids[i], starts[r.ID] = r.ID, r.ScheduledStart
		}
		checked, err := checkedStatuses(t, ids, starts)
		if err != nil {
			return err
		}
		recorded := 0
		for i := range rows {
			before := &rows[i]
			rec := newStartRecord(before.ReadinessStatus, checked[before.ID], colTally(before.InsightMeasures))
			after := *before
			after.StartStatus, after.StartNeeds = textCol(rec.Status), tallyCol(rec.Needs)
			err := writeConference(t, before, &after)
			if errors.Is(err, errStale) {
				continue // changed meanwhile; the next page finds it again if it is still unrecorded
			}
			if err != nil {
				return err
			}
			recorded++
			if deltas[before.Org] == nil {
				deltas[before.Org] = tallyDelta{}
			}
			deltas[before.Org].change(before, &after)
		}
		if recorded == 0 {
			break // every row moved under us; leave them to the next call
		}
	}
	orgs := slices.Sorted(maps.Keys(deltas))
	for _, o := range orgs {
		if err := deltas[o].apply(t, o); err != nil {
			return err
		}
	}
	return nil
}

// RecountReport says what a recount found.
type RecountReport struct {
	Organisations int
	Conferences   int64
	// Repaired is how many tallies (organisation, day and measure) the
	// recount changed; 0 means they already agreed with the conferences.
	Repaired int
}

// RecountInsights rebuilds every organisation's tallies from its
// conferences: it records starts that have passed, takes whether a chair
// postponed each conference from the checks, evaluates every aggregate
// again, and sums what each adds. Recorded starts are history and are
// kept. It runs in one write transaction, so insights never see half.
func (db *DB) RecountInsights(ctx context.Context) (RecountReport, error) {
	var rep RecountReport
	err := db.inWrite(ctx, func(t *Tx) error {
		rep = RecountReport{}
		var orgs []string
		if err := t.orm().Model(&conferenceRow{}).Distinct("org").Pluck("org", &orgs).Error; err != nil {
			return err
		}
		var tallied []string
		if err := t.orm().Model(&tallyRow{}).Distinct("org").Pluck("org", &tallied).Error; err != nil {
			return err
		}
		for _, org := range tallied {
			if !slices.Contains(orgs, org) {
				orgs = append(orgs, org) // tallies left for an organisation with no conferences
			}
		}
		for _, org := range orgs {
			n, err := db.recountOrg(t, org)
			if err != nil {
				return err
			}
			rep.Organisations++
			rep.Repaired += n
		}
		return t.orm().Model(&conferenceRow{}).Count(&rep.Conferences).Error
	})
	return rep, err
}

func (db *DB) recountOrg(t *Tx, org string) (int, error) {
	// Starts due are recorded first, as any read would: that is keeping
	// the tallies, not repairing them.
	if err := db.recordStarts(t, org); err != nil {
		return 0, err
	}
	old, err := talliesOf(t, org)
	if err != nil {
		return 0, err
	}
	if err := repairPostponed(t, org); err != nil {
		return 0, err
	}
	if err := db.reevaluateAll(t, org, nil); err != nil {
		return 0, err
	}
	if err := rebuildTallies(t, org); err != nil {
		return 0, err
	}
	now, err := talliesOf(t, org)
	if err != nil {
		return 0, err
	}
	repaired := 0
	for k, c := range now {
		if old[k] != c {
			repaired++
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			repaired++
		}
	}
	return repaired, nil
}

var postponedOf = newListQuery("SELECT DISTINCT conference_id FROM readiness_checks WHERE decision = 'postpone' AND %s", "conference_id")

// repairPostponed takes whether a chair postponed each conference of org
// from its checks.
func repairPostponed(t *Tx, org string) error {
	after := ""
	for {
		rows, err := selectRows(t, (*conferenceRow).fields, conferencesToReevaluate, org, after, reevaluatePage)
		if err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		postponed, err := selectRows(t, func(id *string) []any { return []any{id} }, postponedOf, t.db.list(ids))
		if err != nil {
			return err
		}
		for i := range rows {
			if was := rows[i].PostponedByChair; was != slices.Contains(postponed, rows[i].ID) {
				fixed := rows[i]
				fixed.PostponedByChair = !was
				if err := writeConference(t, &rows[i], &fixed); err != nil {
					return err
				}
			}
		}
		after = rows[len(rows)-1].ID
	}
}
