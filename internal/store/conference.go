package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

// CreateConference stores a new conference for p's organisation. A
// duplicate external_ref is a conflict naming the existing conference.
func (db *DB) CreateConference(ctx context.Context, p domain.Principal, f domain.ConferenceFields) (*domain.Conference, error) {
	return db.CreateConferenceWith(ctx, p, f, Parts{})
}

// Parts are the nested parts of a conference created in one call, each
// with its id.
type Parts struct {
	Participants  []domain.Participant
	Reports       []domain.Report
	Professionals []domain.Professional
}

// CreateConferenceWith stores a new conference with its parts in one
// transaction: all of it or none. The conference is put together part by
// part through its own methods (domain.Assemble), so it holds nothing the
// routes that add each part would refuse, and each part is audited as if
// it had been added on its own.
func (db *DB) CreateConferenceWith(ctx context.Context, p domain.Principal, f domain.ConferenceFields, parts Parts) (*domain.Conference, error) {
	whole := &domain.Conference{ID: uuid.NewString(), ConferenceFields: f, Participants: parts.Participants, Reports: parts.Reports, Professionals: parts.Professionals}
	c, changes, err := domain.Assemble(whole, db.today())
	if err != nil {
		return nil, err
	}
	now := db.now()
	c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
	err = db.inWrite(ctx, func(tx *gorm.DB) error {
		if err := db.reevaluate(tx, p.Org, c); err != nil {
			return err
		}
		db.recordStartOfNew(c)
		row, err := insertAggregate(tx, p.Org, c)
		if err != nil {
			return err
		}
		if err := applyChange(tx, p.Org, nil, &row); err != nil {
			return err
		}
		for _, ch := range changes {
			if err := db.appendAudit(tx, ctx, p, c.ID, ch); err != nil {
				return err
			}
		}
		return db.appendEvents(tx, p.Org, createdEvent(c))
	})
	if err != nil {
		return nil, db.NameExisting(ctx, p, f.ExternalRef, err)
	}
	c.Readiness.SetOverdue(db.today())
	return c, nil
}

// NameExisting turns a conflict on external_ref into one that names the
// conference already holding it; other errors pass through.
func (db *DB) NameExisting(ctx context.Context, p domain.Principal, externalRef string, err error) error {
	if domain.ErrorKind(err) != domain.ECONFLICT || externalRef == "" {
		return err
	}
	existing, ferr := db.conferenceIDByRef(ctx, p.Org, externalRef)
	if ferr != nil {
		return err
	}
	return &domain.Error{Kind: domain.ECONFLICT, Message: "a conference with this external_ref exists", ExistingID: existing}
}

func (db *DB) conferenceIDByRef(ctx context.Context, org, ref string) (string, error) {
	var row conferenceRow
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		return tx.Select("id").Where("org = ? AND external_ref = ?", org, ref).Take(&row).Error
	})
	return row.ID, err
}

// Conference returns the whole aggregate, and audits the read.
func (db *DB) Conference(ctx context.Context, p domain.Principal, id string) (*domain.Conference, error) {
	var c *domain.Conference
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = findAggregate(tx, p.Org, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := db.AuditRead(ctx, p, "conference", id, id); err != nil {
		return nil, err
	}
	c.Readiness.SetOverdue(db.today())
	return c, nil
}

// ConferenceItem reads one item of a conference (a participant, contact,
// report or share) and audits the read of that item. pick finds it in the
// aggregate and names it: its entity and id. When pick finds nothing, the
// read of the conference is audited instead, since it was read to answer.
func (db *DB) ConferenceItem(ctx context.Context, p domain.Principal, id string, pick func(*domain.Conference) (entity, itemID string, item any, err error)) (*domain.Conference, any, error) {
	var c *domain.Conference
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = findAggregate(tx, p.Org, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	entity, itemID, item, pickErr := pick(c)
	if pickErr != nil {
		entity, itemID = "conference", id
	}
	if err := db.AuditRead(ctx, p, entity, itemID, id); err != nil {
		return nil, nil, err
	}
	return c, item, pickErr
}

// findAggregate loads a conference of org; another organisation's
// conference, or a malformed id, is simply not found.
func findAggregate(tx *gorm.DB, org, id string) (*domain.Conference, error) {
	if uuid.Validate(id) != nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	var row conferenceRow
	err := tx.Omit(storedFindings).Where("id = ? AND org = ?", id, org).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	if err != nil {
		return nil, err
	}
	return loadAggregate(tx, row)
}

// lockAggregate locks a conference of org for the rest of the transaction
// and loads its aggregate.
func (db *DB) lockAggregate(tx *gorm.DB, org, id string) (*domain.Conference, error) {
	if uuid.Validate(id) != nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	var row conferenceRow
	err := db.forUpdate(tx).Omit(storedFindings).Where("id = ? AND org = ?", id, org).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	} else if err != nil {
		return nil, err
	}
	return loadAggregate(tx, row)
}

// recordStartOfNew records the start of a new conference whose start has
// already passed: there was no readiness before it, nor any check.
func (db *DB) recordStartOfNew(c *domain.Conference) {
	if db.startDue(c) {
		c.History.AtStart = newStartRecord(c.Readiness.Status, "", c.Readiness.Measures)
	}
}

// reevaluate stores a fresh readiness summary on c under org's policy.
func (db *DB) reevaluate(tx *gorm.DB, org string, c *domain.Conference) error {
	pol, err := policyIn(tx, org)
	if err != nil {
		return err
	}
	c.Readiness = db.Evaluate(c, pol).Summary()
	return nil
}

// Readiness returns a conference's readiness as it stands now, and its
// version, and audits the read. It is one row: the findings stored by the
// last write, with overdue worked out for today. A row stored before
// findings were kept is evaluated live.
func (db *DB) Readiness(ctx context.Context, p domain.Principal, id string) (domain.ReadinessResult, int, error) {
	if uuid.Validate(id) != nil {
		return domain.ReadinessResult{}, 0, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	// Only the columns a readiness answer needs: scanning a whole row is
	// most of the cost of this read.
	var row conferenceRow
	err := db.inReadOne(ctx, func(q *gorm.DB) error {
		return q.Select("version", "readiness_status", "readiness_blockers", "readiness_advisories", "readiness_due_on", "readiness_findings").
			Where("id = ? AND org = ?", id, p.Org).Take(&row).Error
	})
	if err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	if row.ReadinessFindings == nil {
		result, c, err := db.evaluation(ctx, p, id)
		if err != nil {
			return domain.ReadinessResult{}, 0, err
		}
		return result, c.Version, db.AuditRead(ctx, p, "readiness", id, id)
	}
	summary := summaryOf(row)
	if summary.Findings, err = colFindings(row.ReadinessFindings); err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	if err := db.AuditRead(ctx, p, "readiness", id, id); err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	return summary.Result(db.now()), row.Version, nil
}

// evaluation evaluates a conference live, from its whole aggregate.
func (db *DB) evaluation(ctx context.Context, p domain.Principal, id string) (domain.ReadinessResult, *domain.Conference, error) {
	c, pol, err := db.snapshot(ctx, p.Org, id)
	if err != nil {
		return domain.ReadinessResult{}, nil, err
	}
	return db.Evaluate(c, pol), c, nil
}

// snapshot reads a conference of org and its organisation's policy as they
// stood at one moment.
func (db *DB) snapshot(ctx context.Context, org, id string) (*domain.Conference, domain.Policy, error) {
	var (
		c   *domain.Conference
		pol domain.Policy
	)
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var err error
		if c, err = findAggregate(tx, org, id); err != nil {
			return err
		}
		pol, err = policyIn(tx, org)
		return err
	})
	return c, pol, err
}

// ConferenceReadiness returns the whole aggregate and its readiness as it
// stands now, read at one moment and audited as one read of the
// conference: what a page showing both needs, at the cost of one audit row.
func (db *DB) ConferenceReadiness(ctx context.Context, p domain.Principal, id string) (*domain.Conference, domain.ReadinessResult, error) {
	var (
		c      *domain.Conference
		result domain.ReadinessResult
	)
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var err error
		if c, err = findAggregate(tx, p.Org, id); err != nil {
			return err
		}
		var row conferenceRow
		if err := tx.Select(storedFindings).Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		if row.ReadinessFindings == nil {
			// Stored before findings were kept: evaluate live.
			pol, err := policyIn(tx, p.Org)
			if err != nil {
				return err
			}
			result = db.Evaluate(c, pol)
			return nil
		}
		summary := c.Readiness
		if summary.Findings, err = colFindings(row.ReadinessFindings); err != nil {
			return err
		}
		result = summary.Result(db.now())
		return nil
	})
	if err != nil {
		return nil, domain.ReadinessResult{}, err
	}
	if err := db.AuditRead(ctx, p, "conference", id, id); err != nil {
		return nil, domain.ReadinessResult{}, err
	}
	c.Readiness.SetOverdue(db.today())
	return c, result, nil
}
