package web_test

import (
	"net/http"
	"strings"
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

// The pack prints every conference of the coming fortnight whole, read
// together, and audits the read of each one.
func TestPrintPackPrintsAndAuditsEachConferenceOfTheFortnight(t *testing.T) {
	a := newApp(t)
	var near []*domain.Conference
	for _, days := range []int{1, 4, 9} {
		near = append(near, a.seed("DEMO", days))
	}
	later := a.seed("DEMO", 20)
	b := a.browser()
	b.signIn(domain.RoleManager)
	before := a.countAudit("read", "conference", "demo-manager")
	var conferenceReads int
	a.db.OnStatement(func(sql string) {
		if strings.Contains(sql, "FROM conferences") {
			conferenceReads++
		}
	})
	got := b.get("/print")
	a.db.OnStatement(nil)
	if got.Status != http.StatusOK {
		t.Fatalf("GET /print: %d\n%s", got.Status, got.Body)
	}
	for _, c := range near {
		if !strings.Contains(got.Body, c.ExternalRef) {
			t.Errorf("the pack leaves out %s", c.ExternalRef)
		}
	}
	if strings.Contains(got.Body, later.ExternalRef) {
		t.Errorf("the pack prints %s, three weeks away", later.ExternalRef)
	}
	if n := a.countAudit("read", "conference", "demo-manager") - before; n != len(near) {
		t.Errorf("%d reads of a conference audited, want %d", n, len(near))
	}
	// The page's aggregates are read together: the list, then its rows
	// whole, not one read of each conference.
	if conferenceReads != 2 {
		t.Errorf("conferences read by %d statements, want 2 for the page", conferenceReads)
	}
}
