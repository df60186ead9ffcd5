package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

const writers = 32

// reportWriters each add one report to a single conference: as many as a
// conference may have.
const reportWriters = domain.MaxReports

// TestConcurrentWritersSeeNoServerErrors runs 32 writers at once: half add
// family members to one conference, half create conferences. No database
// lock or conflict may surface as a 5xx, and no write may be lost.
func TestConcurrentWritersSeeNoServerErrors(t *testing.T) {
	e := newEnv(t)
	conf := e.mustCreate(orgA, "HOT-1")
	key := e.key(orgA, domain.RoleCaseSystem)
	statuses := make([]int, writers)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				statuses[i] = e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/participants", Key: key, Body: participantBody()}).Status
				return
			}
			statuses[i] = e.do(req{Method: "POST", Path: "/v1/conferences", Key: key, Body: conferenceBody("CONC-" + strconv.Itoa(i))}).Status
		}(i)
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusCreated {
			t.Errorf("writer %d: status %d, want 201", i, s)
		}
	}
	r := e.do(req{Method: "GET", Path: "/v1/conferences/" + conf, Key: key})
	var c domain.Conference
	r.Decode(t, &c)
	if len(c.Participants) != writers/2 || c.Version != 1+writers/2 {
		t.Fatalf("conference has %d participants at version %d, want %d at %d", len(c.Participants), c.Version, writers/2, 1+writers/2)
	}
	r = e.do(req{Method: "GET", Path: "/v1/conferences?limit=200", Key: key})
	if n := strings.Count(string(r.Body), `"external_ref":"CONC-`); n != writers/2 {
		t.Fatalf("listed %d new conferences, want %d", n, writers/2)
	}
}

// TestConcurrentIfMatchLosesNoUpdate has 25 writers each read the ETag and
// write with If-Match, retrying on 412. Every write must land exactly once.
func TestConcurrentIfMatchLosesNoUpdate(t *testing.T) {
	e := newEnv(t)
	conf := e.mustCreate(orgA, "MATCH-1")
	ifMatchWriters(t, []*env{e}, conf)
}

// ifMatchWriters runs the If-Match race across the given servers, which
// share one database, and checks no update was lost.
func ifMatchWriters(t *testing.T, servers []*env, conf string) {
	t.Helper()
	key := servers[0].key(orgA, domain.RoleSocialWorker)
	var wg sync.WaitGroup
	errs := make(chan string, reportWriters)
	for i := 0; i < reportWriters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e := servers[i%len(servers)]
			for attempt := 0; attempt < 200; attempt++ {
				tag := e.etagOf(orgA, conf)
				body := map[string]any{"agency": "health", "title": fmt.Sprintf("Writer %d", i)}
				r := e.do(req{Method: "POST", Path: "/v1/conferences/" + conf + "/reports", Key: key, Body: body, Header: map[string]string{"If-Match": tag}})
				switch r.Status {
				case http.StatusCreated:
					return
				case http.StatusPreconditionFailed:
					continue
				default:
					errs <- fmt.Sprintf("writer %d: %d %s", i, r.Status, r.Body)
					return
				}
			}
			errs <- fmt.Sprintf("writer %d never won the race", i)
		}(i)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	var c domain.Conference
	servers[0].do(req{Method: "GET", Path: "/v1/conferences/" + conf, Key: key}).Decode(t, &c)
	titles := map[string]bool{}
	for _, r := range c.Reports {
		titles[r.Title] = true
	}
	if len(c.Reports) != reportWriters || len(titles) != reportWriters || c.Version != 1+reportWriters {
		t.Fatalf("%d reports (%d distinct) at version %d, want %d at %d", len(c.Reports), len(titles), c.Version, reportWriters, 1+reportWriters)
	}
}

// TestConcurrentDuplicateCreates sends the same create many times at once,
// some with one Idempotency-Key and some with only the same external_ref.
// Exactly one conference exists afterwards; every other answer is the
// replay of the first or a 409.
func TestConcurrentDuplicateCreates(t *testing.T) {
	e := newEnv(t)
	duplicateCreates(t, []*env{e})
}

func duplicateCreates(t *testing.T, servers []*env) {
	t.Helper()
	key := servers[0].key(orgA, domain.RoleCaseSystem)
	type answer struct {
		status   int
		id       string
		existing string
		replayed bool
	}
	answers := make([]answer, writers)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := req{Method: "POST", Path: "/v1/conferences", Key: key, Body: conferenceBody("DUP-1")}
			if i%2 == 0 {
				r.Header = map[string]string{"Idempotency-Key": "create-DUP-1"}
			}
			got := servers[i%len(servers)].do(r)
			a := answer{status: got.Status, replayed: got.Header.Get("Idempotent-Replayed") == "true"}
			if got.Status < 500 {
				m := got.JSON(t)
				a.id, _ = m["id"].(string)
				a.existing, _ = m["existing_id"].(string)
			}
			answers[i] = a
		}(i)
	}
	wg.Wait()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	servers[0].do(req{Method: "GET", Path: "/v1/conferences?external_ref=DUP-1", Key: key}).Decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d conferences exist, want exactly 1", len(list.Items))
	}
	created := list.Items[0].ID
	fresh := 0
	for i, a := range answers {
		switch {
		case a.status == http.StatusCreated && a.id == created && !a.replayed:
			fresh++
		case a.status == http.StatusCreated && a.id == created && a.replayed:
		case a.status == http.StatusConflict && (a.existing == created || a.existing == ""):
			// a duplicate external_ref names the conference; a key still in
			// flight has no id to name yet
		default:
			t.Errorf("request %d: %+v, want 201 for %s, its replay, or 409", i, a, created)
		}
	}
	if fresh != 1 {
		t.Errorf("%d requests created the conference, want exactly 1", fresh)
	}
}

// TestTwoServersOnePostgres runs two servers on one PostgreSQL database and
// splits duplicate creates and If-Match races between them.
func TestTwoServersOnePostgres(t *testing.T) {
	url := storetest.PostgresSchemaURL(t)
	db1, clock := storetest.MustOpenURL(t, url)
	db2, _ := storetest.MustOpenURL(t, url)
	db2.Now = clock.Now
	a, b := newEnvOn(t, db1, clock), newEnvOn(t, db2, clock)
	b.keys = a.keys // the same database holds the same keys
	duplicateCreates(t, []*env{a, b})
	conf := a.mustCreate(orgA, "TWO-1")
	ifMatchWriters(t, []*env{a, b}, conf)
}
