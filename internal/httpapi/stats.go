package httpapi

import (
	"github.com/labstack/echo/v4"
)

func (s *Server) registerStatsRoutes(g *echo.Group) {
	g.GET("/stats", s.stats)
}

func (s *Server) stats(c echo.Context) error {
	st, err := s.svc.Stats(c.Request().Context())
	return list(c, st, err)
}
