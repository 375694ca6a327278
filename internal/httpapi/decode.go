package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func badRequest(format string, args ...any) error {
	return domain.Errorf(domain.EBADREQUEST, format, args...)
}

// decode reads a JSON body into v strictly: one JSON value, no unknown fields,
// and no object keys that look like query operators ("$ne", "$where"), which are
// refused outright rather than trusted to be harmless downstream. v may hold
// current values (a merge patch): fields absent from the body keep them.
func decode(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") &&
		!strings.HasPrefix(strings.ToLower(ct), "application/merge-patch+json") {
		return domain.Errorf(domain.EBADREQUEST, "Send JSON with Content-Type: application/json.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.ETOOLARGE, "The request body is larger than 1 MiB.")
		}
		return badRequest("The request body could not be read.")
	}
	return decodeBytes(body, v)
}

func decodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("The request body is empty; send a JSON object.")
	}
	if err := checkKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("The request body holds more than one JSON value.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The request body has data after the JSON value.")
	}
	return nil
}

// checkKeys walks the JSON tokens and refuses operator-like keys and absurd
// nesting.
func checkKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct{ obj, wantKey bool }
	var stack []frame
	// valueDone: a value ended, so an enclosing object now expects a key.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return jsonError(err)
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				if strings.HasPrefix(key, "$") {
					return badRequest("The field name %q looks like a database operator and is not accepted.", key)
				}
				stack[n-1].wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= 32 {
				return badRequest("The JSON is nested too deeply.")
			}
			stack = append(stack, frame{obj: tok == json.Delim('{'), wantKey: tok == json.Delim('{')})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return badRequest("The request body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return badRequest("The request body must be a JSON object.")
		}
		return &domain.Error{Code: domain.EBADREQUEST, Message: fmt.Sprintf("The field %q must be %s.", field, kindName(te.Type.Kind().String())),
			Fields: []domain.FieldError{{Field: field, Message: "must be " + kindName(te.Type.Kind().String())}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.EBADREQUEST, Message: fmt.Sprintf("The field %q is not known.", name),
			Fields: []domain.FieldError{{Field: name, Message: "is not a known field"}}}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("The request body is cut short.")
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return badRequest("A date is not in RFC 3339 form, e.g. 2027-03-12T17:00:00Z.")
	}
	return badRequest("The request body could not be read as JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func kindName(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	case "ptr":
		return "a value of the right type"
	default:
		return "a number"
	}
}

// ifMatch reads the version an update expects from If-Match ("v3", W/"v3", "3");
// 0 means none was given.
func ifMatch(c echo.Context) (int64, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	h = strings.Trim(h, `"`)
	h = strings.TrimPrefix(h, "v")
	n, err := strconv.ParseInt(h, 10, 64)
	if err != nil || n <= 0 {
		return 0, domain.Errorf(domain.EPRECONDITION, "If-Match must be an ETag this service gave, like \"v3\".")
	}
	return n, nil
}

// etag is a record's entity tag: its version.
func etag(m *domain.Meta) string { return `"v` + strconv.FormatInt(m.Version, 10) + `"` }

// intParam reads an optional non-negative integer query parameter.
func intParam(c echo.Context, name string) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, &domain.Error{Code: domain.EINVALID, Message: "The request has invalid fields.",
			Fields: []domain.FieldError{{Field: name, Message: "must be a whole number from 0"}}}
	}
	return n, nil
}

// facetsParam is the facets= list of extra facets a search should count
// (comma-separated); the index rejects names it does not know.
func facetsParam(c echo.Context) []string {
	var out []string
	for _, f := range strings.Split(c.QueryParam("facets"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func paging(c echo.Context) (limit, offset int, err error) {
	if limit, err = intParam(c, "limit"); err != nil {
		return
	}
	offset, err = intParam(c, "offset")
	return
}
