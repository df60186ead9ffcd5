package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

func (s *Server) handleGetPolicy() gin.HandlerFunc {
	return func(c *gin.Context) {
		pol, err := s.db.Policy(c.Request.Context(), principal(c))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("ETag", etag(pol.Version))
		c.JSON(http.StatusOK, pol)
	}
}

// handlePutPolicy replaces the organisation's policy; the store re-evaluates
// its conferences in the same transaction.
func (s *Server) handlePutPolicy() gin.HandlerFunc {
	return func(c *gin.Context) {
		var pol domain.Policy
		if err := decodeJSON(c, &pol); err != nil {
			s.writeError(c, err)
			return
		}
		if err := pol.Validate(); err != nil {
			s.writeError(c, err)
			return
		}
		version, err := ifMatch(c, false)
		if err != nil {
			s.writeError(c, err)
			return
		}
		saved, err := s.db.SetPolicy(c.Request.Context(), principal(c), pol, version)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("ETag", etag(saved.Version))
		c.JSON(http.StatusOK, saved)
	}
}
