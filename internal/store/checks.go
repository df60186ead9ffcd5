package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

type checkRow struct {
	ID           string `gorm:"primaryKey"`
	ConferenceID string
	Decision     string
	Note         *string
	CheckedBy    string
	CheckedAt    time.Time
	// CheckedByKind is NULL for checks recorded before it was kept.
	CheckedByKind *string
	Readiness     string
}

func (checkRow) TableName() string { return "readiness_checks" }

// AddReadinessCheck records a chair's decision with the findings as they
// stand now. Proceeding while not ready needs a note. The conference's
// version does not change: the check records a decision about the
// conference, not a change to it.
func (db *DB) AddReadinessCheck(ctx context.Context, p domain.Principal, conferenceID string, chk domain.ReadinessCheck) (domain.ReadinessCheck, error) {
	err := db.inWrite(ctx, func(t *Tx) error {
		c, err := loadConference(t, p.Org, conferenceID)
		if err != nil {
			return err
		}
		pol, err := policyIn(t, p.Org)
		if err != nil {
			return err
		}
		chk.Readiness = db.Evaluate(c, pol)
		if err := chk.Validate(chk.Readiness.Status); err != nil {
			return err
		}
		chk.ID, chk.CheckedBy, chk.CheckedByKind, chk.CheckedAt = uuid.NewString(), p.ID, p.Kind, db.now()
		snapshot, err := json.Marshal(chk.Readiness)
		if err != nil {
			return err
		}
		row := checkRow{ID: chk.ID, ConferenceID: c.ID, Decision: chk.Decision, Note: textCol(chk.Note), CheckedBy: chk.CheckedBy, CheckedByKind: textCol(string(p.Kind)), CheckedAt: chk.CheckedAt, Readiness: string(snapshot)}
		if err := t.orm().Create(&row).Error; err != nil {
			return err
		}
		if err := postponedByChair(t, p.Org, c, chk.Decision); err != nil {
			return err
		}
		after := struct {
			Decision string `json:"decision"`
			Note     string `json:"note,omitempty"`
			Status   string `json:"status"`
		}{chk.Decision, chk.Note, chk.Readiness.Status}
		if err := db.appendAudit(t, p, c.ID, domain.Change{Action: "create", Entity: "readiness_check", EntityID: chk.ID, After: after}); err != nil {
			return err
		}
		return db.appendEvents(t, p.Org, domain.CheckRecordedEvent(c, chk))
	})
	return chk, err
}

// ReadinessChecks lists a conference's checks, oldest first.
func (db *DB) ReadinessChecks(ctx context.Context, p domain.Principal, conferenceID string) ([]domain.ReadinessCheck, error) {
	var rows []checkRow
	err := db.inRead(ctx, func(t *Tx) error {
		if err := mustHaveConference(t, p.Org, conferenceID); err != nil {
			return err
		}
		return t.orm().Where("conference_id = ?", conferenceID).Order("checked_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	if err := db.AuditRead(ctx, p, "readiness_checks", conferenceID, conferenceID); err != nil {
		return nil, err
	}
	out := make([]domain.ReadinessCheck, len(rows))
	for i, r := range rows {
		if out[i], err = fromCheckRow(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadinessCheck returns one of a conference's checks and audits the read
// of that check.
func (db *DB) ReadinessCheck(ctx context.Context, p domain.Principal, conferenceID, checkID string) (domain.ReadinessCheck, error) {
	var rows []checkRow
	err := db.inRead(ctx, func(t *Tx) error {
		if err := mustHaveConference(t, p.Org, conferenceID); err != nil {
			return err
		}
		if uuid.Validate(checkID) != nil {
			return nil
		}
		return t.orm().Where("conference_id = ? AND id = ?", conferenceID, checkID).Find(&rows).Error
	})
	if err != nil {
		return domain.ReadinessCheck{}, err
	}
	if len(rows) == 0 {
		// The conference was read to answer: its read is audited.
		if err := db.AuditRead(ctx, p, "conference", conferenceID, conferenceID); err != nil {
			return domain.ReadinessCheck{}, err
		}
		return domain.ReadinessCheck{}, domain.Errorf(domain.ENOTFOUND, "readiness check not found")
	}
	if err := db.AuditRead(ctx, p, "readiness_check", checkID, conferenceID); err != nil {
		return domain.ReadinessCheck{}, err
	}
	return fromCheckRow(rows[0])
}

func fromCheckRow(r checkRow) (domain.ReadinessCheck, error) {
	chk := domain.ReadinessCheck{ID: r.ID, Decision: r.Decision, Note: colText(r.Note), CheckedBy: r.CheckedBy, CheckedByKind: domain.PrincipalKind(colText(r.CheckedByKind)), CheckedAt: r.CheckedAt.UTC()}
	err := json.Unmarshal([]byte(r.Readiness), &chk.Readiness)
	return chk, err
}

// postponedByChair marks a conference postponed by a chair's check, once,
// and counts it in the insights. The version does not change, as for the
// check itself.
func postponedByChair(t *Tx, org string, c *domain.Conference, decision string) error {
	if decision != "postpone" || c.History.PostponedByChair {
		return nil
	}
	before := toConferenceRow(org, c)
	after := before
	c.History.PostponedByChair, after.PostponedByChair = true, true
	if err := writeConference(t, &before, &after); err != nil {
		return err
	}
	return applyChange(t, org, &before, &after)
}
