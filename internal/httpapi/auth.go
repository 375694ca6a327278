package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

func (s *Server) registerAuthRoutes(g *echo.Group) {
	g.POST("/auth/register", s.register)
	g.POST("/auth/login", s.login)
	g.POST("/auth/refresh", s.refresh)
	g.POST("/auth/logout", s.logout)
	g.POST("/auth/password", s.changePassword)
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

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// refresh exchanges a refresh token for a new access and refresh token.
func (s *Server) refresh(c echo.Context) error {
	var r refreshRequest
	if err := decode(c, &r); err != nil {
		return err
	}
	sess, err := s.svc.Refresh(c.Request().Context(), r.RefreshToken)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

// logout ends the session of the bearer token (and of the refresh token,
// when the body names one; the body is optional).
func (s *Server) logout(c echo.Context) error {
	var r refreshRequest
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeBytes(body, &r); err != nil {
			return err
		}
	}
	tok, _ := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if err := s.svc.SignOut(c.Request().Context(), strings.TrimSpace(tok), r.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type passwordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// changePassword sets a new password, ends every session of the account and
// answers with a new session for the caller.
func (s *Server) changePassword(c echo.Context) error {
	var r passwordRequest
	if err := decode(c, &r); err != nil {
		return err
	}
	sess, err := s.svc.ChangePassword(c.Request().Context(), actor(c), r.CurrentPassword, r.NewPassword)
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
