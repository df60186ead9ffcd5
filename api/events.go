package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// eventsResponse is a page of the feed. Next is the sequence to pass as
// after for the following page; it is the same as after when nothing new
// has happened, so a poller can always use it.
type eventsResponse struct {
	Items []domain.Event `json:"items"`
	Next  int64          `json:"next"`
}

// handleListEvents answers the pull feed: the organisation's events after
// a sequence, in order.
func (s *Server) handleListEvents() gin.HandlerFunc {
	return func(c *gin.Context) {
		after, limit, err := parseFeedQuery(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		events, err := s.db.Events(c.Request.Context(), principal(c), after, limit)
		if err != nil {
			s.writeError(c, err)
			return
		}
		// Events name no one, but who follows the feed is still recorded.
		if err := s.db.AuditRead(c.Request.Context(), principal(c), "events", strconv.FormatInt(after, 10), ""); err != nil {
			s.writeError(c, err)
			return
		}
		resp := eventsResponse{Items: events, Next: after}
		if len(events) > 0 {
			resp.Next = events[len(events)-1].Sequence
		}
		c.JSON(http.StatusOK, resp)
	}
}

// parseFeedQuery reads after and limit; strictQuery has already refused
// unknown and repeated parameters.
func parseFeedQuery(c *gin.Context) (after int64, limit int, err error) {
	q := c.Request.URL.Query()
	limit = 100
	var fields []domain.FieldError
	if v := q.Get("after"); v != "" {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 0 {
			fields = append(fields, domain.FieldError{Field: "after", Message: "must be a sequence number, 0 or more"})
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > store.MaxEventPage {
			fields = append(fields, domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(store.MaxEventPage)})
		}
		limit = n
	}
	if len(fields) > 0 {
		return 0, 0, domain.Invalid(fields...)
	}
	return after, limit, nil
}
