package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// The pages edit what version 2 of the readiness rules reads, through the
// API's edits: professionals and quorum, a share's format, a report
// reaching the chair, views that cannot be had, the family member's
// preparation, and the chair's own decisions.

func professional(agency, name, attendance string) domain.Professional {
	yes := true
	return domain.Professional{ID: uuid.NewString(), ProfessionalFields: domain.ProfessionalFields{Agency: agency, Name: name, Attendance: attendance, ReportExpected: &yes}}
}

// addReport gives a conference a report shared with nobody yet.
func (a *app) addReport(c *domain.Conference, agency, title string) (*domain.Conference, string) {
	rid := uuid.NewString()
	return a.change(c.ID, func(c *domain.Conference) {
		c.Reports = append(c.Reports, domain.Report{ID: rid, Agency: agency, Title: title, Shares: []domain.Share{}})
	}), rid
}

func TestAProfessionalIsAddedChangedAndRemovedAndQuorumFollows(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	a.change(c.ID, func(c *domain.Conference) {
		police := professional("police", "Officer", "confirmed")
		*police.ReportExpected = false
		c.Professionals = append(c.Professionals, professional("social_care", "Team Manager", "confirmed"), police)
	})
	b := a.browser()
	b.signIn(domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/professionals"
	if p := b.get("/conferences/" + c.ID); !strings.Contains(p.Body, `href="`+path+`"`) || !strings.Contains(p.Body, "Agencies and quorum") {
		t.Error("the conference page does not link to agencies and quorum")
	}
	p := b.get(path)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "The conference is not quorate") {
		t.Fatalf("the quorum finding is not shown: %d", p.Status)
	}
	got := b.post(path, url.Values{"version": {p.version(t)}, "name": {"Health Visitor"}, "role": {"Health visitor"}, "agency": {"health"}, "attendance": {"invited"}, "report_expected": {"yes"}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	if len(conf.Professionals) != 3 || !slices.Contains(codes, "QUORUM_NOT_CONFIRMED") || !slices.Contains(codes, "AGENCY_REPORT_MISSING") {
		t.Fatalf("after adding: %+v %v", conf.Professionals, codes)
	}
	hv := conf.Professionals[2]
	// Confirming the third agency makes the conference quorate.
	p = b.get(path)
	got = b.post(path+"/"+hv.ID, url.Values{"version": {p.version(t)}, "name": {"Health Visitor"}, "role": {"Health visitor"}, "agency": {"health"}, "attendance": {"confirmed"}, "report_expected": {"no"}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", got.Status, got.Body)
	}
	after := b.get(got.Location)
	if strings.Contains(after.Body, "The conference is not quorate") || !strings.Contains(after.Body, "Quorate") || !strings.Contains(after.Body, "Professional changed") {
		t.Error("the quorum finding did not clear on the page")
	}
	conf, codes = a.stored(c.ID)
	if slices.Contains(codes, "QUORUM_NOT_CONFIRMED") || slices.Contains(codes, "AGENCY_REPORT_MISSING") || conf.Professionals[2].ExpectsReport() {
		t.Errorf("after confirming: %v %+v", codes, conf.Professionals[2])
	}
	got = b.post(path+"/"+hv.ID+"/remove", url.Values{"version": {after.version(t)}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d", got.Status)
	}
	if conf, codes = a.stored(c.ID); len(conf.Professionals) != 2 || !slices.Contains(codes, "QUORUM_NOT_CONFIRMED") {
		t.Errorf("after removing: %d professionals, %v", len(conf.Professionals), codes)
	}
	for _, action := range []string{"create", "update", "delete"} {
		if n := a.countAudit(action, "professional", "demo-social-worker"); n != 1 {
			t.Errorf("%d %s rows for a professional in the audit trail, want 1", n, action)
		}
	}
}

func TestAProfessionalWithoutANameIsSummarisedAndKept(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/professionals"
	got := b.post(path, url.Values{"version": {b.get(path).version(t)}, "role": {"Head of year"}, "agency": {"education"}, "attendance": {"confirmed"}})
	if got.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no name: %d", got.Status)
	}
	for _, want := range []string{`href="#professional-name"`, `id="professional-name"`, "The name is required", `value="Head of year"`, `id="professional-agency-education" name="agency" type="radio" value="education" checked`} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if conf, _ := a.stored(c.ID); len(conf.Professionals) != 0 {
		t.Error("a refused professional was stored")
	}
}

func TestAManagerIsShownNoProfessionalControlsAndAForgedPostIsRefused(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	pr := professional("police", "Officer", "invited")
	c = a.change(c.ID, func(c *domain.Conference) { c.Professionals = append(c.Professionals, pr) })
	path := "/conferences/" + c.ID + "/professionals"
	b := a.browser()
	b.signIn(domain.RoleManager)
	if p := b.get(path); p.Status != http.StatusOK || strings.Contains(p.Body, "<form method=\"post\" action=\"/conferences") || !strings.Contains(p.Body, "Officer") {
		t.Errorf("a manager's agencies page: %d, or it shows a form", p.Status)
	}
	v := itoa(c.Version)
	for path, form := range map[string]url.Values{
		path:                           {"version": {v}, "name": {"X"}, "agency": {"health"}, "attendance": {"confirmed"}},
		path + "/" + pr.ID:             {"version": {v}, "name": {"X"}, "agency": {"police"}, "attendance": {"confirmed"}},
		path + "/" + pr.ID + "/remove": {"version": {v}},
	} {
		if got := b.post(path, form); got.Status != http.StatusForbidden {
			t.Errorf("a manager's POST %s: %d", path, got.Status)
		}
	}
	if conf, _ := a.stored(c.ID); conf.Version != c.Version {
		t.Error("a refused post changed the conference")
	}
}

func TestAShareRecordsItsFormat(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	c, rid := a.addReport(c, "social_care", "Assessment")
	b := a.browser()
	b.signIn(domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/reports"
	today := domain.DateOf(a.clock.Now())
	share := with(url.Values{"version": {itoa(c.Version)}, "participant_id": {c.Participants[0].ID}, "outcome": {"shared"}, "language": {"en"}, "format": {"other"}}, dateForm("shared_on", today))
	got := b.post(path+"/"+rid+"/shares", share)
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#share-`+rid+`-format_note"`) {
		t.Fatalf("format other without a note: %d", got.Status)
	}
	share.Set("format", "easy_read")
	if got = b.post(path+"/"+rid+"/shares", share); got.Status != http.StatusSeeOther {
		t.Fatalf("an easy read share: %d %s", got.Status, got.Body)
	}
	conf, _ := a.stored(c.ID)
	if sh := conf.Report(rid).Shares; len(sh) != 1 || sh[0].Format != domain.FormatEasyRead || sh[0].SharedOn == nil {
		t.Errorf("stored shares: %+v", sh)
	}
	if p := b.get(path); !strings.Contains(p.Body, "Easy read") {
		t.Error("the reports page does not show the share's format")
	}
}

func TestTheDayAReportReachedTheChairIsRecordedLater(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	c, rid := a.addReport(c, "police", "Police report")
	if _, codes := a.stored(c.ID); !slices.Contains(codes, "REPORT_NOT_WITH_CHAIR") {
		t.Fatalf("no REPORT_NOT_WITH_CHAIR to clear: %v", codes)
	}
	b := a.browser()
	b.signIn(domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/reports/" + rid
	today := domain.DateOf(a.clock.Now())
	if got := b.post(path, with(url.Values{"version": {itoa(c.Version)}}, dateForm("shared_with_chair_on", today.AddDays(3)))); got.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(got.Body, `href="#report-`+rid+`-shared_with_chair_on"`) {
		t.Errorf("a date in the future: %d", got.Status)
	}
	got := b.post(path, with(url.Values{"version": {itoa(c.Version)}}, dateForm("shared_with_chair_on", today)))
	if got.Status != http.StatusSeeOther {
		t.Fatalf("record: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	if r := conf.Report(rid); r.SharedWithChairOn == nil || *r.SharedWithChairOn != today || r.Title != "Police report" || slices.Contains(codes, "REPORT_NOT_WITH_CHAIR") {
		t.Errorf("stored %+v, findings %v", r, codes)
	}
	if n := a.countAudit("update", "report", "demo-social-worker"); n != 1 {
		t.Errorf("%d report updates in the audit trail", n)
	}
}

// A chair records a withholding they agreed and excludes a family member;
// a social worker is shown neither control and a forged post of either is
// refused.
func TestOnlyTheChairAgreesAWithholdingAndExcludes(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	c, rid := a.addReport(c, "social_care", "Assessment")
	mum := c.Participants[0].ID
	today := domain.DateOf(a.clock.Now())
	reports, person := "/conferences/"+c.ID+"/reports", "/conferences/"+c.ID+"/participants/"+mum

	sw := a.browser()
	sw.signIn(domain.RoleSocialWorker)
	if p := sw.get(reports); strings.Contains(p.Body, "chair_agreed_on") {
		t.Error("a social worker is shown the chair's agreement")
	}
	if p := sw.get(person); strings.Contains(p.Body, `name="excluded"`) {
		t.Error("a social worker is shown the chair's exclusion")
	}
	v := itoa(c.Version)
	forged := sw.post(reports+"/"+rid+"/shares", with(url.Values{"version": {v}, "participant_id": {mum}, "outcome": {"withheld"}, "reason": {"risk"}}, dateForm("chair_agreed_on", today)))
	if forged.Status != http.StatusForbidden || !strings.Contains(forged.Body, "You cannot do this") {
		t.Errorf("a social worker's forged agreement: %d", forged.Status)
	}
	if forged = sw.post(person+"/safety", url.Values{"version": {v}, "excluded": {"yes"}}); forged.Status != http.StatusForbidden {
		t.Errorf("a social worker's forged exclusion: %d", forged.Status)
	}

	chair := a.browser()
	chair.signIn(domain.RoleChair)
	p := chair.get(reports)
	if !strings.Contains(p.Body, `name="chair_agreed_on-day"`) || strings.Contains(p.Body, `name="shared_on-day"`) || !strings.Contains(p.Body, "Record a withholding you agreed") {
		t.Fatal("the chair is not shown the withholding alone")
	}
	forged = chair.post(reports+"/"+rid+"/shares", with(url.Values{"version": {v}, "participant_id": {mum}, "outcome": {"shared"}, "language": {"en"}}, dateForm("shared_on", today)))
	if forged.Status != http.StatusForbidden {
		t.Errorf("the chair's forged share: %d", forged.Status)
	}
	got := chair.post(reports+"/"+rid+"/shares", with(url.Values{"version": {v}, "participant_id": {mum}, "outcome": {"withheld"}, "reason": {"Would put the child at risk"}}, dateForm("chair_agreed_on", today)))
	if got.Status != http.StatusSeeOther {
		t.Fatalf("the chair's withholding: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	if sh := conf.Report(rid).Shares; len(sh) != 1 || !sh[0].Withheld || sh[0].ChairAgreedOn == nil || slices.Contains(codes, "REPORT_NOT_SHARED") {
		t.Errorf("stored %+v, findings %v", sh, codes)
	}

	p = chair.get(person)
	got = chair.post(person+"/safety", with(url.Values{"version": {p.version(t)}, "excluded": {"yes"}, "exclusion.grounds": {"Risk to the child"}}, dateForm("exclusion.decided_by_chair_on", today)))
	if got.Status != http.StatusSeeOther {
		t.Fatalf("the chair's exclusion: %d %s", got.Status, got.Body)
	}
	conf, codes = a.stored(c.ID)
	if pp := conf.Participant(mum); pp.Attendance != domain.AttendanceExcluded || !pp.ExclusionDecided() || slices.Contains(codes, "EXCLUSION_NOT_DECIDED") {
		t.Errorf("stored %+v, findings %v", pp.ParticipantFields, codes)
	}
	if p = chair.get(person); !strings.Contains(p.Body, `id="safety-excluded" name="excluded" type="radio" value="yes" checked`) {
		t.Error("the page does not show the exclusion as recorded")
	}
}

func TestChildViewsThatCannotBeHadNeedAReasonAndUnbornChildrenHaveNoForm(t *testing.T) {
	a := newApp(t)
	c := a.seed("DEMO", 2)
	c = a.change(c.ID, func(c *domain.Conference) { c.Children = append(c.Children, domain.Child{Ref: "U-1", Unborn: true}) })
	b := a.browser()
	b.signIn(domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/children"
	p := b.get(path)
	if !strings.Contains(p.Body, "Unborn child") || !strings.Contains(p.Body, "no views to record") || strings.Contains(p.Body, `id="child-1-means"`) {
		t.Error("an unborn child is not shown as having no views to record")
	}
	form := url.Values{"version": {p.version(t)}, "child": {"0"}, "child_ref": {"C-1"}, "means": {"not_applicable"}}
	got := b.post(path, form)
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#child-0-reason"`) {
		t.Fatalf("not applicable without a reason: %d", got.Status)
	}
	form.Set("reason", "Too young to give views")
	if got = b.post(path, form); got.Status != http.StatusSeeOther {
		t.Fatalf("not applicable with a reason: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	if v := conf.Child("C-1").Views; v == nil || v.Means != "not_applicable" || v.Reason != "Too young to give views" || slices.Contains(codes, "CHILD_VIEWS_NOT_RECORDED") {
		t.Errorf("stored %+v, findings %v", v, codes)
	}
}

func TestAFamilyMembersPreparationIsRecorded(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	today := domain.DateOf(a.clock.Now())
	if _, codes := a.stored(c.ID); !slices.Contains(codes, "FAMILY_NOT_INFORMED") || !slices.Contains(codes, "ADVOCACY_NOT_OFFERED") {
		t.Fatalf("nothing to clear: %v", codes)
	}
	p := b.get(path)
	got := b.post(path+"/preparation", with(url.Values{"version": {p.version(t)}, "invited": {"yes"}, "parental_responsibility": {"on"}},
		dateForm("informed_on", today), dateForm("advocacy_offered_on", today.AddDays(1))))
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#preparation-advocacy_offered_on"`) {
		t.Fatalf("advocacy offered tomorrow: %d", got.Status)
	}
	got = b.post(path+"/preparation", with(url.Values{"version": {p.version(t)}, "invited": {"yes"}, "parental_responsibility": {"on"}},
		dateForm("informed_on", today), dateForm("advocacy_offered_on", today)))
	if got.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	pp := conf.Participants[0]
	if !pp.ParentalResponsibility || pp.InformedOn == nil || pp.AdvocacyOfferedOn == nil || !pp.IsInvited() ||
		slices.Contains(codes, "FAMILY_NOT_INFORMED") || slices.Contains(codes, "ADVOCACY_NOT_OFFERED") {
		t.Errorf("stored %+v, findings %v", pp.ParticipantFields, codes)
	}
	// The chair does not prepare the family: shown, not offered.
	chair := a.browser()
	chair.signIn(domain.RoleChair)
	if p := chair.get(path); strings.Contains(p.Body, `action="`+path+`/preparation"`) || !strings.Contains(p.Body, "Parental responsibility") {
		t.Error("the chair is offered the preparation form, or not shown it")
	}
}

func TestAnArrangedLanguageNeedNamesWhoInterprets(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	path := "/conferences/" + c.ID + "/participants/" + c.Participants[0].ID
	form := url.Values{"version": {b.get(path).version(t)}, "status": {"arranged"}, "language": {"pl"}}
	got := b.post(path+"/needs/language", form)
	if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, `href="#need-language-interpreter"`) || !strings.Contains(got.Body, `id="need-language-interpreter"`) {
		t.Fatalf("arranged without an interpreter: %d", got.Status)
	}
	form.Set("interpreter", "family_member")
	if got = b.post(path+"/needs/language", form); got.Status != http.StatusSeeOther {
		t.Fatalf("arranged with a family interpreter: %d %s", got.Status, got.Body)
	}
	conf, codes := a.stored(c.ID)
	if n := conf.Participants[0].Need("language"); n == nil || n.Interpreter != "family_member" || !slices.Contains(codes, "INTERPRETER_NOT_INDEPENDENT") {
		t.Errorf("stored %+v, findings %v", n, codes)
	}
}

// A professional changed by someone else meanwhile: the save is refused
// with the conflict page, the typed answers kept and the saved ones shown.
func TestAStaleProfessionalChangeShowsTheConflict(t *testing.T) {
	a, c, b := startAs(t, domain.RoleSocialWorker)
	pr := professional("health", "Health Visitor", "invited")
	c = a.change(c.ID, func(c *domain.Conference) { c.Professionals = append(c.Professionals, pr) })
	path := "/conferences/" + c.ID + "/professionals/" + pr.ID
	stale := itoa(c.Version)
	if got := b.post(path, url.Values{"version": {stale}, "name": {"Health Visitor"}, "agency": {"health"}, "attendance": {"declined"}}); got.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", got.Status)
	}
	got := b.post(path, url.Values{"version": {stale}, "name": {"Health Visitor"}, "role": {"Named nurse"}, "agency": {"health"}, "attendance": {"confirmed"}})
	if got.Status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", got.Status)
	}
	for _, want := range []string{"This conference was changed by someone else", `value="Named nurse"`, "Saved now by someone else", "Declined"} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	if conf, _ := a.stored(c.ID); conf.Professional(pr.ID).Attendance != domain.ProfessionalDeclined {
		t.Error("the stale save was written")
	}
}
