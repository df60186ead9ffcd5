package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

type historyResponse struct {
	Items      []audit.Event `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// handleGetHistory pages through a conference's audit trail, oldest first
// unless order=newest.
func (s *Server) handleGetHistory() gin.HandlerFunc {
	return func(c *gin.Context) {
		page, err := parseHistoryPage(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		events, err := s.db.History(c.Request.Context(), principal(c), c.Param("id"), page)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeHistoryPage(c, events, page)
	}
}

// handleGetPolicyHistory pages through the changes to the organisation's
// policy, as handleGetHistory does through a conference's trail.
func (s *Server) handleGetPolicyHistory() gin.HandlerFunc {
	return func(c *gin.Context) {
		page, err := parseHistoryPage(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		events, err := s.db.PolicyHistory(c.Request.Context(), principal(c), page)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeHistoryPage(c, events, page)
	}
}

func writeHistoryPage(c *gin.Context, events []audit.Event, page store.HistoryPage) {
	resp := historyResponse{Items: events}
	if len(events) == page.Limit {
		next := strconv.FormatInt(events[len(events)-1].ID, 10)
		resp.NextCursor = &next
	}
	c.JSON(http.StatusOK, resp)
}

func parseHistoryPage(c *gin.Context) (store.HistoryPage, error) {
	q := c.Request.URL.Query()
	page := store.HistoryPage{Limit: 50}
	var fields []domain.FieldError
	switch q.Get("order") {
	case "", "oldest":
	case "newest":
		page.NewestFirst = true
	default:
		fields = append(fields, domain.FieldError{Field: "order", Message: "must be oldest or newest"})
	}
	page.Limit, page.After = pageParams(q, &fields)
	if len(fields) > 0 {
		return page, domain.Invalid(fields...)
	}
	return page, nil
}

// pageParams reads the limit (1 to 200, default 50) and the numeric cursor
// that the history and the webhook deliveries take, adding a field error
// for each that is bad. strictQuery has already refused unknown and
// repeated parameters.
func pageParams(q url.Values, fields *[]domain.FieldError) (limit int, after int64) {
	limit = 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			*fields = append(*fields, domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			*fields = append(*fields, domain.FieldError{Field: "cursor", Message: "is not a cursor this service gave out"})
		}
		after = n
	}
	return limit, after
}
