package web

import (
	"testing"

	"github.com/bettermatch/bettermatch/frontend"
)

func TestTemplatesParse(t *testing.T) {
	ts, err := parseTemplates(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.pages) < 15 {
		t.Fatalf("only %d page templates", len(ts.pages))
	}
}
