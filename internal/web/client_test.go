package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/testenv"
	"github.com/bettermatch/bettermatch/internal/web"
)

// site is the pages on a real listener over a real service.
type site struct {
	t   *testing.T
	env *testenv.Env
	srv *httptest.Server
}

func newSite(t *testing.T) *site {
	t.Helper()
	env := testenv.New(t)
	srv := httptest.NewServer(web.New(env.Svc, web.Options{CSRFKey: []byte("test-csrf-key-test-csrf-key-1234")}))
	t.Cleanup(srv.Close)
	return &site{t: t, env: env, srv: srv}
}

// visitor is one browser without JavaScript: a cookie jar, and the CSRF token
// of the last page it read, as a form would carry it.
type visitor struct {
	t    *testing.T
	s    *site
	c    *http.Client
	csrf string
}

func (s *site) visitor() *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: s.t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (v *visitor) do(req *http.Request) page {
	v.t.Helper()
	res, err := v.c.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
	if m := csrfRe.FindStringSubmatch(p.Body); m != nil {
		v.csrf = m[1]
	}
	return p
}

func (v *visitor) get(path string) page {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, v.s.srv.URL+path, nil)
	return v.do(req)
}

// follow gets path and follows redirects, as a browser would.
func (v *visitor) follow(path string) page {
	v.t.Helper()
	for i := 0; i < 5; i++ {
		p := v.get(path)
		if p.Status != http.StatusSeeOther && p.Status != http.StatusFound && p.Status != http.StatusMovedPermanently {
			return p
		}
		path = p.Location
	}
	v.t.Fatalf("too many redirects from %s", path)
	return page{}
}

// post submits a form with the visitor's CSRF token (fetching a page first
// when it has none).
func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	if v.csrf == "" {
		v.get("/register")
	}
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	if _, set := f["csrf"]; !set {
		f.Set("csrf", v.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, v.s.srv.URL+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(req)
}

func (v *visitor) register(name, email, role, org string) page {
	v.t.Helper()
	p := v.post("/register", url.Values{"name": {name}, "email": {email}, "password": {"correct horse battery"},
		"role": {role}, "organisation": {org}})
	if p.Status != http.StatusSeeOther {
		v.t.Fatalf("register %s: status %d\n%s", email, p.Status, p.Body)
	}
	v.get("/") // a new session has a new CSRF secret: pick up its token
	return p
}

func (v *visitor) signIn(email, password string) {
	v.t.Helper()
	p := v.post("/signin", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusSeeOther {
		v.t.Fatalf("sign in %s: status %d", email, p.Status)
	}
	v.get("/")
}

const adminEmail, adminPassword = "admin@example.org", "admin password 123"

// adminUser makes the site's admin account (once) and returns it.
func (s *site) adminUser() *domain.User {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.env.Svc.EnsureAdmin(ctx, adminEmail, adminPassword, "Ada Admin"); err != nil {
		s.t.Fatal(err)
	}
	id, err := s.env.Store.EmailOwner(ctx, adminEmail)
	if err != nil {
		s.t.Fatal(err)
	}
	u, err := s.env.Store.Users().Get(ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// admin signs a visitor in as the admin.
func (s *site) admin() *visitor {
	s.adminUser()
	v := s.visitor()
	v.signIn(adminEmail, adminPassword)
	return v
}

// verify activates a pending account, as the admin would.
func (s *site) verify(email string) {
	s.t.Helper()
	ctx := context.Background()
	id, err := s.env.Store.EmailOwner(ctx, domain.NormalizeEmail(email))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.env.Svc.SetUserStatus(ctx, s.adminUser(), id, domain.StatusActive); err != nil {
		s.t.Fatal(err)
	}
}

func mustContain(t *testing.T, p page, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page (status %d) lacks %q:\n%s", p.Status, s, p.Body)
		}
	}
}

func mustNotContain(t *testing.T, p page, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if strings.Contains(p.Body, s) {
			t.Fatalf("page (status %d) has %q", p.Status, s)
		}
	}
}
