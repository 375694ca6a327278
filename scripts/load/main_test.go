package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestDriveWarmup runs the mix against a server that answers everything, and
// checks that -warmup's requests are sent and reported apart: the measured
// part has exactly the requests due after the warm-up, with due times
// counted from its end, and the two together are everything the server got.
func TestDriveWarmup(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/responses") {
			w.WriteHeader(http.StatusCreated)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "r2", "version": 2})
	}))
	defer srv.Close()

	c := &client{base: srv.URL, hc: srv.Client()}
	w := &world{
		officers:   []*officer{{token: "o", challenges: []string{"c1", "c2"}}},
		challenges: []string{"c1", "c2"},
		smes: []*smeUser{{token: "s", id: "s1", version: 1, responded: map[string]bool{"c1": true},
			responses: []*response{{id: "r1", version: 1}}}},
	}
	o := options{rate: 200, warmup: 300 * time.Millisecond, duration: 500 * time.Millisecond}
	res := drive(c, w, o)

	if res.warm == nil {
		t.Fatal("no warm-up results")
	}
	if res.warm.offered != 60 || len(res.warm.samples) != 60 {
		t.Errorf("warm-up offered %d, finished %d; want 60 and 60", res.warm.offered, len(res.warm.samples))
	}
	if res.offered != 100 || len(res.samples) != 100 {
		t.Errorf("measured offered %d, finished %d; want 100 and 100", res.offered, len(res.samples))
	}
	if n := int64(len(res.warm.samples) + len(res.samples)); got.Load() != n {
		t.Errorf("the server got %d requests, the results hold %d", got.Load(), n)
	}
	for _, s := range res.warm.samples {
		if s.due < 0 || s.due >= o.warmup {
			t.Errorf("warm-up sample due at %v, outside [0, %v)", s.due, o.warmup)
		}
	}
	for _, s := range res.samples {
		if s.due < 0 || s.due >= o.duration {
			t.Errorf("measured sample due at %v, outside [0, %v)", s.due, o.duration)
		}
		if s.status < 200 || s.status > 299 {
			t.Errorf("%s: status %d", mix[s.kind].name, s.status)
		}
	}
	// From the warm-up's end to the last answer: the last request is due one
	// interval before the end.
	if res.elapsed < o.duration-5*time.Millisecond || res.elapsed > o.duration+5*time.Second {
		t.Errorf("measured part took %v for %v of load", res.elapsed, o.duration)
	}

	// Without -warmup, everything is measured.
	o.warmup = 0
	res = drive(c, w, o)
	if res.warm != nil || res.offered != 100 || len(res.samples) != 100 {
		t.Errorf("without a warm-up: warm %v, offered %d, finished %d", res.warm, res.offered, len(res.samples))
	}
}
