package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// The handlers below decode, call the conference's method and respond.
// Each input is checked before the conference is read as well as by the
// method, so that a bad body is a 422 whatever the conference.

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
		id, today := uuid.NewString(), s.today()
		addPart(s, c, func(p domain.Participant) string { return "/participants/" + p.ID }, func(conf *domain.Conference) (domain.Participant, domain.Change, error) {
			return conf.AddParticipant(id, f, today)
		})
	}
}

func (s *Server) handleUpdateParticipant() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		pid, today := c.Param("pid"), s.today()
		var updated domain.Participant
		conf, ok := s.update(c, version, auth.CheckFields("updateParticipant", principal(c).Role, func(conf *domain.Conference) (ch domain.Change, err error) {
			p, err := conf.FindParticipant(pid)
			if err != nil {
				return ch, err
			}
			var next domain.ParticipantFields
			if err := applyMergePatch(&p.ParticipantFields, patch, &next); err != nil {
				return ch, err
			}
			updated, ch, err = conf.UpdateParticipant(pid, next, today)
			return ch, err
		}))
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
		pid := c.Param("pid")
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) { return conf.RemoveParticipant(pid) })
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}

func (s *Server) handlePutNeed() gin.HandlerFunc {
	return func(c *gin.Context) {
		var n domain.Need
		if !s.bind(c, &n, func() error { return n.SetKind(c.Param("kind")) }) {
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		pid := c.Param("pid")
		created := false
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			ch, err := conf.PutNeed(pid, n)
			created = ch.Action == "create"
			return ch, err
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
		pid, kind := c.Param("pid"), c.Param("kind")
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) { return conf.RemoveNeed(pid, kind) })
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
		k := domain.Contact{ID: uuid.NewString()}
		if !s.bind(c, &b, func() error { k.With, k.On, k.Method = b.With, b.On, b.Method; return k.Validate(s.today()) }) {
			return
		}
		if k.With == "chair" && !auth.MayRecordChairContact(principal(c).Role) {
			s.writeError(c, domain.Errorf(domain.EFORBIDDEN, "only a chair or a case system records a conversation with the chair"))
			return
		}
		pid, today := c.Param("pid"), s.today()
		addPart(s, c, func(k domain.Contact) string { return "/participants/" + pid + "/contacts/" + k.ID }, func(conf *domain.Conference) (domain.Contact, domain.Change, error) {
			return conf.AddContact(pid, k, today)
		})
	}
}
