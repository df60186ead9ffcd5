package readiness

import "github.com/cpcready/cpcready/internal/domain"

// measures counts what the conference as it stands adds to its
// organisation's insights (docs/insights.md), using the same predicates as
// the rules: Applicable, domain's OwedReports, ViewsExpected, SpokenTo, sharedWith
// and withheldByChair, and the same due date. Like the findings, the
// counts never depend on the instant. What depends on time or on chairs'
// checks (ready_at_start, postponed_by_chair) is recorded by the store.
func (e *evaluation) measures() domain.Tally {
	t := domain.Tally{}
	count := func(key string, yes bool) {
		c := t[key]
		c.Denominator++
		if yes {
			c.Numerator++
		}
		t[key] = c
	}
	for _, p := range e.active {
		count(domain.MeasureSpokeToSocialWorker, SpokenTo(p, "social_worker", e.date))
		count(domain.MeasureSpokeToChair, SpokenTo(p, "chair", e.date))
		if p.OwedReports() {
			count(domain.MeasureReportsSharedInTime, e.reportsInTime(p))
		}
		switch p.Attendance {
		case domain.AttendanceInPerson, domain.AttendanceVideo, domain.AttendancePhone:
			count(domain.MeasurePhoneOnly, p.Attendance == domain.AttendancePhone)
		}
		for _, n := range p.Needs {
			if n.Status == domain.NeedIdentified || n.Status == domain.NeedArranged {
				count(domain.NeedsPrefix+n.Kind, n.Status == domain.NeedArranged)
			}
		}
	}
	for i := range e.c.Children {
		ch := &e.c.Children[i]
		if ViewsExpected(ch) {
			v := ch.Views
			count(domain.MeasureChildViewsShared, v != nil && v.RecordedOn != nil && v.SharedOn != nil && !v.SharedOn.After(e.date))
		}
	}
	// Zero counts are kept out so that equal tallies compare equal.
	for k, c := range t {
		if c.IsZero() {
			delete(t, k)
		}
	}
	return t
}

// reportsInTime reports whether every report of the conference was shared
// with the participant, or withheld from them with the chair's agreement,
// on or before its due date. With no report at all there was nothing to
// receive, and the participant counts as not having received the reports.
func (e *evaluation) reportsInTime(p *domain.Participant) bool {
	if len(e.c.Reports) == 0 {
		return false
	}
	for i := range e.c.Reports {
		if !e.reportInTime(&e.c.Reports[i], p) {
			return false
		}
	}
	return true
}

func (e *evaluation) reportInTime(r *domain.Report, p *domain.Participant) bool {
	for i := range r.Shares {
		s := &r.Shares[i]
		if sharedWith(s, p) && !s.SharedOn.After(e.due) {
			return true
		}
		if withheldByChair(s, p) && !s.ChairAgreedOn.After(e.due) {
			return true
		}
	}
	return false
}
