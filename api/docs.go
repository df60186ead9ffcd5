package api

import (
	"io/fs"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files/v2"

	"github.com/cpcready/cpcready"
	"github.com/cpcready/cpcready/internal/domain"
)

func handleSpec() gin.HandlerFunc {
	return func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", cpcready.OpenAPI) }
}

// docsIndex loads Swagger UI's own files (embedded by the swaggo/files
// module) and points it at /openapi.yaml.
const docsIndex = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cpcready API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs-init.js"></script>
</body>
</html>
`

// docsInit is served as a file, not inline, so a strict Content-Security-
// Policy without 'unsafe-inline' can still render the page.
const docsInit = `window.ui = SwaggerUIBundle({url: "/openapi.yaml", dom_id: "#ui", deepLinking: true});
`

func handleDocsIndex() gin.HandlerFunc {
	return func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsIndex)) }
}

// handleDocsAsset serves Swagger UI's scripts and styles.
func handleDocsAsset() gin.HandlerFunc {
	return func(c *gin.Context) {
		name := path.Base(c.Param("file"))
		if name == "docs-init.js" {
			c.Data(http.StatusOK, "text/javascript; charset=utf-8", []byte(docsInit))
			return
		}
		b, err := fs.ReadFile(swaggerfiles.FS, name)
		if err != nil {
			writeProblem(c, Problem{Type: "urn:cpcready:problem:" + domain.ENOTFOUND, Title: "Not Found", Status: http.StatusNotFound, Detail: "no such file", Instance: c.Request.URL.Path})
			return
		}
		ct := "application/octet-stream"
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".png":
			ct = "image/png"
		case ".html":
			ct = "text/html; charset=utf-8"
		case ".map":
			ct = "application/json"
		}
		c.Data(http.StatusOK, ct, b)
	}
}
