package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// Anti-forgery: each browser gets a random secret in an HttpOnly cookie, and
// every form carries HMAC(key, secret). Another site can neither read the
// cookie nor, without the key, compute a token for a cookie it managed to
// plant, so a forged POST fails even where SameSite is not honoured.
const (
	csrfCookie = "bm_csrf"
	csrfField  = "csrf"
)

type csrfCtxKey struct{}

// csrfSecret returns the browser's secret, creating the cookie on first visit.
// The new value is kept on the request too, so the page that sets the cookie
// already renders forms with a matching token.
func (s *Server) csrfSecret(w http.ResponseWriter, r *http.Request) string {
	if v, ok := r.Context().Value(csrfCtxKey{}).(*string); ok && *v != "" {
		return *v
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	v := s.newCSRFCookie(w, r)
	if p, ok := r.Context().Value(csrfCtxKey{}).(*string); ok {
		*p = v
	}
	return v
}

func (s *Server) newCSRFCookie(w http.ResponseWriter, r *http.Request) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/",
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	if p, ok := r.Context().Value(csrfCtxKey{}).(*string); ok {
		*p = v
	}
	return v
}

// csrfToken is the value forms carry for this browser.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	return s.sign(s.csrfSecret(w, r))
}

func (s *Server) sign(secret string) string {
	m := hmac.New(sha256.New, s.csrf)
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses an unsafe request whose form token does not match the
// browser's cookie, with the 403 page.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c, err := r.Cookie(csrfCookie)
	if err == nil && len(c.Value) >= 32 {
		got := r.PostFormValue(csrfField)
		if hmac.Equal([]byte(got), []byte(s.sign(c.Value))) {
			return true
		}
	}
	s.log.WarnContext(r.Context(), "web: CSRF check failed", "path", r.URL.Path)
	s.renderError(w, r, http.StatusForbidden,
		"The form had expired or did not come from this site. Go back, reload the page and try again.")
	return false
}

// maxForm bounds a form body; the longest field (a description) is 20,000 characters.
const maxForm = 1 << 20
