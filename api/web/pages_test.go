package web_test

import (
	"net/http"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// Every page answers for every role that uses the pages.
func TestEveryPageRendersForEveryRole(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	pid := c.Participants[0].ID
	paths := []string{"/", "/print", "/conferences/" + c.ID, "/conferences/" + c.ID + "/participants/" + pid,
		"/conferences/" + c.ID + "/reports", "/conferences/" + c.ID + "/children", "/conferences/" + c.ID + "/check",
		"/conferences/" + c.ID + "/history", "/conferences/" + c.ID + "/print", "/conferences/" + c.ID + "/professionals"}
	for _, role := range []domain.Role{domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin} {
		b := a.browser()
		b.signIn(role)
		for _, p := range paths {
			if got := b.get(p); got.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d\n%s", role, p, got.Status, got.Body)
			}
		}
	}
}
