package api_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/api"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// Headers over net/http's limit (1 MiB, which serve leaves as it is) are
// refused by net/http itself with a plain 431, before any handler runs:
// that answer is not a problem document. Large headers under the limit
// are read as usual.
func TestHostileHugeHeaders(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleManager)
	before := storetest.TableSums(t, e.db)
	for _, tc := range []struct {
		name, header string
		size, status int
	}{
		{"one header past 1 MiB", "X-Filler", 1<<20 + 4096, http.StatusRequestHeaderFieldsTooLarge},
		{"a bearer token past 1 MiB", "Authorization", 1<<20 + 4096, http.StatusRequestHeaderFieldsTooLarge},
		{"an Idempotency-Key past 1 MiB", "Idempotency-Key", 1<<20 + 4096, http.StatusRequestHeaderFieldsTooLarge},
		{"a 64 KiB bearer token", "Authorization", 64 << 10, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hr, err := http.NewRequest("GET", e.srv.URL+"/v1/conferences", nil)
			if err != nil {
				t.Fatal(err)
			}
			hr.Header.Set("Authorization", "Bearer "+key)
			hr.Header.Set(tc.header, "Bearer cpk_"+strings.Repeat("h", tc.size))
			res, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if tc.status == http.StatusUnauthorized {
				var p api.Problem
				if err := json.Unmarshal(body, &p); err != nil || p.Type != "urn:cpcready:problem:unauthorized" {
					t.Errorf("problem %s", body)
				}
			}
		})
	}
	if changed := storetest.ChangedTables(before, storetest.TableSums(t, e.db)); len(changed) > 0 {
		t.Errorf("refused requests changed %q", changed)
	}
}

// A body that stops arriving meets the server's read timeout. The client
// gets a 408 problem of type timeout (which it may retry) and nothing is
// written, with or without an Idempotency-Key. Headers that stop arriving
// meet the header timeout, and net/http closes the connection without an
// answer. serve sets both timeouts; this server sets them short.
func TestHostileSlowClients(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "SLOW-1")
	key := e.key(orgA, domain.RoleCaseSystem)
	srv := httptest.NewUnstartedServer(e.api)
	srv.Config.ReadHeaderTimeout = 200 * time.Millisecond
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	before := storetest.TableSums(t, e.db)
	head := "POST " + ctPath(f.conf, "reports") + " HTTP/1.1\r\nHost: cpcready\r\nAuthorization: Bearer " + key +
		"\r\nContent-Type: application/json\r\nContent-Length: 200\r\n"
	for _, tc := range []struct {
		name, sent string
		status     int // 0: the connection closes without an answer
	}{
		{"body stops half way", head + "\r\n" + `{"agency":"police",`, http.StatusRequestTimeout},
		{"body never starts", head + "\r\n", http.StatusRequestTimeout},
		{"body stops under an Idempotency-Key", head + "Idempotency-Key: slow-1\r\n\r\n" + `{"agency"`, http.StatusRequestTimeout},
		{"headers stop half way", head + "X-Filler: a", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.sent); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if tc.status == 0 {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("want the connection closed without an answer, got %v %v", res, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var p api.Problem
			if res.StatusCode != tc.status || json.Unmarshal(body, &p) != nil || p.Type != "urn:cpcready:problem:timeout" || p.Status != tc.status {
				t.Fatalf("status %d, want %d timeout: %s", res.StatusCode, tc.status, body)
			}
			if res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
			}
		})
	}
	if changed := storetest.ChangedTables(before, storetest.TableSums(t, e.db)); len(changed) > 0 {
		t.Errorf("slow requests changed %q", changed)
	}
}
