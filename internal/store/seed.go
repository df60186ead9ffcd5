package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// SeedConferences stores whole aggregates for p's organisation in one write
// transaction, each as CreateConference would leave it: readiness evaluated
// under the organisation's policy and one create row in the audit trail.
// It exists to fill a database quickly for load tests; callers choose the
// ids, and keep each call to a few thousand conferences.
func (db *DB) SeedConferences(ctx context.Context, p domain.Principal, cs []*domain.Conference) error {
	now := db.now()
	for _, c := range cs {
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
			c.Readiness = db.Evaluate(c, pol).Summary()
			db.recordStartOfNew(c)
			row, err := insertAggregate(t, p.Org, c)
			if err != nil {
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

// fillSeedDefaults gives a seeded conference what CreateConference would.
func fillSeedDefaults(c *domain.Conference, now time.Time) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	if c.Status == "" {
		c.Status = domain.StatusScheduled
	}
	if c.Version == 0 {
		c.Version = 1
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	if c.Children == nil {
		c.Children = []domain.Child{}
	}
	if c.Participants == nil {
		c.Participants = []domain.Participant{}
	}
	if c.Reports == nil {
		c.Reports = []domain.Report{}
	}
	if c.Professionals == nil {
		c.Professionals = []domain.Professional{}
	}
}
