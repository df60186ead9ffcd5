// Package audit describes the audit trail's events and works out which
// fields a write changed. Storage writes the rows; this package decides what
// they say.
package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Actor is who did something: a key's id or a token's subject, never a secret.
type Actor struct {
	// Kind is key, token or system: an id is unique only within its kind.
	// Events recorded before kinds were kept have none.
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Event is one row of the audit trail.
type Event struct {
	ID           int64     `json:"id"`
	OccurredAt   time.Time `json:"occurred_at"`
	Actor        Actor     `json:"actor"`
	Action       string    `json:"action"`
	Entity       string    `json:"entity"`
	EntityID     string    `json:"entity_id"`
	ConferenceID string    `json:"conference_id,omitempty"`
	// RequestID is the server's own id for the request; ClientRequestID
	// is the X-Request-ID the client sent, if any, which it may reuse.
	RequestID       string                 `json:"request_id"`
	ClientRequestID string                 `json:"client_request_id,omitempty"`
	Changes         map[string]FieldChange `json:"changes,omitempty"`
}

// FieldChange is one field's value before and after a write. The values of
// personal free-text fields are never kept: Redacted says one changed.
type FieldChange struct {
	Before   any  `json:"before"`
	After    any  `json:"after"`
	Redacted bool `json:"redacted,omitempty"`
}

// personal names the JSON fields whose values are personal data or free
// text; the trail keeps that they changed, not what they said, so a purge
// of the conference leaves nothing personal behind in the trail.
var personal = map[string]bool{
	"display_name": true, "name": true, "note": true, "grounds": true,
	"reason": true, "detail": true, "title": true, "format_note": true, "role": true,
}

// Diff returns the fields, by JSON path, that differ between before and
// after. Either may be nil, for a create or a delete.
func Diff(before, after any) (map[string]FieldChange, error) {
	b, err := flatten(before)
	if err != nil {
		return nil, err
	}
	a, err := flatten(after)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	out := map[string]FieldChange{}
	for _, k := range sortedKeys(keys) {
		bv, bok := b[k]
		av, aok := a[k]
		if bok && aok && jsonEqual(bv, av) {
			continue
		}
		ch := FieldChange{Before: bv, After: av}
		if personal[lastSegment(k)] {
			ch = FieldChange{Redacted: true}
		}
		out[k] = ch
	}
	return out, nil
}

func flatten(v any) (map[string]any, error) {
	out := map[string]any{}
	if v == nil {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	walk("", tree, out)
	return out, nil
}

// walk flattens objects and arrays into paths such as children[0].name, so
// that every leaf can be judged personal or not by its own name.
func walk(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			walk(p, child, out)
		}
	case []any:
		for i, child := range x {
			walk(fmt.Sprintf("%s[%d]", prefix, i), child, out)
		}
	case nil:
	default:
		if prefix != "" {
			out[prefix] = v
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func lastSegment(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[i+1:]
	}
	return path
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
