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
	return func(c *gin.Context) {
		htmlPage(c)
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsIndex))
	}
}

// docsAssets are the only Swagger UI files served. The module also ships
// an index.html and an initializer that open a public demo spec, and an
// OAuth redirect page; none of those is cpcready's.
var docsAssets = map[string]bool{
	"swagger-ui.css": true, "swagger-ui-bundle.js": true,
	"favicon-16x16.png": true, "favicon-32x32.png": true,
}

// handleDocsAsset serves Swagger UI's scripts and styles; index.html is
// the docs page itself.
func handleDocsAsset() gin.HandlerFunc {
	return func(c *gin.Context) {
		name := c.Param("file")
		switch name {
		case "docs-init.js":
			c.Data(http.StatusOK, "text/javascript; charset=utf-8", []byte(docsInit))
			return
		case "index.html":
			htmlPage(c)
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsIndex))
			return
		}
		b, err := fs.ReadFile(swaggerfiles.FS, name)
		if !docsAssets[name] || err != nil {
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
		}
		c.Data(http.StatusOK, ct, b)
	}
}
