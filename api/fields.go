package api

import (
	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/auth"
)

// operationKey holds the operationId of the route being served, for the
// field permissions of auth.FieldPermissions.
const operationKey = "cpcready.operation"

// mayWrite refuses a write that sets or changes a field the caller's role
// may not write (auth.MayWrite). before is nil for a create. Handlers call
// it before anything is written.
func mayWrite(c *gin.Context, before, after any) error {
	return auth.MayWrite(c.GetString(operationKey), principal(c).Role, before, after)
}
