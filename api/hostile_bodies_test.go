package api_test

import (
	"encoding/json"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// hostileRows is the whole table, in the order it is sent.
func hostileRows(hf hostileFixture) []hostileRow {
	var rows []hostileRow
	for _, gen := range []func(hostileFixture) []hostileRow{
		hostileMediaRows, hostileRepeatRows, hostileTextRows, hostileLengthRows, hostileTypeRows,
		hostileNumberRows, hostileNestingRows, hostileDataRows, hostileIDRows, hostileQueryRows, hostileHeaderRows,
		hostileFieldRows,
	} {
		rows = append(rows, gen(hf)...)
	}
	return rows
}

// hostileText is a string member of a route's body, with the most
// characters its validate tag allows (0 for an enum or a date).
type hostileText struct {
	op, path string
	max      int
	// base adjusts the route's valid body so that the member is used.
	base func(map[string]any) map[string]any
}

func hostileTexts(hf hostileFixture) []hostileText {
	set := func(path string, v any) func(map[string]any) map[string]any {
		return func(b map[string]any) map[string]any { return withValue(b, path, v) }
	}
	withheld := func(b map[string]any) map[string]any {
		return map[string]any{"participant_id": hf.participant, "withheld": true, "reason": "risk"}
	}
	return []hostileText{
		{"createConference", "external_ref", 100, nil},
		{"createConference", "chair.ref", 100, nil},
		{"createConference", "chair.name", 200, nil},
		{"createConference", "social_worker.ref", 100, nil},
		{"createConference", "social_worker.name", 200, nil},
		{"createConference", "children[0].ref", 100, nil},
		{"createConference", "children[0].name", 200, nil},
		{"createConference", "type", 0, nil},
		{"createConference", "scheduled_start", 0, nil},
		{"updateConference", "external_ref", 100, nil},
		{"updateConference", "chair.name", 200, nil},
		{"addParticipant", "display_name", 200, nil},
		{"addParticipant", "relationship", 0, nil},
		{"addParticipant", "safety.note", 2000, set("safety", map[string]any{"concern": "none"})},
		{"addParticipant", "exclusion.grounds", 2000, nil},
		{"updateParticipant", "display_name", 200, nil},
		{"putNeed", "detail", 1000, nil},
		{"putNeed", "language", 0, nil},
		{"addContact", "with", 0, nil},
		{"addContact", "on", 0, nil},
		{"addReport", "title", 300, nil},
		{"addReport", "agency", 0, nil},
		{"addShare", "reason", 2000, withheld},
		{"addShare", "language", 0, nil},
		{"putChildViews", "means", 0, nil},
		{"addReadinessCheck", "note", 2000, nil},
		{"addReadinessCheck", "decision", 0, nil},
	}
}

// body is the route's valid body, adjusted for the member.
func (ht hostileText) body(rt hostileRoute) map[string]any {
	b := rt.body()
	if ht.base != nil {
		b = ht.base(b)
	}
	return b
}

// hostileMediaRows: a missing or wrong Content-Type, a declared charset
// that is not UTF-8, and bodies that are empty or not an object.
func hostileMediaRows(hf hostileFixture) []hostileRow {
	var rows []hostileRow
	for _, rt := range hf.bodyRoutes() {
		valid, _ := json.Marshal(rt.body())
		noType := map[string]string{"Content-Type": ""}
		for k, v := range rt.header {
			noType[k] = v
		}
		missing := rt.refuse("no Content-Type", string(valid), 415, "unsupported")
		missing.req.Header = noType
		plain := rt.refuse("text/plain", string(valid), 415, "unsupported")
		plain.req.ContentType = "text/plain"
		latin := rt.refuse("latin-1 body", `{"zzz":"caf`+"\xe9"+`"}`, 400, "malformed")
		latin.req.ContentType = "application/json; charset=iso-8859-1"
		rows = append(rows, missing, plain, latin,
			rt.refuse("empty body", "", 400, "malformed"),
			rt.refuse("null", "null", 400, "malformed"),
			rt.refuse("array", "["+string(valid)+"]", 400, "malformed"),
		)
	}
	return rows
}

// hostileRepeatRows: a member given twice, at the top or nested, with the
// same or another value, or in another case.
func hostileRepeatRows(hf hostileFixture) []hostileRow {
	var rows []hostileRow
	for _, rt := range hf.bodyRoutes() {
		valid, _ := json.Marshal(rt.body())
		s := string(valid)
		first := ctKeyPattern.FindStringSubmatch(s)[1]
		rows = append(rows, rt.refuse("every member twice", s[:len(s)-1]+","+s[1:], 400, "malformed", first))
	}
	c, p, pol := hf.route("createConference"), hf.route("addParticipant"), hf.route("putPolicy")
	up, upp := hf.route("updateConference"), hf.route("updateParticipant")
	nested := func(rt hostileRoute, path, raw string) string { return withRaw(rt.body(), path, raw) }
	rows = append(rows,
		c.refuse("chair.ref twice", nested(c, "chair", `{"ref":"A","ref":"B"}`), 400, "malformed", "chair.ref"),
		c.refuse("children[0].ref twice", nested(c, "children", `[{"ref":"A","ref":"A"}]`), 400, "malformed", "children[0].ref"),
		c.refuse("second child's ref twice", nested(c, "children", `[{"ref":"A"},{"ref":"B","name":"N","ref":"C"}]`), 400, "malformed", "children[1].ref"),
		c.refuse("external_ref in capitals", nested(c, "EXTERNAL_REF", `"X"`), 400, "malformed", "EXTERNAL_REF"),
		c.refuse("chair.Name", nested(c, "chair", `{"ref":"A","Name":"B"}`), 400, "malformed", "chair.Name"),
		p.refuse("safety.concern twice", nested(p, "safety", `{"concern":"none","concern":"other"}`), 400, "malformed", "safety.concern"),
		p.refuse("display_name and Display_Name", nested(p, "Display_Name", `"B"`), 400, "malformed", "Display_Name"),
		pol.refuse("report_days.initial twice", nested(pol, "report_days", `{"initial":3,"review":5,"pre_birth":3,"initial":4}`), 400, "malformed", "report_days.initial"),
		pol.refuse("ICPC_WORKING_DAYS", nested(pol, "ICPC_WORKING_DAYS", `20`), 400, "malformed", "ICPC_WORKING_DAYS"),
		up.refuse("patch chair.name twice", `{"chair":{"name":"A","name":"B"}}`, 400, "malformed", "chair.name"),
		up.refuse("patch FORMAT", `{"FORMAT":"phone"}`, 400, "malformed", "FORMAT"),
		upp.refuse("patch DISPLAY_NAME", `{"DISPLAY_NAME":"B"}`, 400, "malformed", "DISPLAY_NAME"),
		upp.refuse("patch a name with NUL", `{"display\u0000name":"B"}`, 400, "malformed", `display\u0000name`),
	)
	return rows
}

// hostileTextRows: NUL characters, bytes that are not UTF-8 and escapes
// of half a surrogate pair, in every string member; and text that is
// unusual but valid, which must be kept exactly.
func hostileTextRows(hf hostileFixture) []hostileRow {
	var rows []hostileRow
	for _, ht := range hostileTexts(hf) {
		rt := hf.route(ht.op)
		b := ht.body(rt)
		rows = append(rows,
			rt.refuse(ht.path+" with NUL", withRaw(b, ht.path, `"a\u0000b"`), 400, "malformed", ht.path),
			rt.refuse(ht.path+" not UTF-8", withRaw(b, ht.path, "\"a\xffb\""), 400, "malformed"),
			rt.refuse(ht.path+" unpaired surrogate", withRaw(b, ht.path, `"a\ud800b"`), 400, "malformed", ht.path),
		)
	}
	up := hf.route("updateParticipant")
	name := func(raw string) string { return `{"display_name":` + raw + `}` }
	rows = append(rows,
		up.refuse("overlong encoding", name("\"\xc0\xaf\""), 400, "malformed"),
		up.refuse("UTF-8 encoded surrogate", name("\"\xed\xa0\x80\""), 400, "malformed"),
		up.refuse("truncated UTF-8", name("\"\xe2\x82\""), 400, "malformed"),
		up.refuse("surrogates reversed", name(`"\udc00\ud800"`), 400, "malformed", "display_name"),
		up.refuse("high surrogate then letter", name(`"\ud83dx"`), 400, "malformed", "display_name"),
		up.refuse("raw NUL byte", name("\"a\x00b\""), 400, "malformed"),
		up.refuse("raw newline", name("\"a\nb\""), 400, "malformed"),
		up.accept("escaped surrogate pair", name(`"\ud83d\ude00 Parent"`), 200, "display_name", "😀 Parent"),
		up.accept("literal replacement character", name(`"`+"\ufffd"+` Parent"`), 200, "display_name", "\ufffd Parent"),
		up.accept("escaped control character", name(`"a\u0001b"`), 200, "display_name", "a\x01b"),
		up.accept("right-to-left override", name(`"\u202eParent"`), 200, "display_name", "\u202eParent"),
		up.accept("line separator", name(`"a\u2028b"`), 200, "display_name", "a\u2028b"),
		up.accept("escaped solidus and quote", name(`"a\/b\"c\\d"`), 200, "display_name", `a/b"c\d`),
	)
	return rows
}

// hostileLengthRows: every limited string at its limit, which is kept,
// and one character past it, which is refused; in one-byte characters and
// in characters of several bytes, since the limits count characters.
func hostileLengthRows(hf hostileFixture) []hostileRow {
	var rows []hostileRow
	for i, ht := range hostileTexts(hf) {
		if ht.max == 0 {
			continue
		}
		rt := hf.route(ht.op)
		ascii := string(rune('a' + i))
		for _, ch := range []string{ascii, "é", "😀"} {
			at := strings.Repeat(ch, ht.max)
			if ch != ascii { // unlike any other row's, as external_ref must be
				at = ascii + strings.Repeat(ch, ht.max-1)
			}
			rows = append(rows,
				rt.accept(hostileName("%s at %d of %q", ht.path, ht.max, ch), withValue(ht.body(rt), ht.path, at), rt.created(), ht.path, at),
				rt.refuse(hostileName("%s at %d of %q", ht.path, ht.max+1, ch), withValue(ht.body(rt), ht.path, at+ch), 422, "invalid", ht.path),
			)
		}
	}
	c := hf.route("createConference")
	children := make([]any, domain.MaxChildren+1)
	for i := range children {
		children[i] = map[string]any{"ref": "C-" + string(rune('A'+i))}
	}
	rows = append(rows,
		c.refuse("one child too many", withValue(c.body(), "children", children), 422, "invalid", "children"),
		c.refuse("empty external_ref", withValue(c.body(), "external_ref", ""), 422, "invalid", "external_ref"),
	)
	return rows
}
