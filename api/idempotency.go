package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// capture keeps a copy of what a handler writes, for replay.
type capture struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capture) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// idempotent makes a POST with an Idempotency-Key safe to repeat: the key is
// stored per principal with a hash of the request, a replay gets the stored
// response, another body under the same key is refused, and a key still in
// flight is a conflict. Server errors release the key so a retry runs again.
func (s *Server) idempotent() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		if len(key) > 255 || !printableASCII(key) {
			s.writeError(c, domain.Invalid(domain.FieldError{Field: "Idempotency-Key", Message: "must be at most 255 printable ASCII characters"}))
			return
		}
		body, err := readAll(c.Request.Body)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		hash := requestHash(c.Request.Method, c.Request.URL.Path, c.GetHeader("Content-Type")+"\n"+c.GetHeader("If-Match"), body)
		p := principal(c)
		ctx := c.Request.Context()
		replay, err := s.db.BeginIdempotent(ctx, p, key, hash)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if replay != nil {
			writeStored(c, *replay)
			return
		}
		w := &capture{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		// Record the outcome even if the client has gone: its retry needs it.
		ctx = context.WithoutCancel(ctx)
		status := w.Status()
		if status >= 500 {
			_ = s.db.AbandonIdempotent(ctx, p, key)
			return
		}
		stored := store.StoredResponse{Status: status, Body: w.body.Bytes(), Location: w.Header().Get("Location"), ETag: w.Header().Get("ETag")}
		if err := s.db.FinishIdempotent(ctx, p, key, stored); err != nil {
			_ = s.db.AbandonIdempotent(ctx, p, key)
		}
	}
}

// printableASCII reports whether key is a structured-field string, as the
// Idempotency-Key header is defined to be; other bytes could not be stored
// as text on PostgreSQL.
func printableASCII(key string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash identifies a request's content and the headers that change
// its meaning, so that a key reused for a different request is caught.
func requestHash(method, path, headers string, body []byte) string {
	sum := sha256.New()
	sum.Write([]byte(method + " " + path + "\n" + headers + "\n"))
	sum.Write(body)
	return hex.EncodeToString(sum.Sum(nil))
}

func writeStored(c *gin.Context, r store.StoredResponse) {
	if r.Location != "" {
		c.Header("Location", r.Location)
	}
	if r.ETag != "" {
		c.Header("ETag", r.ETag)
	}
	c.Header("Idempotent-Replayed", "true")
	ct := "application/json"
	if r.Status >= http.StatusBadRequest {
		ct = "application/problem+json"
	}
	c.Data(r.Status, ct, r.Body)
	c.Abort()
}
