package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/storetest"
)

// TestMain lets the test binary stand in for cpcbench when the run starts
// the HTTP baseline, which re-executes the running program.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == baselineHTTPCommand {
		if err := runBaselineHTTP(context.Background(), os.Args[2:], os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The whole tool, tiny: seed, build and start the real server, run every
// scenario and baseline, profile the server, and report. It builds the
// server binary and takes some ten seconds, so it is left out of -short
// runs, and out of the PostgreSQL pass: the benchmark runs on SQLite only.
func TestSmokeWholeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server")
	}
	if os.Getenv(storetest.PostgresEnv) != "" {
		t.Skip("the benchmark runs on SQLite; the SQLite pass covers it")
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "figures.json")
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, []string{
		"-n", "50", "-d", "300ms", "-warmup", "100ms", "-c", "4", "-write-c", "8",
		"-no-cache", "-workdir", filepath.Join(dir, "work"),
		"-cpuprofile-dir", filepath.Join(dir, "profiles"), "-json", jsonPath,
	}, &out, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var rep report
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	want := []string{baselineHTTPName, "readiness", "conference", "not-ready-list", baselineStorageName, "write", "mix"}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.Name)
		if r.Requests == 0 || r.Errors != 0 || r.Throughput <= 0 {
			t.Errorf("%s: %d requests, %d errors (%v), %.0f/s", r.Name, r.Requests, r.Errors, r.Codes, r.Throughput)
		}
		if r.Kind == kindScenario {
			if r.PeakRSSBytes == 0 {
				t.Errorf("%s: no server memory figure", r.Name)
			}
			if st, err := os.Stat(r.CPUProfile); err != nil || st.Size() == 0 {
				t.Errorf("%s: no CPU profile (%v)", r.Name, err)
			}
			// Every scenario commits, writes and the audit rows of reads,
			// but the list's: at 50 conferences its pages may list none,
			// and an empty page audits nothing.
			if r.WritesPerCommit < 1 && r.Name != "not-ready-list" {
				t.Errorf("%s: %.2f writes a commit, want at least one", r.Name, r.WritesPerCommit)
			}
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ran %v, want %v", got, want)
	}
	if s := rep.Startup; s == nil || s.ReadySeconds <= 0 || s.Near == 0 {
		t.Errorf("start-up after a new bank holiday: %+v, want a time and the near conferences it re-evaluated", s)
	}
	if len(rep.Verdicts) != 5 || rep.ReadinessBodyBytes == 0 || rep.ListPages == 0 {
		t.Errorf("verdicts %d, readiness body %d bytes, list pages %d", len(rep.Verdicts), rep.ReadinessBodyBytes, rep.ListPages)
	}
	for _, s := range []string{"readiness", "writes/commit", "Targets:", "go tool pprof -top"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the printed report lacks %q:\n%s", s, out.String())
		}
	}
}
