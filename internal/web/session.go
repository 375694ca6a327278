package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

// sessionCookie holds the service's access token. It is HttpOnly so scripts
// never see it and SameSite=Lax so other sites cannot post with it.
const sessionCookie = "bm_session"

type ctxKey int

const userKey ctxKey = 0

// currentUser is the signed-in user, or nil.
func currentUser(r *http.Request) *domain.User {
	u, _ := r.Context().Value(userKey).(*domain.User)
	return u
}

// secure reports whether cookies for r should carry the Secure flag.
func (s *Server) secure(r *http.Request) bool {
	return s.opts.SecureCookies || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// authenticate reads the session cookie into the request's user. A token that
// expired or whose account was suspended just signs the visitor out; only a
// database failure stops the request.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r, true
	}
	u, err := s.svc.Authenticate(r.Context(), c.Value)
	switch domain.ErrorCode(err) {
	case "":
		return r.WithContext(context.WithValue(r.Context(), userKey, u)), true
	case domain.EUNAUTHORIZED, domain.EFORBIDDEN:
		s.clearSession(w, r)
		return r, true
	default:
		s.fail(w, r, err)
		return r, false
	}
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, sess *service.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/",
		Expires: sess.ExpiresAt, MaxAge: int(time.Until(sess.ExpiresAt).Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
	// A new session gets a new anti-forgery secret, so a token planted before
	// sign-in is useless after it.
	s.newCSRFCookie(w, r)
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// requireUser returns the signed-in user with one of roles (any role when none
// is given). Anonymous visitors are sent to sign in and come back afterwards;
// signed-in users of another role get the 403 page.
func (s *Server) requireUser(w http.ResponseWriter, r *http.Request, roles ...string) *domain.User {
	u := currentUser(r)
	if u == nil {
		s.redirectToSignIn(w, r)
		return nil
	}
	if len(roles) == 0 || u.Role == domain.RoleAdmin {
		return u
	}
	for _, role := range roles {
		if u.Role == role {
			return u
		}
	}
	s.renderError(w, r, http.StatusForbidden, "This page is for "+strings.Join(roleNames(roles), " or ")+" accounts.")
	return nil
}

func roleNames(roles []string) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = roleLabel(r)
	}
	return out
}

func (s *Server) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	if r.Method != http.MethodGet {
		next = r.Header.Get("Referer")
	}
	http.Redirect(w, r, "/signin?next="+url.QueryEscape(localPath(next)), http.StatusSeeOther)
}

// localPath keeps only same-site paths, so ?next= cannot send a visitor to
// another site after signing in.
func localPath(p string) string {
	if u, err := url.Parse(p); err == nil && u.IsAbs() {
		p = u.RequestURI()
		if u.Path == "" {
			p = "/"
		}
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}
