package api

import (
	"net/http"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestStatusOfEveryKind(t *testing.T) {
	want := map[string]int{
		domain.EINVALID: 422, domain.EMALFORMED: 400, domain.ENOTFOUND: 404, domain.ECONFLICT: 409,
		domain.EINFLIGHT: 409, domain.EUNAUTHORIZED: 401, domain.EFORBIDDEN: 403, domain.EPRECONDITION: 412,
		domain.EPRECONDREQ: 428, domain.ETOOLARGE: 413, domain.EUNSUPPORTED: 415, domain.ERATELIMITED: 429,
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
