package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

const techNotArranged = "technology need is identified but not arranged"

func TestSocialWorkerArrangesANeedAndItsFindingClears(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	before := b.get(path)
	if !strings.Contains(before.Body, techNotArranged) {
		t.Fatalf("the finding is not shown before: %s", before.Body)
	}
	got := b.post(path+"/needs/technology", url.Values{"version": {before.version(t)}, "status": {"arranged"}, "detail": {"laptop lent"}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", got.Status, got.Body)
	}
	after := b.get(got.Location)
	if strings.Contains(after.Body, techNotArranged) {
		t.Error("the finding is still shown after the need was arranged")
	}
	if !strings.Contains(after.Body, "Technology need saved") {
		t.Error("no confirmation after saving")
	}
	conf, err := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := conf.Participants[0].Need("technology"); n == nil || n.Status != "arranged" || n.Detail != "laptop lent" {
		t.Errorf("stored need = %+v", n)
	}
	events, err := a.db.History(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID, store.HistoryPage{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || (e.Entity == "need" && e.Action == "update" && e.Actor.Role == "social_worker")
	}
	if !found {
		t.Error("the change is not in the audit trail as the social worker's")
	}
}

func TestStaleSaveShowsTheConflictAndKeepsTheInput(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	stale := b.get(path).version(t)
	// Someone else saves first.
	if p := b.post(path+"/needs/childcare", url.Values{"version": {stale}, "status": {"not_needed"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", p.Status)
	}
	got := b.post(path+"/needs/technology", url.Values{"version": {stale}, "status": {"arranged"}, "detail": {"a loan laptop from the library"}})
	if got.Status != http.StatusConflict {
		t.Fatalf("stale save: got %d, want 409", got.Status)
	}
	for _, want := range []string{"This conference was changed by someone else", "a loan laptop from the library", "Saved now by someone else"} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	conf, _ := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if n := conf.Participants[0].Need("technology"); n.Status != "identified" {
		t.Errorf("the stale save was written: %+v", n)
	}
	// Saving again from the conflict page, at the version it carries, works.
	if p := b.post(path+"/needs/technology", url.Values{"version": {page{Body: got.Body}.version(t)}, "status": {"arranged"}}); p.Status != http.StatusSeeOther {
		t.Errorf("saving again: %d", p.Status)
	}
}

func TestInvalidInputIsSummarisedAndLinkedToItsField(t *testing.T) {
	_, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	v := b.get(path).version(t)
	got := b.post(path+"/needs/language", url.Values{"version": {v}, "status": {"identified"}, "detail": {"Polish speaker"}})
	if got.Status != http.StatusUnprocessableEntity {
		t.Fatalf("got %d, want 422", got.Status)
	}
	for _, want := range []string{"There is a problem", `href="#need-language-language"`, `id="need-language-language"`, "Polish speaker", "<title>Error: "} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	got = b.post(path+"/contacts", url.Values{"version": {v}, "with": {"social_worker"}, "on-day": {"31"}, "on-month": {"2"}, "on-year": {"2026"}, "method": {"phone"}})
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#contact-on"`) || !strings.Contains(got.Body, `value="31"`) {
		t.Errorf("an impossible date: %d, or no link to the field, or the input was lost", got.Status)
	}
}

func TestAnotherOrganisationsConferenceIsNotFound(t *testing.T) {
	a := newApp(t)
	c := a.seed("E09000006", 2)
	b := a.browser()
	b.signIn(domain.RoleSocialWorker)
	for _, p := range []string{"/conferences/" + c.ID, "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID, "/conferences/" + c.ID + "/history", "/conferences/not-a-uuid"} {
		if got := b.get(p); got.Status != http.StatusNotFound || !strings.Contains(got.Body, "Page not found") {
			t.Errorf("GET %s: %d", p, got.Status)
		}
	}
	got := b.post("/conferences/"+c.ID+"/participants/"+c.Participants[0].ID+"/needs/technology", url.Values{"version": {"2"}, "status": {"arranged"}})
	if got.Status != http.StatusNotFound {
		t.Errorf("POST to another organisation's conference: %d", got.Status)
	}
}

func TestARoleSeesNoControlItMayNotUseAndAForgedPostIsRefused(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	manager := a.browser()
	manager.signIn(domain.RoleManager)
	if p := manager.get(path); strings.Contains(p.Body, ">Save<") || strings.Contains(p.Body, `name="version"`) {
		t.Error("a manager is shown a form")
	}
	if p := manager.get("/conferences/" + c.ID + "/check"); strings.Contains(p.Body, ">Proceed<") {
		t.Error("a manager is shown the chair's decision")
	}
	forged := []struct {
		role domain.Role
		path string
		form url.Values
	}{
		{domain.RoleManager, path + "/needs/technology", url.Values{"version": {"2"}, "status": {"arranged"}}},
		{domain.RoleManager, "/conferences/" + c.ID + "/check", url.Values{"decision": {"postpone"}, "note": {"x"}}},
		{domain.RoleChair, path + "/needs/technology", url.Values{"version": {"2"}, "status": {"arranged"}}},
		{domain.RoleSocialWorker, path + "/contacts", url.Values{"version": {"2"}, "with": {"chair"}, "on-day": {"20"}, "on-month": {"11"}, "on-year": {"2026"}, "method": {"phone"}}},
		{domain.RoleSocialWorker, "/conferences/" + c.ID + "/check", url.Values{"decision": {"proceed"}, "note": {"x"}}},
	}
	for _, f := range forged {
		b := a.browser()
		b.signIn(f.role)
		if got := b.post(f.path, f.form); got.Status != http.StatusForbidden || !strings.Contains(got.Body, "You cannot do this") {
			t.Errorf("%s POST %s: %d", f.role, f.path, got.Status)
		}
	}
	conf, _ := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if conf.Version != c.Version || conf.Participants[0].Need("technology").Status != "identified" {
		t.Error("a refused post changed the conference")
	}
}

func TestACrossSitePostIsRefused(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID + "/needs/technology"
	form := url.Values{"version": {"2"}, "status": {"arranged"}}
	if got := b.postFrom("https://evil.example", "cross-site", path, form); got.Status != http.StatusForbidden {
		t.Errorf("cross-site: %d", got.Status)
	}
	if got := b.postFrom("https://evil.example", "", path, form); got.Status != http.StatusForbidden {
		t.Errorf("an older browser's cross-origin post: %d", got.Status)
	}
	if got := b.postFrom("", "cross-site", "/sign-out", nil); got.Status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d", got.Status)
	}
	conf, _ := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if conf.Participants[0].Need("technology").Status != "identified" {
		t.Error("a cross-site post changed the conference")
	}
	if got := b.get("/"); got.Status != http.StatusOK {
		t.Errorf("the session did not survive the refused posts: %d", got.Status)
	}
}

func TestTheChairPostponesWithANoteThenProceeds(t *testing.T) {
	_, c, b := startAs(t, domain.RoleChair)
	path := "/conferences/" + c.ID + "/check"
	got := b.post(path, url.Values{"decision": {"proceed"}})
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, "required to proceed while the conference is not ready") {
		t.Fatalf("proceeding while not ready without a note: %d", got.Status)
	}
	if got = b.post(path, url.Values{"decision": {"postpone"}, "note": {"Reports not shared"}}); got.Status != http.StatusSeeOther {
		t.Fatalf("postpone: %d", got.Status)
	}
	if got = b.post(path, url.Values{"decision": {"proceed"}, "note": {"Family wants to go ahead"}}); got.Status != http.StatusSeeOther {
		t.Fatalf("proceed: %d", got.Status)
	}
	page := b.get(path)
	for _, want := range []string{"Decision recorded: Proceed", "Postpone:", "Reports not shared", "Proceed:", "Readiness then: Not ready"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the check page lacks %q", want)
		}
	}
}

func TestEveryPageOfAFamilysRecordIsAudited(t *testing.T) {
	a, c, b := startAs(t, domain.RoleManager)
	ctx := context.Background()
	for _, p := range []string{"", "/participants/" + c.Participants[0].ID, "/reports", "/professionals", "/children", "/check", "/print", "/history"} {
		before := auditReads(t, a, c.ID)
		if got := b.get("/conferences/" + c.ID + p); got.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, got.Status)
		}
		if after := auditReads(t, a, c.ID); after <= before {
			t.Errorf("GET conference%s was not audited", p)
		}
	}
	_ = ctx
}

func auditReads(t *testing.T, a *app, id string) int {
	t.Helper()
	var n int
	sqlDB, err := a.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT count(*) FROM audit_events WHERE conference_id = ? AND action = 'read' AND actor_id = 'demo-manager'"
	if a.db.Dialect == store.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	if err := sqlDB.QueryRow(q, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFamilyDataStaysOutOfTitlesAddressesAndLogs(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	p := b.get(path)
	title := p.Body[strings.Index(p.Body, "<title>"):strings.Index(p.Body, "</title>")]
	if strings.Contains(title, "Mum") || strings.Contains(title, c.ExternalRef) {
		t.Errorf("the title names the family: %s", title)
	}
	b.post(path+"/needs/technology", url.Values{"version": {p.version(t)}, "status": {"arranged"}, "detail": {"Secret detail"}})
	b.get("/?from=2026-11-01")
	for _, secret := range []string{"Mum Example", "Secret detail", c.ExternalRef, c.ID, "laptop"} {
		if strings.Contains(a.logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if !strings.Contains(a.logs.String(), `"route":"GET /conferences/{id}/participants/{pid}"`) {
		t.Errorf("the log does not name routes: %s", a.logs.String())
	}
	for _, l := range regexpHrefs.FindAllString(b.get("/conferences/"+c.ID).Body, -1) {
		if strings.Contains(l, "Mum") || strings.Contains(l, "C-1") {
			t.Errorf("a link carries family data: %s", l)
		}
	}
}

func TestAnOversizedFormIsRefusedAndNothingSaved(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	got := b.post(path+"/needs/technology", url.Values{"version": {b.get(path).version(t)}, "status": {"arranged"}, "detail": {strings.Repeat("x", 70_000)}})
	if got.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 kB form: %d", got.Status)
	}
	// A detail over the domain's limit but within the form's is a field error.
	got = b.post(path+"/needs/technology", url.Values{"version": {b.get(path).version(t)}, "status": {"arranged"}, "detail": {strings.Repeat("x", 1001)}})
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, "Detail must be at most 1000 characters") {
		t.Errorf("a detail of 1001 characters: %d", got.Status)
	}
	conf, _ := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if conf.Participants[0].Need("technology").Status != "identified" {
		t.Error("a refused form changed the conference")
	}
}

// The chair's decisions follow the permission table's field entries: the
// chair records an exclusion; a social worker is not shown those fields, and
// a forged post of them is refused.
func TestOnlyTheChairRecordsAnExclusion(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	sw := a.browser()
	sw.signIn(domain.RoleSocialWorker)
	p := sw.get(path)
	if strings.Contains(p.Body, "exclusion.grounds") {
		t.Error("a social worker is shown the exclusion decision")
	}
	forged := sw.post(path+"/safety", url.Values{"version": {p.version(t)}, "safety.concern": {"domestic_abuse"}, "safety.arrangement": {"exclusion"},
		"exclusion.grounds": {"risk"}, "exclusion.decided_by_chair_on-day": {"20"}, "exclusion.decided_by_chair_on-month": {"11"}, "exclusion.decided_by_chair_on-year": {"2026"}})
	if forged.Status != http.StatusForbidden {
		t.Errorf("a social worker's forged exclusion: %d", forged.Status)
	}
	chair := a.browser()
	chair.signIn(domain.RoleChair)
	p = chair.get(path)
	if !strings.Contains(p.Body, `name="exclusion.grounds"`) || strings.Contains(p.Body, `name="safety.concern"`) {
		t.Fatal("the chair is not shown the exclusion decision alone")
	}
	got := chair.post(path+"/safety", url.Values{"version": {p.version(t)}, "exclusion.grounds": {"risk to the mother"},
		"exclusion.decided_by_chair_on-day": {"20"}, "exclusion.decided_by_chair_on-month": {"11"}, "exclusion.decided_by_chair_on-year": {"2026"}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("the chair's exclusion: %d %s", got.Status, got.Body)
	}
	conf, _ := a.db.Conference(context.Background(), domain.Principal{ID: "t", Role: domain.RoleManager, Org: "DEMO"}, c.ID)
	if e := conf.Participants[0].Exclusion; e == nil || e.Grounds != "risk to the mother" || conf.Participants[0].Safety != nil {
		t.Errorf("stored: exclusion %+v, safety %+v", e, conf.Participants[0].Safety)
	}
}
