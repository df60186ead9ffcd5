package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
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
