package httpapi

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/logging"
	"github.com/labstack/echo/v4"
)

// Observer is told about every request served, for metrics. route is the
// pattern the router matched ("/api/v1/smes/:id", "/*" for the web pages, ""
// when nothing matched), never the raw path, so an observer that labels by it
// keeps a bounded number of series. The metrics package implements it; Echo
// stays here and Prometheus there.
type Observer interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

type nopObserver struct{}

func (nopObserver) ObserveRequest(string, string, int, time.Duration) {}

// maxRequestID is the longest caller-supplied request id kept.
const maxRequestID = 64

// safeRequestID reports whether a caller's X-Request-Id can be echoed and
// logged as is: short, and only letters, digits, '-', '_' and '.', so it can
// neither forge log lines nor smuggle markup or header syntax.
func safeRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// requestID gives every request an id: the caller's X-Request-Id when it is
// safe (so a proxy's or client's id follows the request through), a new one
// otherwise. The id is set on the response, put in the request's context for
// every log line made with it (see package logging), and named in problem
// details.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := r.Header.Get(echo.HeaderXRequestID)
		if !safeRequestID(id) {
			id = domain.NewID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		// Handlers behind this one (the web pages) read the id the log uses.
		r.Header.Set(echo.HeaderXRequestID, id)
		c.SetRequest(r.WithContext(logging.WithRequestID(r.Context(), id)))
		return next(c)
	}
}
