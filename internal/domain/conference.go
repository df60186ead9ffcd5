package domain

import "time"

// ConferenceType is initial (ICPC), review (RCPC), pre-birth, or
// transfer-in (a child on a plan who moves into the area).
type ConferenceType string

const (
	TypeInitial    ConferenceType = "initial"
	TypeReview     ConferenceType = "review"
	TypePreBirth   ConferenceType = "pre_birth"
	TypeTransferIn ConferenceType = "transfer_in"
)

// Format is how the conference as a whole is held.
type Format string

// ConferenceStatus is where the conference is in its life.
type ConferenceStatus string

const (
	StatusScheduled ConferenceStatus = "scheduled"
	StatusHeld      ConferenceStatus = "held"
	StatusPostponed ConferenceStatus = "postponed"
	StatusCancelled ConferenceStatus = "cancelled"
)

// Person is a named professional: the chair or the social worker.
type Person struct {
	Ref  string `json:"ref" validate:"required,max=100"`
	Name string `json:"name,omitempty" validate:"max=200"`
}

// ChildViews records how a child's views reach the conference.
type ChildViews struct {
	Means      string `json:"means" validate:"required,oneof=attending written advocate social_worker not_applicable"`
	RecordedOn *Date  `json:"recorded_on,omitempty"`
	SharedOn   *Date  `json:"shared_on,omitempty"`
	// Reason says why views cannot be had, as for a baby; only with
	// not_applicable.
	Reason string `json:"reason,omitempty" validate:"max=2000"`
}

// ViewsNotApplicable is the means for a child whose views cannot be had.
const ViewsNotApplicable = "not_applicable"

// Child is a child the conference is about, named by the case system's ref.
// An unborn child has no views to record.
type Child struct {
	Ref    string      `json:"ref" validate:"required,max=100"`
	Name   string      `json:"name,omitempty" validate:"max=200"`
	Unborn bool        `json:"unborn"`
	Views  *ChildViews `json:"views,omitempty" validate:"-"`
}

// ConferenceFields are the top-level fields a case system sets and patches.
type ConferenceFields struct {
	ExternalRef            string           `json:"external_ref" validate:"required,max=100"`
	Type                   ConferenceType   `json:"type" validate:"required,oneof=initial review pre_birth transfer_in"`
	ScheduledStart         Timestamp        `json:"scheduled_start" validate:"required"`
	Format                 Format           `json:"format" validate:"required,oneof=in_person video phone hybrid"`
	Status                 ConferenceStatus `json:"status,omitempty" validate:"omitempty,oneof=scheduled held postponed cancelled"`
	StrategyDiscussionOn   *Date            `json:"strategy_discussion_on,omitempty"`
	PreviousConferenceOn   *Date            `json:"previous_conference_on,omitempty"`
	PreviousConferenceType ConferenceType   `json:"previous_conference_type,omitempty" validate:"omitempty,oneof=initial review"`
	// ExpectedDeliveryOn is the expected date of birth, for a pre-birth
	// conference; TransferNoticeOn is when the area was told of a child
	// moving in on a plan, for a transfer-in conference.
	ExpectedDeliveryOn *Date   `json:"expected_delivery_on,omitempty"`
	TransferNoticeOn   *Date   `json:"transfer_notice_on,omitempty"`
	Chair              *Person `json:"chair,omitempty"`
	SocialWorker       *Person `json:"social_worker,omitempty"`
	Children           []Child `json:"children" validate:"max=15,unique=Ref,dive"`
}

// ReadinessSummary is the stored verdict every conference carries.
type ReadinessSummary struct {
	Status     string `json:"status"`
	Blockers   int    `json:"blockers"`
	Advisories int    `json:"advisories"`
	// DueOn is the earliest due date among outstanding blockers; Overdue is
	// worked out from it when the summary is read.
	DueOn   *Date `json:"due_on,omitempty"`
	Overdue bool  `json:"overdue"`
	// Findings are stored with the summary so that a readiness read needs
	// no evaluation; they are not part of the conference's JSON.
	Findings []Finding `json:"-"`
	// Measures are stored with the summary too, for the insights.
	Measures Tally `json:"-"`
	// Rules names the rules and calendar the summary was evaluated under
	// (the store's hash of readiness.Fingerprint); 0 when not known.
	Rules int64 `json:"-"`
}

// Conference is the whole aggregate: a conference, its family members, its
// reports and its children's views. Every change to any part bumps Version.
type Conference struct {
	ID string `json:"id"`
	ConferenceFields
	Participants []Participant `json:"participants"`
	Reports      []Report      `json:"reports"`
	// Professionals are the agencies' people invited to the conference.
	Professionals []Professional   `json:"professionals"`
	Version       int              `json:"version"`
	Readiness     ReadinessSummary `json:"readiness"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	// PurgedAt is when retention stripped the personal data.
	PurgedAt *time.Time `json:"purged_at,omitempty"`
	// History is what the insights keep of the conference beyond its
	// current state; no caller writes it.
	History ConferenceHistory `json:"-"`
}

// ConferenceHistory is what is recorded about a conference once and then
// kept, so that later edits do not rewrite it.
type ConferenceHistory struct {
	// PostponedByChair is whether a chair's check decided to postpone.
	PostponedByChair bool
	// AtStart is the readiness when the conference began, recorded once
	// when its start has passed; nil until then.
	AtStart *StartRecord
}

// StartRecord is the conference as it stood when it began.
type StartRecord struct {
	// Status is the readiness status: the last chair's check at or before
	// the start, or else the stored readiness when the start passed.
	Status string `json:"status"`
	// Needs are the needs counts (NeedsPrefix keys) at the start.
	Needs Tally `json:"needs"`
}

// Date is the conference's calendar date in Europe/London.
func (c *Conference) Date() Date { return DateOf(c.ScheduledStart.Time) }

// Participant returns the participant with the given id, or nil.
func (c *Conference) Participant(id string) *Participant {
	for i := range c.Participants {
		if c.Participants[i].ID == id {
			return &c.Participants[i]
		}
	}
	return nil
}

// Report returns the report with the given id, or nil.
func (c *Conference) Report(id string) *Report {
	for i := range c.Reports {
		if c.Reports[i].ID == id {
			return &c.Reports[i]
		}
	}
	return nil
}

// Child returns the child with the given ref, or nil.
func (c *Conference) Child(ref string) *Child {
	for i := range c.Children {
		if c.Children[i].Ref == ref {
			return &c.Children[i]
		}
	}
	return nil
}

// FindParticipant returns the participant with the given id, or a
// not-found error.
func (c *Conference) FindParticipant(id string) (*Participant, error) {
	return found(c.Participant(id), "participant not found")
}

// FindReport returns the report with the given id, or a not-found error.
func (c *Conference) FindReport(id string) (*Report, error) {
	return found(c.Report(id), "report not found")
}

// FindChild returns the child with the given ref, or a not-found error.
func (c *Conference) FindChild(ref string) (*Child, error) {
	return found(c.Child(ref), "child not found in this conference")
}

// NewConference starts a conference with its own fields and no parts yet.
// Its status is scheduled unless f says otherwise.
func NewConference(id string, f ConferenceFields, today Date) (*Conference, Change, error) {
	if f.Status == "" {
		f.Status = StatusScheduled
	}
	if err := f.Validate(today); err != nil {
		return nil, Change{}, err
	}
	if f.Children == nil {
		f.Children = []Child{}
	}
	c := &Conference{ID: id, ConferenceFields: f, Participants: []Participant{}, Reports: []Report{}, Professionals: []Professional{}}
	created := c.Fields()
	return c, Change{Action: "create", Entity: "conference", EntityID: id, After: &created}, nil
}

// Fields returns the conference's own fields as a caller sets them: its
// children without their views, which are recorded one child at a time.
func (c *Conference) Fields() ConferenceFields {
	f := c.ConferenceFields
	f.Children = make([]Child, len(c.Children))
	for i, ch := range c.Children {
		ch.Views = nil
		f.Children[i] = ch
	}
	return f
}

// UpdateFields replaces the conference's own fields with f, which names
// its children without their views (Fields). A child still listed keeps
// the views recorded for it; a child left out takes them with it. Status
// is scheduled unless f says otherwise.
func (c *Conference) UpdateFields(f ConferenceFields, today Date) (Change, error) {
	if f.Status == "" {
		f.Status = StatusScheduled
	}
	if err := f.Validate(today); err != nil {
		return Change{}, err
	}
	if f.Children == nil {
		f.Children = []Child{}
	}
	before, after := c.Fields(), f
	views := map[string]*ChildViews{}
	for _, ch := range c.Children {
		views[ch.Ref] = ch.Views
	}
	f.Children = make([]Child, len(after.Children))
	for i, ch := range after.Children {
		ch.Views = views[ch.Ref]
		f.Children[i] = ch
	}
	c.ConferenceFields = f
	return Change{Action: "update", Entity: "conference", EntityID: c.ID, Before: before, After: after}, nil
}

// RecordChildViews records how a child's views reach the conference,
// replacing any recorded before.
func (c *Conference) RecordChildViews(ref string, v ChildViews, today Date) (Child, Change, error) {
	if err := v.Validate(today); err != nil {
		return Child{}, Change{}, err
	}
	ch, err := c.FindChild(ref)
	if err != nil {
		return Child{}, Change{}, err
	}
	change := Change{Action: "create", Entity: "child_views", EntityID: ch.Ref, After: &v}
	if ch.Views != nil {
		change.Action, change.Before = "update", ch.Views
	}
	ch.Views = &v
	return *ch, change, nil
}

// Validate checks the top-level fields. today is the current date in
// Europe/London, against which dates of past events are checked.
func (f *ConferenceFields) Validate(today Date) error {
	fields := validateStruct(f)
	fields = append(fields, notAfter("strategy_discussion_on", f.StrategyDiscussionOn, today)...)
	fields = append(fields, notAfter("previous_conference_on", f.PreviousConferenceOn, today)...)
	fields = append(fields, notAfter("transfer_notice_on", f.TransferNoticeOn, today)...)
	switch {
	case f.Type == TypePreBirth && f.ExpectedDeliveryOn == nil:
		fields = append(fields, FieldError{"expected_delivery_on", "is required for a pre-birth conference"})
	case f.Type != TypePreBirth && f.ExpectedDeliveryOn != nil:
		fields = append(fields, FieldError{"expected_delivery_on", "is only for a pre-birth conference"})
	}
	if f.Type == TypePreBirth && len(f.Children) == 0 {
		fields = append(fields, FieldError{"children", "needs at least one child, who may be unborn, for a pre-birth conference"})
	}
	if f.Type != TypeTransferIn && f.TransferNoticeOn != nil {
		fields = append(fields, FieldError{"transfer_notice_on", "is only for a transfer-in conference"})
	}
	return invalidIf(append(fields, viewsGiven(f.Children)...))
}

// viewsGiven refuses views given with the children: they are recorded one
// child at a time.
func viewsGiven(children []Child) []FieldError {
	var fields []FieldError
	for i, ch := range children {
		if ch.Views != nil {
			fields = append(fields, FieldError{Field: at("children", i) + ".views", Message: "is recorded through PUT /v1/conferences/{id}/children/{child_ref}/views"})
		}
	}
	return fields
}

// Limits on the size of one aggregate. Every write reads and re-evaluates
// the whole conference, so its size is every writer's cost: one
// conference at the old limits (30 members x 50 contacts, 50 reports x 100
// shares) answered a GET with 11 MB and slowed every organisation's
// writes. Each limit is generous for a real conference, and bounded;
// docs/benchmarks.md records what the largest allowed one costs.
const (
	// MaxChildren: the largest sibling groups on a plan are around ten.
	// The children tag on ConferenceFields repeats it.
	MaxChildren = 15
	// MaxParticipants: both parents of each child (several fathers in a
	// large sibling group), step-parents, carers, grandparents and the
	// older children themselves seldom pass a dozen.
	MaxParticipants = 20
	// MaxContacts per family member: a few conversations with the social
	// worker and the chair; 20 is one a week for five months.
	MaxContacts = 20
	// MaxReports: social care, police, probation, several health services
	// (GP, health visitor, midwife, CAMHS, paediatrics) and one school per
	// child come to about 20.
	MaxReports = 25
	// MaxShares per report: each family member once, and again in
	// another language or format.
	MaxShares = 2 * MaxParticipants
	// MaxProfessionals: a core group rarely passes a dozen agencies' people;
	// 30 leaves room for students and deputies.
	MaxProfessionals = 30
)

// StripPersonalData removes names and free text from the aggregate, keeping
// its structure, so that its readiness record stays and nobody is named.
func (c *Conference) StripPersonalData(at time.Time) {
	const removed = "(removed)"
	if c.Chair != nil {
		c.Chair.Name = ""
	}
	if c.SocialWorker != nil {
		c.SocialWorker.Name = ""
	}
	for i := range c.Children {
		c.Children[i].Name = ""
		if v := c.Children[i].Views; v != nil && v.Reason != "" {
			v.Reason = removed
		}
	}
	for i := range c.Participants {
		p := &c.Participants[i]
		p.DisplayName = removed
		if p.Safety != nil {
			p.Safety.Note = ""
		}
		if p.Exclusion != nil && p.Exclusion.Grounds != "" {
			p.Exclusion.Grounds = removed
		}
		for j := range p.Needs {
			p.Needs[j].Detail = ""
		}
	}
	for i := range c.Professionals {
		c.Professionals[i].Name, c.Professionals[i].Role = removed, ""
	}
	for i := range c.Reports {
		c.Reports[i].Title = removed
		for j := range c.Reports[i].Shares {
			if c.Reports[i].Shares[j].Reason != "" {
				c.Reports[i].Shares[j].Reason = removed
			}
			if c.Reports[i].Shares[j].FormatNote != "" {
				c.Reports[i].Shares[j].FormatNote = removed
			}
		}
	}
	c.PurgedAt = &at
}
