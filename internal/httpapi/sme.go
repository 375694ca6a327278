package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerSMERoutes(g *echo.Group) {
	g.GET("/smes", s.searchSMEs)
	g.POST("/smes", s.createSME)
	g.GET("/smes/:id", s.getSME)
	g.PATCH("/smes/:id", s.updateSME)
	g.DELETE("/smes/:id", s.deleteSME)
	g.GET("/smes/:id/matches", s.smeMatches)
	g.GET("/smes/:id/skills-gap", s.skillsGap)
	g.GET("/smes/:id/responses", s.smeResponses)
}

func (s *Server) searchSMEs(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := service.SMEQuery{
		Q: c.QueryParam("q"), Region: c.QueryParam("region"), Size: c.QueryParam("size"), Limit: limit, Offset: offset}
	if asCSV, err := wantCSV(c); err != nil || asCSV {
		return orCSV(err, func() error { return s.smesCSV(c, q) })
	}
	q.Facets = facetsParam(c) // CSV has no facets: only a page counts them
	page, err := s.svc.SearchSMEs(c.Request().Context(), actor(c), q)
	return list(c, page, err)
}

func (s *Server) createSME(c echo.Context) error {
	var in domain.SMEInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sme, err := s.svc.CreateSME(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/smes/"+sme.ID)
	return record(c, http.StatusCreated, sme)
}

func (s *Server) getSME(c echo.Context) error {
	sme, err := s.svc.GetSME(c.Request().Context(), actor(c), c.Param("id"))
	return one(c, http.StatusOK, sme, err)
}

func (s *Server) updateSME(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	sme, err := s.svc.UpdateSME(c.Request().Context(), actor(c), c.Param("id"), v, func(in *domain.SMEInput) error {
		return decode(c, in)
	})
	return one(c, http.StatusOK, sme, err)
}

func (s *Server) deleteSME(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	return noContent(c, s.svc.DeleteSME(c.Request().Context(), actor(c), c.Param("id"), v))
}

func (s *Server) smeMatches(c echo.Context) error {
	limit, err := intParam(c, "limit")
	if err != nil {
		return err
	}
	page, err := s.svc.MatchChallenges(c.Request().Context(), actor(c), c.Param("id"), limit)
	return list(c, page, err)
}

func (s *Server) skillsGap(c echo.Context) error {
	limit, err := intParam(c, "limit")
	if err != nil {
		return err
	}
	gap, err := s.svc.SkillsGap(c.Request().Context(), actor(c), c.Param("id"), c.QueryParam("challenge"), limit)
	return list(c, gap, err)
}

func (s *Server) smeResponses(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	page, err := s.svc.MyResponses(c.Request().Context(), actor(c), c.Param("id"), limit, offset)
	return list(c, page, err)
}
