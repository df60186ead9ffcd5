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
	fs := findings(c, p, cal)
	domain.MarkOverdue(fs, domain.DateOf(now))
	r := domain.ReadinessResult{Status: domain.Ready, Findings: fs, EvaluatedAt: now}
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
	e := &evaluation{c: c, p: p, cal: cal, date: c.Date()}
	e.due = cal.WorkingDaysBefore(e.date, p.ReportDays.For(c.Type))
	e.chairDue = cal.WorkingDaysBefore(e.date, p.ChairReportDays.For(c.Type))
	for i := range c.Participants {
		if applicable(&c.Participants[i]) {
			e.active = append(e.active, &c.Participants[i])
		}
	}

	fs := make([]domain.Finding, 0, 16)
	for _, rule := range conferenceRules {
		fs = append(fs, rule(e)...)
	}
	for i := range c.Participants {
		pt := &c.Participants[i]
		fs = append(fs, exclusionNotDecided(pt)...)
		fs = append(fs, parentNotInvited(pt)...)
		if !applicable(pt) {
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
		if c.Children[i].Unborn {
			continue // an unborn child has no views to record
		}
		fs = append(fs, childViewsNotRecorded(&c.Children[i])...)
		fs = append(fs, childViewsNotShared(e, &c.Children[i])...)
	}
	return fs
}

// applicable reports whether the participant rules apply: invited and not
// excluded. Excluded participants meet only EXCLUSION_NOT_DECIDED.
func applicable(p *domain.Participant) bool {
	return p.IsInvited() && p.Attendance != domain.AttendanceExcluded
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
