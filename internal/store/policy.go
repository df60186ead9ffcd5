package store

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"time"

	"gorm.io/gorm/clause"

	"github.com/cpcready/cpcready/internal/domain"
)

type policyRow struct {
	Org                  string `gorm:"primaryKey"`
	ReportDaysInitial    int
	ReportDaysReview     int
	ReportDaysPreBirth   int
	IcpcWorkingDays      int
	FirstReviewMonths    int
	ReviewIntervalMonths int
	PhoneOnlyAttendance  bool
	// Readiness rules v2.
	ChairReportDaysInitial  int
	ChairReportDaysReview   int
	ChairReportDaysPreBirth int
	QuorumOtherAgencies     int
	PreBirthLatestWeek      int
	TransferInDays          int
	Version                 int
	UpdatedAt               time.Time
}

func (policyRow) TableName() string { return "policies" }

func (r *policyRow) fields() []any {
	return []any{&r.Org, &r.ReportDaysInitial, &r.ReportDaysReview, &r.ReportDaysPreBirth, &r.IcpcWorkingDays,
		&r.FirstReviewMonths, &r.ReviewIntervalMonths, &r.PhoneOnlyAttendance, &r.ChairReportDaysInitial, &r.ChairReportDaysReview,
		&r.ChairReportDaysPreBirth, &r.QuorumOtherAgencies, &r.PreBirthLatestWeek, &r.TransferInDays, &r.Version, &r.UpdatedAt}
}

// policies are written by SetPolicy alone, through gorm.
var (
	policies = newTable((*policyRow).fields, nil, "")
	policyOf = newQuery("SELECT " + policies.columns("") + " FROM policies WHERE org = ?")
)

// policyUnchanged fails with errStale when org's policy is no longer the
// one read, under which a write was worked out from a snapshot.
func policyUnchanged(t *Tx, org string, read domain.Policy) error {
	now, err := policyIn(t, org)
	if err == nil && !reflect.DeepEqual(now, read) {
		err = errStale
	}
	return err
}

// policyIn returns org's policy, or the default when it has set none.
func policyIn(t *Tx, org string) (domain.Policy, error) {
	var r policyRow
	err := t.scan(policyOf, []any{org}, r.fields()...)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.DefaultPolicy(), nil
	}
	if err != nil {
		return domain.Policy{}, err
	}
	return domain.Policy{
		ReportDays:           domain.ReportDays{Initial: r.ReportDaysInitial, Review: r.ReportDaysReview, PreBirth: r.ReportDaysPreBirth},
		ICPCWorkingDays:      r.IcpcWorkingDays,
		FirstReviewMonths:    r.FirstReviewMonths,
		ReviewIntervalMonths: r.ReviewIntervalMonths,
		PhoneOnlyAttendance:  r.PhoneOnlyAttendance,
		ChairReportDays:      domain.ReportDays{Initial: r.ChairReportDaysInitial, Review: r.ChairReportDaysReview, PreBirth: r.ChairReportDaysPreBirth},
		QuorumOtherAgencies:  r.QuorumOtherAgencies,
		PreBirthLatestWeek:   r.PreBirthLatestWeek,
		TransferInDays:       r.TransferInDays,
		Version:              r.Version,
	}, nil
}

// Policy returns p's organisation's policy.
func (db *DB) Policy(ctx context.Context, p domain.Principal) (domain.Policy, error) {
	var pol domain.Policy
	err := db.inReadOne(ctx, func(t *Tx) error {
		var err error
		pol, err = policyIn(t, p.Org)
		return err
	})
	return pol, err
}

// SetPolicy replaces the organisation's policy and, in the same transaction,
// re-evaluates the organisation's conferences, so that the
// stored summaries never disagree with the policy.
func (db *DB) SetPolicy(ctx context.Context, p domain.Principal, pol domain.Policy, ifMatch *int) (domain.Policy, error) {
	err := db.inWrite(ctx, func(t *Tx) error {
		old, err := policyIn(t, p.Org)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != old.Version {
			return domain.Errorf(domain.EPRECONDITION, "the policy has changed: version is %d", old.Version)
		}
		pol.Version = old.Version + 1
		row := policyRow{
			Org: p.Org, ReportDaysInitial: pol.ReportDays.Initial, ReportDaysReview: pol.ReportDays.Review,
			ReportDaysPreBirth: pol.ReportDays.PreBirth, IcpcWorkingDays: pol.ICPCWorkingDays,
			FirstReviewMonths: pol.FirstReviewMonths, ReviewIntervalMonths: pol.ReviewIntervalMonths,
			PhoneOnlyAttendance: pol.PhoneOnlyAttendance, Version: pol.Version, UpdatedAt: db.now(),
			ChairReportDaysInitial: pol.ChairReportDays.Initial, ChairReportDaysReview: pol.ChairReportDays.Review,
			ChairReportDaysPreBirth: pol.ChairReportDays.PreBirth, QuorumOtherAgencies: pol.QuorumOtherAgencies,
			PreBirthLatestWeek: pol.PreBirthLatestWeek, TransferInDays: pol.TransferInDays,
		}
		if err := t.orm().Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		d := tallyDelta{}
		if err := db.reevaluateAll(t, p.Org, d); err != nil {
			return err
		}
		if err := d.apply(t, p.Org); err != nil {
			return err
		}
		return db.auditIn(t, p, domain.Change{Action: "update", Entity: "policy", EntityID: p.Org, Before: old, After: pol})
	})
	return pol, err
}

// reevaluateAll refreshes the stored readiness of every conference of org,
// not only the scheduled ones, so that a stored summary always agrees with
// a live evaluation. Policies change rarely, so one pass over the
// organisation's conferences is affordable.
//
// Starts that have passed are recorded first, from the readiness they had
// before this evaluation. What the conferences add to the insights changes
// with them; d, when not nil, collects the difference.
func (db *DB) reevaluateAll(t *Tx, org string, d tallyDelta) error {
	pol, err := policyIn(t, org)
	if err != nil {
		return err
	}
	if err := db.recordStarts(t, org); err != nil {
		return err
	}
	// Lock the rows: a write that evaluated under the old policy commits
	// first, and is then evaluated again here under the new one. Pages
	// keep memory flat and the queries per page fixed.
	after := ""
	for {
		rows, err := selectRows(t, (*conferenceRow).fields, conferencesToReevaluate, org, after, reevaluatePage)
		if err != nil || len(rows) == 0 {
			return err
		}
		if err := db.reevaluateRows(t, org, pol, rows, d); err != nil {
			return err
		}
		after = rows[len(rows)-1].ID
	}
}

// conferencesToReevaluate is a page of an organisation's conferences,
// locked on PostgreSQL.
var conferencesToReevaluate = newDialectQuery(
	"SELECT "+conferences.columns("")+" FROM conferences WHERE org = ? AND id > ? ORDER BY id LIMIT ?",
	"SELECT "+conferences.columns("")+" FROM conferences WHERE org = ? AND id > ? ORDER BY id LIMIT ? FOR UPDATE")

// reevaluateRows evaluates conference rows of org again under pol and
// stores their readiness. Only the readiness columns change: the version
// does not, since nothing a caller wrote has changed. A conference whose
// readiness changed gets an event. d, when not nil, collects the
// difference to the tallies.
func (db *DB) reevaluateRows(t *Tx, org string, pol domain.Policy, rows []conferenceRow, d tallyDelta) error {
	e, err := db.evaluateRows(t, org, pol, rows)
	if err != nil {
		return err
	}
	return db.writeEvaluated(t, e, d)
}

// evaluated is a page of conference rows evaluated again, not yet
// written: what each row becomes, and the events that go with it.
type evaluated struct {
	org           string
	pol           domain.Policy
	before, after []conferenceRow
	events        []domain.PendingEvent
}

// evaluateRows loads the aggregates of rows of org and evaluates them
// under pol; it writes nothing, so it can run in a read transaction.
func (db *DB) evaluateRows(t *Tx, org string, pol domain.Policy, rows []conferenceRow) (evaluated, error) {
	confs, err := loadAggregates(rows)
	if err != nil {
		return evaluated{}, err
	}
	e := evaluated{org: org, pol: pol, before: rows, after: make([]conferenceRow, len(rows))}
	for i := range confs {
		c := &confs[i]
		prior := c.Readiness
		c.Readiness = db.summary(c, pol)
		if ev, changed := domain.ReadinessChangedEvent(prior, c); changed && prior.Findings != nil {
			e.events = append(e.events, ev)
		}
		e.after[i] = withReadiness(rows[i], c.Readiness)
	}
	return e, nil
}

// writeEvaluated stores a page evaluated. Each row is written only as it
// was read (see writeConference), so a page evaluated outside the write
// transaction fails with errStale when any of its rows has moved since.
func (db *DB) writeEvaluated(t *Tx, e evaluated, d tallyDelta) error {
	for i := range e.after {
		if err := writeConference(t, &e.before[i], &e.after[i]); err != nil {
			return err
		}
		if d != nil {
			d.change(&e.before[i], &e.after[i])
		}
	}
	return db.appendEvents(t, e.org, e.events...)
}
