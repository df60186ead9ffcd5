package store

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

type overdueNoticeRow struct {
	ConferenceID string `gorm:"primaryKey"`
	Finding      string `gorm:"primaryKey"`
	DueOn        string `gorm:"primaryKey"`
	EventID      string
}

func (overdueNoticeRow) TableName() string { return "overdue_notices" }

// overduePage is how many conferences EmitOverdue looks at per transaction.
const overduePage = 200

// EmitOverdue writes a conference.item_overdue event for each outstanding
// blocker of a scheduled conference whose due date is before today in
// Europe/London and that has had none. It looks at state, not at a window
// of days, so a run after downtime catches up on whatever was missed. A
// finding is announced once per due date: overdue_notices is keyed by it,
// and a notice is written with its event only when its insert took, so
// two instances running at once still announce each finding once. While
// new rules have yet to reach a conference it is passed over, so that no
// deadline the new rules no longer set is announced; it is announced, if
// still due, once they have. It returns how many events it wrote.
func (db *DB) EmitOverdue(ctx context.Context) (int, error) {
	today := db.today()
	emitted, after := 0, ""
	for {
		var n int
		var rows []conferenceRow
		err := db.inWrite(ctx, func(tx *gorm.DB) error {
			n = 0
			rows = rows[:0]
			q := tx.Select("id", "org", "external_ref", "version", "readiness_findings").
				Where("id > ? AND status = ? AND readiness_status = ? AND readiness_due_on < ? AND purged_at IS NULL",
					after, domain.StatusScheduled, domain.NotReady, today.String()).
				Order("id").Limit(overduePage)
			if db.rules.passing.Load() {
				q = q.Where("readiness_rules = ?", db.rules.mark.Load())
			}
			if err := q.Find(&rows).Error; err != nil {
				return err
			}
			byOrg := map[string][]pendingEvent{}
			var orgs []string
			for i := range rows {
				events, err := db.newlyOverdue(tx, &rows[i], today)
				if err != nil {
					return err
				}
				if len(events) > 0 && byOrg[rows[i].Org] == nil {
					orgs = append(orgs, rows[i].Org)
				}
				byOrg[rows[i].Org] = append(byOrg[rows[i].Org], events...)
				n += len(events)
			}
			for _, org := range orgs {
				if err := db.appendEvents(tx, org, byOrg[org]...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return emitted, err
		}
		emitted += n
		if len(rows) < overduePage {
			return emitted, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// newlyOverdue claims a notice for each overdue blocker of the conference
// not yet announced, and returns their events.
func (db *DB) newlyOverdue(tx *gorm.DB, row *conferenceRow, today domain.Date) ([]pendingEvent, error) {
	findings, err := colFindings(row.ReadinessFindings)
	if err != nil {
		return nil, err
	}
	conf := &domain.Conference{ID: row.ID, ConferenceFields: domain.ConferenceFields{ExternalRef: row.ExternalRef}, Version: row.Version}
	var out []pendingEvent
	for _, f := range findings {
		if f.Severity != domain.SeverityBlocker || f.DueOn == nil || !today.After(*f.DueOn) {
			continue
		}
		notice := overdueNoticeRow{ConferenceID: row.ID, Finding: findingKey(f), DueOn: f.DueOn.String(), EventID: uuid.NewString()}
		res := tx.Exec("INSERT INTO overdue_notices (conference_id, finding, due_on, event_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			notice.ConferenceID, notice.Finding, notice.DueOn, notice.EventID)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			continue
		}
		out = append(out, pendingEvent{id: notice.EventID, kind: domain.EventConferenceItemOverdue, conf: conf, data: domain.ItemOverdueData{
			Code: f.Code, DueOn: *f.DueOn, ParticipantID: f.ParticipantID, ReportID: f.ReportID, ChildRef: f.ChildRef, Kind: f.Kind,
		}})
	}
	return out, nil
}

// findingKey names a finding by what it is about, not by its message.
func findingKey(f domain.Finding) string {
	return strings.Join([]string{f.Code, f.ParticipantID, f.ReportID, f.ChildRef, f.Kind}, "|")
}
