package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// handleGetPart answers a GET for one part of a conference, the address a
// create's Location names. The conference read is audited like any other.
func (s *Server) handleGetPart(find func(c *gin.Context, conf *domain.Conference) (any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		conf, err := s.db.Conference(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		part, err := find(c, conf)
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, conf.Version, part, "")
	}
}

func participantPart(c *gin.Context, conf *domain.Conference) (any, error) {
	return findParticipant(conf, c.Param("pid"))
}

func contactPart(c *gin.Context, conf *domain.Conference) (any, error) {
	p, err := findParticipant(conf, c.Param("pid"))
	if err != nil {
		return nil, err
	}
	for _, k := range p.Contacts {
		if k.ID == c.Param("cid") {
			return k, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "contact not found")
}

func reportPart(c *gin.Context, conf *domain.Conference) (any, error) {
	if r := conf.Report(c.Param("rid")); r != nil {
		return r, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "report not found")
}

func sharePart(c *gin.Context, conf *domain.Conference) (any, error) {
	r := conf.Report(c.Param("rid"))
	if r == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "report not found")
	}
	for _, sh := range r.Shares {
		if sh.ID == c.Param("sid") {
			return sh, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "share not found")
}

func (s *Server) handleGetReadinessCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		checks, err := s.db.ReadinessChecks(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		for _, chk := range checks {
			if chk.ID == c.Param("check_id") {
				c.JSON(http.StatusOK, chk)
				return
			}
		}
		s.writeError(c, domain.Errorf(domain.ENOTFOUND, "readiness check not found"))
	}
}
