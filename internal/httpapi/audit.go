package httpapi

import (
	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerAuditRoutes(g *echo.Group) {
	g.GET("/audit", s.listAudit)
}

// listAudit pages through the audit log, newest first (admin only).
func (s *Server) listAudit(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	page, err := s.svc.ListAudit(c.Request().Context(), actor(c), domain.AuditFilter{Limit: limit, Offset: offset})
	return list(c, page, err)
}
