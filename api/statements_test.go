package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// statementCounter counts the SQL statements the store runs.
type statementCounter struct {
	mu   sync.Mutex
	sqls []string
}

func countStatements(e *env) *statementCounter {
	sc := &statementCounter{}
	e.db.OnStatement(func(sql string) {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		sc.sqls = append(sc.sqls, sql)
	})
	e.t.Cleanup(func() { e.db.OnStatement(nil) })
	return sc
}

// during returns the statements r cost.
func (sc *statementCounter) during(e *env, r req) []string {
	e.t.Helper()
	sc.mu.Lock()
	sc.sqls = nil
	sc.mu.Unlock()
	if got := e.send(r); got >= 300 {
		e.t.Fatalf("%s %s: status %d", r.Method, r.Path, got)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]string(nil), sc.sqls...)
}

// grow gives a conference size family members, each with every need and
// a contact, and size reports, each shared with every family member.
func grow(t *testing.T, e *env, confID string, size int) (participantID string) {
	t.Helper()
	yes := true
	on := domain.DateOf(e.clock.Now()).AddDays(-3)
	seed := domain.Principal{ID: "grow", Role: domain.RoleCaseSystem, Org: orgA}
	_, err := e.db.UpdateConference(context.Background(), seed, confID, nil, func(c *domain.Conference) (domain.Change, error) {
		for i := range size {
			p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
				DisplayName: fmt.Sprint("P", i), Relationship: "parent", Invited: &yes, Attendance: domain.AttendanceVideo, NeedsAssessedOn: &on},
				Contacts: []domain.Contact{{ID: uuid.NewString(), With: "social_worker", On: &on, Method: "phone"}}}
			for _, kind := range domain.NeedKinds {
				p.Needs = append(p.Needs, domain.Need{Kind: kind, Status: domain.NeedIdentified, Language: languageFor(kind)})
			}
			c.Participants = append(c.Participants, p)
		}
		for i := range size {
			r := domain.Report{ID: uuid.NewString(), Agency: "health", Title: fmt.Sprint("R", i)}
			for _, p := range c.Participants {
				r.Shares = append(r.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: &on, Language: "en"})
			}
			c.Reports = append(c.Reports, r)
		}
		participantID = c.Participants[0].ID
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]int{"size": size}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return participantID
}

func languageFor(kind string) string {
	if kind == domain.NeedLanguage {
		return "pl"
	}
	return ""
}

// TestStatementsPerRequestDoNotGrowWithTheAggregate reads and writes a
// small conference and one eight times its size: each request must cost
// the same number of statements, within a fixed bound.
func TestStatementsPerRequestDoNotGrowWithTheAggregate(t *testing.T) {
	e := newEnv(t)
	chair, worker := e.key(orgA, domain.RoleChair), e.key(orgA, domain.RoleSocialWorker)
	requests := []struct {
		name  string
		bound int
		req   func(conf, pid string, i int) req
	}{
		{"GET conference", 2, func(conf, _ string, _ int) req {
			return req{Method: "GET", Path: "/v1/conferences/" + conf, Key: chair}
		}},
		{"GET readiness", 2, func(conf, _ string, _ int) req {
			return req{Method: "GET", Path: "/v1/conferences/" + conf + "/readiness", Key: chair}
		}},
		{"PUT need", 7, func(conf, pid string, i int) req {
			return req{Method: "PUT", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/needs/childcare", Key: worker,
				Body: map[string]any{"status": []string{"arranged", "identified"}[i%2]}}
		}},
		// The list read is one audit event and one insert of its links.
		{"GET list", 3, func(_, _ string, _ int) req {
			return req{Method: "GET", Path: "/v1/conferences?readiness=not_ready&limit=50", Key: chair}
		}},
	}
	small, large := e.mustCreate(orgA, "SMALL"), e.mustCreate(orgA, "LARGE")
	smallP, largeP := grow(t, e, small, 1), grow(t, e, large, 8)
	for i := range 60 {
		e.mustCreate(orgA, fmt.Sprint("FILL-", i))
	}
	// Each key's first request looks it up; later ones find it cached.
	for _, key := range []string{chair, worker} {
		if got := e.send(req{Method: "GET", Path: "/v1/conferences?limit=1", Key: key}); got != http.StatusOK {
			t.Fatalf("warming the key cache: %d", got)
		}
	}
	sc := countStatements(e)
	for _, r := range requests {
		a := sc.during(e, r.req(small, smallP, 0))
		b := sc.during(e, r.req(large, largeP, 0))
		c := sc.during(e, r.req(large, largeP, 1))
		t.Logf("%s: %d statements", r.name, len(b))
		if len(a) != len(b) || len(b) != len(c) {
			t.Errorf("%s: %d statements on the small conference, %d and %d on the large:\n%s", r.name, len(a), len(b), len(c), strings.Join(b, "\n"))
		}
		if len(b) > r.bound {
			t.Errorf("%s: %d statements, bound %d:\n%s", r.name, len(b), r.bound, strings.Join(b, "\n"))
		}
		if len(b) == 0 {
			t.Errorf("%s: no statements counted", r.name)
		}
	}
	if got := e.send(req{Method: "GET", Path: "/v1/conferences/" + large, Key: chair}); got != http.StatusOK {
		t.Fatalf("large conference reads %d", got)
	}
}

// texts returns the distinct statements r cost, added to seen.
func (sc *statementCounter) texts(e *env, seen map[string]bool, rs ...req) {
	e.t.Helper()
	for _, r := range rs {
		for _, s := range sc.during(e, r) {
			seen[s] = true
		}
	}
}

// TestStatementTextsDoNotGrowWithTheWork runs a varied workload twice:
// first with aggregates of a few sizes and a few lists, then with other
// sizes, other filters and other page sizes. Every statement's text is
// fixed (lists of ids are one argument, rows go in by fixed chunks), so
// the second workload runs no text the first did not, and the whole is a
// few dozen texts, each prepared once.
func TestStatementTextsDoNotGrowWithTheWork(t *testing.T) {
	e := newEnv(t)
	chair, worker := e.key(orgA, domain.RoleChair), e.key(orgA, domain.RoleSocialWorker)
	sc := countStatements(e)
	workload := func(sizes []int, limits []int, filters []string) map[string]bool {
		seen := map[string]bool{}
		for _, size := range sizes {
			conf := e.mustCreate(orgA, fmt.Sprint("TEXTS-", size, "-", uuid.NewString()[:8]))
			pid := grow(t, e, conf, size)
			sc.texts(e, seen,
				req{Method: "GET", Path: "/v1/conferences/" + conf, Key: chair},
				req{Method: "GET", Path: "/v1/conferences/" + conf + "/readiness", Key: chair},
				req{Method: "PUT", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/needs/childcare", Key: worker,
					Body: map[string]any{"status": "arranged"}},
				req{Method: "PUT", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/needs/transport", Key: worker,
					Body: map[string]any{"status": "identified"}},
				req{Method: "POST", Path: "/v1/conferences/" + conf + "/participants", Key: worker, Body: participantBody()},
			)
		}
		for _, limit := range limits {
			for _, f := range filters {
				sc.texts(e, seen, req{Method: "GET", Path: fmt.Sprintf("/v1/conferences?limit=%d%s", limit, f), Key: chair})
			}
		}
		return seen
	}
	first := workload([]int{1, 9}, []int{10}, []string{"", "&readiness=not_ready", "&external_ref=TEXTS-1"})
	second := workload([]int{2, 3, 5, 12}, []int{1, 7, 50, 200},
		[]string{"&readiness=ready&overdue=true", "&overdue=false&status=scheduled", "&from=2026-11-01&to=2027-01-01",
			"&chair_ref=CH-1&social_worker_ref=SW-1", "&external_ref=TEXTS-2&readiness=not_ready"})
	for s := range second {
		if !first[s] {
			t.Errorf("a text the first workload did not run:\n%s", s)
		}
	}
	t.Logf("%d distinct statements", len(first))
	if len(first) > 40 {
		t.Errorf("%d distinct statements, want at most 40", len(first))
	}
}
