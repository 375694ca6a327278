package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

// statuses is the one table from domain error codes to HTTP statuses.
var statuses = map[string]int{
	domain.EBADREQUEST:   http.StatusBadRequest,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EPRECONDITION: http.StatusPreconditionFailed,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.EINVALID:      http.StatusUnprocessableEntity,
	domain.ETOOMANY:      http.StatusTooManyRequests,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// codes maps the statuses Echo itself produces (unknown route, wrong method,
// body limit) back to domain codes, so they come out as problem details too.
var codes = map[int]string{
	http.StatusBadRequest:            domain.EBADREQUEST,
	http.StatusUnauthorized:          domain.EUNAUTHORIZED,
	http.StatusForbidden:             domain.EFORBIDDEN,
	http.StatusNotFound:              domain.ENOTFOUND,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: domain.ETOOLARGE,
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       domain.ETOOMANY,
	http.StatusServiceUnavailable:    domain.EUNAVAILABLE,
}

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	Code      string              `json:"code"`
	RequestID string              `json:"requestId,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
}

// ProblemFor turns any error into problem details. Internal errors say only
// "Internal error."; the caller logs the cause.
func ProblemFor(err error) Problem {
	var he *echo.HTTPError
	var de *domain.Error
	p := Problem{}
	switch {
	case errors.As(err, &de):
		p.Code, p.Detail, p.Errors = de.Code, de.Message, de.Fields
		p.Status = statuses[de.Code]
		if p.Status == 0 {
			p.Status = http.StatusInternalServerError
		}
	case errors.As(err, &he):
		p.Status = he.Code
		p.Code = codes[he.Code]
		if p.Code == "" {
			p.Code = "http_" + strconv.Itoa(he.Code)
		}
		p.Detail = detailFor(he)
	default:
		p.Status, p.Code, p.Detail = http.StatusInternalServerError, domain.EINTERNAL, "Internal error."
	}
	p.Title = http.StatusText(p.Status)
	p.Type = "https://bettermatch.example/problems/" + p.Code
	return p
}

func detailFor(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "There is nothing at this address."
	case http.StatusMethodNotAllowed:
		return "This address does not accept that method."
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than 1 MiB."
	}
	if m, ok := he.Message.(string); ok {
		return m
	}
	return http.StatusText(he.Code)
}

// handleError is Echo's HTTPErrorHandler: every error leaves as problem+json.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := ProblemFor(err)
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 && p.Code != domain.EUNAVAILABLE {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "request_id", p.RequestID, "err", err)
	}
	var de *domain.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfter))
	}
	if p.Code == domain.EUNAVAILABLE {
		c.Response().Header().Set("Retry-After", "5")
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = writeJSON(c.Response(), p)
}
