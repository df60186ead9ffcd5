package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// SeedConferences stores whole aggregates for p's organisation in one write
// transaction, each as CreateConference would leave it: put together part
// by part through the conference's own methods (domain.Assemble), so that
// no seed holds what the API would refuse, readiness evaluated under the
// organisation's policy, and one create row in the audit trail. It exists
// to fill a database quickly for load tests; callers choose the ids, and
// keep each call to a few thousand conferences. Each of cs is replaced by
// the conference as stored.
func (db *DB) SeedConferences(ctx context.Context, p domain.Principal, cs []*domain.Conference) error {
	now, today := db.now(), db.today()
	for _, c := range cs {
		if c.ID == "" {
			c.ID = uuid.NewString()
		}
		built, _, err := domain.Assemble(c, today)
		if err != nil {
			return fmt.Errorf("seeding conference %s: %w", c.ID, err)
		}
		built.Version, built.CreatedAt, built.UpdatedAt = c.Version, c.CreatedAt, c.UpdatedAt
		*c = *built
		fillSeedDefaults(c, now)
	}
	return db.inWrite(ctx, func(t *Tx) error {
		// The policy is the same for every conference of the organisation,
		// so it is read once per transaction rather than once per conference.
		pol, err := policyIn(t, p.Org)
		if err != nil {
			return err
		}
		d := tallyDelta{}
		for _, c := range cs {
			c.Readiness = db.summary(c, pol)
			db.recordStartOfNew(c)
			row := toConferenceRow(p.Org, c)
			if err := writeConference(t, nil, &row); err != nil {
				return err
			}
			d.change(nil, &row)
			if err := db.appendAudit(t, p, c.ID, domain.Change{Action: "create", Entity: "conference", EntityID: c.ID, After: &c.ConferenceFields}); err != nil {
				return err
			}
		}
		return d.apply(t, p.Org)
	})
}

// fillSeedDefaults gives a seeded conference the version and times
// CreateConference would, unless the caller chose them.
func fillSeedDefaults(c *domain.Conference, now time.Time) {
	if c.Version == 0 {
		c.Version = 1
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
}
