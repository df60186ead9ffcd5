package api_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// fuzzEnv is one server and one seeded conference that every iteration of
// a fuzz target shares, so that an iteration costs little more than its
// request. Each fuzzing worker process makes its own.
type fuzzEnv struct {
	*env
	outer testing.TB
	keys  map[domain.Role]string // made before fuzzing, since key needs the test
	fix   fixture
	seeds int
	last  dbState // as the last iteration left it
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	fe := &fuzzEnv{env: newEnv(f), outer: f, keys: map[domain.Role]string{}}
	for _, role := range allRoles {
		fe.keys[role] = fe.key(orgA, role)
	}
	fe.reseed()
	fe.last = fe.state()
	return fe
}

// reseed replaces every conference with a fresh copy of the fixture and
// puts the policy back to the default, so that an accepted write does not
// carry over into the next iteration.
func (fe *fuzzEnv) reseed() {
	fe.t.Helper()
	sqlDB, err := fe.db.SQL()
	if err != nil {
		fe.t.Fatal(err)
	}
	// Deleting conferences cascades to every part of them.
	for _, table := range []string{"conferences", "policies", "idempotency_records"} {
		if _, err := sqlDB.ExecContext(context.Background(), "DELETE FROM "+table); err != nil {
			fe.t.Fatalf("clear %s: %v", table, err)
		}
	}
	fe.seeds++
	fe.fix = fe.mustFixture(fmt.Sprintf("FUZZ-%d", fe.seeds))
}

func (fe *fuzzEnv) state() dbState { return readState(fe.t, fe.db) }

// try sends r in iteration t and checks what holds for every request:
// no 5xx, a response that matches openapi.yaml (e.do checks it), and a
// refusal that is a problem document and changed nothing. A refusal may
// add an audit row only when auditsRefusal says so. An acceptance that
// changed more than the audit trail is undone by reseeding.
func (fe *fuzzEnv) try(t *testing.T, r req, auditsRefusal bool) resp {
	t.Helper()
	fe.env.t = t
	defer func() { fe.env.t = fe.outer }()
	got := fe.do(r)
	if got.Status >= 500 {
		t.Fatalf("%s %s: %d %s", r.Method, r.Path, got.Status, truncate(got.Body))
	}
	now := fe.state()
	if got.Status >= 400 {
		ctProblem(t, got, got.Status)
		changed := fe.last.changed(now)
		if auditsRefusal && now.audit == fe.last.audit+1 {
			changed = slices.DeleteFunc(changed, func(table string) bool { return table == "audit_events" })
		}
		if len(changed) > 0 {
			t.Fatalf("%s %s refused with %d changed %q", r.Method, r.Path, got.Status, changed)
		}
	} else if !maps.Equal(fe.last.sums, now.sums) {
		fe.reseed()
		now = fe.state()
	}
	fe.last = now
	return got
}

// placeholders are the ids fuzz inputs name, by the placeholders they use.
func (fe *fuzzEnv) placeholders() map[string]string {
	f := fe.fix
	return map[string]string{
		"{id}": f.conf, "{pid}": f.participant, "{kind}": "childcare", "{cid}": f.contact,
		"{rid}": f.report, "{sid}": f.share, "{child_ref}": "C-1", "{check_id}": f.check,
		"{prof_id}": f.professional,
	}
}

// fuzzPick returns the n-th item of list, wrapping round.
func fuzzPick[T any](list []T, n uint8) T { return list[int(n)%len(list)] }
