package api_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// ctBodyRoute is a route that reads a JSON body, with a body it accepts.
type ctBodyRoute struct {
	name, method, path, valid string
	header                    map[string]string
	// nullStatus is what a bare JSON null gets: 400 everywhere, since a
	// body must be a JSON object.
	nullStatus int
	nullFields []string
	// wrongType is a body with one value of the wrong JSON type, and the
	// field the 422 must name.
	wrongType, wrongField string
	// nestedUnknown has an unknown field inside a nested object, named zzz.
	nestedUnknown string
}

func ctBodyRoutes(f ctFixture) []ctBodyRoute {
	p := ctPath(f.conf, "participants", f.participant)
	v3 := ctIfMatch(`"3"`)
	return []ctBodyRoute{
		{"createConference", "POST", "/v1/conferences",
			`{"external_ref":"STRICT-NEW","type":"initial","scheduled_start":"2026-12-07T10:00:00Z","format":"video"}`, nil, 400, nil,
			`{"external_ref":"S","type":"initial","scheduled_start":"2026-12-07T10:00:00Z","format":"video","chair":{"ref":5}}`, "chair.ref",
			`{"external_ref":"S","type":"initial","scheduled_start":"2026-12-07T10:00:00Z","format":"video","children":[{"ref":"C","zzz":1}]}`},
		{"updateConference", "PATCH", ctPath(f.conf), `{"format":"phone"}`, v3, 400, nil, `{"format":5}`, "format", `{"chair":{"zzz":1}}`},
		{"addParticipant", "POST", ctPath(f.conf, "participants"),
			`{"display_name":"A","relationship":"mother","invited":true,"attendance":"video"}`, nil, 400, nil,
			`{"display_name":"A","relationship":"mother","invited":"yes","attendance":"video"}`, "invited",
			`{"display_name":"A","relationship":"mother","invited":true,"attendance":"video","safety":{"concern":"none","zzz":1}}`},
		{"updateParticipant", "PATCH", p, `{"attendance":"phone"}`, v3, 400, nil, `{"private_space_confirmed":"true"}`, "private_space_confirmed",
			`{"safety":{"concern":"none","zzz":1}}`},
		{"putNeed", "PUT", p + "/needs/transport", `{"status":"identified"}`, nil, 400, nil, `{"status":["identified"]}`, "status", ""},
		{"addContact", "POST", p + "/contacts", `{"with":"social_worker","on":"2026-11-20","method":"phone"}`, nil, 400, nil,
			`{"with":"social_worker","on":20261120,"method":"phone"}`, "on", ""},
	}
}

type ctBodyCase struct {
	name, body, contentType string
	status                  int
	fields                  []string
}

// Bodies that are not exactly one JSON object of known fields are refused
// before anything is written, never with a 5xx.
func TestStrictJSON(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "STRICT-1")
	key := e.key(orgA, domain.RoleCaseSystem)
	for _, rt := range ctBodyRoutes(f) {
		cases := []ctBodyCase{
			{"unknown field", rt.valid[:len(rt.valid)-1] + `,"zzz_unknown":1}`, "", 400, []string{"zzz_unknown"}},
			{"trailing object", rt.valid + ` {}`, "", 400, nil},
			{"trailing object without space", rt.valid + `{}`, "", 400, nil},
			{"trailing garbage", rt.valid + `x`, "", 400, nil},
			{"trailing number", rt.valid + "\n1", "", 400, nil},
			{"truncated", rt.valid[:len(rt.valid)-1], "", 400, nil},
			{"not JSON", `{'format': 'phone'}`, "", 400, nil},
			{"trailing comma", rt.valid[:len(rt.valid)-1] + `,}`, "", 400, nil},
			{"empty body", ``, "", 400, nil},
			{"only whitespace", " \n\t ", "", 400, nil},
			{"array", `[` + rt.valid + `]`, "", 400, nil},
			{"string", `"format"`, "", 400, nil},
			{"number", `42`, "", 400, nil},
			{"null", `null`, "", rt.nullStatus, rt.nullFields},
			{"deeply nested", `{"a":` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}`, "", 400, nil},
			{"wrong type", rt.wrongType, "", 422, []string{rt.wrongField}},
			{"text/plain", rt.valid, "text/plain", 415, nil},
			{"form", rt.valid, "application/x-www-form-urlencoded", 415, nil},
			{"bad media type", rt.valid, "application/", 415, nil},
			{"json suffix", rt.valid, "application/vnd.api+json", 415, nil},
			{"over 1 MiB", `{"external_ref":"` + strings.Repeat("x", 1<<20) + `"}`, "", 413, nil},
		}
		member := ctFirstString(t, rt.valid)
		inString := func(s string) string { return strings.Replace(rt.valid, `"`+member+`":"`, `"`+member+`":"`+s, 1) }
		cases = append(cases,
			ctBodyCase{"repeated member", rt.valid[:len(rt.valid)-1] + "," + rt.valid[1:], "", 400, []string{ctFirstKey(t, rt.valid)}},
			ctBodyCase{"member in the wrong case", strings.Replace(rt.valid, `"`+member+`"`, `"`+strings.ToUpper(member)+`"`, 1), "", 400, []string{strings.ToUpper(member)}},
			ctBodyCase{"NUL in a string", inString(`\u0000`), "", 400, []string{member}},
			ctBodyCase{"unpaired high surrogate", inString(`\ud800`), "", 400, []string{member}},
			ctBodyCase{"unpaired low surrogate", inString(`\udc00x`), "", 400, []string{member}},
			ctBodyCase{"invalid UTF-8", inString("\xff"), "", 400, nil},
		)
		if rt.nestedUnknown != "" {
			cases = append(cases, ctBodyCase{"nested unknown field", rt.nestedUnknown, "", 400, []string{"zzz"}})
		}
		if rt.method != "PATCH" {
			cases = append(cases, ctBodyCase{"merge patch media type", rt.valid, "application/merge-patch+json", 415, nil})
		}
		for _, tc := range cases {
			t.Run(rt.name+"/"+tc.name, func(t *testing.T) {
				frozen := ctFrozen(t, e, f.conf)
				r := e.do(req{Method: rt.method, Path: rt.path, Key: key, Header: rt.header, Body: tc.body, ContentType: tc.contentType})
				ctFields(t, ctProblem(t, r, tc.status), tc.fields...)
				frozen()
			})
		}
		t.Run(rt.name+"/no Content-Type", func(t *testing.T) {
			frozen := ctFrozen(t, e, f.conf)
			h := map[string]string{"Content-Type": ""}
			for k, v := range rt.header {
				h[k] = v
			}
			ctProblem(t, e.do(req{Method: rt.method, Path: rt.path, Key: key, Header: h, Body: rt.valid}), http.StatusUnsupportedMediaType)
			frozen()
		})
		t.Run(rt.name+"/over 1 MiB without Content-Length", func(t *testing.T) {
			frozen := ctFrozen(t, e, f.conf)
			ctProblem(t, ctChunked(t, e, rt.method, rt.path, key, rt.header, nil), http.StatusRequestEntityTooLarge)
			frozen()
		})
	}
}

// The media type's parameters are allowed, and each route's valid body is
// accepted: the refusals above are about the body, not the route.
func TestStrictJSONAcceptsValidBodies(t *testing.T) {
	e := newEnv(t)
	f := e.ctFixture(orgA, "STRICT-OK")
	key := e.key(orgA, domain.RoleCaseSystem)
	version := 3
	for _, rt := range ctBodyRoutes(f) {
		h := map[string]string{}
		if rt.header != nil {
			h["If-Match"] = `"` + strconv.Itoa(version) + `"`
		}
		r := e.do(req{Method: rt.method, Path: rt.path, Key: key, Header: h, Body: " \n" + rt.valid + "\n ", ContentType: "application/json; charset=utf-8"})
		if r.Status >= 300 {
			t.Fatalf("%s: %d %s", rt.name, r.Status, r.Body)
		}
		if rt.name != "createConference" {
			version++
		}
	}
}

// A POST with an Idempotency-Key reads the body itself; an oversized one is
// refused there too.
func TestStrictJSONOversizedIdempotentPost(t *testing.T) {
	e := newEnv(t)
	key := e.key(orgA, domain.RoleCaseSystem)
	frozen := ctFrozen(t, e)
	ctProblem(t, ctChunked(t, e, "POST", "/v1/conferences", key, nil, map[string]string{"Idempotency-Key": "big-1"}), http.StatusRequestEntityTooLarge)
	frozen()
}

// ctChunked sends a body of just over 1 MiB with no Content-Length, so the
// server can only find its size by reading it.
func ctChunked(t *testing.T, e *env, method, path, key string, header, extra map[string]string) resp {
	t.Helper()
	body := io.MultiReader(strings.NewReader(`{"external_ref":"`), strings.NewReader(strings.Repeat("x", 1<<20)), strings.NewReader(`"}`))
	hr, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+key)
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	for k, v := range extra {
		hr.Header.Set(k, v)
	}
	if hr.ContentLength != 0 {
		t.Fatalf("ContentLength = %d, want unknown", hr.ContentLength)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: out}
}

var (
	ctKeyPattern    = regexp.MustCompile(`^\{"([^"]+)":`)
	ctStringPattern = regexp.MustCompile(`"([^"]+)":"`)
)

// ctFirstKey is the name of a body's first member.
func ctFirstKey(t *testing.T, body string) string {
	t.Helper()
	m := ctKeyPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no first member in %s", body)
	}
	return m[1]
}

// ctFirstString is the name of a body's first member with a string value.
func ctFirstString(t *testing.T, body string) string {
	t.Helper()
	m := ctStringPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no string member in %s", body)
	}
	return m[1]
}
