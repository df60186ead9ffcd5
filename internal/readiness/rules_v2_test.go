package readiness

import (
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// The cases for the rules version 2 adds, and for the rules it changes,
// run in TestEachRule with the rest.
func init() { ruleCases = append(ruleCases, v2RuleCases...) }

func wantReport(id, due string) func(*testing.T, domain.Finding) {
	return func(t *testing.T, f domain.Finding) {
		wantDue(due)(t, f)
		if f.ReportID != id || f.ParticipantID != "" {
			t.Errorf("finding %+v, want report %s alone", f, id)
		}
	}
}

func wantConference(due string) func(*testing.T, domain.Finding) {
	return func(t *testing.T, f domain.Finding) {
		if f.ParticipantID != "" || f.ReportID != "" || f.ChildRef != "" {
			t.Errorf("finding %+v is about a part, want the conference", f)
		}
		if due == "" && f.DueOn != nil {
			t.Errorf("finding %+v has a due date", f)
		}
		if due != "" {
			wantDue(due)(t, f)
		}
	}
}

func decided() *domain.Exclusion {
	return &domain.Exclusion{DecidedByChairOn: date("2026-11-20"), Grounds: "risk of harm"}
}

var v2RuleCases = []ruleCase{
	{
		code: InterpreterNotIndependent,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("language").Interpreter = domain.InterpreterFamilyMember
		},
		// Not yet arranged: NEED_NOT_ARRANGED's, not this.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			n := pt(c, "p1").Need("language")
			n.Status, n.Interpreter = domain.NeedIdentified, domain.InterpreterFamilyMember
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Need("language").Interpreter = domain.InterpreterProfessional
		},
		check: wantParticipant("p1"),
	},
	{
		code: ReportNotWithChair,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Reports[1].SharedWithChairOn = nil },
		// Reaching the chair late still reaches the chair.
		miss:  func(c *domain.Conference, _ *domain.Policy) { c.Reports[1].SharedWithChairOn = date("2026-11-25") },
		fix:   func(c *domain.Conference, _ *domain.Policy) { c.Reports[1].SharedWithChairOn = date("2026-11-20") },
		check: wantReport("r2", "2026-11-23"),
	},
	{
		code: ReportNotAccessible,
		// r1 went to p1 spoken as well; r2 only in writing.
		fire: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Needs = append(pt(c, "p1").Needs, domain.Need{Kind: "learning_difficulty", Status: domain.NeedArranged})
			c.Reports[0].Shares = append(c.Reports[0].Shares, domain.Share{ParticipantID: "p1", SharedOn: date("2026-11-20"), Language: "pl", Format: domain.FormatSpoken})
		},
		miss: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Needs = append(pt(c, "p1").Needs, domain.Need{Kind: "communication", Status: domain.NeedNotNeeded})
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports[1].Shares = append(c.Reports[1].Shares, domain.Share{ParticipantID: "p1", SharedOn: date("2026-11-21"), Language: "pl", Format: domain.FormatEasyRead})
		},
		check: func(t *testing.T, f domain.Finding) {
			wantDue("2026-11-23")(t, f)
			if f.ParticipantID != "p1" || f.ReportID != "r2" {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: ParentNotInvited,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p3").ParentalResponsibility = true },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p3").ParentalResponsibility = true
			pt(c, "p3").Exclusion = decided()
		},
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p3").Invited = yes() },
		check: wantParticipant("p3"),
	},
	{
		code: FamilyNotInformed,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").InformedOn = nil },
		// Told on the day of the conference is still before it.
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").InformedOn = date("2026-11-26") },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").InformedOn = date("2026-11-19") },
		check: wantParticipant("p2"),
	},
	{
		code: FamilyNotInformed,
		// Told only after the conference is not told before it.
		fire:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").InformedOn = date("2026-11-27") },
		miss:  func(c *domain.Conference, _ *domain.Policy) { pt(c, "p3").InformedOn = nil },
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").InformedOn = date("2026-11-20") },
		check: wantParticipant("p1"),
	},
	{
		code: AdvocacyNotOffered,
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").AdvocacyOfferedOn = nil },
		// A grandparent without parental responsibility is not owed it.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p2")
			p.AdvocacyOfferedOn, p.Relationship, p.ParentalResponsibility = nil, "grandparent", false
		},
		fix:   func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").AdvocacyOfferedOn = date("2026-11-10") },
		check: wantParticipant("p2"),
	},
	{
		code: QuorumNotConfirmed,
		fire: func(c *domain.Conference, _ *domain.Policy) {
			c.Professionals[1].Attendance = domain.ProfessionalInvited
		},
		// Police declined, health confirmed: still two other agencies.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Professionals[1].Attendance = domain.ProfessionalDeclined
			c.Professionals = append(c.Professionals, professional("pr4", "health", domain.ProfessionalConfirmed, false))
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Professionals[1].Attendance = domain.ProfessionalConfirmed
		},
		check: wantConference(""),
	},
	{
		code: QuorumNotConfirmed,
		// Without children's social care no number of others is enough.
		fire: func(c *domain.Conference, _ *domain.Policy) {
			c.Professionals[0].Attendance = domain.ProfessionalDeclined
		},
		miss: func(c *domain.Conference, p *domain.Policy) {
			c.Professionals[1].Attendance = domain.ProfessionalDeclined
			p.QuorumOtherAgencies = 1
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Professionals = append(c.Professionals, professional("pr5", "social_care", domain.ProfessionalConfirmed, false))
		},
		check: wantConference(""),
	},
	{
		code: AgencyReportMissing,
		fire: func(c *domain.Conference, _ *domain.Policy) { *c.Professionals[2].ReportExpected = true },
		// Social care's missing report is SOCIAL_WORKER_REPORT_MISSING's.
		miss: func(c *domain.Conference, _ *domain.Policy) { c.Reports = c.Reports[1:] },
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Reports = append(c.Reports, domain.Report{ID: "r3", Agency: "education", Title: "School", SharedWithChairOn: date("2026-11-20")})
		},
		check: func(t *testing.T, f domain.Finding) {
			wantConference("2026-11-23")(t, f)
			if f.Agency != "education" || f.Overdue {
				t.Errorf("finding %+v", f)
			}
		},
	},
	{
		code: PreBirthConferenceLate,
		// 26 Nov is 11 weeks 6 days before 17 Feb: after week 28.
		fire: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.ExpectedDeliveryOn = domain.TypePreBirth, date("2027-02-17")
		},
		// Exactly twelve weeks before is the end of week 28.
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.ExpectedDeliveryOn = domain.TypePreBirth, date("2027-02-18")
		},
		fix:   func(c *domain.Conference, p *domain.Policy) { p.PreBirthLatestWeek = 30 },
		check: wantConference("2026-11-25"),
	},
	{
		code: TransferInTimescaleExceeded,
		// 15 working days after Wed 4 Nov is Wed 25 Nov.
		fire: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.TransferNoticeOn, c.StrategyDiscussionOn = domain.TypeTransferIn, date("2026-11-04"), nil
		},
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Type, c.TransferNoticeOn = domain.TypeTransferIn, date("2026-11-05")
		},
		fix:   func(c *domain.Conference, p *domain.Policy) { p.TransferInDays = 16 },
		check: wantConference("2026-11-25"),
	},

	// Rules version 2 changes.
	{
		code: SafetyArrangementMissing,
		// Exclusion holds only once the chair has excluded them.
		fire: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p1").Safety.Arrangement = "exclusion" },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Safety.Arrangement, pt(c, "p1").Safety.Note = "none_needed", "the risk has passed"
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			pt(c, "p1").Attendance, pt(c, "p1").Exclusion = domain.AttendanceExcluded, decided()
		},
		check: wantParticipant("p1"),
	},
	{
		code: ChildViewsNotRecorded,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Children[0].Views = nil },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[0].Views, c.Children[0].Unborn = nil, true
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[0].Views = &domain.ChildViews{Means: domain.ViewsNotApplicable, Reason: "a baby of three weeks"}
		},
	},
	{
		code: ChildViewsNotShared,
		fire: func(c *domain.Conference, _ *domain.Policy) { c.Children[1].Views.SharedOn = nil },
		miss: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[1].Views.SharedOn, c.Children[1].Unborn = nil, true
		},
		fix: func(c *domain.Conference, _ *domain.Policy) {
			c.Children[1].Views = &domain.ChildViews{Means: domain.ViewsNotApplicable, Reason: "a baby", RecordedOn: date("2026-11-17")}
		},
	},
	{
		code: ReportNotShared,
		// A sibling is owed no reports; a sibling with parental
		// responsibility is.
		fire: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p2")
			p.Relationship, p.ParentalResponsibility = "sibling", true
			c.Reports[0].Shares = c.Reports[0].Shares[:1]
		},
		miss: func(c *domain.Conference, _ *domain.Policy) {
			p := pt(c, "p2")
			p.Relationship, p.ParentalResponsibility = "sibling", false
			c.Reports[0].Shares = c.Reports[0].Shares[:1]
		},
		fix: func(c *domain.Conference, _ *domain.Policy) { pt(c, "p2").ParentalResponsibility = false },
	},
}

func TestOwedReportsByRelationship(t *testing.T) {
	owed := map[string]bool{"mother": true, "father": true, "parent": true, "step_parent": true, "carer": true, "young_person": true}
	for _, rel := range relationships {
		for _, pr := range []bool{false, true} {
			c := base()
			p := pt(c, "p2")
			p.Relationship, p.ParentalResponsibility = rel, pr
			c.Reports[0].Shares = c.Reports[0].Shares[:1]
			r := Evaluate(c, now, domain.DefaultPolicy(), cal)
			want := owed[rel] || pr
			for _, code := range []string{ReportNotShared, AdvocacyNotOffered} {
				if code == AdvocacyNotOffered {
					p.AdvocacyOfferedOn = nil
					r = Evaluate(c, now, domain.DefaultPolicy(), cal)
				}
				if got := len(withCode(r, code)) == 1; got != want {
					t.Errorf("%s, parental responsibility %v: %s fired %v, want %v", rel, pr, code, got, want)
				}
			}
		}
	}
}

func TestQuorumCountsEachAgencyOnce(t *testing.T) {
	c := base()
	c.Professionals = []domain.Professional{
		professional("a", "social_care", domain.ProfessionalConfirmed, false),
		professional("b", "police", domain.ProfessionalConfirmed, false),
		professional("c", "police", domain.ProfessionalConfirmed, false),
	}
	if fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), QuorumNotConfirmed); len(fs) != 1 {
		t.Fatalf("two police officers made a quorum: %+v", fs)
	}
	c.Professionals = append(c.Professionals, professional("d", "other", domain.ProfessionalConfirmed, false))
	if fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), QuorumNotConfirmed); len(fs) != 0 {
		t.Fatalf("social care, police and another agency: %+v", fs)
	}
	c.Professionals = nil
	if fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), QuorumNotConfirmed); len(fs) != 1 {
		t.Fatalf("no professionals at all: %+v", fs)
	}
}

func TestAgencyReportMissingOncePerAgency(t *testing.T) {
	c := base()
	c.Professionals = append(c.Professionals,
		professional("h1", "health", domain.ProfessionalDeclined, true),
		professional("h2", "health", domain.ProfessionalInvited, true),
		professional("p1", "probation", domain.ProfessionalInvited, true))
	fs := withCode(Evaluate(c, now, domain.DefaultPolicy(), cal), AgencyReportMissing)
	if len(fs) != 2 || fs[0].Agency != "health" || fs[1].Agency != "probation" {
		t.Fatalf("got %+v, want one for health then one for probation", fs)
	}
}

// Reports reach the chair by their own deadline, which may differ from the
// family's.
func TestChairReportDaysSetTheirOwnDeadline(t *testing.T) {
	c := base()
	c.Reports[0].SharedWithChairOn = nil
	c.Reports = append(c.Reports[:1], c.Reports[1:]...)
	p := domain.DefaultPolicy()
	p.ChairReportDays.Initial = 5
	r := Evaluate(c, now, p, cal)
	fs := withCode(r, ReportNotWithChair)
	if len(fs) != 1 || fs[0].DueOn.String() != "2026-11-19" {
		t.Fatalf("got %+v, want due Thursday 19 November", fs)
	}
	if !fs[0].Overdue {
		t.Error("due on the 19th and judged on the 20th: not overdue")
	}
}

// REPORT_NOT_WITH_CHAIR's due date counts working days back over
// Christmas 2026 (Boxing Day falls on a Saturday, so Monday 28 December is
// the holiday) and Easter 2027 (Good Friday 26 March, Easter Monday 29
// March), as does SOCIAL_WORKER_REPORT_MISSING's.
func TestReportNotWithChairOverBankHolidays(t *testing.T) {
	cases := []struct {
		name       string
		conference domain.Timestamp
		typ        domain.ConferenceType
		days       int
		due        string
	}{
		{"initial after New Year 2027", at(2027, 1, 4, 10, 0), domain.TypeInitial, 3, "2026-12-29"},
		{"review after New Year 2027", at(2027, 1, 4, 10, 0), domain.TypeReview, 5, "2026-12-23"},
		{"initial after Christmas 2026", at(2026, 12, 29, 10, 0), domain.TypeInitial, 1, "2026-12-24"},
		{"initial after Easter 2027", at(2027, 3, 31, 10, 0), domain.TypeInitial, 3, "2027-03-24"},
		{"review after Easter 2027", at(2027, 3, 30, 10, 0), domain.TypeReview, 5, "2027-03-19"},
		{"pre-birth after Easter Monday 2027", at(2027, 3, 30, 10, 0), domain.TypePreBirth, 1, "2027-03-25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			c.ScheduledStart, c.Type = tc.conference, tc.typ
			c.StrategyDiscussionOn, c.ExpectedDeliveryOn = nil, date("2027-06-01")
			c.Reports = []domain.Report{{ID: "r1", Agency: "police", Title: "Police"}}
			p := domain.DefaultPolicy()
			p.ChairReportDays = domain.ReportDays{Initial: tc.days, Review: tc.days, PreBirth: tc.days}
			r := Evaluate(c, now, p, cal)
			for _, code := range []string{ReportNotWithChair, SocialWorkerReportMissing} {
				fs := withCode(r, code)
				if len(fs) != 1 || fs[0].DueOn == nil || fs[0].DueOn.String() != tc.due {
					t.Errorf("%s: got %+v, want due %s", code, fs, tc.due)
				}
			}
			// The day after the due date it is overdue; on it, not yet.
			due := date(tc.due)
			onDay := Evaluate(c, due.Time().Add(12*time.Hour), p, cal)
			dayAfter := Evaluate(c, due.AddDays(1).Time().Add(12*time.Hour), p, cal)
			if withCode(onDay, ReportNotWithChair)[0].Overdue || !withCode(dayAfter, ReportNotWithChair)[0].Overdue {
				t.Errorf("overdue on the due date %v, the day after %v", withCode(onDay, ReportNotWithChair)[0].Overdue, withCode(dayAfter, ReportNotWithChair)[0].Overdue)
			}
		})
	}
}
