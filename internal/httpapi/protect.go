package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

// DefaultRequestTimeout bounds the work of one request. The server's write
// timeout (60 s) would cut the connection without an answer; this answers
// 503 first, and the database driver and search stop when the context does.
const DefaultRequestTimeout = 30 * time.Second

// clientAddr puts the client's address in the request context, for the
// service's sign-in rate limits. It is RemoteAddr, unless the operator said
// the server sits behind a proxy it trusts (BETTERMATCH_TRUST_PROXY): then it
// is the address the proxy put in X-Forwarded-For. Trusting that header
// without a proxy would let every client name its own address and so escape
// the per-address limit.
func (s *Server) clientAddr(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		addr := ClientIP(r, s.trustProxy)
		c.SetRequest(r.WithContext(service.WithClientAddr(r.Context(), addr)))
		return next(c)
	}
}

// ClientIP is the address r came from. With trustProxy, X-Forwarded-For is
// read from the right, skipping loopback and private hops (the proxies of
// this installation), and the first other address is the client's; entries
// further left were written by the client and are not believed.
func ClientIP(r *http.Request, trustProxy bool) string {
	peer, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		peer = r.RemoteAddr
	}
	if !trustProxy {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	last := ""
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage from the client: stop at the last good hop
		}
		ip = ip.Unmap()
		last = ip.String()
		if !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
			return last
		}
	}
	if last != "" {
		return last
	}
	return peer
}

// timeout gives each request a deadline. A handler that runs past it (its
// store or index call returns the context's error) is answered 503 with
// Retry-After, unless it has already started writing.
func (s *Server) timeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.requestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		err := next(c)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !c.Response().Committed {
			s.log.WarnContext(ctx, "request timed out", "path", c.Request().URL.Path, "timeout", s.requestTimeout.String(), "err", err)
			return &domain.Error{Code: domain.EUNAVAILABLE, Message: "The request took too long. Try again in a moment."}
		}
		return err
	}
}

// CORS. Browsers let a page from another origin read the API's answers only
// when the API says so. Nothing is allowed by default; BETTERMATCH_CORS_ORIGINS
// lists the origins (scheme://host[:port], compared exactly) whose pages may
// call the API, or "*" for any. Credentials (cookies) are never allowed: the
// API authenticates with the Authorization header, which needs none, and the
// pages' cookies must stay out of reach of other origins. Only the API and
// the feeds get CORS headers; the web pages are same-origin only.

var (
	corsMethods = "GET, POST, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, If-Match, X-Request-Id"
	corsExpose  = "ETag, Location, Retry-After, X-Request-Id, Link"
)

func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !corsPath(r.URL.Path) {
			return next(c)
		}
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" {
			return next(c)
		}
		allowed := s.corsAllowed(origin)
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				return domain.Errorf(domain.EFORBIDDEN, "Cross-origin requests from %s are not allowed.", origin)
			}
			s.allowOrigin(h, origin)
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(600))
			return c.NoContent(http.StatusNoContent)
		}
		if allowed {
			s.allowOrigin(h, origin)
			h.Set("Access-Control-Expose-Headers", corsExpose)
		}
		return next(c)
	}
}

func corsPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/feeds/") || p == "/openapi.json"
}

func (s *Server) corsAllowed(origin string) bool {
	if s.corsAny {
		return true
	}
	_, ok := s.corsOrigins[origin]
	return ok
}

func (s *Server) allowOrigin(h http.Header, origin string) {
	if s.corsAny {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
}

// ParseOrigins checks a list of CORS origins (comma-separated in
// BETTERMATCH_CORS_ORIGINS): each "*" or an origin of the form
// scheme://host[:port] without path, as browsers send it in Origin.
func ParseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" && !validOrigin(o) {
			return nil, errors.New("not an origin (want scheme://host[:port], no path): " + strconv.Quote(o))
		}
		out = append(out, o)
	}
	return out, nil
}

func validOrigin(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest == "" || strings.ContainsAny(rest, "/?#@ ") {
		return false
	}
	return o == strings.ToLower(o)
}
