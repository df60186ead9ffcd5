package domain

import (
	"slices"
	"strings"
)

// Attendance is how a participant will take part.
type Attendance string

const (
	AttendanceUnknown      Attendance = "unknown"
	AttendanceInPerson     Attendance = "in_person"
	AttendanceVideo        Attendance = "video"
	AttendancePhone        Attendance = "phone"
	AttendanceNotAttending Attendance = "not_attending"
	AttendanceExcluded     Attendance = "excluded"
)

// NeedKinds lists every kind of need a participant can have, in the order
// findings report them.
var NeedKinds = []string{
	"technology", "childcare", "language", "learning_difficulty",
	"communication", "advocacy", "transport", "accessibility",
}

// Need status values.
const (
	NeedIdentified = "identified"
	NeedArranged   = "arranged"
	NeedNotNeeded  = "not_needed"
)

// NeedLanguage is the kind of need for a language other than English:
// interpreting at the conference and reports in that language.
const NeedLanguage = "language"

// Who interprets for a language need that is arranged.
const (
	InterpreterProfessional = "professional"
	InterpreterFamilyMember = "family_member"
)

// Need is one thing a participant needs in order to take part.
type Need struct {
	Kind     string `json:"kind"`
	Status   string `json:"status" validate:"required,oneof=identified arranged not_needed"`
	Detail   string `json:"detail,omitempty" validate:"max=1000"`
	Language string `json:"language,omitempty" validate:"omitempty,bcp47_language_tag,max=35"`
	// Interpreter says who interprets once a language need is arranged.
	Interpreter string `json:"interpreter,omitempty" validate:"omitempty,oneof=professional family_member"`
}

// Contact is a conversation with the social worker or the chair.
type Contact struct {
	ID     string `json:"id"`
	With   string `json:"with" validate:"required,oneof=social_worker chair"`
	On     *Date  `json:"on" validate:"required"`
	Method string `json:"method" validate:"required,oneof=in_person phone video"`
}

// Safety records a safety concern and what was arranged for it.
type Safety struct {
	Concern     string `json:"concern" validate:"required,oneof=none domestic_abuse other"`
	Arrangement string `json:"arrangement,omitempty" validate:"omitempty,oneof=separate_attendance exclusion none_needed"`
	Note        string `json:"note,omitempty" validate:"max=2000"`
}

// Exclusion is the chair's decision to exclude a participant.
type Exclusion struct {
	DecidedByChairOn *Date  `json:"decided_by_chair_on,omitempty"`
	Grounds          string `json:"grounds,omitempty" validate:"max=2000"`
}

// ParticipantFields are the fields a caller sets on a family member.
type ParticipantFields struct {
	DisplayName           string     `json:"display_name" validate:"required,max=200"`
	Relationship          string     `json:"relationship" validate:"required,oneof=mother father parent step_parent carer grandparent sibling young_person other_family family_friend"`
	Invited               *bool      `json:"invited" validate:"required"`
	Attendance            Attendance `json:"attendance" validate:"required,oneof=unknown in_person video phone not_attending excluded"`
	NeedsAssessedOn       *Date      `json:"needs_assessed_on,omitempty"`
	PrivateSpaceConfirmed bool       `json:"private_space_confirmed"`
	TechnologyChecked     bool       `json:"technology_checked"`
	Safety                *Safety    `json:"safety,omitempty"`
	Exclusion             *Exclusion `json:"exclusion,omitempty"`
	// ParentalResponsibility makes the participant owed the reports
	// whatever their relationship, and owed an invitation.
	ParentalResponsibility bool `json:"parental_responsibility"`
	// InformedOn is when they were told who will attend and how the
	// conference runs, and given the leaflet, complaints and advocacy
	// information.
	InformedOn *Date `json:"informed_on,omitempty"`
	// AdvocacyOfferedOn is when they were offered an advocate.
	AdvocacyOfferedOn *Date `json:"advocacy_offered_on,omitempty"`
	// PersonRef is the case system's own id for the person, unique within
	// the conference.
	PersonRef string `json:"person_ref,omitempty" validate:"max=100"`
}

// Participant is a family member invited to the conference.
type Participant struct {
	ID string `json:"id"`
	ParticipantFields
	Needs    []Need    `json:"needs"`
	Contacts []Contact `json:"contacts"`
}

// IsInvited reports whether the participant was invited.
func (p *Participant) IsInvited() bool { return p.Invited != nil && *p.Invited }

// Need returns the participant's need of the given kind, or nil.
func (p *Participant) Need(kind string) *Need {
	for i := range p.Needs {
		if p.Needs[i].Kind == kind {
			return &p.Needs[i]
		}
	}
	return nil
}

// IsNeedKind reports whether kind is a known kind of need.
func IsNeedKind(kind string) bool {
	for _, k := range NeedKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Validate checks a participant's fields against today in Europe/London.
func (f *ParticipantFields) Validate(today Date) error {
	fields := validateStruct(f)
	fields = append(fields, notAfter("needs_assessed_on", f.NeedsAssessedOn, today)...)
	fields = append(fields, notAfter("informed_on", f.InformedOn, today)...)
	fields = append(fields, notAfter("advocacy_offered_on", f.AdvocacyOfferedOn, today)...)
	if f.Exclusion != nil {
		fields = append(fields, notAfter("exclusion.decided_by_chair_on", f.Exclusion.DecidedByChairOn, today)...)
	}
	if s := f.Safety; s != nil && s.Arrangement == "none_needed" && strings.TrimSpace(s.Note) == "" {
		fields = append(fields, FieldError{"safety.note", "is required to say why no arrangement is needed"})
	}
	return invalidIf(fields)
}

// OwedReports reports whether the participant must be sent the
// professionals' reports: anyone with parental responsibility, and
// parents, carers and young people. Grandparents, siblings, other family
// and friends without it are not.
func (f *ParticipantFields) OwedReports() bool {
	if f.ParentalResponsibility {
		return true
	}
	switch f.Relationship {
	case "mother", "father", "parent", "step_parent", "carer", "young_person":
		return true
	}
	return false
}

// ExclusionDecided reports whether the chair's decision to exclude the
// participant is recorded with its grounds.
func (f *ParticipantFields) ExclusionDecided() bool {
	x := f.Exclusion
	return x != nil && x.DecidedByChairOn != nil && strings.TrimSpace(x.Grounds) != ""
}

// SetKind gives the need the kind it is put under, and checks it. A kind
// that is not one of NeedKinds is refused on its own; a kind the need
// names already must agree.
func (n *Need) SetKind(kind string) error {
	switch {
	case !IsNeedKind(kind):
		return Invalid(FieldError{Field: "kind", Message: "must be one of the need kinds: " + strings.Join(NeedKinds, ", ")})
	case n.Kind != "" && n.Kind != kind:
		return Invalid(FieldError{Field: "kind", Message: "must match the kind it is put under"})
	}
	n.Kind = kind
	return n.Validate()
}

// Validate checks a need, which must be of a known kind. A language need
// that is needed names its language, and once arranged says who
// interprets; no other kind names an interpreter.
func (n *Need) Validate() error {
	fields := validateStruct(n)
	if !IsNeedKind(n.Kind) {
		fields = append(fields, FieldError{Field: "kind", Message: "must be one of the need kinds: " + strings.Join(NeedKinds, ", ")})
	}
	switch {
	case n.Kind != NeedLanguage && n.Interpreter != "":
		fields = append(fields, FieldError{"interpreter", "is only for a language need"})
	case n.Kind == NeedLanguage && n.Status != NeedNotNeeded && n.Language == "":
		fields = append(fields, FieldError{"language", "is required for a language need"})
	}
	if n.Kind == NeedLanguage && n.Status == NeedArranged && n.Interpreter == "" {
		fields = append(fields, FieldError{"interpreter", "is required once a language need is arranged: professional or family_member"})
	}
	return invalidIf(fields)
}

// Validate checks a contact against today in Europe/London.
func (c *Contact) Validate(today Date) error {
	return invalidIf(append(validateStruct(c), notAfter("on", c.On, today)...))
}

// withoutEmptyParts drops an exclusion that records nothing: storage keeps
// no empty one, so the fields read back as they were written.
func (f ParticipantFields) withoutEmptyParts() ParticipantFields {
	if f.Exclusion != nil && *f.Exclusion == (Exclusion{}) {
		f.Exclusion = nil
	}
	return f
}

// personRefFree refuses a person_ref that another participant than id
// already has: it is the case system's own id for the person.
func (c *Conference) personRefFree(ref, id string) error {
	if ref == "" {
		return nil
	}
	for _, p := range c.Participants {
		if p.PersonRef == ref && p.ID != id {
			return Invalid(FieldError{Field: "person_ref", Message: "is already used by another participant in this conference"})
		}
	}
	return nil
}

// AddParticipant adds a family member, with no needs or contacts yet.
func (c *Conference) AddParticipant(id string, f ParticipantFields, today Date) (Participant, Change, error) {
	f = f.withoutEmptyParts()
	if err := f.Validate(today); err != nil {
		return Participant{}, Change{}, err
	}
	if err := room(len(c.Participants), MaxParticipants, "conference", "family members", id, c.Participant(id) != nil); err != nil {
		return Participant{}, Change{}, err
	}
	if err := c.personRefFree(f.PersonRef, id); err != nil {
		return Participant{}, Change{}, err
	}
	p := Participant{ID: id, ParticipantFields: f, Needs: []Need{}, Contacts: []Contact{}}
	c.Participants = append(c.Participants, p)
	return p, Change{Action: "create", Entity: "participant", EntityID: id, After: &f}, nil
}

// UpdateParticipant replaces a family member's fields; their needs and
// contacts stay as they are.
func (c *Conference) UpdateParticipant(id string, f ParticipantFields, today Date) (Participant, Change, error) {
	p, err := c.FindParticipant(id)
	if err != nil {
		return Participant{}, Change{}, err
	}
	f = f.withoutEmptyParts()
	if err := f.Validate(today); err != nil {
		return Participant{}, Change{}, err
	}
	if err := c.personRefFree(f.PersonRef, id); err != nil {
		return Participant{}, Change{}, err
	}
	before := p.ParticipantFields
	p.ParticipantFields = f
	return *p, Change{Action: "update", Entity: "participant", EntityID: id, Before: &before, After: &f}, nil
}

// removedShare is a share that goes with a removed participant, named
// with its report.
type removedShare struct {
	ReportID string `json:"report_id"`
	Share
}

// RemoveParticipant removes a family member and every share of a report
// made to them. The change records all of it: their fields, needs and
// contacts, and those shares.
func (c *Conference) RemoveParticipant(id string) (Change, error) {
	p, err := c.FindParticipant(id)
	if err != nil {
		return Change{}, err
	}
	var shares []removedShare
	for i := range c.Reports {
		r := &c.Reports[i]
		kept := r.Shares[:0]
		for _, sh := range r.Shares {
			if sh.ParticipantID == id {
				shares = append(shares, removedShare{ReportID: r.ID, Share: sh})
			} else {
				kept = append(kept, sh)
			}
		}
		r.Shares = kept
	}
	before := struct {
		ParticipantFields
		Needs    []Need         `json:"needs"`
		Contacts []Contact      `json:"contacts"`
		Shares   []removedShare `json:"shares"`
	}{p.ParticipantFields, p.Needs, p.Contacts, shares}
	c.Participants = slices.DeleteFunc(c.Participants, func(p Participant) bool { return p.ID == id })
	return Change{Action: "delete", Entity: "participant", EntityID: id, Before: before}, nil
}

// PutNeed sets a family member's need of n.Kind, replacing one of that
// kind; the change is a create when they had none.
func (c *Conference) PutNeed(participantID string, n Need) (Change, error) {
	if err := n.Validate(); err != nil {
		return Change{}, err
	}
	p, err := c.FindParticipant(participantID)
	if err != nil {
		return Change{}, err
	}
	ch := Change{Action: "create", Entity: "need", EntityID: p.ID + "/" + n.Kind, After: n}
	if old := p.Need(n.Kind); old != nil {
		ch.Action, ch.Before = "update", *old
		*old = n
		return ch, nil
	}
	p.Needs = append(p.Needs, n)
	return ch, nil
}

// RemoveNeed removes a family member's need of the given kind.
func (c *Conference) RemoveNeed(participantID, kind string) (Change, error) {
	p, err := c.FindParticipant(participantID)
	if err != nil {
		return Change{}, err
	}
	old, err := found(p.Need(kind), "need not found")
	if err != nil {
		return Change{}, err
	}
	before := *old
	p.Needs = slices.DeleteFunc(p.Needs, func(n Need) bool { return n.Kind == kind })
	return Change{Action: "delete", Entity: "need", EntityID: p.ID + "/" + kind, Before: before}, nil
}

// AddContact records a conversation with a family member.
func (c *Conference) AddContact(participantID string, k Contact, today Date) (Contact, Change, error) {
	if err := k.Validate(today); err != nil {
		return Contact{}, Change{}, err
	}
	p, err := c.FindParticipant(participantID)
	if err != nil {
		return Contact{}, Change{}, err
	}
	taken := slices.ContainsFunc(p.Contacts, func(o Contact) bool { return o.ID == k.ID })
	if err := room(len(p.Contacts), MaxContacts, "participant", "contacts", k.ID, taken); err != nil {
		return Contact{}, Change{}, err
	}
	p.Contacts = append(p.Contacts, k)
	return k, Change{Action: "create", Entity: "contact", EntityID: k.ID, After: k}, nil
}
