package readiness

import (
	"slices"
	"strconv"

	"github.com/cpcready/cpcready/internal/domain"
)

// participantRules run, in this order, for each applicable participant.
var participantRules = []func(*evaluation, *domain.Participant) []domain.Finding{
	attendanceNotConfirmed,
	needsNotAssessed,
	needNotArranged,
	interpreterNotIndependent,
	notSpokenToSocialWorker,
	notSpokenToChair,
	familyNotInformed,
	advocacyNotOffered,
	safetyArrangementMissing,
	privateSpaceNotConfirmed,
	technologyNotChecked,
	phoneOnlyAttendance,
}

func about(f domain.Finding, p *domain.Participant) domain.Finding {
	f.ParticipantID = p.ID
	return f
}

func one(f domain.Finding, p *domain.Participant) []domain.Finding {
	return []domain.Finding{about(f, p)}
}

// exclusionNotDecided fires for an invited participant marked excluded
// without both the chair's decision date and the grounds. Authority: LSCP
// procedures.
func exclusionNotDecided(p *domain.Participant) []domain.Finding {
	if !p.IsInvited() || p.Attendance != domain.AttendanceExcluded {
		return nil
	}
	if p.ExclusionDecided() {
		return nil
	}
	return one(finding(ExclusionNotDecided, capitalise(who(p.Relationship))+
		" is marked excluded without the chair's recorded decision and grounds.", nil), p)
}

// parentNotInvited fires for a participant with parental responsibility
// who is not invited and whom the chair has not decided, with grounds, to
// exclude. Authority: London procedures 8.2.1; Sussex 7.9 (parents with
// parental responsibility are invited unless excluded).
func parentNotInvited(p *domain.Participant) []domain.Finding {
	if !p.ParentalResponsibility || p.IsInvited() || p.ExclusionDecided() {
		return nil
	}
	return one(finding(ParentNotInvited, capitalise(who(p.Relationship))+
		" has parental responsibility but is not invited, and the chair has not decided to exclude them.", nil), p)
}

// attendanceNotConfirmed fires while attendance is unknown. Authority:
// research; hybrid practice.
func attendanceNotConfirmed(_ *evaluation, p *domain.Participant) []domain.Finding {
	if p.Attendance != domain.AttendanceUnknown {
		return nil
	}
	return one(finding(AttendanceNotConfirmed, capitalise(whose(p.Relationship))+
		" way of attending is not confirmed.", nil), p)
}

// needsNotAssessed fires while no needs assessment date is recorded.
// Authority: research (identify needs beforehand).
func needsNotAssessed(_ *evaluation, p *domain.Participant) []domain.Finding {
	if p.NeedsAssessedOn != nil {
		return nil
	}
	return one(finding(NeedsNotAssessed, capitalise(whose(p.Relationship))+
		" needs have not been assessed.", nil), p)
}

// needNotArranged fires once per need still "identified", in the order of
// domain.NeedKinds. Authority: research; Wales procedures; LSCP interpreter
// duty.
func needNotArranged(_ *evaluation, p *domain.Participant) []domain.Finding {
	needs := slices.Clone(p.Needs)
	slices.SortStableFunc(needs, func(a, b domain.Need) int { return kindRank(a.Kind) - kindRank(b.Kind) })
	var fs []domain.Finding
	for _, n := range needs {
		if n.Status != domain.NeedIdentified {
			continue
		}
		f := about(finding(NeedNotArranged, capitalise(whose(p.Relationship))+" "+
			needName(n.Kind)+" need is identified but not arranged.", nil), p)
		f.Kind = n.Kind
		fs = append(fs, f)
	}
	return fs
}

// interpreterNotIndependent is an advisory when a language need is
// arranged with a family member or friend interpreting: procedures ask for
// an independent interpreter. Authority: London procedures (PG25); Sussex
// 7.9.
func interpreterNotIndependent(_ *evaluation, p *domain.Participant) []domain.Finding {
	n := p.Need(domain.NeedLanguage)
	if n == nil || n.Status != domain.NeedArranged || n.Interpreter != domain.InterpreterFamilyMember {
		return nil
	}
	return one(finding(InterpreterNotIndependent, capitalise(whose(p.Relationship))+
		" interpreter is a family member or friend; procedures ask for an independent interpreter.", nil), p)
}

func kindRank(kind string) int {
	if i := slices.Index(domain.NeedKinds, kind); i >= 0 {
		return i
	}
	return len(domain.NeedKinds)
}

// notSpokenToSocialWorker fires while no conversation with the social
// worker is dated on or before the conference date. Authority: research.
func notSpokenToSocialWorker(e *evaluation, p *domain.Participant) []domain.Finding {
	if SpokenTo(p, "social_worker", e.date) {
		return nil
	}
	return one(finding(NotSpokenToSocialWorker, capitalise(who(p.Relationship))+
		" has no recorded conversation with the social worker before the conference.", nil), p)
}

// notSpokenToChair fires while no pre-meeting with the chair is dated on or
// before the conference date. Authority: research; LSCP procedures (the
// chair meets the family first).
func notSpokenToChair(e *evaluation, p *domain.Participant) []domain.Finding {
	if SpokenTo(p, "chair", e.date) {
		return nil
	}
	return one(finding(NotSpokenToChair, capitalise(who(p.Relationship))+
		" has no recorded pre-meeting with the chair.", nil), p)
}

// SpokenTo reports whether the participant has a conversation with the
// social worker or the chair (with) dated on or before the conference date.
// The insights count with it too.
func SpokenTo(p *domain.Participant, with string, conferenceDate domain.Date) bool {
	for _, c := range p.Contacts {
		if c.With == with && c.On != nil && !c.On.After(conferenceDate) {
			return true
		}
	}
	return false
}

// familyNotInformed fires until the participant has been told, on or
// before the conference date, who will attend and how the conference
// runs, and given the leaflet and the complaints and advocacy
// information. Authority: research ("I didn't even know who was in the
// meeting"); Wales Safeguarding Procedures, part 3 (c3pt2-p6).
func familyNotInformed(e *evaluation, p *domain.Participant) []domain.Finding {
	if p.InformedOn != nil && !p.InformedOn.After(e.date) {
		return nil
	}
	return one(finding(FamilyNotInformed, capitalise(who(p.Relationship))+
		" has not been told who will attend and how the conference will run, nor given the leaflet.", nil), p)
}

// advocacyNotOffered is an advisory for a participant owed the reports who
// has not been offered an advocate. Authority: Sussex 7.9; Wales
// Safeguarding Procedures (the active offer of advocacy).
func advocacyNotOffered(_ *evaluation, p *domain.Participant) []domain.Finding {
	if !p.OwedReports() || p.AdvocacyOfferedOn != nil {
		return nil
	}
	return one(finding(AdvocacyNotOffered, capitalise(who(p.Relationship))+
		" has not been offered an advocate.", nil), p)
}

// safetyArrangementMissing fires when a safety concern other than "none"
// has no arrangement that holds. Separate attendance holds; none needed
// holds, as validation makes it carry its reason; exclusion holds only
// once the participant is excluded with the chair's decision and grounds,
// and such a participant is not applicable, so this rule never sees them.
// An empty concern counts as none. Authority: research; LSCP exclusion
// procedures.
func safetyArrangementMissing(_ *evaluation, p *domain.Participant) []domain.Finding {
	s := p.Safety
	if s == nil || s.Concern == "" || s.Concern == "none" {
		return nil
	}
	switch s.Arrangement {
	case "separate_attendance", "none_needed":
		return nil
	case "exclusion":
		return one(finding(SafetyArrangementMissing, "A safety concern about "+who(p.Relationship)+
			" attending is to be met by exclusion, but the chair has not excluded them.", nil), p)
	}
	return one(finding(SafetyArrangementMissing, "A safety concern about "+who(p.Relationship)+
		" attending has no recorded arrangement.", nil), p)
}

// privateSpaceNotConfirmed fires for video or phone attendance without a
// confirmed private space. Authority: research (confidentiality and
// safety).
func privateSpaceNotConfirmed(_ *evaluation, p *domain.Participant) []domain.Finding {
	if !remote(p) || p.PrivateSpaceConfirmed {
		return nil
	}
	return one(finding(PrivateSpaceNotConfirmed, capitalise(who(p.Relationship))+
		" attends remotely and has not confirmed a private space where no child can overhear.", nil), p)
}

// technologyNotChecked fires for video attendance without a technology
// check. Authority: research (technology problems).
func technologyNotChecked(_ *evaluation, p *domain.Participant) []domain.Finding {
	if p.Attendance != domain.AttendanceVideo || p.TechnologyChecked {
		return nil
	}
	return one(finding(TechnologyNotChecked, capitalise(who(p.Relationship))+
		" attends by video and the technology has not been checked.", nil), p)
}

// phoneOnlyAttendance is an advisory, on only when the policy asks, for a
// parent or carer joining by phone. Authority: research (phone attendance
// hurt participation).
func phoneOnlyAttendance(e *evaluation, p *domain.Participant) []domain.Finding {
	if !e.p.PhoneOnlyAttendance || p.Attendance != domain.AttendancePhone || !isParent(p.Relationship) {
		return nil
	}
	return one(finding(PhoneOnlyAttendance, capitalise(who(p.Relationship))+
		" joins by phone only; consider video or in-person attendance.", nil), p)
}

func remote(p *domain.Participant) bool {
	return p.Attendance == domain.AttendanceVideo || p.Attendance == domain.AttendancePhone
}

func isParent(relationship string) bool {
	switch relationship {
	case "mother", "father", "parent", "step_parent", "carer":
		return true
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
