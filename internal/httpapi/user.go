package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerUserRoutes(g *echo.Group) {
	g.GET("/users", s.listUsers)
	g.POST("/users/:id/verify", s.setUserStatus(domain.StatusActive))
	g.POST("/users/:id/suspend", s.setUserStatus(domain.StatusSuspended))
}

func (s *Server) listUsers(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	page, err := s.svc.ListUsers(c.Request().Context(), actor(c), domain.UserFilter{
		Status: c.QueryParam("status"), Role: c.QueryParam("role"), Limit: limit, Offset: offset})
	return list(c, page, err)
}

func (s *Server) setUserStatus(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := s.svc.SetUserStatus(c.Request().Context(), actor(c), c.Param("id"), status)
		return one(c, http.StatusOK, u, err)
	}
}
