package domain

import "slices"

// Professional attendance values.
const (
	ProfessionalInvited   = "invited"
	ProfessionalConfirmed = "confirmed"
	ProfessionalDeclined  = "declined"
)

// AgencySocialCare is children's social care, which every quorum needs.
const AgencySocialCare = "social_care"

// Agencies lists the agencies a report or a professional comes from, in
// the order findings report them.
var Agencies = []string{AgencySocialCare, "police", "health", "education", "probation", "other"}

// ProfessionalFields are what a caller sets on an agency's professional:
// who they are, whether they will attend, and whether their agency is
// expected to send a report.
type ProfessionalFields struct {
	Agency     string `json:"agency" validate:"required,oneof=social_care police health education probation other"`
	Role       string `json:"role,omitempty" validate:"max=200"`
	Name       string `json:"name" validate:"required,max=200"`
	Attendance string `json:"attendance" validate:"required,oneof=invited confirmed declined"`
	// ReportExpected is true unless the caller says otherwise; a pointer
	// so that an absent field can take that default.
	ReportExpected *bool `json:"report_expected" validate:"required"`
}

// Professional is one professional invited to the conference.
type Professional struct {
	ID string `json:"id"`
	ProfessionalFields
}

// WithDefaults returns the fields with attendance "invited" and a report
// expected when the caller named neither.
func (f ProfessionalFields) WithDefaults() ProfessionalFields {
	if f.Attendance == "" {
		f.Attendance = ProfessionalInvited
	}
	if f.ReportExpected == nil {
		yes := true
		f.ReportExpected = &yes
	}
	return f
}

// Validate checks the fields, which must already carry their defaults.
func (f *ProfessionalFields) Validate() error { return invalidIf(validateStruct(f)) }

// ExpectsReport reports whether the professional's agency is expected to
// send a report.
func (p *Professional) ExpectsReport() bool {
	return p.ReportExpected == nil || *p.ReportExpected
}

// Professional returns the professional with the given id, or nil.
func (c *Conference) Professional(id string) *Professional {
	for i := range c.Professionals {
		if c.Professionals[i].ID == id {
			return &c.Professionals[i]
		}
	}
	return nil
}

// FindProfessional returns the professional with the given id, or a
// not-found error.
func (c *Conference) FindProfessional(id string) (*Professional, error) {
	return found(c.Professional(id), "professional not found")
}

// AddProfessional invites an agency's professional; attendance is invited
// and a report expected unless f says otherwise.
func (c *Conference) AddProfessional(id string, f ProfessionalFields) (Professional, Change, error) {
	f = f.WithDefaults()
	if err := f.Validate(); err != nil {
		return Professional{}, Change{}, err
	}
	if err := room(len(c.Professionals), MaxProfessionals, "conference", "professionals", id, c.Professional(id) != nil); err != nil {
		return Professional{}, Change{}, err
	}
	p := Professional{ID: id, ProfessionalFields: f}
	c.Professionals = append(c.Professionals, p)
	return p, Change{Action: "create", Entity: "professional", EntityID: id, After: &f}, nil
}

// UpdateProfessional replaces a professional's fields, with the same
// defaults as AddProfessional.
func (c *Conference) UpdateProfessional(id string, f ProfessionalFields) (Professional, Change, error) {
	p, err := c.FindProfessional(id)
	if err != nil {
		return Professional{}, Change{}, err
	}
	f = f.WithDefaults()
	if err := f.Validate(); err != nil {
		return Professional{}, Change{}, err
	}
	before := p.ProfessionalFields
	p.ProfessionalFields = f
	return *p, Change{Action: "update", Entity: "professional", EntityID: id, Before: &before, After: &f}, nil
}

// RemoveProfessional removes a professional from the conference.
func (c *Conference) RemoveProfessional(id string) (Change, error) {
	p, err := c.FindProfessional(id)
	if err != nil {
		return Change{}, err
	}
	before := p.ProfessionalFields
	c.Professionals = slices.DeleteFunc(c.Professionals, func(p Professional) bool { return p.ID == id })
	return Change{Action: "delete", Entity: "professional", EntityID: id, Before: &before}, nil
}
