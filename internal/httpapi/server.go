// Package httpapi is bettermatch's JSON API under /api/v1, served with Echo. It
// is the only package that imports Echo. Handlers decode, call the service and
// encode; every error leaves through one handler as RFC 9457 problem details.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// Server is the HTTP server.
type Server struct {
	echo *echo.Echo
	svc  *service.Service
	log  *slog.Logger
	srv  *http.Server
	ln   net.Listener
	obs  Observer

	trustProxy     bool
	corsAny        bool
	corsOrigins    map[string]struct{}
	requestTimeout time.Duration
	// reads holds a token for each read being served (see admit); nil: no bound.
	reads chan struct{}
}

// Options configure the server.
type Options struct {
	Logger *slog.Logger
	// Pages, when set, serves everything outside /api, /healthz and /readyz
	// (the web pages).
	Pages http.Handler
	// Observer, when set, is told about every request (for metrics).
	Observer Observer
	// Metrics, when set, is served at GET /metrics, outside /api/v1: it is
	// for the operator's scraper, not part of the API.
	Metrics http.Handler
	// TrustProxy reads the client address from X-Forwarded-For (see
	// clientAddr); only behind a proxy that sets it.
	TrustProxy bool
	// CORSOrigins may call the API from browsers ("*" for any); none by default.
	CORSOrigins []string
	// RequestTimeout bounds each request; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxReads bounds the reads (GET and HEAD) served at once; more wait
	// their turn (see admit). 0 means DefaultMaxReads; negative, no bound.
	MaxReads int
}

// New builds the server and its routes.
func New(svc *service.Service, opt Options) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, svc: svc, log: opt.Logger, obs: opt.Observer}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	s.trustProxy, s.requestTimeout = opt.TrustProxy, opt.RequestTimeout
	if s.requestTimeout <= 0 {
		s.requestTimeout = DefaultRequestTimeout
	}
	switch {
	case opt.MaxReads == 0:
		s.reads = make(chan struct{}, DefaultMaxReads())
	case opt.MaxReads > 0:
		s.reads = make(chan struct{}, opt.MaxReads)
	}
	s.corsOrigins = map[string]struct{}{}
	for _, o := range opt.CORSOrigins {
		s.corsAny = s.corsAny || o == "*"
		s.corsOrigins[o] = struct{}{}
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.requestID)
	// The access log is outside the recoverer, so a request that panicked is
	// logged and counted with its 500 like any other.
	e.Use(s.accessLog)
	e.Use(s.recoverer)
	e.Use(s.securityHeaders)
	e.Use(s.limitBody)
	e.Use(s.clientAddr)
	e.Use(s.timeout)
	e.Use(s.admit) // inside timeout: a read that waits too long is a 503
	// Before authenticate: a preflight carries no credentials.
	e.Use(s.cors)
	e.Use(s.authenticate)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if opt.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(opt.Metrics))
	}
	api := e.Group("/api/v1")
	s.registerAuthRoutes(api)
	s.registerUserRoutes(api)
	s.registerSMERoutes(api)
	s.registerChallengeRoutes(api)
	s.registerResponseRoutes(api)
	s.registerCourseRoutes(api)
	s.registerNotificationRoutes(api)
	s.registerStatsRoutes(api)
	s.registerOCDSRoutes(api)
	s.registerAuditRoutes(api)
	s.registerFeedRoutes(e)
	s.registerOpenAPIRoutes(e, api)
	if opt.Pages != nil {
		pages := echo.WrapHandler(opt.Pages)
		e.Any("/*", func(c echo.Context) error {
			// Unknown API paths stay problem+json, never an HTML page.
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				return s.notFoundOrNotAllowed(c)
			}
			return pages(c)
		})
	}
	return s
}

// notFoundOrNotAllowed tells an unknown API path (404) from a known one asked
// with the wrong method (405, with Allow), which the catch-all route for the
// pages would otherwise hide.
func (s *Server) notFoundOrNotAllowed(c echo.Context) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut} {
		probe := s.echo.NewContext(c.Request(), nil)
		s.echo.Router().Find(m, c.Request().URL.Path, probe)
		if p := probe.Path(); p != "" && p != "/*" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Allow", strings.Join(allow, ", "))
	return echo.ErrMethodNotAllowed
}

// ServeHTTP lets tests drive the full stack (middleware and error handler included).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists every registered method and path.
func (s *Server) Routes() [][2]string {
	var out [][2]string
	for _, r := range s.echo.Routes() {
		out = append(out, [2]string{r.Method, r.Path})
	}
	return out
}

// Listen binds addr (":0" picks a free port).
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return nil
}

// Addr is the bound address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until Shutdown.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "The database is unreachable.")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
