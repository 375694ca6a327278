package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/web"
)

func TestRegisterKeepsInputAndSummarisesErrors(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	p := v.post("/register", url.Values{"name": {"Grace <Hopper>"}, "email": {"not-an-email"},
		"password": {"short"}, "role": {"sme"}, "organisation": {"Cobol Ltd"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.Status)
	}
	mustContain(t, p,
		"<title>Error: Create an account", // the title says so, for screen readers
		"There is a problem",
		`href="#f-email"`, `href="#f-password"`, // the summary links to the fields
		`id="f-email-error"`, `aria-invalid="true"`, // each field carries its message
		`value="Grace &lt;Hopper&gt;"`, `value="Cobol Ltd"`, `value="not-an-email"`, // input kept, escaped
	)
	mustNotContain(t, p, `value="short"`) // passwords never travel back
	if strings.Index(p.Body, `href="#f-email"`) > strings.Index(p.Body, `href="#f-password"`) {
		t.Fatal("the summary must list problems in the order of the fields")
	}
}

func TestRegisterDuplicateEmail(t *testing.T) {
	s := newSite(t)
	s.visitor().register("A", "a@example.org", "sme", "")
	p := s.visitor().post("/register", url.Values{"name": {"B"}, "email": {"A@example.org"},
		"password": {"correct horse battery"}, "role": {"sme"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.Status)
	}
	mustContain(t, p, "Email address is already registered", `href="#f-email"`)
}

func TestCSRFRefused(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	v.register("Sam", "sam@example.org", "sme", "")
	for name, token := range map[string]string{"Missing": "", "Wrong": "AAAA" + strings.Repeat("x", 40)} {
		t.Run(name, func(t *testing.T) {
			p := v.post("/sme/profile", url.Values{"csrf": {token}, "name": {"X"}, "size": {"micro"}, "region": {"R"}, "summary": {"s"}})
			if p.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.Status)
			}
			mustContain(t, p, "did not come from this site", `<main id="main"`)
		})
	}
	// Another browser's token is no good either: it is bound to the cookie.
	other := s.visitor()
	other.get("/register")
	p := v.post("/signout", url.Values{"csrf": {other.csrf}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("foreign token: status %d, want 403", p.Status)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	s := newSite(t)
	s.visitor().register("Sam", "sam@example.org", "sme", "")
	h := web.New(s.env.Svc, web.Options{CSRFKey: []byte("k")})
	for _, tls := range []bool{false, true} {
		// First a GET for the CSRF cookie and token, then the sign-in.
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/signin", nil))
		var csrfCookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "bm_csrf" {
				csrfCookie = c
			}
		}
		if csrfCookie == nil || !csrfCookie.HttpOnly {
			t.Fatal("the CSRF cookie must be set, HttpOnly")
		}
		token := csrfRe.FindStringSubmatch(rec.Body.String())[1]
		form := url.Values{"csrf": {token}, "email": {"sam@example.org"}, "password": {"correct horse battery"}}
		req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrfCookie)
		if tls {
			req.Header.Set("X-Forwarded-Proto", "https")
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("sign in: %d %s", rec.Code, rec.Body)
		}
		var sess *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "bm_session" {
				sess = c
			}
		}
		if sess == nil || sess.Value == "" {
			t.Fatal("no session cookie")
		}
		if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure != tls {
			t.Fatalf("session cookie flags: %+v (tls %v)", sess, tls)
		}
		if _, err := s.env.Svc.Authenticate(req.Context(), sess.Value); err != nil {
			t.Fatalf("the cookie must hold a service token: %v", err)
		}
	}
}

func TestSignInFailureKeepsEmail(t *testing.T) {
	s := newSite(t)
	s.visitor().register("Sam", "sam@example.org", "sme", "")
	p := s.visitor().post("/signin", url.Values{"email": {"sam@example.org"}, "password": {"wrong password!"}})
	if p.Status != http.StatusUnauthorized {
		t.Fatalf("status %d", p.Status)
	}
	mustContain(t, p, "There is a problem", `value="sam@example.org"`, "The email or password is not right.")
	mustNotContain(t, p, "wrong password!")
}

func TestSignOut(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	v.register("Sam", "sam@example.org", "sme", "")
	if p := v.get("/sme"); p.Status != http.StatusOK {
		t.Fatalf("dashboard: %d", p.Status)
	}
	v.get("/sme")
	if p := v.post("/signout", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.Status)
	}
	if p := v.get("/sme"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin?next=%2Fsme") {
		t.Fatalf("after sign-out /sme must send to sign in, got %d %s", p.Status, p.Location)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	s := newSite(t)
	s.visitor().register("Sam", "sam@example.org", "sme", "")
	v := s.visitor()
	for _, next := range []string{"https://evil.example/x", "//evil.example/x", "/\\evil.example"} {
		v.get("/signin")
		p := v.post("/signin", url.Values{"email": {"sam@example.org"}, "password": {"correct horse battery"}, "next": {next}})
		if p.Status != http.StatusSeeOther || strings.Contains(p.Location, "evil") {
			t.Fatalf("next=%s sent to %q", next, p.Location)
		}
		v.post("/signout", nil)
	}
}
