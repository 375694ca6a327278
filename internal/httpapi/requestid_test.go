package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/logging"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, rec)
	}
	return out
}

func TestRequestID(t *testing.T) {
	env := testenv.New(t)
	var logs syncBuffer
	log := slog.New(logging.Handler(slog.NewJSONHandler(&logs, nil)))
	srv := httptest.NewServer(httpapi.New(env.Svc, httpapi.Options{Logger: log, Pages: http.NotFoundHandler()}))
	t.Cleanup(srv.Close)

	get := func(t *testing.T, path, id string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p struct{ RequestID string }
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return resp.Header.Get("X-Request-Id"), p.RequestID
	}

	t.Run("Generated", func(t *testing.T) {
		h, p := get(t, "/api/v1/smes/not-an-id", "")
		if !domain.ValidID(h) || p != h {
			t.Fatalf("header %q, problem requestId %q: want one new id in both", h, p)
		}
		if h2, _ := get(t, "/api/v1/smes/not-an-id", ""); h2 == h {
			t.Fatal("two requests share an id")
		}
	})

	t.Run("Echoed", func(t *testing.T) {
		for _, id := range []string{"abc-123_X.y", strings.Repeat("a", 64)} {
			if h, p := get(t, "/api/v1/smes/not-an-id", id); h != id || p != id {
				t.Errorf("sent %q: header %q, problem %q", id, h, p)
			}
		}
	})

	t.Run("Replaced", func(t *testing.T) {
		for _, id := range []string{"a b", `"><script>`, "é", strings.Repeat("a", 65), "x;y=1"} {
			h, p := get(t, "/api/v1/smes/not-an-id", id)
			if h == id || !domain.ValidID(h) || p != h {
				t.Errorf("sent %q: header %q, problem %q; want a new id in both", id, h, p)
			}
		}
	})

	// Every access-log line carries the id the response named.
	t.Run("Logged", func(t *testing.T) {
		h, _ := get(t, "/healthz", "trace-me-1")
		n := 0
		for _, rec := range logs.lines(t) {
			if rec["msg"] == "request" {
				n++
				if rec["request_id"] == nil || rec["request_id"] == "" {
					t.Errorf("request log without request_id: %v", rec)
				}
				if rec["path"] == "/healthz" && rec["request_id"] != h {
					t.Errorf("healthz logged with %v, answered with %q", rec["request_id"], h)
				}
			}
		}
		if n == 0 {
			t.Fatal("no request log lines")
		}
	})
}
