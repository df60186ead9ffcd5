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

// Parts are the nested parts of a conference created in one call.
type Parts struct {
	Participants  []domain.Participant
	Reports       []domain.Report
	Professionals []domain.Professional
}

// CreateConferenceWith stores a new conference with its family members and
// reports, already validated and with their ids, in one transaction: all
// of it or none. Each part is audited as if it had been added on its own.
func (db *DB) CreateConferenceWith(ctx context.Context, p domain.Principal, f domain.ConferenceFields, parts Parts) (*domain.Conference, error) {
	now := db.now()
	c := &domain.Conference{
		ID: uuid.NewString(), ConferenceFields: f,
		Participants: parts.Participants, Reports: parts.Reports, Professionals: parts.Professionals,
		Version: 1, CreatedAt: now, UpdatedAt: now,
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
	if c.Status == "" {
		c.Status = domain.StatusScheduled
	}
	if c.Children == nil {
		c.Children = []domain.Child{}
	}
	err := db.inWrite(ctx, func(t *Tx) error {
		if err := db.reevaluate(t, p.Org, c); err != nil {
			return err
		}
		db.recordStartOfNew(c)
		row, err := insertAggregate(t, p.Org, c)
		if err != nil {
			return err
		}
		if err := applyChange(t, p.Org, nil, &row); err != nil {
			return err
		}
		if err := db.appendAudit(t, p, c.ID, createChanges(c)...); err != nil {
			return err
		}
		return db.appendEvents(t, p.Org, createdEvent(c))
	})
	if err != nil {
		return nil, db.NameExisting(ctx, p, f.ExternalRef, err)
	}
	c.Readiness.SetOverdue(db.today())
	return c, nil
}

// createChanges are the audit of a new conference: the conference, and
// each nested part as the route that adds it alone would record it.
func createChanges(c *domain.Conference) []domain.Change {
	changes := []domain.Change{{Action: "create", Entity: "conference", EntityID: c.ID, After: &c.ConferenceFields}}
	for i := range c.Participants {
		pt := &c.Participants[i]
		changes = append(changes, domain.Change{Action: "create", Entity: "participant", EntityID: pt.ID, After: &pt.ParticipantFields})
		for j := range pt.Needs {
			n := pt.Needs[j]
			changes = append(changes, domain.Change{Action: "create", Entity: "need", EntityID: pt.ID + "/" + n.Kind, After: &n})
		}
	}
	for i := range c.Reports {
		r := &c.Reports[i]
		changes = append(changes, domain.Change{Action: "create", Entity: "report", EntityID: r.ID, After: map[string]any{"agency": r.Agency, "title": r.Title, "received_on": r.ReceivedOn}})
		for j := range r.Shares {
			changes = append(changes, domain.Change{Action: "create", Entity: "share", EntityID: r.Shares[j].ID, After: r.Shares[j]})
		}
	}
	for i := range c.Professionals {
		pr := &c.Professionals[i]
		changes = append(changes, domain.Change{Action: "create", Entity: "professional", EntityID: pr.ID, After: &pr.ProfessionalFields})
	}
	return changes
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

// Conference returns the whole aggregate, and audits the read.
func (db *DB) Conference(ctx context.Context, p domain.Principal, id string) (*domain.Conference, error) {
	c, err := db.conference(ctx, p.Org, id)
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
	c.Readiness = db.Evaluate(c, pol).Summary()
	return nil
}

// readinessOf reads what a readiness answer needs: one row, and only the
// columns it needs, since scanning a whole row is most of such a read.
var readinessOf = newQuery("SELECT version, readiness_status, readiness_blockers, readiness_advisories, readiness_due_on, readiness_findings FROM conferences WHERE id = ? AND org = ?")

// Readiness returns a conference's readiness as it stands now, and its
// version, and audits the read. It is one row: the findings stored by the
// last write, with overdue worked out for today. A row stored before
// findings were kept is evaluated live.
func (db *DB) Readiness(ctx context.Context, p domain.Principal, id string) (domain.ReadinessResult, int, error) {
	if uuid.Validate(id) != nil {
		return domain.ReadinessResult{}, 0, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	var row conferenceRow
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.scan(readinessOf, []any{id, p.Org}, &row.Version, &row.ReadinessStatus, &row.ReadinessBlockers,
			&row.ReadinessAdvisories, &row.ReadinessDueOn, &row.ReadinessFindings)
	})
	if err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	if row.ReadinessFindings == nil {
		c, pol, err := db.snapshot(ctx, p.Org, id)
		if err != nil {
			return domain.ReadinessResult{}, 0, err
		}
		return db.Evaluate(c, pol), c.Version, db.AuditRead(ctx, p, "readiness", id, id)
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
// row. A conference stored before findings were kept is evaluated live.
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
		if c.Readiness.Findings != nil {
			result = c.Readiness.Result(db.now())
			return nil
		}
		pol, err := policyIn(t, p.Org)
		result = db.Evaluate(c, pol)
		return err
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
