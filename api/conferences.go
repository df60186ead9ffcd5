package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// handleCreateConference creates a conference, whole or with its fields
// alone: every part of it is added as its own route would add it
// (domain.Assemble), and every problem is named by its path into the body
// (participants[1].needs[0].language) before anything is written.
func (s *Server) handleCreateConference() gin.HandlerFunc {
	return func(c *gin.Context) {
		var d domain.Draft
		if !s.bind(c, &d, nil) {
			return
		}
		conf, err := s.db.CreateDraft(c.Request.Context(), principal(c), &d)
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusCreated, conf.Version, conf, conferencePath(conf.ID))
	}
}

func (s *Server) handleGetConference() gin.HandlerFunc {
	return func(c *gin.Context) {
		conf, err := s.db.Conference(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, conf.Version, conf, "")
	}
}

func (s *Server) handleUpdateConference() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		today := s.today()
		var ref string
		conf, err := s.db.UpdateConference(c.Request.Context(), principal(c), c.Param("id"), version, func(conf *domain.Conference) (domain.Change, error) {
			before := conf.Fields()
			var next domain.ConferenceFields
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return domain.Change{}, err
			}
			ref = next.ExternalRef
			return conf.UpdateFields(next, today)
		})
		if err != nil {
			s.writeError(c, s.db.NameExisting(c.Request.Context(), principal(c), ref, err))
			return
		}
		respond(c, http.StatusOK, conf.Version, conf, "")
	}
}

// conferenceItem is a conference in a list: its top-level fields and its
// readiness summary, without family members and reports.
type conferenceItem struct {
	ID string `json:"id"`
	domain.ConferenceFields
	Version   int                     `json:"version"`
	Readiness domain.ReadinessSummary `json:"readiness"`
	CreatedAt time.Time               `json:"created_at"`
	UpdatedAt time.Time               `json:"updated_at"`
}

// listResponse is a page of conferences.
type listResponse struct {
	Items      []conferenceItem `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

var listParams = map[string]bool{
	"readiness": true, "overdue": true, "from": true, "to": true, "external_ref": true,
	"chair_ref": true, "social_worker_ref": true, "status": true, "limit": true, "cursor": true,
}

func (s *Server) handleListConferences() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := parseListFilter(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		items, next, err := s.db.ListConferences(c.Request.Context(), principal(c), f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		resp := listResponse{Items: make([]conferenceItem, len(items))}
		for i, it := range items {
			resp.Items[i] = conferenceItem{ID: it.ID, ConferenceFields: it.ConferenceFields, Version: it.Version, Readiness: it.Readiness, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
		}
		if next != "" {
			resp.NextCursor = &next
		}
		c.JSON(http.StatusOK, resp)
	}
}

// parseListFilter reads and checks the list's query parameters; strictQuery
// has already refused unknown and repeated ones.
func parseListFilter(c *gin.Context) (store.ConferenceFilter, error) {
	q := c.Request.URL.Query()
	var fields []domain.FieldError
	bad := func(name, msg string) { fields = append(fields, domain.FieldError{Field: name, Message: msg}) }
	f := store.ConferenceFilter{
		Readiness: q.Get("readiness"), ExternalRef: q.Get("external_ref"), ChairRef: q.Get("chair_ref"),
		SocialWorkerRef: q.Get("social_worker_ref"), Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: 50,
	}
	if f.Readiness != "" && f.Readiness != domain.Ready && f.Readiness != domain.NotReady {
		bad("readiness", "must be one of: ready, not_ready")
	}
	switch f.Status {
	case "", "scheduled", "held", "postponed", "cancelled":
	default:
		bad("status", "must be one of: scheduled, held, postponed, cancelled")
	}
	for name, v := range map[string]string{"external_ref": f.ExternalRef, "chair_ref": f.ChairRef, "social_worker_ref": f.SocialWorkerRef, "cursor": f.Cursor} {
		switch {
		case len(v) > 500:
			bad(name, "is too long")
		case !storableText(v):
			// PostgreSQL refuses such text outright, so it can match nothing.
			bad(name, "must be UTF-8 text without NUL characters")
		}
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			bad("overdue", "must be true or false")
		}
		f.Overdue = &b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			bad("limit", "must be a whole number from 1 to 200")
		}
		f.Limit = n
	}
	var err error
	if f.From, err = boundParam(q.Get("from"), false); err != nil {
		bad("from", err.Error())
	}
	if f.To, err = boundParam(q.Get("to"), true); err != nil {
		bad("to", err.Error())
	}
	if len(fields) > 0 {
		return f, domain.Invalid(fields...)
	}
	return f, nil
}

// storableText reports whether s is text both databases can hold: UTF-8
// with no NUL character.
func storableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

type paramError string

func (e paramError) Error() string { return string(e) }

// boundParam reads from/to: an RFC 3339 instant, or a date in Europe/London.
// A date as "to" includes that whole day.
func boundParam(v string, endOfDay bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	outOfRange := paramError("must lie between " + domain.MinDate.String() + " and " + domain.MaxDate.String())
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		if !domain.InstantInRange(t) {
			return nil, outOfRange
		}
		return &t, nil
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		return nil, paramError("must be a date (YYYY-MM-DD) or an RFC 3339 instant")
	}
	if !d.InRange() {
		return nil, outOfRange
	}
	if endOfDay {
		d = d.AddDays(1)
	}
	t := time.Date(d.Time().Year(), d.Time().Month(), d.Time().Day(), 0, 0, 0, 0, domain.London)
	return &t, nil
}
