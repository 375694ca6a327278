package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/embedded"
)

// TestDatabaseGoesAway runs `serve` against a database it does not own, stops
// that database and checks that requests fail fast with 503 problem details,
// /readyz says 503, and that service resumes by itself when the database is
// back on the same address with the same files.
func TestDatabaseGoesAway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a database")
	}
	ctx := context.Background()
	dbDir := t.TempDir()
	db, err := embedded.Start(ctx, dbDir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	dbUp := true
	t.Cleanup(func() {
		if dbUp {
			db.Close()
		}
	})
	addr := strings.TrimPrefix(db.URI(), "mongodb://")
	addr = addr[:strings.IndexAny(addr, "/?")]
	s := startServe(t, t.TempDir(), map[string]string{"MONGODB_URI": db.URI()})
	defer s.stop()

	tok, id := kimsProfile(t, s)

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	dbUp = false

	// Every request that needs the database is a 503 problem, quickly; the
	// first ones after the loss too (pooled connections, server selection).
	for i := 0; i < 2; i++ {
		for _, r := range []struct{ method, path, token string }{
			{"GET", "/api/v1/smes/" + id + "/responses", tok},
			{"GET", "/api/v1/me", tok},
			{"PATCH", "/api/v1/smes/" + id, tok},
			{"POST", "/api/v1/auth/login", ""},
			{"GET", "/readyz", ""},
		} {
			start := time.Now()
			var body any
			switch r.method {
			case "PATCH":
				body = map[string]any{"summary": "Drones that inspect harbour walls and ship hulls."}
			case "POST":
				body = map[string]any{"email": "kim@example.org", "password": "a-long-passphrase"}
			}
			code, ct, prob := callRaw(t, r.method, s.url+r.path, r.token, body)
			took := time.Since(start)
			if code != http.StatusServiceUnavailable || !strings.HasPrefix(ct, "application/problem+json") || prob["status"] != float64(503) {
				t.Errorf("%s %s with the database down: %d %s %v", r.method, r.path, code, ct, prob)
			}
			if took > 3*time.Second {
				t.Errorf("%s %s took %v to fail; want well under 3s", r.method, r.path, took)
			}
			t.Logf("round %d: %s %s → %d in %v", i, r.method, r.path, code, took.Round(time.Millisecond))
		}
	}

	// A profile page needs no database: it is the search index's copy of the
	// record, as search results are.
	if code, got := call(t, "GET", s.url+"/api/v1/smes/"+id, "", nil); code != 200 || got["name"] != "Quayside Robotics" {
		t.Errorf("profile with the database down: %d %v", code, got)
	}

	// The database comes back on the same address and files; the server
	// reconnects without being told.
	db, err = embedded.Start(ctx, dbDir, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	dbUp = true
	back := time.Now()
	for {
		code, _ := call(t, "GET", s.url+"/readyz", "", nil)
		if code == 200 {
			break
		}
		if time.Since(back) > 20*time.Second {
			t.Fatalf("/readyz still %d 20s after the database returned", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("ready again %v after the database returned", time.Since(back).Round(time.Millisecond))
	if code, got := call(t, "GET", s.url+"/api/v1/smes/"+id, "", nil); code != 200 || got["name"] != "Quayside Robotics" {
		t.Fatalf("after the database returned: %d %v", code, got)
	}
	code, up := callWith(t, "PATCH", s.url+"/api/v1/smes/"+id, tok, map[string]any{"summary": "Drones that inspect harbour walls and ship hulls."}, map[string]string{"If-Match": `"v1"`})
	if code != 200 || up["version"] != float64(2) {
		t.Fatalf("write after the database returned: %d %v", code, up)
	}
}

// callRaw is call that also returns the Content-Type, and a map even for
// problem details.
func callRaw(t *testing.T, method, url, token string, body any) (int, string, map[string]any) {
	t.Helper()
	resp := send(t, method, url, token, body, nil)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// callWith is call with extra request headers.
func callWith(t *testing.T, method, url, token string, body any, headers map[string]string) (int, map[string]any) {
	t.Helper()
	resp := send(t, method, url, token, body, headers)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func send(t *testing.T, method, url, token string, body any, headers map[string]string) *http.Response {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	// A client with patience, so a slow failure shows as slow, not as a
	// client-side timeout.
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
