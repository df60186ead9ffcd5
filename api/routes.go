package api

import (
	"net/http"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// routes lists the whole API surface. Each /v1 operation is named by the
// operationId that openapi.yaml and the permission table share.
func (s *Server) routes(corsOrigins []string, withMetrics bool) {
	e := s.engine
	e.Use(requestID(), securityHeaders(s.tls), s.closeWhileDraining(), s.accessLog(), s.recovery(), bodyLimit(maxBody))
	if len(corsOrigins) > 0 {
		e.Use(allowedOriginsOnly(corsOrigins, cors.New(cors.Config{
			AllowOrigins:  corsOrigins,
			AllowMethods:  []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
			AllowHeaders:  []string{"Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"},
			ExposeHeaders: []string{"ETag", "Location", "X-Request-ID", "Retry-After"},
			MaxAge:        10 * time.Minute,
		})))
	}
	e.NoRoute(func(c *gin.Context) { s.writeError(c, domain.Errorf(domain.ENOTFOUND, "no such resource")) })
	e.NoMethod(func(c *gin.Context) {
		c.Header("Content-Type", "application/problem+json")
		writeProblem(c, Problem{Type: "urn:cpcready:problem:method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed), Status: http.StatusMethodNotAllowed, Detail: "this resource does not support " + c.Request.Method, Instance: c.Request.URL.Path})
	})

	e.GET("/healthz", s.handleHealthz())
	e.GET("/readyz", s.handleReadyz())
	if withMetrics {
		e.GET("/metrics", s.handleMetrics())
	}
	e.GET("/openapi.yaml", handleSpec())
	e.GET("/docs", handleDocsIndex())
	e.GET("/docs/:file", handleDocsAsset())

	v1 := e.Group("/v1", noStore(), s.authenticate())
	s.op(v1, "GET", "/conferences", "listConferences", s.handleListConferences())
	s.op(v1, "POST", "/conferences", "createConference", s.handleCreateConference())
	s.op(v1, "GET", "/conferences/:id", "getConference", s.handleGetConference())
	s.op(v1, "PATCH", "/conferences/:id", "updateConference", s.handleUpdateConference())
	s.op(v1, "POST", "/conferences/:id/participants", "addParticipant", s.handleAddParticipant())
	s.op(v1, "GET", "/conferences/:id/participants/:pid", "getParticipant", s.handleGetPart(participantPart))
	s.op(v1, "PATCH", "/conferences/:id/participants/:pid", "updateParticipant", s.handleUpdateParticipant())
	s.op(v1, "DELETE", "/conferences/:id/participants/:pid", "deleteParticipant", s.handleDeleteParticipant())
	s.op(v1, "PUT", "/conferences/:id/participants/:pid/needs/:kind", "putNeed", s.handlePutNeed())
	s.op(v1, "DELETE", "/conferences/:id/participants/:pid/needs/:kind", "deleteNeed", s.handleDeleteNeed())
	s.op(v1, "POST", "/conferences/:id/participants/:pid/contacts", "addContact", s.handleAddContact())
	s.op(v1, "GET", "/conferences/:id/participants/:pid/contacts/:cid", "getContact", s.handleGetPart(contactPart))
	s.op(v1, "POST", "/conferences/:id/reports", "addReport", s.handleAddReport())
	s.op(v1, "GET", "/conferences/:id/reports/:rid", "getReport", s.handleGetPart(reportPart))
	s.op(v1, "POST", "/conferences/:id/reports/:rid/shares", "addShare", s.handleAddShare())
	s.op(v1, "GET", "/conferences/:id/reports/:rid/shares/:sid", "getShare", s.handleGetPart(sharePart))
	s.op(v1, "PATCH", "/conferences/:id/reports/:rid", "updateReport", s.handleUpdateReport())
	s.op(v1, "PUT", "/conferences/:id/children/:child_ref/views", "putChildViews", s.handlePutChildViews())
	s.op(v1, "GET", "/conferences/:id/professionals", "listProfessionals", s.handleListProfessionals())
	s.op(v1, "POST", "/conferences/:id/professionals", "addProfessional", s.handleAddProfessional())
	s.op(v1, "GET", "/conferences/:id/professionals/:prof_id", "getProfessional", s.handleGetPart(professionalPart))
	s.op(v1, "PATCH", "/conferences/:id/professionals/:prof_id", "updateProfessional", s.handleUpdateProfessional())
	s.op(v1, "DELETE", "/conferences/:id/professionals/:prof_id", "deleteProfessional", s.handleDeleteProfessional())
	s.op(v1, "GET", "/conferences/:id/readiness", "getReadiness", s.handleGetReadiness())
	s.op(v1, "GET", "/conferences/:id/readiness-checks", "listReadinessChecks", s.handleListReadinessChecks())
	s.op(v1, "POST", "/conferences/:id/readiness-checks", "addReadinessCheck", s.handleAddReadinessCheck())
	s.op(v1, "GET", "/conferences/:id/readiness-checks/:check_id", "getReadinessCheck", s.handleGetReadinessCheck())
	s.op(v1, "GET", "/conferences/:id/history", "getHistory", s.handleGetHistory())
	s.op(v1, "GET", "/insights", "getInsights", s.handleGetInsights())
	s.op(v1, "GET", "/policy", "getPolicy", s.handleGetPolicy())
	s.op(v1, "PUT", "/policy", "putPolicy", s.handlePutPolicy())
	s.op(v1, "GET", "/events", "listEvents", s.handleListEvents())
	s.op(v1, "GET", "/webhooks", "listWebhooks", s.handleListWebhooks())
	s.op(v1, "POST", "/webhooks", "createWebhook", s.handleCreateWebhook())
	s.op(v1, "GET", "/webhooks/:id", "getWebhook", s.handleGetWebhook())
	s.op(v1, "PATCH", "/webhooks/:id", "updateWebhook", s.handleUpdateWebhook())
	s.op(v1, "DELETE", "/webhooks/:id", "deleteWebhook", s.handleDeleteWebhook())
	s.op(v1, "POST", "/webhooks/:id/rotate-secret", "rotateWebhookSecret", s.handleRotateWebhookSecret())
	s.op(v1, "GET", "/webhooks/:id/deliveries", "listWebhookDeliveries", s.handleListDeliveries())
	s.op(v1, "POST", "/webhooks/:id/deliveries/:delivery_id/redeliver", "redeliverWebhookDelivery", s.handleRedeliver())
	s.op(v1, "GET", "/policy/history", "getPolicyHistory", s.handleGetPolicyHistory())
}

// op registers one /v1 operation behind its role check; every POST also
// honours Idempotency-Key.
func (s *Server) op(g *gin.RouterGroup, method, path, operation string, h gin.HandlerFunc) {
	chain := []gin.HandlerFunc{s.authorize(operation), s.strictQuery(operation)}
	if method == http.MethodPost {
		chain = append(chain, s.idempotent())
	}
	g.Handle(method, path, append(chain, h)...)
}

// allowedOriginsOnly hands a request to the CORS middleware only when its
// Origin is on the list. The middleware refuses other origins with a bare
// 403; without CORS headers a browser refuses them anyway, and every other
// client is answered as usual.
func allowedOriginsOnly(origins []string, corsMiddleware gin.HandlerFunc) gin.HandlerFunc {
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[o] = true
	}
	return func(c *gin.Context) {
		if allowed[c.GetHeader("Origin")] {
			corsMiddleware(c)
			return
		}
		c.Next()
	}
}
