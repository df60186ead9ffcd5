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
	Formats  []string
	// By the permission table's fields: MayShare, whether the role may
	// record a report shared on a date; MayWithhold, a withholding;
	// MayAgree, the day the chair agreed to withhold; MayChange, a
	// report's own dates.
	MayShare, MayWithhold, MayAgree, MayChange bool
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
	mayAddShare := auth.Allowed("addShare", u.Role)
	v := &reportsView{conferenceView: cv, Forms: map[string]*form{"report": newForm(cv.Conf.Version)}, Agencies: domain.Agencies, Formats: domain.ShareFormats,
		MayShare:    mayAddShare && auth.FieldAllowed("addShare", "shared_on", u.Role),
		MayWithhold: mayAddShare && auth.FieldAllowed("addShare", "withheld", u.Role),
		MayAgree:    mayAddShare && auth.FieldAllowed("addShare", "chair_agreed_on", u.Role),
		MayChange:   auth.Allowed("updateReport", u.Role)}
	for _, rep := range cv.Conf.Reports {
		f := newForm(cv.Conf.Version)
		f.Values["outcome"] = "shared"
		if !v.MayShare {
			f.Values["outcome"] = "withheld"
		}
		f.Values["language"] = "en"
		f.Values["format"] = domain.FormatWritten
		v.Forms["share-"+rep.ID] = f
		rf := newForm(cv.Conf.Version)
		rf.putDate("received_on", rep.ReceivedOn)
		rf.putDate("shared_with_chair_on", rep.SharedWithChairOn)
		v.Forms["report-"+rep.ID] = rf
	}
	merge(v.Forms, override)
	pg := &page{Title: "Reports and sharing", Back: "/conferences/" + cv.Conf.ID, Saved: s.sessions.PopString(r.Context(), "flash"), Data: v}
	pg.Errors, pg.Conflict = summary(override)
	s.render(w, r, status, "reports", pg)
}

func (s *Server) reportsPath(r *http.Request) string {
	return "/conferences/" + r.PathValue("id") + "/reports"
}

func (s *Server) handleSaveReport(w http.ResponseWriter, r *http.Request, u user) {
	f := readForm(r, "agency", "title")
	in := domain.ReportFields{Agency: f.V("agency"), Title: f.V("title"), ReceivedOn: f.readDate(r, "received_on"), SharedWithChairOn: f.readDate(r, "shared_with_chair_on")}
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
		}, done: s.reportsPath(r), flash: "Report added"}, s.showReports)
}

// handleChangeReport records a report's dates found out later: when it was
// received and when it reached the chair. It is the API's
// PATCH /v1/conferences/{id}/reports/{rid}.
func (s *Server) handleChangeReport(w http.ResponseWriter, r *http.Request, u user) {
	rid, today := r.PathValue("rid"), domain.DateOf(s.db.Now())
	f := readForm(r)
	received, withChair := f.readDate(r, "received_on"), f.readDate(r, "shared_with_chair_on")
	s.submit(w, r, u, submission{operation: "updateReport", name: "report-" + rid, form: f, invalid: f.invalidIfErrors(),
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			rep, err := c.FindReport(rid)
			if err != nil {
				return ch, err
			}
			next := rep.Fields()
			next.ReceivedOn, next.SharedWithChairOn = received, withChair
			_, ch, err = c.UpdateReport(rid, next, today)
			return ch, err
		}, done: s.reportsPath(r) + "#report-" + rid, flash: "Report dates saved"}, s.showReports)
}

// sharePosted is a share as the API's body has it: whom it went to and
// what it says. The server gives it its id, so the field permissions are
// checked on this, as the API checks the body it was sent.
type sharePosted struct {
	ParticipantID string `json:"participant_id"`
	domain.ShareFields
}

func (s *Server) handleSaveShare(w http.ResponseWriter, r *http.Request, u user) {
	rid := r.PathValue("rid")
	f := readForm(r, "participant_id", "outcome", "language", "format", "format_note", "reason")
	sharedOn, agreedOn := f.readDate(r, "shared_on"), f.readDate(r, "chair_agreed_on")
	posted := sharePosted{ParticipantID: f.V("participant_id"), ShareFields: domain.ShareFields{ChairAgreedOn: agreedOn}}
	if f.V("outcome") == "withheld" {
		posted.Withheld, posted.Reason = true, f.V("reason")
	} else {
		posted.SharedOn, posted.Language, posted.Format, posted.FormatNote = sharedOn, f.V("language"), f.V("format"), f.V("format_note")
	}
	sh := posted.Share(uuid.NewString(), posted.ParticipantID)
	today := domain.DateOf(s.db.Now())
	invalid := f.invalidIfErrors()
	if invalid == nil {
		invalid = sh.Validate(today)
	}
	if err := auth.MayWrite("addShare", u.Role, nil, posted); err != nil && auth.Allowed("addShare", u.Role) {
		s.renderStatus(w, r, http.StatusForbidden)
		return
	}
	flash := "Sharing recorded"
	if sh.Withheld {
		flash = "Withholding recorded"
	}
	s.submit(w, r, u, submission{operation: "addShare", name: "share-" + rid, form: f, invalid: invalid,
		mutation: func(c *domain.Conference) (ch domain.Change, err error) {
			_, ch, err = c.AddShare(rid, sh, today)
			return ch, err
		}, done: s.reportsPath(r) + "#report-" + rid, flash: flash}, s.showReports)
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
			f.Values["means"], f.Values["reason"] = ch.Views.Means, ch.Views.Reason
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
	f := readForm(r, "child", "child_ref", "means", "reason")
	views := domain.ChildViews{Means: f.V("means"), Reason: f.V("reason"), RecordedOn: f.readDate(r, "recorded_on"), SharedOn: f.readDate(r, "shared_on")}
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
