package main

import (
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/embedder/embeddertest"
)

// TestServeEmbeddings runs serve against an embeddings endpoint started in the
// test: a challenge's matches say "hybrid" once the background worker has
// embedded both sides, through the real configuration and HTTP API.
func TestServeEmbeddings(t *testing.T) {
	srv := embeddertest.NewServer(t)
	s := startServe(t, t.TempDir(), map[string]string{
		"BETTERMATCH_ADMIN_EMAIL": "admin@example.org", "BETTERMATCH_ADMIN_PASSWORD": "admin-password-1",
		"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": srv.BaseURL, "BETTERMATCH_EMBEDDING_MODEL": "test-model",
	})
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	code, login := call(t, "POST", s.url+"/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": "admin-password-1"})
	if code != 200 {
		t.Fatalf("login %d %v", code, login)
	}
	tok := login["token"].(string)
	if code, out := call(t, "POST", s.url+"/api/v1/smes", tok, map[string]any{
		"name": "Quayside Robotics", "size": "micro", "region": "Liguria",
		"summary": "Underwater drones that inspect harbour walls.", "capabilities": []string{"underwater inspection"}}); code != 201 {
		t.Fatalf("create SME %d %v", code, out)
	}
	code, ch := call(t, "POST", s.url+"/api/v1/challenges", tok, map[string]any{
		"title": "Inspect the harbour walls", "organisation": "Port of Genoa", "theme": "other", "region": "Liguria",
		"summary": "Drones to inspect harbour walls under water.", "requiredCapabilities": []string{"underwater inspection"},
		"deadline": time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)})
	if code != 201 {
		t.Fatalf("create challenge %d %v", code, ch)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, page := call(t, "GET", s.url+"/api/v1/challenges/"+ch["id"].(string)+"/matches", tok, nil)
		if code != 200 {
			t.Fatalf("matches %d %v", code, page)
		}
		if page["mode"] == "hybrid" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("matches never became hybrid: %v (endpoint called %d times)", page, srv.Calls())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if srv.Auth() != "Bearer test-key" {
		t.Errorf("the endpoint saw Authorization %q", srv.Auth())
	}
}
