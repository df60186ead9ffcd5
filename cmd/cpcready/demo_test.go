package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/insights"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

// TestDemoPrintsCommandsThatWork runs the demo as the README says and then
// sends exactly the requests its printed curl lines describe.
func TestDemoPrintsCommandsThatWork(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"CPCREADY_ADDR": addr, "CPCREADY_SHUTDOWN_TIMEOUT": "1s", "CPCREADY_DRAIN_DELAY": "250ms"}
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dbFile := filepath.Join(t.TempDir(), "demo.db")
	go func() { done <- run(ctx, []string{"demo", "--db", dbFile}, envOf(env), out, io.Discard) }()
	waitFor(t, "http://"+addr+"/healthz")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var curls []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			curls = append(curls, strings.TrimSpace(line))
		}
	}
	if len(curls) < 3 {
		t.Fatalf("the demo printed %d curl lines:\n%s", len(curls), out.String())
	}
	quoted := regexp.MustCompile(`'([^']*)'`)
	for _, line := range curls {
		parts := quoted.FindAllStringSubmatch(line, -1)
		r, err := http.NewRequest(http.MethodGet, parts[len(parts)-1][1], nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts[:len(parts)-1] {
			switch {
			case strings.Contains(line, "-d '"+p[1]+"'"):
				r.Method = http.MethodPost
				r.Body = io.NopCloser(strings.NewReader(p[1]))
			case strings.Contains(p[1], ": "):
				k, v, _ := strings.Cut(p[1], ": ")
				r.Header.Set(k, v)
			}
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			t.Errorf("%s\n→ %d %s", line, res.StatusCode, body)
		}
		if strings.Contains(line, "readiness=not_ready") && strings.Count(string(body), `"status":"not_ready"`) < 2 {
			t.Errorf("the demo should list at least two conferences that are not ready: %s", body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestDemoServesTheWebApp follows the demo's printed web address: the
// sign-in page offers each role, and signing in as one shows the list.
func TestDemoServesTheWebApp(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"CPCREADY_ADDR": addr, "CPCREADY_SHUTDOWN_TIMEOUT": "1s"}
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--db", filepath.Join(t.TempDir(), "demo.db")}, envOf(env), out, io.Discard)
	}()
	defer func() { cancel(); <-done }()
	waitFor(t, "http://"+addr+"/healthz")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	m := regexp.MustCompile(`Web app:\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo printed no web address:\n%s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "Sign in as social worker") {
		t.Fatalf("the web address shows no sign-in: %s", body)
	}
	req, _ := http.NewRequest(http.MethodPost, m[1]+"sign-in", strings.NewReader("role=social_worker"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(m[1], "/"))
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "DEMO-001") {
		t.Errorf("signed in as a social worker: %d %s", res.StatusCode, body)
	}
}

// TestDemoShowsTheVersionTwoFindings checks the demo data shows what
// version 2 of the rules adds: one conference short of a quorum, and a
// pre-birth conference about an unborn child, held late in the pregnancy.
func TestDemoShowsTheVersionTwoFindings(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	ids, err := seedDemo(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := domain.Principal{ID: "demo-test", Role: domain.RoleManager, Org: demoOrg}
	quorumless, preBirth := 0, 0
	for _, id := range ids {
		c, err := db.Conference(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]bool{}
		for _, f := range readiness.Evaluate(c, clock.Now(), domain.DefaultPolicy(), workdays.New(nil)).Findings {
			codes[f.Code] = true
		}
		if codes[readiness.QuorumNotConfirmed] {
			quorumless++
		}
		if c.Type == domain.TypePreBirth && len(c.Children) > 0 && c.Children[0].Unborn {
			preBirth++
			if !codes[readiness.PreBirthConferenceLate] || codes[readiness.ChildViewsNotRecorded] {
				t.Errorf("the pre-birth conference: %v", codes)
			}
		}
	}
	if quorumless != 1 || preBirth != 1 {
		t.Errorf("%d conferences lack a quorum and %d are pre-birth with an unborn child; want one of each", quorumless, preBirth)
	}
}

// TestDemoGivesAManagerInsights checks the demo's past conferences give
// the Insights page something to show: every charted measure has people
// or conferences to count over the last 12 months, none is all or
// nothing, and most months have conferences.
func TestDemoGivesAManagerInsights(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := seedDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := seedDemoHistory(ctx, db); err != nil {
		t.Fatal(err)
	}
	from, to := insights.LastMonths(domain.DateOf(db.Now()), 12)
	byMonth, err := db.Insights(ctx, domain.Principal{ID: "demo-test", Role: domain.RoleManager, Org: demoOrg}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rep := insights.NewReport(byMonth, from, to, insights.GroupMonth)
	for _, r := range rep.Total.Rows() {
		if strings.HasPrefix(r.Name, domain.NeedsPrefix) && r.Name != domain.NeedsPrefix+"technology" && r.Name != domain.NeedsPrefix+"transport" {
			continue
		}
		if r.Rate.Denominator == 0 || r.Rate.Numerator == 0 || r.Rate.Numerator == r.Rate.Denominator {
			t.Errorf("%s over the demo's year: %d of %d", r.Name, r.Rate.Numerator, r.Rate.Denominator)
		}
	}
	busy := 0
	for _, m := range rep.Months {
		if m.Measures.PostponedByChair.Denominator > 0 {
			busy++
		}
	}
	if busy < 11 {
		t.Errorf("%d of 12 months have conferences", busy)
	}
}
