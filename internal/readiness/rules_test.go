package readiness

import (
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

type edit func(c *domain.Conference, p *domain.Policy)

// ruleCase exercises one code from the ready base fixture: fire makes it
// fire, miss is a near miss that must not, and fix, applied after fire,
// must clear it.
type ruleCase struct {
	code  string
	fire  edit
	miss  edit
	fix   edit
	check func(t *testing.T, f domain.Finding)
}

func pt(c *domain.Conference, id string) *domain.Participant { return c.Participant(id) }

func wantParticipant(id string) func(*testing.T, domain.Finding) {
	return func(t *testing.T, f domain.Finding) {
		if f.ParticipantID != id || f.DueOn != nil || f.ReportID != "" {
			t.Errorf("finding %+v, want participant %s and no due date", f, id)
		}
	}
}

func wantDue(due string) func(*testing.T, domain.Finding) {
	return func(t *testing.T, f domain.Finding) {
		if f.DueOn == nil || f.DueOn.String() != due {
			t.Errorf("due %v, want %s", f.DueOn, due)
		}
	}
}

var ruleCases = []ruleCase{
	{
		code: NoFamilyParticipants,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Invited = no()
			pt(c, "p2").Attendance = domain.AttendanceExcluded
		},
		miss: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Invited = no() },
		fix:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Invited = yes() },
	},
	{
		code: AttendanceNotConfirmed,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Attendance = domain.AttendanceUnknown },
		// p3 is not invited, and its attendance is already unknown.
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Attendance = domain.AttendanceNotAttending },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Attendance = domain.AttendanceInPerson },
		check: wantParticipant("p2"),
	},
	{
		code: NeedsNotAssessed,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").NeedsAssessedOn = nil },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p2")
			p.NeedsAssessedOn, p.Attendance = nil, domain.AttendanceExcluded
			p.Exclusion = &domain.Exclusion{DecidedByChairOn: date("2026-11-20"), Grounds: "risk"}
		},
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").NeedsAssessedOn = date("2026-11-20") },
		check: wantParticipant("p2"),
	},
	{
		code: NeedNotArranged,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("childcare").Status = domain.NeedIdentified
		},
		miss: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("childcare").Status = domain.NeedNotNeeded
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("childcare").Status = domain.NeedArranged
		},
		check: func(t *testing.T, f domain.Finding) {
			if f.Kind != "childcare" || f.ParticipantID != "p1" {
				t.Errorf("finding %+v, want kind childcare for p1", f)
			}
		},
	},
	{
		code: NotSpokenToSocialWorker,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Contacts[0].On = date("2026-11-27") },
		miss: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Contacts[0].On = date("2026-11-26") },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p2")
			p.Contacts = append(p.Contacts, domain.Contact{With: "social_worker", On: date("2026-11-20"), Method: "in_person"})
		},
		check: wantParticipant("p2"),
	},
	{
		code: NotSpokenToChair,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Contacts = pt(c, "p1").Contacts[:1] },
		miss: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Contacts[1].On = date("2026-11-26") },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p1")
			p.Contacts = append(p.Contacts, domain.Contact{With: "chair", On: date("2026-11-24"), Method: "phone"})
		},
		check: wantParticipant("p1"),
	},
	{
		code: SocialWorkerReportMissing,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Reports[0].Agency = "health" },
		miss: func(c *domain.Conference, _ *domain.Policy) { c.Reports = c.Reports[:1] },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports = append(c.Reports, domain.Report{ID: "r3", Agency: "social_care", Title: "SW"})
		},
		// Due when reports must reach the chair.
		check: wantDue("2026-11-23"),
	},
	{
		code: ReportNotShared,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Reports[0].Shares = c.Reports[0].Shares[:1] },
		// p2 has r2 withheld with the chair's agreement; excluding p2
		// removes them from sharing altogether.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports[0].Shares = c.Reports[0].Shares[:1]
			p := pt(c, "p2")
			p.Attendance = domain.AttendanceExcluded
			p.Exclusion = &domain.Exclusion{DecidedByChairOn: date("2026-11-20"), Grounds: "risk"}
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports[0].Shares = append(c.Reports[0].Shares, domain.Share{ParticipantID: "p2", SharedOn: date("2026-11-20")})
		},
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-23")(t, f)
			if f.ParticipantID != "p2" || f.ReportID != "r1" || f.Overdue {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ReportSharedLate,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Reports[0].Shares[1].SharedOn = date("2026-11-24") },
		miss: func(c *domain.Conference, _ *domain.Policy) { c.Reports[0].Shares[1].SharedOn = date("2026-11-23") },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports[0].Shares = append(c.Reports[0].Shares, domain.Share{ParticipantID: "p2", SharedOn: date("2026-11-19")})
		},
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-23")(t, f)
			if f.Severity != domain.SeverityAdvisory || f.ReportID != "r1" || f.ParticipantID != "p2" {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ReportNotTranslated,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Reports[0].Shares[0].Language = "" },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("language").Status = domain.NeedNotNeeded
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports[0].Shares = append(c.Reports[0].Shares, domain.Share{ParticipantID: "p1", SharedOn: date("2026-11-23"), Language: "Pl"})
		},
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-23")(t, f)
			if f.ParticipantID != "p1" || f.ReportID != "r1" {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ChildViewsNotRecorded,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Children[1].Views = nil },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[1].Views = &domain.ChildViews{Means: "attending", RecordedOn: date("2026-11-20"), SharedOn: date("2026-11-20")}
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[1].Views = &domain.ChildViews{Means: "social_worker", RecordedOn: date("2026-11-20"), SharedOn: date("2026-11-21")}
		},
		check: func(t *testing.T, f domain.Finding) {
			if f.ChildRef != "child-2" || f.DueOn != nil {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ChildViewsNotShared,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Children[0].Views.SharedOn = nil },
		// Unrecorded views are CHILD_VIEWS_NOT_RECORDED, not this.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[0].Views.SharedOn, c.Children[0].Views.RecordedOn = nil, nil
		},
		fix: func(c *domain.Conference, _ *domain.Policy) { c.Children[0].Views.SharedOn = date("2026-11-24") },
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-23")(t, f)
			if f.ChildRef != "child-1" {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code:  SafetyArrangementMissing,
		fire:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Safety.Arrangement = "" },
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Safety = &domain.Safety{Concern: "none"} },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Safety.Arrangement = "none_needed" },
		check: wantParticipant("p1"),
	},
	{
		code: ExclusionNotDecided,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p2").Attendance = domain.AttendanceExcluded
			pt(c, "p2").Exclusion = &domain.Exclusion{DecidedByChairOn: date("2026-11-20"), Grounds: "  "}
		},
		miss: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p3").Attendance = domain.AttendanceExcluded },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p2").Exclusion = &domain.Exclusion{DecidedByChairOn: date("2026-11-20"), Grounds: "risk of harm"}
		},
		check: wantParticipant("p2"),
	},
	{
		code:  PrivateSpaceNotConfirmed,
		fire:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").PrivateSpaceConfirmed = false },
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").PrivateSpaceConfirmed = false },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").PrivateSpaceConfirmed = true },
		check: wantParticipant("p1"),
	},
	{
		code:  TechnologyNotChecked,
		fire:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").TechnologyChecked = false },
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").TechnologyChecked = false },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").TechnologyChecked = true },
		check: wantParticipant("p1"),
	},
	{
		code: PhoneOnlyAttendance,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p2").Attendance, pt(c, "p2").PrivateSpaceConfirmed = domain.AttendancePhone, true
		},
		miss: func(c *domain.Conference, p *domain.Policy) {
			pt(c, "p2").Attendance, pt(c, "p2").PrivateSpaceConfirmed = domain.AttendancePhone, true
			p.PhoneOnlyAttendance = false
		},
		fix: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").Attendance = domain.AttendanceInPerson },
		check: func(t *testing.T, f domain.Finding) {
			if f.Severity != domain.SeverityAdvisory || f.ParticipantID != "p2" {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ICPCTimescaleExceeded,
		// 15 working days after Wed 4 Nov is Wed 25 Nov; the conference is the 26th.
		fire: func(c *domain.Conference, _ *domain.Policy) { c.StrategyDiscussionOn = date("2026-11-04") },
		miss: func(c *domain.Conference, _ *domain.Policy) { c.StrategyDiscussionOn = date("2026-11-05") },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.ScheduledStart = at(2026, 11, 25, 14, 0)
			c.Reports[0].Shares[1].SharedOn = date("2026-11-20") // keep it on time
		},
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-25")(t, f)
			if f.Severity != domain.SeverityAdvisory || f.Overdue {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ReviewTimescaleExceeded,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.PreviousConferenceOn, c.PreviousConferenceType = domain.TypeReview, date("2026-08-25"), domain.TypeInitial
			c.Reports[0].Shares[1].SharedOn = date("2026-11-19") // review reports are due 5 days before
		},
		// Exactly three months is within the limit; with no previous
		// type, six months apply.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.PreviousConferenceOn, c.PreviousConferenceType = domain.TypeReview, date("2026-08-26"), domain.TypeInitial
		},
		fix: func(c *domain.Conference, _ *domain.Policy) { c.PreviousConferenceType = "" },
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-25")(t, f)
			if f.Severity != domain.SeverityAdvisory {
				t.Errorf("finding %+v", f)
			}
		},
	},
}

func TestEachRule(t *testing.T) {
	for _, r := range Rules() {
		found := false
		for _, tc := range ruleCases {
			found = found || tc.code == r.Code
		}
		if !found {
			t.Errorf("no rule case for %s", r.Code)
		}
	}
	run := func(edits ...edit) domain.ReadinessResult {
		c, p := base(), domain.DefaultPolicy()
		for _, e := range edits {
			e(c, &p)
		}
		return Evaluate(c, now, p, cal)
	}
	for _, tc := range ruleCases {
		t.Run(tc.code, func(t *testing.T) {
			fired := run(tc.fire)
			fs := withCode(fired, tc.code)
			if len(fs) != 1 {
				t.Fatalf("fire: got %d %s findings; all: %v", len(fs), tc.code, codes(fired))
			}
			if tc.check != nil {
				tc.check(t, fs[0])
			}
			if want, _ := Lookup(tc.code); fs[0].Severity != want.Severity || fs[0].Message == "" {
				t.Errorf("severity %q message %q", fs[0].Severity, fs[0].Message)
			}
			if blockerOnly := fs[0].Severity == domain.SeverityBlocker; blockerOnly != (fired.Status == domain.NotReady) {
				t.Errorf("status %s with a %s finding", fired.Status, fs[0].Severity)
			}
			if got := run(tc.miss); len(withCode(got, tc.code)) != 0 {
				t.Errorf("near miss fired: %v", withCode(got, tc.code))
			}
			if got := run(tc.fire, tc.fix); len(withCode(got, tc.code)) != 0 {
				t.Errorf("not cleared: %v", withCode(got, tc.code))
			}
		})
	}
}

func TestReportWithheldWithoutChairAgreement(t *testing.T) {
	c := base()
	c.Reports[1].Shares[1].ChairAgreedOn = nil
	fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), ReportNotShared)
	if len(fs) != 1 || fs[0].ReportID != "r2" || !strings.Contains(fs[0].Message, "without the chair's agreement") {
		t.Fatalf("got %+v", fs)
	}
}

func TestNoFamilyParticipantsWhenNoneRecorded(t *testing.T) {
	c := base()
	c.Participants = nil
	if fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), NoFamilyParticipants); len(fs) != 1 {
		t.Fatalf("got %+v", fs)
	}
}

func TestOneFindingPerUnarrangedNeed(t *testing.T) {
	c := base()
	p := pt(c, "p1")
	p.Needs = []domain.Need{
		{Kind: "transport", Status: domain.NeedIdentified},
		{Kind: "technology", Status: domain.NeedIdentified},
		{Kind: "language", Status: domain.NeedIdentified, Language: "pl"},
	}
	fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), NeedNotArranged)
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, f.Kind)
	}
	if strings.Join(kinds, ",") != "technology,language,transport" {
		t.Errorf("kinds %v, want domain.NeedKinds order", kinds)
	}
}

func TestPrivateSpaceForPhone(t *testing.T) {
	c := base()
	pt(c, "p2").Attendance = domain.AttendancePhone
	if len(withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), PrivateSpaceNotConfirmed)) != 1 {
		t.Error("phone attendance without a private space did not fire")
	}
	if len(withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), TechnologyNotChecked)) != 0 {
		t.Error("phone attendance needs no technology check")
	}
}

func TestReviewLimitUsesMonthEnds(t *testing.T) {
	cases := []struct {
		prev, prevType, on string
		fires              bool
		limit              string
	}{
		// 31 Aug + 6 months: 28 Feb (2027 is not a leap year), not 3 March.
		{"2026-08-31", "review", "2027-03-01", true, "2027-02-28"},
		{"2026-08-31", "review", "2027-02-26", false, ""},
		// 30 Nov + 3 months in a leap year: 29 Feb 2028.
		{"2027-11-30", "initial", "2028-03-01", true, "2028-02-29"},
		{"2026-05-31", "", "2026-11-30", false, ""},
		{"2026-05-31", "", "2026-12-01", true, "2026-11-30"},
	}
	for _, tc := range cases {
		c := base()
		c.Type, c.PreviousConferenceOn = domain.TypeReview, date(tc.prev)
		c.PreviousConferenceType = domain.ConferenceType(tc.prevType)
		d := date(tc.on).Time()
		c.ScheduledStart = at(d.Year(), d.Month(), d.Day(), 10, 0)
		fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), ReviewTimescaleExceeded)
		if (len(fs) == 1) != tc.fires {
			t.Errorf("%+v: got %v", tc, fs)
			continue
		}
		if tc.fires && fs[0].DueOn.String() != tc.limit {
			t.Errorf("%+v: limit %s", tc, fs[0].DueOn)
		}
	}
}

func TestTimescalesIgnoreOtherTypes(t *testing.T) {
	c := base()
	c.Type = domain.TypePreBirth
	c.StrategyDiscussionOn, c.PreviousConferenceOn = date("2026-01-05"), date("2025-01-05")
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	if len(r.Findings) != 0 {
		t.Errorf("pre-birth conference: %v", codes(r))
	}
}

func TestPhoneOnlyAttendanceIsForParentsAndCarers(t *testing.T) {
	parents := map[string]bool{"mother": true, "father": true, "parent": true, "step_parent": true, "carer": true}
	for _, rel := range relationships {
		c := base()
		p := pt(c, "p2")
		p.Relationship, p.Attendance, p.PrivateSpaceConfirmed = rel, domain.AttendancePhone, true
		got := len(withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), PhoneOnlyAttendance)) == 1
		if got != parents[rel] {
			t.Errorf("%s by phone: fired %v, want %v", rel, got, parents[rel])
		}
	}
}
