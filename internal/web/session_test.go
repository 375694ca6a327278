package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
	"github.com/bettermatch/bettermatch/internal/web"
)

func (v *visitor) cookie(name string) string {
	u, _ := url.Parse(v.s.srv.URL)
	for _, c := range v.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// dropCookie forgets a cookie, as the browser does when it expires.
func (v *visitor) dropCookie(name string) {
	u, _ := url.Parse(v.s.srv.URL)
	v.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: "", Path: "/", MaxAge: -1}})
}

// signedIn reports whether the visitor's dashboard link works.
func (v *visitor) signedIn() bool {
	v.t.Helper()
	p := v.get("/dashboard")
	return p.Status == http.StatusSeeOther && p.Location != "" && !strings.HasPrefix(p.Location, "/signin")
}

func TestSession_SurvivesAccessTokenExpiry(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	v.register("Ria", "ria@example.org", "sme", "")
	access, refresh := v.cookie("bm_session"), v.cookie("bm_refresh")
	if access == "" || refresh == "" {
		t.Fatalf("cookies after sign-up: session %q refresh %q", access, refresh)
	}
	csrf := v.cookie("bm_csrf")

	// The access token has expired (the service's clock says so).
	s.env.Clock.Advance(2 * time.Hour)
	if !v.signedIn() {
		t.Fatal("signed out when the access token expired")
	}
	if v.cookie("bm_session") == access || v.cookie("bm_refresh") == refresh {
		t.Fatal("cookies not renewed")
	}
	if v.cookie("bm_csrf") != csrf {
		t.Fatal("a refresh changed the CSRF secret; open forms would fail")
	}

	// The browser dropped the expired access cookie: the refresh cookie alone
	// keeps the visitor signed in, and a form posts.
	s.env.Clock.Advance(2 * time.Hour)
	v.dropCookie("bm_session")
	v.get("/sme/profile")
	p := v.post("/sme/profile", url.Values{"name": {"Ria Ltd"}, "size": {"micro"}, "region": {"Gävle"},
		"summary": {"Traffic sensors."}, "description": {"We build traffic sensors."}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("form after refresh: status %d\n%s", p.Status, p.Body)
	}

	// A stolen copy of an old refresh cookie, used later, ends the session.
	s.env.Clock.Advance(time.Minute)
	thief := s.visitor()
	u, _ := url.Parse(s.srv.URL)
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bm_refresh", Value: refresh, Path: "/"}})
	if thief.signedIn() {
		t.Fatal("a rotated refresh token signed someone in")
	}
	s.env.Clock.Advance(2 * time.Hour)
	if v.signedIn() {
		t.Fatal("the session survived the reuse of its refresh token")
	}
}

func TestSession_SignOutEndsIt(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	v.register("Ola", "ola@example.org", "sme", "")
	access, refresh := v.cookie("bm_session"), v.cookie("bm_refresh")
	p := v.post("/signout", url.Values{})
	if p.Status != http.StatusSeeOther || v.cookie("bm_session") != "" || v.cookie("bm_refresh") != "" {
		t.Fatalf("sign out: %d, cookies %q %q", p.Status, v.cookie("bm_session"), v.cookie("bm_refresh"))
	}
	// Copies of the cookies no longer work.
	copyist := s.visitor()
	u, _ := url.Parse(s.srv.URL)
	copyist.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bm_session", Value: access, Path: "/"}, {Name: "bm_refresh", Value: refresh, Path: "/"}})
	if copyist.signedIn() {
		t.Fatal("copied cookies still sign in after sign-out")
	}
}

func TestSignIn_RateLimited(t *testing.T) {
	limits := service.DefaultLimits
	env := testenv.New(t, testenv.Options{Limits: &limits})
	srv := httptest.NewServer(web.New(env.Svc, web.Options{CSRFKey: []byte("test-csrf-key-test-csrf-key-1234")}))
	t.Cleanup(srv.Close)
	s := &site{t: t, env: env, srv: srv}
	s.visitor().register("Kim", "kim@example.org", "sme", "")
	v := s.visitor()
	for i := 0; i < 5; i++ {
		if p := v.post("/signin", url.Values{"email": {"kim@example.org"}, "password": {"wrong password " + strconv.Itoa(i)}}); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, p.Status)
		}
	}
	p := v.post("/signin", url.Values{"email": {"kim@example.org"}, "password": {"correct horse battery"}})
	if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: status %d, Retry-After %q", p.Status, p.Header.Get("Retry-After"))
	}
	mustContain(t, p, "Too many attempts")
	env.Clock.Advance(15 * time.Minute)
	v.signIn("kim@example.org", "correct horse battery")
}
