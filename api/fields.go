package api

import (
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/audit"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// operationKey holds the operationId of the route being served, for the
// field permissions of auth.FieldPermissions.
const operationKey = "cpcready.operation"

// mayWrite refuses a write that sets or changes a field the caller's role
// may not write: fields have roles as well as routes. before is nil for a
// create. Handlers call it before anything is written.
func mayWrite(c *gin.Context, before, after any) error {
	op := c.GetString(operationKey)
	if _, ok := auth.FieldPermissions[op]; !ok {
		return nil
	}
	changed, err := audit.Diff(before, after)
	if err != nil {
		return err
	}
	role := principal(c).Role
	var refused []domain.FieldError
	for field := range changed {
		if !auth.FieldAllowed(op, field, role) {
			refused = append(refused, domain.FieldError{Field: field, Message: "may not be set or changed by the " + string(role) + " role"})
		}
	}
	if len(refused) == 0 {
		return nil
	}
	sort.Slice(refused, func(i, j int) bool { return refused[i].Field < refused[j].Field })
	return &domain.Error{Kind: domain.EFORBIDDEN, Message: "the " + string(role) + " role may not write some of these fields", Fields: refused}
}
