package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestStatusOfEveryKind(t *testing.T) {
	want := map[string]int{
		domain.EINVALID: 422, domain.EMALFORMED: 400, domain.ENOTFOUND: 404, domain.ECONFLICT: 409,
		domain.EINFLIGHT: 409, domain.EUNAUTHORIZED: 401, domain.EFORBIDDEN: 403, domain.EPRECONDITION: 412,
		domain.EPRECONDREQ: 428, domain.ETOOLARGE: 413, domain.ETIMEOUT: 408, domain.EUNSUPPORTED: 415, domain.ERATELIMITED: 429,
		domain.EUNAVAILABLE: 503, domain.EINTERNAL: 500, "something new": 500,
	}
	for kind, status := range want {
		if got := statusOf(kind); got != status {
			t.Errorf("statusOf(%q) = %d, want %d", kind, got, status)
		}
	}
	if statusOf(domain.ErrorKind(http.ErrBodyNotAllowed)) != 500 {
		t.Error("a plain error is not a 500")
	}
}

// TestPanicIsA500ProblemWithNothingLogged panics in a handler with a value
// that could be personal: the client gets a plain 500 problem, and the log
// names only the panic's type.
func TestPanicIsA500ProblemWithNothingLogged(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Config{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.engine.GET("/boom", func(*gin.Context) { panic("Jane Doe's address") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 500 || p.RequestID == "" {
		t.Fatalf("problem %+v, %v", p, err)
	}
	if strings.Contains(rec.Body.String()+logs.String(), "Jane") || !strings.Contains(logs.String(), `"msg":"panic"`) {
		t.Fatalf("body %s\nlog %s", rec.Body.String(), logs.String())
	}
}
