package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

func (s *Server) handleGetReadiness() gin.HandlerFunc {
	return func(c *gin.Context) {
		// The store writes the JSON, mostly as it stored the findings.
		body, version, err := s.db.ReadinessJSON(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("ETag", etag(version))
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	}
}

// checkBody is a chair's decision.
type checkBody struct {
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

func (s *Server) handleAddReadinessCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b checkBody
		if !s.bind(c, &b, nil) {
			return
		}
		chk, err := s.db.AddReadinessCheck(c.Request.Context(), principal(c), c.Param("id"), domain.ReadinessCheck{Decision: b.Decision, Note: b.Note})
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("Location", conferencePath(c.Param("id"))+"/readiness-checks/"+chk.ID)
		c.JSON(http.StatusCreated, chk)
	}
}

func (s *Server) handleListReadinessChecks() gin.HandlerFunc {
	return func(c *gin.Context) {
		checks, err := s.db.ReadinessChecks(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": checks})
	}
}
