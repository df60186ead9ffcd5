package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// etag is the conference's version as a strong entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads If-Match as a version. Without the header it is nil, or a
// 428 when required. "*" matches any version. A tag that is not one of ours
// can never match, so it is a 412.
func ifMatch(c *gin.Context, required bool) (*int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		if required {
			return nil, domain.Errorf(domain.EPRECONDREQ, "If-Match with the conference's ETag is required")
		}
		return nil, nil
	}
	if h == "*" {
		return nil, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil {
		return nil, domain.Errorf(domain.EPRECONDITION, "If-Match does not match the current version")
	}
	return &v, nil
}

// respond writes body with the conference's ETag, and a Location for a
// create.
func respond(c *gin.Context, status int, version int, body any, location string) {
	c.Header("ETag", etag(version))
	if location != "" {
		c.Header("Location", location)
	}
	if body == nil {
		c.Status(status)
		return
	}
	c.JSON(status, body)
}

func conferencePath(id string) string { return "/v1/conferences/" + id }

// statusFor is 201 for a new item and 200 for a replaced one.
func statusFor(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// update applies m to the conference named in the path, answering the
// problem itself when it fails.
func (s *Server) update(c *gin.Context, version *int, m domain.Mutation) (*domain.Conference, bool) {
	conf, err := s.db.UpdateConference(c.Request.Context(), principal(c), c.Param("id"), version, m)
	if err != nil {
		s.writeError(c, err)
		return nil, false
	}
	return conf, true
}

// addPart answers a POST that adds a part to the conference in the path:
// add makes it through the conference's method, and the answer is 201
// with the part and its address below the conference, at(part).
func addPart[T any](s *Server, c *gin.Context, at func(part T) string, add func(conf *domain.Conference) (T, domain.Change, error)) {
	version, ok := s.ifMatch(c, false)
	if !ok {
		return
	}
	var part T
	conf, ok := s.update(c, version, func(conf *domain.Conference) (ch domain.Change, err error) {
		part, ch, err = add(conf)
		return ch, err
	})
	if !ok {
		return
	}
	respond(c, http.StatusCreated, conf.Version, part, conferencePath(conf.ID)+at(part))
}

// bind decodes the body strictly into dst and then runs validate, answering
// the problem itself when either fails.
func (s *Server) bind(c *gin.Context, dst any, validate func() error) bool {
	err := decodeJSON(c, dst)
	if err == nil && validate != nil {
		err = validate()
	}
	if err != nil {
		s.writeError(c, err)
		return false
	}
	return true
}

// ifMatch reads If-Match, answering the problem itself when it is missing
// but required, or unusable.
func (s *Server) ifMatch(c *gin.Context, required bool) (*int, bool) {
	v, err := ifMatch(c, required)
	if err != nil {
		s.writeError(c, err)
		return nil, false
	}
	return v, true
}

// readPatch reads a merge patch and the If-Match every PATCH needs,
// answering the problem itself when either is missing or unusable.
func (s *Server) readPatch(c *gin.Context) (*int, []byte, bool) {
	version, ok := s.ifMatch(c, true)
	if !ok {
		return nil, nil, false
	}
	patch, err := readBody(c, "application/merge-patch+json", "application/json")
	if err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	return version, patch, true
}
