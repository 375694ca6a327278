package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerAuthRoutes(g *echo.Group) {
	g.POST("/auth/register", s.register)
	g.POST("/auth/login", s.login)
	g.GET("/me", s.me)
}

func (s *Server) register(c echo.Context) error {
	var r domain.Registration
	if err := decode(c, &r); err != nil {
		return err
	}
	sess, err := s.svc.Register(c.Request().Context(), r)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/me")
	return c.JSON(http.StatusCreated, sess)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c echo.Context) error {
	var r loginRequest
	if err := decode(c, &r); err != nil {
		return err
	}
	sess, err := s.svc.Login(c.Request().Context(), r.Email, r.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

func (s *Server) me(c echo.Context) error {
	u := actor(c)
	if u == nil {
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in to do this.")
	}
	return record(c, http.StatusOK, u)
}
