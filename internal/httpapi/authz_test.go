package httpapi_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The roles of the authorization matrix, in the order of each row's statuses.
var roles = []string{"anon", "owner", "sme", "pending", "officer", "stranger", "provider", "suspended", "admin"}

// fixture is a small world in which every role has something of its own:
// owner keeps SME profile "sme" and response "response" to open challenge
// "challenge"; sme keeps profile "sme2"; officer (verified) and pending
// (unverified) belong to the organisation of "challenge" and draft "draft";
// stranger is a verified officer of another organisation; provider lists
// "course"; "notification" is the officer's; suspended was an SME.
type fixture struct {
	a      *api
	tokens map[string]string
	ids    map[string]string
}

var emailSeq atomic.Int64

func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s%d@example.org", prefix, emailSeq.Add(1))
}

func newFixture(t *testing.T) *fixture {
	a := newAPI(t)
	f := &fixture{a: a, tokens: map[string]string{}, ids: map[string]string{}}
	admin := a.admin()
	f.tokens["admin"] = admin
	deadline := time.Now().Add(30 * 24 * time.Hour)
	var id string
	f.tokens["owner"], f.ids["ownerUser"] = a.register(uniqueEmail("owner"), "sme", "")
	f.ids["sme"] = a.want(201, a.do("POST", "/api/v1/smes", f.tokens["owner"], smeBody("Owner Ltd", "Air quality sensors for schools.", "air quality monitoring"))).str("id")
	f.tokens["sme"], _ = a.register(uniqueEmail("sme"), "sme", "")
	f.ids["sme2"] = a.want(201, a.do("POST", "/api/v1/smes", f.tokens["sme"], smeBody("Other Ltd", "Office stationery."))).str("id")
	f.tokens["officer"], _ = a.verified(admin, uniqueEmail("officer"), "officer", "Org A")
	f.tokens["pending"], f.ids["pendingUser"] = a.register(uniqueEmail("pending"), "officer", "Org A")
	f.tokens["stranger"], _ = a.verified(admin, uniqueEmail("stranger"), "officer", "Org B")
	f.tokens["provider"], _ = a.verified(admin, uniqueEmail("provider"), "provider", "Skills Co")
	f.tokens["suspended"], id = a.register(uniqueEmail("suspended"), "sme", "")
	a.want(200, a.do("POST", "/api/v1/users/"+id+"/suspend", admin, nil))
	f.ids["challenge"] = a.want(201, a.do("POST", "/api/v1/challenges", f.tokens["officer"], challengeBody("Clean air near schools", deadline))).str("id")
	a.want(200, a.do("POST", "/api/v1/challenges/"+f.ids["challenge"]+"/publish", f.tokens["officer"], nil))
	f.ids["draft"] = a.want(201, a.do("POST", "/api/v1/challenges", f.tokens["officer"], challengeBody("A draft", deadline))).str("id")
	f.ids["response"] = a.want(201, a.do("POST", "/api/v1/challenges/"+f.ids["challenge"]+"/responses", f.tokens["owner"],
		map[string]any{"proposal": "Twenty sensors around five schools, with a dashboard.", "price": 40000, "durationWeeks": 10})).str("id")
	f.ids["course"] = a.want(201, a.do("POST", "/api/v1/courses", f.tokens["provider"], map[string]any{
		"title": "Sensors 101", "description": "Basics.", "skills": []string{"IoT"}, "mode": "online", "hours": 3})).str("id")
	notes := a.want(200, a.do("GET", "/api/v1/notifications", f.tokens["officer"], nil)).items()
	if len(notes) == 0 {
		t.Fatal("fixture: the officer has no notification of the new response")
	}
	f.ids["notification"] = notes[0]["id"].(string)
	return f
}

// cell is one route's request: the path with :id filled from the fixture,
// and a body per role.
type row struct {
	method, path string
	id           string // fixture key for :id
	query        string // appended query, with {challenge} filled
	body         func(*fixture, string) any
	want         [9]int // by roles
}

func constBody(v any) func(*fixture, string) any { return func(*fixture, string) any { return v } }

var (
	newSME       = constBody(smeBody("New Ltd", "Something new."))
	newChallenge = func(*fixture, string) any {
		b := challengeBody("Another challenge", time.Now().Add(40*24*time.Hour))
		b["organisation"] = "Org A" // an admin names it; an officer's own is used regardless
		return b
	}
	newCourse   = constBody(map[string]any{"title": "Data 101", "provider": "Skills Co", "skills": []string{"SQL"}, "mode": "online"})
	newResponse = constBody(map[string]any{"proposal": "We can do this well within the budget.", "price": 1000, "durationWeeks": 4})
)

// matrix lists every route the server registers with the status each role
// gets. A route without a row fails TestAuthorizationMatrix: access rules are
// decided when a route is added, not discovered later. The suspended account's
// token is refused (403) everywhere.
var matrix = []row{
	//                                                                         anon owner sme pend offi stra prov susp admin
	{method: "GET", path: "/healthz", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/readyz", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "POST", path: "/api/v1/auth/register", body: func(*fixture, string) any {
		return map[string]any{"email": uniqueEmail("new"), "password": "a-long-passphrase", "name": "N", "role": "sme"}
	}, want: [9]int{201, 201, 201, 201, 201, 201, 201, 403, 201}},
	{method: "POST", path: "/api/v1/auth/login", body: constBody(map[string]any{"email": "root@example.org", "password": "admin-password-1"}),
		want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	// A made-up refresh token is refused alike for everyone (the real ones are
	// tested in session_test.go).
	{method: "POST", path: "/api/v1/auth/refresh", body: constBody(map[string]any{"refreshToken": "not-a-refresh-token"}),
		want: [9]int{401, 401, 401, 401, 401, 401, 401, 403, 401}},
	{method: "POST", path: "/api/v1/auth/logout", want: [9]int{401, 204, 204, 204, 204, 204, 204, 403, 204}},
	{method: "POST", path: "/api/v1/auth/password", body: func(_ *fixture, role string) any {
		current := "a-long-passphrase"
		if role == "admin" {
			current = "admin-password-1"
		}
		return map[string]any{"currentPassword": current, "newPassword": "a-new-long-passphrase"}
	}, want: [9]int{401, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/api/v1/audit", want: [9]int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/me", want: [9]int{401, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/api/v1/users", want: [9]int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
	{method: "POST", path: "/api/v1/users/:id/verify", id: "pendingUser", want: [9]int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
	{method: "POST", path: "/api/v1/users/:id/suspend", id: "ownerUser", want: [9]int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/smes", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "POST", path: "/api/v1/smes", body: newSME, want: [9]int{401, 409, 409, 403, 403, 403, 403, 403, 201}},
	{method: "GET", path: "/api/v1/smes/:id", id: "sme", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "PATCH", path: "/api/v1/smes/:id", id: "sme", body: constBody(map[string]any{"summary": "Changed."}),
		want: [9]int{401, 200, 403, 403, 403, 403, 403, 403, 200}},
	{method: "DELETE", path: "/api/v1/smes/:id", id: "sme", want: [9]int{401, 204, 403, 403, 403, 403, 403, 403, 204}},
	{method: "GET", path: "/api/v1/smes/:id/matches", id: "sme", want: [9]int{401, 200, 403, 403, 403, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/smes/:id/skills-gap", id: "sme", query: "challenge={challenge}", want: [9]int{401, 200, 403, 403, 403, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/smes/:id/responses", id: "sme", want: [9]int{401, 200, 403, 403, 403, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/challenges", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "POST", path: "/api/v1/challenges", body: newChallenge, want: [9]int{401, 403, 403, 403, 201, 201, 403, 403, 201}},
	{method: "GET", path: "/api/v1/challenges/:id", id: "draft", want: [9]int{404, 404, 404, 404, 200, 404, 404, 403, 200}},
	{method: "PATCH", path: "/api/v1/challenges/:id", id: "draft", body: constBody(map[string]any{"summary": "Changed."}),
		want: [9]int{401, 403, 403, 403, 200, 404, 403, 403, 200}},
	{method: "DELETE", path: "/api/v1/challenges/:id", id: "draft", want: [9]int{401, 403, 403, 403, 204, 404, 403, 403, 204}},
	{method: "POST", path: "/api/v1/challenges/:id/publish", id: "draft", want: [9]int{401, 403, 403, 403, 200, 404, 403, 403, 200}},
	{method: "POST", path: "/api/v1/challenges/:id/close", id: "challenge", want: [9]int{401, 403, 403, 403, 200, 403, 403, 403, 200}},
	{method: "POST", path: "/api/v1/challenges/:id/award", id: "challenge", body: func(f *fixture, _ string) any {
		return map[string]any{"responseId": f.ids["response"]}
	}, want: [9]int{401, 403, 403, 403, 200, 403, 403, 403, 200}},
	{method: "POST", path: "/api/v1/challenges/:id/cancel", id: "challenge", want: [9]int{401, 403, 403, 403, 200, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/challenges/:id/matches", id: "challenge", want: [9]int{401, 403, 403, 403, 200, 403, 403, 403, 200}},
	{method: "POST", path: "/api/v1/challenges/:id/responses", id: "challenge", body: newResponse, want: [9]int{401, 409, 201, 403, 403, 403, 403, 403, 403}},
	{method: "GET", path: "/api/v1/challenges/:id/responses", id: "challenge", want: [9]int{401, 200, 200, 403, 200, 403, 403, 403, 200}},
	{method: "GET", path: "/api/v1/responses/:id", id: "response", want: [9]int{401, 200, 404, 404, 200, 404, 404, 403, 200}},
	{method: "PATCH", path: "/api/v1/responses/:id", id: "response", body: constBody(map[string]any{"feedback": "Thanks."}),
		want: [9]int{401, 403, 404, 404, 200, 404, 404, 403, 200}},
	{method: "GET", path: "/api/v1/courses", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "POST", path: "/api/v1/courses", body: newCourse, want: [9]int{401, 403, 403, 403, 403, 403, 201, 403, 201}},
	{method: "GET", path: "/api/v1/courses/:id", id: "course", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "PATCH", path: "/api/v1/courses/:id", id: "course", body: constBody(map[string]any{"hours": 4}),
		want: [9]int{401, 403, 403, 403, 403, 403, 200, 403, 200}},
	{method: "DELETE", path: "/api/v1/courses/:id", id: "course", want: [9]int{401, 403, 403, 403, 403, 403, 204, 403, 204}},
	{method: "GET", path: "/api/v1/notifications", want: [9]int{401, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "POST", path: "/api/v1/notifications/:id/read", id: "notification", want: [9]int{401, 404, 404, 404, 200, 404, 404, 403, 404}},
	{method: "GET", path: "/api/v1/stats", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/openapi.json", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/api/v1/openapi.json", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/docs", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/feeds/challenges.atom", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/api/v1/ocds/releases", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
	{method: "GET", path: "/api/v1/challenges/:id/ocds", id: "challenge", want: [9]int{200, 200, 200, 200, 200, 200, 200, 403, 200}},
}

// TestAuthorizationMatrix runs every route as every role. Refusals run on one
// shared fixture and must change nothing; each success runs on a fresh one.
func TestAuthorizationMatrix(t *testing.T) {
	probe := newAPI(t)
	rows := map[string]row{}
	for _, r := range matrix {
		rows[r.method+" "+r.path] = r
	}
	srvRoutes := routesOf(t, probe)
	for _, rt := range srvRoutes {
		if _, ok := rows[rt]; !ok {
			t.Errorf("route %s has no row in the authorization matrix", rt)
		}
	}
	for key := range rows {
		if !contains(srvRoutes, key) {
			t.Errorf("matrix row %s names no registered route", key)
		}
	}
	for _, r := range matrix {
		t.Run(strings.ReplaceAll(r.method+r.path, "/", "_"), func(t *testing.T) {
			shared := newFixture(t)
			before := snapshot(shared)
			for i, role := range roles {
				if r.want[i] < 300 && r.method != "GET" {
					continue
				}
				check(t, shared, r, role, r.want[i])
			}
			if after := snapshot(shared); after != before {
				t.Errorf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
			}
			for i, role := range roles {
				if r.want[i] < 300 && r.method != "GET" {
					check(t, newFixture(t), r, role, r.want[i])
				}
			}
		})
	}
}

func check(t *testing.T, f *fixture, r row, role string, want int) {
	t.Helper()
	path := r.path
	if r.id != "" {
		path = strings.Replace(path, ":id", f.ids[r.id], 1)
	}
	if r.query != "" {
		path += "?" + strings.ReplaceAll(r.query, "{challenge}", f.ids["challenge"])
	}
	var body any
	if r.body != nil {
		body = r.body(f, role)
	}
	got := f.a.do(r.method, path, f.tokens[role], body)
	if got.Status != want {
		t.Errorf("%s %s as %s: %d, want %d: %s", r.method, r.path, role, got.Status, want, got.Raw)
	}
}

// snapshot is what an admin can read of the fixture's records.
func snapshot(f *fixture) string {
	var b strings.Builder
	admin := f.tokens["admin"]
	for _, p := range []string{"/api/v1/smes/" + f.ids["sme"], "/api/v1/challenges/" + f.ids["challenge"], "/api/v1/challenges/" + f.ids["draft"],
		"/api/v1/responses/" + f.ids["response"], "/api/v1/courses/" + f.ids["course"], "/api/v1/users?limit=100"} {
		r := f.a.do("GET", p, admin, nil)
		fmt.Fprintf(&b, "%d %v|", r.Status, r.Body["version"])
		if strings.HasPrefix(p, "/api/v1/users") {
			for _, u := range r.items() {
				fmt.Fprintf(&b, "%v:%v,", u["email"], u["status"])
			}
		}
	}
	return b.String()
}

func routesOf(t *testing.T, a *api) []string {
	var out []string
	for _, rt := range a.server.Routes() {
		if rt[1] == "/*" {
			continue // the web pages' catch-all
		}
		out = append(out, rt[0]+" "+rt[1])
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
