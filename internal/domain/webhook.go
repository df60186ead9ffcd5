package domain

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// MaxWebhooks is how many subscriptions an organisation may have.
const MaxWebhooks = 20

// WebhookFields are what an admin sets on a subscription.
type WebhookFields struct {
	URL        string   `json:"url" validate:"required,max=2000"`
	EventTypes []string `json:"event_types" validate:"required,min=1,max=10,unique"`
	// Enabled is false once the service gave up on a failing receiver, or
	// when an admin pauses it; setting it true again resumes delivery.
	Enabled *bool `json:"enabled,omitempty"`
}

// Webhook is a subscription: where an organisation's events are pushed.
type Webhook struct {
	ID string `json:"id"`
	WebhookFields
	// DisabledReason says why the service disabled it.
	DisabledReason string     `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Secret signs deliveries; it is shown once, at create and rotate.
	Secret string `json:"secret,omitempty"`
}

// Validate checks the fields; the URL's scheme and address are checked by
// the sender's rules, which depend on configuration.
func (f *WebhookFields) Validate() error {
	fields := validateStruct(f)
	for i, t := range f.EventTypes {
		if !IsEventType(t) {
			fields = append(fields, FieldError{fmt.Sprintf("event_types[%d]", i), "is not a known event type"})
		}
	}
	return invalidIf(fields)
}

// NewWebhookSecret makes a signing secret in the Standard Webhooks form:
// whsec_ and 32 random bytes in base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on the supported platforms
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Audited is what the audit trail records of a subscription: never its
// secret.
func (w Webhook) Audited() map[string]any {
	return map[string]any{"url": w.URL, "event_types": w.EventTypes, "enabled": w.IsEnabled()}
}

// IsEnabled reports whether the fields leave a subscription enabled: they
// do unless they say otherwise.
func (f WebhookFields) IsEnabled() bool { return f.Enabled == nil || *f.Enabled }

// Reenabled reports whether setting f on w enables it again, which clears
// why it was disabled and gives its receiver a fresh start.
func (w Webhook) Reenabled(f WebhookFields) bool { return f.IsEnabled() && !w.IsEnabled() }

// DisableAfterDead is how many deliveries in a row may die before their
// subscription is disabled.
const DisableAfterDead = 3

// DisabledAfter says whether a subscription whose deliveries have died
// dead times in a row, the last try ending as last, is to be disabled,
// and why, in words an admin can act on.
func DisabledAfter(dead int, last Attempt) (reason string, disable bool) {
	if dead < DisableAfterDead {
		return "", false
	}
	ended := last.Outcome
	if last.Outcome == OutcomeHTTPStatus {
		ended = fmt.Sprintf("HTTP status %d", last.StatusCode)
	}
	return fmt.Sprintf("%d deliveries in a row failed every attempt over about a day; the last attempt ended: %s", dead, ended), true
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// Delivery is one event on its way to one subscription.
type Delivery struct {
	ID            string     `json:"id"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Sequence      int64      `json:"sequence"`
	ConferenceID  string     `json:"conference_id"`
	Status        string     `json:"status"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Attempts      []Attempt  `json:"attempts"`
}

// Attempt is one try at a delivery. Outcome is delivered, http_status (a
// reply other than 2xx), timeout, refused (the address is not allowed) or
// network (the receiver could not be reached).
type Attempt struct {
	Number      int       `json:"number"`
	AttemptedAt time.Time `json:"attempted_at"`
	Outcome     string    `json:"outcome"`
	StatusCode  int       `json:"status_code,omitempty"`
	DurationMS  int64     `json:"duration_ms"`
}

// Attempt outcomes.
const (
	OutcomeDelivered  = "delivered"
	OutcomeHTTPStatus = "http_status"
	OutcomeTimeout    = "timeout"
	OutcomeRefused    = "refused"
	OutcomeNetwork    = "network"
)
