package web

import (
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// agenciesView is the agencies and quorum page: the professionals invited
// to the conference, and the findings about quorum and agencies' reports.
type agenciesView struct {
	*conferenceView
	Findings []domain.Finding
	Forms    map[string]*form
	Agencies []string
	// Confirmed lists the agencies with a professional who confirmed.
	Confirmed []string
	// MayAdd, MayChange and MayRemove come from the permission table.
	MayAdd, MayChange, MayRemove bool
}

func (s *Server) professionalsPath(r *http.Request) string {
	return "/conferences/" + r.PathValue("id") + "/professionals"
}

func (s *Server) handleProfessionals(w http.ResponseWriter, r *http.Request, u user) {
	s.showProfessionals(w, r, u, nil, http.StatusOK)
}

func (s *Server) showProfessionals(w http.ResponseWriter, r *http.Request, u user, override map[string]*form, status int) {
	cv, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &agenciesView{conferenceView: cv, Findings: cv.PartFindings(partAgencies), Agencies: domain.Agencies,
		Forms:  map[string]*form{"professional": professionalForm(cv.Conf.Version, domain.ProfessionalFields{Attendance: domain.ProfessionalInvited}.WithDefaults())},
		MayAdd: auth.Allowed("addProfessional", u.Role), MayChange: auth.Allowed("updateProfessional", u.Role), MayRemove: auth.Allowed("deleteProfessional", u.Role)}
	for _, p := range cv.Conf.Professionals {
		v.Forms["professional-"+p.ID] = professionalForm(cv.Conf.Version, p.ProfessionalFields)
		v.Forms["remove-"+p.ID] = newForm(cv.Conf.Version)
		if p.Attendance == domain.ProfessionalConfirmed && !slices.Contains(v.Confirmed, p.Agency) {
			v.Confirmed = append(v.Confirmed, p.Agency)
		}
	}
	merge(v.Forms, override)
	pg := &page{Title: "Agencies and quorum", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"), Data: v}
	pg.Errors, pg.Conflict = summary(override)
	s.render(w, r, status, "professionals", pg)
}

// professionalForm fills a professional's form from stored fields.
func professionalForm(version int, p domain.ProfessionalFields) *form {
	f := newForm(version)
	f.Values["agency"], f.Values["name"], f.Values["role"], f.Values["attendance"] = p.Agency, p.Name, p.Role, p.Attendance
	f.Values["report_expected"] = "yes"
	if p.ReportExpected != nil && !*p.ReportExpected {
		f.Values["report_expected"] = "no"
	}
	return f
}

// readProfessional reads a professional's fields from the form, with the
// domain's defaults, and checks them.
func readProfessional(r *http.Request) (*form, domain.ProfessionalFields, error) {
	f := readForm(r, "agency", "name", "role", "attendance", "report_expected")
	pf := domain.ProfessionalFields{Agency: f.V("agency"), Name: f.V("name"), Role: f.V("role"), Attendance: f.V("attendance")}
	switch f.V("report_expected") {
	case "yes":
		pf.ReportExpected = ptrTo(true)
	case "no":
		pf.ReportExpected = ptrTo(false)
	}
	pf = pf.WithDefaults()
	return f, pf, pf.Validate()
}

func ptrTo[T any](v T) *T { return &v }

func (s *Server) handleAddProfessional(w http.ResponseWriter, r *http.Request, u user) {
	f, pf, invalid := readProfessional(r)
	id := uuid.NewString()
	s.submit(w, r, u, submission{operation: "addProfessional", name: "professional", form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.AddProfessional(id, pf)
			return ch, err
		}, done: s.professionalsPath(r), flash: "Professional added"}, s.showProfessionals)
}

func (s *Server) handleChangeProfessional(w http.ResponseWriter, r *http.Request, u user) {
	id := r.PathValue("prof")
	f, pf, invalid := readProfessional(r)
	s.submit(w, r, u, submission{operation: "updateProfessional", name: "professional-" + id, form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.UpdateProfessional(id, pf)
			return ch, err
		}, done: s.professionalsPath(r) + "#professional-" + id, flash: "Professional changed"}, s.showProfessionals)
}

func (s *Server) handleRemoveProfessional(w http.ResponseWriter, r *http.Request, u user) {
	id := r.PathValue("prof")
	s.submit(w, r, u, submission{operation: "deleteProfessional", name: "remove-" + id, form: readForm(r),
		mutation: func(c *domain.Conference) (domain.Change, error) { return c.RemoveProfessional(id) },
		done:     s.professionalsPath(r), flash: "Professional removed"}, s.showProfessionals)
}

// HasFinding reports whether a finding with the code is outstanding.
func (v *agenciesView) HasFinding(code string) bool {
	return slices.ContainsFunc(v.Findings, func(f domain.Finding) bool { return f.Code == code })
}
