package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

func professionalPart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	p, err := conf.FindProfessional(c.Param("prof_id"))
	if err != nil {
		return "", "", nil, err
	}
	return "professional", p.ID, p, nil
}

func (s *Server) handleListProfessionals() gin.HandlerFunc {
	return func(c *gin.Context) {
		conf, err := s.db.Conference(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, conf.Version, professionalList{Items: conf.Professionals}, "")
	}
}

// professionalList is the answer to a list of a conference's professionals.
type professionalList struct {
	Items []domain.Professional `json:"items"`
}

func (s *Server) handleAddProfessional() gin.HandlerFunc {
	return func(c *gin.Context) {
		var f domain.ProfessionalFields
		if !s.bind(c, &f, func() error { f = f.WithDefaults(); return f.Validate() }) {
			return
		}
		id := uuid.NewString()
		addPart(s, c, func(p domain.Professional) string { return "/professionals/" + p.ID }, func(conf *domain.Conference) (domain.Professional, domain.Change, error) {
			return conf.AddProfessional(id, f)
		})
	}
}

func (s *Server) handleUpdateProfessional() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		id := c.Param("prof_id")
		var updated domain.Professional
		conf, ok := s.update(c, version, func(conf *domain.Conference) (ch domain.Change, err error) {
			p, err := conf.FindProfessional(id)
			if err != nil {
				return ch, err
			}
			var next domain.ProfessionalFields
			if err := applyMergePatch(&p.ProfessionalFields, patch, &next); err != nil {
				return ch, err
			}
			updated, ch, err = conf.UpdateProfessional(id, next)
			return ch, err
		})
		if !ok {
			return
		}
		respond(c, http.StatusOK, conf.Version, updated, "")
	}
}

func (s *Server) handleDeleteProfessional() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, ok := s.ifMatch(c, true)
		if !ok {
			return
		}
		id := c.Param("prof_id")
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) { return conf.RemoveProfessional(id) })
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}
