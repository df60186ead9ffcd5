package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/insights"
)

const mimeCSV = "text/csv"

// handleGetInsights answers the research's measures for the caller's
// organisation over [from, to), as JSON or, when the client asks for
// text/csv, as CSV.
func (s *Server) handleGetInsights() gin.HandlerFunc {
	return func(c *gin.Context) {
		from, to, group, err := parseInsightsQuery(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		byMonth, err := s.db.Insights(c.Request.Context(), principal(c), from, to)
		if err != nil {
			s.writeError(c, err)
			return
		}
		report := insights.NewReport(byMonth, from, to, group)
		if c.NegotiateFormat(binding.MIMEJSON, mimeCSV) != mimeCSV {
			c.JSON(http.StatusOK, report)
			return
		}
		c.Header("Content-Type", mimeCSV+"; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+report.CSVFilename()+`"`)
		c.Status(http.StatusOK)
		if err := report.WriteCSV(c.Writer); err != nil {
			_ = c.Error(err) // the status is sent; the access log records the failure
		}
	}
}

var insightsParams = map[string]bool{"from": true, "to": true, "group": true}

// parseInsightsQuery reads from, to and group; strictQuery has already
// refused unknown and repeated parameters.
func parseInsightsQuery(c *gin.Context) (from, to domain.Date, group string, err error) {
	q := c.Request.URL.Query()
	var fields []domain.FieldError
	bad := func(name, msg string) { fields = append(fields, domain.FieldError{Field: name, Message: msg}) }
	date := func(name string) domain.Date {
		v := q.Get(name)
		if v == "" {
			bad(name, "is required (YYYY-MM-DD)")
			return domain.Date{}
		}
		d, err := domain.ParseDate(v)
		if err != nil {
			bad(name, "must be a date (YYYY-MM-DD)")
		}
		return d
	}
	from, to = date("from"), date("to")
	group = q.Get("group")
	switch group {
	case "":
		group = insights.GroupMonth
	case insights.GroupMonth, insights.GroupNone:
	default:
		bad("group", "must be one of: month, none")
	}
	if !from.IsZero() && !to.IsZero() {
		switch {
		case !from.Before(to):
			bad("to", "must be after from")
		case to.After(from.AddYears(insights.MaxWindow)):
			bad("to", "must be at most 3 years after from")
		}
	}
	if len(fields) > 0 {
		return from, to, group, domain.Invalid(fields...)
	}
	return from, to, group, nil
}
