// Package web serves bettermatch's HTML pages: server-rendered with html/template
// from the embedded frontend/ files, calling the same service as the JSON API.
// Every journey works without JavaScript; the small script in static/ only adds
// live search. It uses the standard library alone (Echo belongs to httpapi,
// which mounts this handler for everything outside /api).
package web

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/bettermatch/bettermatch/internal/service"
)

// Options configure the pages.
type Options struct {
	Logger *slog.Logger
	// CSRFKey signs the anti-forgery tokens. Give every process that serves the
	// same site the same key (e.g. derived from the token secret); when empty a
	// random key is made, so forms rendered before a restart are refused once.
	CSRFKey []byte
	// SecureCookies forces the Secure flag on cookies; without it they are
	// Secure when the request came over TLS (directly or per X-Forwarded-Proto).
	SecureCookies bool
}

// Server is the web front end.
type Server struct {
	svc   *service.Service
	log   *slog.Logger
	opts  Options
	tmpl  *templates
	mux   *http.ServeMux
	csrf  []byte
	start time.Time
}

// New returns the pages as one handler.
func New(svc *service.Service, opts Options) http.Handler {
	s := &Server{svc: svc, log: opts.Logger, opts: opts, start: time.Now()}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.csrf = opts.CSRFKey
	if len(s.csrf) == 0 {
		s.csrf = make([]byte, 32)
		if _, err := rand.Read(s.csrf); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
	}
	s.tmpl = mustParseTemplates()
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

func (s *Server) routes() {
	s.registerStatic()
	s.registerAccountRoutes()
	s.registerChallengeRoutes()
	s.registerCourseRoutes()
	s.registerSMERoutes()
	s.registerStatsRoutes()
	s.registerNotificationRoutes()
	s.registerSMEDashboardRoutes()
	s.registerOfficerRoutes()
	s.registerProviderRoutes()
	s.registerAdminRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r)
	})
}

// ServeHTTP sets the headers every page needs, recovers from panics, finds the
// signed-in user from the session cookie and checks the CSRF token of every
// unsafe request before routing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "web: panic", "path", r.URL.Path, "panic", v)
			s.renderError(w, r, http.StatusInternalServerError, "")
		}
	}()
	h := w.Header()
	// The pages need nothing from elsewhere and no inline code, so the policy
	// allows only this origin; data: images are for nothing but kept out too.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")

	r = r.WithContext(context.WithValue(r.Context(), csrfCtxKey{}, new(string)))
	r, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	if !safeMethod(r.Method) && !s.checkCSRF(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
