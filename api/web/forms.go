package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// showFunc shows a page again with one of its forms as submitted.
type showFunc func(w http.ResponseWriter, r *http.Request, u user, override map[string]*form, status int)

// submission is one form's save: the operation the permission table
// knows it by, the form as read, and the change to make.
type submission struct {
	operation string
	name      string // the form's name on its page, and its fields' id prefix
	form      *form
	invalid   error // from checking the input before any write
	mutation  domain.Mutation
	done      string // where to go after saving
	flash     string
}

// submit saves a form through the store's one write path, or shows the
// page again: with the errors for bad input, or with the current values
// when someone else saved first. Nothing typed is lost either way.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, u user, sub submission, show showFunc) {
	if !s.allowed(w, r, u, sub.operation) {
		return
	}
	err := sub.invalid
	if err == nil {
		version := sub.form.Version
		_, err = s.db.UpdateConference(r.Context(), u.Principal, r.PathValue("id"), &version, sub.mutation)
	}
	switch {
	case err == nil:
	case domain.ErrorKind(err) == domain.EINVALID:
		if err != errReadForm {
			sub.form.addErrors(err)
		}
		show(w, r, u, map[string]*form{sub.name: sub.form}, http.StatusUnprocessableEntity)
		return
	case domain.ErrorKind(err) == domain.EPRECONDITION:
		sub.form.Conflict = true
		show(w, r, u, map[string]*form{sub.name: sub.form}, http.StatusConflict)
		return
	default:
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", sub.flash)
	http.Redirect(w, r, sub.done, http.StatusSeeOther)
}

// addErrors files a domain error's field errors under the form's fields;
// an error that names no field is filed under "".
func (f *form) addErrors(err error) {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		f.Errors[""] = domain.ErrorMessage(err)
		return
	}
	for _, fe := range de.Fields {
		if _, seen := f.Errors[fe.Field]; !seen {
			f.Errors[fe.Field] = fieldLabel(fe.Field) + " " + fe.Message
		}
	}
}

var fieldLabels = map[string]string{
	"attendance": "How they will attend", "private_space_confirmed": "Private space confirmed", "technology_checked": "Technology checked", "needs_assessed_on": "The date needs were assessed",
	"status": "The need's status", "detail": "Detail", "language": "Language", "kind": "The need",
	"with": "Who the conversation was with", "on": "The date of the conversation", "method": "How the conversation was held",
	"safety.concern": "The safety concern", "safety.arrangement": "The arrangement", "safety.note": "The safety note",
	"exclusion.decided_by_chair_on": "The date of the chair's decision", "exclusion.grounds": "The grounds",
	"agency": "The agency", "title": "The title", "received_on": "The date received",
	"participant_id": "The family member", "shared_on": "The date shared", "reason": "The reason",
	"chair_agreed_on": "The date the chair agreed", "format": "The format",
	"means": "How the child's views reach the conference", "recorded_on": "The date recorded",
	"decision": "The decision", "note": "The note",
	"format_note": "What form it was", "shared_with_chair_on": "The date it reached the chair",
	"name": "The name", "role": "The role", "report_expected": "Whether a report is expected",
	"interpreter": "Who interprets", "invited": "Whether they are invited", "parental_responsibility": "Parental responsibility",
	"informed_on": "The date they were informed", "advocacy_offered_on": "The date advocacy was offered",
}

func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return "This"
}

// summary lists a page's form errors for the error summary, each linked
// to its field.
func summary(forms map[string]*form) (out []fieldError, conflict bool) {
	for name, f := range forms {
		if f == nil {
			continue
		}
		conflict = conflict || f.Conflict
		for field, msg := range f.Errors {
			id := name + "-" + strings.ReplaceAll(field, ".", "-")
			if field == "" {
				id = name + "-form"
			}
			out = append(out, fieldError{ID: id, Message: msg})
		}
	}
	return out, conflict
}

// readForm reads the posted fields named into a form, with the version
// the page was read at.
func readForm(r *http.Request, fields ...string) *form {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	f := newForm(v)
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	return f
}

// readDate reads a GOV.UK date input (day, month and year fields) into
// the form, and returns the date, nil when all three are blank.
func (f *form) readDate(r *http.Request, name string) *domain.Date {
	day, month, year := strings.TrimSpace(r.PostFormValue(name+"-day")), strings.TrimSpace(r.PostFormValue(name+"-month")), strings.TrimSpace(r.PostFormValue(name+"-year"))
	f.Values[name+"-day"], f.Values[name+"-month"], f.Values[name+"-year"] = day, month, year
	if day == "" && month == "" && year == "" {
		return nil
	}
	d, err := parseDayMonthYear(day, month, year)
	if err != nil {
		f.Errors[name] = fieldLabel(name) + " must be a real date, for example 27 3 2026"
		return nil
	}
	return &d
}

func parseDayMonthYear(day, month, year string) (domain.Date, error) {
	dd, e1 := strconv.Atoi(day)
	mm, e2 := strconv.Atoi(month)
	yy, e3 := strconv.Atoi(year)
	if e1 != nil || e2 != nil || e3 != nil || yy < 1900 || yy > 2200 {
		return domain.Date{}, errors.New("not a date")
	}
	return domain.ParseDate(strconv.Itoa(yy) + "-" + pad2(mm) + "-" + pad2(dd))
}

func pad2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// putDate fills a date input's fields from a stored date.
func (f *form) putDate(name string, d *domain.Date) {
	if d == nil {
		return
	}
	t := d.Time()
	f.Values[name+"-day"], f.Values[name+"-month"], f.Values[name+"-year"] = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
}

// invalidIfErrors turns errors found while reading a form into a domain
// error, so that they are shown as the domain's are.
func (f *form) invalidIfErrors() error {
	if len(f.Errors) == 0 {
		return nil
	}
	return errReadForm
}

var errReadForm = domain.Invalid()

// merge shows the form as submitted over the page's own forms, keeping
// the saved values beside it when the save met someone else's.
func merge(forms, override map[string]*form) {
	for name, f := range override {
		if current, ok := forms[name]; ok && f.Conflict {
			f.Current = savedValues(current.Values)
			f.Version = current.Version
		}
		forms[name] = f
	}
}

// savedValue is one saved field, in words, shown beside a form whose save
// met someone else's.
type savedValue struct{ Label, Value string }

func savedValues(values map[string]string) []savedValue {
	var out []savedValue
	for _, k := range slices.Sorted(maps.Keys(values)) {
		v := values[k]
		switch {
		case strings.HasSuffix(k, "-month"), strings.HasSuffix(k, "-year"):
			continue
		case strings.HasSuffix(k, "-day"):
			base := strings.TrimSuffix(k, "-day")
			if d, err := parseDayMonthYear(v, values[base+"-month"], values[base+"-year"]); err == nil {
				out = append(out, savedValue{fieldLabel(base), formatDate(d)})
			}
			continue
		case v == "on":
			v = "yes"
		}
		if v != "" {
			out = append(out, savedValue{fieldLabel(k), label(v)})
		}
	}
	return out
}
