package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// A filter never silently vanishes. Past Go's limit of 10,000 parameters
// the parser keeps none, so ?status=held would list every conference; a
// bad escape or a ';' does the same. Each is refused instead.
func TestQueryFiltersNeverVanish(t *testing.T) {
	e := newEnv(t)
	e.mustCreate(orgA, "Q-SCHEDULED")
	key := e.key(orgA, domain.RoleManager)
	padding := strings.Repeat("&x=1", 10_000)
	list := "/v1/conferences?status=held"
	if p := ctList(t, e, orgA, "status=held"); len(p.Items) != 0 {
		t.Fatalf("status=held lists %v", p.refs())
	}
	for name, path := range map[string]string{
		"past the parameter limit":  list + padding,
		"a bad escape":              list + "&external_ref=%zz",
		"a semicolon":               list + ";limit=5",
		"history past the limit":    ctPath(e.mustCreate(orgA, "Q-H"), "history") + "?order=newest" + padding,
		"padding of known names":    list + strings.Repeat("&status=held", 10_000),
		"a bare escape in the name": "/v1/conferences?%=held",
	} {
		got := e.do(req{Method: "GET", Path: path, Key: key})
		if got.Status != http.StatusBadRequest || !strings.Contains(string(got.Body), "urn:cpcready:problem:malformed") {
			t.Errorf("%s: %d %s, want a 400 problem", name, got.Status, truncate(got.Body))
		}
	}
}

// Every operation refuses query parameters it does not take, and any given
// twice: a misspelt or duplicated filter is an error, not a wider answer.
func TestEveryOperationRefusesUnknownAndRepeatedParameters(t *testing.T) {
	e := newEnv(t)
	f := e.mustFixture("Q-ALL")
	for _, op := range operations() {
		for _, q := range []string{"stauts=held", "limit=1&limit=2", "cursor=1&cursor=1"} {
			r := op.build(f)
			r.Key = e.key(orgA, op.allowed[0])
			sep := "?"
			if strings.Contains(r.Path, "?") {
				sep = "&"
			}
			r.Path += sep + q
			if got := e.do(r); got.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s %s: %d, want 422: %s", op.id, r.Path, got.Status, truncate(got.Body))
			}
		}
	}
}
