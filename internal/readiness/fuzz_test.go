package readiness

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// fuzzInput hands out fuzz bytes one at a time, and zeros once they run
// out, so that every input builds some aggregate.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) next() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

// n returns a number in [0, k).
func (in *fuzzInput) n(k int) int { return int(in.next()) % k }

func (in *fuzzInput) flag() bool { return in.next()&1 == 1 }

func fuzzOneOf[T any](in *fuzzInput, xs []T) T { return xs[in.n(len(xs))] }

// date is absent, or up to 127 days either side of around.
func (in *fuzzInput) date(around domain.Date) *domain.Date {
	if in.n(4) == 0 {
		return nil
	}
	d := around.AddDays(int(int8(in.next())))
	return &d
}

// fuzzAggregate builds a conference, a policy and an instant to judge at
// from fuzz bytes. Enumerated fields take only values validation lets
// through, as the engine only ever sees stored, validated aggregates; ids
// and counts, dates and the policy's numbers range freely within bounds.
// Every free-text field holds the sentinel secret.
func fuzzAggregate(data []byte) (*domain.Conference, domain.Policy, time.Time) {
	in := &fuzzInput{b: data}
	day := domain.NewDate(2020, 1, 1).AddDays((int(in.next())<<8 | int(in.next())) % (365 * 9))
	y, m, d := day.Time().Date()
	c := &domain.Conference{ID: "c"}
	c.Type = fuzzOneOf(in, types)
	c.ScheduledStart = domain.Timestamp{Time: time.Date(y, m, d, in.n(24), in.n(60), 0, 0, domain.London)}
	c.StrategyDiscussionOn = in.date(day)
	c.PreviousConferenceOn = in.date(day.AddDays(-180))
	c.PreviousConferenceType = fuzzOneOf(in, prevTypes)
	participants := in.n(6)
	for i := range participants {
		c.Participants = append(c.Participants, fuzzParticipant(in, day, fmt.Sprint("p", i)))
	}
	for i := range in.n(5) {
		r := domain.Report{ID: fmt.Sprint("r", i), Agency: fuzzOneOf(in, agencies), Title: secret, ReceivedOn: in.date(day)}
		for range in.n(6) {
			// Shares may name a participant that is not (or no longer) there.
			s := domain.Share{ParticipantID: fmt.Sprint("p", in.n(participants+2)), Withheld: in.flag()}
			if s.Withheld {
				s.Reason, s.ChairAgreedOn = secret, in.date(day)
			} else {
				s.SharedOn, s.Language = in.date(day), fuzzOneOf(in, append([]string{""}, languages...))
			}
			r.Shares = append(r.Shares, s)
		}
		c.Reports = append(c.Reports, r)
	}
	for i := range in.n(5) {
		ch := domain.Child{Ref: fmt.Sprint("child-", i), Name: secret}
		if in.flag() {
			ch.Views = &domain.ChildViews{Means: "written", RecordedOn: in.date(day), SharedOn: in.date(day)}
		}
		c.Children = append(c.Children, ch)
	}
	p := domain.Policy{
		ReportDays:        domain.ReportDays{Initial: in.n(31), Review: in.n(31), PreBirth: in.n(31)},
		ICPCWorkingDays:   1 + in.n(60),
		FirstReviewMonths: 1 + in.n(24), ReviewIntervalMonths: 1 + in.n(24),
		PhoneOnlyAttendance: in.flag(),
	}
	now := c.ScheduledStart.Add(time.Duration(int8(in.next())) * 24 * time.Hour)
	fuzzV2(in, c, &p, day)
	return c, p, now
}

// fuzzV2 sets what version 2 of the rules reads. It takes its bytes after
// everything else, so that inputs written for version 1 build the same
// aggregate as before, with the new fields absent.
func fuzzV2(in *fuzzInput, c *domain.Conference, p *domain.Policy, day domain.Date) {
	switch in.n(4) {
	case 1:
		c.Type, c.ExpectedDeliveryOn = domain.TypePreBirth, in.date(day.AddDays(90))
	case 2:
		c.Type, c.TransferNoticeOn = domain.TypeTransferIn, in.date(day.AddDays(-20))
	}
	for i := range c.Participants {
		pt := &c.Participants[i]
		pt.ParentalResponsibility = in.flag()
		pt.InformedOn, pt.AdvocacyOfferedOn = in.date(day), in.date(day)
		if n := pt.Need(domain.NeedLanguage); n != nil {
			n.Interpreter = fuzzOneOf(in, interpreters)
		}
	}
	for i := range c.Reports {
		r := &c.Reports[i]
		r.SharedWithChairOn = in.date(day)
		for j := range r.Shares {
			if !r.Shares[j].Withheld {
				r.Shares[j].Format = fuzzOneOf(in, formats)
			}
		}
	}
	for i := range c.Children {
		ch := &c.Children[i]
		ch.Unborn = in.flag()
		if ch.Views != nil && in.flag() {
			ch.Views.Means, ch.Views.Reason = domain.ViewsNotApplicable, fuzzOneOf(in, []string{"", " ", secret})
		}
	}
	for i := range in.n(7) {
		yes := in.flag()
		c.Professionals = append(c.Professionals, domain.Professional{ID: fmt.Sprint("pr", i), ProfessionalFields: domain.ProfessionalFields{
			Agency: fuzzOneOf(in, agencies), Role: secret, Name: secret, Attendance: fuzzOneOf(in, professionalAttendances), ReportExpected: &yes,
		}})
	}
	p.ChairReportDays = domain.ReportDays{Initial: in.n(31), Review: in.n(31), PreBirth: in.n(31)}
	p.QuorumOtherAgencies = 1 + in.n(5)
	p.PreBirthLatestWeek = 1 + in.n(40)
	p.TransferInDays = 1 + in.n(60)
}

func fuzzParticipant(in *fuzzInput, day domain.Date, id string) domain.Participant {
	p := domain.Participant{ID: id, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
	p.DisplayName = secret
	p.Relationship = fuzzOneOf(in, relationships)
	p.Invited = fuzzOneOf(in, []*bool{nil, no(), yes(), yes()})
	p.Attendance = fuzzOneOf(in, attendances)
	p.NeedsAssessedOn = in.date(day)
	p.PrivateSpaceConfirmed, p.TechnologyChecked = in.flag(), in.flag()
	if in.flag() {
		p.Safety = &domain.Safety{Concern: fuzzOneOf(in, concerns), Arrangement: fuzzOneOf(in, arrangements), Note: secret}
	}
	if in.flag() {
		p.Exclusion = &domain.Exclusion{DecidedByChairOn: in.date(day), Grounds: fuzzOneOf(in, []string{"", " ", secret})}
	}
	for _, kind := range domain.NeedKinds {
		if in.n(3) == 0 {
			n := domain.Need{Kind: kind, Status: fuzzOneOf(in, statuses), Detail: secret}
			if kind == domain.NeedLanguage {
				n.Language = fuzzOneOf(in, languages)
			}
			p.Needs = append(p.Needs, n)
		}
	}
	for range in.n(4) {
		p.Contacts = append(p.Contacts, domain.Contact{With: fuzzOneOf(in, []string{"social_worker", "chair"}), On: in.date(day), Method: "phone"})
	}
	return p
}

// FuzzEvaluate judges aggregates built from fuzz bytes and checks what
// holds for every evaluation: no panic; the same answer twice; the input
// left untouched; counts, status and the earliest due date agreeing with
// the findings; each finding of a known code at its rule's severity, about
// things that exist, with no free text in its message, in the documented
// order; overdue flags right for the instant; and the findings themselves
// the same at any other instant.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 200, 0, 10, 30, 1, 5, 2, 3, 3, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("\x03\x10\x01\x09\x00\x02\x00\x7f\x80\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05"))
	f.Add([]byte(strings.Repeat("\xff", 300)))
	f.Add([]byte(strings.Repeat("\x01\x02\x03", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, p, now := fuzzAggregate(data)
		pristine, _, _ := fuzzAggregate(data)
		r := Evaluate(c, now, p, cal)
		if !reflect.DeepEqual(c, pristine) {
			t.Fatal("Evaluate changed the conference it judged")
		}
		if again := Evaluate(c, now, p, cal); !reflect.DeepEqual(r, again) {
			t.Fatalf("two evaluations differ:\n%v\n%v", codes(r), codes(again))
		}
		checkResult(t, c, r, domain.DateOf(now))
		other := Evaluate(c, now.AddDate(1, 0, 0), p, cal)
		if !reflect.DeepEqual(withoutOverdue(r.Findings), withoutOverdue(other.Findings)) {
			t.Fatalf("findings depend on the instant:\n%v\n%v", codes(r), codes(other))
		}
	})
}

// checkResult checks one result against the conference it judged.
func checkResult(t *testing.T, c *domain.Conference, r domain.ReadinessResult, today domain.Date) {
	t.Helper()
	if r.Findings == nil {
		t.Fatal("Findings is nil")
	}
	blockers, advisories := 0, 0
	var earliest *domain.Date
	for _, f := range r.Findings {
		rule, ok := Lookup(f.Code)
		if !ok || f.Severity != rule.Severity {
			t.Fatalf("finding %+v: unknown code or wrong severity", f)
		}
		if f.Message == "" || strings.Contains(f.Message, secret) {
			t.Fatalf("%s: message %q is empty or carries free text", f.Code, f.Message)
		}
		if want := f.Severity == domain.SeverityBlocker && f.DueOn != nil && today.After(*f.DueOn); f.Overdue != want {
			t.Fatalf("%s: overdue %v on %s, due %v", f.Code, f.Overdue, today, f.DueOn)
		}
		checkSubject(t, c, f)
		if f.Severity == domain.SeverityAdvisory {
			advisories++
			continue
		}
		blockers++
		if f.DueOn != nil && (earliest == nil || f.DueOn.Before(*earliest)) {
			earliest = f.DueOn
		}
	}
	if r.Blockers != blockers || r.Advisories != advisories || (r.Status == domain.Ready) != (blockers == 0) {
		t.Fatalf("result %s with %d blockers and %d advisories; findings have %d and %d", r.Status, r.Blockers, r.Advisories, blockers, advisories)
	}
	if r.Status != domain.Ready && r.Status != domain.NotReady {
		t.Fatalf("status %q", r.Status)
	}
	if !reflect.DeepEqual(r.EarliestDueOn, earliest) {
		t.Fatalf("earliest due %v, findings say %v", r.EarliestDueOn, earliest)
	}
	stored := r.Summary()
	stored.SetOverdue(today)
	if stored.Overdue != r.Summary().Overdue {
		t.Fatalf("stored overdue %v, findings say %v", stored.Overdue, r.Summary().Overdue)
	}
	checkOrder(t, c, r.Findings)
}

// subjects says, by code, which of a finding's references must be set:
// participant, report, child. Every other reference must be empty.
var subjects = map[string][3]bool{
	NoFamilyParticipants: {}, SocialWorkerReportMissing: {}, ICPCTimescaleExceeded: {}, ReviewTimescaleExceeded: {},
	QuorumNotConfirmed: {}, AgencyReportMissing: {}, PreBirthConferenceLate: {}, TransferInTimescaleExceeded: {},
	InterpreterNotIndependent: {true, false, false}, ParentNotInvited: {true, false, false},
	FamilyNotInformed: {true, false, false}, AdvocacyNotOffered: {true, false, false},
	ReportNotWithChair: {false, true, false}, ReportNotAccessible: {true, true, false},
	AttendanceNotConfirmed: {true, false, false}, NeedsNotAssessed: {true, false, false}, NeedNotArranged: {true, false, false},
	NotSpokenToSocialWorker: {true, false, false}, NotSpokenToChair: {true, false, false}, SafetyArrangementMissing: {true, false, false},
	ExclusionNotDecided: {true, false, false}, PrivateSpaceNotConfirmed: {true, false, false}, TechnologyNotChecked: {true, false, false},
	PhoneOnlyAttendance: {true, false, false},
	ReportNotShared:     {true, true, false}, ReportSharedLate: {true, true, false}, ReportNotTranslated: {true, true, false},
	ChildViewsNotRecorded: {false, false, true}, ChildViewsNotShared: {false, false, true},
}

// checkSubject checks that a finding is about things the conference has:
// an invited participant, one of its reports, one of its children, and
// for NEED_NOT_ARRANGED a need of that kind still identified.
func checkSubject(t *testing.T, c *domain.Conference, f domain.Finding) {
	t.Helper()
	want, ok := subjects[f.Code]
	if !ok {
		t.Fatalf("%s has no entry in subjects", f.Code)
	}
	if got := [3]bool{f.ParticipantID != "", f.ReportID != "", f.ChildRef != ""}; got != want {
		t.Fatalf("%s: references %+v, want participant/report/child set %v", f.Code, f, want)
	}
	if f.ParticipantID != "" {
		// PARENT_NOT_INVITED alone is about someone not invited.
		if p := c.Participant(f.ParticipantID); p == nil || p.IsInvited() != (f.Code != ParentNotInvited) {
			t.Fatalf("%s is about %q, not an invited participant", f.Code, f.ParticipantID)
		}
	}
	if (f.Agency != "") != (f.Code == AgencyReportMissing) {
		t.Fatalf("%s: agency %q", f.Code, f.Agency)
	}
	if f.ReportID != "" && c.Report(f.ReportID) == nil {
		t.Fatalf("%s is about report %q, which the conference lacks", f.Code, f.ReportID)
	}
	if f.ChildRef != "" && c.Child(f.ChildRef) == nil {
		t.Fatalf("%s is about child %q, whom the conference lacks", f.Code, f.ChildRef)
	}
	if (f.Kind != "") != (f.Code == NeedNotArranged) {
		t.Fatalf("%s: kind %q", f.Code, f.Kind)
	}
	if f.Kind != "" {
		if n := c.Participant(f.ParticipantID).Need(f.Kind); n == nil || n.Status != domain.NeedIdentified {
			t.Fatalf("%s: %s has no identified %s need", f.Code, f.ParticipantID, f.Kind)
		}
	}
}
