package domain

import (
	"slices"
	"strings"
)

// Report is a professional's report to the conference.
type Report struct {
	ID         string `json:"id"`
	Agency     string `json:"agency" validate:"required,oneof=social_care police health education probation other"`
	Title      string `json:"title" validate:"required,max=300"`
	ReceivedOn *Date  `json:"received_on,omitempty"`
	// SharedWithChairOn is when the report reached the chair.
	SharedWithChairOn *Date   `json:"shared_with_chair_on,omitempty"`
	Shares            []Share `json:"shares"`
}

// Share records that a report was shared with a participant, or withheld.
type Share struct {
	ID            string `json:"id"`
	ParticipantID string `json:"participant_id" validate:"required,uuid"`
	SharedOn      *Date  `json:"shared_on,omitempty"`
	Language      string `json:"language,omitempty" validate:"omitempty,bcp47_language_tag,max=35"`
	Withheld      bool   `json:"withheld"`
	Reason        string `json:"reason,omitempty" validate:"max=2000"`
	// ChairAgreedOn is when the chair agreed to withhold the report; a
	// withholding counts only with it.
	ChairAgreedOn *Date `json:"chair_agreed_on,omitempty"`
	// Format is the form the report reached the participant in; Written
	// unless said otherwise. Other needs a note saying what it was.
	Format     string `json:"format,omitempty" validate:"omitempty,oneof=written spoken easy_read other"`
	FormatNote string `json:"format_note,omitempty" validate:"max=2000"`
}

// Share formats.
const (
	FormatWritten  = "written"
	FormatSpoken   = "spoken"
	FormatEasyRead = "easy_read"
	FormatOther    = "other"
)

// ShareFormats lists the formats a share may name, in the order a form
// offers them.
var ShareFormats = []string{FormatWritten, FormatSpoken, FormatEasyRead, FormatOther}

// ReportFields are what a caller sets on a report; its shares are added
// one at a time.
type ReportFields struct {
	Agency            string `json:"agency"`
	Title             string `json:"title"`
	ReceivedOn        *Date  `json:"received_on,omitempty"`
	SharedWithChairOn *Date  `json:"shared_with_chair_on,omitempty"`
}

// Fields returns the report's own fields.
func (r *Report) Fields() ReportFields {
	return ReportFields{Agency: r.Agency, Title: r.Title, ReceivedOn: r.ReceivedOn, SharedWithChairOn: r.SharedWithChairOn}
}

// setFields returns r with its own fields replaced by f.
func (r Report) setFields(f ReportFields) Report {
	r.Agency, r.Title, r.ReceivedOn, r.SharedWithChairOn = f.Agency, f.Title, f.ReceivedOn, f.SharedWithChairOn
	return r
}

// Validate checks the fields against today in Europe/London.
func (f ReportFields) Validate(today Date) error {
	r := Report{}.setFields(f)
	return r.Validate(today)
}

// ShareFields are what a share says beyond whom it went to: a one-call
// create names that person by person_ref, the single route by id.
type ShareFields struct {
	SharedOn      *Date  `json:"shared_on,omitempty"`
	Language      string `json:"language,omitempty"`
	Withheld      bool   `json:"withheld"`
	Reason        string `json:"reason,omitempty"`
	ChairAgreedOn *Date  `json:"chair_agreed_on,omitempty"`
	Format        string `json:"format,omitempty"`
	FormatNote    string `json:"format_note,omitempty"`
}

// Share is the share of the fields to participantID, with its defaults.
func (f ShareFields) Share(id, participantID string) Share {
	return Share{ID: id, ParticipantID: participantID, SharedOn: f.SharedOn, Language: f.Language, Withheld: f.Withheld, Reason: f.Reason,
		ChairAgreedOn: f.ChairAgreedOn, Format: f.Format, FormatNote: f.FormatNote}.WithDefaults()
}

// Validate checks a report against today in Europe/London.
func (r *Report) Validate(today Date) error {
	fields := append(validateStruct(r), notAfter("received_on", r.ReceivedOn, today)...)
	return invalidIf(append(fields, notAfter("shared_with_chair_on", r.SharedWithChairOn, today)...))
}

// WithDefaults returns the share with its language set to English and its
// format to written when a shared report names neither.
func (s Share) WithDefaults() Share {
	if !s.Withheld && s.Language == "" {
		s.Language = "en"
	}
	if !s.Withheld && s.Format == "" {
		s.Format = FormatWritten
	}
	return s
}

// Validate checks a share: either shared on a date, or withheld with a reason.
func (s *Share) Validate(today Date) error {
	fields := validateStruct(s)
	switch {
	case s.Withheld && s.Reason == "":
		fields = append(fields, FieldError{"reason", "is required when a report is withheld"})
	case s.Withheld && s.SharedOn != nil:
		fields = append(fields, FieldError{"shared_on", "must be absent when a report is withheld"})
	case !s.Withheld && s.SharedOn == nil:
		fields = append(fields, FieldError{"shared_on", "is required unless the report is withheld"})
	}
	fields = append(fields, notAfter("shared_on", s.SharedOn, today)...)
	fields = append(fields, notAfter("chair_agreed_on", s.ChairAgreedOn, today)...)
	switch {
	case s.Withheld && (s.Format != "" || s.FormatNote != ""):
		fields = append(fields, FieldError{"format", "must be absent when a report is withheld"})
	case s.Format == FormatOther && strings.TrimSpace(s.FormatNote) == "":
		fields = append(fields, FieldError{"format_note", "is required when the format is other"})
	case s.Format != FormatOther && s.FormatNote != "":
		fields = append(fields, FieldError{"format_note", "is only for a format of other"})
	}
	return invalidIf(fields)
}

// Accessible reports whether the share reached the participant in a form
// other than writing alone: spoken, easy read, or another form.
func (s *Share) Accessible() bool {
	return s.Format != "" && s.Format != FormatWritten
}

// Validate checks a child's views against today in Europe/London. Views
// that are not applicable say why.
func (v *ChildViews) Validate(today Date) error {
	fields := validateStruct(v)
	switch {
	case v.Means == ViewsNotApplicable && strings.TrimSpace(v.Reason) == "":
		fields = append(fields, FieldError{"reason", "is required when views are not applicable"})
	case v.Means != ViewsNotApplicable && v.Reason != "":
		fields = append(fields, FieldError{"reason", "is only for views that are not applicable"})
	}
	fields = append(fields, notAfter("recorded_on", v.RecordedOn, today)...)
	fields = append(fields, notAfter("shared_on", v.SharedOn, today)...)
	if v.SharedOn != nil && v.RecordedOn == nil {
		fields = append(fields, FieldError{"recorded_on", "is required when the views are shared"})
	}
	if v.SharedOn != nil && v.RecordedOn != nil && v.SharedOn.Before(*v.RecordedOn) {
		fields = append(fields, FieldError{"shared_on", "must not be before recorded_on"})
	}
	return invalidIf(fields)
}

// AddReport adds a professional's report, shared with nobody yet.
func (c *Conference) AddReport(id string, f ReportFields, today Date) (Report, Change, error) {
	r := Report{ID: id, Shares: []Share{}}.setFields(f)
	if err := r.Validate(today); err != nil {
		return Report{}, Change{}, err
	}
	if err := room(len(c.Reports), MaxReports, "conference", "reports", id, c.Report(id) != nil); err != nil {
		return Report{}, Change{}, err
	}
	c.Reports = append(c.Reports, r)
	return r, Change{Action: "create", Entity: "report", EntityID: id, After: f}, nil
}

// UpdateReport replaces a report's own fields; its shares stay as they
// are.
func (c *Conference) UpdateReport(id string, f ReportFields, today Date) (Report, Change, error) {
	r, err := c.FindReport(id)
	if err != nil {
		return Report{}, Change{}, err
	}
	next := r.setFields(f)
	if err := next.Validate(today); err != nil {
		return Report{}, Change{}, err
	}
	before := r.Fields()
	*r = next
	return next, Change{Action: "update", Entity: "report", EntityID: id, Before: before, After: f}, nil
}

// AddShare records that a report was shared with a family member, or
// withheld from them. A shared report is in English and in writing unless
// the share says otherwise.
func (c *Conference) AddShare(reportID string, s Share, today Date) (Share, Change, error) {
	s = s.WithDefaults()
	if err := s.Validate(today); err != nil {
		return Share{}, Change{}, err
	}
	r, err := c.FindReport(reportID)
	if err != nil {
		return Share{}, Change{}, err
	}
	if c.Participant(s.ParticipantID) == nil {
		return Share{}, Change{}, Invalid(FieldError{Field: "participant_id", Message: "is not a participant of this conference"})
	}
	taken := slices.ContainsFunc(r.Shares, func(o Share) bool { return o.ID == s.ID })
	if err := room(len(r.Shares), MaxShares, "report", "shares", s.ID, taken); err != nil {
		return Share{}, Change{}, err
	}
	r.Shares = append(r.Shares, s)
	return s, Change{Action: "create", Entity: "share", EntityID: s.ID, After: s}, nil
}
