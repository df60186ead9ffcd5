package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileRow is one crafted request and the answer it must get.
type hostileRow struct {
	name string
	req  req
	role domain.Role // whose key sends it, unless req.Key is set; none when empty
	// status and kind are the answer: a refusal is a problem of type
	// urn:cpcready:problem:<kind>; an acceptance has no kind.
	status int
	kind   string
	fields []string // the fields a refusal must name, when stated
	// echo, on an acceptance, is a member of the response that must hold
	// exactly the text sent, and which a later read must show unchanged.
	echo, value string
	read        string // where to read it back when there is no Location
	// writes lists the tables a refusal changes by design; on an
	// acceptance, when set, the only tables it may change.
	writes []string
	// check, when set, looks further at the response.
	check func(t *testing.T, r resp)
}

// TestHostileRequests sends every row of the table to a real server and
// checks its answer. No answer may be a 5xx, and a refused request must
// leave every table, the audit trail included, exactly as it was (see
// dbState), unless the row says otherwise.
func TestHostileRequests(t *testing.T) {
	e := newEnv(t)
	rows := hostileRows(newHostileFixture(e))
	if len(rows) < 200 {
		t.Fatalf("the table has %d rows, want at least 200", len(rows))
	}
	t.Logf("%d hostile requests", len(rows))
	outer := e.t
	before := readState(t, e.db)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e.t = t
			defer func() {
				if t.Failed() { // start the next row from what is there now
					before = readState(t, e.db)
				}
				e.t = outer
			}()
			r := row.req
			if r.Key == "" && row.role != "" {
				r.Key = e.key(orgA, row.role)
			}
			got := e.do(r)
			after := readState(t, e.db)
			hostileAnswer(t, row, got)
			if row.status >= 300 {
				changed := before.changed(after)
				if strings.Join(changed, ",") != strings.Join(row.writes, ",") {
					t.Errorf("refused request changed tables %q, want %q", changed, row.writes)
				}
				before = after
				return
			}
			if row.writes != nil {
				if changed := before.changed(after); strings.Join(changed, ",") != strings.Join(row.writes, ",") {
					t.Errorf("accepted request changed tables %q, want %q", changed, row.writes)
				}
			}
			if row.echo != "" {
				hostileEcho(t, e, row, got)
			}
			before = readState(t, e.db)
		})
	}
}

// hostileAnswer checks the status, and the problem of a refusal.
func hostileAnswer(t *testing.T, row hostileRow, got resp) {
	t.Helper()
	if got.Status >= 500 {
		t.Fatalf("5xx: %d %s", got.Status, truncate(got.Body))
	}
	if got.Status != row.status {
		t.Fatalf("status %d, want %d: %s", got.Status, row.status, truncate(got.Body))
	}
	if row.check != nil {
		row.check(t, got)
	}
	if row.status < 300 {
		return
	}
	p := ctProblem(t, got, row.status)
	if want := "urn:cpcready:problem:" + row.kind; p.Type != want {
		t.Errorf("problem type %q, want %q", p.Type, want)
	}
	if row.fields != nil {
		ctFields(t, p, row.fields...)
	}
}

// hostileEcho checks that an accepted text came back exactly as sent, in
// the response and when the stored record is read again.
func hostileEcho(t *testing.T, e *env, row hostileRow, got resp) {
	t.Helper()
	if v := jsonAt(t, got.JSON(t), row.echo); v != row.value {
		t.Errorf("response %s = %q, want %q", row.echo, v, row.value)
	}
	path := got.Header.Get("Location")
	if path == "" {
		path = row.read
	}
	read := e.do(req{Method: "GET", Path: path, Key: e.key(orgA, domain.RoleManager)})
	if read.Status != http.StatusOK {
		t.Fatalf("read back %s: %d %s", path, read.Status, truncate(read.Body))
	}
	quoted, _ := json.Marshal(row.value)
	if !strings.Contains(string(read.Body), string(quoted)) {
		t.Errorf("read back %s does not hold %s: %s", path, quoted, truncate(read.Body))
	}
}

var (
	jsonIndex   = regexp.MustCompile(`^(\w+)\[(\d+)\]$`)
	jsonIndexes = regexp.MustCompile(`\[\d+\]`)
)

// jsonAt returns the string at a path such as "chair.name" or
// "children[0].ref" in decoded JSON, or "" when there is none.
func jsonAt(t *testing.T, v any, path string) string {
	t.Helper()
	for _, part := range strings.Split(path, ".") {
		idx := -1
		if m := jsonIndex.FindStringSubmatch(part); m != nil {
			part = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		obj, _ := v.(map[string]any)
		v = obj[part]
		if idx >= 0 {
			arr, _ := v.([]any)
			if idx >= len(arr) {
				return ""
			}
			v = arr[idx]
		}
	}
	s, _ := v.(string)
	return s
}

// withValue returns a deep copy of body with the member at path set to v;
// path is as in jsonAt. A nil v removes the member.
func withValue(body map[string]any, path string, v any) map[string]any {
	b, _ := json.Marshal(body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	parts := strings.Split(path, ".")
	var cur any = out
	for i, part := range parts {
		idx := -1
		if m := jsonIndex.FindStringSubmatch(part); m != nil {
			part = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		obj := cur.(map[string]any)
		last := i == len(parts)-1
		if idx >= 0 {
			arr := obj[part].([]any)
			if last {
				arr[idx] = v
				return out
			}
			cur = arr[idx]
			continue
		}
		if last {
			if v == nil {
				delete(obj, part)
			} else {
				obj[part] = v
			}
			return out
		}
		if _, ok := obj[part].(map[string]any); !ok {
			obj[part] = map[string]any{}
		}
		cur = obj[part]
	}
	return out
}

// rawMark stands for raw JSON text in a body built as a map.
const rawMark = "@@raw@@"

// withRaw returns body as JSON text with the member at path set to raw, a
// JSON text that a Go value could not express (invalid UTF-8, escapes).
func withRaw(body map[string]any, path, raw string) string {
	b, err := json.Marshal(withValue(body, path, rawMark))
	if err != nil {
		panic(err)
	}
	return strings.Replace(string(b), `"`+rawMark+`"`, raw, 1)
}

// hostileName shortens a value for a subtest name.
func hostileName(format string, args ...any) string {
	s := fmt.Sprintf(format, args...)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
