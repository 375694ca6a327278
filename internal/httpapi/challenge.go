package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerChallengeRoutes(g *echo.Group) {
	g.GET("/challenges", s.searchChallenges)
	g.POST("/challenges", s.createChallenge)
	g.GET("/challenges/:id", s.getChallenge)
	g.PATCH("/challenges/:id", s.updateChallenge)
	g.DELETE("/challenges/:id", s.deleteChallenge)
	g.POST("/challenges/:id/publish", s.move(service.Publish))
	g.POST("/challenges/:id/close", s.move(service.Close))
	g.POST("/challenges/:id/award", s.move(service.Award))
	g.POST("/challenges/:id/cancel", s.move(service.Cancel))
	g.GET("/challenges/:id/matches", s.challengeMatches)
}

func (s *Server) searchChallenges(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := service.ChallengeQuery{
		Q: c.QueryParam("q"), Theme: c.QueryParam("theme"), Status: c.QueryParam("status"),
		Region: c.QueryParam("region"), Sort: c.QueryParam("sort"), Limit: limit, Offset: offset}
	if asCSV, err := wantCSV(c); err != nil || asCSV {
		return orCSV(err, func() error { return s.challengesCSV(c, q) })
	}
	q.Facets = facetsParam(c) // CSV has no facets: only a page counts them
	page, err := s.svc.SearchChallenges(c.Request().Context(), actor(c), q)
	return list(c, page, err)
}

func (s *Server) createChallenge(c echo.Context) error {
	var in domain.ChallengeInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ch, err := s.svc.CreateChallenge(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/challenges/"+ch.ID)
	return record(c, http.StatusCreated, ch)
}

func (s *Server) getChallenge(c echo.Context) error {
	ch, err := s.svc.GetChallenge(c.Request().Context(), actor(c), c.Param("id"))
	return one(c, http.StatusOK, ch, err)
}

func (s *Server) updateChallenge(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	ch, err := s.svc.UpdateChallenge(c.Request().Context(), actor(c), c.Param("id"), v, func(in *domain.ChallengeInput) error {
		return decode(c, in)
	})
	return one(c, http.StatusOK, ch, err)
}

func (s *Server) deleteChallenge(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	return noContent(c, s.svc.DeleteChallenge(c.Request().Context(), actor(c), c.Param("id"), v))
}

type awardRequest struct {
	ResponseID string `json:"responseId"`
}

func (s *Server) move(t service.Transition) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := ifMatch(c)
		if err != nil {
			return err
		}
		var body awardRequest
		// Only award takes a body; the other steps accept an empty one.
		if t == service.Award || c.Request().ContentLength > 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		ch, err := s.svc.Move(c.Request().Context(), actor(c), c.Param("id"), t, v, body.ResponseID)
		return one(c, http.StatusOK, ch, err)
	}
}

func (s *Server) challengeMatches(c echo.Context) error {
	limit, err := intParam(c, "limit")
	if err != nil {
		return err
	}
	page, err := s.svc.MatchSMEs(c.Request().Context(), actor(c), c.Param("id"), limit)
	return list(c, page, err)
}
