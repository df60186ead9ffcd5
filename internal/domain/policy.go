package domain

// Policy is one organisation's readiness policy. The zero value is not
// valid; start from DefaultPolicy.
type Policy struct {
	// ReportDays is how many working days before the conference reports
	// must be shared, by conference type.
	ReportDays ReportDays `json:"report_days"`
	// ICPCWorkingDays is the longest gap, in working days, from the strategy
	// discussion to an initial conference.
	ICPCWorkingDays int `json:"icpc_working_days" validate:"min=1,max=60"`
	// FirstReviewMonths is the longest gap from an initial conference to the
	// first review.
	FirstReviewMonths int `json:"first_review_months" validate:"min=1,max=24"`
	// ReviewIntervalMonths is the longest gap between later reviews.
	ReviewIntervalMonths int `json:"review_interval_months" validate:"min=1,max=24"`
	// ChairReportDays is how many working days before the conference
	// reports must reach the chair, by conference type.
	ChairReportDays ReportDays `json:"chair_report_days"`
	// QuorumOtherAgencies is how many agencies besides children's social
	// care must confirm attendance for the conference to be quorate.
	QuorumOtherAgencies int `json:"quorum_other_agencies" validate:"min=1,max=5"`
	// PreBirthLatestWeek is the latest week of pregnancy a pre-birth
	// conference should be held in.
	PreBirthLatestWeek int `json:"pre_birth_latest_week" validate:"min=1,max=40"`
	// TransferInDays is the longest gap, in working days, from the notice
	// of a transfer in to its conference.
	TransferInDays int `json:"transfer_in_days" validate:"min=1,max=60"`
	// PhoneOnlyAttendance turns on the PHONE_ONLY_ATTENDANCE advisory.
	PhoneOnlyAttendance bool `json:"phone_only_attendance"`
	Version             int  `json:"version"`
}

// ReportDays holds the report deadline, in working days, per conference type.
// Each is at least one: a count left out (or a report_days of {} or null)
// reads as zero, and would silently make every report due on the day.
type ReportDays struct {
	Initial  int `json:"initial" validate:"min=1,max=30"`
	Review   int `json:"review" validate:"min=1,max=30"`
	PreBirth int `json:"pre_birth" validate:"min=1,max=30"`
}

// For returns the number of working days for a conference type. A
// transfer-in conference counts as an initial one.
func (r ReportDays) For(t ConferenceType) int {
	switch t {
	case TypeReview:
		return r.Review
	case TypePreBirth:
		return r.PreBirth
	default:
		return r.Initial
	}
}

// DefaultPolicy is the policy of an organisation that has not set its own.
func DefaultPolicy() Policy {
	return Policy{
		ReportDays:           ReportDays{Initial: 3, Review: 5, PreBirth: 3},
		ChairReportDays:      ReportDays{Initial: 3, Review: 5, PreBirth: 3},
		QuorumOtherAgencies:  2,
		PreBirthLatestWeek:   28,
		TransferInDays:       15,
		ICPCWorkingDays:      15,
		FirstReviewMonths:    3,
		ReviewIntervalMonths: 6,
		PhoneOnlyAttendance:  true,
	}
}

// Validate checks the policy's numbers are within sensible bounds.
func (p *Policy) Validate() error { return invalidIf(validateStruct(p)) }
