package readiness

import (
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// reportFindings runs the sharing rules for one report and one applicable
// participant owed the reports (see domain.ParticipantFields.OwedReports).
// The due date is e.due: the policy's working days for the conference
// type before the conference date.
func reportFindings(e *evaluation, r *domain.Report, p *domain.Participant) []domain.Finding {
	var fs []domain.Finding
	fs = append(fs, reportNotShared(e, r, p)...)
	fs = append(fs, reportSharedLate(e, r, p)...)
	fs = append(fs, reportNotTranslated(e, r, p)...)
	fs = append(fs, reportNotAccessible(e, r, p)...)
	for i := range fs {
		fs[i].ParticipantID, fs[i].ReportID = p.ID, r.ID
	}
	return fs
}

func sharedWith(s *domain.Share, p *domain.Participant) bool {
	return s.ParticipantID == p.ID && !s.Withheld && s.SharedOn != nil
}

func withheldByChair(s *domain.Share, p *domain.Participant) bool {
	return s.ParticipantID == p.ID && s.Withheld && s.ChairAgreedOn != nil
}

// reportNotShared fires until a report is shared with the participant, or
// withheld with the chair's agreement. Due: the report deadline.
// Authority: LSCP procedures (Sussex 3/5 days; others 2).
func reportNotShared(e *evaluation, r *domain.Report, p *domain.Participant) []domain.Finding {
	withheld := false
	for i := range r.Shares {
		s := &r.Shares[i]
		if sharedWith(s, p) || withheldByChair(s, p) {
			return nil
		}
		withheld = withheld || (s.ParticipantID == p.ID && s.Withheld)
	}
	msg := capitalise(reportName(r.Agency)) + " has not been shared with " + who(p.Relationship) + "."
	if withheld {
		msg = capitalise(reportName(r.Agency)) + " is withheld from " + who(p.Relationship) +
			" without the chair's agreement."
	}
	return []domain.Finding{finding(ReportNotShared, msg, &e.due)}
}

// reportSharedLate is an advisory when the earliest share of the report
// with the participant is after the deadline; a share on the due date is on
// time. It is never overdue. Authority: as REPORT_NOT_SHARED.
func reportSharedLate(e *evaluation, r *domain.Report, p *domain.Participant) []domain.Finding {
	var first *domain.Date
	for i := range r.Shares {
		s := &r.Shares[i]
		if sharedWith(s, p) && (first == nil || s.SharedOn.Before(*first)) {
			first = s.SharedOn
		}
	}
	if first == nil || !first.After(e.due) {
		return nil
	}
	return []domain.Finding{finding(ReportSharedLate, capitalise(reportName(r.Agency))+
		" was shared with "+who(p.Relationship)+" on "+first.String()+", after it was due.", &e.due)}
}

// reportNotTranslated fires when a participant with a language need
// (not "not_needed") was sent a report, but no share of it is in the need's
// language. Languages compare case-insensitively; a share with no language
// is English. Due: the report deadline. Authority: LSCP procedures.
func reportNotTranslated(e *evaluation, r *domain.Report, p *domain.Participant) []domain.Finding {
	lang := interpreterLanguage(p)
	if lang == "" {
		return nil
	}
	shared := false
	for i := range r.Shares {
		s := &r.Shares[i]
		if !sharedWith(s, p) {
			continue
		}
		shared = true
		if strings.EqualFold(shareLanguage(s), lang) {
			return nil
		}
	}
	if !shared {
		return nil // REPORT_NOT_SHARED covers it
	}
	return []domain.Finding{finding(ReportNotTranslated, capitalise(reportName(r.Agency))+
		" was shared with "+who(p.Relationship)+" but not in the language they need.", &e.due)}
}

// interpreterLanguage returns the language of the participant's language
// need, or "" when there is none (or it names no language to check).
func interpreterLanguage(p *domain.Participant) string {
	n := p.Need(domain.NeedLanguage)
	if n == nil || n.Status == domain.NeedNotNeeded {
		return ""
	}
	return strings.TrimSpace(n.Language)
}

func shareLanguage(s *domain.Share) string {
	if s.Language == "" {
		return "en"
	}
	return s.Language
}

// reportNotAccessible fires when a participant with a learning-difficulty
// or communication need (identified or arranged) was sent a report only in
// writing: no share of it was spoken, easy read or another form. A report
// not shared at all is REPORT_NOT_SHARED's. Due: the report deadline.
// Authority: Sussex procedures (reports in a language or medium the
// family understands); Liverpool (a spoken account of the report).
func reportNotAccessible(e *evaluation, r *domain.Report, p *domain.Participant) []domain.Finding {
	if !needsAccessibleReports(p) {
		return nil
	}
	shared := false
	for i := range r.Shares {
		s := &r.Shares[i]
		if !sharedWith(s, p) {
			continue
		}
		shared = true
		if s.Accessible() {
			return nil
		}
	}
	if !shared {
		return nil
	}
	return []domain.Finding{finding(ReportNotAccessible, capitalise(reportName(r.Agency))+
		" reached "+who(p.Relationship)+" only in writing, though they have a learning or communication need.", &e.due)}
}

func needsAccessibleReports(p *domain.Participant) bool {
	for _, kind := range []string{"learning_difficulty", "communication"} {
		if n := p.Need(kind); n != nil && n.Status != domain.NeedNotNeeded {
			return true
		}
	}
	return false
}
