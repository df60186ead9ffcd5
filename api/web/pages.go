package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
)

// homeView is the list of upcoming conferences.
type homeView struct {
	From, To                string
	NotReady, Overdue, Mine bool
	MayFilterMine           bool
	Items                   []domain.Conference
	NextPage                string
	Errors                  map[string]string
}

// homePageSize is how many conferences a page of the list shows.
const homePageSize = 25

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, u user) {
	q := r.URL.Query()
	today := domain.DateOf(s.db.Now())
	v := homeView{
		From: q.Get("from"), To: q.Get("to"),
		NotReady: q.Get("not_ready") == "on", Overdue: q.Get("overdue") == "on", Mine: q.Get("mine") == "on",
		MayFilterMine: (u.Role == domain.RoleChair || u.Role == domain.RoleSocialWorker) && u.StaffRef != "",
		Errors:        map[string]string{},
	}
	from, to := today, today.AddDays(14)
	if v.From == "" {
		v.From = from.String()
	} else if d, err := domain.ParseDate(v.From); err == nil {
		from = d
	} else {
		v.Errors["from"] = "The start date must be a real date"
	}
	if v.To == "" {
		v.To = to.String()
	} else if d, err := domain.ParseDate(v.To); err == nil {
		to = d
	} else {
		v.Errors["to"] = "The end date must be a real date"
	}
	p := &page{Title: "Upcoming conferences", Data: &v}
	for _, k := range []string{"from", "to"} {
		if msg, ok := v.Errors[k]; ok {
			p.Errors = append(p.Errors, fieldError{ID: "filter-" + k, Message: msg})
		}
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "home", p)
		return
	}
	start := londonMidnight(from)
	end := londonMidnight(to.AddDays(1))
	f := store.ConferenceFilter{From: &start, To: &end, Limit: homePageSize, Cursor: q.Get("page")}
	if v.NotReady {
		f.Readiness = domain.NotReady
	}
	if v.Overdue {
		yes := true
		f.Overdue = &yes
	}
	if v.Mine && v.MayFilterMine {
		if u.Role == domain.RoleChair {
			f.ChairRef = u.StaffRef
		} else {
			f.SocialWorkerRef = u.StaffRef
		}
	}
	items, next, err := s.db.ListConferences(r.Context(), u.Principal, f)
	if domain.ErrorKind(err) == domain.EINVALID {
		s.renderStatus(w, r, http.StatusBadRequest)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Items = items
	if next != "" {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("page", next)
		v.NextPage = "/?" + nq.Encode()
	}
	s.render(w, r, http.StatusOK, "home", p)
}

func londonMidnight(d domain.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.London)
}

// findingGroup is the findings about one part of a conference.
type findingGroup struct {
	Heading  string
	Link     string
	Findings []domain.Finding
}

// conferenceView is a conference with its readiness as it stands.
type conferenceView struct {
	Conf      *domain.Conference
	Readiness domain.ReadinessResult
	Groups    []findingGroup
	Parts     []part
	// byPart holds the findings by the part of the conference they
	// concern (the part* keys, or "p:" and a family member's id).
	byPart map[string][]domain.Finding
}

// The parts of a conference that have a page of their own.
const (
	partConference = "conference"
	partAgencies   = "agencies"
	partReports    = "reports"
	partChildren   = "children"
)

// PartFindings are the findings about one part of the conference.
func (v *conferenceView) PartFindings(key string) []domain.Finding { return v.byPart[key] }

// part is one entry of the conference's task list.
type part struct {
	Name, Link  string
	Outstanding int
}

// loadConference reads a conference with its readiness, audited as one
// read.
func (s *Server) loadConference(r *http.Request, u user) (*conferenceView, error) {
	conf, res, err := s.db.ConferenceReadiness(r.Context(), u.Principal, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	v := &conferenceView{Conf: conf, Readiness: res}
	v.group()
	return v, nil
}

// partOf says which part of the conference a finding is about: where it
// is put right.
func partOf(f domain.Finding) string {
	switch {
	// A report's findings name the family member it is owed to too;
	// they are listed with the reports, where they are put right.
	case f.ReportID != "" || f.Code == readiness.SocialWorkerReportMissing:
		return partReports
	// An agency's missing report is put right by a report, or by saying
	// on the agencies page that none is expected.
	case f.Code == readiness.QuorumNotConfirmed || f.Code == readiness.AgencyReportMissing:
		return partAgencies
	case f.ParticipantID != "":
		return "p:" + f.ParticipantID
	case f.ChildRef != "":
		return partChildren
	}
	return partConference
}

// group sorts the findings by the part of the conference they concern,
// in the order of the task list: family members, agencies, reports,
// children.
func (v *conferenceView) group() {
	base := "/conferences/" + v.Conf.ID
	v.byPart = map[string][]domain.Finding{}
	for _, f := range v.Readiness.Findings {
		k := partOf(f)
		v.byPart[k] = append(v.byPart[k], f)
	}
	add := func(key, heading, link string) {
		v.Parts = append(v.Parts, part{Name: heading, Link: link, Outstanding: blockers(v.byPart[key])})
		if len(v.byPart[key]) > 0 {
			v.Groups = append(v.Groups, findingGroup{Heading: heading, Link: link, Findings: v.byPart[key]})
		}
	}
	if fs := v.byPart[partConference]; len(fs) > 0 {
		v.Groups = append(v.Groups, findingGroup{Heading: "The conference", Findings: fs})
	}
	for _, p := range v.Conf.Participants {
		add("p:"+p.ID, p.DisplayName+" ("+label(p.Relationship)+")", base+"/participants/"+p.ID)
	}
	add(partAgencies, "Agencies and quorum", base+"/professionals")
	add(partReports, "Agencies' reports and sharing", base+"/reports")
	add(partChildren, "Children's views", base+"/children")
}

func blockers(fs []domain.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == domain.SeverityBlocker {
			n++
		}
	}
	return n
}

func (s *Server) handleConference(w http.ResponseWriter, r *http.Request, u user) {
	v, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "conference", &page{Title: "Conference", Back: "/", Saved: s.sessions.PopString(r.Context(), "flash"), Data: v})
}

func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request, u user) {
	v, err := s.loadConference(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "print", &page{Title: "Pre-conference pack", Back: "/conferences/" + v.Conf.ID, Data: []*conferenceView{v}})
}

// handlePrintPack prints the signed-in chair's (or everyone's) upcoming
// conferences, one to a page.
func (s *Server) handlePrintPack(w http.ResponseWriter, r *http.Request, u user) {
	today := domain.DateOf(s.db.Now())
	start, end := londonMidnight(today), londonMidnight(today.AddDays(15))
	f := store.ConferenceFilter{From: &start, To: &end, Limit: 50}
	if u.Role == domain.RoleChair && u.StaffRef != "" {
		f.ChairRef = u.StaffRef
	}
	confs, results, err := s.db.ListConferencesWhole(r.Context(), u.Principal, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views := make([]*conferenceView, len(confs))
	for i := range confs {
		views[i] = &conferenceView{Conf: &confs[i], Readiness: results[i]}
		views[i].group()
	}
	s.render(w, r, http.StatusOK, "print", &page{Title: "Pre-conference pack", Back: "/", Data: views})
}

// historyView is one page of a conference's audit trail.
type historyView struct {
	Conf     *domain.Conference
	Events   []audit.Event
	NextPage string
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request, u user) {
	conf, err := s.db.Conference(r.Context(), u.Principal, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hp := store.HistoryPage{Limit: 50, NewestFirst: true}
	if c := r.URL.Query().Get("after"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 1 {
			s.renderStatus(w, r, http.StatusBadRequest)
			return
		}
		hp.After = n
	}
	events, err := s.db.History(r.Context(), u.Principal, conf.ID, hp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := historyView{Conf: conf, Events: events}
	if len(events) == hp.Limit {
		v.NextPage = "/conferences/" + conf.ID + "/history?after=" + strconv.FormatInt(events[len(events)-1].ID, 10)
	}
	s.render(w, r, http.StatusOK, "history", &page{Title: "History", Back: "/conferences/" + conf.ID, Data: v})
}
