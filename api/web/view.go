package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// page is what every template gets.
type page struct {
	// Title is the page's title: never family data.
	Title      string
	User       *user
	Back       string
	SignInPath string
	// Errors lead the page in an error summary; Conflict says the save
	// lost a race with someone else's.
	Errors   []fieldError
	Conflict bool
	Saved    string
	// Section is the part of the service navigation the page is in.
	Section string
	Data    any
}

// Sections of the service navigation.
const (
	sectionConferences = ""
	sectionInsights    = "insights"
)

type fieldError struct{ ID, Message string }

// form is one form's values and errors, so that a refused save shows what
// was typed.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Version int
	// Current holds the saved values when a save met someone else's.
	Current  []savedValue
	Conflict bool
}

func newForm(version int) *form {
	return &form{Values: map[string]string{}, Errors: map[string]string{}, Version: version}
}

// V is the value of a field.
func (f *form) V(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Err is a field's error message.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Checked reports whether a radio or checkbox field holds value.
func (f *form) Checked(name, value string) bool { return f.V(name) == value }

func itoa(n int) string { return strconv.Itoa(n) }

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"date":       formatDate,
		"datetime":   formatDateTime,
		"instant":    formatInstant,
		"label":      label,
		"needName":   needName,
		"roleWords":  func(r domain.Role) string { return roleWords(r) },
		"may":        func(u *user, op string) bool { return u != nil && auth.Allowed(op, u.Role) },
		"mayChair":   func(u *user) bool { return u != nil && auth.MayRecordChairContact(u.Role) },
		"add":        func(a, b int) int { return a + b },
		"list":       func(s ...string) []string { return s },
		"dict":       dict,
		"fieldID":    func(prefix, field string) string { return prefix + "-" + strings.ReplaceAll(field, ".", "-") },
		"lower":      strings.ToLower,
		"needKinds":  func() []string { return domain.NeedKinds },
		"hasPrefix":  strings.HasPrefix,
		"fieldLabel": fieldLabel,
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

// dict builds a map for passing several values to a sub-template.
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}

// render writes a page, buffering it so that a template error is a clean
// 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.User == nil {
		if u, ok := s.currentUser(r); ok {
			p.User = &u
		}
	}
	if p.SignInPath == "" {
		p.SignInPath = s.signInPath()
	}
	var buf bytes.Buffer
	t := s.pages[name]
	if t == nil {
		t = s.pages["status"]
	}
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("template failed", slog.String("template", name), slog.String("error_type", "template"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Sorry, there is a problem with the service.\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// statusPage is the text of an error page.
type statusPage struct {
	Status  int
	Heading string
	Body    string
}

var statusPages = map[int]statusPage{
	http.StatusBadRequest:            {Heading: "Sorry, that request could not be used", Body: "Go back and try again."},
	http.StatusUnauthorized:          {Heading: "Sorry, you could not be signed in", Body: "Try signing in again. If it keeps happening, contact your service desk."},
	http.StatusForbidden:             {Heading: "You cannot do this", Body: "Your role does not allow this, or the form came from another website. Nothing was changed."},
	http.StatusRequestEntityTooLarge: {Heading: "Sorry, that was too much to send", Body: "Go back and shorten what you typed. Nothing was saved."},
	http.StatusNotFound:              {Heading: "Page not found", Body: "If you typed the web address, check it is correct. The conference may belong to another organisation."},
	http.StatusInternalServerError:   {Heading: "Sorry, there is a problem with the service", Body: "Try again later. Nothing you saw as saved has been lost."},
	http.StatusServiceUnavailable:    {Heading: "Sorry, the service is unavailable", Body: "Try again in a few minutes."},
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int) {
	sp, ok := statusPages[status]
	if !ok {
		sp = statusPages[http.StatusInternalServerError]
	}
	sp.Status = status
	s.render(w, r, status, "status", &page{Title: sp.Heading, Data: sp})
}

// Labels for coded values, in the words people use.
var labels = map[string]string{
	"initial": "Initial", "review": "Review", "pre_birth": "Pre-birth", "transfer_in": "Transfer-in",
	"in_person": "In person", "video": "Video", "phone": "Phone", "hybrid": "Hybrid",
	"unknown": "Not known yet", "not_attending": "Not attending", "excluded": "Excluded",
	"scheduled": "Scheduled", "held": "Held", "postponed": "Postponed", "cancelled": "Cancelled",
	"mother": "Mother", "father": "Father", "parent": "Parent", "step_parent": "Step-parent", "carer": "Carer",
	"grandparent": "Grandparent", "sibling": "Sibling", "young_person": "Young person",
	"other_family": "Other family", "family_friend": "Family friend",
	"social_worker": "Social worker", "chair": "Chair", "manager": "Manager", "admin": "Administrator", "case_system": "Case system",
	"identified": "Identified", "arranged": "Arranged", "not_needed": "Not needed",
	"none": "None", "domestic_abuse": "Domestic abuse", "other": "Other",
	"separate_attendance": "Separate attendance", "exclusion": "Exclusion by the chair", "none_needed": "None needed",
	"social_care": "Social care", "police": "Police", "health": "Health", "education": "Education", "probation": "Probation",
	"attending": "Attending the conference", "written": "In writing", "advocate": "Through an advocate",
	"proceed": "Proceed", "postpone": "Postpone",
	"create": "Added", "update": "Changed", "delete": "Removed", "read": "Viewed",
	"blocker": "Blocker", "advisory": "Advisory",
	"written_only": "In writing only", "spoken": "Spoken account", "easy_read": "Easy read",
	"invited": "Invited, not confirmed", "confirmed": "Confirmed", "declined": "Declined", "yes": "Yes", "no": "No",
	"professional": "A professional interpreter", "family_member": "A family member or friend",
	"shared": "Shared", "withheld": "Withheld", "not_applicable": "Not applicable: their views cannot be had",
}

func label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return strings.ReplaceAll(code, "_", " ")
}

// needNames are the legends of the need radio groups.
var needNames = map[string]string{
	"technology": "Technology", "childcare": "Childcare", "language": "Language",
	"learning_difficulty": "Learning difficulty", "communication": "Communication", "advocacy": "Advocacy",
	"transport": "Transport", "accessibility": "Accessibility",
}

func needName(kind string) string {
	if n, ok := needNames[kind]; ok {
		return n
	}
	return label(kind)
}

// needHasLanguage says which needs name a language.
func needHasLanguage(kind string) bool { return kind == "language" }

func roleWords(r domain.Role) string { return strings.ReplaceAll(string(r), "_", " ") }

func formatDate(v any) string {
	switch d := v.(type) {
	case domain.Date:
		if d.IsZero() {
			return ""
		}
		return d.Time().Format("2 January 2006")
	case *domain.Date:
		if d == nil {
			return ""
		}
		return d.Time().Format("2 January 2006")
	}
	return ""
}

func formatDateTime(ts domain.Timestamp) string {
	return ts.In(domain.London).Format("Mon 2 Jan 2006, 3:04pm")
}

func formatInstant(t time.Time) string { return t.In(domain.London).Format("2 Jan 2006, 3:04pm") }
