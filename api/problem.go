package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type       string              `json:"type"`
	Title      string              `json:"title"`
	Status     int                 `json:"status"`
	Detail     string              `json:"detail,omitempty"`
	Instance   string              `json:"instance,omitempty"`
	RequestID  string              `json:"request_id,omitempty"`
	Errors     []domain.FieldError `json:"errors,omitempty"`
	ExistingID string              `json:"existing_id,omitempty"`
}

// statusByKind is the one mapping from domain error kinds to HTTP status
// codes; a kind it does not list is a 500.
var statusByKind = map[string]int{
	domain.EINVALID:      http.StatusUnprocessableEntity,
	domain.EMALFORMED:    http.StatusBadRequest,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EINFLIGHT:     http.StatusConflict,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.EPRECONDITION: http.StatusPreconditionFailed,
	domain.EPRECONDREQ:   http.StatusPreconditionRequired,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.ETIMEOUT:      http.StatusRequestTimeout,
	domain.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	domain.ERATELIMITED:  http.StatusTooManyRequests,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

func statusOf(kind string) int {
	if status, ok := statusByKind[kind]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// writeError answers with the problem for err. Internal errors are logged
// by kind and request id only; their text may hold values from the request.
func (s *Server) writeError(c *gin.Context, err error) {
	kind := domain.ErrorKind(err)
	status := statusOf(kind)
	p := Problem{
		Type:      "urn:cpcready:problem:" + kind,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    domain.ErrorMessage(err),
		Instance:  c.Request.URL.Path,
		RequestID: domain.RequestIDFrom(c.Request.Context()),
	}
	var de *domain.Error
	if errors.As(err, &de) {
		p.Errors, p.ExistingID = de.Fields, de.ExistingID
	}
	if status >= 500 {
		s.log.Error("request failed", slog.String("request_id", p.RequestID), slog.String("kind", kind), slog.String("error_type", errorType(err)))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="cpcready"`)
	}
	writeProblem(c, p)
}

// writeProblem sends p, filling in the request's path and id.
func writeProblem(c *gin.Context, p Problem) {
	if p.Instance == "" {
		p.Instance = c.Request.URL.Path
	}
	if p.RequestID == "" {
		p.RequestID = domain.RequestIDFrom(c.Request.Context())
	}
	if p.Status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		// Long enough for a client not to add to the trouble, short enough
		// that it comes back soon after the database does.
		c.Header("Retry-After", "5")
	}
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}

// errorType names the Go type of an error without its message.
func errorType(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return typeName(err)
}
