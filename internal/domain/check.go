package domain

import "time"

// ReadinessCheck is a chair's decision, just before a conference, to proceed
// or to postpone, with the findings as they stood at that moment.
type ReadinessCheck struct {
	ID        string `json:"id"`
	Decision  string `json:"decision" validate:"required,oneof=proceed postpone"`
	Note      string `json:"note,omitempty" validate:"max=2000"`
	CheckedBy string `json:"checked_by"`
	// CheckedByKind says what CheckedBy is an id of; empty for checks
	// recorded before it was kept.
	CheckedByKind PrincipalKind   `json:"checked_by_kind,omitempty"`
	CheckedAt     time.Time       `json:"checked_at"`
	Readiness     ReadinessResult `json:"readiness"`
}

// Finding is one reason a conference is or may be not ready.
type Finding struct {
	Code          string `json:"code"`
	Severity      string `json:"severity"`
	Message       string `json:"message"`
	ParticipantID string `json:"participant_id,omitempty"`
	ReportID      string `json:"report_id,omitempty"`
	ChildRef      string `json:"child_ref,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Agency        string `json:"agency,omitempty"`
	DueOn         *Date  `json:"due_on,omitempty"`
	Overdue       bool   `json:"overdue"`
}

// Severity values.
const (
	SeverityBlocker  = "blocker"
	SeverityAdvisory = "advisory"
)

// Readiness status values.
const (
	Ready    = "ready"
	NotReady = "not_ready"
)

// ReadinessResult is a full evaluation of a conference.
type ReadinessResult struct {
	Status      string    `json:"status"`
	Blockers    int       `json:"blockers"`
	Advisories  int       `json:"advisories"`
	Findings    []Finding `json:"findings"`
	EvaluatedAt time.Time `json:"evaluated_at"`
	// EarliestDueOn is the earliest due date among outstanding blockers.
	EarliestDueOn *Date `json:"-"`
	// Measures are what the conference as it stands adds to the insights,
	// counted with the rules' own predicates; see internal/readiness.
	Measures Tally `json:"-"`
}

// Summary returns the short form stored with the conference, findings
// included.
func (r ReadinessResult) Summary() ReadinessSummary {
	overdue := false
	for _, f := range r.Findings {
		overdue = overdue || (f.Overdue && f.Severity == SeverityBlocker)
	}
	return ReadinessSummary{Status: r.Status, Blockers: r.Blockers, Advisories: r.Advisories, DueOn: r.EarliestDueOn, Overdue: overdue, Findings: r.Findings, Measures: r.Measures}
}

// Result rebuilds the full evaluation from a stored summary as it stands
// at now. Which findings fire never depends on the instant, so only
// Overdue is worked out again.
func (s ReadinessSummary) Result(now time.Time) ReadinessResult {
	fs := append([]Finding{}, s.Findings...)
	MarkOverdue(fs, DateOf(now))
	return ReadinessResult{Status: s.Status, Blockers: s.Blockers, Advisories: s.Advisories, Findings: fs, EvaluatedAt: now, EarliestDueOn: s.DueOn, Measures: s.Measures}
}

// MarkOverdue flags the outstanding blockers whose due date is before
// today. Advisories are never overdue: nothing is left to do by a date.
func MarkOverdue(fs []Finding, today Date) {
	for i := range fs {
		f := &fs[i]
		f.Overdue = f.Severity == SeverityBlocker && f.DueOn != nil && today.After(*f.DueOn)
	}
}

// SetOverdue works out Overdue for today in Europe/London: the earliest
// outstanding deadline has passed.
func (s *ReadinessSummary) SetOverdue(today Date) {
	s.Overdue = s.DueOn != nil && today.After(*s.DueOn)
}

// Validate checks a check: proceeding while not ready needs a note.
func (c *ReadinessCheck) Validate(status string) error {
	fields := validateStruct(c)
	if c.Decision == "proceed" && status == NotReady && c.Note == "" {
		fields = append(fields, FieldError{"note", "is required to proceed while the conference is not ready"})
	}
	return invalidIf(fields)
}
