package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// mailSink is the smallest SMTP server net/smtp will talk to; it keeps the
// messages it is given.
type mailSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newMailSink(t *testing.T) *mailSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.serve(c)
		}
	}()
	return m
}

func (m *mailSink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 sink")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch verb, _, _ := strings.Cut(strings.ToUpper(line), " "); verb {
		case "EHLO":
			tp.PrintfLine("250 sink")
		case "DATA":
			tp.PrintfLine("354 go on")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.mu.Lock()
			m.msgs = append(m.msgs, string(b))
			m.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 OK")
		}
	}
}

func (m *mailSink) received() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

// TestServeMailAndMetrics runs serve with an SMTP URL: verifying an officer
// emails them, once, and /metrics and X-Request-Id are there for operators.
func TestServeMailAndMetrics(t *testing.T) {
	sink := newMailSink(t)
	defer func(d time.Duration) { mailPoll = d }(mailPoll)
	mailPoll = 50 * time.Millisecond
	s := startServe(t, t.TempDir(), map[string]string{
		"BETTERMATCH_ADMIN_EMAIL": "admin@example.org", "BETTERMATCH_ADMIN_PASSWORD": "admin-password-1",
		"BETTERMATCH_SMTP_URL":   "smtp://" + sink.ln.Addr().String() + "?from=noreply@bettermatch.example",
		"BETTERMATCH_PUBLIC_URL": "https://bettermatch.example",
	})
	defer s.stop()
	_, login := call(t, "POST", s.url+"/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": "admin-password-1"})
	admin, _ := login["token"].(string)
	code, reg := call(t, "POST", s.url+"/api/v1/auth/register", "", map[string]any{
		"email": "olu@example.org", "password": "a-long-passphrase", "name": "Olu", "role": "officer", "organisation": "Tartu City"})
	if code != 201 {
		t.Fatalf("register %d %v", code, reg)
	}
	id := reg["user"].(map[string]any)["id"].(string)
	if code, body := call(t, "POST", s.url+"/api/v1/users/"+id+"/verify", admin, nil); code != 200 {
		t.Fatalf("verify %d %v", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(sink.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a few more polls: nothing is sent twice
	msgs := sink.received()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "To: <olu@example.org>") || !strings.Contains(msgs[0], "https://bettermatch.example/") {
		t.Fatalf("emails: %q", msgs)
	}

	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("/metrics: %s, X-Request-Id %q", resp.Status, resp.Header.Get("X-Request-Id"))
	}
	want := map[string]bool{
		`bettermatch_http_requests_total{method="POST",route="/api/v1/users/:id/verify",status="200"} 1`: false,
		"bettermatch_outbox_depth 0": false,
	}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		if _, ok := want[sc.Text()]; ok {
			want[sc.Text()] = true
		}
	}
	for line, ok := range want {
		if !ok {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

func TestConfigSMTP(t *testing.T) {
	env := map[string]string{"BETTERMATCH_SMTP_URL": "smtp://bot:s3cret@mail.example.org"}
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("an SMTP URL without a sender: %v", err)
	}
	env["BETTERMATCH_SMTP_URL"] += "?from=noreply@example.org"
	env["BETTERMATCH_PUBLIC_URL"] = "bettermatch.example"
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Fatal("a public URL without a scheme was accepted")
	}
	env["BETTERMATCH_PUBLIC_URL"] = "https://bettermatch.example/"
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || c.PublicURL != "https://bettermatch.example" {
		t.Fatalf("config %+v, %v", c, err)
	}
	for _, a := range c.logAttrs() {
		if s, ok := a.(string); ok && strings.Contains(s, "s3cret") {
			t.Fatalf("SMTP password in the start-up log: %q", s)
		}
	}
}
