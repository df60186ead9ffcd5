package store

import (
	"encoding/json"
	"errors"
	"slices"

	jsonv2 "github.com/go-json-experiment/json"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Rows mirror the tables one to one. A conference is one row: its parts
// are stored on it as JSON, in the form the domain gives them, since the
// aggregate is only ever read and written whole.

type conferenceRow struct {
	ID                     string `gorm:"primaryKey"`
	Org                    string
	ExternalRef            string
	Type                   string
	ScheduledStart         time.Time
	Format                 string
	Status                 string
	StrategyDiscussionOn   *string
	PreviousConferenceOn   *string
	PreviousConferenceType *string
	ExpectedDeliveryOn     *string
	TransferNoticeOn       *string
	ChairRef               *string
	ChairName              *string
	SocialWorkerRef        *string
	SocialWorkerName       *string
	Version                int
	ReadinessStatus        string
	ReadinessBlockers      int
	ReadinessAdvisories    int
	ReadinessDueOn         *string
	ReadinessFindings      *string // JSON, without overdue flags
	ReadinessRules         int64   // the rules it was evaluated under; see DB.stale
	InsightMeasures        *string // JSON domain.Tally; NULL before first evaluated with measures
	PostponedByChair       bool
	StartStatus            *string // readiness when the conference began; NULL until recorded
	StartNeeds             *string // JSON domain.Tally of needs at the start
	PurgedAt               *time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Children               string // JSON []domain.Child
	Parts                  string // JSON conferenceParts; "" when a list leaves it out
}

func (conferenceRow) TableName() string { return "conferences" }

func (r *conferenceRow) fields() []any {
	return []any{&r.ID, &r.Org, &r.ExternalRef, &r.Type, &r.ScheduledStart, &r.Format, &r.Status,
		&r.StrategyDiscussionOn, &r.PreviousConferenceOn, &r.PreviousConferenceType, &r.ExpectedDeliveryOn, &r.TransferNoticeOn,
		&r.ChairRef, &r.ChairName, &r.SocialWorkerRef, &r.SocialWorkerName, &r.Version,
		&r.ReadinessStatus, &r.ReadinessBlockers, &r.ReadinessAdvisories, &r.ReadinessDueOn, &r.ReadinessFindings,
		&r.ReadinessRules, &r.InsightMeasures, &r.PostponedByChair, &r.StartStatus, &r.StartNeeds, &r.PurgedAt, &r.CreatedAt, &r.UpdatedAt, &r.Children, &r.Parts}
}

var conferences = newTable((*conferenceRow).fields, []int{1}, "")

// Conversions between nullable columns and domain values.

func dateCol(d *domain.Date) *string {
	if d == nil || d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func colDate(s *string) *domain.Date {
	if s == nil {
		return nil
	}
	d, err := domain.ParseDate(*s)
	if err != nil {
		return nil
	}
	return &d
}

func textCol(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func colText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The mappers below carry every field both ways; TestAggregateRowsLoseNothing
// holds them to it.

func toConferenceRow(org string, c *domain.Conference) conferenceRow {
	r := conferenceRow{
		ID: c.ID, Org: org, ExternalRef: c.ExternalRef, Type: string(c.Type),
		ScheduledStart: c.ScheduledStart.UTC(), Format: string(c.Format), Status: string(c.Status),
		StrategyDiscussionOn:   dateCol(c.StrategyDiscussionOn),
		PreviousConferenceOn:   dateCol(c.PreviousConferenceOn),
		PreviousConferenceType: textCol(string(c.PreviousConferenceType)),
		ExpectedDeliveryOn:     dateCol(c.ExpectedDeliveryOn),
		TransferNoticeOn:       dateCol(c.TransferNoticeOn),
		Version:                c.Version,
		PostponedByChair:       c.History.PostponedByChair,
		PurgedAt:               utc(c.PurgedAt),
		CreatedAt:              c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Children: jsonCol(orEmpty(c.Children)),
		Parts:    jsonCol(conferenceParts{orEmpty(c.Participants), orEmpty(c.Reports), orEmpty(c.Professionals)}),
	}
	if s := c.History.AtStart; s != nil {
		r.StartStatus, r.StartNeeds = textCol(s.Status), tallyCol(nonNil(s.Needs))
	}
	if c.Chair != nil {
		r.ChairRef, r.ChairName = textCol(c.Chair.Ref), textCol(c.Chair.Name)
	}
	if c.SocialWorker != nil {
		r.SocialWorkerRef, r.SocialWorkerName = textCol(c.SocialWorker.Ref), textCol(c.SocialWorker.Name)
	}
	return withReadiness(r, c.Readiness)
}

// withReadiness is r with the readiness columns of s: what a
// re-evaluation changes, without encoding the parts again.
func withReadiness(r conferenceRow, s domain.ReadinessSummary) conferenceRow {
	r.ReadinessStatus, r.ReadinessBlockers, r.ReadinessAdvisories = s.Status, s.Blockers, s.Advisories
	r.ReadinessDueOn, r.ReadinessFindings, r.ReadinessRules = dateCol(s.DueOn), findingsCol(s.Findings), s.Rules
	r.InsightMeasures = tallyCol(s.Measures)
	return r
}

// fromConferenceRow is the conference of a row. A row read without its
// findings or its parts (a list's) has none.
func fromConferenceRow(r conferenceRow) (domain.Conference, error) {
	c := domain.Conference{
		ID: r.ID,
		ConferenceFields: domain.ConferenceFields{
			ExternalRef: r.ExternalRef, Type: domain.ConferenceType(r.Type),
			ScheduledStart: domain.Timestamp{Time: r.ScheduledStart.UTC()},
			Format:         domain.Format(r.Format), Status: domain.ConferenceStatus(r.Status),
			StrategyDiscussionOn:   colDate(r.StrategyDiscussionOn),
			PreviousConferenceOn:   colDate(r.PreviousConferenceOn),
			PreviousConferenceType: domain.ConferenceType(colText(r.PreviousConferenceType)),
			ExpectedDeliveryOn:     colDate(r.ExpectedDeliveryOn),
			TransferNoticeOn:       colDate(r.TransferNoticeOn),
		},
		Participants:  []domain.Participant{},
		Reports:       []domain.Report{},
		Professionals: []domain.Professional{},
		Version:       r.Version,
		Readiness:     summaryOf(r),
		CreatedAt:     r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		PurgedAt: utc(r.PurgedAt),
		History:  domain.ConferenceHistory{PostponedByChair: r.PostponedByChair},
	}
	partsErr := colParts(r, &c)
	var err error
	c.Readiness.Findings, err = colFindings(r.ReadinessFindings)
	c.Readiness.Measures = colTally(r.InsightMeasures)
	if r.StartStatus != nil {
		c.History.AtStart = &domain.StartRecord{Status: *r.StartStatus, Needs: nonNil(colTally(r.StartNeeds))}
	}
	if r.ChairRef != nil {
		c.Chair = &domain.Person{Ref: *r.ChairRef, Name: colText(r.ChairName)}
	}
	if r.SocialWorkerRef != nil {
		c.SocialWorker = &domain.Person{Ref: *r.SocialWorkerRef, Name: colText(r.SocialWorkerName)}
	}
	return c, errors.Join(partsErr, err)
}

// conferenceParts is how a conference's parts other than its children are
// stored: in the domain's own JSON, so that nothing maps them field by
// field, and a new field is stored as soon as the domain has it.
type conferenceParts struct {
	Participants  []domain.Participant  `json:"participants"`
	Reports       []domain.Report       `json:"reports"`
	Professionals []domain.Professional `json:"professionals"`
}

func jsonCol(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the domain's parts hold nothing json cannot marshal
	}
	return string(b)
}

// colParts decodes a row's children and parts into c, every list empty
// rather than nil and needs in the order of domain.NeedKinds, so that a
// conference reads the same however it was written.
func colParts(r conferenceRow, c *domain.Conference) error {
	var parts conferenceParts
	var errs [2]error
	if r.Children != "" {
		errs[0] = jsonv2.Unmarshal([]byte(r.Children), &c.Children)
	}
	if r.Parts != "" {
		errs[1] = jsonv2.Unmarshal([]byte(r.Parts), &parts)
	}
	c.Children = orEmpty(c.Children)
	c.Participants, c.Reports, c.Professionals = orEmpty(parts.Participants), orEmpty(parts.Reports), orEmpty(parts.Professionals)
	for i := range c.Participants {
		p := &c.Participants[i]
		p.Needs, p.Contacts = orEmpty(p.Needs), orEmpty(p.Contacts)
		slices.SortStableFunc(p.Needs, func(a, b domain.Need) int {
			return slices.Index(domain.NeedKinds, a.Kind) - slices.Index(domain.NeedKinds, b.Kind)
		})
	}
	for i := range c.Reports {
		c.Reports[i].Shares = orEmpty(c.Reports[i].Shares)
	}
	return errors.Join(errs[:]...)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// findingsCol stores findings as JSON without their overdue flags, which
// depend on the day they are read; nil findings (never evaluated) are NULL.
func findingsCol(fs []domain.Finding) *string {
	if fs == nil {
		return nil
	}
	plain := make([]domain.Finding, len(fs))
	for i, f := range fs {
		f.Overdue = false
		plain[i] = f
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return nil // a Finding always marshals
	}
	s := string(b)
	return &s
}

func colFindings(s *string) ([]domain.Finding, error) {
	if s == nil {
		return nil, nil
	}
	// json v2 decodes the stored findings in half the time encoding/json
	// takes; loading a conference decodes them on every read and write.
	fs := []domain.Finding{}
	return fs, jsonv2.Unmarshal([]byte(*s), &fs)
}

// summaryOf is the stored readiness summary of a row, without findings
// (whose decoding can fail).
func summaryOf(r conferenceRow) domain.ReadinessSummary {
	return domain.ReadinessSummary{Status: r.ReadinessStatus, Blockers: r.ReadinessBlockers, Advisories: r.ReadinessAdvisories, DueOn: colDate(r.ReadinessDueOn), Rules: r.ReadinessRules}
}

// tallyCol stores a tally as JSON; nil (never counted) is NULL, so that an
// empty tally and a missing one differ.
func tallyCol(t domain.Tally) *string {
	if t == nil {
		return nil
	}
	b, err := json.Marshal(t) // map keys come out sorted, so equal tallies store equal
	if err != nil {
		return nil // a Tally always marshals
	}
	s := string(b)
	return &s
}

// colTally reads a stored tally; a NULL or unreadable one is nil.
func colTally(s *string) domain.Tally {
	if s == nil {
		return nil
	}
	t := domain.Tally{}
	if json.Unmarshal([]byte(*s), &t) != nil {
		return nil
	}
	return t
}

func nonNil(t domain.Tally) domain.Tally {
	if t == nil {
		return domain.Tally{}
	}
	return t
}
