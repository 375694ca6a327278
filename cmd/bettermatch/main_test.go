package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// server runs `bettermatch serve` in-process, as a user would, until stop.
type server struct {
	url  string
	stop func() error
}

func startServe(t *testing.T, dataDir string, env map[string]string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("BETTERMATCH_ADDR", addr)
	t.Setenv("BETTERMATCH_DATA_DIR", dataDir)
	t.Setenv("BETTERMATCH_LOG_LEVEL", "error")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}) }()
	s := &server{url: "http://" + addr, stop: func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("serve did not stop within 30s")
		}
	}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kimsProfile registers an SME account and creates its profile, returning the
// account's token and the profile's id.
func kimsProfile(t *testing.T, s *server) (token, id string) {
	t.Helper()
	code, reg := call(t, "POST", s.url+"/api/v1/auth/register", "", map[string]any{
		"email": "kim@example.org", "password": "a-long-passphrase", "name": "Kim", "role": "sme"})
	if code != 201 {
		t.Fatalf("register %d %v", code, reg)
	}
	token = reg["token"].(string)
	code, sme := call(t, "POST", s.url+"/api/v1/smes", token, map[string]any{
		"name": "Quayside Robotics", "size": "micro", "region": "Liguria", "summary": "Underwater drones that inspect harbour walls."})
	if code != 201 {
		t.Fatalf("create %d %v", code, sme)
	}
	return token, sme["id"].(string)
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestServeRestartKeepsData writes through the API, stops the server, starts
// it again (once with its search index, once after the index was deleted) and
// finds everything, both by id and by search.
func TestServeRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"BETTERMATCH_ADMIN_EMAIL": "admin@example.org", "BETTERMATCH_ADMIN_PASSWORD": "admin-password-1"}
	s := startServe(t, dir, env)
	tok, id := kimsProfile(t, s)
	if fi, err := os.Stat(filepath.Join(dir, "jwt-secret")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated secret file: %v %v", fi, err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	for _, dropIndex := range []bool{false, true} {
		if dropIndex {
			if err := os.RemoveAll(filepath.Join(dir, "index-bettermatch")); err != nil {
				t.Fatal(err)
			}
		}
		s = startServe(t, dir, env)
		// The token still works: the generated secret was kept.
		if code, me := call(t, "GET", s.url+"/api/v1/me", tok, nil); code != 200 || me["smeId"] != id {
			t.Fatalf("after restart /me = %d %v", code, me)
		}
		if code, got := call(t, "GET", s.url+"/api/v1/smes/"+id, "", nil); code != 200 || got["name"] != "Quayside Robotics" {
			t.Fatalf("after restart get = %d %v", code, got)
		}
		code, found := call(t, "GET", s.url+"/api/v1/smes?q=drones", "", nil)
		if code != 200 || found["total"] != float64(1) {
			t.Fatalf("after restart (index dropped: %v) search = %d %v", dropIndex, code, found)
		}
		// The admin was created once and not duplicated.
		code, login := call(t, "POST", s.url+"/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": "admin-password-1"})
		if code != 200 {
			t.Fatalf("admin login %d %v", code, login)
		}
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{"BETTERMATCH_JWT_SECRET": "short"}
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Fatal("a short JWT secret was accepted")
	}
	env = map[string]string{"BETTERMATCH_ADMIN_EMAIL": "a@example.org"}
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Fatal("an admin email without a password was accepted")
	}
	if got := redactURI("mongodb://user:s3cret@db1:27017/x"); got != "mongodb://user:****@db1:27017/x" {
		t.Fatalf("redactURI = %q", got)
	}
	c, err := loadConfig(func(string) string { return "" })
	if err != nil || c.Addr != ":8080" || c.MongoDatabase != "bettermatch" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	for _, a := range c.logAttrs() {
		if s, ok := a.(string); ok && s == "s3cret" {
			t.Fatal("secret in log attrs")
		}
	}
}
