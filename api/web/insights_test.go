package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/insights"
)

func TestInsightsAreForManagersAndAdminsOnly(t *testing.T) {
	a := newApp(t)
	for _, role := range []domain.Role{domain.RoleManager, domain.RoleAdmin} {
		b := a.browser()
		b.signIn(role)
		if p := b.get("/"); !strings.Contains(p.Body, `href="/insights"`) {
			t.Errorf("the %s has no Insights in the navigation", role)
		}
		if p := b.get("/insights"); p.Status != http.StatusOK || !strings.Contains(p.Body, `<a class="service-nav__link" href="/insights" aria-current="page">Insights</a>`) {
			t.Errorf("the %s's Insights: %d", role, p.Status)
		}
	}
	for _, role := range []domain.Role{domain.RoleSocialWorker, domain.RoleChair} {
		b := a.browser()
		b.signIn(role)
		if p := b.get("/"); strings.Contains(p.Body, `href="/insights"`) {
			t.Errorf("the %s is shown Insights", role)
		}
		for _, path := range []string{"/insights", "/insights/download"} {
			if p := b.get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "You cannot do this") {
				t.Errorf("the %s's GET %s: %d", role, path, p.Status)
			}
		}
	}
	if n := a.countAudit("read", "insights", "demo-social-worker") + a.countAudit("read", "insights", "demo-chair"); n != 0 {
		t.Errorf("%d refused reads of insights were audited as reads", n)
	}
}

// insightsRow finds a row of the table whose caption starts with caption.
func insightsRow(t *testing.T, body, caption, row string) string {
	t.Helper()
	i := strings.Index(body, `<caption class="table__caption">`+caption)
	if i < 0 {
		t.Fatalf("no table %q", caption)
	}
	table := body[i : i+strings.Index(body[i:], "</table>")]
	m := regexp.MustCompile(`<tr><th scope="row">` + regexp.QuoteMeta(row) + `</th>(.*?)</tr>`).FindStringSubmatch(table)
	if m == nil {
		t.Fatalf("table %q has no row %q", caption, row)
	}
	return regexp.MustCompile(`<[^>]+>`).ReplaceAllString(strings.ReplaceAll(m[1], "</td><td", "</td> <td"), "")
}

func TestTheInsightsPageShowsEachMeasureAsAChartAndATable(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	month := a.clock.Now().In(domain.London).Format("January 2006")
	sw := a.browser()
	sw.signIn(domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	today := domain.DateOf(a.clock.Now())
	if p := sw.post(path+"/contacts", with(url.Values{"version": {sw.get(path).version(t)}, "with": {"social_worker"}, "method": {"phone"}}, dateForm("on", today))); p.Status != http.StatusSeeOther {
		t.Fatalf("record a conversation: %d", p.Status)
	}

	b := a.browser()
	b.signIn(domain.RoleManager)
	before := a.countAudit("read", "insights", "demo-manager")
	p := b.get("/insights")
	if p.Status != http.StatusOK {
		t.Fatalf("insights: %d", p.Status)
	}
	if n := a.countAudit("read", "insights", "demo-manager"); n != before+1 {
		t.Errorf("the page wrote %d insights reads to the audit trail, want 1", n-before)
	}
	// The one family member spoke to the social worker but not the chair.
	if got := insightsRow(t, p.Body, "Spoke to the social worker beforehand", month); got != "1 1 100%" {
		t.Errorf("spoke to the social worker this month: %q", got)
	}
	if got := insightsRow(t, p.Body, "Spoke to the chair beforehand", month); got != "0 1 0%" {
		t.Errorf("spoke to the chair this month: %q", got)
	}
	if got := insightsRow(t, p.Body, "Spoke to the chair beforehand", "All 12 months"); got != "0 1 0%" {
		t.Errorf("spoke to the chair over the year: %q", got)
	}
	if got := insightsRow(t, p.Body, "Ready when the conference began", month); got != "0 0 No one to count" {
		t.Errorf("ready at the start, with no conference begun: %q", got)
	}
	for _, want := range []string{
		`role="img" aria-labelledby="chart-reports_shared_in_time-title chart-reports_shared_in_time-desc"`,
		`<title id="chart-spoke_to_social_worker-title">`, "Over all the months: 100% (1 of 1)",
		">one third<", ">one fifth<", ">Research: most<", ">(over half)<", `class="chart__baseline"`,
		`<th scope="col">Month</th>`, `href="/insights/download"`, "Nuffield Family Justice Observatory",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "<script") {
		t.Error("the page has a script")
	}
	if n := strings.Count(p.Body, `<tr><th scope="row">`); n != 7*12+7+len(domain.NeedKinds) {
		t.Errorf("%d table rows, want a month and a total for each of 7 measures and one per need", n)
	}
}

// The download is the API's CSV for the same window, audited as the
// API's read is.
func TestTheInsightsDownloadIsTheAPIsCSV(t *testing.T) {
	a := newApp(t)
	a.seed("DEMO", 2)
	a.seed("DEMO", -40)
	b := a.browser()
	b.signIn(domain.RoleManager)
	before := a.countAudit("read", "insights", "demo-manager")
	got := b.get("/insights/download")
	if got.Status != http.StatusOK || !strings.HasPrefix(got.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("download: %d %s", got.Status, got.Header.Get("Content-Type"))
	}
	from, to := insights.LastMonths(domain.DateOf(a.clock.Now()), 12)
	if cd := got.Header.Get("Content-Disposition"); cd != `attachment; filename="insights-`+from.String()+`-`+to.String()+`.csv"` {
		t.Errorf("Content-Disposition: %s", cd)
	}
	if n := a.countAudit("read", "insights", "demo-manager"); n != before+1 {
		t.Errorf("the download wrote %d insights reads to the audit trail, want 1", n-before)
	}
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.CreateAPIKey(context.Background(), "DEMO", domain.RoleManager, "test", hash); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/v1/insights?from="+from.String()+"&to="+to.String(), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	want, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || got.Body != string(want) {
		t.Errorf("the download differs from the API's CSV (%d):\n%s\nwant:\n%s", res.StatusCode, got.Body, want)
	}
	lines := strings.Split(strings.TrimSpace(got.Body), "\n")
	if lines[0] != "month,measure,numerator,denominator,rate" || len(lines) != 1+13*(7+len(domain.NeedKinds)) {
		t.Errorf("the CSV has %d lines, starting %q", len(lines), lines[0])
	}
}
