package readiness

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// Sentinels put in every free-text field; no message may contain them.
const secret = "SECRET"

var (
	relationships = []string{"mother", "father", "parent", "step_parent", "carer", "grandparent", "sibling", "young_person", "other_family", "family_friend"}
	attendances   = []domain.Attendance{"unknown", "in_person", "video", "phone", "not_attending", "excluded"}
	statuses      = []string{domain.NeedIdentified, domain.NeedArranged, domain.NeedNotNeeded}
	languages     = []string{"pl", "PL", "ro", "ar", "en", "cy"}
	agencies      = []string{"social_care", "police", "health", "education", "probation", "other"}
	concerns      = []string{"none", "domestic_abuse", "other"}
	arrangements  = []string{"", "separate_attendance", "exclusion", "none_needed"}
	types         = []domain.ConferenceType{domain.TypeInitial, domain.TypeReview, domain.TypePreBirth}
	interpreters  = []string{"", domain.InterpreterProfessional, domain.InterpreterFamilyMember}
	formats       = []string{"", domain.FormatWritten, domain.FormatSpoken, domain.FormatEasyRead, domain.FormatOther}
	// professionalAttendances repeats confirmed so that quorum is met often
	// enough for its near misses to be tried.
	professionalAttendances = []string{domain.ProfessionalInvited, domain.ProfessionalConfirmed, domain.ProfessionalConfirmed, domain.ProfessionalDeclined}
	prevTypes               = []domain.ConferenceType{"", domain.TypeInitial, domain.TypeReview}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// maybeDate returns nil or a date within span days either side of around.
func maybeDate(r *rand.Rand, around domain.Date, span int) *domain.Date {
	if r.IntN(3) == 0 {
		return nil
	}
	d := around.AddDays(r.IntN(2*span+1) - span)
	return &d
}

// generate builds a random conference between 2020 and 2028 at any time of
// day in London, with every part of the aggregate varied.
func generate(r *rand.Rand, n int) *domain.Conference {
	day := domain.NewDate(2020, 1, 1).AddDays(r.IntN(365 * 9))
	y, m, d := day.Time().Date()
	c := &domain.Conference{ID: fmt.Sprint("c", n)}
	c.Type = pick(r, append(types, domain.TypeTransferIn))
	switch c.Type {
	case domain.TypePreBirth:
		c.ExpectedDeliveryOn = maybeDate(r, day.AddDays(90), 40)
	case domain.TypeTransferIn:
		c.TransferNoticeOn = maybeDate(r, day.AddDays(-20), 15)
	}
	c.ScheduledStart = domain.Timestamp{Time: time.Date(y, m, d, r.IntN(24), r.IntN(60), 0, 0, domain.London)}
	if r.IntN(2) == 0 {
		s := day.AddDays(-r.IntN(40))
		c.StrategyDiscussionOn = &s
	}
	if r.IntN(2) == 0 {
		p := day.AddDays(-r.IntN(300))
		c.PreviousConferenceOn, c.PreviousConferenceType = &p, pick(r, prevTypes)
	}
	for i := range r.IntN(5) {
		c.Participants = append(c.Participants, genParticipant(r, day, fmt.Sprint("p", i)))
	}
	for i := range r.IntN(4) {
		rep := domain.Report{ID: fmt.Sprint("r", i), Agency: pick(r, agencies), Title: secret + " title"}
		rep.SharedWithChairOn = maybeDate(r, day.AddDays(-5), 10)
		for range r.IntN(5) {
			s := domain.Share{ParticipantID: fmt.Sprint("p", r.IntN(5)), Withheld: r.IntN(4) == 0}
			if s.Withheld {
				s.ChairAgreedOn = maybeDate(r, day, 10)
			} else {
				s.SharedOn = maybeDate(r, day.AddDays(-7), 10)
				s.Language = pick(r, append([]string{""}, languages...))
				s.Format = pick(r, formats)
			}
			rep.Shares = append(rep.Shares, s)
		}
		c.Reports = append(c.Reports, rep)
	}
	for i := range r.IntN(4) {
		ch := domain.Child{Ref: fmt.Sprint("child-", i), Name: secret + " child", Unborn: r.IntN(5) == 0}
		switch r.IntN(5) {
		case 0:
		case 1:
			ch.Views = &domain.ChildViews{Means: domain.ViewsNotApplicable, Reason: secret}
		default:
			ch.Views = &domain.ChildViews{Means: "written", RecordedOn: maybeDate(r, day, 10)}
			if ch.Views.RecordedOn != nil {
				ch.Views.SharedOn = maybeDate(r, day, 5)
			}
		}
		c.Children = append(c.Children, ch)
	}
	for i := range r.IntN(6) {
		expected := r.IntN(3) > 0
		c.Professionals = append(c.Professionals, domain.Professional{ID: fmt.Sprint("pr", i), ProfessionalFields: domain.ProfessionalFields{
			Agency: pick(r, agencies), Role: secret, Name: secret, Attendance: pick(r, professionalAttendances), ReportExpected: &expected,
		}})
	}
	return c
}

func genParticipant(r *rand.Rand, day domain.Date, id string) domain.Participant {
	p := domain.Participant{ID: id}
	p.DisplayName = secret + " name"
	p.Relationship = pick(r, relationships)
	p.Invited = pick(r, []*bool{nil, no(), yes(), yes(), yes()})
	p.Attendance = pick(r, attendances)
	p.NeedsAssessedOn = maybeDate(r, day, 20)
	p.PrivateSpaceConfirmed, p.TechnologyChecked = r.IntN(2) == 0, r.IntN(2) == 0
	p.ParentalResponsibility = r.IntN(2) == 0
	p.InformedOn, p.AdvocacyOfferedOn = maybeDate(r, day, 10), maybeDate(r, day, 20)
	if r.IntN(2) == 0 {
		p.Safety = &domain.Safety{Concern: pick(r, concerns), Arrangement: pick(r, arrangements), Note: secret}
	}
	if r.IntN(3) == 0 {
		p.Exclusion = &domain.Exclusion{DecidedByChairOn: maybeDate(r, day, 5), Grounds: pick(r, []string{"", secret})}
	}
	for _, kind := range domain.NeedKinds {
		if r.IntN(3) == 0 {
			n := domain.Need{Kind: kind, Status: pick(r, statuses), Detail: secret}
			if kind == domain.NeedLanguage {
				n.Language, n.Interpreter = pick(r, languages), pick(r, interpreters)
			}
			p.Needs = append(p.Needs, n)
		}
	}
	for range r.IntN(4) {
		p.Contacts = append(p.Contacts, domain.Contact{
			With: pick(r, []string{"social_worker", "chair"}), On: maybeDate(r, day, 10), Method: "phone",
		})
	}
	return p
}

// recordEverything does, by hand, everything a social worker and chair
// could do to make c ready. It deliberately does not use the engine's own
// helpers, so that it checks them rather than repeats them.
func recordEverything(c *domain.Conference) {
	day := c.Date()
	before := day.AddDays(-1)
	early := day.AddDays(-70) // earlier than any deadline the default policy sets
	isActive := func(p *domain.Participant) bool {
		return p.Invited != nil && *p.Invited && p.Attendance != domain.AttendanceExcluded
	}
	for i := range c.Participants {
		p := &c.Participants[i]
		// Whoever has parental responsibility is invited.
		if p.ParentalResponsibility && !(p.Invited != nil && *p.Invited) {
			p.Invited = yes()
		}
	}
	any := false
	for i := range c.Participants {
		any = any || isActive(&c.Participants[i])
	}
	if !any {
		c.Participants = append(c.Participants, domain.Participant{ID: "p-new", ParticipantFields: domain.ParticipantFields{
			DisplayName: secret, Relationship: "mother", Invited: yes(), Attendance: domain.AttendanceInPerson,
		}})
	}
	langs := map[string]string{}
	for i := range c.Participants {
		p := &c.Participants[i]
		if p.Attendance == domain.AttendanceExcluded {
			p.Exclusion = &domain.Exclusion{DecidedByChairOn: &before, Grounds: "grounds recorded"}
		}
		if !isActive(p) {
			continue
		}
		if p.Attendance == domain.AttendanceUnknown {
			p.Attendance = domain.AttendanceVideo
		}
		p.NeedsAssessedOn = &early
		p.InformedOn, p.AdvocacyOfferedOn = &before, &early
		p.PrivateSpaceConfirmed, p.TechnologyChecked = true, true
		// Exclusion is no arrangement for someone still coming.
		if p.Safety != nil && (p.Safety.Arrangement == "" || p.Safety.Arrangement == "exclusion") {
			p.Safety.Arrangement = "separate_attendance"
		}
		langs[p.ID] = "en"
		for j := range p.Needs {
			n := &p.Needs[j]
			if n.Status == domain.NeedIdentified {
				n.Status = domain.NeedArranged
			}
			if n.Kind == domain.NeedLanguage && n.Status != domain.NeedNotNeeded {
				langs[p.ID] = n.Language
			}
		}
		p.Contacts = append(p.Contacts,
			domain.Contact{With: "social_worker", On: &early, Method: "phone"},
			domain.Contact{With: "chair", On: &before, Method: "video"})
	}
	hasSocialCare := false
	for _, r := range c.Reports {
		hasSocialCare = hasSocialCare || r.Agency == "social_care"
	}
	if !hasSocialCare {
		c.Reports = append(c.Reports, domain.Report{ID: "r-sw", Agency: "social_care", Title: secret})
	}
	for i := range c.Reports {
		c.Reports[i].SharedWithChairOn = &early
		for id, lang := range langs {
			// Easy read serves a learning or communication need.
			c.Reports[i].Shares = append(c.Reports[i].Shares, domain.Share{ParticipantID: id, SharedOn: &early, Language: lang, Format: domain.FormatEasyRead})
		}
	}
	for i := range c.Children {
		c.Children[i].Views = &domain.ChildViews{Means: "written", RecordedOn: &early, SharedOn: &early}
	}
	// Every agency confirms, which is a quorum under any policy.
	for _, agency := range agencies {
		no := false
		c.Professionals = append(c.Professionals, domain.Professional{ID: "pr-" + agency, ProfessionalFields: domain.ProfessionalFields{
			Agency: agency, Name: secret, Attendance: domain.ProfessionalConfirmed, ReportExpected: &no,
		}})
	}
}

// withoutOverdue copies findings with every Overdue flag cleared.
func withoutOverdue(fs []domain.Finding) []domain.Finding {
	out := make([]domain.Finding, len(fs))
	for i, f := range fs {
		f.Overdue = false
		out[i] = f
	}
	return out
}

// checkInvariants evaluates c at two instants years apart and checks that
// only the Overdue flags differ, and that each is right for its instant.
func checkInvariants(t *testing.T, c *domain.Conference, p domain.Policy) domain.ReadinessResult {
	t.Helper()
	early := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	late := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	a, b := Evaluate(c, early, p, cal), Evaluate(c, late, p, cal)
	// A third instant, two days before the conference, has some due
	// dates passed and others not.
	m := Evaluate(c, c.ScheduledStart.AddDate(0, 0, -2), p, cal)
	if !reflect.DeepEqual(withoutOverdue(m.Findings), withoutOverdue(a.Findings)) {
		t.Fatalf("%s: findings depend on now", c.ID)
	}
	checkOverdue(t, c, m)
	if !reflect.DeepEqual(withoutOverdue(a.Findings), withoutOverdue(b.Findings)) {
		t.Fatalf("%s: findings depend on now:\n%v\n%v", c.ID, codes(a), codes(b))
	}
	sa, sb := a.Summary(), b.Summary()
	// What a read rebuilds from the stored summary at an instant is what
	// a live evaluation gives at that instant.
	if got := sa.Result(late); !reflect.DeepEqual(got, b) {
		t.Fatalf("%s: stored summary read later:\n%+v\nlive:\n%+v", c.ID, got, b)
	}
	sa.Overdue, sb.Overdue = false, false
	sa.Findings, sb.Findings = withoutOverdue(sa.Findings), withoutOverdue(sb.Findings)
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("%s: stored summary depends on now: %+v vs %+v", c.ID, sa, sb)
	}
	checkOverdue(t, c, a)
	checkOverdue(t, c, b)
	return a
}

// checkOverdue checks each Overdue flag, the counts and the order of r.
func checkOverdue(t *testing.T, c *domain.Conference, r domain.ReadinessResult) {
	t.Helper()
	today := domain.DateOf(r.EvaluatedAt)
	// The service stores the summary and works Overdue out when it is
	// read; that must agree with the findings.
	stored := r.Summary()
	stored.SetOverdue(today)
	if stored.Overdue != r.Summary().Overdue {
		t.Fatalf("%s: stored overdue %v, findings say %v", c.ID, stored.Overdue, r.Summary().Overdue)
	}
	blockers := 0
	for _, f := range r.Findings {
		want := f.Severity == domain.SeverityBlocker && f.DueOn != nil && today.After(*f.DueOn)
		if f.Overdue != want {
			t.Fatalf("%s: %s overdue=%v at %s", c.ID, f.Code, f.Overdue, today)
		}
		if strings.Contains(f.Message, secret) {
			t.Fatalf("%s: %s message leaks free text: %s", c.ID, f.Code, f.Message)
		}
		if f.Severity == domain.SeverityBlocker {
			blockers++
		}
	}
	if blockers != r.Blockers || (blockers == 0) != (r.Status == domain.Ready) {
		t.Fatalf("%s: %d blockers, result %+v", c.ID, blockers, r.Summary())
	}
	checkOrder(t, c, r.Findings)
}

func TestPropertyRecordingEverythingMakesReady(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	fired := map[string]int{}
	for i := range 2000 {
		c := generate(r, i)
		p := domain.DefaultPolicy()
		p.PhoneOnlyAttendance = r.IntN(2) == 0
		p.ReportDays = domain.ReportDays{Initial: r.IntN(6), Review: r.IntN(11), PreBirth: r.IntN(6)}
		p.ChairReportDays = domain.ReportDays{Initial: r.IntN(11), Review: r.IntN(11), PreBirth: r.IntN(11)}
		p.QuorumOtherAgencies = 1 + r.IntN(5)
		for _, f := range checkInvariants(t, c, p).Findings {
			fired[f.Code]++
		}
		recordEverything(c)
		after := checkInvariants(t, c, p)
		if after.Status != domain.Ready || after.Blockers != 0 {
			t.Fatalf("conference %d not ready after recording everything: %v", i, codes(after))
		}
	}
	// The generator must reach every rule, or the property proves little.
	for _, rule := range Rules() {
		if fired[rule.Code] == 0 {
			t.Errorf("the generator never produced %s", rule.Code)
		}
	}
}
