package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// The pages rules v2 added, driven by keyboard alone with axe-core on
// each state: agencies and quorum, a share's format, a report reaching
// the chair, a family member's preparation, views that cannot be had, the
// chair's withholding and exclusion, and Insights.

// seedV2 adds to a seeded conference what the rules v2 pages work on:
// professionals short of a quorum, a social care report not yet shared
// and an unborn child.
func (a *app) seedV2(c *domain.Conference) (*domain.Conference, string) {
	rid := uuid.NewString()
	c = a.change(c.ID, func(c *domain.Conference) {
		hv := professional("health", "Demo Health Visitor", "invited")
		*hv.ReportExpected = false
		c.Professionals = append(c.Professionals, professional("social_care", "Demo Team Manager", "confirmed"), professional("police", "Demo Officer", "confirmed"), hv)
		c.Reports = append(c.Reports, domain.Report{ID: rid, Agency: "social_care", Title: "Social work assessment", Shares: []domain.Share{}})
		c.Children = append(c.Children, domain.Child{Ref: "U-1", Unborn: true})
	})
	return c, rid
}

// openSummary opens the details element whose summary reads label.
func (b *tab) openSummary(label string) {
	b.t.Helper()
	b.tabTo(`el.tagName === 'SUMMARY' && el.innerText.trim() === ` + jsString(label))
	b.key(kb.Enter)
}

func TestBrowserAgenciesAndTheRulesV2Forms(t *testing.T) {
	a := newApp(t)
	c, rid := a.seedV2(a.seed("DEMO", 2))
	b := newTab(t, a)
	today := domain.DateOf(a.clock.Now())
	const notQuorate = "The conference is not quorate"

	b.signIn("social worker")
	b.follow(c.ExternalRef)
	b.mustSee(notQuorate)
	b.follow("Agencies and quorum")
	b.mustSee(notQuorate)
	b.checkA11y("agencies and quorum")

	// Adding a professional without a name: the error summary.
	b.choose("professional-agency-education")
	b.choose("professional-attendance-confirmed")
	if st := b.save("/conferences/" + c.ID + "/professionals"); st != http.StatusUnprocessableEntity {
		t.Errorf("a professional without a name: %d", st)
	}
	b.mustSee("There is a problem")
	b.checkA11y("agencies and quorum with an error")
	b.typeInto("professional-name", "Demo Teacher")
	b.save("/conferences/" + c.ID + "/professionals")
	b.mustSee("Professional added")

	// Confirming the health visitor makes three agencies: quorate.
	hv := c.Professionals[2].ID
	b.openSummary("Change Demo Health Visitor")
	b.choose("professional-" + hv + "-attendance-confirmed")
	b.save("/professionals/" + hv)
	b.mustSee("Professional changed")
	b.mustNotSee(notQuorate)
	b.mustSee("Quorate")
	b.checkA11y("agencies and quorum quorate")

	// A share in easy read, and the day the report reached the chair.
	b.open("/conferences/" + c.ID + "/reports")
	b.mustSee("has not reached the chair")
	b.openSummary("Record when it was received or reached the chair")
	b.typeDate("report-"+rid+"-shared_with_chair_on", today)
	b.save("/reports/" + rid)
	b.mustSee("Report dates saved")
	b.mustNotSee("has not reached the chair")
	b.openSummary("Share or withhold this report")
	b.typeDate("share-"+rid+"-shared_on", today)
	b.choose("share-" + rid + "-format-easy_read")
	b.save("/reports/" + rid + "/shares")
	b.mustSee("Sharing recorded")
	b.mustSee("Easy read")
	b.checkA11y("reports with a format")

	// Views that cannot be had, and an unborn child.
	b.open("/conferences/" + c.ID + "/children")
	b.mustSee("no views to record")
	b.choose("child-0-means-not_applicable")
	if st := b.save("/conferences/" + c.ID + "/children"); st != http.StatusUnprocessableEntity {
		t.Errorf("not applicable without a reason: %d", st)
	}
	b.checkA11y("children with an error")
	b.typeInto("child-0-reason", "Too young to give views")
	b.save("/conferences/" + c.ID + "/children")
	b.mustSee("Child's views saved")
	b.checkA11y("children not applicable")

	// The family member's preparation.
	b.open("/conferences/" + c.ID + "/participants/" + c.Participants[0].ID)
	const notInformed = "has not been told who will attend"
	b.mustSee(notInformed)
	b.typeDate("preparation-informed_on", today)
	b.typeDate("preparation-advocacy_offered_on", today)
	b.save("/preparation")
	b.mustSee("Preparation saved")
	b.mustNotSee(notInformed)
	b.checkA11y("family member prepared")
}

// count is how many elements match a selector.
func (b *tab) count(selector string) int {
	var n int
	b.eval(`document.querySelectorAll(`+jsString(selector)+`).length`, &n)
	return n
}

func TestBrowserTheChairWithholdsAndExcludesAndOnlyTheChair(t *testing.T) {
	a := newApp(t)
	c, rid := a.seedV2(a.seed("DEMO", 2))
	mum := c.Participants[0].ID
	today := domain.DateOf(a.clock.Now())
	const notShared = "has not been shared with the mother"

	sw := newTab(t, a)
	sw.signIn("social worker")
	sw.open("/conferences/" + c.ID + "/reports")
	sw.mustSee(notShared)
	if n := sw.count(`[name="chair_agreed_on-day"]`); n != 0 {
		t.Errorf("a social worker is shown the chair's agreement (%d)", n)
	}
	sw.open("/conferences/" + c.ID + "/participants/" + mum)
	if n := sw.count(`[name="excluded"], [name="exclusion.grounds"]`); n != 0 {
		t.Errorf("a social worker is shown the chair's exclusion (%d)", n)
	}
	// A form altered in the page to carry the chair's exclusion is refused.
	sw.eval(`document.querySelector('form[action$="/safety"]').insertAdjacentHTML('beforeend', '<input type="hidden" name="excluded" value="yes">'); true`, nil)
	if st := sw.save("/safety"); st != http.StatusForbidden {
		t.Errorf("a social worker's forged exclusion: %d", st)
	}
	sw.mustSee("You cannot do this")

	chair := newTab(t, a)
	chair.signIn("chair")
	chair.open("/conferences/" + c.ID + "/reports")
	chair.mustSee(notShared)
	chair.openSummary("Record a withholding you agreed")
	chair.typeInto("share-"+rid+"-reason", "Sharing it would put the child at risk")
	chair.typeDate("share-"+rid+"-chair_agreed_on", today)
	chair.save("/reports/" + rid + "/shares")
	chair.mustSee("Withholding recorded")
	chair.mustNotSee(notShared)
	chair.mustSee("agreed by the chair")
	chair.checkA11y("reports as the chair")

	chair.open("/conferences/" + c.ID + "/participants/" + mum)
	chair.choose("safety-excluded")
	chair.typeDate("safety-exclusion-decided_by_chair_on", today)
	chair.typeInto("safety-exclusion-grounds", "Risk of violence to the other parent")
	chair.save("/safety")
	chair.mustSee("Safety and exclusion saved")
	chair.mustSee("Excluded")
	chair.checkA11y("family member excluded by the chair")
	conf, _ := a.stored(c.ID)
	if p := conf.Participant(mum); p.Attendance != domain.AttendanceExcluded || !p.ExclusionDecided() {
		t.Errorf("stored: %+v", p.ParticipantFields)
	}
}

func TestBrowserManagerReadsInsightsAndDownloadsTheCSV(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	a.seed("DEMO", -40)
	a.change(c.ID, func(c *domain.Conference) {
		on := domain.DateOf(a.clock.Now())
		c.Participants[0].Contacts = append(c.Participants[0].Contacts, domain.Contact{ID: uuid.NewString(), With: "social_worker", On: &on, Method: "phone"})
	})
	b := newTab(t, a)
	dir := t.TempDir()
	if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	b.signIn("manager")
	b.open("/conferences/" + c.ID + "/professionals")
	b.checkA11y("agencies and quorum read only")
	b.follow("Insights")
	b.mustSee("Spoke to the social worker beforehand")
	b.checkA11y("insights")

	// A screen reader reads the table: this month's row of the first.
	month := a.clock.Now().In(domain.London).Format("January 2006")
	var row string
	b.eval(`[...document.querySelectorAll('#spoke_to_social_worker table tbody tr')].map(r => r.innerText).find(t => t.startsWith(`+jsString(month)+`)) || ''`, &row)
	if fields := strings.Fields(strings.TrimPrefix(row, month)); strings.Join(fields, " ") != "1 1 100%" {
		t.Errorf("this month's row of the first table: %q", row)
	}
	var hasTitle bool
	b.eval(`[...document.querySelectorAll('svg[role="img"]')].every(s => s.getAttribute('aria-labelledby').split(' ').every(id => document.getElementById(id).textContent.trim() !== ''))`, &hasTitle)
	if !hasTitle {
		t.Error("a chart lacks its text alternative")
	}

	b.tabTo(`el.tagName === 'A' && el.innerText.trim() === 'Download these figures as a spreadsheet (CSV)'`)
	b.key(kb.Enter)
	var csv []byte
	for range 100 {
		matches, _ := filepath.Glob(filepath.Join(dir, "insights-*.csv"))
		if len(matches) == 1 {
			if got, err := os.ReadFile(matches[0]); err == nil && len(got) > 0 {
				csv = got
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if lines[0] != "month,measure,numerator,denominator,rate" {
		t.Fatalf("the download is not the insights CSV: %q", csv)
	}
	thisMonth := a.clock.Now().In(domain.London).Format("2006-01")
	for _, want := range []string{thisMonth + ",spoke_to_social_worker,1,1,1", "total,spoke_to_social_worker,1,2,0.5", "total,phone_only,0,2,0"} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("the CSV lacks the line %q:\n%s", want, csv)
		}
	}
}
