package domain

import (
	"encoding/json"
	"errors"
	"testing"
)

// A date decodes the same whether its text takes the quick path (a plain
// string) or the decoder's (escapes), and anything but a date is refused
// as a type error, which names the field it was read for.
func TestDateUnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means refused
	}{
		{`"2026-12-02"`, "2026-12-02"},
		{`"2026\u002d12-02"`, "2026-12-02"},
		{`"2026-13-01"`, ""},
		{`"2026-12-02 "`, ""},
		{"\"2026-12-0\xff\"", ""},
		{`"2026-12-02\"`, ""},
		{`null`, ""},
		{`20261202`, ""},
		{`""`, ""},
		{`"`, ""},
	} {
		var d Date
		err := d.UnmarshalJSON([]byte(tc.in))
		var typeErr *json.UnmarshalTypeError
		switch {
		case tc.want == "" && !errors.As(err, &typeErr):
			t.Errorf("%s: got %v, %v; want a type error", tc.in, d, err)
		case tc.want != "" && (err != nil || d.String() != tc.want):
			t.Errorf("%s: got %v, %v; want %s", tc.in, d, err, tc.want)
		}
	}
}
