// Package edit holds the changes people and case systems make to a
// conference, as store mutations. The API and the web pages both call
// these, so that a change is checked, applied and audited one way only.
package edit

import (
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// MayWrite refuses a write that sets or changes a field the role may not
// write in the operation: fields have roles as well as routes
// (auth.FieldPermissions). before is nil for a create.
func MayWrite(operation string, role domain.Role, before, after any) error {
	if _, ok := auth.FieldPermissions[operation]; !ok {
		return nil
	}
	changed, err := audit.Diff(before, after)
	if err != nil {
		return err
	}
	var refused []domain.FieldError
	for field := range changed {
		if !auth.FieldAllowed(operation, field, role) {
			refused = append(refused, domain.FieldError{Field: field, Message: "may not be set or changed by the " + string(role) + " role"})
		}
	}
	if len(refused) == 0 {
		return nil
	}
	sort.Slice(refused, func(i, j int) bool { return refused[i].Field < refused[j].Field })
	return &domain.Error{Kind: domain.EFORBIDDEN, Message: "the " + string(role) + " role may not write some of these fields", Fields: refused}
}

// findParticipant returns the participant or a not-found error.
func findParticipant(conf *domain.Conference, id string) (*domain.Participant, error) {
	if p := conf.Participant(id); p != nil {
		return p, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "participant not found")
}

// AddParticipant adds a family member with the given, already validated,
// fields; added receives the new participant.
func AddParticipant(f domain.ParticipantFields, added *domain.Participant) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		if len(conf.Participants) >= domain.MaxParticipants {
			return domain.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d family members", domain.MaxParticipants)
		}
		*added = domain.Participant{ID: uuid.NewString(), ParticipantFields: f, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
		conf.Participants = append(conf.Participants, *added)
		return domain.Change{Action: "create", Entity: "participant", EntityID: added.ID, After: &f}, nil
	}
}

// UpdateParticipant replaces a family member's fields with what next makes
// of the current ones, checked against today and against the fields role
// may write; updated receives the result.
func UpdateParticipant(pid string, today domain.Date, next func(before domain.ParticipantFields) (domain.ParticipantFields, error), role domain.Role, updated *domain.Participant) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		p, err := findParticipant(conf, pid)
		if err != nil {
			return domain.Change{}, err
		}
		before := p.ParticipantFields
		after, err := next(before)
		if err != nil {
			return domain.Change{}, err
		}
		if err := after.Validate(today); err != nil {
			return domain.Change{}, err
		}
		if err := MayWrite("updateParticipant", role, &before, &after); err != nil {
			return domain.Change{}, err
		}
		p.ParticipantFields = after
		if updated != nil {
			*updated = *p
		}
		return domain.Change{Action: "update", Entity: "participant", EntityID: p.ID, Before: &before, After: &after}, nil
	}
}

// CheckNeed checks a need of the kind named by the address; a kind in the
// body must agree with it. It fills in n.Kind.
func CheckNeed(kind string, n *domain.Need) error {
	if !domain.IsNeedKind(kind) {
		return domain.Invalid(domain.FieldError{Field: "kind", Message: "must be one of the need kinds: " + strings.Join(domain.NeedKinds, ", ")})
	}
	if n.Kind != "" && n.Kind != kind {
		return domain.Invalid(domain.FieldError{Field: "kind", Message: "must match the kind in the path"})
	}
	n.Kind = kind
	return n.Validate()
}

// PutNeed sets a participant's need, checked with CheckNeed first; created
// says whether it is new.
func PutNeed(pid string, n domain.Need, created *bool) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		p, err := findParticipant(conf, pid)
		if err != nil {
			return domain.Change{}, err
		}
		if old := p.Need(n.Kind); old != nil {
			before := *old
			*old = n
			*created = false
			return domain.Change{Action: "update", Entity: "need", EntityID: p.ID + "/" + n.Kind, Before: before, After: n}, nil
		}
		*created = true
		p.Needs = append(p.Needs, n)
		return domain.Change{Action: "create", Entity: "need", EntityID: p.ID + "/" + n.Kind, After: n}, nil
	}
}

// AddContact records a conversation, already validated and given its id.
func AddContact(pid string, k domain.Contact) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		p, err := findParticipant(conf, pid)
		if err != nil {
			return domain.Change{}, err
		}
		if len(p.Contacts) >= domain.MaxContacts {
			return domain.Change{}, domain.Errorf(domain.EINVALID, "a participant has at most %d contacts", domain.MaxContacts)
		}
		p.Contacts = append(p.Contacts, k)
		return domain.Change{Action: "create", Entity: "contact", EntityID: k.ID, After: k}, nil
	}
}

// ReportInput is what a caller gives to add a report; shares come later.
type ReportInput struct {
	Agency            string       `json:"agency"`
	Title             string       `json:"title"`
	ReceivedOn        *domain.Date `json:"received_on,omitempty"`
	SharedWithChairOn *domain.Date `json:"shared_with_chair_on,omitempty"`
}

// NewReport makes a report from the input and checks it against today.
func NewReport(in ReportInput, today domain.Date) (domain.Report, error) {
	r := domain.Report{ID: uuid.NewString(), Agency: in.Agency, Title: in.Title, ReceivedOn: in.ReceivedOn, SharedWithChairOn: in.SharedWithChairOn, Shares: []domain.Share{}}
	return r, r.Validate(today)
}

// AddReport adds a report made by NewReport.
func AddReport(r domain.Report, in ReportInput) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		if len(conf.Reports) >= domain.MaxReports {
			return domain.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d reports", domain.MaxReports)
		}
		conf.Reports = append(conf.Reports, r)
		return domain.Change{Action: "create", Entity: "report", EntityID: r.ID, After: in}, nil
	}
}

// UpdateReport replaces a report's own fields (not its shares) with what
// next makes of the current ones, checked against today; updated receives
// the result.
func UpdateReport(rid string, today domain.Date, next func(before ReportInput) (ReportInput, error), updated *domain.Report) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		r := conf.Report(rid)
		if r == nil {
			return domain.Change{}, domain.Errorf(domain.ENOTFOUND, "report not found")
		}
		before := ReportInput{Agency: r.Agency, Title: r.Title, ReceivedOn: r.ReceivedOn, SharedWithChairOn: r.SharedWithChairOn}
		after, err := next(before)
		if err != nil {
			return domain.Change{}, err
		}
		candidate := *r
		candidate.Agency, candidate.Title, candidate.ReceivedOn, candidate.SharedWithChairOn = after.Agency, after.Title, after.ReceivedOn, after.SharedWithChairOn
		if err := candidate.Validate(today); err != nil {
			return domain.Change{}, err
		}
		*r = candidate
		if updated != nil {
			*updated = candidate
		}
		return domain.Change{Action: "update", Entity: "report", EntityID: r.ID, Before: before, After: after}, nil
	}
}

// AddShare records that a report was shared with a participant, or withheld;
// sh is already validated and given its id.
func AddShare(rid string, sh domain.Share) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		r := conf.Report(rid)
		if r == nil {
			return domain.Change{}, domain.Errorf(domain.ENOTFOUND, "report not found")
		}
		if conf.Participant(sh.ParticipantID) == nil {
			return domain.Change{}, domain.Invalid(domain.FieldError{Field: "participant_id", Message: "is not a participant of this conference"})
		}
		if len(r.Shares) >= domain.MaxShares {
			return domain.Change{}, domain.Errorf(domain.EINVALID, "a report has at most %d shares", domain.MaxShares)
		}
		r.Shares = append(r.Shares, sh)
		return domain.Change{Action: "create", Entity: "share", EntityID: sh.ID, After: sh}, nil
	}
}

// PutChildViews records how a child's views reach the conference; v is
// already validated. child receives the child and created says whether the
// views are new.
func PutChildViews(ref string, v domain.ChildViews, child *domain.Child, created *bool) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		ch := conf.Child(ref)
		if ch == nil {
			return domain.Change{}, domain.Errorf(domain.ENOTFOUND, "child not found in this conference")
		}
		before := ch.Views
		*created = before == nil
		ch.Views = &v
		*child = *ch
		action := "update"
		if *created {
			action = "create"
		}
		return domain.Change{Action: action, Entity: "child_views", EntityID: ch.Ref, Before: before, After: &v}, nil
	}
}
