package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

type overdueNoticeRow struct {
	ConferenceID string `gorm:"primaryKey"`
	Finding      string `gorm:"primaryKey"`
	DueOn        string `gorm:"primaryKey"`
	EventID      string
}

func (overdueNoticeRow) TableName() string { return "overdue_notices" }

// overduePage is how many conferences EmitOverdue looks at per read.
const overduePage = 200

// overdueUnannounced reads a page of scheduled, not-ready conferences
// whose earliest outstanding deadline has passed, each with every overdue
// blocker among its stored findings that overdue_notices does not hold
// yet (none: one row with a NULL finding), so that findings already
// announced are passed over in the query. The notice's key is
// findingKey's, built in SQL.
var overdueUnannounced = newDialectQuery(`SELECT c.id, c.org, c.external_ref, f.value
	FROM (SELECT id, org, external_ref, readiness_findings FROM conferences
		WHERE id > ? AND status = ? AND readiness_status = ? AND readiness_due_on < ? AND purged_at IS NULL
		AND (? OR readiness_rules = ?) ORDER BY id LIMIT ?) c
	LEFT JOIN json_each(c.readiness_findings) f
		ON json_extract(f.value, '$.severity') = ? AND json_extract(f.value, '$.due_on') < ?
		AND NOT EXISTS (SELECT 1 FROM overdue_notices n WHERE n.conference_id = c.id AND n.due_on = json_extract(f.value, '$.due_on')
			AND n.finding = json_extract(f.value, '$.code') || '|' || coalesce(json_extract(f.value, '$.participant_id'), '') || '|' ||
				coalesce(json_extract(f.value, '$.report_id'), '') || '|' || coalesce(json_extract(f.value, '$.child_ref'), '') || '|' ||
				coalesce(json_extract(f.value, '$.kind'), ''))
	ORDER BY c.id`, `SELECT c.id, c.org, c.external_ref, f.value::text
	FROM (SELECT id, org, external_ref, readiness_findings FROM conferences
		WHERE id > ? AND status = ? AND readiness_status = ? AND readiness_due_on < ? AND purged_at IS NULL
		AND (? OR readiness_rules = ?) ORDER BY id LIMIT ?) c
	LEFT JOIN LATERAL jsonb_array_elements(c.readiness_findings::jsonb) f(value)
		ON f.value->>'severity' = ? AND f.value->>'due_on' < ?
		AND NOT EXISTS (SELECT 1 FROM overdue_notices n WHERE n.conference_id = c.id AND n.due_on = f.value->>'due_on'
			AND n.finding = concat_ws('|', f.value->>'code', coalesce(f.value->>'participant_id', ''),
				coalesce(f.value->>'report_id', ''), coalesce(f.value->>'child_ref', ''), coalesce(f.value->>'kind', '')))
	ORDER BY c.id`)

// claimNotice records that a finding was announced for a due date; it
// inserts nothing when another instance got there first.
var claimNotice = newQuery("INSERT INTO overdue_notices (conference_id, finding, due_on, event_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")

// EmitOverdue writes a conference.item_overdue event for each outstanding
// blocker of a scheduled conference whose due date is before today in
// Europe/London and that has had none. It looks at state, not at a window
// of days, so a run after downtime catches up on whatever was missed. A
// finding is announced once per due date: overdue_notices is keyed by it,
// and a notice is written with its event only when its insert took, so
// two instances running at once still announce each finding once. While
// new rules have yet to reach a conference it is passed over, so that no
// deadline the new rules no longer set is announced; it is announced, if
// still due, once they have. The search runs on a reader; only a page with
// something to announce takes the writer. It returns how many events it
// wrote.
func (db *DB) EmitOverdue(ctx context.Context) (int, error) {
	today := db.today().String()
	emitted, after := 0, ""
	for {
		type found struct {
			conf    domain.Conference
			org     string
			finding *string
		}
		var page []found
		err := db.inReadOne(ctx, func(t *Tx) error {
			var err error
			page, err = selectRows(t, func(r *found) []any { return []any{&r.conf.ID, &r.org, &r.conf.ExternalRef, &r.finding} },
				overdueUnannounced, after, domain.StatusScheduled, domain.NotReady, today, !db.rules.passing.Load(), db.rules.mark.Load(),
				overduePage, domain.SeverityBlocker, today)
			return err
		})
		if err != nil {
			return emitted, err
		}
		conferences := 0
		var due []found
		for i, f := range page {
			if i == 0 || f.conf.ID != page[i-1].conf.ID {
				conferences++
			}
			if f.finding != nil {
				due = append(due, f)
			}
		}
		if len(due) > 0 {
			n := 0
			err := db.inWrite(ctx, func(t *Tx) error {
				n = 0
				byOrg := map[string][]domain.PendingEvent{}
				var orgs []string
				for _, f := range due {
					e, ok, err := claimOverdue(t, &f.conf, *f.finding)
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
					if byOrg[f.org] == nil {
						orgs = append(orgs, f.org)
					}
					byOrg[f.org] = append(byOrg[f.org], e)
					n++
				}
				for _, org := range orgs {
					if err := db.appendEvents(t, org, byOrg[org]...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return emitted, err
			}
			emitted += n
		}
		if conferences < overduePage {
			return emitted, nil
		}
		after = page[len(page)-1].conf.ID
	}
}

// claimOverdue claims the notice of one overdue finding, given as stored,
// and returns its event; ok is false when it was claimed before.
func claimOverdue(t *Tx, conf *domain.Conference, stored string) (e domain.PendingEvent, ok bool, err error) {
	var f domain.Finding
	if err := json.Unmarshal([]byte(stored), &f); err != nil {
		return domain.PendingEvent{}, false, err
	}
	if f.DueOn == nil {
		return domain.PendingEvent{}, false, nil // the query passes only findings with a due date
	}
	id := uuid.NewString()
	res, err := t.exec(claimNotice, conf.ID, findingKey(f), f.DueOn.String(), id)
	if err != nil {
		return domain.PendingEvent{}, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return domain.PendingEvent{}, false, err
	}
	return domain.ItemOverdueEvent(id, conf, f), true, nil
}

// findingKey names a finding by what it is about, not by its message.
func findingKey(f domain.Finding) string {
	return strings.Join([]string{f.Code, f.ParticipantID, f.ReportID, f.ChildRef, f.Kind}, "|")
}
