package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cpcready/cpcready/internal/domain"
)

// maxDepth is how deeply a body may nest, as encoding/json allows.
const maxDepth = 10000

// checkText refuses JSON that encoding/json would read without complaint
// but not faithfully: a member given twice (the last would silently win),
// a member named in the wrong case (encoding/json would take it for the
// field, and a merge patch would then lose it to the field's old value),
// bytes that are not UTF-8 or escapes of half a surrogate pair (both would
// silently become U+FFFD), and NUL characters, which PostgreSQL cannot
// store in text. dst is what the body will be decoded into. Only the first
// JSON value is walked; decodeStrict deals with anything after it.
func checkText(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return domain.Errorf(domain.EMALFORMED, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := textWalk{root: reflect.TypeOf(dst)}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return decodeError(err)
		}
		if err := w.step(tok, body[start:dec.InputOffset()]); err != nil {
			return err
		}
		if len(w.stack) == 0 {
			return nil
		}
	}
}

// textFrame is one object or array being walked.
type textFrame struct {
	typ    reflect.Type // the Go type it decodes into; nil when unchecked
	array  bool
	index  int             // the next element's index, in an array
	seen   map[string]bool // member names so far, in an object
	member string          // the member whose value comes next
	named  bool            // whether member is set
}

type textWalk struct {
	root  reflect.Type
	stack []*textFrame
}

// step takes one token and the raw bytes it was read from.
func (w *textWalk) step(tok json.Token, raw []byte) error {
	top := w.top()
	if top != nil && !top.array && !top.named {
		if d, ok := tok.(json.Delim); ok && d == '}' {
			w.stack = w.stack[:len(w.stack)-1]
			w.valueDone()
			return nil
		}
		name := tok.(string) // Token only returns a string here
		path := func() string { return joinPath(w.where(), name) }
		if err := checkString(name, raw, path); err != nil {
			return err
		}
		if top.seen[name] {
			return textError("the body gives a member more than once", path(), "is given more than once")
		}
		if _, exact := fieldType(top.typ, name); !exact && caseVariant(top.typ, name) {
			return textError("the body has a field this API does not know (names are case-sensitive)", path(), "is not a known field")
		}
		top.seen[name] = true
		top.member, top.named = name, true
		return nil
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{', '[':
			if len(w.stack) >= maxDepth {
				return domain.Errorf(domain.EMALFORMED, "the body is not valid JSON")
			}
			typ := w.valueType()
			if typ != nil && (v == '[') != (typ.Kind() != reflect.Struct) {
				typ = nil // the wrong kind of value: decoding will say so
			}
			frame := &textFrame{typ: typ, array: v == '['}
			if !frame.array {
				frame.seen = map[string]bool{}
			}
			w.stack = append(w.stack, frame)
			return nil
		default: // ']'; '}' is handled above
			w.stack = w.stack[:len(w.stack)-1]
		}
	case string:
		if err := checkString(v, raw, w.where); err != nil {
			return err
		}
	}
	w.valueDone()
	return nil
}

func (w *textWalk) top() *textFrame {
	if len(w.stack) == 0 {
		return nil
	}
	return w.stack[len(w.stack)-1]
}

// where is the JSON path of the value being read, such as
// "children[0].ref". It is built only for an error: kept in every frame,
// paths would cost memory quadratic in the depth.
func (w *textWalk) where() string {
	var b strings.Builder
	for _, f := range w.stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case f.named:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.member)
		}
	}
	return b.String()
}

// valueType is the Go type the value about to be read decodes into.
func (w *textWalk) valueType() reflect.Type {
	top := w.top()
	switch {
	case top == nil:
		return checkedType(w.root)
	case top.typ == nil:
		return nil
	case top.array:
		return checkedType(top.typ.Elem())
	}
	t, _ := fieldType(top.typ, top.member)
	return checkedType(t)
}

// valueDone moves the enclosing object or array past the value just read.
func (w *textWalk) valueDone() {
	top := w.top()
	switch {
	case top == nil:
	case top.array:
		top.index++
	default:
		top.named = false
	}
}

func joinPath(parent, member string) string {
	if parent == "" {
		return member
	}
	return parent + "." + member
}

// checkString refuses a NUL character or an unpaired surrogate escape in a
// decoded string s, read from raw; path names where it is.
func checkString(s string, raw []byte, path func() string) error {
	at := func() string { return strings.ReplaceAll(path(), "\x00", `\u0000`) }
	if strings.ContainsRune(s, 0) {
		return textError("the body has a NUL character (\\u0000) in a string", at(), "must not contain a NUL character")
	}
	if strings.ContainsRune(s, utf8.RuneError) && unpairedSurrogate(raw) {
		return textError("the body has an escape of half a UTF-16 surrogate pair", at(), "must not contain an unpaired surrogate escape")
	}
	return nil
}

func textError(detail, path, message string) error {
	e := domain.Errorf(domain.EMALFORMED, "%s", detail)
	e.Fields = []domain.FieldError{{Field: path, Message: message}}
	return e
}

// unpairedSurrogate reports whether raw, JSON text that has already been
// read as valid, escapes a UTF-16 surrogate that is not half of a pair.
func unpairedSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // an escaped character, perhaps a backslash
			continue
		}
		r := hex4(raw[i+2 : i+6])
		i += 5
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r >= 0xDC00 || i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
			return true
		}
		if low := hex4(raw[i+3 : i+7]); low < 0xDC00 || low > 0xDFFF {
			return true
		}
		i += 6
	}
	return false
}

// hex4 reads four hex digits; the JSON is known to be valid.
func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(n)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// checkedType is t without pointers, when it is a struct or slice whose
// member names are worth checking; nil otherwise (a map, any, or a type
// that reads its own JSON).
func checkedType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	if k := t.Kind(); k == reflect.Struct || k == reflect.Slice || k == reflect.Array {
		return t
	}
	return nil
}

// fieldType returns the type of the struct field encoding/json would fill
// from the member name, and whether name is its exact JSON name.
func fieldType(t reflect.Type, name string) (reflect.Type, bool) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, false
	}
	ft, ok := jsonFields(t)[name]
	return ft, ok
}

// caseVariant reports whether name differs only in case from a field of t.
func caseVariant(t reflect.Type, name string) bool {
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	for field := range jsonFields(t) {
		if strings.EqualFold(field, name) {
			return true
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps a struct's JSON member names to their types, including
// the fields of embedded structs, as encoding/json sees them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			if et := checkedType(f.Type); et != nil && et.Kind() == reflect.Struct {
				for n, ft := range jsonFields(et) {
					if _, outer := m[n]; !outer { // a field of the outer struct wins
						m[n] = ft
					}
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}
