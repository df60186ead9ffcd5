package readiness

import (
	"slices"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/workdays"
)

var cal = workdays.New(nil)

// now is a fixed instant before the report deadline of the base fixture.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func date(s string) *domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

func at(y int, m time.Month, d, h, min int) domain.Timestamp {
	return domain.Timestamp{Time: time.Date(y, m, d, h, min, 0, 0, domain.London)}
}

// base returns a conference with no findings at all: an initial conference
// on Thursday 26 November 2026, so reports are due Monday 23 November.
//
//	p1 mother, video, language (pl) arranged, professional interpreter, domestic abuse, separate attendance
//	p2 father, in person
//	p3 grandparent, not invited, no parental responsibility (no rules apply)
//	p1 and p2 informed and offered advocacy
//	r1 social care: shared with p1 in PL on 20 Nov, with p2 on the due date
//	r2 police: shared with p1 in pl, withheld from p2 with the chair's agreement
//	both reports with the chair by the due date, 23 November
//	social care, police and education confirmed; education sends no report
func base() *domain.Conference {
	contacts := func() []domain.Contact {
		return []domain.Contact{
			{ID: "k1", With: "social_worker", On: date("2026-11-12"), Method: "phone"},
			{ID: "k2", With: "chair", On: date("2026-11-25"), Method: "video"},
		}
	}
	return &domain.Conference{
		ID: "c1",
		ConferenceFields: domain.ConferenceFields{
			ExternalRef:          "LCS-1",
			Type:                 domain.TypeInitial,
			ScheduledStart:       at(2026, time.November, 26, 10, 0),
			Format:               "hybrid",
			StrategyDiscussionOn: date("2026-11-10"),
			Children: []domain.Child{
				{Ref: "child-1", Name: "Child One", Views: &domain.ChildViews{Means: "written", RecordedOn: date("2026-11-16"), SharedOn: date("2026-11-20")}},
				{Ref: "child-2", Name: "Child Two", Views: &domain.ChildViews{Means: "advocate", RecordedOn: date("2026-11-17"), SharedOn: date("2026-11-23")}},
			},
		},
		Participants: []domain.Participant{
			{
				ID: "p1",
				ParticipantFields: domain.ParticipantFields{
					DisplayName: "Parent One", Relationship: "mother", Invited: yes(),
					Attendance: domain.AttendanceVideo, NeedsAssessedOn: date("2026-11-05"),
					PrivateSpaceConfirmed: true, TechnologyChecked: true,
					Safety:     &domain.Safety{Concern: "domestic_abuse", Arrangement: "separate_attendance"},
					InformedOn: date("2026-11-12"), AdvocacyOfferedOn: date("2026-11-12"),
				},
				Needs: []domain.Need{
					{Kind: domain.NeedLanguage, Status: domain.NeedArranged, Language: "pl", Interpreter: domain.InterpreterProfessional},
					{Kind: "childcare", Status: domain.NeedArranged},
				},
				Contacts: contacts(),
			},
			{
				ID: "p2",
				ParticipantFields: domain.ParticipantFields{
					DisplayName: "Parent Two", Relationship: "father", Invited: yes(),
					Attendance: domain.AttendanceInPerson, NeedsAssessedOn: date("2026-11-06"),
					ParentalResponsibility: true, InformedOn: date("2026-11-25"), AdvocacyOfferedOn: date("2026-11-12"),
				},
				Contacts: contacts(),
			},
			{
				ID: "p3",
				ParticipantFields: domain.ParticipantFields{
					DisplayName: "Relative", Relationship: "grandparent", Invited: no(),
					Attendance: domain.AttendanceUnknown,
				},
			},
		},
		Reports: []domain.Report{
			{ID: "r1", Agency: "social_care", Title: "Social work report", SharedWithChairOn: date("2026-11-23"), Shares: []domain.Share{
				{ID: "s1", ParticipantID: "p1", SharedOn: date("2026-11-20"), Language: "PL"},
				{ID: "s2", ParticipantID: "p2", SharedOn: date("2026-11-23")},
			}},
			{ID: "r2", Agency: "police", Title: "Police report", SharedWithChairOn: date("2026-11-18"), Shares: []domain.Share{
				{ID: "s3", ParticipantID: "p1", SharedOn: date("2026-11-19"), Language: "pl"},
				{ID: "s4", ParticipantID: "p2", Withheld: true, Reason: "risk", ChairAgreedOn: date("2026-11-18")},
			}},
		},
		Professionals: []domain.Professional{
			professional("pr1", "social_care", domain.ProfessionalConfirmed, true),
			professional("pr2", "police", domain.ProfessionalConfirmed, true),
			professional("pr3", "education", domain.ProfessionalConfirmed, false),
		},
	}
}

func professional(id, agency, attendance string, reports bool) domain.Professional {
	return domain.Professional{ID: id, ProfessionalFields: domain.ProfessionalFields{
		Agency: agency, Name: "Professional " + id, Attendance: attendance, ReportExpected: &reports,
	}}
}

func codes(r domain.ReadinessResult) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func withCode(r domain.ReadinessResult, code string) []domain.Finding {
	var out []domain.Finding
	for _, f := range r.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func TestBaseFixtureHasNoFindings(t *testing.T) {
	r := Evaluate(base(), now, domain.DefaultPolicy(), cal)
	if len(r.Findings) != 0 || r.Status != domain.Ready {
		t.Fatalf("base fixture: status %s, findings %v", r.Status, codes(r))
	}
	if r.Findings == nil {
		t.Error("Findings is nil, want an empty slice")
	}
	if !r.EvaluatedAt.Equal(now) || r.EarliestDueOn != nil {
		t.Errorf("EvaluatedAt %v, EarliestDueOn %v", r.EvaluatedAt, r.EarliestDueOn)
	}
}

func TestRulesTable(t *testing.T) {
	all := []string{
		"NO_FAMILY_PARTICIPANTS", "ATTENDANCE_NOT_CONFIRMED", "NEEDS_NOT_ASSESSED", "NEED_NOT_ARRANGED",
		"INTERPRETER_NOT_INDEPENDENT", "NOT_SPOKEN_TO_SOCIAL_WORKER", "NOT_SPOKEN_TO_CHAIR", "SOCIAL_WORKER_REPORT_MISSING",
		"REPORT_NOT_SHARED", "REPORT_NOT_WITH_CHAIR", "REPORT_NOT_ACCESSIBLE", "PARENT_NOT_INVITED",
		"FAMILY_NOT_INFORMED", "ADVOCACY_NOT_OFFERED", "QUORUM_NOT_CONFIRMED", "AGENCY_REPORT_MISSING",
		"REPORT_SHARED_LATE", "REPORT_NOT_TRANSLATED", "CHILD_VIEWS_NOT_RECORDED",
		"CHILD_VIEWS_NOT_SHARED", "SAFETY_ARRANGEMENT_MISSING", "EXCLUSION_NOT_DECIDED",
		"PRIVATE_SPACE_NOT_CONFIRMED", "TECHNOLOGY_NOT_CHECKED", "PHONE_ONLY_ATTENDANCE",
		"ICPC_TIMESCALE_EXCEEDED", "REVIEW_TIMESCALE_EXCEEDED", "PRE_BIRTH_CONFERENCE_LATE",
		"TRANSFER_IN_TIMESCALE_EXCEEDED",
	}
	advisories := []string{"REPORT_SHARED_LATE", "PHONE_ONLY_ATTENDANCE", "ICPC_TIMESCALE_EXCEEDED", "REVIEW_TIMESCALE_EXCEEDED",
		"INTERPRETER_NOT_INDEPENDENT", "ADVOCACY_NOT_OFFERED", "AGENCY_REPORT_MISSING", "PRE_BIRTH_CONFERENCE_LATE",
		"TRANSFER_IN_TIMESCALE_EXCEEDED"}
	rs := Rules()
	if len(rs) != len(all) {
		t.Fatalf("Rules() has %d codes, want %d", len(rs), len(all))
	}
	for i, r := range rs {
		if r.Code != all[i] {
			t.Errorf("Rules()[%d] = %s, want %s", i, r.Code, all[i])
		}
		want := domain.SeverityBlocker
		if slices.Contains(advisories, r.Code) {
			want = domain.SeverityAdvisory
		}
		if r.Severity != want || r.Authority == "" {
			t.Errorf("%s: severity %q authority %q", r.Code, r.Severity, r.Authority)
		}
	}
	rs[0].Code = "CHANGED"
	if Rules()[0].Code != NoFamilyParticipants {
		t.Error("Rules() shares its backing array")
	}
	if _, ok := Lookup("NOPE"); ok {
		t.Error("Lookup found an unknown code")
	}
}
