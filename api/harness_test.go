package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/cpcready/cpcready"
	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// The organisations every test environment has.
const (
	orgA = "E09000006"
	orgB = "E09000007"
)

// env is one running server on a real database, reached over real HTTP.
type env struct {
	t     testing.TB
	db    *store.DB
	clock *storetest.Clock
	srv   *httptest.Server
	api   *api.Server
	logs  *syncBuffer
	mu    sync.Mutex
	keys  map[string]string
}

type envOption func(*api.Config)

// newEnv starts a server on a fresh database. Every response it gives is
// checked against openapi.yaml.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	db, clock := storetest.MustOpenDB(t)
	return newEnvOn(t, db, clock, opts...)
}

func newEnvOn(t testing.TB, db *store.DB, clock *storetest.Clock, opts ...envOption) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := api.Config{
		// Keys are cached on the test's clock, as serve caches them.
		DB: db, Auth: &auth.Authenticator{Keys: auth.NewKeyCache(db, auth.KeyCacheSize, clock.Now)},
		Log: slog.New(slog.NewJSONHandler(logs, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	e := &env{t: t, db: db, clock: clock, api: srv, logs: logs, keys: map[string]string{}}
	e.srv = httptest.NewServer(srv)
	t.Cleanup(e.srv.Close)
	return e
}

// key returns an API key for role in org, creating it on first use.
func (e *env) key(org string, role domain.Role) string {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	name := org + "/" + string(role)
	if k, ok := e.keys[name]; ok {
		return k
	}
	k, hash, err := auth.NewAPIKey()
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CreateAPIKey(context.Background(), org, role, "test "+name, hash); err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	e.keys[name] = k
	return k
}

// resp is a response read whole.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r resp) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r resp) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response: %v: %s", err, r.Body)
	}
}

// req is one request to send.
type req struct {
	Method, Path, Key string
	Body              any    // marshalled to JSON unless it is a string or []byte
	ContentType       string // application/json by default when there is a body
	Header            map[string]string
}

// send sends r without the contract check, for benchmarks, and returns
// only the status.
func (e *env) send(r req) int {
	e.t.Helper()
	return e.exchange(r, false).Status
}

// do sends r and checks the response against the contract.
func (e *env) do(r req) resp {
	e.t.Helper()
	return e.exchange(r, true)
}

func (e *env) exchange(r req, contract bool) resp {
	e.t.Helper()
	var body io.Reader
	var raw []byte
	switch b := r.Body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	if r.Body != nil {
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(r.Method, e.srv.URL+r.Path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Body != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.Key != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Key)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	got := resp{Status: res.StatusCode, Header: res.Header, Body: out}
	if contract {
		checkContract(e.t, r.Method, r.Path, raw, hr.Header, got)
	}
	return got
}

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

func loadSpec() (*openapi3.T, routers.Router, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(cpcready.OpenAPI)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		specRouter, specErr = gorillamux.NewRouter(specDoc)
	})
	return specDoc, specRouter, specErr
}

// checkContract validates one real response against openapi.yaml: the
// path and method must be in the spec, and the status, headers and body
// must match what the spec says for them.
func checkContract(t testing.TB, method, path string, body []byte, header http.Header, got resp) {
	t.Helper()
	_, router, err := loadSpec()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	hr, _ := http.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
	hr.Header = header.Clone()
	route, params, err := router.FindRoute(hr)
	if err != nil {
		if got.Status == http.StatusNotFound || got.Status == http.StatusMethodNotAllowed {
			return // a path the API does not have, answered as a problem
		}
		t.Errorf("contract: %s %s is not in openapi.yaml (%v)", method, path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route},
		Status:                 got.Status,
		Header:                 got.Header,
		Body:                   io.NopCloser(bytes.NewReader(got.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("contract: %s %s → %d does not match openapi.yaml: %v\nbody: %s", method, path, got.Status, err, truncate(got.Body))
	}
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// --- fixtures ---

// conferenceBody is a valid create body; scheduled two weeks after
// storetest.DefaultNow.
func conferenceBody(ref string) map[string]any {
	return map[string]any{
		"external_ref":           ref,
		"type":                   "initial",
		"scheduled_start":        "2026-12-07T10:00:00Z",
		"format":                 "hybrid",
		"strategy_discussion_on": "2026-11-20",
		"chair":                  map[string]any{"ref": "CH-1", "name": "Chair Person"},
		"social_worker":          map[string]any{"ref": "SW-1", "name": "Social Worker Person"},
		"children":               []any{map[string]any{"ref": "C-1", "name": "Child Person"}},
	}
}

// participantBody is a valid participant body.
func participantBody() map[string]any {
	return map[string]any{"display_name": "Parent Person", "relationship": "mother", "invited": true, "attendance": "video"}
}

// mustCreate creates a conference as org's case system and returns its id.
func (e *env) mustCreate(org, ref string) string {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: e.key(org, domain.RoleCaseSystem), Body: conferenceBody(ref)})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("create conference: %d %s", r.Status, r.Body)
	}
	return r.JSON(e.t)["id"].(string)
}

// mustAddParticipant adds a participant and returns its id.
func (e *env) mustAddParticipant(org, confID string) string {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/v1/conferences/" + confID + "/participants", Key: e.key(org, domain.RoleSocialWorker), Body: participantBody()})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("add participant: %d %s", r.Status, r.Body)
	}
	return r.JSON(e.t)["id"].(string)
}

// etagOf fetches the conference's current ETag.
func (e *env) etagOf(org, confID string) string {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: "/v1/conferences/" + confID, Key: e.key(org, domain.RoleManager)})
	if r.Status != http.StatusOK {
		e.t.Fatalf("get conference: %d %s", r.Status, r.Body)
	}
	return r.Header.Get("ETag")
}

// aggregate returns the stored aggregate as JSON, read without an audit row.
func (e *env) aggregate(confID string) string {
	e.t.Helper()
	b, err := e.db.AggregateJSON(context.Background(), confID)
	if err != nil {
		e.t.Fatalf("aggregate: %v", err)
	}
	return string(b)
}
