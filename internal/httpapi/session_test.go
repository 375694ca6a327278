package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// newAPIWith is newAPI with environment and server options.
func newAPIWith(t *testing.T, eo testenv.Options, so httpapi.Options) *api {
	t.Helper()
	env := testenv.New(t, eo)
	so.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if so.Pages == nil {
		so.Pages = http.NotFoundHandler()
	}
	hs := httpapi.New(env.Svc, so)
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	return &api{t: t, url: srv.URL, env: env, server: hs}
}

// signUp registers an SME and returns the whole session reply.
func (a *api) signUp(email string) reply {
	a.t.Helper()
	return a.want(201, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": "a-long-passphrase", "name": "N", "role": "sme"}))
}

func (a *api) refresh(token string) reply {
	a.t.Helper()
	return a.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": token})
}

func TestRefresh_Rotation(t *testing.T) {
	a := newAPI(t)
	s := a.signUp(uniqueEmail("rot"))
	access, rt := s.str("token"), s.str("refreshToken")
	if access == "" || rt == "" || s.str("expiresAt") == "" || s.str("refreshExpiresAt") == "" || s.str("user", "id") == "" {
		t.Fatalf("register reply lacks tokens: %s", s.Raw)
	}
	// Refresh tokens are stored only as hashes.
	if _, err := a.env.Store.RefreshTokens().Get(t.Context(), rt); err == nil {
		t.Fatal("a refresh token is stored under its own value")
	}

	// The access token expires; the refresh token gets a new pair.
	a.env.Clock.Advance(2 * time.Hour)
	a.want(401, a.do("GET", "/api/v1/me", access, nil))
	n := a.want(200, a.refresh(rt))
	access2, rt2 := n.str("token"), n.str("refreshToken")
	if access2 == "" || rt2 == "" || rt2 == rt || n.str("user", "id") != s.str("user", "id") {
		t.Fatalf("refresh reply: %s", n.Raw)
	}
	a.want(200, a.do("GET", "/api/v1/me", access2, nil))

	// Right after, the old token is "already used" (a concurrent refresh),
	// which revokes nothing.
	a.want(409, a.refresh(rt))
	a.want(200, a.do("GET", "/api/v1/me", access2, nil))

	// Later, it is reuse: the whole session is revoked, so the thief's and
	// the owner's newest refresh tokens both stop working.
	a.env.Clock.Advance(time.Minute)
	a.want(401, a.refresh(rt))
	a.want(401, a.refresh(rt2))
	// Its access tokens too (in this process).
	a.want(401, a.do("GET", "/api/v1/me", access2, nil))

	// Another session of the same user is untouched.
	l := a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": s.str("user", "email"), "password": "a-long-passphrase"}))
	a.want(200, a.refresh(l.str("refreshToken")))

	// The reuse is in the audit log.
	admin := a.admin()
	found := false
	for _, e := range a.want(200, a.do("GET", "/api/v1/audit?limit=100", admin, nil)).items() {
		found = found || e["action"] == "session.reuse"
	}
	if !found {
		t.Error("no session.reuse audit entry")
	}
}

func TestRefresh_Expiry(t *testing.T) {
	a := newAPI(t)
	s := a.signUp(uniqueEmail("exp"))
	rt := s.str("refreshToken")
	// Refreshing keeps the session alive up to its end, not past it.
	for i := 0; i < 3; i++ {
		a.env.Clock.Advance(9 * 24 * time.Hour)
		rt = a.want(200, a.refresh(rt)).str("refreshToken")
	}
	a.env.Clock.Advance(4 * 24 * time.Hour) // 31 days after sign-in
	a.want(401, a.refresh(rt))
}

func TestRefresh_Garbage(t *testing.T) {
	a := newAPI(t)
	for _, body := range []any{
		map[string]any{"refreshToken": ""},
		map[string]any{"refreshToken": "x"},
		map[string]any{"refreshToken": string(make([]byte, 4000))},
	} {
		a.want(401, a.do("POST", "/api/v1/auth/refresh", "", body))
	}
	a.want(400, a.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": map[string]any{"$ne": ""}}))
	a.want(400, a.do("POST", "/api/v1/auth/refresh", "", ""))
}

func TestLogout(t *testing.T) {
	a := newAPI(t)
	s := a.signUp(uniqueEmail("out"))
	access, rt := s.str("token"), s.str("refreshToken")
	other := a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": s.str("user", "email"), "password": "a-long-passphrase"}))

	a.want(401, a.do("POST", "/api/v1/auth/logout", "", nil))
	a.want(204, a.do("POST", "/api/v1/auth/logout", access, nil))
	a.want(401, a.do("GET", "/api/v1/me", access, nil))
	a.want(401, a.refresh(rt))
	// Only that session: the other device stays signed in.
	a.want(200, a.do("GET", "/api/v1/me", other.str("token"), nil))
	rt2 := a.want(200, a.refresh(other.str("refreshToken"))).str("refreshToken")

	// Sign-out by refresh token alone (an expired access token).
	a.want(204, a.do("POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": rt2}))
	a.want(401, a.refresh(rt2))
}

func TestChangePassword_EndsSessions(t *testing.T) {
	a := newAPI(t)
	s := a.signUp(uniqueEmail("pw"))
	email := s.str("user", "email")
	access, rt := s.str("token"), s.str("refreshToken")
	other := a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "a-long-passphrase"}))

	r := a.want(422, a.do("POST", "/api/v1/auth/password", access, map[string]any{"currentPassword": "not-the-password", "newPassword": "a-new-long-passphrase"}))
	if r.get("errors") == nil {
		t.Errorf("wrong current password: %s", r.Raw)
	}
	a.want(422, a.do("POST", "/api/v1/auth/password", access, map[string]any{"currentPassword": "a-long-passphrase", "newPassword": "short"}))
	a.want(401, a.do("POST", "/api/v1/auth/password", "", map[string]any{"currentPassword": "a-long-passphrase", "newPassword": "a-new-long-passphrase"}))
	// Refusals ended nothing.
	a.want(200, a.do("GET", "/api/v1/me", access, nil))

	n := a.want(200, a.do("POST", "/api/v1/auth/password", access, map[string]any{"currentPassword": "a-long-passphrase", "newPassword": "a-new-long-passphrase"}))
	// Every earlier token of the account is dead, on every device.
	a.want(401, a.do("GET", "/api/v1/me", access, nil))
	a.want(401, a.do("GET", "/api/v1/me", other.str("token"), nil))
	a.want(401, a.refresh(rt))
	a.want(401, a.refresh(other.str("refreshToken")))
	// The caller got a new session; the new password signs in, the old not.
	a.want(200, a.do("GET", "/api/v1/me", n.str("token"), nil))
	a.want(200, a.refresh(n.str("refreshToken")))
	a.want(401, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "a-long-passphrase"}))
	a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "a-new-long-passphrase"}))
}

func TestSuspension_EndsSessions(t *testing.T) {
	a := newAPI(t)
	admin := a.admin()
	s := a.signUp(uniqueEmail("susp"))
	id, access, rt := s.str("user", "id"), s.str("token"), s.str("refreshToken")

	a.want(200, a.do("POST", "/api/v1/users/"+id+"/suspend", admin, nil))
	// Suspended: the access token says why, the refresh token is dead.
	a.want(403, a.do("GET", "/api/v1/me", access, nil))
	a.want(401, a.refresh(rt))
	a.want(403, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": s.str("user", "email"), "password": "a-long-passphrase"}))

	// Reactivated: the old tokens stay dead; signing in again works.
	a.want(200, a.do("POST", "/api/v1/users/"+id+"/verify", admin, nil))
	a.want(401, a.do("GET", "/api/v1/me", access, nil))
	a.want(401, a.refresh(rt))
	l := a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": s.str("user", "email"), "password": "a-long-passphrase"}))
	a.want(200, a.do("GET", "/api/v1/me", l.str("token"), nil))
}

func TestPurgeExpiredSessions(t *testing.T) {
	a := newAPI(t)
	old := a.signUp(uniqueEmail("old"))
	a.want(200, a.refresh(old.str("refreshToken"))) // a retired token too
	a.env.Clock.Advance(20 * 24 * time.Hour)
	fresh := a.signUp(uniqueEmail("fresh"))
	a.env.Clock.Advance(11 * 24 * time.Hour) // the first sign-in is 31 days old
	n, err := a.env.Svc.PurgeSessions(t.Context())
	if err != nil || n != 3 { // one session, two refresh tokens
		t.Fatalf("PurgeSessions = %d, %v; want 3", n, err)
	}
	a.want(200, a.refresh(fresh.str("refreshToken")))
}

// TestRefresh_Concurrent: tabs refresh with the same token at once. One gets
// new tokens, the others 409, and the session lives on.
func TestRefresh_Concurrent(t *testing.T) {
	a := newAPI(t)
	rt := a.signUp(uniqueEmail("tabs")).str("refreshToken")
	replies := make(chan reply, 8)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies <- a.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": rt})
		}()
	}
	wg.Wait()
	close(replies)
	count, winner := map[int]int{}, ""
	for r := range replies {
		count[r.Status]++
		if r.Status == 200 {
			winner = r.str("refreshToken")
		}
	}
	if count[200] != 1 || count[409] != 7 {
		t.Fatalf("statuses %v, want one 200 and seven 409", count)
	}
	// The session was not revoked: the winner's token works.
	winner = a.want(200, a.refresh(winner)).str("refreshToken")
	// The retired token presented later is theft, and ends the session.
	a.env.Clock.Advance(time.Minute)
	a.want(401, a.refresh(rt))
	a.want(401, a.refresh(winner))
}
