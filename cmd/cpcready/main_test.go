package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/cpcready/cpcready/internal/storetest"
)

// lockedBuffer collects a running server's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func createKey(t *testing.T, env map[string]string, role string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"keys", "create", "--org", "E09000006", "--role", role, "--name", "test"}, envOf(env), &out, &errOut)
	if err != nil {
		t.Fatalf("keys create: %v: %s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

func TestKeysCreatePrintsTheKeyAloneAndStoresOnlyItsHash(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "keys.db")
	env := map[string]string{"CPCREADY_DATABASE_URL": dbPath}
	key := createKey(t, env, "case_system")
	if strings.Count(key, "\n") != 0 || !strings.HasPrefix(key, "cpk_") || len(key) < 40 {
		t.Fatalf("keys create printed %q", key)
	}
	db, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash string
	if err := db.QueryRow("SELECT hash FROM api_keys").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, key) || len(hash) != 64 {
		t.Fatalf("stored %q for key %q; want a SHA-256 hex digest", hash, key)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "list"}, envOf(env), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), key) || !strings.Contains(out.String(), "case_system") {
		t.Fatalf("keys list: %s", out.String())
	}
	if err := run(context.Background(), []string{"keys", "create", "--org", "X", "--role", "boss", "--name", "n"}, envOf(env), io.Discard, io.Discard); err == nil {
		t.Fatal("keys create accepted an unknown role")
	}
}

// TestServeLogsNoPersonalData runs the real server, sends it a family's
// details, and reads every line it logged: none may hold them. It also
// checks graceful shutdown: /readyz answers 503 while the server drains.
func TestServeLogsNoPersonalData(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{
		"CPCREADY_DATABASE_URL":     filepath.Join(t.TempDir(), "serve.db"),
		"CPCREADY_ADDR":             addr,
		"CPCREADY_SHUTDOWN_TIMEOUT": "2s",
		"CPCREADY_DRAIN_DELAY":      "500ms",
	}
	key := createKey(t, env, "case_system")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), io.Discard, logs) }()
	base := "http://" + addr
	waitFor(t, base+"/healthz")

	secrets := []string{"Zebedee Quartermaine", "Ottoline Fairweather", "Persephone Wick", "fled a violent partner in Leeds", "threatened staff at school", "contains the home address"}
	call := func(method, path string, body any, hdr ...string) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		r, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		r.Header.Set("Authorization", "Bearer "+key)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return m
	}
	conf := call("POST", "/v1/conferences", map[string]any{
		"external_ref": "LOG-1", "type": "initial", "scheduled_start": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339), "format": "video",
		"chair": map[string]any{"ref": "CH", "name": secrets[1]}, "children": []any{map[string]any{"ref": "C-1", "name": secrets[2]}},
	})
	id, _ := conf["id"].(string)
	if id == "" {
		t.Fatalf("create failed: %v", conf)
	}
	p := call("POST", "/v1/conferences/"+id+"/participants", map[string]any{
		"display_name": secrets[0], "relationship": "mother", "invited": true, "attendance": "excluded",
		"safety":    map[string]any{"concern": "domestic_abuse", "note": secrets[3]},
		"exclusion": map[string]any{"grounds": secrets[4]},
	})
	call("POST", "/v1/conferences/"+id+"/reports", map[string]any{"agency": "police", "title": secrets[5]})
	// Refused requests carrying the same values must not log them either.
	call("POST", "/v1/conferences/"+id+"/participants", map[string]any{"display_name": secrets[0], "relationship": "aunt"})
	call("POST", "/v1/conferences/"+id+"/participants", map[string]any{"display_name": secrets[0], "unknown": secrets[3]})
	call("GET", "/v1/conferences/"+id, nil)
	call("GET", "/v1/conferences?external_ref="+strings.ReplaceAll(secrets[0], " ", "+"), nil)
	if p["id"] == nil {
		t.Fatalf("participant not created: %v", p)
	}

	cancel()
	sawDraining := false
	for i := 0; i < 50 && !sawDraining; i++ {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			break
		}
		sawDraining = res.StatusCode == http.StatusServiceUnavailable
		res.Body.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !sawDraining {
		t.Error("/readyz never answered 503 while draining")
	}
	out := logs.String()
	if !strings.Contains(out, `"route":"/v1/conferences/:id/participants"`) || !strings.Contains(out, `"msg":"stopped"`) {
		t.Fatalf("the log is missing request or shutdown lines:\n%s", out)
	}
	for _, s := range append(secrets, "Zebedee", "Quartermaine", "Persephone") {
		if strings.Contains(out, s) {
			t.Errorf("the log holds personal data %q", s)
		}
	}
}

func waitFor(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

func TestHealthcheckCommand(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"CPCREADY_DATABASE_URL": filepath.Join(t.TempDir(), "hc.db"), "CPCREADY_ADDR": addr, "CPCREADY_SHUTDOWN_TIMEOUT": "1s", "CPCREADY_DRAIN_DELAY": "250ms"}
	if err := run(context.Background(), []string{"healthcheck"}, envOf(env), io.Discard, io.Discard); err == nil {
		t.Fatal("healthcheck passed with no server running")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), io.Discard, io.Discard) }()
	waitFor(t, "http://"+addr+"/healthz")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck"}, envOf(env), &out, io.Discard); err != nil || strings.TrimSpace(out.String()) != "ok" {
		t.Fatalf("healthcheck: %v %q", err, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestUnknownCommandAndBadConfig(t *testing.T) {
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown command succeeded")
	}
	env := map[string]string{"CPCREADY_EXTRA_BANK_HOLIDAYS": "2027-13-01"}
	err := run(context.Background(), []string{"migrate"}, envOf(env), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CPCREADY_EXTRA_BANK_HOLIDAYS") {
		t.Fatalf("bad extra bank holiday: %v", err)
	}
	env = map[string]string{"CPCREADY_REEVALUATE_PAUSE": "-1s"}
	if err := run(context.Background(), []string{"migrate"}, envOf(env), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "CPCREADY_REEVALUATE_PAUSE") {
		t.Fatalf("negative pause: %v", err)
	}
}

// TestCopyCommand moves a SQLite deployment to PostgreSQL with the CLI, and
// runs it twice: the second run must verify too.
func TestCopyCommand(t *testing.T) {
	pgURL := storetest.PostgresSchemaURL(t)
	env := map[string]string{"CPCREADY_DATABASE_URL": filepath.Join(t.TempDir(), "from.db")}
	createKey(t, env, "chair")
	for attempt := 1; attempt <= 2; attempt++ {
		var out bytes.Buffer
		err := run(context.Background(), []string{"copy", "--from", env["CPCREADY_DATABASE_URL"], "--to", pgURL}, envOf(env), &out, io.Discard)
		if err != nil || !strings.Contains(out.String(), "verified") || !regexp.MustCompile(`api_keys\s+1 rows`).MatchString(out.String()) {
			t.Fatalf("copy run %d: %v\n%s", attempt, err, out.String())
		}
	}
	if err := run(context.Background(), []string{"copy", "--from", pgURL, "--to", pgURL}, envOf(env), io.Discard, io.Discard); err == nil {
		t.Fatal("copy from PostgreSQL was accepted")
	}
}
