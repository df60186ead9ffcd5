package api_test

import (
	"net/http"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// ctFixture is a conference in one organisation with one participant who
// has a childcare need; its ETag is "3".
type ctFixture struct{ conf, participant string }

func (e *env) ctFixture(org, ref string) ctFixture {
	e.t.Helper()
	f := ctFixture{conf: e.mustCreate(org, ref)}
	f.participant = e.mustAddParticipant(org, f.conf)
	r := e.do(req{Method: "PUT", Path: ctPath(f.conf, "participants", f.participant, "needs", "childcare"), Key: e.key(org, domain.RoleSocialWorker), Body: map[string]any{"status": "identified"}})
	if r.Status != http.StatusCreated || r.Header.Get("ETag") != `"3"` {
		e.t.Fatalf("put need: %d %s ETag %s", r.Status, r.Body, r.Header.Get("ETag"))
	}
	return f
}

// ctRoute is one of the routes these files cover, as a request that would
// succeed for an allowed role (TestRoleMatrix checks the roles).
type ctRoute struct {
	name  string
	build func(f ctFixture) req
}

func ctRoutes() []ctRoute {
	p := func(f ctFixture, rest ...string) string {
		return ctPath(f.conf, append([]string{"participants", f.participant}, rest...)...)
	}
	v3 := ctIfMatch(`"3"`)
	return []ctRoute{
		{"createConference", func(f ctFixture) req {
			return req{Method: "POST", Path: "/v1/conferences", Body: conferenceBody("NEW-" + f.conf)}
		}},
		{"getConference", func(f ctFixture) req { return req{Method: "GET", Path: ctPath(f.conf)} }},
		{"updateConference", func(f ctFixture) req {
			return req{Method: "PATCH", Path: ctPath(f.conf), Header: v3, Body: map[string]any{"format": "video"}}
		}},
		{"addParticipant", func(f ctFixture) req {
			return req{Method: "POST", Path: ctPath(f.conf, "participants"), Body: participantBody()}
		}},
		{"updateParticipant", func(f ctFixture) req {
			return req{Method: "PATCH", Path: p(f), Header: v3, Body: map[string]any{"attendance": "phone"}}
		}},
		{"deleteParticipant", func(f ctFixture) req {
			return req{Method: "DELETE", Path: p(f), Header: v3}
		}},
		{"putNeed", func(f ctFixture) req {
			return req{Method: "PUT", Path: p(f, "needs", "transport"), Body: map[string]any{"status": "arranged"}}
		}},
		{"deleteNeed", func(f ctFixture) req {
			return req{Method: "DELETE", Path: p(f, "needs", "childcare"), Header: v3}
		}},
		{"addContact", func(f ctFixture) req {
			return req{Method: "POST", Path: p(f, "contacts"), Body: map[string]any{"with": "social_worker", "on": "2026-11-20", "method": "phone"}}
		}},
	}
}

// Without a valid credential every route is 401 with a Bearer challenge.
func TestConferenceRoutesUnauthenticated(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "AUTH-1")
	routes := append(ctRoutes(), ctRoute{name: "listConferences", build: func(ctFixture) req { return req{Method: "GET", Path: "/v1/conferences"} }})
	creds := map[string]string{
		"no header":      "",
		"unknown key":    "Bearer cpk_this-is-not-a-key",
		"empty bearer":   "Bearer ",
		"basic scheme":   "Basic " + e.key(orgA, domain.RoleCaseSystem),
		"key not bearer": e.key(orgA, domain.RoleCaseSystem),
		"mangled key":    "Bearer " + e.key(orgA, domain.RoleCaseSystem) + "x",
	}
	for _, rt := range routes {
		for name, cred := range creds {
			t.Run(rt.name+"/"+name, func(t *testing.T) {
				r := rt.build(f)
				r.Header = map[string]string{"If-Match": `"3"`}
				if cred != "" {
					r.Header["Authorization"] = cred
				}
				frozen := ctFrozen(t, e, f.conf)
				res := e.do(r)
				ctProblem(t, res, http.StatusUnauthorized)
				if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="cpcready"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				frozen()
			})
		}
	}
}

// Another organisation's conference, an unknown id and a malformed id are
// all simply not found, on every verb, with nothing written.
func TestConferenceRoutesNotFound(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "NF-1")
	mine := e.ctFixture(orgB, "NF-B")
	bad := map[string]func(ctFixture) ctFixture{
		"another organisation": func(f ctFixture) ctFixture { return f },
		"unknown conference":   func(f ctFixture) ctFixture { f.conf = "00000000-0000-4000-8000-000000000000"; return f },
		"malformed conference": func(f ctFixture) ctFixture { f.conf = "not-a-uuid"; return f },
		"unknown participant": func(f ctFixture) ctFixture {
			f.conf, f.participant = mine.conf, "00000000-0000-4000-8000-000000000000"
			return f
		},
		"foreign participant": func(f ctFixture) ctFixture { f.conf = mine.conf; return f },
		"malformed participant": func(f ctFixture) ctFixture {
			f.conf, f.participant = mine.conf, "x"
			return f
		},
	}
	for _, rt := range ctRoutes() {
		if rt.name == "createConference" {
			continue
		}
		for name, mutate := range bad {
			if rt.name == "getConference" || rt.name == "updateConference" || rt.name == "addParticipant" {
				if name == "unknown participant" || name == "foreign participant" || name == "malformed participant" {
					continue // these routes name no participant
				}
			}
			t.Run(rt.name+"/"+name, func(t *testing.T) {
				// orgB's case system asks; f is in orgA.
				r := rt.build(mutate(f))
				r.Key = e.key(orgB, domain.RoleCaseSystem)
				frozen := ctFrozen(t, e, f.conf, mine.conf)
				ctProblem(t, e.do(r), http.StatusNotFound)
				frozen()
			})
		}
	}
}
