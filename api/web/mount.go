package web

import (
	"net/http"
	"strings"
)

// Mount serves the API's paths from apiHandler and every other path from
// app. It matches on the raw path, without cleaning or redirecting, so
// that the API answers exactly as it does on its own.
func Mount(apiHandler, app http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPIPath(r.URL.Path) {
			apiHandler.ServeHTTP(w, r)
			return
		}
		app.ServeHTTP(w, r)
	})
}

func isAPIPath(p string) bool {
	switch p {
	case "/v1", "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/docs":
		return true
	}
	return strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/docs/")
}
