package api

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/edit"
	"github.com/cpcready/cpcready/internal/store"
)

// createConferenceBody is a conference as a case system creates it in one
// call: its fields and, optionally, its family members with their needs,
// its reports with their shares, and the professionals invited. Nested parts name each other by the
// case system's person_ref, since none has an id yet.
type createConferenceBody struct {
	domain.ConferenceFields
	Participants  []newParticipant            `json:"participants,omitempty"`
	Reports       []newReport                 `json:"reports,omitempty"`
	Professionals []domain.ProfessionalFields `json:"professionals,omitempty"`
}

type newParticipant struct {
	domain.ParticipantFields
	Needs []domain.Need `json:"needs,omitempty"`
}

type newReport struct {
	reportBody
	Shares []newShare `json:"shares,omitempty"`
}

type newShare struct {
	PersonRef string `json:"person_ref"`
	ShareFields
}

// parts validates the whole body and builds the nested parts with fresh
// ids. Every problem is reported at once, each with its path into the
// body (participants[1].needs[0].language), and nothing is written unless
// all of it is valid.
func (b *createConferenceBody) parts(today domain.Date) (store.Parts, error) {
	var fields []domain.FieldError
	add := func(prefix string, err error) {
		fields = append(fields, prefixed(prefix, err)...)
	}
	if err := b.ConferenceFields.Validate(today); err != nil {
		add("", err)
	}
	if len(b.Participants) > domain.MaxParticipants {
		fields = append(fields, domain.FieldError{Field: "participants", Message: fmt.Sprintf("must have at most %d members", domain.MaxParticipants)})
	}
	if len(b.Reports) > domain.MaxReports {
		fields = append(fields, domain.FieldError{Field: "reports", Message: fmt.Sprintf("must have at most %d reports", domain.MaxReports)})
	}
	participants := make([]domain.Participant, 0, len(b.Participants))
	byRef := map[string]string{}
	for i, np := range b.Participants {
		at := fmt.Sprintf("participants[%d]", i)
		f := np.ParticipantFields
		if err := f.Validate(today); err != nil {
			add(at, err)
		}
		p := domain.Participant{ID: uuid.NewString(), ParticipantFields: f, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
		if f.PersonRef != "" {
			if _, dup := byRef[f.PersonRef]; dup {
				fields = append(fields, domain.FieldError{Field: at + ".person_ref", Message: "is already used by another participant in this conference"})
			}
			byRef[f.PersonRef] = p.ID
		}
		seen := map[string]bool{}
		for j, nn := range np.Needs {
			nat := fmt.Sprintf("%s.needs[%d]", at, j)
			n := nn
			switch {
			case !domain.IsNeedKind(n.Kind):
				fields = append(fields, domain.FieldError{Field: nat + ".kind", Message: "is not a known kind of need"})
			case seen[n.Kind]:
				fields = append(fields, domain.FieldError{Field: nat + ".kind", Message: "is given twice for this participant"})
			}
			seen[n.Kind] = true
			if err := n.Validate(); err != nil {
				add(nat, err)
			}
			p.Needs = append(p.Needs, n)
		}
		participants = append(participants, p)
	}
	reports := make([]domain.Report, 0, len(b.Reports))
	for i, nr := range b.Reports {
		at := fmt.Sprintf("reports[%d]", i)
		r, err := edit.NewReport(nr.reportBody, today)
		if err != nil {
			add(at, err)
		}
		if len(nr.Shares) > domain.MaxShares {
			fields = append(fields, domain.FieldError{Field: at + ".shares", Message: fmt.Sprintf("must have at most %d shares", domain.MaxShares)})
		}
		for j, ns := range nr.Shares {
			sat := fmt.Sprintf("%s.shares[%d]", at, j)
			pid, found := byRef[ns.PersonRef]
			if !found {
				fields = append(fields, domain.FieldError{Field: sat + ".person_ref", Message: "names no participant of this conference"})
				pid = uuid.Nil.String() // a placeholder, so the share's other checks still run
			}
			sh := ns.share(pid)
			if err := sh.Validate(today); err != nil {
				add(sat, err)
			}
			r.Shares = append(r.Shares, sh)
		}
		reports = append(reports, r)
	}
	if len(b.Professionals) > domain.MaxProfessionals {
		fields = append(fields, domain.FieldError{Field: "professionals", Message: fmt.Sprintf("must have at most %d professionals", domain.MaxProfessionals)})
	}
	professionals := make([]domain.Professional, 0, len(b.Professionals))
	for i, pf := range b.Professionals {
		pf = pf.WithDefaults()
		if err := pf.Validate(); err != nil {
			add(fmt.Sprintf("professionals[%d]", i), err)
		}
		professionals = append(professionals, domain.Professional{ID: uuid.NewString(), ProfessionalFields: pf})
	}
	if len(fields) > 0 {
		return store.Parts{}, domain.Invalid(fields...)
	}
	return store.Parts{Participants: participants, Reports: reports, Professionals: professionals}, nil
}

// prefixed puts a nested part's path in front of its field errors.
func prefixed(prefix string, err error) []domain.FieldError {
	var e *domain.Error
	if !errors.As(err, &e) {
		return []domain.FieldError{{Field: prefix, Message: "is not valid"}}
	}
	if len(e.Fields) == 0 {
		return []domain.FieldError{{Field: prefix, Message: e.Message}}
	}
	out := make([]domain.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
		if prefix != "" {
			out[i].Field = prefix + "." + f.Field
		}
	}
	return out
}
