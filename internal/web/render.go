package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/bettermatch/bettermatch/frontend"
	"github.com/bettermatch/bettermatch/internal/domain"
)

// templates holds one parsed set per page: the layout and partials plus the
// page's own file, so pages can each define "main" without clashing.
type templates struct {
	pages map[string]*template.Template
}

func mustParseTemplates() *templates {
	t, err := parseTemplates(frontend.FS)
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build error
	}
	return t
}

func parseTemplates(fsys fs.FS) (*templates, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(fsys, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		p, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(path.Base(f), ".html")] = p
	}
	return t, nil
}

// page is what every template gets: the layout's needs and the page's Data.
type page struct {
	Title string
	// Section marks the current item of the main navigation.
	Section string
	User    *domain.User
	CSRF    string
	Flash   *Flash
	Unread  int
	Form    *form
	Data    any
	// Path is the request path, for the sign-in link's way back.
	Path string
}

// render writes a page with status. It renders to a buffer first, so a
// template failure becomes the 500 page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.tmpl.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "web: no such template", "name", name)
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	s.fillPage(w, r, p)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "web: render", "template", name, "err", err)
		if name != "error" {
			s.renderError(w, r, http.StatusInternalServerError, "")
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if p.User != nil {
		// Signed-in pages show private data: keep them out of shared caches
		// and the back-forward cache of a shared computer.
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func (s *Server) fillPage(w http.ResponseWriter, r *http.Request, p *page) {
	p.User = currentUser(r)
	p.CSRF = s.csrfToken(w, r)
	p.Path = r.URL.RequestURI()
	if p.Flash == nil {
		p.Flash = s.takeFlash(w, r)
	}
	if p.User != nil {
		if n, err := s.svc.Notifications(r.Context(), p.User, true, 1, 0); err == nil {
			p.Unread = n.Total
		}
	}
}

type errorPage struct {
	Status  int
	Heading string
	Message string
}

// renderError shows the error page for status in the site's layout; msg, when
// given, replaces the standard explanation.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	e := errorPage{Status: status}
	switch status {
	case http.StatusNotFound:
		e.Heading, e.Message = "Page not found", "If you typed the web address, check it is correct. If you followed a link, the page may have been removed or you may not have access to it."
	case http.StatusForbidden:
		e.Heading, e.Message = "You cannot see this page", "Your account does not have access to this page."
	case http.StatusServiceUnavailable:
		e.Heading, e.Message = "Sorry, the service is unavailable", "The database cannot be reached. Try again in a few minutes."
	case http.StatusConflict:
		e.Heading = "That cannot be done now"
	default:
		e.Heading, e.Message = "Sorry, there is a problem with the service", "Try again later. What you entered has not been saved."
	}
	if msg != "" {
		e.Message = msg
	}
	t := s.tmpl.pages["error"]
	p := &page{Title: e.Heading, Data: e}
	s.fillPage(w, r, p)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "web: render error page", "err", err)
		http.Error(w, e.Heading, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "")
}

// fail turns a service error into the right page: sign in for 401, the 403,
// 404 or 409 page with the service's message, and a logged 500 otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *domain.Error
	if !errors.As(err, &e) {
		s.log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	switch e.Code {
	case domain.EUNAUTHORIZED:
		s.redirectToSignIn(w, r)
	case domain.EFORBIDDEN:
		s.renderError(w, r, http.StatusForbidden, e.Message)
	case domain.ENOTFOUND:
		s.renderError(w, r, http.StatusNotFound, "")
	case domain.EUNAVAILABLE:
		s.renderError(w, r, http.StatusServiceUnavailable, "")
	case domain.EINTERNAL:
		s.log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "")
	case domain.ETOOMANY:
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		s.renderError(w, r, http.StatusTooManyRequests, e.Message)
	default:
		s.renderError(w, r, http.StatusConflict, e.Message)
	}
}

// done ends a successful POST the Post/Redirect/Get way, with a message shown
// once on the next page.
func (s *Server) done(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		s.setFlash(w, r, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// refuse ends a POST whose action the service refused (a conflict, a
// forbidden step) by going back with the reason as the flash message, so the
// page the user acted on explains what happened.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, to string, err error) {
	switch domain.ErrorCode(err) {
	case domain.ECONFLICT, domain.EINVALID, domain.EPRECONDITION, domain.EFORBIDDEN:
		msg := domain.ErrorMessage(err)
		var e *domain.Error
		if errors.As(err, &e) && len(e.Fields) > 0 && e.Message == "The request has invalid fields." {
			msg = fmt.Sprintf("%s %s.", strings.ToUpper(e.Fields[0].Field[:1])+e.Fields[0].Field[1:], e.Fields[0].Message)
		}
		s.done(w, r, to, refusedPrefix+msg)
	default:
		s.fail(w, r, err)
	}
}
