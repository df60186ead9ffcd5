package store

import (
	"context"
	"errors"
	"reflect"

	"github.com/cpcready/cpcready/internal/domain"
)

// optimisticAttempts is how many times UpdateConference prepares a write
// from a snapshot before it does everything under the lock.
const optimisticAttempts = 3

// UpdateConference applies m to the conference and stores the result, all
// or nothing: it checks ifMatch (when not nil) against the version, bumps
// the version, re-evaluates readiness and appends the audit row. A
// mutation that changes nothing stored (the same value put again) writes
// nothing: the version stays, no event is sent, and the call is audited
// as the read it was.
//
// The aggregate is read, changed and evaluated from a snapshot, outside the
// write transaction, so that writers to different conferences do that work
// side by side; the transaction then only writes what changed, on
// condition that neither the conference (see writeConference) nor the
// policy has moved. When they have, the work is done again from a fresh
// snapshot, and after a few tries under the lock, so that a busy
// conference still makes progress. m may therefore run more than once,
// each time on a fresh copy.
func (db *DB) UpdateConference(ctx context.Context, p domain.Principal, id string, ifMatch *int, m domain.Mutation) (*domain.Conference, error) {
	for attempt := 1; ; attempt++ {
		c, err := db.update(ctx, p, id, ifMatch, m, attempt > optimisticAttempts)
		if !errors.Is(err, errStale) {
			return c, err
		}
	}
}

// pendingUpdate is an update worked out and not yet written.
type pendingUpdate struct {
	c             *domain.Conference
	pol           domain.Policy
	before, after conferenceRow
	prior         domain.ReadinessSummary
	change        domain.Change
	unchanged     bool // m changed nothing stored: nothing to write
}

// update reads the conference, applies m and writes the result: from a
// snapshot, or, when locked, all inside the write transaction.
func (db *DB) update(ctx context.Context, p domain.Principal, id string, ifMatch *int, m domain.Mutation, locked bool) (*domain.Conference, error) {
	var u pendingUpdate
	prepare := func(t *Tx) error {
		var err error
		u, err = db.prepareUpdate(t, p.Org, id, ifMatch, m)
		return err
	}
	if !locked {
		if err := db.inRead(ctx, prepare); err != nil {
			return nil, err
		}
	}
	if u.unchanged {
		return db.answerUnchanged(ctx, p, u)
	}
	err := db.inWrite(ctx, func(t *Tx) error {
		if locked {
			if err := prepare(t); err != nil || u.unchanged {
				return err
			}
		} else if err := policyUnchanged(t, p.Org, u.pol); err != nil {
			return err
		}
		return db.writeUpdate(t, p, u)
	})
	if err != nil {
		return nil, err
	}
	if u.unchanged {
		return db.answerUnchanged(ctx, p, u)
	}
	u.c.Readiness.SetOverdue(db.today())
	return u.c, nil
}

// answerUnchanged answers an update that changed nothing with the
// conference as it stands, auditing the read of it.
func (db *DB) answerUnchanged(ctx context.Context, p domain.Principal, u pendingUpdate) (*domain.Conference, error) {
	if err := db.AuditRead(ctx, p, "conference", u.c.ID, u.c.ID); err != nil {
		return nil, err
	}
	u.c.Readiness = u.prior
	u.c.Readiness.SetOverdue(db.today())
	return u.c, nil
}

// prepareUpdate reads the conference and its policy, checks ifMatch, runs
// the mutation, bumps the version and evaluates the result. A start that
// passed before this write is recorded before the write changes anything,
// so the write cannot rewrite it.
func (db *DB) prepareUpdate(t *Tx, org, id string, ifMatch *int, m domain.Mutation) (pendingUpdate, error) {
	c, err := loadConference(t, org, id)
	if err != nil {
		return pendingUpdate{}, err
	}
	if ifMatch != nil && *ifMatch != c.Version {
		return pendingUpdate{}, domain.Errorf(domain.EPRECONDITION, "the conference has changed: version is %d", c.Version)
	}
	u := pendingUpdate{c: c, before: toConferenceRow(org, c), prior: c.Readiness}
	if u.pol, err = policyIn(t, org); err != nil {
		return pendingUpdate{}, err
	}
	if db.startDue(c) {
		if c.History.AtStart, err = startRecord(t, c); err != nil {
			return pendingUpdate{}, err
		}
	}
	if !db.trusted(u.prior.Findings != nil, u.prior.Rules) {
		// Stored before findings were kept, or before new rules: what a
		// read meanwhile would have answered is the live evaluation.
		u.prior = db.Evaluate(c, u.pol).Summary()
	}
	if u.change, err = m(c); err != nil {
		return pendingUpdate{}, err
	}
	u.after = toConferenceRow(org, c)
	if u.unchanged = reflect.DeepEqual(u.after, u.before); u.unchanged {
		return u, nil
	}
	c.Version++
	c.UpdatedAt = db.now()
	c.Readiness = db.summary(c, u.pol)
	u.after.Version, u.after.UpdatedAt = c.Version, c.UpdatedAt.UTC()
	u.after = withReadiness(u.after, c.Readiness)
	return u, nil
}

// writeUpdate writes what changed, adjusts the tallies, clears the chair's
// notes of a purged conference and appends the audit row and the events.
func (db *DB) writeUpdate(t *Tx, p domain.Principal, u pendingUpdate) error {
	if err := writeConference(t, &u.before, &u.after); err != nil {
		return err
	}
	if err := applyChange(t, p.Org, &u.before, &u.after); err != nil {
		return err
	}
	if u.c.PurgedAt != nil {
		// The chair's notes are free text about the family too.
		if err := t.orm().Model(&checkRow{}).Where("conference_id = ?", u.c.ID).Update("note", nil).Error; err != nil {
			return err
		}
	}
	if err := db.appendAudit(t, p, u.c.ID, u.change); err != nil {
		return err
	}
	return db.appendEvents(t, p.Org, domain.UpdateEvents(u.prior, u.c, u.change)...)
}
