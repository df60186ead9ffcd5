package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/api/web"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// app is the web app and the API in one server on a real database, as
// serve runs them, in demo mode unless an option says otherwise.
type app struct {
	t     testing.TB
	db    *store.DB
	clock *storetest.Clock
	srv   *httptest.Server
	logs  *syncBuffer
}

type appOption func(*web.Config)

func newApp(t testing.TB, opts ...appOption) *app {
	t.Helper()
	db, clock := storetest.MustOpenDB(t)
	return newAppOn(t, db, clock, opts...)
}

func newAppOn(t testing.TB, db *store.DB, clock *storetest.Clock, opts ...appOption) *app {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	apiSrv, err := api.New(api.Config{DB: db, Auth: &auth.Authenticator{Keys: db}, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{DB: db, Log: log, Demo: true, InsecureCookie: true}
	for _, o := range opts {
		o(&cfg)
	}
	w, err := web.New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	a := &app{t: t, db: db, clock: clock, logs: logs}
	a.srv = httptest.NewServer(web.Mount(apiSrv, w))
	t.Cleanup(a.srv.Close)
	return a
}

// browser is a client with its own cookies that does not follow redirects,
// so that each step can be checked.
type browser struct {
	a   *app
	c   *http.Client
	jar *cookiejar.Jar
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{a: a, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response read whole.
type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.a.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.a.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location"), Header: res.Header}
}

func (b *browser) get(path string) page {
	b.a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.a.srv.URL+path, nil)
	return b.do(req)
}

// post submits a form as a browser on the app's own pages would.
func (b *browser) post(path string, form url.Values) page {
	b.a.t.Helper()
	return b.postFrom(b.a.srv.URL, "same-origin", path, form)
}

func (b *browser) postFrom(origin, fetchSite, path string, form url.Values) page {
	b.a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	return b.do(req)
}

// signIn signs in as the demo user of role.
func (b *browser) signIn(role domain.Role) {
	b.a.t.Helper()
	p := b.post("/sign-in", url.Values{"role": {string(role)}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		b.a.t.Fatalf("sign in as %s: %d %s", role, p.Status, p.Body)
	}
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// version is the version the page's first form was read at.
func (p page) version(t testing.TB) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no form version on the page: %s", p.Body)
	}
	return m[1]
}

// seed stores a not-ready conference for org, as the demo's first one:
// a mother attending by video with a technology need identified, and a
// father whose attendance is unknown.
func (a *app) seed(org string, daysAhead int) *domain.Conference {
	a.t.Helper()
	ctx := context.Background()
	cs := domain.Principal{ID: "seed", Name: "seed", Role: domain.RoleCaseSystem, Org: org}
	start := a.clock.Now().Add(time.Duration(daysAhead) * 24 * time.Hour)
	c, err := a.db.CreateConference(ctx, cs, domain.ConferenceFields{
		ExternalRef: "REF-" + uuid.NewString()[:8], Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start.UTC().Truncate(time.Second)},
		Format: "video", Chair: &domain.Person{Ref: "CH-1", Name: "A Chair"}, SocialWorker: &domain.Person{Ref: "SW-1", Name: "A Social Worker"},
		Children: []domain.Child{{Ref: "C-1", Name: "Child One"}},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	yes := true
	c, err = a.db.UpdateConference(ctx, cs, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
		c.Participants = append(c.Participants, domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Mum Example", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo,
		}, Needs: []domain.Need{{Kind: "technology", Status: domain.NeedIdentified, Detail: "needs a laptop"}}, Contacts: []domain.Contact{}})
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]string{"seed": "test"}}, nil
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var regexpHrefs = regexp.MustCompile(`(href|action)="[^"]*"`)

func openDB(t testing.TB) (*store.DB, *storetest.Clock) { return storetest.MustOpenDB(t) }

// insecureJar keeps Secure cookies on plain http, as a browser on https
// would; the cookie's attributes are tested on their own.
func insecureJar() http.CookieJar { return &plainJar{m: map[string]*http.Cookie{}} }

type plainJar struct {
	mu sync.Mutex
	m  map[string]*http.Cookie
}

func (j *plainJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		if c.MaxAge < 0 || c.Value == "" {
			delete(j.m, c.Name)
			continue
		}
		j.m[c.Name] = c
	}
}

func (j *plainJar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.m {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// manager reads org's conferences in tests, as its manager would.
func manager(org string) domain.Principal {
	return domain.Principal{ID: "test-reader", Name: "test reader", Role: domain.RoleManager, Org: org}
}

// stored reads a conference of DEMO as it is stored, with the codes of
// its findings.
func (a *app) stored(id string) (*domain.Conference, []string) {
	a.t.Helper()
	c, res, err := a.db.ConferenceReadiness(context.Background(), manager("DEMO"), id)
	if err != nil {
		a.t.Fatal(err)
	}
	var codes []string
	for _, f := range res.Findings {
		codes = append(codes, f.Code)
	}
	return c, codes
}

// change writes to a conference of DEMO as a case system would.
func (a *app) change(id string, build func(c *domain.Conference)) *domain.Conference {
	a.t.Helper()
	cs := domain.Principal{ID: "seed", Name: "seed", Role: domain.RoleCaseSystem, Org: "DEMO"}
	c, err := a.db.UpdateConference(context.Background(), cs, id, nil, func(c *domain.Conference) (domain.Change, error) {
		build(c)
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]string{"seed": "test"}}, nil
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// countAudit counts the audit rows of an action on an entity by an actor.
func (a *app) countAudit(action, entity, actor string) int {
	a.t.Helper()
	sqlDB, err := a.db.SQL()
	if err != nil {
		a.t.Fatal(err)
	}
	q := "SELECT count(*) FROM audit_events WHERE action = ? AND entity = ? AND actor_id = ?"
	if a.db.Dialect == store.Postgres {
		q = "SELECT count(*) FROM audit_events WHERE action = $1 AND entity = $2 AND actor_id = $3"
	}
	var n int
	if err := sqlDB.QueryRow(q, action, entity, actor).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// dateForm is a date input's three fields.
func dateForm(name string, d domain.Date) url.Values {
	t := d.Time()
	return url.Values{name + "-day": {itoa(t.Day())}, name + "-month": {itoa(int(t.Month()))}, name + "-year": {itoa(t.Year())}}
}

// with merges forms.
func with(vs ...url.Values) url.Values {
	out := url.Values{}
	for _, v := range vs {
		for k, x := range v {
			out[k] = x
		}
	}
	return out
}

// startAs starts the app with a not-ready conference of DEMO two days
// ahead (seed) and a browser signed in as role.
func startAs(t *testing.T, role domain.Role) (*app, *domain.Conference, *browser) {
	t.Helper()
	a := newApp(t)
	c := a.seed("DEMO", 2)
	b := a.browser()
	b.signIn(role)
	return a, c, b
}
