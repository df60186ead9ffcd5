package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// largest is a conference filled to every limit through the API.
type largest struct {
	conf, participant string
}

// mustBuildLargest fills a conference to every aggregate limit and checks,
// through the API, that each limit refuses one more. The filling is one
// store write: through the API it would be some 1,600 durable requests.
func (e *env) mustBuildLargest(ref string) largest {
	e.t.Helper()
	cs := e.key(orgA, domain.RoleCaseSystem)
	must := func(r req, want int) resp {
		e.t.Helper()
		r.Key = cs
		got := e.exchange(r, false)
		if got.Status != want {
			e.t.Fatalf("%s %s: %d, want %d: %s", r.Method, r.Path, got.Status, want, truncate(got.Body))
		}
		return got
	}
	children := make([]any, domain.MaxChildren)
	for i := range children {
		children[i] = map[string]any{"ref": fmt.Sprintf("C-%02d", i), "name": "Child Person"}
	}
	body := conferenceBody(ref)
	body["children"] = children
	id := must(req{Method: "POST", Path: "/v1/conferences", Body: body}, http.StatusCreated).JSON(e.t)["id"].(string)
	on := domain.NewDate(2026, time.November, 20)
	invited := true
	_, err := e.db.UpdateConference(context.Background(), domain.Principal{ID: "filler", Role: domain.RoleCaseSystem, Org: orgA, Kind: domain.PrincipalKey}, id, nil, func(c *domain.Conference) (domain.Change, error) {
		for range domain.MaxParticipants {
			p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
				DisplayName: "Parent Person", Relationship: "mother", Invited: &invited, Attendance: domain.AttendanceVideo, NeedsAssessedOn: &on,
			}}
			for _, kind := range domain.NeedKinds {
				p.Needs = append(p.Needs, domain.Need{Kind: kind, Status: domain.NeedArranged, Detail: "arranged with the family", Language: "pl"})
			}
			for range domain.MaxContacts {
				p.Contacts = append(p.Contacts, domain.Contact{ID: uuid.NewString(), With: "social_worker", On: &on, Method: "phone"})
			}
			c.Participants = append(c.Participants, p)
		}
		for range domain.MaxReports {
			r := domain.Report{ID: uuid.NewString(), Agency: "health", Title: "Health visitor's report", ReceivedOn: &on}
			for i := range domain.MaxShares {
				r.Shares = append(r.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: c.Participants[i%len(c.Participants)].ID, SharedOn: &on, Language: "en"})
			}
			c.Reports = append(c.Reports, r)
		}
		return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID}, nil
	})
	if err != nil {
		e.t.Fatalf("fill the conference: %v", err)
	}
	c := "/v1/conferences/" + id
	l := largest{conf: id, participant: ""}
	var conf domain.Conference
	e.exchange(req{Method: "GET", Path: c, Key: cs}, false).Decode(e.t, &conf)
	l.participant = conf.Participants[0].ID
	contact := map[string]any{"with": "social_worker", "on": "2026-11-20", "method": "phone"}
	must(req{Method: "POST", Path: c + "/participants", Body: participantBody()}, http.StatusUnprocessableEntity)
	must(req{Method: "POST", Path: c + "/participants/" + l.participant + "/contacts", Body: contact}, http.StatusUnprocessableEntity)
	must(req{Method: "POST", Path: c + "/reports", Body: map[string]any{"agency": "police", "title": "One too many"}}, http.StatusUnprocessableEntity)
	must(req{Method: "POST", Path: c + "/reports/" + conf.Reports[0].ID + "/shares", Body: map[string]any{"participant_id": l.participant, "shared_on": "2026-11-20"}}, http.StatusUnprocessableEntity)
	// One below each limit is still accepted.
	must(req{Method: "DELETE", Path: c + "/participants/" + conf.Participants[1].ID, Header: map[string]string{"If-Match": e.etagOf(orgA, id)}}, http.StatusNoContent)
	must(req{Method: "POST", Path: c + "/participants", Body: participantBody()}, http.StatusCreated)
	return l
}

// The largest conference the limits allow can be built, and no larger;
// reading it stays a bounded answer.
func TestLargestConferenceIsBounded(t *testing.T) {
	e := newEnv(t)
	l := e.mustBuildLargest("LARGEST")
	got := e.do(req{Method: "GET", Path: "/v1/conferences/" + l.conf, Key: e.key(orgA, domain.RoleChair)})
	if got.Status != http.StatusOK {
		t.Fatalf("GET: %d", got.Status)
	}
	// At the old limits one conference answered with 11 MB.
	if len(got.Body) > 2<<20 {
		t.Errorf("the largest conference answers with %d bytes", len(got.Body))
	}
	t.Logf("the largest allowed conference: %d bytes as JSON", len(got.Body))
}

// BenchmarkLargestConference measures what the largest allowed conference
// costs: a GET of the whole aggregate, and a one-field write to it (read,
// re-evaluate, write what changed, audit).
func BenchmarkLargestConference(b *testing.B) {
	e := newEnv(b)
	l := e.mustBuildLargest("LARGEST")
	b.Run("read", func(b *testing.B) {
		r := req{Method: "GET", Path: "/v1/conferences/" + l.conf, Key: e.key(orgA, domain.RoleChair)}
		size := len(e.exchange(r, false).Body)
		b.ReportAllocs()
		for b.Loop() {
			if got := e.send(r); got != http.StatusOK {
				b.Fatalf("status %d", got)
			}
		}
		b.ReportMetric(float64(size), "bytes/response")
	})
	b.Run("write", func(b *testing.B) {
		key := e.key(orgA, domain.RoleSocialWorker)
		statuses := []string{"identified", "arranged"}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r := req{Method: "PUT", Path: "/v1/conferences/" + l.conf + "/participants/" + l.participant + "/needs/childcare", Key: key,
				Body: map[string]any{"status": statuses[i%2]}}
			if got := e.send(r); got != http.StatusOK {
				b.Fatalf("status %d", got)
			}
		}
	})
}
