package readiness

import (
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// conferenceRules run once per conference, before any participant's.
var conferenceRules = []func(*evaluation) []domain.Finding{
	noFamilyParticipants,
	socialWorkerReportMissing,
	quorumNotConfirmed,
	agencyReportMissing,
	icpcTimescaleExceeded,
	reviewTimescaleExceeded,
	preBirthConferenceLate,
	transferInTimescaleExceeded,
}

// noFamilyParticipants fires when no family member is both invited and not
// excluded. Authority: research (parents were left out).
func noFamilyParticipants(e *evaluation) []domain.Finding {
	if len(e.active) > 0 {
		return nil
	}
	return []domain.Finding{finding(NoFamilyParticipants,
		"No family member is invited to the conference.", nil)}
}

// socialWorkerReportMissing fires when no report has agency social_care.
// It is due when reports must reach the chair (policy chair_report_days).
// Authority: Working Together 2023; LSCP procedures; Sussex 5.11.3.
func socialWorkerReportMissing(e *evaluation) []domain.Finding {
	for _, r := range e.c.Reports {
		if r.Agency == domain.AgencySocialCare {
			return nil
		}
	}
	return []domain.Finding{finding(SocialWorkerReportMissing,
		"There is no social care report for the conference.", &e.chairDue)}
}

// icpcTimescaleExceeded fires when an initial conference is held more than
// the policy's working days (default 15) after the strategy discussion; the
// limit is the due date. Authority: Working Together.
func icpcTimescaleExceeded(e *evaluation) []domain.Finding {
	if e.c.Type != domain.TypeInitial || e.c.StrategyDiscussionOn == nil {
		return nil
	}
	limit := e.cal.WorkingDaysAfter(*e.c.StrategyDiscussionOn, e.p.ICPCWorkingDays)
	if !e.date.After(limit) {
		return nil
	}
	return []domain.Finding{finding(ICPCTimescaleExceeded,
		"The initial conference is more than "+itoa(e.p.ICPCWorkingDays)+
			" working days after the strategy discussion (limit "+limit.String()+").", &limit)}
}

// reviewTimescaleExceeded fires when a review is held after its limit: the
// previous conference date plus FirstReviewMonths (default 3) when that was
// the initial conference, otherwise plus ReviewIntervalMonths (default 6).
// An unrecorded previous type counts as a review, the longer interval, so
// a missing field never raises a false alarm. Authority: Working Together.
func reviewTimescaleExceeded(e *evaluation) []domain.Finding {
	if e.c.Type != domain.TypeReview || e.c.PreviousConferenceOn == nil {
		return nil
	}
	months, after := e.p.ReviewIntervalMonths, "previous review"
	if e.c.PreviousConferenceType == domain.TypeInitial {
		months, after = e.p.FirstReviewMonths, "initial conference"
	}
	limit := addMonths(*e.c.PreviousConferenceOn, months)
	if !e.date.After(limit) {
		return nil
	}
	return []domain.Finding{finding(ReviewTimescaleExceeded,
		"The review is more than "+itoa(months)+" months after the "+after+
			" (limit "+limit.String()+").", &limit)}
}

// preBirthConferenceLate fires when a pre-birth conference falls after
// the policy's week of pregnancy (default 28): fewer than 40 − N weeks
// before the expected delivery. The last day of week N is the due date.
// Authority: Sussex 7.4.6; Derbyshire.
func preBirthConferenceLate(e *evaluation) []domain.Finding {
	if e.c.Type != domain.TypePreBirth || e.c.ExpectedDeliveryOn == nil {
		return nil
	}
	limit := e.c.ExpectedDeliveryOn.AddDays(-7 * (40 - e.p.PreBirthLatestWeek))
	if !e.date.After(limit) {
		return nil
	}
	return []domain.Finding{finding(PreBirthConferenceLate,
		"The pre-birth conference falls after week "+itoa(e.p.PreBirthLatestWeek)+
			" of pregnancy (limit "+limit.String()+").", &limit)}
}

// transferInTimescaleExceeded fires when a transfer-in conference is held
// more than the policy's working days (default 15) after the notice of
// the transfer; the limit is the due date. Authority: Norfolk 3.8; Tees.
func transferInTimescaleExceeded(e *evaluation) []domain.Finding {
	if e.c.Type != domain.TypeTransferIn || e.c.TransferNoticeOn == nil {
		return nil
	}
	limit := e.cal.WorkingDaysAfter(*e.c.TransferNoticeOn, e.p.TransferInDays)
	if !e.date.After(limit) {
		return nil
	}
	return []domain.Finding{finding(TransferInTimescaleExceeded,
		"The transfer-in conference is more than "+itoa(e.p.TransferInDays)+
			" working days after the notice of transfer (limit "+limit.String()+").", &limit)}
}

// addMonths adds calendar months the way English law counts them: to the
// same day of the later month, or its last day when that month is shorter
// (31 August + 6 months is 28 or 29 February, not early March as
// time.AddDate would have it).
func addMonths(d domain.Date, n int) domain.Date {
	y, m, day := d.Time().Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return domain.NewDate(first.Year(), first.Month(), min(day, last))
}
