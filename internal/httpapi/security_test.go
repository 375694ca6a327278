package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// raw sends a request outside the API's contract (preflights, pages) and
// returns the status and headers, without checking them against the OpenAPI
// document.
func (a *api) raw(method, path, body string, h hdr) (int, http.Header) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func login(a *api, email, password string, h ...hdr) reply {
	a.t.Helper()
	return a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password}, h...)
}

// wantRetry checks a 429 and returns its Retry-After in seconds.
func wantRetry(t *testing.T, r reply) int {
	t.Helper()
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", r.Status, r.Raw)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r.str("code") != "too_many_requests" {
		t.Errorf("problem code %q", r.str("code"))
	}
	return secs
}

func TestRateLimit_PerEmail(t *testing.T) {
	limits := service.DefaultLimits
	limits.AttemptsPerAddr = 1000 // this test is about the account
	a := newAPIWith(t, testenv.Options{Limits: &limits}, httpapi.Options{})
	email := uniqueEmail("victim")
	a.signUp(email)

	for i := 0; i < 5; i++ {
		a.want(401, login(a, email, "wrong-password-"+strconv.Itoa(i)))
	}
	// The sixth attempt is refused before the password is looked at: even
	// the right one.
	secs := wantRetry(t, login(a, email, "a-long-passphrase"))
	if secs > 15*60 || secs < 14*60 {
		t.Errorf("Retry-After %d s, want about 15 minutes", secs)
	}
	// Other accounts are not affected; the email's case does not matter.
	other := uniqueEmail("bystander")
	a.signUp(other)
	a.want(200, login(a, other, "a-long-passphrase"))
	wantRetry(t, login(a, strings.ToUpper(email), "a-long-passphrase"))
	// Sign-up with the email is counted too (it would say whether it exists).
	wantRetry(t, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": "a-long-passphrase", "name": "N", "role": "sme"}))

	// When the window has passed, the account can sign in again; a success
	// clears the count.
	a.env.Clock.Advance(15 * time.Minute)
	a.want(200, login(a, email, "a-long-passphrase"))
	for i := 0; i < 4; i++ {
		a.want(401, login(a, email, "wrong-password-again"))
	}
	a.want(200, login(a, email, "a-long-passphrase"))
}

func TestRateLimit_PerAddress(t *testing.T) {
	limits := service.DefaultLimits
	a := newAPIWith(t, testenv.Options{Limits: &limits}, httpapi.Options{TrustProxy: true})
	from := func(ip string) hdr { return hdr{"X-Forwarded-For": ip} }
	// One address spraying many accounts: 20 attempts a minute.
	for i := 0; i < 20; i++ {
		a.want(401, login(a, uniqueEmail("spray"), "wrong-password-1", from("203.0.113.7")))
	}
	secs := wantRetry(t, login(a, uniqueEmail("spray"), "wrong-password-1", from("203.0.113.7")))
	if secs > 60 {
		t.Errorf("Retry-After %d s, want at most a minute", secs)
	}
	// Registration from that address is refused too.
	wantRetry(t, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": uniqueEmail("new"), "password": "a-long-passphrase", "name": "N", "role": "sme"}, from("203.0.113.7")))
	// Another address is not; nor is a client that writes a fake address to
	// the left of what the proxy appended.
	a.want(401, login(a, uniqueEmail("x"), "wrong-password-1", from("203.0.113.8")))
	wantRetry(t, login(a, uniqueEmail("x"), "wrong-password-1", from("198.51.100.1, 203.0.113.7")))
	// IPv6 clients are counted by /64.
	for i := 0; i < 20; i++ {
		a.want(401, login(a, uniqueEmail("v6"), "wrong-password-1", from("2001:db8:1:2::"+strconv.Itoa(i+1))))
	}
	wantRetry(t, login(a, uniqueEmail("v6"), "wrong-password-1", from("2001:db8:1:2:ffff::1")))

	a.env.Clock.Advance(time.Minute)
	a.want(401, login(a, uniqueEmail("spray"), "wrong-password-1", from("203.0.113.7")))
}

func TestRateLimit_ForwardedForIgnoredByDefault(t *testing.T) {
	limits := service.Limits{AttemptsPerEmail: 1000, AttemptsPerAddr: 3}
	a := newAPIWith(t, testenv.Options{Limits: &limits}, httpapi.Options{})
	// Without a trusted proxy, a made-up X-Forwarded-For does not give a
	// fresh allowance: the address is the connection's.
	for i := 0; i < 3; i++ {
		a.want(401, login(a, uniqueEmail("f"), "wrong-password-1", hdr{"X-Forwarded-For": "192.0.2." + strconv.Itoa(i+1)}))
	}
	wantRetry(t, login(a, uniqueEmail("f"), "wrong-password-1", hdr{"X-Forwarded-For": "192.0.2.99"}))
}

func TestClientIP(t *testing.T) {
	for _, c := range []struct {
		xff   string
		trust bool
		want  string
	}{
		{"", false, "192.0.2.1"},
		{"203.0.113.9", false, "192.0.2.1"},
		{"", true, "192.0.2.1"},
		{"203.0.113.9", true, "203.0.113.9"},
		{"198.51.100.1, 203.0.113.9", true, "203.0.113.9"},
		{"203.0.113.9, 10.0.0.2", true, "203.0.113.9"},
		{"10.0.0.3, 10.0.0.2", true, "10.0.0.3"},
		{"garbage, 203.0.113.9", true, "203.0.113.9"},
		{"203.0.113.9, garbage", true, "192.0.2.1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := httpapi.ClientIP(r, c.trust); got != c.want {
			t.Errorf("ClientIP(xff %q, trust %v) = %q, want %q", c.xff, c.trust, got, c.want)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Run("ClosedByDefault", func(t *testing.T) {
		a := newAPI(t)
		r := a.want(200, a.do("GET", "/api/v1/challenges", "", nil, hdr{"Origin": "https://evil.example"}))
		if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("Access-Control-Allow-Origin %q on a closed API", v)
		}
		st, h := a.raw("OPTIONS", "/api/v1/challenges", "", hdr{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
		if st != 403 || h.Get("Access-Control-Allow-Origin") != "" || h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("preflight from a stranger: %d %v", st, h)
		}
	})
	t.Run("Listed", func(t *testing.T) {
		origins, err := httpapi.ParseOrigins("https://app.example.gov, http://localhost:3000")
		if err != nil {
			t.Fatal(err)
		}
		a := newAPIWith(t, testenv.Options{}, httpapi.Options{CORSOrigins: origins})
		r := a.want(200, a.do("GET", "/api/v1/challenges", "", nil, hdr{"Origin": "https://app.example.gov"}))
		if r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.gov" || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("allowed origin: %v", r.Header)
		}
		if r.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed")
		}
		if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
			t.Errorf("Expose-Headers %q", r.Header.Get("Access-Control-Expose-Headers"))
		}
		// Errors carry the header too, so the page can read the problem.
		e := a.do("GET", "/api/v1/me", "", nil, hdr{"Origin": "https://app.example.gov"})
		if e.Status != 401 || e.Header.Get("Access-Control-Allow-Origin") != "https://app.example.gov" {
			t.Errorf("error reply: %d %v", e.Status, e.Header)
		}
		st, h := a.raw("OPTIONS", "/api/v1/smes/abc", "", hdr{"Origin": "http://localhost:3000",
			"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization, content-type, if-match"})
		if st != 204 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PATCH") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight: %d %v", st, h)
		}
		// Origins are compared exactly.
		for _, o := range []string{"https://app.example.gov.evil.example", "http://app.example.gov", "https://APP.example.gov", "null"} {
			r := a.do("GET", "/api/v1/challenges", "", nil, hdr{"Origin": o})
			if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("origin %q allowed as %q", o, v)
			}
		}
		// The web pages never get CORS headers.
		_, w := a.raw("GET", "/signin", "", hdr{"Origin": "https://app.example.gov"})
		if v := w.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("pages answer CORS: %q", v)
		}
	})
	t.Run("Any", func(t *testing.T) {
		a := newAPIWith(t, testenv.Options{}, httpapi.Options{CORSOrigins: []string{"*"}})
		r := a.want(200, a.do("GET", "/api/v1/stats", "", nil, hdr{"Origin": "https://anyone.example"}))
		if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("wildcard: %v", r.Header)
		}
	})
	t.Run("ParseOrigins", func(t *testing.T) {
		for _, bad := range []string{"app.example.gov", "https://app.example.gov/", "ftp://x", "https://", "https://a b", "https://App.example"} {
			if _, err := httpapi.ParseOrigins(bad); err == nil {
				t.Errorf("ParseOrigins(%q) accepted", bad)
			}
		}
	})
}

// TestSecurityHeaders checks every kind of answer: JSON, problem details from
// each place they are made (handler, decoder, middleware, router), the pages,
// a feed and a refused preflight.
func TestSecurityHeaders(t *testing.T) {
	a := newAPI(t)
	cases := []struct {
		method, path, body string
		h                  hdr
		status             int
	}{
		{"GET", "/api/v1/challenges", "", nil, 200},
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/api/v1/me", "", nil, 401},
		{"GET", "/api/v1/no-such-thing", "", nil, 404},
		{"DELETE", "/api/v1/stats", "", nil, 405},
		{"POST", "/api/v1/auth/login", "{", nil, 400},
		{"POST", "/api/v1/auth/login", strings.Repeat("x", 2<<20), nil, 413},
		{"GET", "/api/v1/me", "", hdr{"Authorization": "Bearer nonsense"}, 401},
		{"GET", "/some/page", "", nil, 404},
		{"GET", "/feeds/challenges.atom", "", nil, 200},
		{"OPTIONS", "/api/v1/smes", "", hdr{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}, 403},
	}
	for _, c := range cases {
		for _, tls := range []bool{false, true} {
			h := hdr{}
			for k, v := range c.h {
				h[k] = v
			}
			if tls {
				h["X-Forwarded-Proto"] = "https" // behind a TLS-terminating proxy
			}
			status, got := a.raw(c.method, c.path, c.body, h)
			if status != c.status {
				t.Errorf("%s %s: %d, want %d", c.method, c.path, status, c.status)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "strict-origin-when-cross-origin",
			} {
				if v := got.Get(k); v != want {
					t.Errorf("%s %s (%d): %s = %q, want %q", c.method, c.path, status, k, v, want)
				}
			}
			if csp := got.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("%s %s (%d): CSP %q", c.method, c.path, status, csp)
			}
			if v := got.Get("Strict-Transport-Security"); tls != strings.HasPrefix(v, "max-age=") {
				t.Errorf("%s %s (%d), TLS %v: HSTS %q", c.method, c.path, status, tls, v)
			}
		}
	}
}

func TestRequestTimeout(t *testing.T) {
	// A deadline already spent: the first database call fails.
	a := newAPIWith(t, testenv.Options{}, httpapi.Options{RequestTimeout: time.Nanosecond})
	r := a.do("GET", "/api/v1/challenges/0123456789abcdef01234567", "", nil)
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("timed-out request: %d %v %s", r.Status, r.Header, r.Raw)
	}
}

func TestAudit(t *testing.T) {
	a := newAPI(t)
	admin := a.admin()
	offTok, offID := a.register(uniqueEmail("off"), "officer", "Org A")
	a.want(200, a.do("POST", "/api/v1/users/"+offID+"/verify", admin, nil))
	smeTok, smeUser := a.register(uniqueEmail("sme"), "sme", "")
	a.want(201, a.do("POST", "/api/v1/smes", smeTok, smeBody("Sensors Ltd", "Air quality sensors.", "air quality monitoring")))
	ch := a.want(201, a.do("POST", "/api/v1/challenges", offTok, challengeBody("Clean air", time.Now().Add(30*24*time.Hour)))).str("id")
	a.want(200, a.do("POST", "/api/v1/challenges/"+ch+"/publish", offTok, nil, hdr{"X-Request-Id": "req-publish-1"}))
	resp := a.want(201, a.do("POST", "/api/v1/challenges/"+ch+"/responses", smeTok,
		map[string]any{"proposal": "Twenty sensors around five schools.", "price": 40000, "durationWeeks": 10})).str("id")
	a.want(200, a.do("PATCH", "/api/v1/responses/"+resp, offTok, map[string]any{"status": "shortlisted"}))
	a.want(200, a.do("POST", "/api/v1/challenges/"+ch+"/award", offTok, map[string]any{"responseId": resp}))
	a.want(200, a.do("POST", "/api/v1/users/"+smeUser+"/suspend", admin, nil))

	// An import from the command line (no actor).
	if _, err := a.env.Svc.Import(t.Context(), nil, nil, nil, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	// Non-admins may not read it.
	a.want(401, a.do("GET", "/api/v1/audit", "", nil))
	a.want(403, a.do("GET", "/api/v1/audit", offTok, nil))

	page := a.want(200, a.do("GET", "/api/v1/audit?limit=100", admin, nil))
	type key struct{ action, kind, id, from, to string }
	got := map[key]map[string]any{}
	for _, e := range page.items() {
		s := func(k string) string { v, _ := e[k].(string); return v }
		got[key{s("action"), s("targetKind"), s("targetId"), s("from"), s("to")}] = e
		if s("at") == "" || s("id") == "" {
			t.Errorf("entry without id or time: %v", e)
		}
	}
	for _, want := range []key{
		{"user.status", "user", offID, "pending", "active"},
		{"challenge.status", "challenge", ch, "draft", "open"},
		{"response.status", "response", resp, "submitted", "shortlisted"},
		{"challenge.status", "challenge", ch, "open", "awarded"},
		{"user.status", "user", smeUser, "active", "suspended"},
	} {
		if _, ok := got[want]; !ok {
			t.Errorf("no audit entry %+v in %s", want, page.Raw)
		}
	}
	if e := got[key{"challenge.status", "challenge", ch, "draft", "open"}]; e != nil && (e["requestId"] != "req-publish-1" || e["actorId"] == "") {
		t.Errorf("publish entry: %v", e)
	}
	if _, ok := got[key{"import", "import", "", "", ""}]; !ok {
		t.Errorf("no import entry in %s", page.Raw)
	}
	if page.Body["total"].(float64) < 6 {
		t.Errorf("total %v", page.Body["total"])
	}
	// Paging.
	p := a.want(200, a.do("GET", "/api/v1/audit?limit=2&offset=1", admin, nil))
	if n := len(p.items()); n != 2 {
		t.Errorf("limit=2 gave %d entries", n)
	}
	// Newest first.
	if first := page.items()[0]; first["action"] != "import" {
		t.Errorf("newest entry is %v", first)
	}
}

// TestRateLimit_Parallel fires guesses at one account at once: the count is
// taken before the password is checked, so no more than the limit get through.
func TestRateLimit_Parallel(t *testing.T) {
	limits := service.DefaultLimits
	limits.AttemptsPerAddr = 1000
	a := newAPIWith(t, testenv.Options{Limits: &limits}, httpapi.Options{})
	email := uniqueEmail("target")
	a.signUp(email)
	statuses := make(chan int, 30)
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _ := a.raw("POST", "/api/v1/auth/login", `{"email":"`+email+`","password":"wrong-password-x"}`, nil)
			statuses <- st
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[401] != 5 || count[429] != 25 {
		t.Fatalf("statuses %v, want 5×401 and 25×429", count)
	}
}
