package readiness

import (
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Calendar counts working days; *workdays.Calendar satisfies it.
type Calendar interface {
	IsWorkingDay(domain.Date) bool
	WorkingDaysBefore(domain.Date, int) domain.Date
	WorkingDaysAfter(domain.Date, int) domain.Date
}

// Evaluate judges c under policy p at the instant now. Only the Overdue
// flags depend on now; see the package comment.
func Evaluate(c *domain.Conference, now time.Time, p domain.Policy, cal Calendar) domain.ReadinessResult {
	e := newEvaluation(c, p, cal)
	fs := e.findings()
	domain.MarkOverdue(fs, domain.DateOf(now))
	r := domain.ReadinessResult{Status: domain.Ready, Findings: fs, EvaluatedAt: now, Measures: e.measures()}
	for _, f := range fs {
		if f.Severity == advisory {
			r.Advisories++
			continue
		}
		r.Blockers++
		r.Status = domain.NotReady
		if f.DueOn != nil && (r.EarliestDueOn == nil || f.DueOn.Before(*r.EarliestDueOn)) {
			due := *f.DueOn
			r.EarliestDueOn = &due
		}
	}
	return r
}

// evaluation is what every rule may read; it holds no instant.
type evaluation struct {
	c        *domain.Conference
	p        domain.Policy
	cal      Calendar
	date     domain.Date // the conference date in London
	due      domain.Date // when reports and children's views must be shared
	chairDue domain.Date // when reports must reach the chair
	active   []*domain.Participant
}

// findings runs every rule in the documented order. It takes no instant,
// which is what makes the set of findings independent of time.
func findings(c *domain.Conference, p domain.Policy, cal Calendar) []domain.Finding {
	return newEvaluation(c, p, cal).findings()
}

func newEvaluation(c *domain.Conference, p domain.Policy, cal Calendar) *evaluation {
	e := &evaluation{c: c, p: p, cal: cal, date: c.Date()}
	e.due = ReportsDue(c, p, cal)
	e.chairDue = cal.WorkingDaysBefore(e.date, p.ChairReportDays.For(c.Type))
	for i := range c.Participants {
		if Applicable(&c.Participants[i]) {
			e.active = append(e.active, &c.Participants[i])
		}
	}
	return e
}

// ReportsDue is the date by which reports and children's views must be
// shared: the policy's working days for the conference type before the
// conference date.
func ReportsDue(c *domain.Conference, p domain.Policy, cal Calendar) domain.Date {
	return cal.WorkingDaysBefore(c.Date(), p.ReportDays.For(c.Type))
}

func (e *evaluation) findings() []domain.Finding {
	c := e.c
	fs := make([]domain.Finding, 0, 16)
	for _, rule := range conferenceRules {
		fs = append(fs, rule(e)...)
	}
	for i := range c.Participants {
		pt := &c.Participants[i]
		fs = append(fs, exclusionNotDecided(pt)...)
		fs = append(fs, parentNotInvited(pt)...)
		if !Applicable(pt) {
			continue
		}
		for _, rule := range participantRules {
			fs = append(fs, rule(e, pt)...)
		}
	}
	for i := range c.Reports {
		fs = append(fs, reportNotWithChair(e, &c.Reports[i])...)
		for _, pt := range e.active {
			if pt.OwedReports() {
				fs = append(fs, reportFindings(e, &c.Reports[i], pt)...)
			}
		}
	}
	for i := range c.Children {
		if !ViewsExpected(&c.Children[i]) {
			continue // an unborn child, or views recorded as not applicable
		}
		fs = append(fs, childViewsNotRecorded(&c.Children[i])...)
		fs = append(fs, childViewsNotShared(e, &c.Children[i])...)
	}
	return fs
}

// Applicable reports whether the participant rules apply: invited and not
// excluded. Excluded participants meet only EXCLUSION_NOT_DECIDED. The
// insights count with it too.
func Applicable(p *domain.Participant) bool {
	return p.IsInvited() && p.Attendance != domain.AttendanceExcluded
}

// ViewsExpected reports whether a child's views can be had and so are
// counted by the insights: the child is born and the views are not
// recorded as not applicable. It is the rules' own test: the views rules
// skip unborn children and are cleared by notApplicable.
func ViewsExpected(ch *domain.Child) bool {
	return !ch.Unborn && !notApplicable(ch.Views)
}

// finding builds a finding of the code's severity. due is copied so that no
// two findings share a pointer.
func finding(code, message string, due *domain.Date) domain.Finding {
	f := domain.Finding{Code: code, Severity: severity(code), Message: message}
	if due != nil {
		d := *due
		f.DueOn = &d
	}
	return f
}

// Evaluator binds a clock and a calendar, giving the function the store
// calls inside every write transaction.
func Evaluator(now func() time.Time, cal Calendar) func(*domain.Conference, domain.Policy) domain.ReadinessResult {
	return func(c *domain.Conference, p domain.Policy) domain.ReadinessResult {
		return Evaluate(c, now(), p, cal)
	}
}
