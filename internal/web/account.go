package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func (s *Server) registerAccountRoutes() {
	s.mux.HandleFunc("GET /register", s.registerPage)
	s.mux.HandleFunc("POST /register", s.register)
	s.mux.HandleFunc("GET /signin", s.signInPage)
	s.mux.HandleFunc("POST /signin", s.signIn)
	s.mux.HandleFunc("POST /signout", s.signOut)
	s.mux.HandleFunc("GET /dashboard", s.dashboard)
}

var registerLabels = []string{"role", "Account type", "name", "Your name", "organisation", "Organisation",
	"email", "Email address", "password", "Password"}

func roleOptions() []Option {
	return []Option{
		{Value: domain.RoleSME, Label: "A company (SME)", Hint: "Find and respond to challenges. Your account works at once."},
		{Value: domain.RoleOfficer, Label: "A public-sector officer", Hint: "Publish your organisation's challenges. An administrator checks your account first."},
		{Value: domain.RoleProvider, Label: "A training provider", Hint: "List courses that close SMEs' skills gaps. An administrator checks your account first."},
	}
}

type registerData struct{ Roles []Option }

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	v := url.Values{}
	if role := r.URL.Query().Get("role"); role == domain.RoleOfficer || role == domain.RoleProvider {
		v.Set("role", role)
	} else {
		v.Set("role", domain.RoleSME)
	}
	s.render(w, r, http.StatusOK, "register", &page{Title: "Create an account", Section: "register",
		Form: newForm(v, registerLabels...), Data: registerData{roleOptions()}})
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	f := newForm(r.PostForm, registerLabels...)
	reg := domain.Registration{Email: f.text("email"), Password: f.Get("password"), Name: f.text("name"),
		Role: f.Get("role"), Organisation: f.text("organisation")}
	sess, err := s.svc.Register(r.Context(), reg)
	if err != nil {
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
		// A password is never sent back to the browser, even one with an error.
		f.Values.Del("password")
		s.render(w, r, http.StatusUnprocessableEntity, "register", &page{Title: "Create an account", Section: "register",
			Form: f, Data: registerData{roleOptions()}})
		return
	}
	s.setSession(w, r, sess)
	next, msg := "/dashboard", "Welcome to bettermatch. Your account is ready."
	if sess.User.Role == domain.RoleSME {
		next, msg = "/sme/profile", "Your account is ready. Tell us about your company to see the challenges that fit it."
	} else if !sess.User.Verified() {
		msg = "Your account has been created. An administrator will verify it; until then you can look around."
	}
	s.done(w, r, next, msg)
}

var signInLabels = []string{"email", "Email address", "password", "Password"}

type signInData struct{ Next string }

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", Section: "signin",
		Form: newForm(nil, signInLabels...), Data: signInData{Next: localPath(r.URL.Query().Get("next"))}})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	f := newForm(r.PostForm, signInLabels...)
	next := localPath(r.PostFormValue("next"))
	email, password := f.text("email"), f.Get("password")
	if email == "" {
		f.Add("email", "Enter your email address")
	}
	if password == "" {
		f.Add("password", "Enter your password")
	}
	status := http.StatusUnauthorized
	if f.Valid() {
		sess, err := s.svc.Login(r.Context(), email, password)
		if err == nil {
			s.setSession(w, r, sess)
			if next == "/" || strings.HasPrefix(next, "/signin") || strings.HasPrefix(next, "/register") {
				next = "/dashboard"
			}
			s.done(w, r, next, "")
			return
		}
		code := domain.ErrorCode(err)
		if code != domain.EUNAUTHORIZED && code != domain.EFORBIDDEN && code != domain.ETOOMANY {
			s.fail(w, r, err)
			return
		}
		// One message for either field, so it does not say which was wrong.
		f.Add("email", domain.ErrorMessage(err))
		if e := (*domain.Error)(nil); errors.As(err, &e) && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
			status = http.StatusTooManyRequests
		}
	}
	f.Values.Del("password")
	s.render(w, r, status, "signin", &page{Title: "Sign in", Section: "signin", Form: f, Data: signInData{Next: next}})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	// Ending the session in the service, not just forgetting the cookies,
	// makes a copy of them (a shared computer, a stolen backup) useless too.
	if err := s.svc.SignOut(r.Context(), cookieValue(r, sessionCookie), cookieValue(r, refreshCookie)); err != nil &&
		domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		s.log.WarnContext(r.Context(), "web: sign out", "err", err)
	}
	s.clearSession(w, r)
	s.newCSRFCookie(w, r)
	s.done(w, r, "/", "You have signed out.")
}

// dashboard sends each role to its own home.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r)
	if u == nil {
		return
	}
	to := map[string]string{domain.RoleSME: "/sme", domain.RoleOfficer: "/officer", domain.RoleProvider: "/provider", domain.RoleAdmin: "/admin"}[u.Role]
	if to == "" {
		to = "/"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
