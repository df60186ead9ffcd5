package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
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
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			if len(conf.Professionals) >= domain.MaxProfessionals {
				return domain.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d professionals", domain.MaxProfessionals)
			}
			conf.Professionals = append(conf.Professionals, added)
			return domain.Change{Action: "create", Entity: "professional", EntityID: added.ID, After: &f}, nil
		})
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
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			p, err := findProfessional(conf, c.Param("prof_id"))
			if err != nil {
				return domain.Change{}, err
			}
			before := p.ProfessionalFields
			var next domain.ProfessionalFields
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return domain.Change{}, err
			}
			next = next.WithDefaults()
			if err := next.Validate(); err != nil {
				return domain.Change{}, err
			}
			p.ProfessionalFields = next
			updated = *p
			return domain.Change{Action: "update", Entity: "professional", EntityID: p.ID, Before: &before, After: &next}, nil
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
		conf, ok := s.update(c, version, func(conf *domain.Conference) (domain.Change, error) {
			p, err := findProfessional(conf, c.Param("prof_id"))
			if err != nil {
				return domain.Change{}, err
			}
			before := p.ProfessionalFields
			conf.RemoveProfessional(p.ID)
			return domain.Change{Action: "delete", Entity: "professional", EntityID: c.Param("prof_id"), Before: &before}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusNoContent, conf.Version, nil, "")
	}
}
