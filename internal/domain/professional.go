package domain

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

// RemoveProfessional drops the professional with the given id.
func (c *Conference) RemoveProfessional(id string) {
	kept := c.Professionals[:0]
	for _, p := range c.Professionals {
		if p.ID != id {
			kept = append(kept, p)
		}
	}
	c.Professionals = kept
}
