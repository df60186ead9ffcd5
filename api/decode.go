package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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

// strictJSON is how every body is read, on json v2's semantics. Its
// defaults refuse a member given twice, bytes that are not UTF-8 and
// escapes of half a surrogate pair (encoding/json would keep the last
// value, or put U+FFFD in place of the text), and match member names
// case-sensitively (so a merge patch cannot lose "Format" to the old
// value of format). Unknown members are refused too, and dates out of
// range (see inRange).
var strictJSON = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.WithUnmarshalers(inRange),
)

// escapedNUL is the only way a NUL character can be written in JSON text:
// a raw one is refused as a control character.
var escapedNUL = []byte(`\u0000`)

// decodeStrict reads exactly one JSON object into dst. A body that is not
// well-formed JSON text (see strictJSON), or that has unknown members,
// trailing data or a NUL character, is refused (400); a value of the
// wrong type or a date out of range is a field error (422).
func decodeStrict(body []byte, dst any) error {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return domain.Errorf(domain.EMALFORMED, "the body must be a JSON object")
	}
	if bytes.Contains(body, escapedNUL) {
		if err := checkText(body); err != nil {
			return err
		}
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(body))
	err := json.UnmarshalDecode(dec, dst, strictJSON)
	if err == nil {
		if _, err := dec.ReadToken(); err != io.EOF {
			return errTrailing()
		}
		return nil
	}
	var serr *json.SemanticError
	if errors.As(err, &serr) {
		// Decoding stops at the first value it cannot use; a body that is
		// malformed further on is still a 400, not a 422.
		if err := checkText(body); err != nil {
			return err
		}
		return semanticProblem(dec, serr)
	}
	return syntaxProblem(body, dec, err)
}

// checkText reads body token by token for what decoding cannot find or
// finds too late: a NUL character, which PostgreSQL cannot store in text,
// and any fault in the JSON text, wherever it lies.
func checkText(body []byte) error {
	dec := jsontext.NewDecoder(bytes.NewBuffer(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return syntaxProblem(body, dec, err)
		}
		if tok.Kind() == '"' && strings.IndexByte(tok.String(), 0) >= 0 {
			return textError("the body has a NUL character (\\u0000) in a string", fieldPath(dec, dec.StackPointer(), true), "must not contain a NUL character")
		}
		if dec.StackDepth() == 0 {
			if _, err := dec.ReadToken(); err != io.EOF {
				return errTrailing()
			}
			return nil
		}
	}
}

// decodeJSON checks the media type, then decodes the body strictly.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readBody(c, "application/json")
	if err != nil {
		return err
	}
	return decodeStrict(body, dst)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
