package store

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Rows mirror the tables one to one; the aggregate is assembled from them.

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
}

func (conferenceRow) TableName() string { return "conferences" }

func (r *conferenceRow) fields() []any {
	return []any{&r.ID, &r.Org, &r.ExternalRef, &r.Type, &r.ScheduledStart, &r.Format, &r.Status,
		&r.StrategyDiscussionOn, &r.PreviousConferenceOn, &r.PreviousConferenceType, &r.ExpectedDeliveryOn, &r.TransferNoticeOn,
		&r.ChairRef, &r.ChairName, &r.SocialWorkerRef, &r.SocialWorkerName, &r.Version,
		&r.ReadinessStatus, &r.ReadinessBlockers, &r.ReadinessAdvisories, &r.ReadinessDueOn, &r.ReadinessFindings,
		&r.ReadinessRules, &r.InsightMeasures, &r.PostponedByChair, &r.StartStatus, &r.StartNeeds, &r.PurgedAt, &r.CreatedAt, &r.UpdatedAt}
}

var conferences = newTable((*conferenceRow).fields, []int{1}, "")

type childRow struct {
	ConferenceID    string `gorm:"primaryKey"`
	Position        int
	Ref             string `gorm:"primaryKey"`
	Name            *string
	ViewsMeans      *string
	ViewsRecordedOn *string
	ViewsSharedOn   *string
	ViewsReason     *string
	Unborn          bool
}

func (childRow) TableName() string { return "children" }

func (r *childRow) fields() []any {
	return []any{&r.ConferenceID, &r.Position, &r.Ref, &r.Name, &r.ViewsMeans, &r.ViewsRecordedOn, &r.ViewsSharedOn, &r.ViewsReason, &r.Unborn}
}

var children = newPart((*childRow).fields, func(r *childRow) string { return r.Ref }, "conference_id", "conference_id, position")

type participantRow struct {
	ID                    string `gorm:"primaryKey"`
	ConferenceID          string
	Position              int
	DisplayName           string
	Relationship          string
	Invited               bool
	Attendance            string
	NeedsAssessedOn       *string
	PrivateSpaceConfirmed bool
	TechnologyChecked     bool
	SafetyConcern         *string
	SafetyArrangement     *string
	SafetyNote            *string
	ExclusionDecidedOn    *string
	ExclusionGrounds      *string
	// Readiness rules v2.
	ParentalResponsibility bool
	InformedOn             *string
	AdvocacyOfferedOn      *string
	PersonRef              *string
}

func (participantRow) TableName() string { return "participants" }

func (r *participantRow) fields() []any {
	return []any{&r.ID, &r.ConferenceID, &r.Position, &r.DisplayName, &r.Relationship, &r.Invited, &r.Attendance,
		&r.NeedsAssessedOn, &r.PrivateSpaceConfirmed, &r.TechnologyChecked, &r.SafetyConcern, &r.SafetyArrangement, &r.SafetyNote,
		&r.ExclusionDecidedOn, &r.ExclusionGrounds, &r.ParentalResponsibility, &r.InformedOn, &r.AdvocacyOfferedOn, &r.PersonRef}
}

var participants = newPart((*participantRow).fields, func(r *participantRow) string { return r.ID }, "conference_id", "conference_id, position", "person_ref")

type needRow struct {
	ParticipantID string `gorm:"primaryKey"`
	Kind          string `gorm:"primaryKey"`
	Status        string
	Detail        *string
	Language      *string
	Interpreter   *string
}

func (needRow) TableName() string { return "needs" }

func (r *needRow) fields() []any {
	return []any{&r.ParticipantID, &r.Kind, &r.Status, &r.Detail, &r.Language, &r.Interpreter}
}

// Needs have no position: they are read in the order of domain.NeedKinds.
var needs = newPart((*needRow).fields, func(r *needRow) string { return r.ParticipantID + "/" + r.Kind }, "participant_id", "participant_id, kind")

type contactRow struct {
	ID            string `gorm:"primaryKey"`
	ParticipantID string
	Position      int
	WithRole      string
	OnDate        string
	Method        string
}

func (contactRow) TableName() string { return "contacts" }

func (r *contactRow) fields() []any {
	return []any{&r.ID, &r.ParticipantID, &r.Position, &r.WithRole, &r.OnDate, &r.Method}
}

var contacts = newPart((*contactRow).fields, func(r *contactRow) string { return r.ID }, "participant_id", "participant_id, position")

type reportRow struct {
	ID           string `gorm:"primaryKey"`
	ConferenceID string
	Position     int
	Agency       string
	Title        string
	ReceivedOn   *string
	// SharedWithChairOn is when the report reached the chair.
	SharedWithChairOn *string
}

func (reportRow) TableName() string { return "reports" }

func (r *reportRow) fields() []any {
	return []any{&r.ID, &r.ConferenceID, &r.Position, &r.Agency, &r.Title, &r.ReceivedOn, &r.SharedWithChairOn}
}

var reports = newPart((*reportRow).fields, func(r *reportRow) string { return r.ID }, "conference_id", "conference_id, position")

type professionalRow struct {
	ID             string `gorm:"primaryKey"`
	ConferenceID   string
	Position       int
	Agency         string
	Role           *string
	Name           string
	Attendance     string
	ReportExpected bool
}

func (professionalRow) TableName() string { return "professionals" }

func (r *professionalRow) fields() []any {
	return []any{&r.ID, &r.ConferenceID, &r.Position, &r.Agency, &r.Role, &r.Name, &r.Attendance, &r.ReportExpected}
}

var professionals = newPart((*professionalRow).fields, func(r *professionalRow) string { return r.ID }, "conference_id", "conference_id, position")

func toProfessionalRow(confID string, pos int, p domain.Professional) professionalRow {
	return professionalRow{
		ID: p.ID, ConferenceID: confID, Position: pos, Agency: p.Agency, Role: textCol(p.Role),
		Name: p.Name, Attendance: p.Attendance, ReportExpected: p.ExpectsReport(),
	}
}

func fromProfessionalRow(r professionalRow) domain.Professional {
	expected := r.ReportExpected
	return domain.Professional{ID: r.ID, ProfessionalFields: domain.ProfessionalFields{
		Agency: r.Agency, Role: colText(r.Role), Name: r.Name, Attendance: r.Attendance, ReportExpected: &expected,
	}}
}

type shareRow struct {
	ID            string `gorm:"primaryKey"`
	ReportID      string
	ParticipantID string
	Position      int
	SharedOn      *string
	Language      *string
	Withheld      bool
	Reason        *string
	ChairAgreedOn *string
	Format        *string
	FormatNote    *string
}

func (shareRow) TableName() string { return "report_shares" }

func (r *shareRow) fields() []any {
	return []any{&r.ID, &r.ReportID, &r.ParticipantID, &r.Position, &r.SharedOn, &r.Language, &r.Withheld, &r.Reason,
		&r.ChairAgreedOn, &r.Format, &r.FormatNote}
}

var shares = newPart((*shareRow).fields, func(r *shareRow) string { return r.ID }, "report_id", "report_id, position")

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
		ReadinessStatus:        c.Readiness.Status,
		ReadinessBlockers:      c.Readiness.Blockers,
		ReadinessAdvisories:    c.Readiness.Advisories,
		ReadinessDueOn:         dateCol(c.Readiness.DueOn),
		ReadinessFindings:      findingsCol(c.Readiness.Findings),
		ReadinessRules:         c.Readiness.Rules,
		InsightMeasures:        tallyCol(c.Readiness.Measures),
		PostponedByChair:       c.History.PostponedByChair,
		PurgedAt:               utc(c.PurgedAt),
		CreatedAt:              c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
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
	return r
}

// fromConferenceRow is the conference of a row, without its parts. A row
// read without its findings (a list's) has none.
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
			Children:               []domain.Child{},
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
	return c, err
}

func toReportRow(confID string, pos int, r domain.Report) reportRow {
	return reportRow{ID: r.ID, ConferenceID: confID, Position: pos, Agency: r.Agency, Title: r.Title,
		ReceivedOn: dateCol(r.ReceivedOn), SharedWithChairOn: dateCol(r.SharedWithChairOn)}
}

func fromReportRow(r reportRow) domain.Report {
	return domain.Report{ID: r.ID, Agency: r.Agency, Title: r.Title, ReceivedOn: colDate(r.ReceivedOn),
		SharedWithChairOn: colDate(r.SharedWithChairOn), Shares: []domain.Share{}}
}

func toNeedRow(participantID string, n domain.Need) needRow {
	return needRow{ParticipantID: participantID, Kind: n.Kind, Status: n.Status, Detail: textCol(n.Detail),
		Language: textCol(n.Language), Interpreter: textCol(n.Interpreter)}
}

func fromNeedRow(r needRow) domain.Need {
	return domain.Need{Kind: r.Kind, Status: r.Status, Detail: colText(r.Detail), Language: colText(r.Language), Interpreter: colText(r.Interpreter)}
}

func toContactRow(participantID string, pos int, k domain.Contact) contactRow {
	return contactRow{ID: k.ID, ParticipantID: participantID, Position: pos, WithRole: k.With, OnDate: k.On.String(), Method: k.Method}
}

func fromContactRow(r contactRow) domain.Contact {
	return domain.Contact{ID: r.ID, With: r.WithRole, On: colDate(&r.OnDate), Method: r.Method}
}

func toChildRow(confID string, pos int, ch domain.Child) childRow {
	r := childRow{ConferenceID: confID, Position: pos, Ref: ch.Ref, Name: textCol(ch.Name), Unborn: ch.Unborn}
	if v := ch.Views; v != nil {
		r.ViewsMeans, r.ViewsRecordedOn, r.ViewsSharedOn = textCol(v.Means), dateCol(v.RecordedOn), dateCol(v.SharedOn)
		r.ViewsReason = textCol(v.Reason)
	}
	return r
}

func fromChildRow(r childRow) domain.Child {
	ch := domain.Child{Ref: r.Ref, Name: colText(r.Name), Unborn: r.Unborn}
	if r.ViewsMeans != nil {
		ch.Views = &domain.ChildViews{Means: *r.ViewsMeans, RecordedOn: colDate(r.ViewsRecordedOn), SharedOn: colDate(r.ViewsSharedOn), Reason: colText(r.ViewsReason)}
	}
	return ch
}

func toParticipantRow(confID string, pos int, p domain.Participant) participantRow {
	r := participantRow{
		ID: p.ID, ConferenceID: confID, Position: pos, DisplayName: p.DisplayName,
		Relationship: p.Relationship, Invited: p.IsInvited(), Attendance: string(p.Attendance),
		NeedsAssessedOn:       dateCol(p.NeedsAssessedOn),
		PrivateSpaceConfirmed: p.PrivateSpaceConfirmed, TechnologyChecked: p.TechnologyChecked,
		ParentalResponsibility: p.ParentalResponsibility, InformedOn: dateCol(p.InformedOn),
		AdvocacyOfferedOn: dateCol(p.AdvocacyOfferedOn),
		PersonRef:         textCol(p.PersonRef),
	}
	if s := p.Safety; s != nil {
		r.SafetyConcern, r.SafetyArrangement, r.SafetyNote = textCol(s.Concern), textCol(s.Arrangement), textCol(s.Note)
	}
	if e := p.Exclusion; e != nil {
		r.ExclusionDecidedOn, r.ExclusionGrounds = dateCol(e.DecidedByChairOn), textCol(e.Grounds)
	}
	return r
}

func fromParticipantRow(r participantRow) domain.Participant {
	invited := r.Invited
	p := domain.Participant{
		ID: r.ID,
		ParticipantFields: domain.ParticipantFields{
			DisplayName: r.DisplayName, Relationship: r.Relationship, Invited: &invited,
			Attendance: domain.Attendance(r.Attendance), NeedsAssessedOn: colDate(r.NeedsAssessedOn),
			PrivateSpaceConfirmed: r.PrivateSpaceConfirmed, TechnologyChecked: r.TechnologyChecked,
			ParentalResponsibility: r.ParentalResponsibility, InformedOn: colDate(r.InformedOn),
			AdvocacyOfferedOn: colDate(r.AdvocacyOfferedOn),
			PersonRef:         colText(r.PersonRef),
		},
		Needs:    []domain.Need{},
		Contacts: []domain.Contact{},
	}
	if r.SafetyConcern != nil {
		p.Safety = &domain.Safety{Concern: *r.SafetyConcern, Arrangement: colText(r.SafetyArrangement), Note: colText(r.SafetyNote)}
	}
	if r.ExclusionDecidedOn != nil || r.ExclusionGrounds != nil {
		p.Exclusion = &domain.Exclusion{DecidedByChairOn: colDate(r.ExclusionDecidedOn), Grounds: colText(r.ExclusionGrounds)}
	}
	return p
}

func toShareRow(reportID string, pos int, s domain.Share) shareRow {
	return shareRow{
		ID: s.ID, ReportID: reportID, ParticipantID: s.ParticipantID, Position: pos,
		SharedOn: dateCol(s.SharedOn), Language: textCol(s.Language), Withheld: s.Withheld,
		Reason: textCol(s.Reason), ChairAgreedOn: dateCol(s.ChairAgreedOn),
		Format: textCol(s.Format), FormatNote: textCol(s.FormatNote),
	}
}

func fromShareRow(r shareRow) domain.Share {
	return domain.Share{
		ID: r.ID, ParticipantID: r.ParticipantID, SharedOn: colDate(r.SharedOn),
		Language: colText(r.Language), Withheld: r.Withheld, Reason: colText(r.Reason),
		ChairAgreedOn: colDate(r.ChairAgreedOn), Format: colText(r.Format), FormatNote: colText(r.FormatNote),
	}
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
