package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestHomeListsTheNextFortnightWithFilters(t *testing.T) {
	a := newApp(t)
	soon := a.seed("DEMO", 2)
	later := a.seed("DEMO", 20)
	other := a.seed("E09000006", 3)
	// A ready-ish one of someone else's: another chair and social worker.
	cs := domain.Principal{ID: "seed", Role: domain.RoleCaseSystem, Org: "DEMO"}
	theirs := a.seed("DEMO", 4)
	if _, err := a.db.UpdateConference(context.Background(), cs, theirs.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		c.Chair, c.SocialWorker = &domain.Person{Ref: "CH-9"}, &domain.Person{Ref: "SW-9"}
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	}); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.signIn(domain.RoleChair)
	home := b.get("/")
	for _, c := range []*domain.Conference{soon, theirs} {
		if !strings.Contains(home.Body, c.ExternalRef) {
			t.Errorf("the next 14 days lack %s", c.ExternalRef)
		}
	}
	for _, c := range []*domain.Conference{later, other} {
		if strings.Contains(home.Body, c.ExternalRef) {
			t.Errorf("the next 14 days show %s", c.ExternalRef)
		}
	}
	for _, want := range []string{"Not ready", "Wed 25 Nov 2026, 9:00am", "Initial"} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if got := b.get("/?mine=on"); strings.Contains(got.Body, theirs.ExternalRef) || !strings.Contains(got.Body, soon.ExternalRef) {
		t.Error("mine shows another chair's conference, or not the chair's own")
	}
	if got := b.get("/?from=2026-12-10&to=2026-12-31"); !strings.Contains(got.Body, later.ExternalRef) || strings.Contains(got.Body, soon.ExternalRef) {
		t.Error("the date range is not applied")
	}
	if got := b.get("/?from=2026-13-45"); got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#filter-from"`) {
		t.Errorf("a bad date: %d", got.Status)
	}
	if got := b.get("/?overdue=on"); got.Status != http.StatusOK {
		t.Errorf("overdue filter: %d", got.Status)
	}
	if got := b.get("/?page=not-a-cursor"); got.Status != http.StatusBadRequest {
		t.Errorf("a forged page cursor: %d", got.Status)
	}
	manager := a.browser()
	manager.signIn(domain.RoleManager)
	if got := manager.get("/"); strings.Contains(got.Body, `name="mine"`) {
		t.Error("a manager is offered mine")
	}
}

func TestHomeIsPaged(t *testing.T) {
	a := newApp(t)
	for range 27 {
		a.seed("DEMO", 1)
	}
	b := a.browser()
	b.signIn(domain.RoleManager)
	first := b.get("/")
	if n := strings.Count(first.Body, `<a href="/conferences/`); n != 25 {
		t.Fatalf("first page has %d rows", n)
	}
	i := strings.Index(first.Body, `class="pagination__next" href="`)
	if i < 0 {
		t.Fatal("no next page link")
	}
	rest := first.Body[i+len(`class="pagination__next" href="`):]
	next := strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
	second := b.get(next)
	if n := strings.Count(second.Body, `<a href="/conferences/`); n != 2 {
		t.Errorf("second page has %d rows", n)
	}
}
