package httpapi

import (
	"github.com/labstack/echo/v4"
)

func (s *Server) registerStatsRoutes(g *echo.Group) {
	g.GET("/stats", s.stats)
}

func (s *Server) stats(c echo.Context) error {
	asCSV, err := wantCSV(c)
	if err != nil {
		return err
	}
	st, err := s.svc.Stats(c.Request().Context())
	if err == nil && asCSV {
		return s.statsCSV(c, st)
	}
	return list(c, st, err)
}
