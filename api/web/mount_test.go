package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The API keeps its paths and its answers beside the web app.
func TestMountSendsAPIPathsToTheAPI(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	for path, want := range map[string]string{
		"/v1/conferences": "application/problem+json", "/healthz": "application/json", "/openapi.yaml": "yaml",
		"/v1": "application/problem+json", "/v1/no-such": "application/problem+json",
		"/nowhere": "text/html", "/v1x": "text/html", "/": "text/html",
	} {
		got := b.get(path)
		if ct := got.Header.Get("Content-Type"); !strings.Contains(ct, want) {
			t.Errorf("GET %s: Content-Type %q, want %s (%d)", path, ct, want, got.Status)
		}
	}
	if got := b.get("/v1/conferences"); got.Status != http.StatusUnauthorized {
		t.Errorf("the API without a key: %d", got.Status)
	}
}
