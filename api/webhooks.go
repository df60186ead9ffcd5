package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/notify"
	"github.com/cpcready/cpcready/internal/store"
)

func webhookPath(id string) string { return "/v1/webhooks/" + id }

// checkWebhook validates a subscription's fields, its URL included.
func (s *Server) checkWebhook(f *domain.WebhookFields) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return notify.CheckURL(f.URL, s.webhookAllowPrivate)
}

func (s *Server) handleCreateWebhook() gin.HandlerFunc {
	return func(c *gin.Context) {
		var f domain.WebhookFields
		if !s.bind(c, &f, func() error { return s.checkWebhook(&f) }) {
			return
		}
		w, err := s.db.CreateWebhook(c.Request.Context(), principal(c), f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusCreated, w.Version, w, webhookPath(w.ID))
	}
}

type webhookList struct {
	Items []domain.Webhook `json:"items"`
}

func (s *Server) handleListWebhooks() gin.HandlerFunc {
	return func(c *gin.Context) {
		ws, err := s.db.Webhooks(c.Request.Context(), principal(c))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, webhookList{Items: ws})
	}
}

func (s *Server) handleGetWebhook() gin.HandlerFunc {
	return func(c *gin.Context) {
		w, err := s.db.Webhook(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, w.Version, w, "")
	}
}

func (s *Server) handleUpdateWebhook() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		w, err := s.db.UpdateWebhook(c.Request.Context(), principal(c), c.Param("id"), version, func(f *domain.WebhookFields) error {
			before := *f
			var next domain.WebhookFields
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return err
			}
			if err := s.checkWebhook(&next); err != nil {
				return err
			}
			*f = next
			return nil
		})
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, w.Version, w, "")
	}
}

func (s *Server) handleDeleteWebhook() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.db.DeleteWebhook(c.Request.Context(), principal(c), c.Param("id")); err != nil {
			s.writeError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func (s *Server) handleRotateWebhookSecret() gin.HandlerFunc {
	return func(c *gin.Context) {
		w, err := s.db.RotateWebhookSecret(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		respond(c, http.StatusOK, w.Version, w, "")
	}
}

type deliveryList struct {
	Items []domain.Delivery `json:"items"`
	Next  *string           `json:"next_cursor"`
}

func (s *Server) handleListDeliveries() gin.HandlerFunc {
	return func(c *gin.Context) {
		page, err := parseDeliveryPage(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		ds, err := s.db.Deliveries(c.Request.Context(), principal(c), c.Param("id"), page)
		if err != nil {
			s.writeError(c, err)
			return
		}
		resp := deliveryList{Items: ds}
		if len(ds) == page.Limit {
			next := strconv.FormatInt(ds[len(ds)-1].Sequence, 10)
			resp.Next = &next
		}
		c.JSON(http.StatusOK, resp)
	}
}

func parseDeliveryPage(c *gin.Context) (store.DeliveryPage, error) {
	q := c.Request.URL.Query()
	page := store.DeliveryPage{Limit: 50}
	var fields []domain.FieldError
	switch page.Status = q.Get("status"); page.Status {
	case "", domain.DeliveryPending, domain.DeliveryDelivered, domain.DeliveryDead:
	default:
		fields = append(fields, domain.FieldError{Field: "status", Message: "must be pending, delivered or dead"})
	}
	page.Limit, page.After = pageParams(q, &fields)
	if len(fields) > 0 {
		return page, domain.Invalid(fields...)
	}
	return page, nil
}

func (s *Server) handleRedeliver() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.db.Redeliver(c.Request.Context(), principal(c), c.Param("id"), c.Param("delivery_id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusAccepted, d)
	}
}
