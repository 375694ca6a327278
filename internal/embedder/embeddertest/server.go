// Package embeddertest is a small OpenAI-compatible embeddings server for
// tests: it answers POST /v1/embeddings in the OpenAI response format with
// deterministic vectors (a hashed bag of words, so texts sharing words are
// close), counts what it is asked, and can be told to fail or to hang, so the
// embedder and the service's worker are tested against real HTTP.
package embeddertest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// Dim is the length of the vectors the server returns.
const Dim = 64

// Server is a running fake endpoint. Point an embedder at BaseURL.
type Server struct {
	*httptest.Server
	// BaseURL is the API root, ending in /v1, as OPENAI_BASE_URL would be.
	BaseURL string

	mu      sync.Mutex
	status  int
	hang    chan struct{} // non-nil: requests wait until it is closed
	reverse bool
	calls   int
	texts   int
	auth    string
	seen    map[string]int
}

// NewServer starts a server that is closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{seen: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	s.BaseURL = s.URL + "/v1"
	t.Cleanup(func() {
		s.Hang(false) // let waiting handlers return, or Close would wait for them
		s.Close()
	})
	return s
}

// Fail makes every request answer status (0 restores normal answers).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// Hang makes requests wait, without answering, until Hang(false) or until the
// client gives up.
func (s *Server) Hang(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && s.hang == nil:
		s.hang = make(chan struct{})
	case !on && s.hang != nil:
		close(s.hang)
		s.hang = nil
	}
}

// Reverse makes the server list its vectors last to first (with their
// indexes), as the API allows.
func (s *Server) Reverse(on bool) {
	s.mu.Lock()
	s.reverse = on
	s.mu.Unlock()
}

// Calls is how many requests were answered with vectors.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Texts is how many texts were embedded.
func (s *Server) Texts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts
}

// Embedded reports how many times a text containing substr was embedded.
func (s *Server) Embedded(substr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for t, c := range s.seen {
		if strings.Contains(t, substr) {
			n += c
		}
	}
	return n
}

// Auth is the Authorization header of the last request.
func (s *Server) Auth() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth
}

type request struct {
	Input json.RawMessage `json:"input"`
	Model string          `json:"model"`
}

type datum struct {
	Object    string    `json:"object"`
	Embedding []float32 `json:"embedding"`
	Index     int       `json:"index"`
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	s.mu.Lock()
	s.auth = r.Header.Get("Authorization")
	status, hang, reverse := s.status, s.hang, s.reverse
	s.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		writeError(w, status, "the test made this endpoint fail")
		return
	}
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	var texts []string
	if err := json.Unmarshal(req.Input, &texts); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			writeError(w, http.StatusBadRequest, "input must be a string or a list of strings")
			return
		}
		texts = []string{one}
	}
	data := make([]datum, len(texts))
	for i, t := range texts {
		data[i] = datum{Object: "embedding", Embedding: Vector(t), Index: i}
	}
	if reverse {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	s.mu.Lock()
	s.calls++
	s.texts += len(texts)
	for _, t := range texts {
		s.seen[t]++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": len(texts), "total_tokens": len(texts)},
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "server_error"}})
}

// Vector is the server's embedding of text: each lower-cased word adds ±1 to
// a bucket chosen by its hash, and the sum is scaled to unit length. Texts
// that share words point the same way, which is all a ranking test needs.
func Vector(text string) []float32 {
	v := make([]float32, Dim)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New32a()
		h.Write([]byte(w))
		x := h.Sum32()
		if x&0x8000_0000 != 0 {
			v[x%Dim]--
		} else {
			v[x%Dim]++
		}
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		v[0] = 1 // an empty text still gets a vector, as real models give
		return v
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / math.Sqrt(n))
	}
	return v
}
