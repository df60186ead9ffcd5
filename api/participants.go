package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// findParticipant returns the participant or a not-found error.
func findParticipant(conf *domain.Conference, id string) (*domain.Participant, error) {
	if p := conf.Participant(id); p != nil {
		return p, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "participant not found")
}

func (s *Server) handleAddParticipant() gin.HandlerFunc {
	return func(c *gin.Context) {
		var f domain.ParticipantFields
		if !s.bind(c, &f, func() error { return f.Validate(s.today()) }) {
			return
		}
		if err := mayWrite(c, nil, &f); err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		var added domain.Participant
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			if len(conf.Participants) >= domain.MaxParticipants {
				return store.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d family members", domain.MaxParticipants)
			}
			added = domain.Participant{ID: uuid.NewString(), ParticipantFields: f, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
			conf.Participants = append(conf.Participants, added)
			return store.Change{Action: "create", Entity: "participant", EntityID: added.ID, After: &f}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusCreated, conf.Version, added, conferencePath(conf.ID)+"/participants/"+added.ID)
	}
}

func (s *Server) handleUpdateParticipant() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		today := s.today()
		var updated domain.Participant
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return store.Change{}, err
			}
			before := p.ParticipantFields
			var next domain.ParticipantFields
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return store.Change{}, err
			}
			if err := next.Validate(today); err != nil {
				return store.Change{}, err
			}
			if err := mayWrite(c, &before, &next); err != nil {
				return store.Change{}, err
			}
			p.ParticipantFields = next
			updated = *p
			return store.Change{Action: "update", Entity: "participant", EntityID: p.ID, Before: &before, After: &next}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusOK, conf.Version, updated, "")
	}
}

func (s *Server) handleDeleteParticipant() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, ok := s.ifMatch(c, true)
		if !ok {
			return
		}
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return store.Change{}, err
			}
			before := removedParticipant(conf, p)
			conf.RemoveParticipant(p.ID)
			return store.Change{Action: "delete", Entity: "participant", EntityID: c.Param("pid"), Before: before}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}

func (s *Server) handlePutNeed() gin.HandlerFunc {
	return func(c *gin.Context) {
		kind := c.Param("kind")
		var n domain.Need
		if !s.bind(c, &n, nil) {
			return
		}
		if !domain.IsNeedKind(kind) {
			s.writeError(c, domain.Invalid(domain.FieldError{Field: "kind", Message: "must be one of the need kinds: " + strings.Join(domain.NeedKinds, ", ")}))
			return
		}
		if n.Kind != "" && n.Kind != kind {
			s.writeError(c, domain.Invalid(domain.FieldError{Field: "kind", Message: "must match the kind in the path"}))
			return
		}
		n.Kind = kind
		if err := n.Validate(); err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		created := false
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return store.Change{}, err
			}
			if old := p.Need(kind); old != nil {
				before := *old
				*old = n
				return store.Change{Action: "update", Entity: "need", EntityID: p.ID + "/" + kind, Before: before, After: n}, nil
			}
			created = true
			p.Needs = append(p.Needs, n)
			return store.Change{Action: "create", Entity: "need", EntityID: p.ID + "/" + kind, After: n}, nil
		})
		if !ok {
			return
		}
		respond(c, statusFor(created), conf.Version, n, "")
	}
}

func (s *Server) handleDeleteNeed() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, ok := s.ifMatch(c, true)
		if !ok {
			return
		}
		kind := c.Param("kind")
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return store.Change{}, err
			}
			old := p.Need(kind)
			if old == nil {
				return store.Change{}, domain.Errorf(domain.ENOTFOUND, "need not found")
			}
			before := *old
			p.RemoveNeed(kind)
			return store.Change{Action: "delete", Entity: "need", EntityID: p.ID + "/" + kind, Before: before}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}

// contactBody is a conversation to record; the server assigns its id.
type contactBody struct {
	With   string       `json:"with"`
	On     *domain.Date `json:"on"`
	Method string       `json:"method"`
}

func (s *Server) handleAddContact() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b contactBody
		if !s.bind(c, &b, nil) {
			return
		}
		k := domain.Contact{With: b.With, On: b.On, Method: b.Method}
		if err := k.Validate(s.today()); err != nil {
			s.writeError(c, err)
			return
		}
		who := principal(c)
		if k.With == "chair" && !auth.MayRecordChairContact(who.Role) {
			s.writeError(c, domain.Errorf(domain.EFORBIDDEN, "only a chair or a case system records a conversation with the chair"))
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		k.ID = uuid.NewString()
		conf, err := s.db.UpdateConference(c.Request.Context(), who, c.Param("id"), version, func(conf *domain.Conference) (store.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return store.Change{}, err
			}
			if len(p.Contacts) >= domain.MaxContacts {
				return store.Change{}, domain.Errorf(domain.EINVALID, "a participant has at most %d contacts", domain.MaxContacts)
			}
			p.Contacts = append(p.Contacts, k)
			return store.Change{Action: "create", Entity: "contact", EntityID: k.ID, After: k}, nil
		})
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusCreated, conf.Version, k, conferencePath(conf.ID)+"/participants/"+c.Param("pid")+"/contacts/"+k.ID)
	}
}

// removedShare is a share that goes with a deleted participant, named with
// its report.
type removedShare struct {
	ReportID string `json:"report_id"`
	domain.Share
}

// removedParticipant is what a participant's delete takes with it: their
// fields, needs and contacts, and every share of a report made to them, so
// that the audit trail records all of it.
func removedParticipant(conf *domain.Conference, p *domain.Participant) any {
	var shares []removedShare
	for _, r := range conf.Reports {
		for _, sh := range r.Shares {
			if sh.ParticipantID == p.ID {
				shares = append(shares, removedShare{ReportID: r.ID, Share: sh})
			}
		}
	}
	return struct {
		domain.ParticipantFields
		Needs    []domain.Need    `json:"needs"`
		Contacts []domain.Contact `json:"contacts"`
		Shares   []removedShare   `json:"shares"`
	}{p.ParticipantFields, p.Needs, p.Contacts, shares}
}
