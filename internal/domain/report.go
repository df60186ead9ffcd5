package domain

import "strings"

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
