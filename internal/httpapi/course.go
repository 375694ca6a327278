package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerCourseRoutes(g *echo.Group) {
	g.GET("/courses", s.searchCourses)
	g.POST("/courses", s.createCourse)
	g.GET("/courses/:id", s.getCourse)
	g.PATCH("/courses/:id", s.updateCourse)
	g.DELETE("/courses/:id", s.deleteCourse)
}

func (s *Server) searchCourses(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := service.CourseQuery{
		Q: c.QueryParam("q"), Skill: c.QueryParam("skill"), Mode: c.QueryParam("mode"),
		Region: c.QueryParam("region"), Limit: limit, Offset: offset}
	if asCSV, err := wantCSV(c); err != nil || asCSV {
		return orCSV(err, func() error { return s.coursesCSV(c, q) })
	}
	q.Facets = facetsParam(c) // CSV has no facets: only a page counts them
	page, err := s.svc.SearchCourses(c.Request().Context(), q)
	return list(c, page, err)
}

func (s *Server) createCourse(c echo.Context) error {
	var in domain.CourseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	co, err := s.svc.CreateCourse(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/courses/"+co.ID)
	return record(c, http.StatusCreated, co)
}

func (s *Server) getCourse(c echo.Context) error {
	co, err := s.svc.GetCourse(c.Request().Context(), c.Param("id"))
	return one(c, http.StatusOK, co, err)
}

func (s *Server) updateCourse(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	co, err := s.svc.UpdateCourse(c.Request().Context(), actor(c), c.Param("id"), v, func(in *domain.CourseInput) error {
		return decode(c, in)
	})
	return one(c, http.StatusOK, co, err)
}

func (s *Server) deleteCourse(c echo.Context) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	return noContent(c, s.svc.DeleteCourse(c.Request().Context(), actor(c), c.Param("id"), v))
}
