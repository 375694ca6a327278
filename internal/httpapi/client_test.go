package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// api is a test client against a real server on a real listener.
type api struct {
	t      *testing.T
	url    string
	env    *testenv.Env
	server *httpapi.Server
}

func newAPI(t *testing.T) *api {
	t.Helper()
	env := testenv.New(t)
	hs := httpapi.New(env.Svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Pages: http.NotFoundHandler()})
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	return &api{t: t, url: srv.URL, env: env, server: hs}
}

// reply is a decoded answer.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (r reply) str(path ...string) string {
	v := r.get(path...)
	s, _ := v.(string)
	return s
}

func (r reply) get(path ...string) any {
	var v any = r.Body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func (r reply) items() []map[string]any {
	arr, _ := r.Body["items"].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

type hdr map[string]string

// do sends body (a string is sent as is, anything else as JSON).
func (a *api) do(method, path, token string, body any, headers ...hdr) reply {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		for k, v := range h {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	a.checkSpec(req, resp.StatusCode, resp.Header, raw) // every reply must match the OpenAPI document
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.Body)
	}
	if resp.StatusCode >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			a.t.Errorf("%s %s: error %d with Content-Type %q, want application/problem+json", method, path, resp.StatusCode, ct)
		}
		if r.Body["status"] != float64(resp.StatusCode) || r.Body["title"] == nil || r.Body["type"] == nil {
			a.t.Errorf("%s %s: problem details incomplete: %s", method, path, raw)
		}
	}
	return r
}

// want checks the status and returns the reply.
func (a *api) want(status int, r reply) reply {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// register signs up and returns the token and user id.
func (a *api) register(email, role, org string) (string, string) {
	a.t.Helper()
	r := a.want(201, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": "a-long-passphrase", "name": strings.Split(email, "@")[0], "role": role, "organisation": org}))
	return r.str("token"), r.str("user", "id")
}

// admin creates the configured admin and signs in.
func (a *api) admin() string {
	a.t.Helper()
	if _, err := a.env.Svc.EnsureAdmin(context.Background(), "root@example.org", "admin-password-1", "Admin"); err != nil {
		a.t.Fatal(err)
	}
	return a.login("root@example.org", "admin-password-1")
}

func (a *api) login(email, password string) string {
	a.t.Helper()
	return a.want(200, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})).str("token")
}

// verified registers an officer or provider and has the admin verify it.
func (a *api) verified(adminTok, email, role, org string) (string, string) {
	a.t.Helper()
	tok, id := a.register(email, role, org)
	a.want(200, a.do("POST", "/api/v1/users/"+id+"/verify", adminTok, nil))
	return tok, id
}

var _ = domain.KindSME
var _ = service.Publish
