package web

import (
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"
)

// A flash is a one-time message ("Challenge published.") carried across the
// redirect after a POST in a short-lived cookie, so pages stay stateless.
const flashCookie = "bm_flash"

// Flash is the message and whether it reports a refusal.
type Flash struct {
	Message string
	Problem bool
}

const refusedPrefix = "Not done: "

func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)),
		Path: "/", MaxAge: 60, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || !utf8.Valid(b) || len(b) == 0 {
		return nil
	}
	msg := string(b)
	if rest, ok := strings.CutPrefix(msg, refusedPrefix); ok {
		return &Flash{Message: rest, Problem: true}
	}
	return &Flash{Message: msg}
}
