package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/edit"
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
		conf, ok := s.update(c, version, edit.AddParticipant(f, &added))
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
		var updated domain.Participant
		conf, ok := s.update(c, version, edit.UpdateParticipant(c.Param("pid"), s.today(), func(before domain.ParticipantFields) (domain.ParticipantFields, error) {
			var next domain.ParticipantFields
			err := applyMergePatch(&before, patch, &next)
			return next, err
		}, principal(c).Role, &updated))
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
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return domain.Change{}, err
			}
			before := removedParticipant(conf, p)
			conf.RemoveParticipant(p.ID)
			return domain.Change{Action: "delete", Entity: "participant", EntityID: c.Param("pid"), Before: before}, nil
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
		if err := edit.CheckNeed(kind, &n); err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		created := false
		conf, ok := s.update(c, version, edit.PutNeed(c.Param("pid"), n, &created))
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
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			p, err := findParticipant(conf, c.Param("pid"))
			if err != nil {
				return domain.Change{}, err
			}
			old := p.Need(kind)
			if old == nil {
				return domain.Change{}, domain.Errorf(domain.ENOTFOUND, "need not found")
			}
			before := *old
			p.RemoveNeed(kind)
			return domain.Change{Action: "delete", Entity: "need", EntityID: p.ID + "/" + kind, Before: before}, nil
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
		conf, err := s.db.UpdateConference(c.Request.Context(), who, c.Param("id"), version, edit.AddContact(c.Param("pid"), k))
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
