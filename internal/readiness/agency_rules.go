package readiness

import (
	"slices"

	"github.com/cpcready/cpcready/internal/domain"
)

// quorumNotConfirmed fires until a professional from children's social
// care and professionals from at least the policy's number of other
// agencies (default 2) have confirmed they will attend. Two professionals
// from one agency count once. Authority: London procedures and Sussex 7.8
// (quorum); the Standard Safeguarding Dataset's quorate field.
func quorumNotConfirmed(e *evaluation) []domain.Finding {
	confirmed := map[string]bool{}
	for _, p := range e.c.Professionals {
		if p.Attendance == domain.ProfessionalConfirmed {
			confirmed[p.Agency] = true
		}
	}
	others := len(confirmed)
	if confirmed[domain.AgencySocialCare] {
		others--
	}
	if confirmed[domain.AgencySocialCare] && others >= e.p.QuorumOtherAgencies {
		return nil
	}
	return []domain.Finding{finding(QuorumNotConfirmed,
		"The conference is not quorate: children's social care and at least "+itoa(e.p.QuorumOtherAgencies)+
			" other agencies must confirm they will attend ("+itoa(others)+" other agencies have).", nil)}
}

// agencyReportMissing is an advisory for each agency with a professional
// expected to report and no report from that agency, due when reports
// must reach the chair. Children's social care is left to
// SOCIAL_WORKER_REPORT_MISSING, a blocker. Authority: Sussex procedures
// (October 2025: agencies provide a report for every conference).
func agencyReportMissing(e *evaluation) []domain.Finding {
	var fs []domain.Finding
	for _, agency := range domain.Agencies[1:] {
		expected := slices.ContainsFunc(e.c.Professionals, func(p domain.Professional) bool {
			return p.Agency == agency && p.ExpectsReport()
		})
		reported := slices.ContainsFunc(e.c.Reports, func(r domain.Report) bool { return r.Agency == agency })
		if !expected || reported {
			continue
		}
		f := finding(AgencyReportMissing, capitalise(reportName(agency))+
			" is expected from an agency invited to the conference but has not been received.", &e.chairDue)
		f.Agency = agency
		fs = append(fs, f)
	}
	return fs
}

// reportNotWithChair fires for each report that has not reached the
// chair, due the policy's working days before the conference
// (chair_report_days; by default as for the family). Authority: Sussex
// 5.11.3; Bromley procedures.
func reportNotWithChair(e *evaluation, r *domain.Report) []domain.Finding {
	if r.SharedWithChairOn != nil {
		return nil
	}
	f := finding(ReportNotWithChair, capitalise(reportName(r.Agency))+" has not reached the chair.", &e.chairDue)
	f.ReportID = r.ID
	return []domain.Finding{f}
}
