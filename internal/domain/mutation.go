package domain

// Change describes one write, for the audit trail. Before and After are
// domain values; the audit row records the fields that differ.
type Change struct {
	Action   string // create, update or delete
	Entity   string // what changed: conference, participant, need, contact, report, share, child_views, readiness_check, policy
	EntityID string
	Before   any
	After    any
}

// Mutation changes a conference loaded inside a write transaction and says
// what it changed. It must not keep c beyond the call.
type Mutation func(c *Conference) (Change, error)
