package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// benchSize is how many conferences the page benchmarks seed:
// CPCREADY_WEB_BENCH_CONFERENCES, 10,000 unless set.
func benchSize(b *testing.B) int {
	n := 10_000
	if v := os.Getenv("CPCREADY_WEB_BENCH_CONFERENCES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("CPCREADY_WEB_BENCH_CONFERENCES: %q", v)
		}
	}
	return n
}

// benchSite is the app on a database of conferences, ready for a
// signed-in browser.
type benchSite struct {
	a *app
	// probe is an upcoming conference, for the conference page.
	probe string
	// signIn signs a browser in as a member of staff of the conferences'
	// organisation.
	signIn func(br *browser, role domain.Role)
}

// benchApp is the app on the benchmark's database. With
// CPCREADY_WEB_BENCH_DB it is that SQLite file, seeded beforehand by
// cpcbench (organisation CPCREADY_WEB_BENCH_ORG, BENCH unless set): the
// benchmark writes sessions and audit rows to it, so give it a copy, never
// the cache itself. Otherwise it seeds n conferences of DEMO spread over
// two years around now, each with two family members and a report, so that
// the fortnight the home page shows holds about one in fifty of them.
//
// On SQLite a file it seeds is kept for the rest of the run, so that each
// benchmark does not seed its own.
func benchApp(b *testing.B) benchSite {
	if path := os.Getenv("CPCREADY_WEB_BENCH_DB"); path != "" {
		return seededSite(b, path)
	}
	n := benchSize(b)
	demoSignIn := func(br *browser, role domain.Role) { br.signIn(role) }
	if os.Getenv(storetest.PostgresEnv) == "" {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("cpcready-web-bench-%d-%d.db", os.Getpid(), n))
		if seeded[path] != "" {
			db, clock := storetest.MustOpenURL(b, path)
			return benchSite{newAppOn(b, db, clock), seeded[path], demoSignIn}
		}
		db, clock := storetest.MustOpenURL(b, path)
		a, probe := seedBench(b, db, clock, n)
		seeded[path] = probe
		return benchSite{a, probe, demoSignIn}
	}
	db, clock := storetest.MustOpenDB(b)
	a, probe := seedBench(b, db, clock, n)
	return benchSite{a, probe, demoSignIn}
}

// seeded maps a kept benchmark database to its probe conference.
var seeded = map[string]string{}

// seededSite opens a database cpcbench seeded, at today's date as the
// seeding did, with sign-in through a loopback identity provider: demo
// sign-in knows only organisation DEMO.
func seededSite(b *testing.B, path string) benchSite {
	org := os.Getenv("CPCREADY_WEB_BENCH_ORG")
	if org == "" {
		org = "BENCH"
	}
	db, clock := storetest.MustOpenURL(b, path)
	clock.Set(time.Now())
	a, idp := oidcAppOn(b, db, clock)
	now := clock.Now()
	upcoming, _, err := db.ListConferences(context.Background(), manager(org), store.ConferenceFilter{From: &now, Limit: 1})
	if err != nil || len(upcoming) == 0 {
		b.Fatalf("no upcoming conference of %s in %s: %v", org, path, err)
	}
	b.Logf("measuring %s (organisation %s)", path, org)
	probe := upcoming[0]
	// Staff sign in as the probe conference's own chair and social
	// worker, so that "mine" finds their conferences.
	refs := map[domain.Role]string{}
	if probe.Chair != nil {
		refs[domain.RoleChair] = probe.Chair.Ref
	}
	if probe.SocialWorker != nil {
		refs[domain.RoleSocialWorker] = probe.SocialWorker.Ref
	}
	return benchSite{a: a, probe: probe.ID, signIn: func(br *browser, role domain.Role) {
		br.c.Jar = insecureJar()
		u := staffUser{sub: "bench-" + string(role), name: "Bench " + roleWords(role), org: org, ref: refs[role], roles: []string{string(role)}}
		if p := signInAt(b, br, u, idp); p.Status != http.StatusSeeOther {
			b.Fatalf("sign in as %s: %d", role, p.Status)
		}
	}}
}

func roleWords(r domain.Role) string { return strings.ReplaceAll(string(r), "_", " ") }

func seedBench(b *testing.B, db *store.DB, clock *storetest.Clock, n int) (*app, string) {
	a := newAppOn(b, db, clock)
	seeder := domain.Principal{ID: "bench-seed", Role: domain.RoleCaseSystem, Org: "DEMO"}
	yes := true
	now := clock.Now()
	var probe string
	start := time.Now()
	for done := 0; done < n; {
		batch := min(2000, n-done)
		cs := make([]*domain.Conference, batch)
		for i := range cs {
			k := done + i
			at := now.Add(time.Duration(k%730-365) * 24 * time.Hour).Add(time.Duration(k%8) * time.Hour).UTC().Truncate(time.Second)
			mum := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{DisplayName: "Parent", Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo},
				Needs: []domain.Need{{Kind: "technology", Status: domain.NeedIdentified}}, Contacts: []domain.Contact{}}
			dad := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{DisplayName: "Parent", Relationship: "father", Invited: &yes, Attendance: domain.AttendanceUnknown},
				Needs: []domain.Need{}, Contacts: []domain.Contact{}}
			cs[i] = &domain.Conference{ID: uuid.NewString(), ConferenceFields: domain.ConferenceFields{
				ExternalRef: fmt.Sprintf("B-%07d", k), Type: domain.TypeReview, Format: "hybrid", ScheduledStart: domain.Timestamp{Time: at},
				Chair: &domain.Person{Ref: fmt.Sprintf("CH-%d", k%40)}, SocialWorker: &domain.Person{Ref: fmt.Sprintf("SW-%d", k%200)},
				Children: []domain.Child{{Ref: "C-1"}},
			}, Participants: []domain.Participant{mum, dad}, Reports: []domain.Report{{ID: uuid.NewString(), Agency: "police", Title: "Report", Shares: []domain.Share{}}}}
		}
		if err := db.SeedConferences(context.Background(), seeder, cs); err != nil {
			b.Fatal(err)
		}
		if probe == "" {
			probe = cs[0].ID
		}
		done += batch
	}
	b.Logf("seeded %d conferences on %s in %s", n, db.Dialect, time.Since(start).Round(time.Second))
	return a, probe
}

// benchPage measures one page, over real HTTP with a signed-in session,
// and reports its 99th percentile server time.
func benchPage(b *testing.B, role domain.Role, path func(probe string) string) {
	site := benchApp(b)
	br := site.a.browser()
	site.signIn(br, role)
	url := path(site.probe)
	first := br.get(url)
	if first.Status != http.StatusOK {
		b.Fatalf("GET %s: %d", url, first.Status)
	}
	b.Logf("the page links to %d conferences", strings.Count(first.Body, `<a href="/conferences/`))
	var times []time.Duration
	logged := len(site.a.logs.String())
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if p := br.get(url); p.Status != http.StatusOK {
			b.Fatalf("GET %s: %d", url, p.Status)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	p50, p99 := percentiles(times)
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(p50, "p50-ms")
	// The server's own time for each request, from its access log: the
	// target is on this, without the client and the loopback.
	var server []time.Duration
	for _, line := range strings.Split(site.a.logs.String()[logged:], "\n") {
		var entry struct {
			Msg        string  `json:"msg"`
			DurationMS float64 `json:"duration_ms"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "page" {
			server = append(server, time.Duration(entry.DurationMS*float64(time.Millisecond)))
		}
	}
	if len(server) != len(times) {
		b.Fatalf("%d requests but %d access log lines", len(times), len(server))
	}
	p50, p99 = percentiles(server)
	b.ReportMetric(p99, "server-p99-ms")
	b.ReportMetric(p50, "server-p50-ms")
}

// percentiles are the median and the 99th percentile, in milliseconds.
func percentiles(ds []time.Duration) (p50, p99 float64) {
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(ds[len(ds)/2]), ms(ds[min(len(ds)-1, len(ds)*99/100)])
}

func BenchmarkHomePage(b *testing.B) {
	benchPage(b, domain.RoleManager, func(string) string { return "/" })
}

func BenchmarkHomePageNotReadyMine(b *testing.B) {
	benchPage(b, domain.RoleChair, func(string) string { return "/?not_ready=on&mine=on" })
}

func BenchmarkConferencePage(b *testing.B) {
	benchPage(b, domain.RoleSocialWorker, func(probe string) string { return "/conferences/" + probe })
}
