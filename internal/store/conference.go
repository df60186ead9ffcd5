package store

import (
	"context"

	"github.com/google/uuid"

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
	return db.createAssembled(ctx, p, c, changes)
}

// CreateDraft stores the conference a one-call create describes, put
// together once, as Draft.Conference puts it together: a part it refuses
// is named by its path into the draft, before anything is written.
func (db *DB) CreateDraft(ctx context.Context, p domain.Principal, d *domain.Draft) (*domain.Conference, error) {
	c, changes, err := d.Conference(db.today())
	if err != nil {
		return nil, err
	}
	return db.createAssembled(ctx, p, c, changes)
}

// createAssembled stores c, which domain.Assemble put together through
// changes.
func (db *DB) createAssembled(ctx context.Context, p domain.Principal, c *domain.Conference, changes []domain.Change) (*domain.Conference, error) {
	now := db.now()
	c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
	err := db.inWrite(ctx, func(t *Tx) error {
		if err := db.reevaluate(t, p.Org, c); err != nil {
			return err
		}
		db.recordStartOfNew(c)
		row := toConferenceRow(p.Org, c)
		if err := writeConference(t, nil, &row); err != nil {
			return err
		}
		if err := applyChange(t, p.Org, nil, &row); err != nil {
			return err
		}
		if err := db.appendAudit(t, p, c.ID, changes...); err != nil {
			return err
		}
		return db.appendEvents(t, p.Org, domain.CreatedEvent(c))
	})
	if err != nil {
		return nil, db.NameExisting(ctx, p, c.ExternalRef, err)
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

var conferenceIDByRef = newQuery("SELECT id FROM conferences WHERE org = ? AND external_ref = ?")

func (db *DB) conferenceIDByRef(ctx context.Context, org, ref string) (string, error) {
	var id string
	err := db.inReadOne(ctx, func(t *Tx) error { return t.scan(conferenceIDByRef, []any{org, ref}, &id) })
	return id, err
}

// Conference returns the whole aggregate, and audits the read. Its
// readiness is evaluated live while new rules have yet to reach it.
func (db *DB) Conference(ctx context.Context, p domain.Principal, id string) (*domain.Conference, error) {
	var c *domain.Conference
	err := db.inRead(ctx, func(t *Tx) error {
		var err error
		if c, err = loadConference(t, p.Org, id); err != nil {
			return err
		}
		return db.current(t, p.Org, c)
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

// conference reads a conference of org in one snapshot.
func (db *DB) conference(ctx context.Context, org, id string) (*domain.Conference, error) {
	var c *domain.Conference
	err := db.inRead(ctx, func(t *Tx) error {
		var err error
		c, err = loadConference(t, org, id)
		return err
	})
	return c, err
}

// ConferenceItem reads one item of a conference (a participant, contact,
// report or share) and audits the read of that item. pick finds it in the
// aggregate and names it: its entity and id. When pick finds nothing, the
// read of the conference is audited instead, since it was read to answer.
func (db *DB) ConferenceItem(ctx context.Context, p domain.Principal, id string, pick func(*domain.Conference) (entity, itemID string, item any, err error)) (*domain.Conference, any, error) {
	c, err := db.conference(ctx, p.Org, id)
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

// recordStartOfNew records the start of a new conference whose start has
// already passed: there was no readiness before it, nor any check.
func (db *DB) recordStartOfNew(c *domain.Conference) {
	if db.startDue(c) {
		c.History.AtStart = newStartRecord(c.Readiness.Status, "", c.Readiness.Measures)
	}
}

// reevaluate stores a fresh readiness summary on c under org's policy.
func (db *DB) reevaluate(t *Tx, org string, c *domain.Conference) error {
	pol, err := policyIn(t, org)
	if err != nil {
		return err
	}
	c.Readiness = db.summary(c, pol)
	return nil
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
	err := db.inRead(ctx, func(t *Tx) error {
		var err error
		if c, err = loadConference(t, org, id); err != nil {
			return err
		}
		pol, err = policyIn(t, org)
		return err
	})
	return c, pol, err
}

// ConferenceReadiness returns the whole aggregate and its readiness as it
// stands now, read at one moment and audited as one read of the
// conference: what a page showing both needs, at the cost of one audit
// row. A conference stored before findings were kept, or one new rules
// have yet to reach, is evaluated live.
func (db *DB) ConferenceReadiness(ctx context.Context, p domain.Principal, id string) (*domain.Conference, domain.ReadinessResult, error) {
	var (
		c      *domain.Conference
		result domain.ReadinessResult
	)
	err := db.inRead(ctx, func(t *Tx) error {
		var err error
		if c, err = loadConference(t, p.Org, id); err != nil {
			return err
		}
		if err := db.current(t, p.Org, c); err != nil {
			return err
		}
		result = c.Readiness.Result(db.now())
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
