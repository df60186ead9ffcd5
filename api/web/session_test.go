package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api/web"
	"github.com/cpcready/cpcready/internal/domain"
)

func TestTheSessionCookieIsHostOnlySecureHttpOnlyAndLax(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.InsecureCookie = false })
	b := a.browser()
	got := b.post("/sign-in", url.Values{"role": {"chair"}})
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: got.Header}).Cookies() {
		cookie = c
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	if cookie.Name != "__Host-cpcready" || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Domain != "" {
		t.Errorf("cookie = %+v", cookie)
	}
	if got.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", got.Header.Values("Cache-Control"))
	}
}

func TestCookiesWithoutSecureAreForDemoModeOnly(t *testing.T) {
	db, _ := openDB(t)
	if _, err := web.New(web.Config{DB: db, InsecureCookie: true}); err == nil {
		t.Error("an app outside demo mode took cookies without Secure")
	}
}

func sessionCookie(b *browser) string {
	u, _ := url.Parse(b.a.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "cpcready_session" {
			return c.Value
		}
	}
	return ""
}

func TestSignInGivesANewSessionIDAndSignOutEndsIt(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/sign-in")
	// A session that exists before sign-in (planted, say) is not the one
	// signed in.
	b.post("/sign-out", nil)
	before := sessionCookie(b)
	b.signIn(domain.RoleSocialWorker)
	during := sessionCookie(b)
	if during == "" || during == before {
		t.Fatalf("the session id did not change at sign-in: %q -> %q", before, during)
	}
	if got := b.get("/"); got.Status != http.StatusOK {
		t.Fatalf("signed in: %d", got.Status)
	}
	out := b.post("/sign-out", nil)
	if out.Status != http.StatusSeeOther || out.Location != "/signed-out" {
		t.Fatalf("sign out: %d %s", out.Status, out.Location)
	}
	if got := b.get("/signed-out"); !strings.Contains(got.Body, "You have signed out") {
		t.Error("no signed-out page")
	}
	// The old cookie, replayed, opens nothing.
	replay := a.browser()
	u, _ := url.Parse(a.srv.URL)
	replay.jar.SetCookies(u, []*http.Cookie{{Name: "cpcready_session", Value: during, Path: "/"}})
	if got := replay.get("/"); got.Status != http.StatusSeeOther || got.Location != "/sign-in" {
		t.Errorf("a signed-out session still works: %d %s", got.Status, got.Location)
	}
}

func TestASessionExpiresWhenIdle(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdleTimeout = time.Second })
	b := a.browser()
	b.signIn(domain.RoleManager)
	if got := b.get("/"); got.Status != http.StatusOK {
		t.Fatalf("signed in: %d", got.Status)
	}
	time.Sleep(2100 * time.Millisecond)
	if got := b.get("/"); got.Status != http.StatusSeeOther || got.Location != "/sign-in" {
		t.Errorf("after the idle timeout: %d %s", got.Status, got.Location)
	}
}

func TestASessionEndsAtItsAbsoluteTimeoutHoweverBusy(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.AbsoluteTimeout = 2 * time.Second })
	b := a.browser()
	b.signIn(domain.RoleManager)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline.Add(-300 * time.Millisecond)) {
		if got := b.get("/"); got.Status != http.StatusOK {
			t.Fatalf("before the absolute timeout: %d", got.Status)
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(time.Until(deadline) + 1100*time.Millisecond)
	if got := b.get("/"); got.Status != http.StatusSeeOther {
		t.Errorf("after the absolute timeout: %d", got.Status)
	}
}

func TestDemoSignInOffersEachPeopleRole(t *testing.T) {
	a := newApp(t)
	got := a.browser().get("/sign-in")
	for _, want := range []string{"Sign in as social worker", "Sign in as chair", "Sign in as manager", "Sign in as admin"} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the sign-in page lacks %q", want)
		}
	}
	if got := a.browser().post("/sign-in", url.Values{"role": {"case_system"}}); got.Status != http.StatusBadRequest {
		t.Errorf("signing in as a case system: %d", got.Status)
	}
}

// Reading pages does not rewrite the session each time: the idle clock is
// moved at most once a minute.
func TestPagesDoNotRewriteTheSessionEachTime(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := a.browser()
	b.signIn(domain.RoleManager)
	var writes atomic.Int64
	a.db.OnStatement(func(sql string) {
		if strings.Contains(sql, "web_sessions") && !strings.HasPrefix(strings.TrimSpace(sql), "SELECT") {
			writes.Add(1)
		}
	})
	defer a.db.OnStatement(nil)
	for range 5 {
		if got := b.get("/conferences/" + c.ID); got.Status != http.StatusOK {
			t.Fatalf("GET: %d", got.Status)
		}
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d session writes for 5 page reads", n)
	}
}
