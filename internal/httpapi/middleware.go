package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

// recoverer turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		}
		if c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// accessLog writes one log line per request, with its request id, and tells
// the observer. It handles the error itself so that the status it reports is
// the one the error handler wrote.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		r := c.Request()
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"route", c.Path(), "status", c.Response().Status, "ms", d.Milliseconds(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		s.obs.ObserveRequest(c.Path(), r.Method, c.Response().Status, d)
		return nil
	}
}

// limitBody refuses bodies over MaxBody: at once when Content-Length says so,
// and while reading otherwise.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > MaxBody {
			return domain.Errorf(domain.ETOOLARGE, "The request body is larger than 1 MiB.")
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxBody)
		return next(c)
	}
}

const userKey = "bettermatch.user"

// authenticate reads a bearer token, when there is one, into the current user.
// A token that is present but invalid is refused even on public routes, so a
// client learns at once that its credentials are wrong.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="bettermatch"`)
			return domain.Errorf(domain.EUNAUTHORIZED, "Use an Authorization: Bearer <token> header.")
		}
		u, err := s.svc.Authenticate(c.Request().Context(), strings.TrimSpace(tok))
		if err != nil {
			if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="bettermatch", error="invalid_token"`)
			}
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

// actor is the signed-in user, or nil.
func actor(c echo.Context) *domain.User {
	u, _ := c.Get(userKey).(*domain.User)
	return u
}

// SetActor lets another front end (the web pages) hand over a user it
// authenticated by cookie.
func SetActor(c echo.Context, u *domain.User) { c.Set(userKey, u) }
