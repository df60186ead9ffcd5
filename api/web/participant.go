package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// participantView is a family member's page.
type participantView struct {
	*conferenceView
	P        *domain.Participant
	Findings []domain.Finding
	Forms    map[string]*form
	Needs    []needRow
	// Which parts the role may change, from the permission table's
	// operations and fields.
	MayEditAttendance, MayEditPreparation, MayEditSafety, MayEditExclusion bool
}

type needRow struct {
	Kind, Name  string
	HasLanguage bool
	// Interpreters are who may interpret, for the language need.
	Interpreters []string
	Form         *form
}

// mayChange reports whether role may change the field of a family member,
// by the permission table's operation and field entries.
func mayChange(role domain.Role, field string) bool {
	return auth.Allowed("updateParticipant", role) && auth.FieldAllowed("updateParticipant", field, role)
}

func (s *Server) handleParticipant(w http.ResponseWriter, r *http.Request, u user) {
	s.showParticipant(w, r, u, nil, http.StatusOK)
}

func (s *Server) showParticipant(w http.ResponseWriter, r *http.Request, u user, override map[string]*form, status int) {
	cv, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := cv.Conf.Participant(r.PathValue("pid"))
	if p == nil {
		s.renderStatus(w, r, http.StatusNotFound)
		return
	}
	v := &participantView{conferenceView: cv, P: p, Forms: participantForms(cv.Conf, p),
		MayEditAttendance: mayChange(u.Role, "needs_assessed_on"), MayEditPreparation: mayChange(u.Role, "informed_on"), MayEditSafety: mayChange(u.Role, "safety.concern"), MayEditExclusion: mayChange(u.Role, "exclusion.grounds")}
	merge(v.Forms, override)
	for _, f := range cv.Readiness.Findings {
		if f.ParticipantID == p.ID {
			v.Findings = append(v.Findings, f)
		}
	}
	for _, kind := range domain.NeedKinds {
		row := needRow{Kind: kind, Name: needName(kind), HasLanguage: needHasLanguage(kind), Form: v.Forms["need-"+kind]}
		if row.HasLanguage {
			row.Interpreters = []string{domain.InterpreterProfessional, domain.InterpreterFamilyMember}
		}
		v.Needs = append(v.Needs, row)
	}
	pg := &page{Title: "Family member", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"), Data: v}
	pg.Errors, pg.Conflict = summary(override)
	s.render(w, r, status, "participant", pg)
}

// participantForms fills each form on the page from what is stored.
func participantForms(c *domain.Conference, p *domain.Participant) map[string]*form {
	forms := map[string]*form{}
	a := newForm(c.Version)
	a.Values["attendance"] = string(p.Attendance)
	a.putDate("needs_assessed_on", p.NeedsAssessedOn)
	a.Values["private_space_confirmed"] = onOff(p.PrivateSpaceConfirmed)
	a.Values["technology_checked"] = onOff(p.TechnologyChecked)
	forms["attendance"] = a
	pf := newForm(c.Version)
	pf.Values["invited"] = "no"
	if p.IsInvited() {
		pf.Values["invited"] = "yes"
	}
	pf.Values["parental_responsibility"] = onOff(p.ParentalResponsibility)
	pf.putDate("informed_on", p.InformedOn)
	pf.putDate("advocacy_offered_on", p.AdvocacyOfferedOn)
	forms["preparation"] = pf
	for _, kind := range domain.NeedKinds {
		f := newForm(c.Version)
		if n := p.Need(kind); n != nil {
			f.Values["status"], f.Values["detail"], f.Values["language"], f.Values["interpreter"] = n.Status, n.Detail, n.Language, n.Interpreter
		}
		forms["need-"+kind] = f
	}
	forms["contact"] = newForm(c.Version)
	sf := newForm(c.Version)
	if p.Safety != nil {
		sf.Values["safety.concern"], sf.Values["safety.arrangement"], sf.Values["safety.note"] = p.Safety.Concern, p.Safety.Arrangement, p.Safety.Note
	}
	sf.Values["excluded"] = "no"
	if p.Attendance == domain.AttendanceExcluded {
		sf.Values["excluded"] = "yes"
	}
	if p.Exclusion != nil {
		sf.putDate("exclusion.decided_by_chair_on", p.Exclusion.DecidedByChairOn)
		sf.Values["exclusion.grounds"] = p.Exclusion.Grounds
	}
	forms["safety"] = sf
	return forms
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

func (s *Server) participantPath(r *http.Request) string {
	return "/conferences/" + r.PathValue("id") + "/participants/" + r.PathValue("pid")
}

func (s *Server) handleSaveAttendance(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "attendance", "private_space_confirmed", "technology_checked")
	assessed := f.readDate(r, "needs_assessed_on")
	m := s.updateParticipant(r, u, func(next *domain.ParticipantFields) {
		next.Attendance = domain.Attendance(f.V("attendance"))
		next.NeedsAssessedOn = assessed
		next.PrivateSpaceConfirmed = f.V("private_space_confirmed") == "on"
		next.TechnologyChecked = f.V("technology_checked") == "on"
	})
	s.submit(w, r, u, submission{operation: "updateParticipant", name: "attendance", form: f, invalid: f.invalidIfErrors(),
		mutation: m, done: s.participantPath(r), flash: "Attendance and checks saved"}, s.showParticipant)
}

// handleSavePreparation records how the family member was prepared: the
// invitation, parental responsibility, and when they were informed and
// offered an advocate.
func (s *Server) handleSavePreparation(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "invited", "parental_responsibility")
	informed, offered := f.readDate(r, "informed_on"), f.readDate(r, "advocacy_offered_on")
	m := s.updateParticipant(r, u, func(next *domain.ParticipantFields) {
		switch f.V("invited") {
		case "yes":
			next.Invited = ptrTo(true)
		case "no":
			next.Invited = ptrTo(false)
		}
		next.ParentalResponsibility = f.V("parental_responsibility") == "on"
		next.InformedOn, next.AdvocacyOfferedOn = informed, offered
	})
	s.submit(w, r, u, submission{operation: "updateParticipant", name: "preparation", form: f, invalid: f.invalidIfErrors(),
		mutation: m, done: s.participantPath(r) + "#preparation", flash: "Preparation saved"}, s.showParticipant)
}

func (s *Server) handleSaveNeed(w http.ResponseWriter, r *http.Request, u user) {
	kind := r.PathValue("kind")
	f := readForm(r, "status", "detail", "language", "interpreter")
	n := domain.Need{Status: f.V("status"), Detail: f.V("detail"), Language: f.V("language"), Interpreter: f.V("interpreter")}
	if !needHasLanguage(kind) {
		n.Language, n.Interpreter = "", ""
	}
	if n.Status != domain.NeedArranged {
		// Who interprets is asked only once the need is arranged.
		n.Interpreter = ""
	}
	invalid := n.SetKind(kind)
	pid := r.PathValue("pid")
	s.submit(w, r, u, submission{operation: "putNeed", name: "need-" + kind, form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (domain.Change, error) { return c.PutNeed(pid, n) }, done: s.participantPath(r) + "#need-" + kind, flash: needName(kind) + " need saved"}, s.showParticipant)
}

func (s *Server) handleSaveContact(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "with", "method")
	on := f.readDate(r, "on")
	k := domain.Contact{ID: uuid.NewString(), With: f.V("with"), On: on, Method: f.V("method")}
	today := domain.DateOf(s.db.Now())
	invalid := f.invalidIfErrors()
	if invalid == nil {
		invalid = k.Validate(today)
	}
	if k.With == "chair" && !auth.MayRecordChairContact(u.Role) {
		s.renderStatus(w, r, http.StatusForbidden)
		return
	}
	pid := r.PathValue("pid")
	s.submit(w, r, u, submission{operation: "addContact", name: "contact", form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.AddContact(pid, k, today)
			return ch, err
		}, done: s.participantPath(r) + "#conversations", flash: "Conversation recorded"}, s.showParticipant)
}

func (s *Server) handleSaveSafety(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "safety.concern", "safety.arrangement", "safety.note", "excluded", "exclusion.grounds")
	decided := f.readDate(r, "exclusion.decided_by_chair_on")
	editSafety, editExclusion := mayChange(u.Role, "safety.concern"), mayChange(u.Role, "exclusion.grounds")
	// A form carrying a part the role is not shown was not made by the page.
	if (!editSafety && f.V("safety.concern")+f.V("safety.arrangement")+f.V("safety.note") != "") ||
		(!editExclusion && (decided != nil || f.V("exclusion.grounds")+f.V("excluded") != "")) {
		s.renderStatus(w, r, http.StatusForbidden)
		return
	}
	m := s.updateParticipant(r, u, func(next *domain.ParticipantFields) {
		// Only the parts the role is shown are taken from the form; the
		// field permissions refuse anything else in the store.
		if editSafety {
			next.Safety = nil
			if f.V("safety.concern") != "" || f.V("safety.arrangement") != "" || f.V("safety.note") != "" {
				next.Safety = &domain.Safety{Concern: f.V("safety.concern"), Arrangement: f.V("safety.arrangement"), Note: f.V("safety.note")}
			}
		}
		if editExclusion {
			// The chair's decision sets the attendance that follows from
			// it; taking it back leaves attendance to be asked again.
			switch {
			case f.V("excluded") == "yes":
				next.Attendance = domain.AttendanceExcluded
			case f.V("excluded") == "no" && next.Attendance == domain.AttendanceExcluded:
				next.Attendance = domain.AttendanceUnknown
			}
			next.Exclusion = nil
			if decided != nil || f.V("exclusion.grounds") != "" {
				next.Exclusion = &domain.Exclusion{DecidedByChairOn: decided, Grounds: f.V("exclusion.grounds")}
			}
		}
	})
	s.submit(w, r, u, submission{operation: "updateParticipant", name: "safety", form: f, invalid: f.invalidIfErrors(),
		mutation: m, done: s.participantPath(r) + "#safety", flash: "Safety and exclusion saved"}, s.showParticipant)
}

// updateParticipant is the change a form makes to the family member in
// the address: set changes a copy of their fields, and the field
// permissions of updateParticipant apply to the result, as in the API.
func (s *Server) updateParticipant(r *http.Request, u user, set func(next *domain.ParticipantFields)) domain.Mutation {
	pid, today := r.PathValue("pid"), domain.DateOf(s.db.Now())
	return auth.CheckFields("updateParticipant", u.Role, func(c *domain.Conference) (ch domain.Change, err error) {
		p, err := c.FindParticipant(pid)
		if err != nil {
			return ch, err
		}
		next := p.ParticipantFields
		set(&next)
		_, ch, err = c.UpdateParticipant(pid, next, today)
		return ch, err
	})
}
