package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/ocds"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerOCDSRoutes(g *echo.Group) {
	g.GET("/ocds/releases", s.ocdsReleases)
	g.GET("/challenges/:id/ocds", s.challengeOCDS)
}

// publisher names bettermatch as the publisher of its packages.
func publisher(c echo.Context) ocds.Publisher {
	return ocds.Publisher{Name: "bettermatch", URI: baseURL(c)}
}

// baseURL is the address the client used to reach the service, so links in
// feeds and packages work behind a TLS-terminating proxy too.
func baseURL(c echo.Context) string {
	r := c.Request()
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ocdsReleases streams a release package of every published challenge, or of
// those changed since ?since= (RFC 3339). The package is written as the store
// hands over challenges, never held whole in memory.
func (s *Server) ocdsReleases(c echo.Context) error {
	var since time.Time
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return &domain.Error{Code: domain.EINVALID, Message: "The request has invalid fields.",
				Fields: []domain.FieldError{{Field: "since", Message: "must be an RFC 3339 time, like 2026-03-01T00:00:00Z"}}}
		}
		since = t
	}
	ctx := c.Request().Context()
	opt := ocds.Options{BaseURL: baseURL(c)}
	w := c.Response()
	var pw *ocds.PackageWriter
	err := s.svc.EachPublishedChallenge(ctx, since, func(ch *domain.Challenge) error {
		supplier, err := s.svc.SMEName(ctx, ch.AwardedSMEID)
		if err != nil {
			return err
		}
		if pw == nil {
			pw = s.startPackage(c)
		}
		return pw.Add(ocds.NewRelease(ch, supplier, opt))
	})
	if err != nil {
		if pw == nil {
			return err // nothing written yet: a proper problem response
		}
		// Half a package is worse than none: cut the connection so the
		// client sees a failed transfer rather than a short, valid-looking file.
		s.log.Error("ocds: package cut short", "err", err, "request_id", w.Header().Get(echo.HeaderXRequestID))
		panic(http.ErrAbortHandler)
	}
	if pw == nil {
		pw = s.startPackage(c)
	}
	return pw.Close(s.svc.Now())
}

func (s *Server) startPackage(c echo.Context) *ocds.PackageWriter {
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	w.WriteHeader(http.StatusOK)
	return ocds.NewPackageWriter(w, baseURL(c)+c.Request().URL.RequestURI(), publisher(c))
}

// challengeOCDS is one published challenge as a release package of one release.
func (s *Server) challengeOCDS(c echo.Context) error {
	ctx := c.Request().Context()
	ch, err := s.svc.PublishedChallenge(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	supplier, err := s.svc.SMEName(ctx, ch.AwardedSMEID)
	if err != nil {
		return err
	}
	r := ocds.NewRelease(ch, supplier, ocds.Options{BaseURL: baseURL(c)})
	return c.JSON(http.StatusOK, ocds.NewPackage(baseURL(c)+c.Request().URL.RequestURI(), publisher(c), s.svc.Now(), r))
}
