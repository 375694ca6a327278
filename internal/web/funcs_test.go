package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlightEscapesAllButMark(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain <mark>air</mark> quality", "plain <mark>air</mark> quality"},
		{`<script>alert(1)</script> <mark>x</mark>`, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"},
		{"&lt;b&gt; <mark>&amp;</mark>", "&lt;b&gt; <mark>&amp;</mark>"}, // already escaped by the index: not twice
		{"<mark>open", "&lt;mark&gt;open"},
		{`<mark><img src=x onerror=alert(1)></mark>`, "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>"},
	}
	for _, tt := range tests {
		if got := string(highlight(tt.in)); got != tt.want {
			t.Errorf("highlight(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/sme": "/sme", "/challenges?q=x": "/challenges?q=x", "": "/", "//evil.example": "/",
		"https://evil.example/a?b=c": "/a?b=c", "/\\evil.example": "/", "javascript:alert(1)": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, tt := range []struct{ max, step, top int }{{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {7, 2, 8}, {12, 5, 15}, {95, 20, 100}, {230, 50, 250}} {
		if step, top := niceScale(tt.max); step != tt.step || top != tt.top {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", tt.max, step, top, tt.step, tt.top)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	if csvSafe("=HYPERLINK()") != "'=HYPERLINK()" || csvSafe("Liguria") != "Liguria" {
		t.Fatal("csvSafe must defuse formulas only")
	}
}

func TestExcerpt(t *testing.T) {
	if got := excerpt("  short text "); got != "short text" {
		t.Errorf("excerpt(short) = %q", got)
	}
	long := strings.Repeat("word ", 100) // 500 runes
	got := excerpt(long)
	if n := utf8.RuneCountInString(got); n > excerptRunes+1 || n < excerptRunes/2 {
		t.Errorf("excerpt(long) has %d runes: %q", n, got)
	}
	if !strings.HasSuffix(got, "word…") {
		t.Errorf("excerpt(long) = %q, want it cut after a whole word with …", got)
	}
	// Multi-byte runes are never split.
	if got := excerpt(strings.Repeat("é", 300)); !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("excerpt(é…) = %q", got)
	}
}
