package embedder_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedder"
	"github.com/bettermatch/bettermatch/internal/embedder/embeddertest"
)

func TestEmbed(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		srv := embeddertest.NewServer(t)
		srv.Reverse(true) // answers out of order must still land in order
		e := embedder.New(embedder.Config{APIKey: "sk-test", BaseURL: srv.BaseURL, Model: "m1", BatchSize: 4})
		if !e.Enabled() || e.Model() != "m1" {
			t.Fatalf("Enabled %v, Model %q", e.Enabled(), e.Model())
		}
		texts := make([]string, 10)
		for i := range texts {
			texts[i] = fmt.Sprintf("text number %d", i)
		}
		vs, err := e.Embed(ctx, texts)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(texts) {
			t.Fatalf("%d vectors for %d texts", len(vs), len(texts))
		}
		for i, v := range vs {
			want := embeddertest.Vector(texts[i])
			if len(v) != len(want) || v[0] != want[0] || v[len(v)-1] != want[len(want)-1] {
				t.Fatalf("vector %d is not the one for its text", i)
			}
		}
		if got := srv.Calls(); got != 3 {
			t.Errorf("10 texts in batches of 4 took %d requests, want 3", got)
		}
		if got := srv.Auth(); got != "Bearer sk-test" {
			t.Errorf("Authorization %q", got)
		}
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		srv := embeddertest.NewServer(t)
		e := embedder.New(embedder.Config{APIKey: "k", BaseURL: srv.BaseURL})
		for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusUnauthorized} {
			srv.Fail(status)
			_, err := e.Embed(ctx, []string{"a"})
			if domain.ErrorCode(err) != domain.EUNAVAILABLE {
				t.Errorf("status %d: got %v, want %s", status, err, domain.EUNAVAILABLE)
			}
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		srv := embeddertest.NewServer(t)
		srv.Hang(true)
		e := embedder.New(embedder.Config{APIKey: "k", BaseURL: srv.BaseURL, Timeout: 100 * time.Millisecond})
		start := time.Now()
		_, err := e.Embed(ctx, []string{"a"})
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("got %v, want %s", err, domain.EUNAVAILABLE)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a hanging endpoint held the call for %v", d)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		srv := embeddertest.NewServer(t)
		base := srv.BaseURL
		srv.Close()
		_, err := embedder.New(embedder.Config{APIKey: "k", BaseURL: base}).Embed(ctx, []string{"a"})
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("got %v, want %s", err, domain.EUNAVAILABLE)
		}
	})
}
