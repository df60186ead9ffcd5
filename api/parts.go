package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// handleGetPart answers a GET for one part of a conference, the address a
// create's Location names. The read of that part is audited, by its own
// entity and id.
func (s *Server) handleGetPart(find func(c *gin.Context, conf *domain.Conference) (entity, id string, part any, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		conf, part, err := s.db.ConferenceItem(c.Request.Context(), principal(c), c.Param("id"), func(conf *domain.Conference) (string, string, any, error) {
			return find(c, conf)
		})
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, conf.Version, part, "")
	}
}

func participantPart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	p, err := conf.FindParticipant(c.Param("pid"))
	if err != nil {
		return "", "", nil, err
	}
	return "participant", p.ID, p, nil
}

func contactPart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	p, err := conf.FindParticipant(c.Param("pid"))
	if err != nil {
		return "", "", nil, err
	}
	for _, k := range p.Contacts {
		if k.ID == c.Param("cid") {
			return "contact", k.ID, k, nil
		}
	}
	return "", "", nil, domain.Errorf(domain.ENOTFOUND, "contact not found")
}

func reportPart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	r, err := conf.FindReport(c.Param("rid"))
	if err != nil {
		return "", "", nil, err
	}
	return "report", r.ID, r, nil
}

func sharePart(c *gin.Context, conf *domain.Conference) (string, string, any, error) {
	r, err := conf.FindReport(c.Param("rid"))
	if err != nil {
		return "", "", nil, err
	}
	for _, sh := range r.Shares {
		if sh.ID == c.Param("sid") {
			return "share", sh.ID, sh, nil
		}
	}
	return "", "", nil, domain.Errorf(domain.ENOTFOUND, "share not found")
}

func (s *Server) handleGetReadinessCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		chk, err := s.db.ReadinessCheck(c.Request.Context(), principal(c), c.Param("id"), c.Param("check_id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, chk)
	}
}
