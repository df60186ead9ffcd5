package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cpcready/cpcready/api/web"
	"github.com/cpcready/cpcready/internal/domain"
)

// These tests drive headless Chromium through each role's work, by
// keyboard alone, and run axe-core on every page and state they reach.

// chromiumPath finds a browser, or skips the test saying how to get one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CPCREADY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests skipped: no Chromium found (apt-get install chromium, or set CPCREADY_CHROMIUM)")
	return ""
}

// tab is one browser tab on the app, with axe-core to hand.
type tab struct {
	t   *testing.T
	ctx context.Context
	a   *app
	axe string
}

func newTab(t *testing.T, a *app) *tab {
	t.Helper()
	path := chromiumPath(t)
	axe := axeSource(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1200, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return &tab{t: t, ctx: ctx, a: a, axe: axe}
}

// open loads a page of the app and returns its status.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.a.srv.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return res.Status
}

func (b *tab) eval(js string, out any) {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(v, out); err != nil {
			b.t.Fatalf("evaluate %.60s: %v", js, err)
		}
	}
}

func (b *tab) text() string {
	var s string
	b.eval(`document.body.innerText`, &s)
	return s
}

func (b *tab) key(keys string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.KeyEvent(keys)); err != nil {
		b.t.Fatalf("key: %v", err)
	}
}

// tabTo presses Tab until the focused element el satisfies the script
// predicate: what a keyboard user can reach, in the page's order.
func (b *tab) tabTo(pred string) {
	b.t.Helper()
	for range 250 {
		var ok bool
		b.eval(`(() => { const el = document.activeElement; return !!el && el !== document.body && (`+pred+`); })()`, &ok)
		if ok {
			return
		}
		b.key(kb.Tab)
	}
	b.t.Fatalf("the keyboard never reached %s on %s", pred, b.location())
}

func (b *tab) location() string {
	var s string
	b.eval(`location.pathname`, &s)
	return s
}

// press presses a key that submits a form or follows a link, and waits
// for the next page.
func (b *tab) press(keys string) int64 {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent(keys))
	if err != nil {
		b.t.Fatalf("press on %s: %v", b.location(), err)
	}
	return res.Status
}

// follow tabs to the link or button whose text is label and activates it.
func (b *tab) follow(label string) int64 {
	b.t.Helper()
	b.tabTo(`(el.tagName === 'A' || el.tagName === 'BUTTON') && el.innerText.trim() === ` + jsString(label))
	return b.press(kb.Enter)
}

// choose selects a radio by keyboard: Tab into its group, then arrows.
func (b *tab) choose(id string) {
	b.t.Helper()
	group := `document.getElementById(` + jsString(id) + `).name`
	form := `document.getElementById(` + jsString(id) + `).form`
	b.tabTo(`el.type === 'radio' && el.name === ` + group + ` && el.form === ` + form)
	for range 10 {
		var checked bool
		b.eval(`document.getElementById(`+jsString(id)+`).checked`, &checked)
		if checked {
			return
		}
		var any bool
		b.eval(`[...`+form+`.elements].some(e => e.name === `+group+` && e.checked)`, &any)
		if !any {
			b.key(" ")
			continue
		}
		b.key(kb.ArrowDown)
	}
	b.t.Fatalf("could not choose %s by keyboard", id)
}

// typeInto tabs to a field and types into it.
func (b *tab) typeInto(id, text string) {
	b.t.Helper()
	b.tabTo(`el.id === ` + jsString(id))
	b.eval(`document.activeElement.select && document.activeElement.select()`, nil)
	b.key(text)
}

// typeDate fills a day, month and year input.
func (b *tab) typeDate(id string, d domain.Date) {
	b.t.Helper()
	t := d.Time()
	b.typeInto(id, itoa(t.Day()))
	b.typeInto(id+"-month", itoa(int(t.Month())))
	b.typeInto(id+"-year", itoa(t.Year()))
}

// save tabs to the Save button of the form posting to action, and presses it.
func (b *tab) save(actionSuffix string) int64 {
	b.t.Helper()
	b.tabTo(`el.tagName === 'BUTTON' && el.form && el.form.action.endsWith(` + jsString(actionSuffix) + `)`)
	return b.press(kb.Enter)
}

// checkA11y runs axe-core on the page as it stands and fails on any WCAG
// 2.2 A or AA violation. name says which page and state it is.
func (b *tab) checkA11y(name string) {
	b.t.Helper()
	b.eval(b.axe+";true", nil)
	var violations []struct {
		ID    string   `json:"id"`
		Help  string   `json:"help"`
		Nodes []string `json:"nodes"`
	}
	b.eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})
		.then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))`, &violations)
	for _, v := range violations {
		b.t.Errorf("axe on %s: %s (%s) at %v", name, v.ID, v.Help, v.Nodes)
	}
	b.screenshot(name)
}

// screenshot saves the page when CPCREADY_SCREENSHOTS names a directory;
// the docs' pictures are made this way.
func (b *tab) screenshot(name string) {
	dir := os.Getenv("CPCREADY_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	slug := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(name), "-"), "-")
	_ = os.WriteFile(filepath.Join(dir, slug+".png"), png, 0o644)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func (b *tab) mustSee(want string) {
	b.t.Helper()
	if !strings.Contains(b.text(), want) {
		b.t.Fatalf("%s does not show %q:\n%s", b.location(), want, b.text())
	}
}

func (b *tab) mustNotSee(unwanted string) {
	b.t.Helper()
	if strings.Contains(b.text(), unwanted) {
		b.t.Errorf("%s still shows %q", b.location(), unwanted)
	}
}

// signIn signs in from the demo sign-in page, by keyboard.
func (b *tab) signIn(role string) {
	b.t.Helper()
	b.open("/")
	b.checkA11y("sign-in")
	if st := b.follow("Sign in as " + role); st != http.StatusOK {
		b.t.Fatalf("sign in as %s: %d", role, st)
	}
	b.mustSee("Upcoming conferences")
}

func TestBrowserSocialWorkerJourney(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := newTab(t, a)
	today := domain.DateOf(a.clock.Now())

	b.signIn("social worker")
	b.checkA11y("home")
	b.follow(c.ExternalRef)
	b.mustSee("Not ready")
	b.checkA11y("conference")

	b.follow("Mum Example (Mother)")
	b.mustSee(techNotArranged)
	b.checkA11y("family member")

	// A language need without its language: the error summary.
	b.choose("need-language-status-identified")
	if st := b.save("/needs/language"); st != http.StatusUnprocessableEntity {
		t.Errorf("a language need without a language: %d", st)
	}
	b.mustSee("There is a problem")
	b.checkA11y("family member with an error")

	b.choose("need-technology-status-arranged")
	b.typeInto("need-technology-detail", "Laptop lent by the council")
	b.save("/needs/technology")
	b.mustSee("Technology need saved")
	b.mustNotSee(techNotArranged)
	b.checkA11y("family member saved")

	const noConversation = "The mother has no recorded conversation with the social worker"
	b.mustSee(noConversation)
	b.typeDate("contact-on", today)
	b.choose("contact-method-phone")
	b.save("/contacts")
	b.mustSee("Conversation recorded")
	b.mustNotSee(noConversation)

	b.open("/conferences/" + c.ID + "/reports")
	b.mustSee("no social care report")
	b.checkA11y("reports")
	b.choose("report-agency")
	b.typeInto("report-title", "Social work assessment")
	b.save("/conferences/" + c.ID + "/reports")
	b.mustSee("Report added")
	b.mustNotSee("no social care report")
	b.mustSee("has not been shared with the mother")

	b.openSummary("Share or withhold this report")
	reportID := ""
	b.eval(`document.querySelector('section.report').id.replace('report-', '')`, &reportID)
	b.typeDate("share-"+reportID+"-shared_on", today)
	b.save("/reports/" + reportID + "/shares")
	b.mustSee("Sharing recorded")
	b.mustNotSee("has not been shared with the mother")
	b.checkA11y("reports shared")

	b.open("/conferences/" + c.ID + "/children")
	b.checkA11y("children")
	b.open("/conferences/" + c.ID + "/history")
	b.mustSee("Social worker")
	b.checkA11y("history")
}

func TestBrowserChairJourney(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := newTab(t, a)
	today := domain.DateOf(a.clock.Now())

	b.signIn("chair")
	b.follow(c.ExternalRef)
	b.follow("Mum Example (Mother)")
	const noPreMeeting = "The mother has no recorded pre-meeting with the chair"
	b.mustSee(noPreMeeting)
	b.choose("contact-with-chair")
	b.typeDate("contact-on", today)
	b.choose("contact-method-video")
	b.save("/contacts")
	b.mustSee("Conversation recorded")
	b.mustNotSee(noPreMeeting)
	b.checkA11y("family member as chair")

	b.open("/conferences/" + c.ID + "/check")
	b.checkA11y("chair's check")
	b.follow("Proceed")
	b.mustSee("required to proceed while the conference is not ready")
	b.checkA11y("chair's check with an error")
	b.typeInto("check-note", "Reports not yet shared with the family")
	b.follow("Postpone")
	b.mustSee("Decision recorded: Postpone")
	b.typeInto("check-note", "Family asked to go ahead")
	b.follow("Proceed")
	b.mustSee("Decision recorded: Proceed")
	b.mustSee("Reports not yet shared with the family")
	b.checkA11y("chair's check recorded")

	b.open("/conferences/" + c.ID + "/print")
	b.mustSee("Pre-conference pack")
	b.checkA11y("print")
}

func TestBrowserManagerReadsOnly(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := newTab(t, a)
	b.signIn("manager")
	b.open("/?not_ready=on")
	b.mustSee(c.ExternalRef)
	b.checkA11y("home filtered")
	b.follow(c.ExternalRef)
	b.follow("Mum Example (Mother)")
	var forms int
	b.eval(`document.querySelectorAll('main form').length`, &forms)
	if forms != 0 {
		t.Errorf("a manager is shown %d forms", forms)
	}
	b.checkA11y("family member read only")
}

func TestBrowserSignOutAndSessionExpiry(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdleTimeout = 2 * time.Second })
	b := newTab(t, a)
	b.signIn("social worker")
	b.follow("Sign out")
	b.mustSee("You have signed out")
	b.checkA11y("signed out")
	b.open("/")
	b.mustSee("Sign in as social worker")

	b.follow("Sign in as social worker")
	time.Sleep(3 * time.Second)
	b.open("/")
	b.mustSee("Sign in as social worker")
}

func TestBrowserCrossSitePostIsRefused(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := newTab(t, a)
	b.signIn("social worker")
	// Another site (localhost is not the app's 127.0.0.1) with a form
	// that posts to the app.
	target := a.srv.URL + "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID + "/needs/technology"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en"><title>x</title><form method="post" action="` + target + `">
			<input type="hidden" name="version" value="2"><input type="hidden" name="status" value="arranged">
			<button type="submit">Win a prize</button></form></html>`))
	}))
	defer evil.Close()
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	if _, err := chromedp.Run(b.ctx, chromedp.Navigate(evilURL)); err != nil {
		t.Fatal(err)
	}
	b.tabTo(`el.tagName === 'BUTTON'`)
	if st := b.press(kb.Enter); st != http.StatusForbidden {
		t.Errorf("a cross-site post: %d", st)
	}
	b.mustSee("You cannot do this")
	b.checkA11y("refused")
	b.open("/conferences/" + c.ID + "/participants/" + c.Participants[0].ID)
	b.mustSee(techNotArranged)
}

func TestBrowserAnotherOrganisationsConferenceIsRefused(t *testing.T) {
	a := newApp(t)
	c := a.seed("E09000006", 2)
	b := newTab(t, a)
	b.signIn("chair")
	if st := b.open("/conferences/" + c.ID); st != http.StatusNotFound {
		t.Errorf("another organisation's conference: %d", st)
	}
	b.mustSee("Page not found")
	b.mustNotSee(c.ExternalRef)
	b.checkA11y("not found")
}

// The accessibility check can fail: a page with an unlabelled field and an
// image without alternative text has violations.
func TestBrowserAxeFindsViolations(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><title>bad</title><main><img src="x.png"><input type="text"></main></html>`))
	}))
	defer bad.Close()
	b := newTab(t, &app{srv: bad})
	b.open("/")
	b.eval(b.axe+";true", nil)
	var n int
	b.eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}).then(r => r.violations.length)`, &n)
	if n == 0 {
		t.Error("axe found nothing wrong with a page that has an unlabelled field and an image without alt text")
	}
}
