package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestAccessByRole(t *testing.T) {
	s := newSite(t)
	sme := s.visitor()
	sme.register("Sam", "sam@example.org", "sme", "")
	officer := s.visitor()
	officer.register("Olga", "olga@example.org", "officer", "Gävle Municipality")
	provider := s.visitor()
	provider.register("Pat", "pat@example.org", "provider", "Tartu College")
	anon := s.visitor()
	admin := s.admin()

	tests := []struct {
		who    string
		v      *visitor
		path   string
		status int
	}{
		{"anonymous", anon, "/sme", http.StatusSeeOther},
		{"anonymous", anon, "/officer", http.StatusSeeOther},
		{"anonymous", anon, "/admin", http.StatusSeeOther},
		{"anonymous", anon, "/challenges", http.StatusOK},
		{"anonymous", anon, "/stats", http.StatusOK},
		{"sme", sme, "/officer", http.StatusForbidden},
		{"sme", sme, "/officer/challenges/new", http.StatusForbidden},
		{"sme", sme, "/provider", http.StatusForbidden},
		{"sme", sme, "/admin", http.StatusForbidden},
		{"sme", sme, "/sme", http.StatusOK},
		{"officer", officer, "/sme", http.StatusForbidden},
		{"officer", officer, "/admin", http.StatusForbidden},
		{"officer", officer, "/officer", http.StatusOK}, // pending: shows the notice
		{"provider", provider, "/officer", http.StatusForbidden},
		{"provider", provider, "/provider", http.StatusOK},
		{"admin", admin, "/admin", http.StatusOK},
		{"admin", admin, "/officer", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.who+tt.path, func(t *testing.T) {
			p := tt.v.get(tt.path)
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d", p.Status, tt.status)
			}
			if p.Status == http.StatusForbidden {
				mustContain(t, p, "You cannot see this page", `<a href="#main" class="skip-link"`)
			}
			if p.Status == http.StatusSeeOther && !strings.HasPrefix(p.Location, "/signin?next=") {
				t.Fatalf("anonymous visitors go to sign in, not %s", p.Location)
			}
		})
	}
	mustContain(t, officer.get("/officer"), "Your account is being checked")
	mustContain(t, admin.get("/admin"), "olga@example.org", "pat@example.org")
}

func TestErrorPages(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	for _, path := range []string{"/nope", "/challenges/not-an-id", "/challenges/0123456789abcdef01234567", "/courses/x", "/smes/x"} {
		p := v.get(path)
		if p.Status != http.StatusNotFound {
			t.Fatalf("%s: status %d", path, p.Status)
		}
		mustContain(t, p, "Page not found", `<html lang="en">`, `<main id="main"`)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t)
	p := s.visitor().get("/")
	csp := p.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Fatal("no inline code is allowed")
	}
	if p.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("nosniff missing")
	}
	// No inline scripts or styles in what we send.
	for _, bad := range []string{"<script>", "style=", "onclick", "<style"} {
		if strings.Contains(p.Body, bad) {
			t.Fatalf("page contains %q", bad)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	for path, ctype := range map[string]string{"/static/app.css": "text/css", "/static/app.js": "javascript", "/static/favicon.svg": "image/svg"} {
		p := v.get(path)
		if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Type"), ctype) {
			t.Fatalf("%s: %d %s", path, p.Status, p.Header.Get("Content-Type"))
		}
	}
	if p := v.get("/static/"); p.Status != http.StatusNotFound {
		t.Fatalf("directory listing: %d", p.Status)
	}
}
