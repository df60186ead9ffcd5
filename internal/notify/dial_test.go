package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/notify"
)

// TestDialRefusesInternalAddresses sends to addresses a webhook must never
// reach; each is refused when dialled, before any connection, including a
// hostname that resolves to loopback.
func TestDialRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int64
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer receiver.Close()
	port := receiver.URL[strings.LastIndex(receiver.URL, ":"):]
	client := notify.NewClient(false)
	for _, u := range []string{
		receiver.URL,                         // 127.0.0.1: loopback
		"https://localhost" + port + "/",     // a name that resolves to loopback
		"https://[::1]" + port + "/",         // IPv6 loopback
		"https://10.1.2.3/hook",              // RFC 1918
		"https://172.16.0.9/hook",            // RFC 1918
		"https://192.168.1.20/hook",          // RFC 1918
		"https://169.254.169.254/latest/",    // cloud metadata, link-local
		"https://169.254.10.10/hook",         // link-local
		"https://[fe80::1]/hook",             // IPv6 link-local
		"https://[fd00::1]/hook",             // IPv6 unique local
		"https://[::ffff:127.0.0.1]/hook",    // loopback dressed as IPv6
		"https://100.64.0.1/hook",            // carrier-grade NAT
		"https://0.0.0.0" + port + "/",       // unspecified
		"https://[64:ff9b::a00:1]/hook",      // NAT64 of 10.0.0.1
		"https://198.18.0.1/hook",            // benchmarking range
		"https://255.255.255.255/hook",       // broadcast
		"https://224.0.0.1/hook",             // multicast
		"https://192.0.2.1/hook",             // documentation
		"https://localhost.localdomain/hook", // may resolve to loopback, or not at all
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("{}"))
		resp, err := client.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: sent, want refused", u)
			continue
		}
		if u == "https://localhost.localdomain/hook" {
			continue // only that it was not sent
		}
		if !strings.Contains(err.Error(), "not allowed for webhooks") {
			t.Errorf("%s: %v, want refused as not allowed", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback receiver was reached %d times", hits.Load())
	}
}

// TestAllowPrivateReachesLoopback: the setting for the demo and tests
// lets http and loopback through.
func TestAllowPrivateReachesLoopback(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()
	resp, err := notify.NewClient(true).Post(receiver.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestRedirectsAreNotFollowed: a 3xx is the answer, and its target is
// never asked.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var targetHits atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	redirector := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer redirector.Close()
	resp, err := notify.NewClient(true).Post(redirector.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || targetHits.Load() != 0 {
		t.Fatalf("status %d, target hit %d times; want the 307 itself and no hit", resp.StatusCode, targetHits.Load())
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://receiver.example.org/hooks", false, true},
		{"https://receiver.example.org:8443/hooks?x=1", false, true},
		{"http://receiver.example.org/hooks", false, false},
		{"http://receiver.example.org/hooks", true, true},
		{"ftp://receiver.example.org/", false, false},
		{"https://user:pw@receiver.example.org/", false, false},
		{"https://127.0.0.1/", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://169.254.169.254/", false, false},
		{"https://[::1]/", false, false},
		{"https://127.0.0.1/", true, true},
		{"/relative", false, false},
		{"https:", false, false},
		{"https://receiver.example.org/#frag", false, false},
	} {
		err := notify.CheckURL(tc.url, tc.allowPrivate)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q, %v) = %v, want ok=%v", tc.url, tc.allowPrivate, err, tc.ok)
		}
		var de *domain.Error
		if err != nil && (!errors.As(err, &de) || de.Kind != domain.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != "url") {
			t.Errorf("CheckURL(%q): %v, want a 422 on url", tc.url, err)
		}
	}
}

func TestNextOverdueRunIsJustAfterLondonMidnight(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-11-23T09:00:00Z", "2026-11-24T00:05:00Z"},      // GMT
		{"2026-11-24T00:04:59Z", "2026-11-24T00:05:00Z"},      // just before the run
		{"2026-11-24T00:05:00Z", "2026-11-25T00:05:00Z"},      // at it: the next day's
		{"2026-07-01T22:30:00Z", "2026-07-01T23:05:00Z"},      // BST: 00:05 London is 23:05 UTC
		{"2026-10-24T22:30:00Z", "2026-10-25T00:05:00+01:00"}, // the night the clocks go back
		{"2026-03-28T23:59:00Z", "2026-03-29T00:05:00Z"},      // the night the clocks go forward
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		want, _ := time.Parse(time.RFC3339, tc.want)
		if got := notify.NextOverdueRun(now); !got.Equal(want) {
			t.Errorf("NextOverdueRun(%s) = %s, want %s", tc.now, got.UTC(), want.UTC())
		}
	}
}
