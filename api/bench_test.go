package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// BenchmarkGetConferenceHTTP measures one GET of a conference through the
// whole stack: HTTP, key check, role check, the aggregate read, the audit
// row for the read and the JSON answer.
func BenchmarkGetConferenceHTTP(b *testing.B) {
	e := newEnv(b)
	conf := e.mustCreate(orgA, "BENCH-GET")
	e.mustAddParticipant(orgA, conf)
	key := e.key(orgA, domain.RoleChair)
	r := req{Method: "GET", Path: "/v1/conferences/" + conf, Key: key}
	b.ReportAllocs()
	for b.Loop() {
		if got := e.send(r); got != http.StatusOK {
			b.Fatalf("status %d", got)
		}
	}
}

// BenchmarkPutNeedHTTP measures one sub-resource write through the whole
// stack, If-Match not sent.
func BenchmarkPutNeedHTTP(b *testing.B) {
	e := newEnv(b)
	conf := e.mustCreate(orgA, "BENCH-PUT")
	pid := e.mustAddParticipant(orgA, conf)
	key := e.key(orgA, domain.RoleSocialWorker)
	statuses := []string{"identified", "arranged"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := req{Method: "PUT", Path: "/v1/conferences/" + conf + "/participants/" + pid + "/needs/childcare", Key: key,
			Body: map[string]any{"status": statuses[i%2]}}
		if got := e.send(r); got != http.StatusOK && got != http.StatusCreated {
			b.Fatalf("status %d", got)
		}
	}
}

// BenchmarkGetReadinessHTTP measures the chair's readiness read from 32
// clients at once: HTTP, key check, role check, readiness, the audit row
// and the JSON answer.
func BenchmarkGetReadinessHTTP(b *testing.B) {
	e := newEnv(b)
	conf := e.mustCreate(orgA, "BENCH-READINESS")
	for range 3 {
		e.mustAddParticipant(orgA, conf)
	}
	r := req{Method: "GET", Path: "/v1/conferences/" + conf + "/readiness", Key: e.key(orgA, domain.RoleChair)}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer() // opening a PostgreSQL schema alone takes seconds
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if got := e.send(r); got != http.StatusOK {
				b.Errorf("status %d", got)
				return
			}
		}
	})
}

// BenchmarkPutNeedHTTPParallel measures checklist writes from 64 clients
// at once, each on its own conference, so that writes share commits.
func BenchmarkPutNeedHTTPParallel(b *testing.B) {
	e := newEnv(b)
	key := e.key(orgA, domain.RoleSocialWorker)
	type target struct{ conf, pid string }
	targets := make(chan target, 64)
	for i := range 64 {
		conf := e.mustCreate(orgA, fmt.Sprint("BENCH-PUT-", i))
		targets <- target{conf, e.mustAddParticipant(orgA, conf)}
	}
	statuses := []string{"identified", "arranged"}
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		t := <-targets
		for i := 0; pb.Next(); i++ {
			r := req{Method: "PUT", Path: "/v1/conferences/" + t.conf + "/participants/" + t.pid + "/needs/childcare", Key: key,
				Body: map[string]any{"status": statuses[i%2]}}
			if got := e.send(r); got != http.StatusOK && got != http.StatusCreated {
				b.Errorf("status %d", got)
				return
			}
		}
	})
}

// BenchmarkCreateWholeConferenceHTTP measures one one-call create through
// the whole stack: strict decoding, putting the conference together part
// by part, readiness, the rows, the audit rows of every part and the
// event.
func BenchmarkCreateWholeConferenceHTTP(b *testing.B) {
	e := newEnv(b)
	key := e.key(orgA, domain.RoleCaseSystem)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := req{Method: "POST", Path: "/v1/conferences", Key: key, Body: wholeConferenceBody(fmt.Sprintf("BENCH-WHOLE-%d", i))}
		if got := e.send(r); got != http.StatusCreated {
			b.Fatalf("status %d", got)
		}
	}
}
