package domain

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status in a single table.
const (
	EBADREQUEST   = "bad_request"         // 400: malformed JSON, operator-like input
	EUNAUTHORIZED = "unauthorized"        // 401: no, bad or expired credentials
	EFORBIDDEN    = "forbidden"           // 403: signed in but not allowed
	ENOTFOUND     = "not_found"           // 404
	ECONFLICT     = "conflict"            // 409: duplicate, or a state that forbids the action
	EPRECONDITION = "precondition_failed" // 412: stale If-Match
	ETOOLARGE     = "too_large"           // 413
	EINVALID      = "invalid"             // 422: validation
	ETOOMANY      = "too_many_requests"   // 429
	EUNAVAILABLE  = "unavailable"         // 503: database down
	EINTERNAL     = "internal"            // 500
)

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error meant for the user: its Message is safe to show. Anything
// that is not an *Error is internal and shown only as "Internal error."
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfter, in seconds, for ETOOMANY.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ Fields []FieldError }

// Add records a problem with field.
func (v *Validation) Add(field, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns the collected problems as one EINVALID error, or nil.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "The request has invalid fields.", Fields: v.Fields}
}

// NotFound is the error for a record that does not exist or that the caller may
// not know exists.
func NotFound(kind string) *Error { return Errorf(ENOTFOUND, "%s not found.", kind) }
