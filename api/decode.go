package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/internal/domain"
)

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// readBody returns the request body after checking its media type. It is
// read whole so that an oversized body fails before anything is written.
func readBody(c *gin.Context, types ...string) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || !contains(types, mt) {
		return nil, domain.Errorf(domain.EUNSUPPORTED, "Content-Type must be %s", strings.Join(types, " or "))
	}
	return readAll(c.Request.Body)
}

// readAll reads a body under the limit set by bodyLimit. A body that stops
// arriving meets the server's read timeout: that is a 408, which a client
// may retry, not a malformed request.
func readAll(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, domain.Errorf(domain.ETOOLARGE, "the body is larger than %d bytes", maxBody)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, domain.Errorf(domain.ETIMEOUT, "the body did not arrive in time")
	}
	if err != nil {
		return nil, domain.Errorf(domain.EMALFORMED, "the body could not be read")
	}
	return body, nil
}

// decodeStrict reads exactly one JSON object into dst: unknown fields,
// trailing data, malformed JSON and text that cannot be read faithfully
// (see checkText) are refused (400); a value of the wrong type, a bad
// date or one out of range (checkDateRange) is a field error (422).
func decodeStrict(body []byte, dst any) error {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return domain.Errorf(domain.EMALFORMED, "the body must be a JSON object")
	}
	if err := checkText(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.EMALFORMED, "the body has data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return domain.Errorf(domain.EMALFORMED, "the body has data after the JSON object")
	}
	return checkDateRange(dst)
}

// decodeJSON checks the media type, then decodes the body strictly.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readBody(c, "application/json")
	if err != nil {
		return err
	}
	return decodeStrict(body, dst)
}

func decodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EMALFORMED, "the body is empty")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EMALFORMED, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := withoutEmbedded(typ.Field)
		if field == "" {
			return domain.Errorf(domain.EMALFORMED, "the body must be a JSON object")
		}
		return domain.Invalid(domain.FieldError{Field: field, Message: "has the wrong type or format: " + describeType(typ)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		e := domain.Errorf(domain.EMALFORMED, "the body has a field this API does not know")
		e.Fields = []domain.FieldError{{Field: name, Message: "is not a known field"}}
		return e
	}
	return domain.Errorf(domain.EMALFORMED, "the body could not be read as JSON")
}

// withoutEmbedded drops the names of embedded Go structs from a field path
// (ConferenceFields.chair.ref becomes chair.ref): encoding/json names them,
// but a client never sees them. JSON member names here are lower case.
func withoutEmbedded(path string) string {
	parts := strings.Split(path, ".")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && (p[0] < 'A' || p[0] > 'Z') {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

func describeType(e *json.UnmarshalTypeError) string {
	if strings.HasPrefix(e.Value, "date ") || strings.HasPrefix(e.Value, "timestamp ") {
		return e.Value
	}
	if e.Type == nil {
		return e.Value
	}
	switch e.Type.Kind() {
	case reflect.String:
		return "want a string"
	case reflect.Bool:
		return "want true or false"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "want a number"
	case reflect.Slice:
		return "want an array"
	}
	return "want an object"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
