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
func respond(c *gin.Context, status int, conf *domain.Conference, body any, location string) {
	c.Header("ETag", etag(conf.Version))
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
