package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Which baseline a scenario is compared with.
const (
	againstHTTP    = "http"
	againstStorage = "storage"
)

// scenario is one kind of load on the server.
type scenario struct {
	Name     string
	About    string
	Baseline string // againstHTTP, againstStorage or ""
	Writes   bool   // runs at -write-c instead of -c
	// Restarts marks the start-up measurement: no load, and the server
	// it leaves has new settings, so it runs after every other scenario.
	Restarts bool
	targets  func(t *targetSet) vegeta.Targeter
}

var scenarios = []scenario{
	{Name: "readiness", About: "GET /v1/conferences/{id}/readiness, random conferences", Baseline: againstHTTP,
		targets: func(t *targetSet) vegeta.Targeter { return t.each(t.readiness) }},
	{Name: "conference", About: "GET /v1/conferences/{id}, random conferences", Baseline: againstHTTP,
		targets: func(t *targetSet) vegeta.Targeter { return t.each(t.conference) }},
	{Name: "not-ready-list", About: "GET /v1/conferences?readiness=not_ready over the next 14 days, 50 a page, random pages", Baseline: againstHTTP,
		targets: func(t *targetSet) vegeta.Targeter { return t.each(t.listPage) }},
	{Name: "write", About: "PUT …/participants/{pid}/needs/transport, toggling identified and arranged", Baseline: againstStorage, Writes: true,
		targets: func(t *targetSet) vegeta.Targeter { return t.each(t.putNeed) }},
	{Name: "mix", About: "80% reads (40% readiness, 30% conference, 10% list) and 20% need writes",
		targets: func(t *targetSet) vegeta.Targeter { return t.each(t.mixed) }},
	{Name: startupName, About: "restart with a new bank holiday, as after new rules: from exec to the first 200 from /readyz, then the background re-evaluation's pace",
		Restarts: true},
}

func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return names
}

func scenarioByName(name string) *scenario {
	for i := range scenarios {
		if scenarios[i].Name == name {
			return &scenarios[i]
		}
	}
	return nil
}

// targetSet makes the requests of every scenario against one base URL.
// Vegeta's workers ask for targets concurrently, so its state is guarded.
type targetSet struct {
	base   string
	header http.Header
	n      int
	seed   uint64
	pages  []string // list URLs, one a page, for the not-ready list

	mu  sync.Mutex
	rng *rand.Rand
	// toggles counts the writes to each conference's need, so that every
	// write changes it: odd counts set identified, even ones arranged.
	toggles []atomic.Uint32
}

func newTargetSet(base, key string, n int, seed uint64, pages []string) *targetSet {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	return &targetSet{base: base, header: h, n: n, seed: seed, pages: pages,
		rng: rand.New(rand.NewPCG(seed, 0x6370636265)), toggles: make([]atomic.Uint32, n)}
}

// each turns a request maker into a vegeta targeter.
func (t *targetSet) each(make func(tgt *vegeta.Target)) vegeta.Targeter {
	return func(tgt *vegeta.Target) error {
		*tgt = vegeta.Target{Header: t.header}
		make(tgt)
		return nil
	}
}

func (t *targetSet) intN(n int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.IntN(n)
}

func (t *targetSet) conferenceURL(i int) string {
	return t.base + "/v1/conferences/" + conferenceID(t.seed, i)
}

func (t *targetSet) readiness(tgt *vegeta.Target) {
	tgt.Method, tgt.URL = http.MethodGet, t.conferenceURL(t.intN(t.n))+"/readiness"
}

func (t *targetSet) conference(tgt *vegeta.Target) {
	tgt.Method, tgt.URL = http.MethodGet, t.conferenceURL(t.intN(t.n))
}

func (t *targetSet) listPage(tgt *vegeta.Target) {
	tgt.Method, tgt.URL = http.MethodGet, t.pages[t.intN(len(t.pages))]
}

var needBodies = [2][]byte{
	[]byte(`{"status":"arranged","detail":"Taxi booked both ways."}`),
	[]byte(`{"status":"identified","detail":"Lives two buses away from the venue."}`),
}

// putNeed sets the first family member's transport need of a random
// conference, flipping it on every write so that each one is a change.
func (t *targetSet) putNeed(tgt *vegeta.Target) {
	i := t.intN(t.n)
	flip := t.toggles[i].Add(1) % 2
	tgt.Method = http.MethodPut
	tgt.URL = t.conferenceURL(i) + "/participants/" + participantID(t.seed, i, 0) + "/needs/transport"
	tgt.Body = needBodies[flip]
	tgt.Header = t.header.Clone()
	tgt.Header.Set("Content-Type", "application/json")
}

func (t *targetSet) mixed(tgt *vegeta.Target) {
	switch x := t.intN(100); {
	case x < 40:
		t.readiness(tgt)
	case x < 70:
		t.conference(tgt)
	case x < 80:
		t.listPage(tgt)
	default:
		t.putNeed(tgt)
	}
}

// listURL is the first page of the not-ready list between two dates.
func listURL(base, from, to string) string {
	q := url.Values{}
	q.Set("readiness", "not_ready")
	q.Set("from", from)
	q.Set("to", to)
	q.Set("limit", "50")
	return fmt.Sprintf("%s/v1/conferences?%s", base, q.Encode())
}
