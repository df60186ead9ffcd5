package auth

import (
	"sort"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/domain"
)

// MayWrite refuses a write that sets or changes a field the role may not
// write in the operation (FieldPermissions). before is nil for a create.
// The fields are found by the audit trail's own diff, so what is checked
// is exactly what is recorded.
func MayWrite(operation string, role domain.Role, before, after any) error {
	if _, ok := FieldPermissions[operation]; !ok {
		return nil
	}
	changed, err := audit.Diff(before, after)
	if err != nil {
		return err
	}
	var refused []domain.FieldError
	for field := range changed {
		if !FieldAllowed(operation, field, role) {
			refused = append(refused, domain.FieldError{Field: field, Message: "may not be set or changed by the " + string(role) + " role"})
		}
	}
	if len(refused) == 0 {
		return nil
	}
	sort.Slice(refused, func(i, j int) bool { return refused[i].Field < refused[j].Field })
	return &domain.Error{Kind: domain.EFORBIDDEN, Message: "the " + string(role) + " role may not write some of these fields", Fields: refused}
}

// CheckFields refuses the change m makes when it sets or changes a field
// the role may not write in the operation (MayWrite). The change is
// checked after m has made it, so that a change the domain refuses is
// answered as invalid first; a refused conference is never written.
func CheckFields(operation string, role domain.Role, m domain.Mutation) domain.Mutation {
	return func(c *domain.Conference) (domain.Change, error) {
		ch, err := m(c)
		if err != nil {
			return domain.Change{}, err
		}
		return ch, MayWrite(operation, role, ch.Before, ch.After)
	}
}
