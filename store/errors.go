package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. They are the REST API's codes; the HTML and JSON error handlers both
// map them to an HTTP status in one place.
const (
	ELeadNotFound = "LEAD_NOT_FOUND"
	ENotFound     = "NOT_FOUND"
	EInvalid      = "VALIDATION_FAILED"
	EUnauthorized = "UNAUTHORIZED"
	EForbidden    = "FORBIDDEN"
	EConflict     = "CONFLICT"
	EGone         = "GONE"
	EUndoExpired  = "UNDO_EXPIRED"
	ESuppressed   = "SUPPRESSED"
	EInternal     = "INTERNAL"
)

// Error is an error a person can be shown: a code, a message and, for validation
// failures, a message per field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Is lets errors.Is(err, ErrLeadNotFound) match any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrLeadNotFound = &Error{Code: ELeadNotFound, Message: "Lead not found"}
	ErrNotFound     = &Error{Code: ENotFound, Message: "Not found"}
	ErrUnauthorized = &Error{Code: EUnauthorized, Message: "Wrong e-mail or password"}
)

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for an error that has none, and ""
// for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Invalid collects field errors; Err returns nil while none was added.
type Invalid map[string]string

// Add records msg for field unless the field already has a message.
func (v Invalid) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Err returns the collected errors as one VALIDATION_FAILED error, or nil.
func (v Invalid) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string(v)}
}
