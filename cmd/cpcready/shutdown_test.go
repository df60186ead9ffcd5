package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// shutdownTimeout and drainDelay are CPCREADY_SHUTDOWN_TIMEOUT and
// CPCREADY_DRAIN_DELAY in the SIGTERM test.
const (
	shutdownTimeout = 4 * time.Second
	drainDelay      = time.Second
)

// sentRequest is one request the SIGTERM test sent and what came back.
type sentRequest struct {
	sent   time.Time
	status int
	err    error
	closes bool   // the answer said Connection: close
	id     string // the conference a create made
}

func (r *sentRequest) answered(res *http.Response, err error) {
	if r.err = err; err == nil {
		r.status, r.closes = res.StatusCode, res.Close
	}
}

// TestSIGTERMUnderLoadDrains sends SIGTERM to the real binary while 8
// clients write and read. Every request sent before the signal must be
// answered, none with a 5xx; /readyz must turn 503 at once; a request
// whose body is still arriving when the listener closes must still be
// served; answers while draining must ask clients to close their
// connections; the process must exit 0 within the drain delay plus
// CPCREADY_SHUTDOWN_TIMEOUT; and every conference it acknowledged must be
// in the file afterwards.
func TestSIGTERMUnderLoadDrains(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "drain.db")
	key := binaryKey(t, dbPath, "case_system")
	p := startServe(t, dbPath, "CPCREADY_SHUTDOWN_TIMEOUT="+shutdownTimeout.String(), "CPCREADY_DRAIN_DELAY="+drainDelay.String())
	c := &crashClient{base: p.base, key: key, http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}}}

	var mu sync.Mutex
	var sent []sentRequest
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				r := sentRequest{sent: time.Now()}
				if n%2 == 0 {
					var created struct{ ID string }
					r.answered(c.send("POST", "/v1/conferences", drainConference(fmt.Sprintf("DRAIN-%d-%d", w, n)), &created))
					r.id = created.ID
				} else {
					var page struct{ Items []any }
					r.answered(c.send("GET", "/v1/conferences?limit=5", nil, &page))
				}
				mu.Lock()
				sent = append(sent, r)
				mu.Unlock()
				if r.err != nil {
					return // refused once the listener closed, or a failure reported below
				}
				select {
				case <-p.exited:
					return
				default:
				}
			}
		}()
	}

	// A create whose body arrives slowly: it starts before the signal and
	// is still being read when the server stops accepting connections.
	body, trickle := io.Pipe()
	slow := make(chan sentRequest, 1)
	go func() {
		r := sentRequest{sent: time.Now()}
		req, _ := http.NewRequest("POST", p.base+"/v1/conferences", body)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		r.answered(res, err)
		if err == nil {
			var created struct{ ID string }
			_ = json.NewDecoder(res.Body).Decode(&created)
			res.Body.Close()
			r.id = created.ID
		}
		slow <- r
	}()
	whole, _ := json.Marshal(drainConference("DRAIN-SLOW"))
	if _, err := trickle.Write(whole[:10]); err != nil {
		t.Fatal(err)
	}

	time.Sleep(500 * time.Millisecond)
	signalled := time.Now()
	p.signal(syscall.SIGTERM)
	firstDraining, readyAfter := pollReadyz(p.base, p.exited)

	// Wait for the listener to close, then let the slow body finish.
	closed := time.Time{}
	for time.Since(signalled) < shutdownTimeout && closed.IsZero() {
		if conn, err := net.DialTimeout("tcp", p.base[len("http://"):], 100*time.Millisecond); err != nil {
			closed = time.Now()
		} else {
			conn.Close()
			time.Sleep(10 * time.Millisecond)
		}
	}
	if closed.IsZero() {
		t.Errorf("the listener was still open %v after SIGTERM", shutdownTimeout)
	}
	time.Sleep(300 * time.Millisecond) // the server must wait for it, not merely race it
	if _, err := trickle.Write(whole[10:]); err != nil {
		t.Errorf("finishing the slow body: %v", err)
	}
	trickle.Close()
	slowDone := <-slow

	err := p.wait(drainDelay + shutdownTimeout + time.Second)
	exited := time.Now()
	wg.Wait()
	if err != nil {
		t.Errorf("serve exited with %v, want 0\n%s", err, tail(p.logs.String()))
	}
	if limit := drainDelay + shutdownTimeout; exited.Sub(signalled) > limit {
		t.Errorf("serve took %v to exit, more than the drain delay plus the timeout (%v)", exited.Sub(signalled), limit)
	}
	if firstDraining.IsZero() || firstDraining.Sub(signalled) > 250*time.Millisecond {
		t.Errorf("/readyz first answered 503 at %v after the signal, want at once", firstDraining.Sub(signalled))
	}
	if readyAfter {
		t.Error("/readyz answered 200 again after answering 503")
	}
	if slowDone.err != nil || slowDone.status != http.StatusCreated {
		t.Errorf("the request in flight when the listener closed: %d %v, want 201", slowDone.status, slowDone.err)
	}

	before, during, refused, keptOpen := 0, 0, 0, 0
	var created []string
	for _, r := range append(sent, slowDone) {
		switch {
		case r.sent.Before(signalled) && (r.err != nil || r.status == 0):
			t.Errorf("a request sent %v before the signal got no answer: %v", signalled.Sub(r.sent), r.err)
		case r.status >= 500:
			t.Errorf("a request sent %v after the signal got %d", r.sent.Sub(signalled), r.status)
		case r.sent.Before(signalled):
			before++
		case r.err == nil:
			during++
			if r.sent.After(firstDraining) && !r.closes {
				keptOpen++
			}
		default:
			refused++
		}
		if r.id != "" {
			created = append(created, r.id)
		}
	}
	if keptOpen > 0 {
		t.Errorf("%d answers sent while draining did not say Connection: close", keptOpen)
	}
	db, err := openStore(config{DatabaseURL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range created {
		if _, err := db.AggregateJSON(context.Background(), id); err != nil {
			t.Errorf("acknowledged conference %s is missing after shutdown: %v", id, err)
		}
	}
	t.Logf("SIGTERM under load: %d requests sent before the signal all answered; %d more answered while draining, %d refused after the listener closed; /readyz 503 after %v; listener closed after %v; exit 0 after %v; %d acknowledged creates all stored",
		before, during, refused, firstDraining.Sub(signalled).Round(time.Millisecond), closed.Sub(signalled).Round(time.Millisecond), exited.Sub(signalled).Round(time.Millisecond), len(created))
}

// pollReadyz polls /readyz until the process exits. It returns when it
// first answered 503, and whether it answered 200 after that.
func pollReadyz(base string, exited <-chan struct{}) (firstDraining time.Time, readyAfter bool) {
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			return firstDraining, readyAfter
		default:
		}
		res, err := client.Get(base + "/readyz")
		if err != nil {
			return firstDraining, readyAfter // the listener has closed
		}
		res.Body.Close()
		switch {
		case res.StatusCode == http.StatusServiceUnavailable && firstDraining.IsZero():
			firstDraining = time.Now()
		case res.StatusCode == http.StatusOK && !firstDraining.IsZero():
			readyAfter = true
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func drainConference(ref string) map[string]any {
	return map[string]any{
		"external_ref": ref, "type": "initial", "format": "video",
		"scheduled_start": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339),
		"children":        []any{map[string]any{"ref": "C-1"}},
	}
}

// TestClientThatHeedsReadyzSeesNoFailure behaves as a load balancer does:
// it checks /readyz every two seconds and, between checks, sends requests
// on fresh connections. Once a check says 503 it stops. With the drain
// delay longer than its interval, not one request may fail: the listener
// must stay open and answering until the check has been seen.
func TestClientThatHeedsReadyzSeesNoFailure(t *testing.T) {
	const interval = 2 * time.Second
	dbPath := filepath.Join(t.TempDir(), "heed.db")
	key := binaryKey(t, dbPath, "manager")
	p := startServe(t, dbPath, "CPCREADY_SHUTDOWN_TIMEOUT=4s", "CPCREADY_DRAIN_DELAY=5s")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string) (int, error) {
		req, _ := http.NewRequest("GET", p.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}

	signalled := make(chan time.Time, 1)
	time.AfterFunc(interval/2, func() { signalled <- time.Now(); p.signal(syscall.SIGTERM) })
	sent, failed := 0, 0
	for nextCheck := time.Now(); ; {
		if !time.Now().Before(nextCheck) {
			status, err := get("/readyz")
			if err != nil {
				t.Fatalf("/readyz failed while the client still trusted it: %v", err)
			}
			if status == http.StatusServiceUnavailable {
				break
			}
			nextCheck = time.Now().Add(interval)
		}
		status, err := get("/v1/conferences?limit=1")
		sent++
		if err != nil || status != http.StatusOK {
			failed++
			t.Errorf("request %d: %d %v", sent, status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	at := <-signalled
	if failed > 0 {
		t.Errorf("%d of %d requests failed before /readyz said 503", failed, sent)
	}
	if err := p.wait(5*time.Second + 4*time.Second + time.Second); err != nil {
		t.Errorf("serve exited with %v\n%s", err, tail(p.logs.String()))
	}
	if since := time.Since(at); since < 5*time.Second {
		t.Errorf("serve exited %v after SIGTERM, before its 5s drain delay", since)
	}
	t.Logf("%d requests, none failed, before the client saw /readyz 503", sent)
}
