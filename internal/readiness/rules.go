package readiness

import "github.com/cpcready/cpcready/internal/domain"

// Finding codes. They are stable: clients match on them.
const (
	NoFamilyParticipants      = "NO_FAMILY_PARTICIPANTS"
	AttendanceNotConfirmed    = "ATTENDANCE_NOT_CONFIRMED"
	NeedsNotAssessed          = "NEEDS_NOT_ASSESSED"
	NeedNotArranged           = "NEED_NOT_ARRANGED"
	NotSpokenToSocialWorker   = "NOT_SPOKEN_TO_SOCIAL_WORKER"
	NotSpokenToChair          = "NOT_SPOKEN_TO_CHAIR"
	SocialWorkerReportMissing = "SOCIAL_WORKER_REPORT_MISSING"
	ReportNotShared           = "REPORT_NOT_SHARED"
	ReportSharedLate          = "REPORT_SHARED_LATE"
	ReportNotTranslated       = "REPORT_NOT_TRANSLATED"
	ChildViewsNotRecorded     = "CHILD_VIEWS_NOT_RECORDED"
	ChildViewsNotShared       = "CHILD_VIEWS_NOT_SHARED"
	SafetyArrangementMissing  = "SAFETY_ARRANGEMENT_MISSING"
	ExclusionNotDecided       = "EXCLUSION_NOT_DECIDED"
	PrivateSpaceNotConfirmed  = "PRIVATE_SPACE_NOT_CONFIRMED"
	TechnologyNotChecked      = "TECHNOLOGY_NOT_CHECKED"
	PhoneOnlyAttendance       = "PHONE_ONLY_ATTENDANCE"
	ICPCTimescaleExceeded     = "ICPC_TIMESCALE_EXCEEDED"
	ReviewTimescaleExceeded   = "REVIEW_TIMESCALE_EXCEEDED"

	// Version 2 of the rules.
	InterpreterNotIndependent   = "INTERPRETER_NOT_INDEPENDENT"
	ReportNotWithChair          = "REPORT_NOT_WITH_CHAIR"
	ReportNotAccessible         = "REPORT_NOT_ACCESSIBLE"
	ParentNotInvited            = "PARENT_NOT_INVITED"
	FamilyNotInformed           = "FAMILY_NOT_INFORMED"
	AdvocacyNotOffered          = "ADVOCACY_NOT_OFFERED"
	QuorumNotConfirmed          = "QUORUM_NOT_CONFIRMED"
	AgencyReportMissing         = "AGENCY_REPORT_MISSING"
	PreBirthConferenceLate      = "PRE_BIRTH_CONFERENCE_LATE"
	TransferInTimescaleExceeded = "TRANSFER_IN_TIMESCALE_EXCEEDED"
)

// Rule describes one code: what the docs, the API and its tests list.
type Rule struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"`
	Authority string `json:"authority"`
}

const (
	blocker  = domain.SeverityBlocker
	advisory = domain.SeverityAdvisory
)

// rules is PRODUCT.md's table, in its order.
var rules = []Rule{
	{NoFamilyParticipants, blocker, "research: parents left out"},
	{AttendanceNotConfirmed, blocker, "research; hybrid practice"},
	{NeedsNotAssessed, blocker, "research: identify needs beforehand"},
	{NeedNotArranged, blocker, "research; Wales procedures; LSCP interpreter duty"},
	{InterpreterNotIndependent, advisory, "London PG25; Sussex 7.9"},
	{NotSpokenToSocialWorker, blocker, "research"},
	{NotSpokenToChair, blocker, "research; LSCP procedures (the chair meets the family first)"},
	{SocialWorkerReportMissing, blocker, "Working Together; LSCP procedures"},
	{ReportNotShared, blocker, "LSCP procedures (Sussex 3/5 days; others 2)"},
	{ReportNotWithChair, blocker, "Sussex 5.11.3; Bromley"},
	{ReportNotAccessible, blocker, "Sussex (language or medium); Liverpool (spoken account)"},
	{ParentNotInvited, blocker, "London 8.2.1; Sussex 7.9"},
	{FamilyNotInformed, blocker, "research (I didn't even know who was in the meeting); Wales c3pt2-p6"},
	{AdvocacyNotOffered, advisory, "Sussex 7.9; Wales active offer"},
	{QuorumNotConfirmed, blocker, "London and Sussex 7.8 (quorum)"},
	{AgencyReportMissing, advisory, "Sussex (Oct 2025)"},
	{ReportSharedLate, advisory, "LSCP procedures (Sussex 3/5 days; others 2)"},
	{ReportNotTranslated, blocker, "LSCP procedures"},
	{ChildViewsNotRecorded, blocker, "research: only a fifth were"},
	{ChildViewsNotShared, blocker, "research: only a fifth were"},
	{SafetyArrangementMissing, blocker, "research; LSCP exclusion procedures"},
	{ExclusionNotDecided, blocker, "LSCP procedures"},
	{PrivateSpaceNotConfirmed, blocker, "research: confidentiality and safety"},
	{TechnologyNotChecked, blocker, "research: technology problems"},
	{PhoneOnlyAttendance, advisory, "research: phone attendance hurt participation"},
	{ICPCTimescaleExceeded, advisory, "Working Together"},
	{ReviewTimescaleExceeded, advisory, "Working Together"},
	{PreBirthConferenceLate, advisory, "Sussex 7.4.6; Derbyshire"},
	{TransferInTimescaleExceeded, advisory, "Norfolk 3.8; Tees"},
}

// Rules returns every code with its severity and authority, in the order
// of PRODUCT.md's table. The slice is a copy.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// Lookup returns the rule for a code.
func Lookup(code string) (Rule, bool) {
	for _, r := range rules {
		if r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}

// severity panics on an unknown code: that is a bug in this package.
func severity(code string) string {
	r, ok := Lookup(code)
	if !ok {
		panic("readiness: unknown code " + code)
	}
	return r.Severity
}
