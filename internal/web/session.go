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

// sessionCookie holds the service's access token and refreshCookie the
// refresh token that gets the next one when it expires (after 15 minutes), so
// a visitor stays signed in for the session's life without noticing. Both are
// HttpOnly so scripts never see them and SameSite=Lax so other sites cannot
// post with them.
const (
	sessionCookie = "bm_session"
	refreshCookie = "bm_refresh"
)

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

// authenticate reads the session cookie into the request's user. An access
// token that expired is replaced through the refresh cookie, transparently;
// one that cannot be (signed out, password changed, account suspended) just
// signs the visitor out. Only a database failure stops the request.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		u, err := s.svc.Authenticate(r.Context(), c.Value)
		switch domain.ErrorCode(err) {
		case "":
			return r.WithContext(context.WithValue(r.Context(), userKey, u)), true
		case domain.EUNAUTHORIZED:
			// Expired or ended: the refresh token decides.
		case domain.EFORBIDDEN:
			s.clearSession(w, r)
			return r, true
		default:
			s.fail(w, r, err)
			return r, false
		}
	}
	c, err := r.Cookie(refreshCookie)
	if err != nil || c.Value == "" {
		if _, err := r.Cookie(sessionCookie); err == nil {
			s.clearSession(w, r)
		}
		return r, true
	}
	sess, err := s.svc.Refresh(r.Context(), c.Value)
	switch domain.ErrorCode(err) {
	case "":
		s.setSessionCookies(w, r, sess)
		return r.WithContext(context.WithValue(r.Context(), userKey, sess.User)), true
	case domain.ECONFLICT:
		// Another request of this browser (a second tab) refreshed with the
		// same cookie a moment ago and is setting the new ones; clearing
		// them here could undo that. This one request goes unauthenticated.
		return r, true
	case domain.EUNAUTHORIZED, domain.EFORBIDDEN:
		s.clearSession(w, r)
		return r, true
	default:
		s.fail(w, r, err)
		return r, false
	}
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, sess *service.Session) {
	s.setSessionCookies(w, r, sess)
	// A new session gets a new anti-forgery secret, so a token planted before
	// sign-in is useless after it. (A refresh keeps it: forms already on the
	// page must still post.)
	s.newCSRFCookie(w, r)
}

func (s *Server) setSessionCookies(w http.ResponseWriter, r *http.Request, sess *service.Session) {
	cookie := func(name, value string, exp time.Time) {
		http.SetCookie(w, &http.Cookie{
			Name: name, Value: value, Path: "/",
			Expires: exp, MaxAge: max(1, int(time.Until(exp).Seconds())),
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
		})
	}
	cookie(sessionCookie, sess.Token, sess.ExpiresAt)
	cookie(refreshCookie, sess.RefreshToken, sess.RefreshExpiresAt)
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{sessionCookie, refreshCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
}

// cookieValue is the value of the named cookie, or "".
func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
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
