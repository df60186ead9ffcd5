package main

import (
	"strings"
	"testing"
	"time"
)

// TestEventSettings: the event retention defaults to 30 days, the private
// webhook setting to off, and a value that cannot be read stops start-up.
func TestEventSettings(t *testing.T) {
	cfg, err := loadConfig(envOf(nil))
	if err != nil || cfg.EventRetention != 30*24*time.Hour || cfg.WebhookAllowPrivate {
		t.Fatalf("defaults: %v, retention %s, allow private %v", err, cfg.EventRetention, cfg.WebhookAllowPrivate)
	}
	cfg, err = loadConfig(envOf(map[string]string{"CPCREADY_EVENT_RETENTION": "168h", "CPCREADY_WEBHOOK_ALLOW_PRIVATE": "true"}))
	if err != nil || cfg.EventRetention != 168*time.Hour || !cfg.WebhookAllowPrivate {
		t.Fatalf("set: %v, retention %s, allow private %v", err, cfg.EventRetention, cfg.WebhookAllowPrivate)
	}
	for name, value := range map[string]string{"CPCREADY_EVENT_RETENTION": "-1h", "CPCREADY_WEBHOOK_ALLOW_PRIVATE": "yes"} {
		if _, err := loadConfig(envOf(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, value, err)
		}
	}
}
