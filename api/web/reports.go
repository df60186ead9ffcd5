package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// reportsView is the reports and sharing page.
type reportsView struct {
	*conferenceView
	Forms    map[string]*form
	Agencies []string
	// MayShare says whether the share form is shown: who may record a
	// report shared on a date, by the permission table's fields.
	MayShare bool
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request, u user) {
	s.showReports(w, r, u, nil, http.StatusOK)
}

func (s *Server) showReports(w http.ResponseWriter, r *http.Request, u user, override map[string]*form, status int) {
	cv, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &reportsView{conferenceView: cv, Forms: map[string]*form{"report": newForm(cv.Conf.Version)}, Agencies: domain.Agencies,
		MayShare: auth.Allowed("addShare", u.Role) && auth.FieldAllowed("addShare", "shared_on", u.Role)}
	for _, rep := range cv.Conf.Reports {
		f := newForm(cv.Conf.Version)
		f.Values["outcome"] = "shared"
		f.Values["language"] = "en"
		v.Forms["share-"+rep.ID] = f
	}
	merge(v.Forms, override)
	pg := &page{Title: "Reports and sharing", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"), Data: v}
	pg.Errors, pg.Conflict = summary(override)
	s.render(w, r, status, "reports", pg)
}

func (s *Server) handleSaveReport(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "agency", "title")
	in := domain.ReportFields{Agency: f.V("agency"), Title: f.V("title"), ReceivedOn: f.readDate(r, "received_on")}
	today := domain.DateOf(s.db.Now())
	invalid := f.invalidIfErrors()
	if invalid == nil {
		invalid = in.Validate(today)
	}
	id := uuid.NewString()
	s.submit(w, r, u, submission{operation: "addReport", name: "report", form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.AddReport(id, in, today)
			return ch, err
		}, done: "/conferences/" + r.PathValue("id") + "/reports", flash: "Report added"}, s.showReports)
}

func (s *Server) handleSaveShare(w http.ResponseWriter, r *http.Request, u user) {
	rid := r.PathValue("rid")
	f := readForm(r, "participant_id", "outcome", "language", "reason")
	sharedOn := f.readDate(r, "shared_on")
	sh := domain.Share{ID: uuid.NewString(), ParticipantID: f.V("participant_id")}
	if f.V("outcome") == "withheld" {
		sh.Withheld, sh.Reason = true, f.V("reason")
	} else {
		sh.SharedOn, sh.Language = sharedOn, f.V("language")
	}
	sh = sh.WithDefaults()
	today := domain.DateOf(s.db.Now())
	invalid := f.invalidIfErrors()
	if invalid == nil {
		invalid = sh.Validate(today)
	}
	if err := auth.MayWrite("addShare", u.Role, nil, sh); err != nil && auth.Allowed("addShare", u.Role) {
		s.renderStatus(w, r, http.StatusForbidden)
		return
	}
	s.submit(w, r, u, submission{operation: "addShare", name: "share-" + rid, form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.AddShare(rid, sh, today)
			return ch, err
		}, done: "/conferences/" + r.PathValue("id") + "/reports#report-" + rid, flash: "Sharing recorded"}, s.showReports)
}

// childrenView is the children's views page.
type childrenView struct {
	*conferenceView
	Forms map[string]*form
}

func (s *Server) handleChildren(w http.ResponseWriter, r *http.Request, u user) {
	s.showChildren(w, r, u, nil, http.StatusOK)
}

func (s *Server) showChildren(w http.ResponseWriter, r *http.Request, u user, override map[string]*form, status int) {
	cv, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &childrenView{conferenceView: cv, Forms: map[string]*form{}}
	for i, ch := range cv.Conf.Children {
		f := newForm(cv.Conf.Version)
		if ch.Views != nil {
			f.Values["means"] = ch.Views.Means
			f.putDate("recorded_on", ch.Views.RecordedOn)
			f.putDate("shared_on", ch.Views.SharedOn)
		}
		v.Forms["child-"+itoa(i)] = f
	}
	merge(v.Forms, override)
	pg := &page{Title: "Children's views", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"), Data: v}
	pg.Errors, pg.Conflict = summary(override)
	s.render(w, r, status, "children", pg)
}

// handleSaveChildViews takes the child by its place in the list, so that
// the case system's reference stays out of the address.
func (s *Server) handleSaveChildViews(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "child", "child_ref", "means")
	views := domain.ChildViews{Means: f.V("means"), RecordedOn: f.readDate(r, "recorded_on"), SharedOn: f.readDate(r, "shared_on")}
	today := domain.DateOf(s.db.Now())
	invalid := f.invalidIfErrors()
	if invalid == nil {
		invalid = views.Validate(today)
	}
	ref := f.V("child_ref")
	s.submit(w, r, u, submission{operation: "putChildViews", name: "child-" + f.V("child"), form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.RecordChildViews(ref, views, today)
			return ch, err
		}, done: "/conferences/" + r.PathValue("id") + "/children", flash: "Child's views saved"}, s.showChildren)
}

// checkView is the chair's check.
type checkView struct {
	*conferenceView
	Form   *form
	Checks []domain.ReadinessCheck
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request, u user) {
	s.showCheck(w, r, u, nil, http.StatusOK)
}

func (s *Server) showCheck(w http.ResponseWriter, r *http.Request, u user, f *form, status int) {
	cv, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	checks, err := s.db.ReadinessChecks(r.Context(), u.Principal, cv.Conf.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f == nil {
		f = newForm(cv.Conf.Version)
	}
	pg := &page{Title: "Chair's check", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"),
		Data: &checkView{conferenceView: cv, Form: f, Checks: checks}}
	pg.Errors, _ = summary(map[string]*form{"check": f})
	s.render(w, r, status, "check", pg)
}

func (s *Server) handleSaveCheck(w http.ResponseWriter, r *http.Request, u user) {
	if !s.allowed(w, r, u, "addReadinessCheck") {
		return
	}
	f := readForm(r, "decision", "note")
	_, err := s.db.AddReadinessCheck(r.Context(), u.Principal, r.PathValue("id"), domain.ReadinessCheck{Decision: f.V("decision"), Note: f.V("note")})
	if domain.ErrorKind(err) == domain.EINVALID {
		f.addErrors(err)
		s.showCheck(w, r, u, f, http.StatusUnprocessableEntity)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Decision recorded: "+label(f.V("decision")))
	http.Redirect(w, r, "/conferences/"+r.PathValue("id")+"/check", http.StatusSeeOther)
}
