package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// ctPage is one page of GET /v1/conferences, decoded.
type ctPage struct {
	Items []struct {
		ID             string          `json:"id"`
		ExternalRef    string          `json:"external_ref"`
		ScheduledStart string          `json:"scheduled_start"`
		Status         string          `json:"status"`
		Version        int             `json:"version"`
		Readiness      *map[string]any `json:"readiness"`
		Participants   any             `json:"participants"`
		Children       []domain.Child  `json:"children"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (p ctPage) refs() []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.ExternalRef)
	}
	return out
}

// ctList fetches one page as orgA's manager and fails unless it is a 200.
func ctList(t *testing.T, e *env, org, query string) ctPage {
	t.Helper()
	r := e.do(req{Method: "GET", Path: "/v1/conferences?" + query, Key: e.key(org, domain.RoleManager)})
	if r.Status != http.StatusOK {
		t.Fatalf("list ?%s: %d %s", query, r.Status, r.Body)
	}
	var p ctPage
	r.Decode(t, &p)
	if p.Items == nil {
		t.Fatalf("items is null or missing: %s", r.Body)
	}
	return p
}

// ctCreateAt creates a conference in org scheduled at start, with changes.
func ctCreateAt(t *testing.T, e *env, org, ref, start string, changes map[string]any) string {
	t.Helper()
	body := ctWith(conferenceBody(ref), map[string]any{"scheduled_start": start})
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(org, domain.RoleCaseSystem), Body: ctWith(body, changes)})
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", ref, r.Status, r.Body)
	}
	return r.JSON(t)["id"].(string)
}

func TestListConferencesOrderAndPaging(t *testing.T) {
	e := newEnv(t)
	// Created out of order; two share a start, so id breaks the tie.
	ids := map[string]string{}
	for _, c := range []struct{ ref, start string }{
		{"L-3", "2026-12-03T10:00:00Z"},
		{"L-1", "2026-12-01T10:00:00Z"},
		{"L-5", "2026-12-05T10:00:00Z"},
		{"L-2a", "2026-12-02T10:00:00Z"},
		{"L-2b", "2026-12-02T10:00:00Z"},
		{"L-4", "2026-12-04T09:30:00+01:00"}, // 08:30Z, still after the 3rd
	} {
		ids[c.ref] = ctCreateAt(t, e, orgA, c.ref, c.start, nil)
	}
	ctCreateAt(t, e, orgB, "L-0-B", "2026-11-30T10:00:00Z", nil) // another organisation's
	tied := []string{"L-2a", "L-2b"}
	if ids["L-2b"] < ids["L-2a"] {
		tied = []string{"L-2b", "L-2a"}
	}
	want := append(append([]string{"L-1"}, tied...), "L-3", "L-4", "L-5")

	all := ctList(t, e, orgA, "")
	if got := all.refs(); !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if all.NextCursor != nil {
		t.Errorf("next_cursor = %q on the only page", *all.NextCursor)
	}
	it := all.Items[0]
	if it.ID != ids["L-1"] || it.Version != 1 || it.Status != "scheduled" || it.ScheduledStart != "2026-12-01T10:00:00Z" {
		t.Errorf("first item = %+v", it)
	}
	if it.Readiness == nil || (*it.Readiness)["status"] != "not_ready" {
		t.Errorf("readiness = %v", it.Readiness)
	}
	if it.Participants != nil {
		t.Errorf("a list item carries participants: %v", it.Participants)
	}
	if len(it.Children) != 1 || it.Children[0].Ref != "C-1" {
		t.Errorf("children = %+v", it.Children)
	}

	// Pages of two: every conference once, in order, then no cursor.
	var paged []string
	query := "limit=2"
	for page := 0; ; page++ {
		p := ctList(t, e, orgA, query)
		paged = append(paged, p.refs()...)
		if page < 2 && (len(p.Items) != 2 || p.NextCursor == nil) {
			t.Fatalf("page %d: %v, cursor %v", page, p.refs(), p.NextCursor)
		}
		if p.NextCursor == nil {
			break
		}
		if page > 3 {
			t.Fatal("paging does not end")
		}
		query = "limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paged = %v, want %v", paged, want)
	}
	// A cursor keeps working with filters.
	p := ctList(t, e, orgA, "limit=1&from=2026-12-02")
	if !slices.Equal(p.refs(), want[1:2]) || p.NextCursor == nil {
		t.Fatalf("from page 1 = %v", p.refs())
	}
	p = ctList(t, e, orgA, "limit=3&from=2026-12-02&cursor="+url.QueryEscape(*p.NextCursor))
	if !slices.Equal(p.refs(), want[2:5]) {
		t.Errorf("from page 2 = %v, want %v", p.refs(), want[2:5])
	}
}

func TestListConferencesLimit(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 51; i++ {
		ctCreateAt(t, e, orgA, fmt.Sprintf("LIM-%02d", i), fmt.Sprintf("2026-12-01T%02d:%02d:00Z", 8+i/60, i%60), nil)
	}
	p := ctList(t, e, orgA, "")
	if len(p.Items) != 50 || p.NextCursor == nil {
		t.Fatalf("default page: %d items, cursor %v; want 50 and a cursor", len(p.Items), p.NextCursor)
	}
	if p.Items[49].ExternalRef != "LIM-49" {
		t.Errorf("50th = %s", p.Items[49].ExternalRef)
	}
	rest := ctList(t, e, orgA, "cursor="+url.QueryEscape(*p.NextCursor))
	if !slices.Equal(rest.refs(), []string{"LIM-50"}) || rest.NextCursor != nil {
		t.Errorf("second page = %v, cursor %v", rest.refs(), rest.NextCursor)
	}
	if p := ctList(t, e, orgA, "limit=200"); len(p.Items) != 51 || p.NextCursor != nil {
		t.Errorf("limit=200: %d items, cursor %v", len(p.Items), p.NextCursor)
	}
	if p := ctList(t, e, orgA, "limit=1"); len(p.Items) != 1 || p.NextCursor == nil {
		t.Errorf("limit=1: %d items, cursor %v", len(p.Items), p.NextCursor)
	}
}

func TestListConferencesFilters(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	ctCreateAt(t, e, orgA, "F-1", "2026-12-01T10:00:00Z", nil)
	ctCreateAt(t, e, orgA, "F-2", "2026-12-02T23:30:00Z", map[string]any{ // 23:30 on 2 December in London (GMT)
		"chair": map[string]any{"ref": "CH-2"}, "social_worker": map[string]any{"ref": "SW-2"},
	})
	f3 := ctCreateAt(t, e, orgA, "F-3", "2026-12-03T00:00:00Z", map[string]any{"chair": map[string]any{"ref": "CH-2"}})
	ctCreateAt(t, e, orgB, "F-B", "2026-12-02T10:00:00Z", map[string]any{"chair": map[string]any{"ref": "CH-2"}})
	r := e.do(req{Method: "PATCH", Path: ctPath(f3), Key: cs, Header: ctIfMatch(`"1"`), Body: map[string]any{"status": "cancelled"}})
	if r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"F-1", "F-2", "F-3"}},
		{"external_ref=F-2", []string{"F-2"}},
		{"external_ref=F-B", []string{}}, // orgB's, never listed for orgA
		{"external_ref=f-2", []string{}}, // exact match
		{"chair_ref=CH-2", []string{"F-2", "F-3"}},
		{"chair_ref=CH-1", []string{"F-1"}},
		{"social_worker_ref=SW-2", []string{"F-2"}},
		{"social_worker_ref=SW-1", []string{"F-1", "F-3"}},
		{"status=cancelled", []string{"F-3"}},
		{"status=scheduled", []string{"F-1", "F-2"}},
		{"status=held", []string{}},
		{"chair_ref=CH-2&status=scheduled", []string{"F-2"}},
		{"from=2026-12-02", []string{"F-2", "F-3"}},
		{"to=2026-12-02", []string{"F-1", "F-2"}}, // a date as "to" takes in the whole day
		{"from=2026-12-02&to=2026-12-02", []string{"F-2"}},
		{"from=2026-12-02T23:30:00Z", []string{"F-2", "F-3"}}, // from is inclusive
		{"to=2026-12-02T23:30:00Z", []string{"F-1"}},          // an instant as "to" is exclusive
		{"to=" + url.QueryEscape("2026-12-03T01:00:00+01:00"), []string{"F-1", "F-2"}},
		{"from=2027-01-01", []string{}},
		{"readiness=not_ready", []string{"F-1", "F-2", "F-3"}},
		{"readiness=ready", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			if got := ctList(t, e, orgA, tc.query).refs(); !slices.Equal(got, tc.want) {
				t.Errorf("?%s = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	// orgB sees only its own.
	if got := ctList(t, e, orgB, "").refs(); !slices.Equal(got, []string{"F-B"}) {
		t.Errorf("orgB lists %v", got)
	}
}

func TestListConferencesRefused(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate(orgA, "LR-1")
	cases := []struct {
		query  string
		fields []string
	}{
		{"limit=201", []string{"limit"}},
		{"limit=0", []string{"limit"}},
		{"limit=-1", []string{"limit"}},
		{"limit=ten", []string{"limit"}},
		{"limit=2&limit=3", []string{"limit"}},
		{"status=done", []string{"status"}},
		{"readiness=maybe", []string{"readiness"}},
		{"overdue=yes", []string{"overdue"}},
		{"from=01/12/2026", []string{"from"}},
		{"to=2026-12-01T10:00", []string{"to"}},
		{"external_ref=" + strings.Repeat("x", 501), []string{"external_ref"}},
		{"cursor=not-a-cursor", []string{"cursor"}},
		{"sort=scheduled_start", []string{"sort"}},
		{"limit=500&status=x", []string{"limit", "status"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			frozen := ctFrozen(t, e, id)
			r := e.do(req{Method: "GET", Path: "/v1/conferences?" + tc.query, Key: e.key(orgA, domain.RoleChair)})
			ctFields(t, ctProblem(t, r, http.StatusUnprocessableEntity), tc.fields...)
			frozen()
		})
	}
}

// Dates as from and to are London days: in summer, 23:30 UTC is already the
// next day.
func TestListConferencesDateBoundsAreLondon(t *testing.T) {
	e := newEnv(t)
	ctCreateAt(t, e, orgA, "BST-1", "2026-07-01T22:30:00Z", nil) // 23:30 on 1 July in London
	ctCreateAt(t, e, orgA, "BST-2", "2026-07-01T23:30:00Z", nil) // 00:30 on 2 July in London
	for query, want := range map[string][]string{
		"to=2026-07-01":                 {"BST-1"},
		"from=2026-07-02":               {"BST-2"},
		"from=2026-07-01&to=2026-07-01": {"BST-1"},
		"from=2026-07-01T23:00:00Z":     {"BST-2"},
	} {
		if got := ctList(t, e, orgA, query).refs(); !slices.Equal(got, want) {
			t.Errorf("?%s = %v, want %v", query, got, want)
		}
	}
}
