package api

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// queryParams lists the query parameters each operation takes. An
// operation that is not listed takes none.
var queryParams = map[string]map[string]bool{
	"listConferences":  listParams,
	"getHistory":       historyParams,
	"getPolicyHistory": historyParams,
	"getInsights":      insightsParams,
	// Events and webhook deliveries (events.go, webhooks.go).
	"listEvents":            {"after": true, "limit": true},
	"listWebhookDeliveries": {"status": true, "limit": true, "cursor": true},
}

var historyParams = map[string]bool{"order": true, "limit": true, "cursor": true}

// maxQueryFieldErrors bounds the field errors one problem lists, so that a
// query of thousands of parameters is not echoed back whole.
const maxQueryFieldErrors = 20

// strictQuery refuses a query string that cannot be read whole (400), and
// any parameter the operation does not take or that is given twice (422).
// Go's parser gives up on a malformed or overlong query (over 10,000
// parameters) and leaves no values at all: read leniently, every filter
// would silently vanish and a list would answer as if unfiltered.
func (s *Server) strictQuery(operation string) gin.HandlerFunc {
	allowed := queryParams[operation]
	return func(c *gin.Context) {
		raw := c.Request.URL.RawQuery
		if raw == "" {
			c.Next()
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			// The parser's message quotes the query; it is not echoed.
			s.writeError(c, domain.Errorf(domain.EMALFORMED, "the query string cannot be read: it has a bad escape, a ';' separator, or more than 10,000 parameters"))
			return
		}
		var fields []domain.FieldError
		for name, values := range q {
			if len(fields) == maxQueryFieldErrors {
				break
			}
			switch {
			case !allowed[name]:
				fields = append(fields, domain.FieldError{Field: clip(name), Message: "is not a known parameter"})
			case len(values) > 1:
				fields = append(fields, domain.FieldError{Field: name, Message: "must be given once"})
			}
		}
		if len(fields) > 0 {
			s.writeError(c, domain.Invalid(fields...))
			return
		}
		c.Next()
	}
}

// clip shortens a client's parameter name for the problem that names it.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
