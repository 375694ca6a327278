package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) registerNotificationRoutes(g *echo.Group) {
	g.GET("/notifications", s.notifications)
	g.POST("/notifications/:id/read", s.markRead)
}

func (s *Server) notifications(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Notifications(c.Request().Context(), actor(c), c.QueryParam("unread") == "true", limit, offset)
	return list(c, page, err)
}

func (s *Server) markRead(c echo.Context) error {
	n, err := s.svc.MarkRead(c.Request().Context(), actor(c), c.Param("id"))
	return one(c, http.StatusOK, n, err)
}
