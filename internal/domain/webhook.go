package domain

import (
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
