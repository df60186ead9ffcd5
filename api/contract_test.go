package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cpcready/cpcready"
	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

var ginParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// specOperations returns every "METHOD /path" in openapi.yaml with its
// operationId.
func specOperations(t *testing.T) map[string]string {
	t.Helper()
	doc, _, err := loadSpec()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	out := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = op.OperationID
		}
	}
	return out
}

// TestContractRoutesMatchSpec checks that the gin routes and the spec's
// operations are the same set, in both directions.
func TestContractRoutesMatchSpec(t *testing.T) {
	e := newEnv(t)
	spec := specOperations(t)
	gin := map[string]bool{}
	for _, r := range e.api.Engine().Routes() {
		if r.Method == http.MethodHead || r.Method == http.MethodOptions {
			continue
		}
		gin[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range gin {
		if _, ok := spec[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range spec {
		if !gin[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes the API serves but openapi.yaml does not describe:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("operations openapi.yaml describes but the API does not serve:\n  %s", strings.Join(extra, "\n  "))
	}
}

// TestContractOperationIDsMatchPermissions checks that every /v1 operation
// is in the permission table under its operationId, and nothing else is.
func TestContractOperationIDsMatchPermissions(t *testing.T) {
	spec := specOperations(t)
	seen := map[string]string{}
	for route, id := range spec {
		if !strings.HasPrefix(route[strings.Index(route, " ")+1:], "/v1/") {
			continue
		}
		if id == "" {
			t.Errorf("%s has no operationId", route)
			continue
		}
		if other, dup := seen[id]; dup {
			t.Errorf("operationId %s is used by both %s and %s", id, other, route)
		}
		seen[id] = route
		if _, ok := auth.Permissions[id]; !ok {
			t.Errorf("%s (%s) is not in auth.Permissions", id, route)
		}
	}
	for id := range auth.Permissions {
		if _, ok := seen[id]; !ok {
			t.Errorf("auth.Permissions has %s, which no /v1 operation in openapi.yaml names", id)
		}
	}
}

// TestContractSpecIsValid checks that the spec loads and validates, that
// every /v1 operation needs the bearer scheme and every other one none, and
// that the API serves the file byte for byte.
func TestContractSpecIsValid(t *testing.T) {
	file, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, cpcready.OpenAPI) {
		t.Fatal("the embedded spec differs from openapi.yaml; rebuild")
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(file)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if _, ok := doc.Components.SecuritySchemes["bearer"]; !ok {
		t.Error("no bearer security scheme")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s needs a summary and a tag", name)
			}
			if strings.HasPrefix(path, "/v1/") {
				if op.Security != nil {
					t.Errorf("%s overrides the document's bearer security", name)
				}
				if roles, ok := auth.Permissions[op.OperationID]; ok {
					for _, r := range roles {
						if !strings.Contains(op.Description, string(r)) {
							t.Errorf("%s: the description does not name the %s role", name, r)
						}
					}
				}
				if op.Responses.Status(http.StatusUnauthorized) == nil || op.Responses.Status(http.StatusForbidden) == nil {
					t.Errorf("%s does not document 401 and 403", name)
				}
				if method == http.MethodPost && !hasParam(op, "Idempotency-Key") {
					t.Errorf("%s does not document Idempotency-Key", name)
				}
			} else if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s should have security: []", name)
			}
		}
	}

	// The harness's router must find requests to http://localhost/...
	_, router, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/v1/conferences/abc":                          "getConference",
		"/v1/conferences/abc/participants/def/needs/x": "deleteNeed",
		"/docs/swagger-ui.css":                         "getDocsAsset",
	} {
		method := http.MethodGet
		if want == "deleteNeed" {
			method = http.MethodDelete
		}
		hr, _ := http.NewRequest(method, "http://localhost"+path, nil)
		route, _, err := router.FindRoute(hr)
		if err != nil || route.Operation.OperationID != want {
			t.Errorf("router: %s %s: %v, want %s", method, path, err, want)
		}
	}

	e := newEnv(t)
	r := e.do(req{Method: "GET", Path: "/openapi.yaml"})
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, file) {
		t.Errorf("GET /openapi.yaml: %d, %d bytes; want 200 and the file's %d bytes", r.Status, len(r.Body), len(file))
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("GET /openapi.yaml Content-Type = %q", ct)
	}
}

func hasParam(op *openapi3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.Name == name {
			return true
		}
	}
	return false
}

// TestContractFlow walks a realistic preparation, with some of the errors
// callers meet, so that the harness checks each response against the spec.
func TestContractFlow(t *testing.T) {
	e := newEnv(t)
	cs := e.key(orgA, domain.RoleCaseSystem)
	sw := e.key(orgA, domain.RoleSocialWorker)
	chair := e.key(orgA, domain.RoleChair)
	mgr := e.key(orgA, domain.RoleManager)
	admin := e.key(orgA, domain.RoleAdmin)
	other := e.key(orgB, domain.RoleCaseSystem)

	expect := func(name string, r resp, status int) resp {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %d, want %d: %s", name, r.Status, status, r.Body)
		}
		if r.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", name)
		}
		return r
	}

	// Infrastructure.
	expect("healthz", e.do(req{Method: "GET", Path: "/healthz"}), 200)
	expect("readyz", e.do(req{Method: "GET", Path: "/readyz", Header: map[string]string{"X-Request-ID": "probe-1"}}), 200)
	expect("metrics", e.do(req{Method: "GET", Path: "/metrics"}), 200)
	expect("docs", e.do(req{Method: "GET", Path: "/docs"}), 200)
	expect("docs init", e.do(req{Method: "GET", Path: "/docs/docs-init.js"}), 200)
	expect("docs css", e.do(req{Method: "GET", Path: "/docs/swagger-ui.css"}), 200)
	expect("docs missing", e.do(req{Method: "GET", Path: "/docs/nope.js"}), 404)

	// Create, with an idempotent replay and a duplicate.
	body := conferenceBody("FLOW-1")
	body["previous_conference_on"] = "2026-06-01"
	body["previous_conference_type"] = "initial"
	idem := map[string]string{"Idempotency-Key": "flow-create-1"}
	created := expect("create", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: body, Header: idem}), 201)
	conf := created.JSON(t)["id"].(string)
	if created.Header.Get("Location") != "/v1/conferences/"+conf || created.Header.Get("ETag") != `"1"` {
		t.Errorf("create: Location %q, ETag %q", created.Header.Get("Location"), created.Header.Get("ETag"))
	}
	replay := expect("create replay", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: body, Header: idem}), 201)
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, created.Body) {
		t.Errorf("replay: Idempotent-Replayed %q, same body %v", replay.Header.Get("Idempotent-Replayed"), bytes.Equal(replay.Body, created.Body))
	}
	expect("idempotency key reused with another body", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("FLOW-2"), Header: idem}), 422)
	dup := expect("duplicate external_ref", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody("FLOW-1")}), 409)
	var p api.Problem
	dup.Decode(t, &p)
	if p.ExistingID != conf {
		t.Errorf("duplicate: existing_id %q, want %q", p.ExistingID, conf)
	}
	c := "/v1/conferences/" + conf

	// Family member, need, contacts.
	pb := participantBody()
	pb["needs_assessed_on"] = "2026-11-20"
	pb["safety"] = map[string]any{"concern": "domestic_abuse", "arrangement": "separate_attendance", "note": "separate links"}
	pb["exclusion"] = map[string]any{"grounds": "pending"}
	// The chair's grounds: a case system relays them; a social worker may not.
	added := expect("add participant", e.do(req{Method: "POST", Path: c + "/participants", Key: cs, Body: pb, Header: map[string]string{"Idempotency-Key": "flow-p-1"}}), 201)
	pid := added.JSON(t)["id"].(string)
	second := expect("add second participant", e.do(req{Method: "POST", Path: c + "/participants", Key: cs, Body: map[string]any{"display_name": "Father Person", "relationship": "father", "invited": true, "attendance": "phone"}}), 201)
	pid2 := second.JSON(t)["id"].(string)
	p1 := c + "/participants/" + pid
	expect("put need (create)", e.do(req{Method: "PUT", Path: p1 + "/needs/language", Key: sw, Body: map[string]any{"status": "identified", "language": "pl", "detail": "Polish"}}), 201)
	expect("put need (replace)", e.do(req{Method: "PUT", Path: p1 + "/needs/language", Key: sw, Body: map[string]any{"kind": "language", "status": "arranged", "language": "pl", "interpreter": "family_member"}}), 200)
	expect("put need learning difficulty", e.do(req{Method: "PUT", Path: p1 + "/needs/learning_difficulty", Key: sw, Body: map[string]any{"status": "arranged"}}), 201)
	expect("put need childcare", e.do(req{Method: "PUT", Path: p1 + "/needs/childcare", Key: cs, Body: map[string]any{"status": "identified"}}), 201)
	expect("add contact sw", e.do(req{Method: "POST", Path: p1 + "/contacts", Key: sw, Body: map[string]any{"with": "social_worker", "on": "2026-11-20", "method": "phone"}}), 201)
	expect("add contact chair", e.do(req{Method: "POST", Path: p1 + "/contacts", Key: chair, Body: map[string]any{"with": "chair", "on": "2026-11-21", "method": "video"}}), 201)
	expect("social worker records a chair contact", e.do(req{Method: "POST", Path: p1 + "/contacts", Key: sw, Body: map[string]any{"with": "chair", "on": "2026-11-21", "method": "video"}}), 403)

	// Reports and shares.
	rep := expect("add report", e.do(req{Method: "POST", Path: c + "/reports", Key: sw, Body: map[string]any{"agency": "social_care", "title": "Assessment", "received_on": "2026-11-19"}}), 201)
	rid := rep.JSON(t)["id"].(string)
	expect("share", e.do(req{Method: "POST", Path: c + "/reports/" + rid + "/shares", Key: sw, Body: map[string]any{"participant_id": pid, "shared_on": "2026-11-21", "language": "pl"}}), 201)
	expect("share spoken", e.do(req{Method: "POST", Path: c + "/reports/" + rid + "/shares", Key: sw, Body: map[string]any{"participant_id": pid, "shared_on": "2026-11-21", "language": "pl", "format": "other", "format_note": "recorded audio"}}), 201)
	expect("report reaches the chair", e.do(req{Method: "PATCH", Path: c + "/reports/" + rid, Key: sw, Body: map[string]any{"shared_with_chair_on": "2026-11-20"}, Header: map[string]string{"If-Match": "*"}}), 200)

	// The agencies' professionals.
	prof := expect("add professional", e.do(req{Method: "POST", Path: c + "/professionals", Key: cs, Body: map[string]any{"agency": "police", "name": "DC Example", "role": "child abuse investigation"}, Header: map[string]string{"Idempotency-Key": "flow-prof"}}), 201)
	prid := prof.JSON(t)["id"].(string)
	expect("confirm professional", e.do(req{Method: "PATCH", Path: c + "/professionals/" + prid, Key: sw, Body: map[string]any{"attendance": "confirmed", "report_expected": false}, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": "*"}}), 200)
	expect("get professional", e.do(req{Method: "GET", Path: c + "/professionals/" + prid, Key: chair}), 200)
	expect("list professionals", e.do(req{Method: "GET", Path: c + "/professionals", Key: mgr}), 200)
	expect("professional as chair", e.do(req{Method: "POST", Path: c + "/professionals", Key: chair, Body: map[string]any{"agency": "health", "name": "Health Visitor"}}), 403)
	second2 := expect("add second professional", e.do(req{Method: "POST", Path: c + "/professionals", Key: sw, Body: map[string]any{"agency": "health", "name": "Health Visitor", "attendance": "declined"}}), 201)
	expect("delete professional", e.do(req{Method: "DELETE", Path: c + "/professionals/" + second2.JSON(t)["id"].(string), Key: sw, Header: map[string]string{"If-Match": "*"}}), 204)
	expect("withhold", e.do(req{Method: "POST", Path: c + "/reports/" + rid + "/shares", Key: cs, Body: map[string]any{"participant_id": pid2, "withheld": true, "reason": "risk", "chair_agreed_on": "2026-11-22"}}), 201)
	expect("share with a stranger", e.do(req{Method: "POST", Path: c + "/reports/" + rid + "/shares", Key: cs, Body: map[string]any{"participant_id": "7d4e7c8e-8f7a-4bd5-9c43-0c3f4f4e9a10", "shared_on": "2026-11-21"}}), 422)

	// Child views.
	expect("child views (create)", e.do(req{Method: "PUT", Path: c + "/children/C-1/views", Key: sw, Body: map[string]any{"means": "written", "recorded_on": "2026-11-20"}}), 201)
	expect("child views (replace)", e.do(req{Method: "PUT", Path: c + "/children/C-1/views", Key: sw, Body: map[string]any{"means": "written", "recorded_on": "2026-11-20", "shared_on": "2026-11-21"}}), 200)
	expect("child views of a stranger", e.do(req{Method: "PUT", Path: c + "/children/NOPE/views", Key: sw, Body: map[string]any{"means": "attending"}}), 404)

	// Read it all back.
	got := expect("get", e.do(req{Method: "GET", Path: c, Key: mgr}), 200)
	tag := got.Header.Get("ETag")
	expect("list", e.do(req{Method: "GET", Path: "/v1/conferences?readiness=not_ready&from=2026-11-01&to=2026-12-31T00:00:00Z&status=scheduled&limit=1", Key: mgr}), 200)
	expect("list by refs", e.do(req{Method: "GET", Path: "/v1/conferences?external_ref=FLOW-1&chair_ref=CH-1&social_worker_ref=SW-1&overdue=false", Key: chair}), 200)
	expect("list with a bad filter", e.do(req{Method: "GET", Path: "/v1/conferences?readiness=maybe&limit=500", Key: mgr}), 422)
	expect("readiness", e.do(req{Method: "GET", Path: c + "/readiness", Key: chair}), 200)

	// Change things, with the ETag.
	expect("patch conference", e.do(req{Method: "PATCH", Path: c, Key: cs, Body: map[string]any{"format": "video", "previous_conference_on": nil, "previous_conference_type": nil}, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": tag}}), 200)
	expect("stale patch", e.do(req{Method: "PATCH", Path: c, Key: cs, Body: map[string]any{"format": "hybrid"}, ContentType: "application/merge-patch+json", Header: map[string]string{"If-Match": tag}}), 412)
	expect("patch without If-Match", e.do(req{Method: "PATCH", Path: c, Key: cs, Body: map[string]any{"format": "hybrid"}, ContentType: "application/merge-patch+json"}), 428)
	expect("patch as text", e.do(req{Method: "PATCH", Path: c, Key: cs, Body: "format=hybrid", ContentType: "text/plain", Header: map[string]string{"If-Match": "*"}}), 415)
	expect("patch participant", e.do(req{Method: "PATCH", Path: p1, Key: cs, Body: map[string]any{"technology_checked": true, "private_space_confirmed": true, "exclusion": nil}, Header: map[string]string{"If-Match": "*"}}), 200)
	expect("stale sub-resource write", e.do(req{Method: "POST", Path: c + "/reports", Key: sw, Body: map[string]any{"agency": "police", "title": "Police"}, Header: map[string]string{"If-Match": `"1"`}}), 412)
	expect("delete need", e.do(req{Method: "DELETE", Path: p1 + "/needs/childcare", Key: sw, Header: map[string]string{"If-Match": "*"}}), 204)
	expect("delete missing need", e.do(req{Method: "DELETE", Path: p1 + "/needs/childcare", Key: sw, Header: map[string]string{"If-Match": "*"}}), 404)
	expect("delete participant", e.do(req{Method: "DELETE", Path: c + "/participants/" + pid2, Key: cs, Header: map[string]string{"If-Match": "*"}}), 204)
	expect("delete without If-Match", e.do(req{Method: "DELETE", Path: p1, Key: cs}), 428)

	// The chair's decision, and the trail.
	expect("invalid decision", e.do(req{Method: "POST", Path: c + "/readiness-checks", Key: chair, Body: map[string]any{"decision": "maybe"}}), 422)
	expect("proceed while not ready, no note", e.do(req{Method: "POST", Path: "/v1/conferences/" + e.mustCreate(orgA, "FLOW-BARE") + "/readiness-checks", Key: chair, Body: map[string]any{"decision": "proceed"}}), 422)
	chk := expect("check", e.do(req{Method: "POST", Path: c + "/readiness-checks", Key: chair, Body: map[string]any{"decision": "postpone", "note": "interpreter not booked"}, Header: map[string]string{"Idempotency-Key": "flow-check"}}), 201)
	if chk.Header.Get("Location") == "" {
		t.Error("check: no Location")
	}
	expect("check as social worker", e.do(req{Method: "POST", Path: c + "/readiness-checks", Key: sw, Body: map[string]any{"decision": "postpone"}}), 403)
	expect("list checks", e.do(req{Method: "GET", Path: c + "/readiness-checks", Key: mgr}), 200)
	hist := expect("history", e.do(req{Method: "GET", Path: c + "/history?limit=5", Key: mgr}), 200)
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	hist.Decode(t, &page)
	if page.NextCursor == nil {
		t.Fatal("history: a full page has no next_cursor")
	}
	expect("history page 2", e.do(req{Method: "GET", Path: c + "/history?limit=200&cursor=" + *page.NextCursor, Key: mgr}), 200)
	expect("history newest", e.do(req{Method: "GET", Path: c + "/history?order=newest", Key: cs}), 200)
	expect("history bad order", e.do(req{Method: "GET", Path: c + "/history?order=sideways", Key: cs}), 422)

	// Policy.
	pol := expect("get policy", e.do(req{Method: "GET", Path: "/v1/policy", Key: admin}), 200)
	np := domain.DefaultPolicy()
	np.ReportDays.Initial = 2
	expect("put policy", e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: np, Header: map[string]string{"If-Match": pol.Header.Get("ETag")}}), 200)
	expect("stale policy", e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: np, Header: map[string]string{"If-Match": pol.Header.Get("ETag")}}), 412)
	expect("invalid policy", e.do(req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: map[string]any{"report_days": map[string]any{"initial": 99}, "icpc_working_days": 0, "first_review_months": 3, "review_interval_months": 6}}), 422)
	expect("policy as manager", e.do(req{Method: "GET", Path: "/v1/policy", Key: mgr}), 403)

	// Errors callers meet.
	expect("no credential", e.do(req{Method: "GET", Path: "/v1/conferences"}), 401)
	expect("bad credential", e.do(req{Method: "GET", Path: c, Key: "not-a-key"}), 401)
	expect("manager writes", e.do(req{Method: "POST", Path: "/v1/conferences", Key: mgr, Body: conferenceBody("FLOW-9")}), 403)
	expect("other organisation", e.do(req{Method: "GET", Path: c, Key: other}), 404)
	expect("malformed id", e.do(req{Method: "GET", Path: "/v1/conferences/not-a-uuid/readiness", Key: mgr}), 404)
	expect("history of a stranger", e.do(req{Method: "GET", Path: "/v1/conferences/7d4e7c8e-8f7a-4bd5-9c43-0c3f4f4e9a10/history", Key: mgr}), 404)
	expect("malformed JSON", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: "{"}), 400)
	expect("unknown field", e.do(req{Method: "POST", Path: c + "/participants", Key: sw, Body: map[string]any{"display_name": "X", "relationship": "mother", "invited": true, "attendance": "video", "age": 3}}), 400)
	expect("wrong media type", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: "external_ref=1", ContentType: "application/x-www-form-urlencoded"}), 415)
	future := conferenceBody("FLOW-FUTURE")
	future["strategy_discussion_on"] = "2027-01-01"
	future["type"] = "annual"
	expect("invalid fields", e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: future}), 422)
	expect("bad need kind", e.do(req{Method: "PUT", Path: p1 + "/needs/jetpack", Key: sw, Body: map[string]any{"status": "identified"}}), 422)
	expect("future contact", e.do(req{Method: "POST", Path: p1 + "/contacts", Key: sw, Body: map[string]any{"with": "social_worker", "on": "2030-01-01", "method": "phone"}}), 422)
	expect("body too large", e.do(req{Method: "POST", Path: c + "/reports", Key: sw, Body: `{"title":"` + strings.Repeat("x", 2<<20) + `"}`}), 413)
	expect("no such route", e.do(req{Method: "GET", Path: "/v1/nothing", Key: mgr}), 404)
	expect("no such method", e.do(req{Method: "DELETE", Path: c, Key: cs}), 405)
}

// TestContractRateLimitAndDrain covers the 429 and 503 answers.
func TestContractRateLimitAndDrain(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.RateLimit = 0.001; c.RateBurst = 1 })
	k := e.keyWithRate(orgA, domain.RoleManager, 0.001)
	if r := e.do(req{Method: "GET", Path: "/v1/conferences", Key: k}); r.Status != http.StatusOK {
		t.Fatalf("first request: %d %s", r.Status, r.Body)
	}
	r := e.do(req{Method: "GET", Path: "/v1/conferences", Key: k})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("second request: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	e.api.Drain()
	if r := e.do(req{Method: "GET", Path: "/readyz"}); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining: %d", r.Status)
	}
}
