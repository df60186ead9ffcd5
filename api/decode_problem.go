package api

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/cpcready/cpcready/internal/domain"
)

// This file turns json v2's errors into problems, naming fields as the
// rest of the API does: children[0].ref, not /children/0/ref.

// inRange refuses a date or instant outside domain.MinDate..MaxDate as it
// is read, wherever it is in a body. Out of range, a year-0 or year-10000
// value breaks date arithmetic and the databases' date types.
var inRange = json.JoinUnmarshalers(
	json.UnmarshalFunc(func(b []byte, d *domain.Date) error {
		if err := d.UnmarshalJSON(b); err != nil {
			return err
		}
		if !d.InRange() {
			return errOutOfRange
		}
		return nil
	}),
	json.UnmarshalFunc(func(b []byte, ts *domain.Timestamp) error {
		if err := ts.UnmarshalJSON(b); err != nil {
			return err
		}
		if !domain.InstantInRange(ts.Time) {
			return errOutOfRange
		}
		return nil
	}),
)

var errOutOfRange = errors.New("out of range")

// syntaxProblem is the problem for a body that is not well-formed JSON
// text; dec is the decoder that stopped at err.
func syntaxProblem(body []byte, dec *jsontext.Decoder, err error) error {
	var serr *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EMALFORMED, "the body is empty")
	case !utf8.Valid(body):
		// The body's encoding is wrong, not one value in it.
		return domain.Errorf(domain.EMALFORMED, "the body is not valid UTF-8")
	case !errors.As(err, &serr):
	case errors.Is(serr.Err, jsontext.ErrDuplicateName):
		return textError("the body gives a member more than once", fieldPath(dec, serr.JSONPointer, true), "is given more than once")
	case serr.ByteOffset < int64(len(body)) && body[serr.ByteOffset] == '\\':
		return textError("the body has an escape that stands for no character, such as half of a UTF-16 surrogate pair", fieldPath(dec, serr.JSONPointer, true), "must not contain an unpaired surrogate escape")
	}
	return domain.Errorf(domain.EMALFORMED, "the body is not valid JSON")
}

// semanticProblem is the problem for well-formed JSON that does not fit
// the body's Go type.
func semanticProblem(dec *jsontext.Decoder, serr *json.SemanticError) error {
	switch {
	case errors.Is(serr, json.ErrUnknownName):
		name := serr.JSONPointer.LastToken()
		if nearMiss(serr.GoType, name) {
			return textError("the body has a field this API does not know (names are case-sensitive)", fieldPath(dec, serr.JSONPointer, true), "is not a known field")
		}
		// Named as sent, without its path, as clients have always seen it.
		return textError("the body has a field this API does not know", name, "is not a known field")
	case errors.Is(serr, errOutOfRange):
		return domain.Invalid(domain.FieldError{Field: fieldPath(dec, serr.JSONPointer, true), Message: "must lie between " + domain.MinDate.String() + " and " + domain.MaxDate.String()})
	}
	// A type error names its member without array indexes (children.name),
	// as clients have always seen it.
	field := fieldPath(dec, serr.JSONPointer, false)
	if field == "" {
		return domain.Errorf(domain.EMALFORMED, "the body must be a JSON object")
	}
	return domain.Invalid(domain.FieldError{Field: field, Message: "has the wrong type or format: " + want(serr.GoType)})
}

func errTrailing() error {
	return domain.Errorf(domain.EMALFORMED, "the body has data after the JSON object")
}

func textError(detail, path, message string) error {
	e := domain.Errorf(domain.EMALFORMED, "%s", detail)
	e.Fields = []domain.FieldError{{Field: path, Message: message}}
	return e
}

// fieldPath writes ptr, a JSON pointer into the body dec is reading, as
// problems name fields: children[0].ref, or children.ref without indexes.
// A NUL character in a name is written as an escape.
func fieldPath(dec *jsontext.Decoder, ptr jsontext.Pointer, indexes bool) string {
	var b strings.Builder
	level := 0
	for tok := range ptr.Tokens() {
		level++
		if isIndex(dec, level, tok) {
			if indexes {
				b.WriteString("[" + tok + "]")
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return strings.ReplaceAll(b.String(), "\x00", `\u0000`)
}

// isIndex reports whether the pointer's token at level (from 1) steps into
// an array. The decoder's stack says so; past it, inside a value a type
// read whole, an index is told by its digits.
func isIndex(dec *jsontext.Decoder, level int, tok string) bool {
	if level <= dec.StackDepth() {
		kind, _ := dec.StackIndex(level)
		return kind == '['
	}
	return tok != "" && strings.Trim(tok, "0123456789") == ""
}

// nearMiss reports whether name, which is not a member of t's JSON form,
// is one when case (and _ or -) is ignored. It asks json v2 again rather
// than list t's members, so that one set of field rules is ever applied.
func nearMiss(t reflect.Type, name string) bool {
	if t == nil {
		return false
	}
	probe, err := jsontext.AppendQuote([]byte("{"), name)
	if err != nil {
		return false
	}
	probe = append(probe, ":null}"...)
	err = json.Unmarshal(probe, reflect.New(t).Interface(), json.RejectUnknownMembers(true), json.MatchCaseInsensitiveNames(true))
	return !errors.Is(err, json.ErrUnknownName)
}

var (
	dateType      = reflect.TypeFor[domain.Date]()
	timestampType = reflect.TypeFor[domain.Timestamp]()
)

// want says what kind of value a Go type reads.
func want(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
		return "want another type"
	case t == dateType:
		return "want a date, YYYY-MM-DD"
	case t == timestampType:
		return "want an instant in RFC 3339, such as 2026-12-07T10:00:00Z"
	}
	switch t.Kind() {
	case reflect.String:
		return "want a string"
	case reflect.Bool:
		return "want true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "want a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "want a number in range"
	case reflect.Slice, reflect.Array:
		return "want an array"
	}
	return "want an object"
}
