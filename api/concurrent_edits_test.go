package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

const (
	editors     = 100
	repeatCount = 50
)

// TestReadModifyWriteLosesNoUpdate has 100 clients each read the conference,
// add one to a counter held in the chair's name, and PATCH it back with
// If-Match, re-reading on 412. A lost update would leave the counter short
// of the number of successes; each success must also have produced the
// version one above the one it read.
func TestReadModifyWriteLosesNoUpdate(t *testing.T) {
	e := newEnv(t)
	conf := e.mustCreate(orgA, "RMW-1")
	key := e.key(orgA, domain.RoleCaseSystem)
	versions := make([]int, editors) // the version each client's success produced
	var conflicts sync.Map           // client → 412s it met
	var wg sync.WaitGroup
	errs := make(chan string, editors)
	for i := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := range 1000 {
				var c domain.Conference
				g := e.do(req{Method: "GET", Path: ctPath(conf), Key: key})
				if g.Status != http.StatusOK {
					errs <- fmt.Sprintf("client %d: GET %d %s", i, g.Status, g.Body)
					return
				}
				g.Decode(t, &c)
				edits := editsIn(c.Chair)
				r := e.do(req{Method: "PATCH", Path: ctPath(conf), Key: key, ContentType: "application/merge-patch+json",
					Header: ctIfMatch(g.Header.Get("ETag")),
					Body:   map[string]any{"chair": map[string]any{"name": "edits " + strconv.Itoa(edits+1)}}})
				switch r.Status {
				case http.StatusOK:
					var after domain.Conference
					r.Decode(t, &after)
					if after.Version != c.Version+1 || editsIn(after.Chair) != edits+1 {
						errs <- fmt.Sprintf("client %d: read version %d with %d edits, wrote version %d with %d", i, c.Version, edits, after.Version, editsIn(after.Chair))
					}
					versions[i] = after.Version
					conflicts.Store(i, attempt)
					return
				case http.StatusPreconditionFailed:
					// Back off a little, as a real client would, so that the
					// race is not decided by who re-reads first.
					time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
				default:
					errs <- fmt.Sprintf("client %d: PATCH %d %s", i, r.Status, r.Body)
					return
				}
			}
			errs <- fmt.Sprintf("client %d never won the race", i)
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	seen := map[int]bool{}
	for i, v := range versions {
		if v < 2 || v > editors+1 || seen[v] {
			t.Errorf("client %d produced version %d: not a fresh version in 2..%d", i, v, editors+1)
		}
		seen[v] = true
	}
	var final domain.Conference
	e.do(req{Method: "GET", Path: ctPath(conf), Key: key}).Decode(t, &final)
	if editsIn(final.Chair) != editors || final.Version != editors+1 {
		t.Fatalf("final state holds %d edits at version %d, want %d at %d", editsIn(final.Chair), final.Version, editors, editors+1)
	}
	retries := 0
	conflicts.Range(func(_, n any) bool { retries += n.(int); return true })
	t.Logf("%d read-modify-writes succeeded after %d retries on 412; none lost", editors, retries)
}

// editsIn reads the counter the read-modify-write test keeps in the
// chair's name; the name the conference was created with counts as none.
func editsIn(chair *domain.Person) int {
	if chair == nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(chair.Name, "edits "))
	if err != nil {
		return 0
	}
	return n
}

// TestConcurrentCreatesWithOneIdempotencyKey sends one create 50 times at
// once under one Idempotency-Key, each client retrying while the key is in
// flight. Exactly one conference is created; every client ends with its
// 201, all but one as a replay of it, and the audit trail records one
// creation.
func TestConcurrentCreatesWithOneIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleCaseSystem)
	type answer struct {
		id, etag string
		replayed bool
		inFlight int // 409s met while the first request was still running
	}
	answers := make([]answer, repeatCount)
	var wg sync.WaitGroup
	for i := range repeatCount {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := req{Method: "POST", Path: "/v1/conferences", Key: key, Body: conferenceBody("SAME-1"), Header: map[string]string{"Idempotency-Key": "same-create"}}
			for range 500 {
				got := e.do(r)
				switch got.Status {
				case http.StatusCreated:
					answers[i].id, _ = got.JSON(t)["id"].(string)
					answers[i].etag = got.Header.Get("ETag")
					answers[i].replayed = got.Header.Get("Idempotent-Replayed") == "true"
					return
				case http.StatusConflict:
					answers[i].inFlight++
					time.Sleep(5 * time.Millisecond)
				default:
					t.Errorf("client %d: %d %s", i, got.Status, got.Body)
					return
				}
			}
			t.Errorf("client %d: the key stayed in flight", i)
		}()
	}
	wg.Wait()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.do(req{Method: "GET", Path: "/v1/conferences?external_ref=SAME-1", Key: key}).Decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d conferences exist, want exactly 1", len(list.Items))
	}
	created := list.Items[0].ID
	fresh, waits := 0, 0
	for i, a := range answers {
		if a.id != created || a.etag != `"1"` {
			t.Errorf("client %d got %q at %s, want %s at \"1\"", i, a.id, a.etag, created)
		}
		if !a.replayed {
			fresh++
		}
		waits += a.inFlight
	}
	if fresh != 1 {
		t.Errorf("%d answers were not replays, want exactly 1", fresh)
	}
	var history struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	e.do(req{Method: "GET", Path: ctPath(created, "history"), Key: key}).Decode(t, &history)
	creates := 0
	for _, ev := range history.Items {
		if ev.Action == "create" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("the audit trail records %d creations, want 1", creates)
	}
	t.Logf("%d identical creates: 1 created, %d replayed, %d waits on a key in flight", repeatCount, repeatCount-1, waits)
}
