package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashWorkers is how many clients write at once while the server dies.
const crashWorkers = 8

// TestKilledServerKeepsEveryAcknowledgedWrite runs the real binary on a
// SQLite file with its default durable settings while 8 clients create
// conferences, add a family member and set needs. At a random moment it
// kills the server with SIGKILL, then checks the file: PRAGMA
// integrity_check must say ok, and every write that was answered 2xx must
// be there. A write cut off in flight may have landed or not, but never in
// part. Then the server is restarted for the next cycle. It runs 3 cycles,
// or CPCREADY_KILL_CYCLES.
func TestKilledServerKeepsEveryAcknowledgedWrite(t *testing.T) {
	cycles := 3
	if v := os.Getenv("CPCREADY_KILL_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CPCREADY_KILL_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	key := binaryKey(t, dbPath, "case_system")
	var tracked []*trackedConference
	checks, landedUnacked, lost := 0, 0, 0
	for cycle := range cycles {
		p := startServe(t, dbPath)
		c := &crashClient{base: p.base, key: key, http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}}}
		var wg sync.WaitGroup
		got := make([][]*trackedConference, crashWorkers)
		for w := range crashWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[w] = c.write(t, fmt.Sprintf("CRASH-%d-%d", cycle, w))
			}()
		}
		time.Sleep(time.Duration(200+rand.IntN(1000)) * time.Millisecond)
		p.signal(syscall.SIGKILL)
		_ = p.wait(10 * time.Second)
		wg.Wait()
		c.http.CloseIdleConnections()
		for _, g := range got {
			tracked = append(tracked, g...)
		}
		n, l, x := checkAcknowledged(t, dbPath, tracked)
		checks, landedUnacked, lost = checks+n, landedUnacked+l, lost+x
		if t.Failed() {
			t.Fatalf("cycle %d failed; server log:\n%s", cycle+1, tail(p.logs.String()))
		}
	}
	// Once more, over HTTP: the restarted server serves what the file holds.
	p := startServe(t, dbPath)
	c := &crashClient{base: p.base, key: key, http: &http.Client{Timeout: 20 * time.Second}}
	for _, tc := range tracked[max(0, len(tracked)-20):] {
		var agg aggregateState
		if status := c.call("GET", "/v1/conferences/"+tc.id, nil, &agg); status != http.StatusOK || !agg.state().equal(tc.acked) {
			t.Errorf("after restart, GET %s: %d %+v, want %+v", tc.id, status, agg.state(), tc.acked)
		}
	}
	p.signal(syscall.SIGTERM)
	if err := p.wait(30 * time.Second); err != nil {
		t.Errorf("serve after the last restart: %v", err)
	}
	acked := 0
	for _, tc := range tracked {
		acked += tc.writes
	}
	t.Logf("%d kill cycles: %d acknowledged writes to %d conferences, checked after every later kill (%d checks), %d lost; %d writes cut off in flight had landed whole", cycles, acked, len(tracked), checks, lost, landedUnacked)
}

// conferenceState is what the crash test can see of one conference.
type conferenceState struct {
	version      int
	participants int
	needs        map[string]string // kind → status, of the first participant
}

func (s conferenceState) equal(o conferenceState) bool {
	return s.version == o.version && s.participants == o.participants && maps.Equal(s.needs, o.needs)
}

// aggregateState reads a conference as the API and the store write it.
type aggregateState struct {
	Version      int `json:"version"`
	Participants []struct {
		Needs []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
		} `json:"needs"`
	} `json:"participants"`
}

func (a aggregateState) state() conferenceState {
	s := conferenceState{version: a.Version, participants: len(a.Participants), needs: map[string]string{}}
	if len(a.Participants) > 0 {
		for _, n := range a.Participants[0].Needs {
			s.needs[n.Kind] = n.Status
		}
	}
	return s
}

// trackedConference is one conference a client created: its state as of
// the last write answered 2xx, and the write in flight, if any, when the
// server died. One client owns each conference, so nothing else moves it.
type trackedConference struct {
	id      string
	acked   conferenceState
	pending *conferenceState
	writes  int // writes answered 2xx
}

// crashClient writes until the server stops answering.
type crashClient struct {
	base, key string
	http      *http.Client
}

// call sends one request; it returns 0 when no whole answer came back.
func (c *crashClient) call(method, path string, body, out any) int {
	res, err := c.send(method, path, body, out)
	if err != nil {
		return 0
	}
	return res.StatusCode
}

// send sends one request and decodes the answer into out. It fails when no
// whole answer came back.
func (c *crashClient) send(method, path string, body, out any) (*http.Response, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, c.base+path, rd)
	r.Header.Set("Authorization", "Bearer "+c.key)
	r.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(r)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return nil, err
	}
	return res, nil
}

// needKinds are the needs the crash test sets; a language need would
// need a language too.
var needKinds = []string{"technology", "childcare", "transport", "accessibility"}
var needStatuses = []string{"identified", "arranged", "not_needed"}

// write creates conferences with one family member and a run of needs
// each, until a request gets no answer, and returns what it created.
func (c *crashClient) write(t *testing.T, prefix string) []*trackedConference {
	var out []*trackedConference
	for n := 0; ; n++ {
		var created struct{ ID string }
		status := c.call("POST", "/v1/conferences", map[string]any{
			"external_ref": fmt.Sprintf("%s-%d", prefix, n), "type": "initial", "format": "video",
			"scheduled_start": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339),
			"children":        []any{map[string]any{"ref": "C-1"}},
		}, &created)
		if status == 0 {
			return out
		}
		if status != http.StatusCreated {
			t.Errorf("create: %d", status)
			return out
		}
		tc := &trackedConference{id: created.ID, acked: conferenceState{version: 1, needs: map[string]string{}}, writes: 1}
		out = append(out, tc)
		next := conferenceState{version: 2, participants: 1, needs: map[string]string{}}
		tc.pending = &next
		var part struct{ ID string }
		status = c.call("POST", "/v1/conferences/"+tc.id+"/participants", map[string]any{
			"display_name": "Parent", "relationship": "mother", "invited": true, "attendance": "video",
		}, &part)
		if !c.acknowledged(t, tc, status, http.StatusCreated) {
			return out
		}
		for range 8 {
			kind, st := needKinds[rand.IntN(len(needKinds))], needStatuses[rand.IntN(len(needStatuses))]
			next := conferenceState{version: tc.acked.version + 1, participants: 1, needs: maps.Clone(tc.acked.needs)}
			if tc.acked.needs[kind] == st {
				next.version-- // the same value again writes nothing
			}
			next.needs[kind] = st
			tc.pending = &next
			var need struct{}
			status = c.call("PUT", "/v1/conferences/"+tc.id+"/participants/"+part.ID+"/needs/"+kind, map[string]any{"status": st}, &need)
			if !c.acknowledged(t, tc, status, http.StatusOK, http.StatusCreated) {
				return out
			}
		}
	}
}

// acknowledged moves a conference's pending write to acknowledged when the
// server answered it with one of want, and reports whether to go on.
func (c *crashClient) acknowledged(t *testing.T, tc *trackedConference, status int, want ...int) bool {
	if status == 0 {
		return false
	}
	for _, w := range want {
		if status == w {
			tc.acked, tc.pending = *tc.pending, nil
			tc.writes++
			return true
		}
	}
	t.Errorf("write to %s: %d, want %v", tc.id, status, want)
	return false
}

// checkAcknowledged opens the file the killed server left, as the next
// start would, and checks its integrity and every tracked conference. A
// write that was in flight is settled: from then on the state it left is
// the one expected. It returns the acknowledged writes checked, how many
// in-flight writes had landed, and how many conferences lost writes.
func checkAcknowledged(t *testing.T, dbPath string, tracked []*trackedConference) (checked, landed, lost int) {
	t.Helper()
	db, err := openStore(config{DatabaseURL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var integrity string
	if err := sqlDB.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	for _, tc := range tracked {
		checked += tc.writes
		b, err := db.AggregateJSON(context.Background(), tc.id)
		if err != nil {
			t.Errorf("conference %s, acknowledged at version %d, is gone: %v", tc.id, tc.acked.version, err)
			lost++
			continue
		}
		var stored struct{ Aggregate aggregateState }
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatal(err)
		}
		got := stored.Aggregate.state()
		switch {
		case got.equal(tc.acked):
		case tc.pending != nil && got.equal(*tc.pending):
			tc.acked = *tc.pending
			landed++
		default:
			t.Errorf("conference %s holds %+v; acknowledged %+v, in flight %+v", tc.id, got, tc.acked, tc.pending)
			lost++
		}
		tc.pending = nil
	}
	return checked, landed, lost
}

// tail is the end of a long log.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
