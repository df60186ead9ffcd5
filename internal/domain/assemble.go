package domain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Assemble builds a new conference from whole, a conference with all its
// parts as a seeder or a one-call create has them, by adding each part
// through the method that adds it alone: the fields (NewConference), each
// child's views, each family member with their needs and contacts, each
// report with its shares, and each professional. So nothing is stored
// whole that would be refused part by part. Every part keeps its id.
//
// It returns the new conference and what each step changed, for the audit
// trail, the conference's creation first. Every refused part is named by
// its path (participants[1].needs[0].kind), and all are reported at once.
func Assemble(whole *Conference, today Date) (*Conference, []Change, error) {
	var (
		changes []Change
		fields  []FieldError
	)
	step := func(path string, ch Change, err error) bool {
		if err != nil {
			fields = append(fields, prefixed(path, err)...)
			return false
		}
		changes = append(changes, ch)
		return true
	}
	tooMany := func(path string, n, limit int, what string) int {
		if n > limit {
			fields = append(fields, FieldError{Field: path, Message: fmt.Sprintf("must have at most %d %s", limit, what)})
			return limit
		}
		return n
	}

	own := whole.Fields()
	c, ch, err := NewConference(whole.ID, own, today)
	if !step("", ch, err) {
		// Go on with the parts, so that their problems are reported too.
		c = &Conference{ID: whole.ID, ConferenceFields: own}
	}
	for i, child := range whole.Children {
		if child.Views != nil {
			_, ch, err := c.RecordChildViews(child.Ref, *child.Views, today)
			step(at("children", i)+".views", ch, err)
		}
	}

	for i := range tooMany("participants", len(whole.Participants), MaxParticipants, "members") {
		p, path := &whole.Participants[i], at("participants", i)
		_, ch, err := c.AddParticipant(p.ID, p.ParticipantFields, today)
		if !step(path, ch, err) {
			// Keep it, so that its needs and the shares made to it are
			// still checked; the conference is refused anyway.
			c.Participants = append(c.Participants, Participant{ID: p.ID, ParticipantFields: p.ParticipantFields})
		}
		for j, n := range p.Needs {
			needPath := path + "." + at("needs", j)
			if c.Participant(p.ID).Need(n.Kind) != nil {
				fields = append(fields, FieldError{Field: needPath + ".kind", Message: "is given twice for this participant"})
				continue
			}
			ch, err := c.PutNeed(p.ID, n)
			step(needPath, ch, err)
		}
		for j := range tooMany(path+".contacts", len(p.Contacts), MaxContacts, "contacts") {
			_, ch, err := c.AddContact(p.ID, p.Contacts[j], today)
			step(path+"."+at("contacts", j), ch, err)
		}
	}

	for i := range tooMany("reports", len(whole.Reports), MaxReports, "reports") {
		r, path := &whole.Reports[i], at("reports", i)
		_, ch, err := c.AddReport(r.ID, r.Fields(), today)
		if !step(path, ch, err) {
			c.Reports = append(c.Reports, Report{ID: r.ID}) // as for a participant
		}
		for j := range tooMany(path+".shares", len(r.Shares), MaxShares, "shares") {
			_, ch, err := c.AddShare(r.ID, r.Shares[j], today)
			step(path+"."+at("shares", j), ch, err)
		}
	}

	for i := range tooMany("professionals", len(whole.Professionals), MaxProfessionals, "professionals") {
		p := &whole.Professionals[i]
		_, ch, err := c.AddProfessional(p.ID, p.ProfessionalFields)
		step(at("professionals", i), ch, err)
	}

	if len(fields) > 0 {
		return nil, nil, Invalid(fields...)
	}
	return c, changes, nil
}

// mergeInvalid adds field errors to err, which is nil or invalid.
func mergeInvalid(err error, fields []FieldError) error {
	var e *Error
	if errors.As(err, &e) {
		return Invalid(append(fields, e.Fields...)...)
	}
	return Invalid(fields...)
}

// prefixed puts a part's path in front of the field errors of err.
func prefixed(prefix string, err error) []FieldError {
	var e *Error
	if !errors.As(err, &e) {
		return []FieldError{{Field: prefix, Message: "is not valid"}}
	}
	if len(e.Fields) == 0 {
		return []FieldError{{Field: prefix, Message: e.Message}}
	}
	out := make([]FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
		if prefix != "" {
			out[i].Field = prefix + "." + f.Field
		}
	}
	return out
}

// Draft is a new conference as a case system sends it in one call: its
// fields and, optionally, its family members with their needs, its reports
// with their shares, and the professionals invited. Shares name family
// members by the case system's person_ref, since none has an id yet.
type Draft struct {
	ConferenceFields
	Participants  []DraftParticipant   `json:"participants,omitempty"`
	Reports       []DraftReport        `json:"reports,omitempty"`
	Professionals []ProfessionalFields `json:"professionals,omitempty"`
}

// DraftParticipant is a family member in a Draft.
type DraftParticipant struct {
	ParticipantFields
	Needs []Need `json:"needs,omitempty"`
}

// DraftReport is a report in a Draft.
type DraftReport struct {
	ReportFields
	Shares []DraftShare `json:"shares,omitempty"`
}

// DraftShare is a share in a Draft, naming its family member by
// person_ref.
type DraftShare struct {
	PersonRef string `json:"person_ref"`
	ShareFields
}

// Conference gives every part of the draft a new id, resolves each
// share's person_ref, and assembles the result (Assemble), returning the
// changes that built it. A share whose person_ref names nobody is refused
// at that path, and so are children's views, which are not part of a
// create.
func (d *Draft) Conference(today Date) (*Conference, []Change, error) {
	whole := &Conference{ID: uuid.NewString(), ConferenceFields: d.ConferenceFields}
	byRef := map[string]string{}
	for _, dp := range d.Participants {
		p := Participant{ID: uuid.NewString(), ParticipantFields: dp.ParticipantFields, Needs: dp.Needs}
		if _, taken := byRef[p.PersonRef]; !taken && p.PersonRef != "" {
			byRef[p.PersonRef] = p.ID // a second one is refused by AddParticipant
		}
		whole.Participants = append(whole.Participants, p)
	}
	for _, dr := range d.Reports {
		r := Report{ID: uuid.NewString()}.setFields(dr.ReportFields)
		for _, ds := range dr.Shares {
			r.Shares = append(r.Shares, ds.Share(uuid.NewString(), byRef[ds.PersonRef]))
		}
		whole.Reports = append(whole.Reports, r)
	}
	for _, pf := range d.Professionals {
		whole.Professionals = append(whole.Professionals, Professional{ID: uuid.NewString(), ProfessionalFields: pf})
	}
	c, changes, err := Assemble(whole, today)
	if views := viewsGiven(d.Children); len(views) > 0 {
		c, err = nil, mergeInvalid(err, views)
	}
	var e *Error
	if errors.As(err, &e) {
		// A draft's shares have no participant_id but a person_ref: any
		// trouble with the one is trouble with the other.
		for i, f := range e.Fields {
			if strings.HasPrefix(f.Field, "reports[") && strings.HasSuffix(f.Field, ".participant_id") {
				e.Fields[i] = FieldError{Field: strings.TrimSuffix(f.Field, "participant_id") + "person_ref", Message: "names no participant of this conference"}
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return c, changes, nil
}
