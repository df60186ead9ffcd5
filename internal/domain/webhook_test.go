package domain

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewWebhookSecret(t *testing.T) {
	a, b := NewWebhookSecret(), NewWebhookSecret()
	key, ok := strings.CutPrefix(a, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(key)
	if !ok || err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: want whsec_ and 32 bytes in base64", a)
	}
	if a == b {
		t.Fatal("two secrets are the same")
	}
}

func TestWebhookEnabling(t *testing.T) {
	on, off := true, false
	for _, tc := range []struct {
		name      string
		was, set  *bool
		enabled   bool
		reenabled bool
	}{
		{name: "enabled, left unsaid", was: &on, enabled: true},
		{name: "enabled, paused", was: &on, set: &off},
		{name: "disabled, left unsaid", was: &off, enabled: true, reenabled: true},
		{name: "disabled, enabled again", was: &off, set: &on, enabled: true, reenabled: true},
		{name: "disabled, left disabled", was: &off, set: &off},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Webhook{WebhookFields: WebhookFields{Enabled: tc.was}, Secret: "whsec_x"}
			f := WebhookFields{Enabled: tc.set}
			if f.IsEnabled() != tc.enabled || w.Reenabled(f) != tc.reenabled {
				t.Fatalf("enabled %v, reenabled %v; want %v, %v", f.IsEnabled(), w.Reenabled(f), tc.enabled, tc.reenabled)
			}
			if got := w.Audited(); got["enabled"] != *tc.was || strings.Contains(strings.ToLower(strings.Join(keys(got), " ")), "secret") {
				t.Fatalf("audited %v", got)
			}
		})
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDisabledAfter(t *testing.T) {
	for _, tc := range []struct {
		dead    int
		last    Attempt
		disable bool
		says    string
	}{
		{dead: 1, last: Attempt{Outcome: OutcomeTimeout}},
		{dead: DisableAfterDead - 1, last: Attempt{Outcome: OutcomeHTTPStatus, StatusCode: 500}},
		{dead: DisableAfterDead, last: Attempt{Outcome: OutcomeHTTPStatus, StatusCode: 500}, disable: true, says: "3 deliveries in a row failed every attempt over about a day; the last attempt ended: HTTP status 500"},
		{dead: DisableAfterDead + 2, last: Attempt{Outcome: OutcomeRefused}, disable: true, says: "5 deliveries in a row failed every attempt over about a day; the last attempt ended: refused"},
	} {
		reason, disable := DisabledAfter(tc.dead, tc.last)
		if disable != tc.disable || reason != tc.says {
			t.Errorf("%d dead, last %+v: %v %q; want %v %q", tc.dead, tc.last, disable, reason, tc.disable, tc.says)
		}
	}
}
