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
		if !s.bind(c, &pol, func() error { return pol.Validate() }) {
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
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
