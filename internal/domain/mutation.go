package domain

import "fmt"

// Change describes one write, for the audit trail. Before and After are
// domain values; the audit row records the fields that differ.
type Change struct {
	Action   string // create, update or delete
	Entity   string // what changed: conference, participant, need, contact, report, share, child_views, professional, readiness_check, policy
	EntityID string
	Before   any
	After    any
}

// Mutation changes a conference loaded inside a write transaction and says
// what it changed. It must not keep c beyond the call. When it returns an
// error, c is thrown away unwritten, so a mutation may fail after a
// method has changed c (as a field-permission check does).
type Mutation func(c *Conference) (Change, error)

// The conference's methods (AddParticipant, AddShare, UpdateFields and the
// rest) are the only way its parts change, whoever asks: the API, the web
// pages, one-call create and seeding (Assemble). Each checks its input,
// then the aggregate's own rules (limits, references between parts,
// duplicates), and changes the conference only when all of them pass, so
// a refused change leaves it exactly as it was.

// found returns p, or a not-found error with the message when p is nil.
func found[T any](p *T, message string) (*T, error) {
	if p == nil {
		return nil, Errorf(ENOTFOUND, "%s", message)
	}
	return p, nil
}

// room refuses a new part when its list already holds limit of them (the
// owner has at most limit of what), or when its id is empty or already
// names a part of its kind. Ids are the caller's to choose (the API makes
// random ones, seeding makes stable ones), so the id check guards against
// a caller's mistake.
func room(held, limit int, owner, what, id string, taken bool) error {
	switch {
	case held >= limit:
		return Errorf(EINVALID, "a %s has at most %d %s", owner, limit, what)
	case id == "":
		return Invalid(FieldError{Field: "id", Message: "is required"})
	case taken:
		return Invalid(FieldError{Field: "id", Message: "is already used in this conference"})
	}
	return nil
}

// at names a part of a list, such as participants[2].
func at(list string, i int) string { return fmt.Sprintf("%s[%d]", list, i) }
