package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/edit"
)

// findProfessional returns the professional or a not-found error.
func findProfessional(conf *domain.Conference, id string) (*domain.Professional, error) {
	if p := conf.Professional(id); p != nil {
		return p, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "professional not found")
}

func professionalPart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	p, err := findProfessional(conf, c.Param("prof_id"))
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
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		added := domain.Professional{ID: uuid.NewString(), ProfessionalFields: f}
		conf, ok := s.update(c, version, edit.AddProfessional(added))
		if !ok {
			return
		}
		respond(c, http.StatusCreated, conf.Version, added, conferencePath(conf.ID)+"/professionals/"+added.ID)
	}
}

func (s *Server) handleUpdateProfessional() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		var updated domain.Professional
		conf, ok := s.update(c, version, edit.UpdateProfessional(c.Param("prof_id"), func(before domain.ProfessionalFields) (domain.ProfessionalFields, error) {
			var next domain.ProfessionalFields
			err := applyMergePatch(&before, patch, &next)
			return next, err
		}, &updated))
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
		conf, ok := s.update(c, version, edit.RemoveProfessional(c.Param("prof_id")))
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}
