package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
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

// policyIn returns org's policy, or the default when it has set none.
func policyIn(tx *gorm.DB, org string) (domain.Policy, error) {
	var r policyRow
	err := tx.Where("org = ?", org).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
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
	err := db.inRead(ctx, func(tx *gorm.DB) error {
		var err error
		pol, err = policyIn(tx, p.Org)
		return err
	})
	return pol, err
}

// SetPolicy replaces the organisation's policy and, in the same transaction,
// re-evaluates the organisation's conferences, so that the
// stored summaries never disagree with the policy.
func (db *DB) SetPolicy(ctx context.Context, p domain.Principal, pol domain.Policy, ifMatch *int) (domain.Policy, error) {
	err := db.inWrite(ctx, func(tx *gorm.DB) error {
		old, err := policyIn(tx, p.Org)
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
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		d := tallyDelta{}
		if err := db.reevaluateAll(tx, p.Org, d); err != nil {
			return err
		}
		if err := d.apply(tx, p.Org); err != nil {
			return err
		}
		return db.auditIn(tx, ctx, p, domain.Change{Action: "update", Entity: "policy", EntityID: p.Org, Before: old, After: pol})
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
func (db *DB) reevaluateAll(tx *gorm.DB, org string, d tallyDelta) error {
	pol, err := policyIn(tx, org)
	if err != nil {
		return err
	}
	if err := db.recordStarts(tx, org); err != nil {
		return err
	}
	// Lock the rows: a write that evaluated under the old policy commits
	// first, and is then evaluated again here under the new one. Pages
	// keep memory flat and the queries per page fixed.
	after := ""
	for {
		var rows []conferenceRow
		q := db.forUpdate(tx).Where("org = ? AND id > ?", org, after).Order("id").Limit(reevaluatePage)
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if err := db.reevaluateRows(tx, org, pol, rows, d); err != nil {
			return err
		}
		after = rows[len(rows)-1].ID
	}
}

// reevaluateRows evaluates conference rows of org again under pol and
// stores their readiness. Only the readiness columns change: the version
// does not, since nothing a caller wrote has changed. A conference whose
// readiness changed gets an event. d, when not nil, collects the
// difference to the tallies.
func (db *DB) reevaluateRows(tx *gorm.DB, org string, pol domain.Policy, rows []conferenceRow, d tallyDelta) error {
	confs, err := loadAggregates(tx, rows)
	if err != nil {
		return err
	}
	var (
		events []pendingEvent
		same   []string
	)
	for i := range confs {
		c, was := &confs[i], &rows[i]
		prior := summaryOf(*was)
		if prior.Findings, err = colFindings(was.ReadinessFindings); err != nil {
			return err
		}
		c.Readiness = db.summary(c, pol)
		now := *was
		now.ReadinessStatus, now.ReadinessBlockers, now.ReadinessAdvisories = c.Readiness.Status, c.Readiness.Blockers, c.Readiness.Advisories
		now.ReadinessDueOn, now.ReadinessFindings = dateCol(c.Readiness.DueOn), findingsCol(c.Readiness.Findings)
		now.InsightMeasures, now.ReadinessRules = tallyCol(c.Readiness.Measures), c.Readiness.Rules
		if e, changed := readinessChange(prior, c); changed && was.ReadinessFindings != nil {
			events = append(events, e)
		}
		if d != nil {
			d.change(was, &now)
		}
		if sameReadiness(was, &now) {
			same = append(same, c.ID) // most rows, when new rules change little
			continue
		}
		err := tx.Exec(`UPDATE conferences SET readiness_status = ?, readiness_blockers = ?, readiness_advisories = ?,
			readiness_due_on = ?, readiness_findings = ?, insight_measures = ?, readiness_rules = ? WHERE id = ?`,
			now.ReadinessStatus, now.ReadinessBlockers, now.ReadinessAdvisories, now.ReadinessDueOn, now.ReadinessFindings,
			now.InsightMeasures, now.ReadinessRules, c.ID).Error
		if err != nil {
			return err
		}
	}
	if err := setRules(tx, db.rules.mark.Load(), same); err != nil {
		return err
	}
	return db.appendEvents(tx, org, events...)
}

// sameReadiness reports whether two states of a row hold the same
// readiness, whatever rules they name.
func sameReadiness(a, b *conferenceRow) bool {
	return a.ReadinessStatus == b.ReadinessStatus && a.ReadinessBlockers == b.ReadinessBlockers &&
		a.ReadinessAdvisories == b.ReadinessAdvisories && equalCol(a.ReadinessDueOn, b.ReadinessDueOn) &&
		equalCol(a.ReadinessFindings, b.ReadinessFindings) && equalCol(a.InsightMeasures, b.InsightMeasures)
}

func equalCol(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// setRules records that the conferences with ids were evaluated under the
// rules marked mark, in one statement however many there are.
func setRules(tx *gorm.DB, mark int64, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return tx.Exec("UPDATE conferences SET readiness_rules = ? WHERE id IN "+jsonStrings(tx), mark, string(list)).Error
}

// jsonStrings is a subquery of the strings in a JSON array given as one
// parameter, in tx's dialect: one SQL text, prepared once, for lists of
// any length.
func jsonStrings(tx *gorm.DB) string {
	if tx.Dialector.Name() == string(Postgres) {
		return "(SELECT jsonb_array_elements_text(CAST(? AS jsonb)))"
	}
	return "(SELECT value FROM json_each(?))"
}
