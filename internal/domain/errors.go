// Package domain holds cpcready's types, their validation and the error kinds
// every adapter maps from. It knows nothing of HTTP or of storage.
package domain

import (
	"errors"
	"fmt"
)

// Error kinds. The HTTP layer maps each to exactly one status code.
const (
	EINVALID      = "invalid"      // the request is well formed but breaks a rule
	EMALFORMED    = "malformed"    // the request could not be read at all
	ENOTFOUND     = "not_found"    // absent, or in another organisation
	ECONFLICT     = "conflict"     // a uniqueness or state conflict
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, wrong role
	EPRECONDITION = "precondition" // If-Match does not match the current version
	EPRECONDREQ   = "precondition_required"
	EINFLIGHT     = "in_flight"    // an idempotent request with this key is still running
	ETOOLARGE     = "too_large"    // the body is over the limit
	ETIMEOUT      = "timeout"      // the body did not arrive within the server's read timeout
	EUNSUPPORTED  = "unsupported"  // wrong Content-Type
	ERATELIMITED  = "rate_limited" // too many requests from one principal
	EINTERNAL     = "internal"     // anything else; never shown in detail
	EUNAVAILABLE  = "unavailable"  // the database cannot be reached (an identity provider that cannot be reached is a 401)
)

// FieldError names one invalid field by its JSON path.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type every layer returns for an expected failure.
type Error struct {
	Kind    string
	Message string
	Fields  []FieldError
	// ExistingID is set on a conflict with an existing resource.
	ExistingID string
}

func (e *Error) Error() string { return e.Kind + ": " + e.Message }

// Errorf returns an *Error of the given kind.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: EINVALID, Message: "the request has invalid fields", Fields: fields}
}

// ErrorKind returns the kind of err, or EINTERNAL when it is not an *Error.
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; internal errors get a
// generic one so that no detail of storage leaks to a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "an internal error occurred"
}
