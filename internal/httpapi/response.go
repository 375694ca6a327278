package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerResponseRoutes(g *echo.Group) {
	g.POST("/challenges/:id/responses", s.respond)
	g.GET("/challenges/:id/responses", s.listResponses)
	g.GET("/responses/:id", s.getResponse)
	g.PATCH("/responses/:id", s.updateResponse)
}

func (s *Server) respond(c echo.Context) error {
	var in domain.ResponseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.Respond(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/responses/"+r.ID)
	return record(c, http.StatusCreated, r)
}

func (s *Server) listResponses(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	if asCSV, err := wantCSV(c); err != nil || asCSV {
		return orCSV(err, func() error { return s.responsesCSV(c, offset) })
	}
	page, err := s.svc.ListResponses(c.Request().Context(), actor(c), c.Param("id"), limit, offset)
	return list(c, page, err)
}

func (s *Server) getResponse(c echo.Context) error {
	r, err := s.svc.GetResponse(c.Request().Context(), actor(c), c.Param("id"))
	return one(c, http.StatusOK, r, err)
}

func (s *Server) updateResponse(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u domain.ResponseUpdate
	if err := decode(c, &u); err != nil {
		return err
	}
	r, err := s.svc.UpdateResponse(c.Request().Context(), actor(c), c.Param("id"), v, u)
	return one(c, http.StatusOK, r, err)
}
