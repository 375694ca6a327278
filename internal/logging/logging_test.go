package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/logging"
)

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logging.Handler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	ctx := logging.WithRequestID(context.Background(), "req-1")

	log.ErrorContext(ctx, "with context")
	log.Error("without context")
	log.InfoContext(ctx, "explicit", "request_id", "req-1")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, want := range []string{"req-1", "", "req-1"} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if got, _ := rec["request_id"].(string); got != want || rec["component"] != "test" {
			t.Errorf("line %d: request_id %q, want %q: %s", i, got, want, lines[i])
		}
		if strings.Count(lines[i], `"request_id"`) > 1 {
			t.Errorf("line %d repeats request_id: %s", i, lines[i])
		}
	}
}
