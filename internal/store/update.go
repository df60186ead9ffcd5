package store

import (
	"context"
	"errors"
	"reflect"

	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

// optimisticAttempts is how many times UpdateConference prepares a write
// from a snapshot before it falls back to doing everything under the lock.
const optimisticAttempts = 3

// errStale says that the conference or its organisation's policy changed
// between the snapshot a write was prepared from and its commit.
var errStale = errors.New("store: the snapshot is stale")

// UpdateConference applies m to the conference and stores the result, all
// or nothing: it checks ifMatch (when not nil) against the version, bumps
// the version, re-evaluates readiness and appends the audit row.
//
// The aggregate is read, changed and evaluated from a snapshot, outside the
// write transaction, so that writers to different conferences do that work
// side by side; the transaction then only checks that neither the
// conference's version nor the policy has moved, and writes what changed.
// When they have moved, the work is done again from a fresh snapshot, and
// after a few tries under the lock, so that a busy conference still makes
// progress. m may therefore run more than once, each time on a fresh copy.
func (db *DB) UpdateConference(ctx context.Context, p domain.Principal, id string, ifMatch *int, m domain.Mutation) (*domain.Conference, error) {
	for range optimisticAttempts {
		c, err := db.updateFromSnapshot(ctx, p, id, ifMatch, m)
		if !errors.Is(err, errStale) {
			return c, err
		}
	}
	return db.updateLocked(ctx, p, id, ifMatch, m)
}

func (db *DB) updateFromSnapshot(ctx context.Context, p domain.Principal, id string, ifMatch *int, m domain.Mutation) (*domain.Conference, error) {
	c, pol, err := db.snapshot(ctx, p.Org, id)
	if err != nil {
		return nil, err
	}
	read := c.Version
	var atStart *domain.StartRecord
	if db.startDue(c) {
		err := db.inReadOne(ctx, func(q *gorm.DB) error {
			var err error
			atStart, err = startRecord(q, c)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	before, prior, change, err := db.apply(p.Org, c, ifMatch, m, pol, atStart)
	if err != nil {
		return nil, err
	}
	after := rowsOf(p.Org, c)
	err = db.inWrite(ctx, func(tx *gorm.DB) error {
		// What the conference adds to the insights also depends on what a
		// chair's check, a recorded start or a re-evaluation after new
		// rules set without a new version.
		q := tx.Model(&conferenceRow{}).Where("id = ? AND org = ? AND version = ? AND postponed_by_chair = ? AND readiness_rules = ?",
			id, p.Org, read, before.conference.PostponedByChair, before.conference.ReadinessRules)
		if before.conference.StartStatus == nil {
			q = q.Where("start_status IS NULL")
		}
		res := q.Updates(changedColumns(&before.conference, &after.conference))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errStale
		}
		if now, err := policyIn(tx, p.Org); err != nil {
			return err
		} else if !reflect.DeepEqual(now, pol) {
			return errStale
		}
		return db.finishUpdate(tx, ctx, p, before, after, prior, c, change)
	})
	if err != nil {
		return nil, err
	}
	c.Readiness.SetOverdue(db.today())
	return c, nil
}

// updateLocked does the whole update inside the write transaction, with
// the conference locked.
func (db *DB) updateLocked(ctx context.Context, p domain.Principal, id string, ifMatch *int, m domain.Mutation) (*domain.Conference, error) {
	var out *domain.Conference
	err := db.inWrite(ctx, func(tx *gorm.DB) error {
		c, err := db.lockAggregate(tx, p.Org, id)
		if err != nil {
			return err
		}
		pol, err := policyIn(tx, p.Org)
		if err != nil {
			return err
		}
		var atStart *domain.StartRecord
		if db.startDue(c) {
			if atStart, err = startRecord(tx, c); err != nil {
				return err
			}
		}
		before, prior, change, err := db.apply(p.Org, c, ifMatch, m, pol, atStart)
		if err != nil {
			return err
		}
		after := rowsOf(p.Org, c)
		if err := tx.Model(&conferenceRow{}).Where("id = ?", id).Updates(changedColumns(&before.conference, &after.conference)).Error; err != nil {
			return err
		}
		if err := db.finishUpdate(tx, ctx, p, before, after, prior, c, change); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Readiness.SetOverdue(db.today())
	return out, nil
}

// apply checks ifMatch, runs the mutation, bumps the version and evaluates
// the result. It returns the rows as they were, to compare against, and
// the readiness before the change, for the events. That is evaluated
// rather than read: loads for a write leave the stored findings out, and
// which findings fire never depends on the day. A start that passed
// before this write is recorded (atStart) before the write changes
// anything, so the write cannot rewrite it.
func (db *DB) apply(org string, c *domain.Conference, ifMatch *int, m domain.Mutation, pol domain.Policy, atStart *domain.StartRecord) (aggregateRows, domain.ReadinessSummary, domain.Change, error) {
	if ifMatch != nil && *ifMatch != c.Version {
		return aggregateRows{}, domain.ReadinessSummary{}, domain.Change{}, domain.Errorf(domain.EPRECONDITION, "the conference has changed: version is %d", c.Version)
	}
	before := rowsOf(org, c)
	if atStart != nil {
		c.History.AtStart = atStart
	}
	prior := db.Evaluate(c, pol).Summary()
	change, err := m(c)
	if err != nil {
		return aggregateRows{}, domain.ReadinessSummary{}, domain.Change{}, err
	}
	c.Version++
	c.UpdatedAt = db.now()
	c.Readiness = db.summary(c, pol)
	return before, prior, change, nil
}

// finishUpdate writes the parts that changed, clears the chair's notes of
// a purged conference and appends the audit row and the events.
func (db *DB) finishUpdate(tx *gorm.DB, ctx context.Context, p domain.Principal, before, after aggregateRows, prior domain.ReadinessSummary, c *domain.Conference, change domain.Change) error {
	if err := updateParts(tx, before, after); err != nil {
		return err
	}
	if err := applyChange(tx, p.Org, &before.conference, &after.conference); err != nil {
		return err
	}
	if c.PurgedAt != nil {
		// The chair's notes are free text about the family too.
		if err := tx.Model(&checkRow{}).Where("conference_id = ?", c.ID).Update("note", nil).Error; err != nil {
			return err
		}
	}
	if err := db.appendAudit(tx, ctx, p, c.ID, change); err != nil {
		return err
	}
	return db.appendEvents(tx, p.Org, updateEvents(prior, c, change)...)
}
